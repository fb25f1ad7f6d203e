// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites for XTCP's pure logic: sequence arithmetic, segment
 * acceptability, option parsing and building, the state transition table
 * and the ISN.  Built only against a kernel with CONFIG_KUNIT; calls the
 * functions xtcp.ko exports for it.
 */
#include <kunit/test.h>
#include <linux/prandom.h>
#include <net/inet_ecn.h>
#include <net/tcp.h>

#include "xtcp.h"
#include "pmtu.h"

/* ---- sequence arithmetic ---- */

static void seq_lt__plain(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, xtcp_seq_lt(1, 2));
	KUNIT_EXPECT_FALSE(test, xtcp_seq_lt(2, 1));
	KUNIT_EXPECT_FALSE(test, xtcp_seq_lt(5, 5));
	KUNIT_EXPECT_TRUE(test, xtcp_seq_leq(5, 5));
	KUNIT_EXPECT_TRUE(test, xtcp_seq_geq(5, 5));
	KUNIT_EXPECT_TRUE(test, xtcp_seq_gt(7, 6));
}

static void seq_lt__wraparound(struct kunit *test)
{
	/* 0xfffffff0 comes before 0x10 once the space wraps at 2^32 */
	KUNIT_EXPECT_TRUE(test, xtcp_seq_lt(0xfffffff0U, 0x10));
	KUNIT_EXPECT_TRUE(test, xtcp_seq_gt(0x10, 0xfffffff0U));
	KUNIT_EXPECT_TRUE(test, xtcp_seq_lt(0xffffffffU, 0));
	KUNIT_EXPECT_TRUE(test, xtcp_seq_gt(0, 0xffffffffU));
	/* numbers 2^31 - 1 apart still compare as expected */
	KUNIT_EXPECT_TRUE(test, xtcp_seq_lt(0, 0x7fffffffU));
	KUNIT_EXPECT_TRUE(test, xtcp_seq_lt(0x80000000U, 0xffffffffU));
	KUNIT_EXPECT_EQ(test, xtcp_seq_max(0xfffffffeU, 3), 3U);
}

static void seq_between__wraparound(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, xtcp_seq_between(5, 5, 10));
	KUNIT_EXPECT_TRUE(test, xtcp_seq_between(10, 5, 10));
	KUNIT_EXPECT_FALSE(test, xtcp_seq_between(11, 5, 10));
	KUNIT_EXPECT_FALSE(test, xtcp_seq_between(4, 5, 10));
	KUNIT_EXPECT_TRUE(test, xtcp_seq_between(0, 0xfffffff0U, 0x10));
	KUNIT_EXPECT_TRUE(test, xtcp_seq_between(0xffffffffU, 0xfffffff0U, 0x10));
	KUNIT_EXPECT_FALSE(test, xtcp_seq_between(0x11, 0xfffffff0U, 0x10));
	KUNIT_EXPECT_FALSE(test, xtcp_seq_between(0xffffffefU, 0xfffffff0U, 0x10));
}

/* ---- acceptability (RFC 9293 3.10.7.4, the four cases) ---- */

struct accept_case {
	const char *name;
	u32 seq, len, rcv_nxt, rcv_wnd;
	bool ok;
};

static const struct accept_case accept_cases[] = {
	{ "len0_wnd0_at_nxt", 100, 0, 100, 0, true },
	{ "len0_wnd0_before_nxt", 99, 0, 100, 0, false },
	{ "len0_wnd0_after_nxt", 101, 0, 100, 0, false },
	{ "len0_wnd_at_nxt", 100, 0, 100, 10, true },
	{ "len0_wnd_last_in_window", 109, 0, 100, 10, true },
	{ "len0_wnd_at_right_edge", 110, 0, 100, 10, false },
	{ "len0_wnd_old", 99, 0, 100, 10, false },
	{ "len_wnd0_never", 100, 5, 100, 0, false },
	{ "len_wnd_inside", 102, 5, 100, 10, true },
	{ "len_wnd_overlaps_left", 95, 10, 100, 10, true },
	{ "len_wnd_overlaps_right", 108, 10, 100, 10, true },
	{ "len_wnd_entirely_old", 90, 10, 100, 10, false },
	{ "len_wnd_beyond", 110, 5, 100, 10, false },
	{ "wrap_inside", 0xfffffffcU, 8, 0xfffffff8U, 100, true },
	{ "wrap_data_across_zero", 2, 4, 0xfffffff0U, 0x20, true },
	{ "wrap_old_across_zero", 0xffffffe0U, 8, 2, 100, false },
};

static void accept_case_desc(const struct accept_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(accept, accept_cases, accept_case_desc);

static void seq_acceptable__table(struct kunit *test)
{
	const struct accept_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, xtcp_seq_acceptable(c->seq, c->len, c->rcv_nxt,
						  c->rcv_wnd), c->ok);
}

static struct kunit_case xtcp_seq_cases[] = {
	KUNIT_CASE(seq_lt__plain),
	KUNIT_CASE(seq_lt__wraparound),
	KUNIT_CASE(seq_between__wraparound),
	KUNIT_CASE_PARAM(seq_acceptable__table, accept_gen_params),
	{}
};

static struct kunit_suite xtcp_seq_suite = {
	.name = "xtcp_seq",
	.test_cases = xtcp_seq_cases,
};

/* ---- option parsing ---- */

static void parse_options__syn_like_linux(struct kunit *test)
{
	/* MSS 1460, SACK_PERM, TS, NOP, WS 7: Linux's SYN layout */
	static const u8 o[] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10,
				0, 0, 0, 1, 0, 0, 0, 2, 1, 3, 3, 7 };
	struct xtcp_opts p;

	KUNIT_ASSERT_EQ(test, xtcp_parse_options(o, sizeof(o), &p), 0);
	KUNIT_EXPECT_TRUE(test, p.have_mss);
	KUNIT_EXPECT_EQ(test, p.mss, 1460);
	KUNIT_EXPECT_TRUE(test, p.sack_ok);
	KUNIT_EXPECT_TRUE(test, p.have_ts);
	KUNIT_EXPECT_EQ(test, p.tsval, 1U);
	KUNIT_EXPECT_EQ(test, p.tsecr, 2U);
	KUNIT_EXPECT_TRUE(test, p.have_wscale);
	KUNIT_EXPECT_EQ(test, p.wscale, 7);
}

static void parse_options__empty_and_padding(struct kunit *test)
{
	static const u8 nops[] = { 1, 1, 1, 1 };
	static const u8 eol_then_junk[] = { 0, 0xff, 0x00, 0x17 };
	struct xtcp_opts p;

	KUNIT_EXPECT_EQ(test, xtcp_parse_options(nops, 0, &p), 0);
	KUNIT_EXPECT_FALSE(test, p.have_mss);
	KUNIT_EXPECT_EQ(test, xtcp_parse_options(nops, sizeof(nops), &p), 0);
	KUNIT_EXPECT_FALSE(test, p.have_mss || p.have_wscale || p.have_ts);
	/* nothing after End of Option List is read */
	KUNIT_EXPECT_EQ(test, xtcp_parse_options(eol_then_junk,
						 sizeof(eol_then_junk), &p), 0);
}

static void parse_options__malformed(struct kunit *test)
{
	static const u8 zero_len[] = { 2, 0, 1, 1 };
	static const u8 one_len[] = { 8, 1, 1, 1 };
	static const u8 overrun[] = { 8, 10, 0, 0, 0, 0, 0, 0 };
	static const u8 no_len_byte[] = { 1, 1, 1, 2 };
	static const u8 unknown_overrun[] = { 30, 5, 0, 0 };
	struct xtcp_opts p;

	KUNIT_EXPECT_EQ(test, xtcp_parse_options(zero_len, sizeof(zero_len), &p),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, xtcp_parse_options(one_len, sizeof(one_len), &p),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, xtcp_parse_options(overrun, sizeof(overrun), &p),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, xtcp_parse_options(no_len_byte,
						 sizeof(no_len_byte), &p),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, xtcp_parse_options(unknown_overrun,
						 sizeof(unknown_overrun), &p),
			-EINVAL);
}

static void parse_options__wrong_length_ignored(struct kunit *test)
{
	/* MSS with length 3 and WS with length 4 are skipped, not believed */
	static const u8 o[] = { 2, 3, 0x05, 3, 4, 9, 9, 1 };
	static const u8 unknown[] = { 30, 4, 0xaa, 0xbb, 2, 4, 0x02, 0x00 };
	struct xtcp_opts p;

	KUNIT_ASSERT_EQ(test, xtcp_parse_options(o, sizeof(o), &p), 0);
	KUNIT_EXPECT_FALSE(test, p.have_mss);
	KUNIT_EXPECT_FALSE(test, p.have_wscale);
	KUNIT_ASSERT_EQ(test, xtcp_parse_options(unknown, sizeof(unknown), &p), 0);
	KUNIT_EXPECT_TRUE(test, p.have_mss);
	KUNIT_EXPECT_EQ(test, p.mss, 512);
}

static void parse_options__wscale_clamped(struct kunit *test)
{
	static const u8 o[] = { 3, 3, 20, 1 };
	struct xtcp_opts p;

	KUNIT_ASSERT_EQ(test, xtcp_parse_options(o, sizeof(o), &p), 0);
	KUNIT_EXPECT_EQ(test, p.wscale, 14);	/* RFC 7323 2.3 */
}

static void build_options__syn_roundtrip(struct kunit *test)
{
	struct xtcp_out_opts o = { .mss = 65483, .wscale = 7 };
	u8 buf[40];
	struct xtcp_opts p;
	unsigned int n;

	n = xtcp_build_options(buf, &o);
	KUNIT_EXPECT_EQ(test, n % 4, 0U);
	KUNIT_ASSERT_EQ(test, xtcp_parse_options(buf, n, &p), 0);
	KUNIT_EXPECT_EQ(test, p.mss, 65483);
	KUNIT_EXPECT_TRUE(test, p.have_wscale);
	KUNIT_EXPECT_EQ(test, p.wscale, 7);

	o.wscale = -1;
	o.mss = 1460;
	n = xtcp_build_options(buf, &o);
	KUNIT_EXPECT_EQ(test, n, 4U);
	KUNIT_ASSERT_EQ(test, xtcp_parse_options(buf, n, &p), 0);
	KUNIT_EXPECT_FALSE(test, p.have_wscale);
}

/* Byte for byte the SYN options Linux sends: MSS, SACK_PERM, TS, NOP, WS. */
static void build_options__syn_linux_layout(struct kunit *test)
{
	static const u8 linux_syn[] = {
		2, 4, 0x05, 0xb4,		/* MSS 1460 */
		4, 2,				/* SACK permitted */
		8, 10, 1, 2, 3, 4, 0, 0, 0, 0,	/* TSval, TSecr 0 */
		1, 3, 3, 7,			/* NOP, window scale 7 */
	};
	static const u8 linux_syn_nots[] = {
		2, 4, 0x05, 0xb4, 1, 1, 4, 2, 1, 3, 3, 7,
	};
	static const u8 linux_syn_nosack[] = {
		2, 4, 0x05, 0xb4, 1, 1, 8, 10, 1, 2, 3, 4, 0, 0, 0, 0,
		1, 3, 3, 7,
	};
	struct xtcp_out_opts o = { .mss = 1460, .wscale = 7, .sack_ok = true,
				   .ts = true, .tsval = 0x01020304 };
	u8 buf[40];

	KUNIT_ASSERT_EQ(test, xtcp_build_options(buf, &o), sizeof(linux_syn));
	KUNIT_EXPECT_EQ(test, memcmp(buf, linux_syn, sizeof(linux_syn)), 0);
	o.ts = false;
	KUNIT_ASSERT_EQ(test, xtcp_build_options(buf, &o),
			sizeof(linux_syn_nots));
	KUNIT_EXPECT_EQ(test, memcmp(buf, linux_syn_nots, sizeof(linux_syn_nots)),
			0);
	o.ts = true;
	o.sack_ok = false;
	KUNIT_ASSERT_EQ(test, xtcp_build_options(buf, &o),
			sizeof(linux_syn_nosack));
	KUNIT_EXPECT_EQ(test, memcmp(buf, linux_syn_nosack,
				     sizeof(linux_syn_nosack)), 0);
}

/* Timestamps leave room for three SACK blocks, none for a fourth. */
static void build_options__sack_blocks_fit(struct kunit *test)
{
	struct xtcp_out_opts o = { .wscale = -1, .ts = true, .tsval = 7,
				   .tsecr = 9, .num_sacks = 4 };
	struct xtcp_opts p;
	u8 buf[40];
	unsigned int n, i;

	for (i = 0; i < 4; i++) {
		o.sacks[i].start = 0xfffff000U + 1000 * i;
		o.sacks[i].end = o.sacks[i].start + 500;
	}
	n = xtcp_build_options(buf, &o);
	KUNIT_EXPECT_EQ(test, n, 40U);
	KUNIT_ASSERT_EQ(test, xtcp_parse_options(buf, n, &p), 0);
	KUNIT_EXPECT_TRUE(test, p.have_ts);
	KUNIT_EXPECT_EQ(test, p.tsval, 7U);
	KUNIT_EXPECT_EQ(test, p.tsecr, 9U);
	KUNIT_ASSERT_EQ(test, p.num_sacks, 3);
	for (i = 0; i < 3; i++) {
		KUNIT_EXPECT_EQ(test, p.sacks[i].start, o.sacks[i].start);
		KUNIT_EXPECT_EQ(test, p.sacks[i].end, o.sacks[i].end);
	}
	o.ts = false;
	n = xtcp_build_options(buf, &o);
	KUNIT_EXPECT_EQ(test, n, 36U);
	KUNIT_ASSERT_EQ(test, xtcp_parse_options(buf, n, &p), 0);
	KUNIT_EXPECT_EQ(test, p.num_sacks, 4);
	KUNIT_EXPECT_FALSE(test, p.have_ts);
}

/* A SACK option whose length is not 2 + 8n is ignored, not misread. */
static void parse_options__bad_sack_length(struct kunit *test)
{
	static const u8 o[] = { 1, 1, 5, 11, 0, 0, 0, 1, 0, 0, 0, 2, 0 };
	struct xtcp_opts p;

	KUNIT_ASSERT_EQ(test, xtcp_parse_options(o, sizeof(o), &p), 0);
	KUNIT_EXPECT_EQ(test, p.num_sacks, 0);
}

/* RFC 7323 5.3 R1 and 5.5. */
static void paws__old_timestamps_rejected(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, xtcp_paws_reject(99, 100, 0));
	KUNIT_EXPECT_FALSE(test, xtcp_paws_reject(100, 100, 0));
	KUNIT_EXPECT_FALSE(test, xtcp_paws_reject(101, 100, 0));
	/* the timestamp clock wraps like sequence numbers */
	KUNIT_EXPECT_FALSE(test, xtcp_paws_reject(5, 0xfffffff0U, 0));
	KUNIT_EXPECT_TRUE(test, xtcp_paws_reject(0xfffffff0U, 5, 0));
	/* after 24 idle days TS.Recent is no longer trusted */
	KUNIT_EXPECT_TRUE(test, xtcp_paws_reject(99, 100, 24 * 24 * 3600));
	KUNIT_EXPECT_FALSE(test, xtcp_paws_reject(99, 100, 24 * 24 * 3600 + 1));
}

static struct kunit_case xtcp_options_cases[] = {
	KUNIT_CASE(parse_options__syn_like_linux),
	KUNIT_CASE(parse_options__empty_and_padding),
	KUNIT_CASE(parse_options__malformed),
	KUNIT_CASE(parse_options__wrong_length_ignored),
	KUNIT_CASE(parse_options__wscale_clamped),
	KUNIT_CASE(build_options__syn_roundtrip),
	KUNIT_CASE(build_options__syn_linux_layout),
	KUNIT_CASE(build_options__sack_blocks_fit),
	KUNIT_CASE(parse_options__bad_sack_length),
	KUNIT_CASE(paws__old_timestamps_rejected),
	{}
};

static struct kunit_suite xtcp_options_suite = {
	.name = "xtcp_options",
	.test_cases = xtcp_options_cases,
};

/* ---- state table: every cell against RFC 9293 figure 5 ---- */

struct cell {
	int state;
	enum xtcp_event ev;
	int next;
};

/* The expected transitions, written out independently of state.c. */
static const struct cell expected_cells[] = {
	{ XTCP_CLOSE, XTCP_EV_CONNECT, XTCP_SYN_SENT },
	{ XTCP_CLOSE, XTCP_EV_LISTEN, XTCP_LISTEN },
	{ XTCP_LISTEN, XTCP_EV_RCV_SYN, XTCP_SYN_RECV },
	{ XTCP_LISTEN, XTCP_EV_CLOSE, XTCP_CLOSE },
	{ XTCP_LISTEN, XTCP_EV_ABORT, XTCP_CLOSE },
	{ XTCP_SYN_SENT, XTCP_EV_RCV_SYN, XTCP_SYN_RECV },
	{ XTCP_SYN_SENT, XTCP_EV_RCV_SYNACK, XTCP_ESTABLISHED },
	{ XTCP_SYN_SENT, XTCP_EV_RCV_RST, XTCP_CLOSE },
	{ XTCP_SYN_SENT, XTCP_EV_CLOSE, XTCP_CLOSE },
	{ XTCP_SYN_SENT, XTCP_EV_TIMEOUT, XTCP_CLOSE },
	{ XTCP_SYN_SENT, XTCP_EV_ABORT, XTCP_CLOSE },
	{ XTCP_SYN_SENT, XTCP_EV_ICMP_ERR, XTCP_CLOSE },
	{ XTCP_SYN_RECV, XTCP_EV_RCV_ACK_SYN, XTCP_ESTABLISHED },
	{ XTCP_SYN_RECV, XTCP_EV_RCV_FIN, XTCP_CLOSE_WAIT },
	{ XTCP_SYN_RECV, XTCP_EV_CLOSE, XTCP_FIN_WAIT1 },
	{ XTCP_SYN_RECV, XTCP_EV_RCV_RST, XTCP_CLOSE },
	{ XTCP_SYN_RECV, XTCP_EV_TIMEOUT, XTCP_CLOSE },
	{ XTCP_SYN_RECV, XTCP_EV_ABORT, XTCP_CLOSE },
	{ XTCP_SYN_RECV, XTCP_EV_ICMP_ERR, XTCP_CLOSE },
	{ XTCP_ESTABLISHED, XTCP_EV_CLOSE, XTCP_FIN_WAIT1 },
	{ XTCP_ESTABLISHED, XTCP_EV_RCV_FIN, XTCP_CLOSE_WAIT },
	{ XTCP_ESTABLISHED, XTCP_EV_RCV_RST, XTCP_CLOSE },
	{ XTCP_ESTABLISHED, XTCP_EV_TIMEOUT, XTCP_CLOSE },
	{ XTCP_ESTABLISHED, XTCP_EV_ABORT, XTCP_CLOSE },
	{ XTCP_FIN_WAIT1, XTCP_EV_RCV_ACK_FIN, XTCP_FIN_WAIT2 },
	{ XTCP_FIN_WAIT1, XTCP_EV_RCV_FIN, XTCP_CLOSING },
	{ XTCP_FIN_WAIT1, XTCP_EV_RCV_RST, XTCP_CLOSE },
	{ XTCP_FIN_WAIT1, XTCP_EV_TIMEOUT, XTCP_CLOSE },
	{ XTCP_FIN_WAIT1, XTCP_EV_ABORT, XTCP_CLOSE },
	{ XTCP_FIN_WAIT2, XTCP_EV_RCV_FIN, XTCP_TIME_WAIT },
	{ XTCP_FIN_WAIT2, XTCP_EV_RCV_RST, XTCP_CLOSE },
	{ XTCP_FIN_WAIT2, XTCP_EV_TIMEOUT, XTCP_CLOSE },
	{ XTCP_FIN_WAIT2, XTCP_EV_ABORT, XTCP_CLOSE },
	{ XTCP_CLOSE_WAIT, XTCP_EV_CLOSE, XTCP_LAST_ACK },
	{ XTCP_CLOSE_WAIT, XTCP_EV_RCV_RST, XTCP_CLOSE },
	{ XTCP_CLOSE_WAIT, XTCP_EV_TIMEOUT, XTCP_CLOSE },
	{ XTCP_CLOSE_WAIT, XTCP_EV_ABORT, XTCP_CLOSE },
	{ XTCP_CLOSING, XTCP_EV_RCV_ACK_FIN, XTCP_TIME_WAIT },
	{ XTCP_CLOSING, XTCP_EV_RCV_RST, XTCP_CLOSE },
	{ XTCP_CLOSING, XTCP_EV_TIMEOUT, XTCP_CLOSE },
	{ XTCP_CLOSING, XTCP_EV_ABORT, XTCP_CLOSE },
	{ XTCP_LAST_ACK, XTCP_EV_RCV_ACK_FIN, XTCP_CLOSE },
	{ XTCP_LAST_ACK, XTCP_EV_RCV_RST, XTCP_CLOSE },
	{ XTCP_LAST_ACK, XTCP_EV_TIMEOUT, XTCP_CLOSE },
	{ XTCP_LAST_ACK, XTCP_EV_ABORT, XTCP_CLOSE },
	{ XTCP_TIME_WAIT, XTCP_EV_TIMEOUT, XTCP_CLOSE },
	{ XTCP_TIME_WAIT, XTCP_EV_ABORT, XTCP_CLOSE },
};

static int expected_next(int state, enum xtcp_event ev)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(expected_cells); i++)
		if (expected_cells[i].state == state &&
		    expected_cells[i].ev == ev)
			return expected_cells[i].next;
	return 0;
}

static void state_table__every_cell(struct kunit *test)
{
	int state, ev, cells = 0;

	for (state = XTCP_ESTABLISHED; state < XTCP_MAX_STATES; state++) {
		for (ev = 0; ev < XTCP_EV_MAX; ev++) {
			KUNIT_EXPECT_EQ_MSG(test, xtcp_next_state(state, ev),
					    expected_next(state, ev),
					    "state %s event %d",
					    xtcp_state_name(state), ev);
			cells++;
		}
	}
	KUNIT_EXPECT_EQ(test, cells, (XTCP_MAX_STATES - 1) * XTCP_EV_MAX);
}

static void state_table__out_of_range(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, xtcp_next_state(0, XTCP_EV_CONNECT), 0);
	KUNIT_EXPECT_EQ(test, xtcp_next_state(XTCP_MAX_STATES, XTCP_EV_CLOSE), 0);
	KUNIT_EXPECT_EQ(test, xtcp_next_state(-1, XTCP_EV_CLOSE), 0);
	KUNIT_EXPECT_EQ(test, xtcp_next_state(XTCP_CLOSE, XTCP_EV_MAX), 0);
}

static void state_table__every_state_can_close(struct kunit *test)
{
	int state;

	/* from every state but CLOSE an abort leads to CLOSE */
	for (state = XTCP_ESTABLISHED; state < XTCP_MAX_STATES; state++)
		if (state != XTCP_CLOSE)
			KUNIT_EXPECT_EQ(test, xtcp_next_state(state, XTCP_EV_ABORT),
					XTCP_CLOSE);
}

static void state_name__matches_proc_codes(struct kunit *test)
{
	/* numbers shared with Linux TCP and /proc/net/tcp */
	KUNIT_EXPECT_EQ(test, XTCP_ESTABLISHED, TCP_ESTABLISHED);
	KUNIT_EXPECT_EQ(test, XTCP_TIME_WAIT, TCP_TIME_WAIT);
	KUNIT_EXPECT_EQ(test, XTCP_LISTEN, TCP_LISTEN);
	KUNIT_EXPECT_EQ(test, XTCP_CLOSING, TCP_CLOSING);
	KUNIT_EXPECT_STREQ(test, xtcp_state_name(XTCP_FIN_WAIT2), "FIN_WAIT2");
	KUNIT_EXPECT_STREQ(test, xtcp_state_name(99), "UNKNOWN");
}

static struct kunit_case xtcp_state_cases[] = {
	KUNIT_CASE(state_table__every_cell),
	KUNIT_CASE(state_table__out_of_range),
	KUNIT_CASE(state_table__every_state_can_close),
	KUNIT_CASE(state_name__matches_proc_codes),
	{}
};

static struct kunit_suite xtcp_state_suite = {
	.name = "xtcp_state",
	.test_cases = xtcp_state_cases,
};

/* ---- ISN (RFC 6528) ---- */

static void isn__differs_per_tuple(struct kunit *test)
{
	__be32 a = htonl(0xc0000201), b = htonl(0xc0000202);
	u64 now = 1000000;
	u32 base = xtcp_isn(a, b, htons(1000), htons(80), now);

	KUNIT_EXPECT_EQ(test, xtcp_isn(a, b, htons(1000), htons(80), now), base);
	KUNIT_EXPECT_NE(test, xtcp_isn(a, b, htons(1001), htons(80), now), base);
	KUNIT_EXPECT_NE(test, xtcp_isn(b, a, htons(1000), htons(80), now), base);
	KUNIT_EXPECT_NE(test, xtcp_isn(a, b, htons(80), htons(1000), now), base);
}

static void isn__advances_with_time(struct kunit *test)
{
	__be32 a = htonl(0xc0000201), b = htonl(0xc0000202);
	u32 t0 = xtcp_isn(a, b, htons(1000), htons(80), 0);
	u32 t1 = xtcp_isn(a, b, htons(1000), htons(80), 64ULL * 1000);

	/* one tick every 64 ns: 1000 ticks later */
	KUNIT_EXPECT_EQ(test, t1 - t0, 1000U);
	KUNIT_EXPECT_TRUE(test, xtcp_seq_gt(t1, t0));
}

static struct kunit_case xtcp_isn_cases[] = {
	KUNIT_CASE(isn__differs_per_tuple),
	KUNIT_CASE(isn__advances_with_time),
	{}
};

static struct kunit_suite xtcp_isn_suite = {
	.name = "xtcp_isn",
	.test_cases = xtcp_isn_cases,
};

/* ---- RST, ACK and TIME_WAIT validation (RFC 5961, 9293, 1337) ---- */

static void rst__only_exact_sequence_resets(struct kunit *test)
{
	const u32 nxt = 0xfffffff0, wnd = 1000;	/* the window wraps */

	KUNIT_EXPECT_EQ(test, xtcp_rst_action(nxt, nxt, wnd), XTCP_RESET);
	KUNIT_EXPECT_EQ(test, xtcp_rst_action(nxt + 1, nxt, wnd),
			XTCP_CHALLENGE);
	KUNIT_EXPECT_EQ(test, xtcp_rst_action(nxt + 16, nxt, wnd),
			XTCP_CHALLENGE);	/* past 2^32, inside */
	KUNIT_EXPECT_EQ(test, xtcp_rst_action(nxt + wnd - 1, nxt, wnd),
			XTCP_CHALLENGE);
	KUNIT_EXPECT_EQ(test, xtcp_rst_action(nxt + wnd, nxt, wnd), XTCP_DROP);
	KUNIT_EXPECT_EQ(test, xtcp_rst_action(nxt - 1, nxt, wnd), XTCP_DROP);
	/* a zero window: only the exact number counts */
	KUNIT_EXPECT_EQ(test, xtcp_rst_action(nxt, nxt, 0), XTCP_RESET);
	KUNIT_EXPECT_EQ(test, xtcp_rst_action(nxt + 1, nxt, 0), XTCP_DROP);
}

static void ack__validation(struct kunit *test)
{
	const u32 una = 5000, max = 9000, mw = 2000;

	KUNIT_EXPECT_EQ(test, xtcp_ack_action(una, una, max, mw), XTCP_ACCEPT);
	KUNIT_EXPECT_EQ(test, xtcp_ack_action(max, una, max, mw), XTCP_ACCEPT);
	KUNIT_EXPECT_EQ(test, xtcp_ack_action(7000, una, max, mw),
			XTCP_ACCEPT);
	/* acknowledges what was never sent */
	KUNIT_EXPECT_EQ(test, xtcp_ack_action(max + 1, una, max, mw),
			XTCP_DROP_ACK);
	/* old duplicates within MAX.SND.WND are fine, older ones are not */
	KUNIT_EXPECT_EQ(test, xtcp_ack_action(una - mw, una, max, mw),
			XTCP_ACCEPT);
	KUNIT_EXPECT_EQ(test, xtcp_ack_action(una - mw - 1, una, max, mw),
			XTCP_CHALLENGE);
	/* across the wrap */
	KUNIT_EXPECT_EQ(test, xtcp_ack_action(5, 0xfffffff0, 10, mw),
			XTCP_ACCEPT);
	KUNIT_EXPECT_EQ(test, xtcp_ack_action(11, 0xfffffff0, 10, mw),
			XTCP_DROP_ACK);
}

static void time_wait__verdicts(struct kunit *test)
{
	const u32 nxt = 7001;	/* after the peer's FIN at 7000 */
	const u8 A = TCPHDR_ACK, F = TCPHDR_FIN, S = TCPHDR_SYN;
	const u8 R = TCPHDR_RST;

	/* the peer's FIN again: re-ACK and restart 2MSL */
	KUNIT_EXPECT_EQ(test, xtcp_tw_action(F | A, 7000, 7001, nxt),
			XTCP_TW_ACK_RESTART);
	/* the FIN again with its last data */
	KUNIT_EXPECT_EQ(test, xtcp_tw_action(F | A, 6900, 7001, nxt),
			XTCP_TW_ACK_RESTART);
	/* RFC 1337: RST never ends TIME_WAIT, whatever its number */
	KUNIT_EXPECT_EQ(test, xtcp_tw_action(R, nxt, nxt, nxt), XTCP_TW_DROP);
	KUNIT_EXPECT_EQ(test, xtcp_tw_action(R | A, nxt, nxt, nxt),
			XTCP_TW_DROP);
	/* a new SYN above RCV.NXT reuses the 4-tuple, others do not */
	KUNIT_EXPECT_EQ(test, xtcp_tw_action(S, nxt + 1, nxt + 2, nxt),
			XTCP_TW_SYN);
	KUNIT_EXPECT_EQ(test, xtcp_tw_action(S, nxt + 0x7fffffff,
					     nxt + 0x80000000, nxt),
			XTCP_TW_SYN);
	KUNIT_EXPECT_EQ(test, xtcp_tw_action(S, nxt, nxt + 1, nxt),
			XTCP_TW_ACK);
	KUNIT_EXPECT_EQ(test, xtcp_tw_action(S, nxt - 100, nxt - 99, nxt),
			XTCP_TW_ACK);
	KUNIT_EXPECT_EQ(test, xtcp_tw_action(S | A, nxt + 1, nxt + 2, nxt),
			XTCP_TW_ACK);
	/* a bare ACK at RCV.NXT is acceptable and needs no answer */
	KUNIT_EXPECT_EQ(test, xtcp_tw_action(A, nxt, nxt, nxt), XTCP_TW_DROP);
	/* data, or an old ACK: unacceptable, answered with an ACK */
	KUNIT_EXPECT_EQ(test, xtcp_tw_action(A, nxt, nxt + 10, nxt),
			XTCP_TW_ACK);
	KUNIT_EXPECT_EQ(test, xtcp_tw_action(A, nxt - 5, nxt - 5, nxt),
			XTCP_TW_ACK);
}

static struct kunit_case xtcp_validate_cases[] = {
	KUNIT_CASE(rst__only_exact_sequence_resets),
	KUNIT_CASE(ack__validation),
	KUNIT_CASE(time_wait__verdicts),
	{}
};

static struct kunit_suite xtcp_validate_suite = {
	.name = "xtcp_validate",
	.test_cases = xtcp_validate_cases,
};

/* ---- RTO estimator (RFC 6298) ---- */

static void rto__initial_one_second(struct kunit *test)
{
	struct xtcp_rtt r;

	xtcp_rtt_init(&r);
	KUNIT_EXPECT_EQ(test, r.srtt_us, 0U);
	KUNIT_EXPECT_EQ(test, r.rto_us, 1000000U);
}

static void rto__first_and_later_samples(struct kunit *test)
{
	struct xtcp_rtt r;

	xtcp_rtt_init(&r);
	/* 2.2: SRTT = R, RTTVAR = R/2, RTO = SRTT + max(G, 4 RTTVAR) */
	xtcp_rtt_sample(&r, 100000);
	KUNIT_EXPECT_EQ(test, r.srtt_us, 100000U);
	KUNIT_EXPECT_EQ(test, r.rttvar_us, 50000U);
	KUNIT_EXPECT_EQ(test, r.rto_us, 300000U);
	/*
	 * 2.3: the same R again: RTTVAR shrinks by a quarter; 4 RTTVAR is
	 * 150 ms, under G (200 ms, Linux's tcp_rto_min)
	 */
	xtcp_rtt_sample(&r, 100000);
	KUNIT_EXPECT_EQ(test, r.srtt_us, 100000U);
	KUNIT_EXPECT_EQ(test, r.rttvar_us, 37500U);
	KUNIT_EXPECT_EQ(test, r.rto_us, 300000U);
	/* R = 180 ms: RTTVAR = 3/4 37500 + 1/4 80000, SRTT += 80000 / 8 */
	xtcp_rtt_sample(&r, 180000);
	KUNIT_EXPECT_EQ(test, r.rttvar_us, 48125U);
	KUNIT_EXPECT_EQ(test, r.srtt_us, 110000U);
	KUNIT_EXPECT_EQ(test, r.rto_us, 110000U + 200000U);
	/* R = 500 ms: 4 RTTVAR = 4 (3/4 48125 + 1/4 390000) is above G */
	xtcp_rtt_sample(&r, 500000);
	KUNIT_EXPECT_EQ(test, r.rttvar_us, 36094U + 97500U);
	KUNIT_EXPECT_EQ(test, r.srtt_us, 158750U);
	KUNIT_EXPECT_EQ(test, r.rto_us, 158750U + 4 * 133594U);
}

static void rto__never_within_g_of_srtt(struct kunit *test)
{
	struct xtcp_rtt r;
	u32 rtt;
	int i;

	/* steady paths of every length: RTO = SRTT + 200 ms once settled */
	for (rtt = 1; rtt <= 2000000; rtt *= 10) {
		xtcp_rtt_init(&r);
		for (i = 0; i < 100; i++)
			xtcp_rtt_sample(&r, rtt);
		KUNIT_EXPECT_EQ(test, r.srtt_us, rtt);
		KUNIT_EXPECT_EQ(test, r.rto_us, rtt + 200000U);
	}
}

static void rto__clamped(struct kunit *test)
{
	struct xtcp_rtt r;
	int i;

	xtcp_rtt_init(&r);
	for (i = 0; i < 50; i++)
		xtcp_rtt_sample(&r, 1000);	/* 1 ms, steady */
	KUNIT_EXPECT_EQ(test, r.rto_us, 201000U);	/* SRTT + G */
	KUNIT_EXPECT_LE(test, r.srtt_us, 1000U);
	xtcp_rtt_init(&r);
	xtcp_rtt_sample(&r, 0);			/* counted as 1 us */
	KUNIT_EXPECT_EQ(test, r.srtt_us, 1U);
	xtcp_rtt_init(&r);
	xtcp_rtt_sample(&r, 200000000);		/* 200 s */
	KUNIT_EXPECT_EQ(test, r.rto_us, 120000000U);
}

static void rto__backoff_doubles_up_to_120s(struct kunit *test)
{
	u32 rto = 1000000;
	int i;

	for (i = 0; i < 6; i++)
		rto = xtcp_rto_backoff(rto);
	KUNIT_EXPECT_EQ(test, rto, 64000000U);
	rto = xtcp_rto_backoff(rto);
	KUNIT_EXPECT_EQ(test, rto, 120000000U);
	KUNIT_EXPECT_EQ(test, xtcp_rto_backoff(120000000U), 120000000U);
	KUNIT_EXPECT_EQ(test, xtcp_rto_backoff(200000U), 400000U);
	KUNIT_EXPECT_EQ(test, xtcp_rto_backoff(U32_MAX), 120000000U);
}

static struct kunit_case xtcp_rto_cases[] = {
	KUNIT_CASE(rto__initial_one_second),
	KUNIT_CASE(rto__first_and_later_samples),
	KUNIT_CASE(rto__never_within_g_of_srtt),
	KUNIT_CASE(rto__clamped),
	KUNIT_CASE(rto__backoff_doubles_up_to_120s),
	{}
};

static struct kunit_suite xtcp_rto_suite = {
	.name = "xtcp_rto",
	.test_cases = xtcp_rto_cases,
};

/* ---- congestion control: NewReno (RFC 5681) and CUBIC (RFC 9438) ---- */

static void cong__newreno_slow_start_and_avoidance(struct kunit *test)
{
	const struct xtcp_cong_ops *ops = &xtcp_newreno;
	struct xtcp_cc cc;
	int i;

	xtcp_cc_init(&cc);
	ops->init(&cc);
	KUNIT_EXPECT_EQ(test, cc.cwnd, 10U);	/* RFC 6928 */
	ops->cong_avoid(&cc, 10, 0, 0);		/* one RTT of ACKs doubles */
	KUNIT_EXPECT_EQ(test, cc.cwnd, 20U);
	cc.ssthresh = ops->ssthresh(&cc);	/* a loss: half */
	KUNIT_EXPECT_EQ(test, cc.ssthresh, 10U);
	cc.cwnd = cc.ssthresh;
	for (i = 0; i < 10; i++)		/* one window of ACKs: +1 */
		ops->cong_avoid(&cc, 1, 0, 0);
	KUNIT_EXPECT_EQ(test, cc.cwnd, 11U);
	for (i = 0; i < 10; i++)
		ops->cong_avoid(&cc, 1, 0, 0);
	KUNIT_EXPECT_EQ(test, cc.cwnd, 11U);	/* 11 ACKs needed now */
	ops->cong_avoid(&cc, 1, 0, 0);
	KUNIT_EXPECT_EQ(test, cc.cwnd, 12U);
	cc.cwnd = 3;
	KUNIT_EXPECT_EQ(test, ops->ssthresh(&cc), 2U);	/* never below 2 */
}

/* Slow start stops at ssthresh; the rest of the ACK counts toward CA. */
static void cong__slow_start_stops_at_ssthresh(struct kunit *test)
{
	struct xtcp_cc cc;

	xtcp_cc_init(&cc);
	cc.cwnd = 8;
	cc.ssthresh = 10;
	KUNIT_EXPECT_EQ(test, xtcp_slow_start(&cc, 5), 3U);
	KUNIT_EXPECT_EQ(test, cc.cwnd, 10U);
	xtcp_newreno.cong_avoid(&cc, 0, 0, 0);
	cc.cwnd = 8;
	cc.cwnd_cnt = 0;
	xtcp_newreno.cong_avoid(&cc, 5, 0, 0);
	KUNIT_EXPECT_EQ(test, cc.cwnd, 10U);
	KUNIT_EXPECT_EQ(test, cc.cwnd_cnt, 3U);
}

static void cong__cbrt(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, xtcp_cbrt(0), 0U);
	KUNIT_EXPECT_EQ(test, xtcp_cbrt(7), 1U);
	KUNIT_EXPECT_EQ(test, xtcp_cbrt(8), 2U);
	KUNIT_EXPECT_EQ(test, xtcp_cbrt(26), 2U);
	KUNIT_EXPECT_EQ(test, xtcp_cbrt(27), 3U);
	KUNIT_EXPECT_EQ(test, xtcp_cbrt(1000000000000000000ULL), 1000000U);
	KUNIT_EXPECT_EQ(test, xtcp_cbrt(U64_MAX), 2642245U);
}

/* RFC 9438 4.6 and 4.7: beta 0.7, and fast convergence. */
static void cong__cubic_reduction(struct kunit *test)
{
	const struct xtcp_cong_ops *ops = &xtcp_cubic;
	struct xtcp_cc cc;

	xtcp_cc_init(&cc);
	ops->init(&cc);
	cc.cwnd = 100;
	KUNIT_EXPECT_EQ(test, ops->ssthresh(&cc), 70U);
	KUNIT_EXPECT_EQ(test, cc.w_max, 100U);
	/* a second loss below the last W_max: W_max = cwnd (1 + beta) / 2 */
	cc.cwnd = 80;
	KUNIT_EXPECT_EQ(test, ops->ssthresh(&cc), 56U);
	KUNIT_EXPECT_EQ(test, cc.w_max, 68U);
	KUNIT_EXPECT_PTR_EQ(test, xtcp_cong_find("cubic"), &xtcp_cubic);
	KUNIT_EXPECT_PTR_EQ(test, xtcp_cong_find("reno"), &xtcp_newreno);
	KUNIT_EXPECT_PTR_EQ(test, xtcp_cong_find("newreno"), &xtcp_newreno);
	KUNIT_EXPECT_NULL(test, xtcp_cong_find("bbr"));
}

/* W_cubic(t) = C (t - K)^3 + W_max, C = 0.4, in ms here. */
static void cong__cubic_function(struct kunit *test)
{
	/* W_max 100 after a cut to 70: K = cbrt(30 / 0.4) s = 4.217 s */
	u32 k = xtcp_cbrt(30ULL * 2500000000ULL);

	KUNIT_EXPECT_EQ(test, k, 4217U);
	/* 0.4 * 4.217^3 = 29.99, rounded down: 71 */
	KUNIT_EXPECT_EQ(test, xtcp_cubic_target(100, k, 0), 71U);
	KUNIT_EXPECT_EQ(test, xtcp_cubic_target(100, k, k), 100U);
	/* 10 s past K: 100 + 0.4 * 1000 */
	KUNIT_EXPECT_EQ(test, xtcp_cubic_target(100, k, k + 10000), 500U);
	/* far below the origin the function does not go under 1 */
	KUNIT_EXPECT_EQ(test, xtcp_cubic_target(10, 100000, 0), 1U);
}

/*
 * Driven by one window of ACKs per 100 ms round trip after a loss at 100
 * segments, CUBIC climbs back to W_max in about K = 4.2 s, fast at first
 * and slowly near the plateau (concave), then probes beyond it (convex).
 */
static void cong__cubic_recovers_to_wmax(struct kunit *test)
{
	const struct xtcp_cong_ops *ops = &xtcp_cubic;
	u32 now = 1000, first_s, at_k, after;
	struct xtcp_cc cc;
	int rtt;

	xtcp_cc_init(&cc);
	ops->init(&cc);
	cc.cwnd = 100;
	cc.ssthresh = ops->ssthresh(&cc);
	cc.cwnd = cc.ssthresh;
	for (rtt = 0; rtt < 10; rtt++, now += 100)
		ops->cong_avoid(&cc, cc.cwnd, now, 100000);
	first_s = cc.cwnd - 70;
	for (; rtt < 42; rtt++, now += 100)
		ops->cong_avoid(&cc, cc.cwnd, now, 100000);
	at_k = cc.cwnd;
	KUNIT_EXPECT_GE(test, at_k, 95U);
	KUNIT_EXPECT_LE(test, at_k, 105U);
	/* concave: the first second won more than the last one before K */
	KUNIT_EXPECT_GT(test, first_s, 10U);
	for (; rtt < 82; rtt++, now += 100)
		ops->cong_avoid(&cc, cc.cwnd, now, 100000);
	after = cc.cwnd;
	KUNIT_EXPECT_GT(test, after, at_k + 20);	/* 0.4 * 4^3 = 25.6 */
}

static struct kunit_case xtcp_cong_cases[] = {
	KUNIT_CASE(cong__newreno_slow_start_and_avoidance),
	KUNIT_CASE(cong__slow_start_stops_at_ssthresh),
	KUNIT_CASE(cong__cbrt),
	KUNIT_CASE(cong__cubic_reduction),
	KUNIT_CASE(cong__cubic_function),
	KUNIT_CASE(cong__cubic_recovers_to_wmax),
	{}
};

static struct kunit_suite xtcp_cong_suite = {
	.name = "xtcp_cong",
	.test_cases = xtcp_cong_cases,
};

/* ---- the SACK scoreboard (RFC 2018, RFC 2883, RFC 6675) ---- */

/* Queue a sent segment [seq, seq + len) with real payload in a page. */
static struct sk_buff *sb_seg(struct kunit *test, struct sk_buff_head *q,
			      u32 seq, u32 len)
{
	struct sk_buff *skb = xtcp_alloc_tx_skb(NULL, GFP_KERNEL);
	struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);

	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_ASSERT_NOT_NULL(test, page);
	skb_fill_page_desc(skb, 0, page, 0, len);
	skb->len += len;
	skb->data_len += len;
	skb->truesize += len;
	XTCP_SKB_CB(skb)->seq = seq;
	XTCP_SKB_CB(skb)->end_seq = seq + len;
	XTCP_SKB_CB(skb)->tx_ns = 1;
	__skb_queue_tail(q, skb);
	return skb;
}

/* Segments of 1000 bytes from 0xfffff000 on: the space wraps inside. */
#define SB_BASE 0xfffff000U

static void sb_fill(struct kunit *test, struct sk_buff_head *q, int n, u32 len)
{
	int i;

	__skb_queue_head_init(q);
	for (i = 0; i < n; i++)
		sb_seg(test, q, SB_BASE + i * len, len);
}

static void sack__tags_whole_segments(struct kunit *test)
{
	struct xtcp_scoreboard sb = {};
	struct xtcp_sack_block b = { SB_BASE + 4000, SB_BASE + 8000 };
	struct sk_buff_head q;
	struct sk_buff *skb;
	bool dsack;

	sb_fill(test, &q, 3, 4000);
	KUNIT_EXPECT_EQ(test, xtcp_sacktag(NULL, &q, SB_BASE, SB_BASE,
					   SB_BASE + 12000, &b, 1, &sb, &dsack),
			4000U);
	KUNIT_EXPECT_FALSE(test, dsack);
	KUNIT_EXPECT_EQ(test, sb.sacked_out, 4000U);
	KUNIT_EXPECT_EQ(test, sb.highest_sack, SB_BASE + 8000);
	skb = skb_peek(&q)->next;
	KUNIT_EXPECT_EQ(test, XTCP_SKB_CB(skb)->sacked, XTCP_TAG_SACKED);
	/* the same block again tags nothing new */
	KUNIT_EXPECT_EQ(test, xtcp_sacktag(NULL, &q, SB_BASE, SB_BASE,
					   SB_BASE + 12000, &b, 1, &sb, &dsack),
			0U);
	__skb_queue_purge(&q);
}

static void sack__splits_at_block_edges(struct kunit *test)
{
	struct xtcp_scoreboard sb = {};
	struct xtcp_sack_block b = { SB_BASE + 1000, SB_BASE + 3000 };
	struct sk_buff_head q;
	struct sk_buff *skb;
	bool dsack;
	u32 want[][3] = {	/* seq, len, tags */
		{ SB_BASE, 1000, 0 },
		{ SB_BASE + 1000, 2000, XTCP_TAG_SACKED },
		{ SB_BASE + 3000, 1000, 0 },
		{ SB_BASE + 4000, 4000, 0 },
	};
	int i = 0;

	sb_fill(test, &q, 2, 4000);
	KUNIT_EXPECT_EQ(test, xtcp_sacktag(NULL, &q, SB_BASE, SB_BASE,
					   SB_BASE + 8000, &b, 1, &sb, &dsack),
			2000U);
	KUNIT_ASSERT_EQ(test, skb_queue_len(&q), 4U);
	skb_queue_walk(&q, skb) {
		KUNIT_EXPECT_EQ(test, XTCP_SKB_CB(skb)->seq, want[i][0]);
		KUNIT_EXPECT_EQ(test, skb->len, want[i][1]);
		KUNIT_EXPECT_EQ(test, XTCP_SKB_CB(skb)->end_seq,
				want[i][0] + want[i][1]);
		KUNIT_EXPECT_EQ(test, (u32)XTCP_SKB_CB(skb)->sacked, want[i][2]);
		i++;
	}
	__skb_queue_purge(&q);
}

/* RFC 2883 D-SACK, and blocks no receiver can honestly send. */
static void sack__dsack_and_bogus_blocks(struct kunit *test)
{
	struct xtcp_scoreboard sb = {};
	struct xtcp_sack_block below[] = {
		{ SB_BASE - 1000, SB_BASE },		/* D-SACK: below ACK */
		{ SB_BASE + 2000, SB_BASE + 3000 },
	};
	struct xtcp_sack_block inside[] = {
		{ SB_BASE + 5000, SB_BASE + 6000 },	/* D-SACK: in block 2 */
		{ SB_BASE + 4000, SB_BASE + 7000 },
	};
	struct xtcp_sack_block bogus[] = {
		{ SB_BASE + 9000, SB_BASE + 20000 },	/* past SND.MAX */
		{ SB_BASE + 3000, SB_BASE + 3000 },	/* empty */
		{ SB_BASE + 1000, SB_BASE },		/* reversed */
	};
	struct sk_buff_head q;
	bool dsack;

	sb_fill(test, &q, 10, 1000);
	KUNIT_EXPECT_EQ(test, xtcp_sacktag(NULL, &q, SB_BASE, SB_BASE,
					   SB_BASE + 10000, below, 2, &sb,
					   &dsack), 1000U);
	KUNIT_EXPECT_TRUE(test, dsack);
	KUNIT_EXPECT_EQ(test, xtcp_sacktag(NULL, &q, SB_BASE, SB_BASE,
					   SB_BASE + 10000, inside, 2, &sb,
					   &dsack), 3000U);
	KUNIT_EXPECT_TRUE(test, dsack);
	KUNIT_EXPECT_EQ(test, xtcp_sacktag(NULL, &q, SB_BASE, SB_BASE,
					   SB_BASE + 10000, bogus, 3, &sb,
					   &dsack), 0U);
	KUNIT_EXPECT_FALSE(test, dsack);
	KUNIT_EXPECT_EQ(test, sb.sacked_out, 4000U);
	__skb_queue_purge(&q);
}

/* RFC 6675 IsLost: more than 2 MSS SACKed above a hole. */
static void sack__isloss_needs_dupthresh(struct kunit *test)
{
	struct xtcp_scoreboard sb = {};
	struct xtcp_sack_block b = { SB_BASE + 3000, SB_BASE + 5000 };
	struct sk_buff_head q;
	struct sk_buff *skb;
	bool dsack;

	sb_fill(test, &q, 10, 1000);
	xtcp_sacktag(NULL, &q, SB_BASE, SB_BASE, SB_BASE + 10000, &b, 1, &sb,
		     &dsack);
	KUNIT_EXPECT_EQ(test, xtcp_mark_lost(&q, SB_BASE + 10000, &sb, 2000),
			0U);	/* two segments above: not yet */
	b.start = SB_BASE + 5000;
	b.end = SB_BASE + 6000;
	xtcp_sacktag(NULL, &q, SB_BASE, SB_BASE, SB_BASE + 10000, &b, 1, &sb,
		     &dsack);
	KUNIT_EXPECT_EQ(test, xtcp_mark_lost(&q, SB_BASE + 10000, &sb, 2000),
			3000U);	/* three: the hole below is lost */
	KUNIT_EXPECT_EQ(test, sb.lost_out, 3000U);
	skb_queue_walk(&q, skb) {
		u32 seq = XTCP_SKB_CB(skb)->seq;

		if (xtcp_seq_lt(seq, SB_BASE + 3000))
			KUNIT_EXPECT_EQ(test, XTCP_SKB_CB(skb)->sacked,
					XTCP_TAG_LOST);
		else if (xtcp_seq_geq(seq, SB_BASE + 6000))
			KUNIT_EXPECT_EQ(test, XTCP_SKB_CB(skb)->sacked, 0);
	}
	/* the ACK of the first two drops them from every sum */
	while ((skb = skb_peek(&q)) &&
	       xtcp_seq_leq(XTCP_SKB_CB(skb)->end_seq, SB_BASE + 2000)) {
		xtcp_untag(&sb, skb);
		__skb_unlink(skb, &q);
		kfree_skb(skb);
	}
	KUNIT_EXPECT_EQ(test, sb.lost_out, 1000U);
	KUNIT_EXPECT_EQ(test, sb.sacked_out, 3000U);
	__skb_queue_purge(&q);
}

/*
 * RACK's time rule: 10 segments sent 1 ms apart; 0-1 acknowledged earlier,
 * 2-6 outstanding (6 resent late), 7 SACKed, 8 lost and not yet resent, 9
 * outstanding and sent after the delivered one.
 */
static void rack__marks_what_later_deliveries_overtook(struct kunit *test)
{
	struct xtcp_scoreboard sb = {};
	struct sk_buff_head q;
	struct sk_buff *skb, *seg[10];
	static const u8 want[10] = {
		[2 ... 6] = XTCP_TAG_LOST,
		[7] = XTCP_TAG_SACKED,
		[8] = XTCP_TAG_LOST,
		[9] = 0,	/* at send_head: never looked at */
	};
	u32 resent;
	int i = 0;

	sb_fill(test, &q, 10, 1000);
	skb_queue_walk(&q, skb) {
		XTCP_SKB_CB(skb)->tx_ns = (i + 1) * NSEC_PER_MSEC;
		seg[i++] = skb;
	}
	xtcp_untag(&sb, seg[0]);
	xtcp_untag(&sb, seg[1]);
	__skb_unlink(seg[0], &q);
	__skb_unlink(seg[1], &q);
	kfree_skb(seg[0]);
	kfree_skb(seg[1]);
	XTCP_SKB_CB(seg[6])->tx_ns = 20 * NSEC_PER_MSEC;	/* a late resend */
	XTCP_SKB_CB(seg[6])->sacked = XTCP_TAG_LOST | XTCP_TAG_RETRANS;
	sb.lost_out = 1000;
	sb.retrans_out = 1000;
	XTCP_SKB_CB(seg[7])->sacked = XTCP_TAG_SACKED;
	XTCP_SKB_CB(seg[8])->sacked = XTCP_TAG_LOST;
	sb.sacked_out = 1000;
	sb.lost_out += 1000;
	sb.delivered_ns = 8 * NSEC_PER_MSEC;	/* segment 7's send time */

	/* a window of 3 ms: segments sent before 5 ms are lost (2, 3) */
	KUNIT_EXPECT_EQ(test, xtcp_rack_mark_lost(&q, NULL, &sb,
						  3 * NSEC_PER_MSEC, &resent),
			2000U);
	KUNIT_EXPECT_EQ(test, resent, 0U);
	KUNIT_EXPECT_EQ(test, sb.lost_out, 4000U);
	/* nothing new without a later delivery */
	KUNIT_EXPECT_EQ(test, xtcp_rack_mark_lost(&q, NULL, &sb,
						  3 * NSEC_PER_MSEC, &resent),
			0U);
	/* a delivery at 30 ms: 4, 5 (first sent) and 6 (resent at 20 ms) */
	sb.delivered_ns = 30 * NSEC_PER_MSEC;
	KUNIT_EXPECT_EQ(test, xtcp_rack_mark_lost(&q, seg[9], &sb,
						  3 * NSEC_PER_MSEC, &resent),
			3000U);
	KUNIT_EXPECT_EQ(test, resent, 1000U);
	KUNIT_EXPECT_EQ(test, sb.retrans_out, 0U);
	KUNIT_EXPECT_EQ(test, sb.lost_out, 6000U);
	for (i = 2; i < 10; i++)
		KUNIT_EXPECT_EQ_MSG(test, (u32)XTCP_SKB_CB(seg[i])->sacked,
				    (u32)want[i], "segment %d", i);
	__skb_queue_purge(&q);
}

static void rack__reo_wnd(struct kunit *test)
{
	/* a quarter of SRTT per step, up to SRTT, at least 1 ms */
	KUNIT_EXPECT_EQ(test, xtcp_rack_reo_wnd_ns(100000, 0), 25000000ULL);
	KUNIT_EXPECT_EQ(test, xtcp_rack_reo_wnd_ns(100000, 1), 25000000ULL);
	KUNIT_EXPECT_EQ(test, xtcp_rack_reo_wnd_ns(100000, 3), 75000000ULL);
	KUNIT_EXPECT_EQ(test, xtcp_rack_reo_wnd_ns(100000, 9), 100000000ULL);
	KUNIT_EXPECT_EQ(test, xtcp_rack_reo_wnd_ns(400, 1), 1000000ULL);
	KUNIT_EXPECT_EQ(test, xtcp_rack_reo_wnd_ns(0, 1), 1000000ULL);
}

static void rack__dsack_widens_once_per_round(struct kunit *test)
{
	struct xtcp_scoreboard sb = {};
	int i;

	xtcp_rack_dsack(&sb, 1000, 5000, false);
	KUNIT_EXPECT_EQ(test, (u32)sb.reo_wnd_steps, 0U);
	xtcp_rack_dsack(&sb, 1000, 5000, true);
	KUNIT_EXPECT_EQ(test, (u32)sb.reo_wnd_steps, 2U);
	KUNIT_EXPECT_EQ(test, sb.dsack_round, 5000U);
	/* more D-SACKs in the same round trip change nothing */
	xtcp_rack_dsack(&sb, 4999, 9000, true);
	KUNIT_EXPECT_EQ(test, (u32)sb.reo_wnd_steps, 2U);
	/* the round is over once SND.UNA reaches its end */
	xtcp_rack_dsack(&sb, 5000, 9000, true);
	KUNIT_EXPECT_EQ(test, (u32)sb.reo_wnd_steps, 3U);
	KUNIT_EXPECT_EQ(test, sb.dsack_round, 9000U);
	xtcp_rack_dsack(&sb, 9000, 12000, true);
	xtcp_rack_dsack(&sb, 12000, 15000, true);
	KUNIT_EXPECT_EQ(test, (u32)sb.reo_wnd_steps, XTCP_RACK_MAX_STEPS);
	/* 16 recoveries without a D-SACK shrink it back */
	for (i = 0; i < XTCP_RACK_PERSIST - 1; i++)
		xtcp_rack_recovered(&sb);
	KUNIT_EXPECT_EQ(test, (u32)sb.reo_wnd_steps, XTCP_RACK_MAX_STEPS);
	xtcp_rack_recovered(&sb);
	KUNIT_EXPECT_EQ(test, (u32)sb.reo_wnd_steps, 1U);
	xtcp_rack_recovered(&sb);
	KUNIT_EXPECT_EQ(test, (u32)sb.reo_wnd_steps, 1U);
}

/* A partly acknowledged tagged segment is cut back to what is left. */
static void sack__trim_head(struct kunit *test)
{
	struct xtcp_scoreboard sb = { .lost_out = 4000 };
	struct sk_buff_head q;
	struct sk_buff *skb;

	sb_fill(test, &q, 1, 4000);
	skb = skb_peek(&q);
	XTCP_SKB_CB(skb)->sacked = XTCP_TAG_LOST;
	KUNIT_ASSERT_EQ(test, xtcp_trim_head(NULL, &sb, skb, SB_BASE + 1500), 0);
	KUNIT_EXPECT_EQ(test, XTCP_SKB_CB(skb)->seq, SB_BASE + 1500);
	KUNIT_EXPECT_EQ(test, skb->len, 2500U);
	KUNIT_EXPECT_EQ(test, skb_frag_off(&skb_shinfo(skb)->frags[0]), 1500U);
	KUNIT_EXPECT_EQ(test, sb.lost_out, 2500U);
	__skb_queue_purge(&q);
}

static struct kunit_case xtcp_sack_cases[] = {
	KUNIT_CASE(sack__tags_whole_segments),
	KUNIT_CASE(sack__splits_at_block_edges),
	KUNIT_CASE(sack__dsack_and_bogus_blocks),
	KUNIT_CASE(sack__isloss_needs_dupthresh),
	KUNIT_CASE(rack__marks_what_later_deliveries_overtook),
	KUNIT_CASE(rack__reo_wnd),
	KUNIT_CASE(rack__dsack_widens_once_per_round),
	KUNIT_CASE(sack__trim_head),
	{}
};

static struct kunit_suite xtcp_sack_suite = {
	.name = "xtcp_sack",
	.test_cases = xtcp_sack_cases,
};

/* ---- SYN cookies and listen queue limits ---- */

static const siphash_key_t cookie_key[2] = {
	{ { 0x0123456789abcdefULL, 0xfedcba9876543210ULL } },
	{ { 0x0f1e2d3c4b5a6978ULL, 0x8796a5b4c3d2e1f0ULL } },
};

#define C_SADDR	cpu_to_be32(0x0a000002)	/* 10.0.0.2, the client */
#define C_DADDR	cpu_to_be32(0x0a000001)
#define C_SPORT	cpu_to_be16(40000)
#define C_DPORT	cpu_to_be16(80)

static void cookie__round_trip(struct kunit *test)
{
	u32 count = 28000000, data, sseq, c;

	/* every MSS index, and client ISNs either side of the 2^32 wrap */
	for (data = 0; data < 8; data++) {
		sseq = 0xfffffff0U + data * 7;
		c = xtcp_cookie_make(cookie_key, C_SADDR, C_DADDR, C_SPORT,
				     C_DPORT, sseq, count, data);
		KUNIT_EXPECT_EQ(test, xtcp_cookie_check(cookie_key, C_SADDR,
							C_DADDR, C_SPORT,
							C_DPORT, sseq, c,
							count), (int)data);
		/* still good one tick (minute) later */
		KUNIT_EXPECT_EQ(test, xtcp_cookie_check(cookie_key, C_SADDR,
							C_DADDR, C_SPORT,
							C_DPORT, sseq, c,
							count + 1), (int)data);
	}
	/* the counter wraps in the cookie's top 8 bits */
	c = xtcp_cookie_make(cookie_key, C_SADDR, C_DADDR, C_SPORT, C_DPORT,
			     7, 0xff, 3);
	KUNIT_EXPECT_EQ(test, xtcp_cookie_check(cookie_key, C_SADDR, C_DADDR,
						C_SPORT, C_DPORT, 7, c, 0x100),
			3);
}

static void cookie__stale_and_future(struct kunit *test)
{
	u32 count = 1000, c;

	c = xtcp_cookie_make(cookie_key, C_SADDR, C_DADDR, C_SPORT, C_DPORT,
			     12345, count, 2);
	/* two ticks old: stale */
	KUNIT_EXPECT_EQ(test, xtcp_cookie_check(cookie_key, C_SADDR, C_DADDR,
						C_SPORT, C_DPORT, 12345, c,
						count + 2), -1);
	KUNIT_EXPECT_EQ(test, xtcp_cookie_check(cookie_key, C_SADDR, C_DADDR,
						C_SPORT, C_DPORT, 12345, c,
						count + 100), -1);
	/* made in the future (a tick ahead of now) */
	KUNIT_EXPECT_EQ(test, xtcp_cookie_check(cookie_key, C_SADDR, C_DADDR,
						C_SPORT, C_DPORT, 12345, c,
						count - 1), -1);
}

static void cookie__wrong_tuple_isn_or_key(struct kunit *test)
{
	u32 count = 5000, c;

	c = xtcp_cookie_make(cookie_key, C_SADDR, C_DADDR, C_SPORT, C_DPORT,
			     999, count, 3);
	KUNIT_EXPECT_EQ(test, xtcp_cookie_check(cookie_key,
						cpu_to_be32(0x0a000003),
						C_DADDR, C_SPORT, C_DPORT,
						999, c, count), -1);
	KUNIT_EXPECT_EQ(test, xtcp_cookie_check(cookie_key, C_SADDR,
						cpu_to_be32(0x0a000009),
						C_SPORT, C_DPORT, 999, c,
						count), -1);
	KUNIT_EXPECT_EQ(test, xtcp_cookie_check(cookie_key, C_SADDR, C_DADDR,
						cpu_to_be16(40001), C_DPORT,
						999, c, count), -1);
	KUNIT_EXPECT_EQ(test, xtcp_cookie_check(cookie_key, C_SADDR, C_DADDR,
						C_SPORT, cpu_to_be16(81),
						999, c, count), -1);
	/*
	 * another client ISN: the difference lands in the carried index
	 * (as in Linux, an ISN off by a few only shifts it), so one off by
	 * 2^16 must fail
	 */
	KUNIT_EXPECT_EQ(test, xtcp_cookie_check(cookie_key, C_SADDR, C_DADDR,
						C_SPORT, C_DPORT, 999 + 65536,
						c, count), -1);
	/* another host's (or a reloaded module's) keys */
	KUNIT_EXPECT_EQ(test, xtcp_cookie_check(&cookie_key[1], C_SADDR,
						C_DADDR, C_SPORT, C_DPORT, 999,
						c, count), -1);
}

static void cookie__forged(struct kunit *test)
{
	u32 count = 77, c, i, accepted = 0;
	struct rnd_state rnd;

	c = xtcp_cookie_make(cookie_key, C_SADDR, C_DADDR, C_SPORT, C_DPORT,
			     4242, count, 1);
	/* any single flipped bit above the 3 data bits breaks it */
	for (i = 3; i < 32; i++)
		KUNIT_EXPECT_EQ_MSG(test,
				    xtcp_cookie_check(cookie_key, C_SADDR,
						      C_DADDR, C_SPORT,
						      C_DPORT, 4242,
						      c ^ (1U << i), count),
				    -1, "bit %u flipped", i);
	/* a blind attacker's guesses: about 8 in 2^24 each would pass */
	prandom_seed_state(&rnd, 42);
	for (i = 0; i < 100000; i++)
		if (xtcp_cookie_check(cookie_key, C_SADDR, C_DADDR, C_SPORT,
				      C_DPORT, 4242, prandom_u32_state(&rnd),
				      count) >= 0)
			accepted++;
	KUNIT_EXPECT_LE(test, accepted, 1U);
}

static void cookie__mss_table(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, xtcp_cookie_mss(xtcp_cookie_mss_index(536)), 536);
	KUNIT_EXPECT_EQ(test, xtcp_cookie_mss(xtcp_cookie_mss_index(100)), 536);
	KUNIT_EXPECT_EQ(test, xtcp_cookie_mss(xtcp_cookie_mss_index(1459)),
			1440);
	KUNIT_EXPECT_EQ(test, xtcp_cookie_mss(xtcp_cookie_mss_index(1460)),
			1460);
	KUNIT_EXPECT_EQ(test, xtcp_cookie_mss(xtcp_cookie_mss_index(9000)),
			8960);
	KUNIT_EXPECT_EQ(test, xtcp_cookie_mss(xtcp_cookie_mss_index(65495)),
			65495);
	KUNIT_EXPECT_EQ(test, xtcp_cookie_mss(xtcp_cookie_mss_index(65535)),
			65495);
	KUNIT_EXPECT_LT(test, xtcp_cookie_mss_index(65535), 8U);
}

static void cookie__timestamp_options(struct kunit *test)
{
	bool sack, ecn;
	int ws;
	u32 ts;

	ts = xtcp_cookie_ts(1000000, 7, true, false);
	KUNIT_EXPECT_TRUE(test, xtcp_seq_leq(ts, 1000000));
	KUNIT_EXPECT_LT(test, 1000000 - ts, 64U);
	KUNIT_EXPECT_TRUE(test, xtcp_cookie_ts_decode(ts, &ws, &sack, &ecn));
	KUNIT_EXPECT_EQ(test, ws, 7);
	KUNIT_EXPECT_TRUE(test, sack);
	KUNIT_EXPECT_FALSE(test, ecn);

	/* no window scaling, no SACK; a clock just past the 2^32 wrap */
	ts = xtcp_cookie_ts(5, -1, false, true);
	KUNIT_EXPECT_TRUE(test, xtcp_seq_leq(ts, 5));
	KUNIT_EXPECT_TRUE(test, xtcp_cookie_ts_decode(ts, &ws, &sack, &ecn));
	KUNIT_EXPECT_EQ(test, ws, -1);
	KUNIT_EXPECT_FALSE(test, sack);
	KUNIT_EXPECT_TRUE(test, ecn);

	ts = xtcp_cookie_ts(0x12345678, 14, false, false);
	KUNIT_EXPECT_TRUE(test, xtcp_cookie_ts_decode(ts, &ws, &sack, &ecn));
	KUNIT_EXPECT_EQ(test, ws, 14);
	/* ECN is Linux's bit 5 (TS_OPT_ECN) */
	KUNIT_EXPECT_TRUE(test, xtcp_cookie_ts_decode(0x100 | 0x20 | 0xf, &ws,
						      &sack, &ecn));
	KUNIT_EXPECT_TRUE(test, ecn);
	KUNIT_EXPECT_EQ(test, ws, -1);
}

static void listen__queue_limits(struct kunit *test)
{
	/* listen(backlog) is capped by somaxconn; a negative one too */
	KUNIT_EXPECT_EQ(test, xtcp_listen_backlog(128, 4096), 128U);
	KUNIT_EXPECT_EQ(test, xtcp_listen_backlog(10000, 4096), 4096U);
	KUNIT_EXPECT_EQ(test, xtcp_listen_backlog(-1, 4096), 4096U);
	KUNIT_EXPECT_EQ(test, xtcp_listen_backlog(0, 4096), 0U);
	/* the accept queue holds backlog + 1, as Linux's */
	KUNIT_EXPECT_FALSE(test, xtcp_acceptq_full(0, 0));
	KUNIT_EXPECT_TRUE(test, xtcp_acceptq_full(1, 0));
	KUNIT_EXPECT_FALSE(test, xtcp_acceptq_full(5, 5));
	KUNIT_EXPECT_TRUE(test, xtcp_acceptq_full(6, 5));
	/* the SYN queue: min(backlog, max_syn_backlog) + 1 */
	KUNIT_EXPECT_EQ(test, xtcp_synq_limit(4096, 1024), 1025U);
	KUNIT_EXPECT_EQ(test, xtcp_synq_limit(16, 1024), 17U);
	KUNIT_EXPECT_EQ(test, xtcp_synq_limit(0, 1024), 1U);
}

static struct kunit_case xtcp_listen_cases[] = {
	KUNIT_CASE(cookie__round_trip),
	KUNIT_CASE(cookie__stale_and_future),
	KUNIT_CASE(cookie__wrong_tuple_isn_or_key),
	KUNIT_CASE(cookie__forged),
	KUNIT_CASE(cookie__mss_table),
	KUNIT_CASE(cookie__timestamp_options),
	KUNIT_CASE(listen__queue_limits),
	{}
};

static struct kunit_suite xtcp_listen_suite = {
	.name = "xtcp_listen",
	.test_cases = xtcp_listen_cases,
};

#define ECN_SETUP	(TCPHDR_ECE | TCPHDR_CWR)

static void ecn__negotiation(struct kunit *test)
{
	u8 syn = TCPHDR_SYN | ECN_SETUP;

	/* an active open asks only with net.xtcp.ecn=1 */
	KUNIT_EXPECT_EQ(test, xtcp_ecn_syn_flags(0), 0);
	KUNIT_EXPECT_EQ(test, xtcp_ecn_syn_flags(1), ECN_SETUP);
	KUNIT_EXPECT_EQ(test, xtcp_ecn_syn_flags(2), 0);

	/* a listener accepts an ECN-setup SYN with 1 and 2, not 0 */
	KUNIT_EXPECT_FALSE(test, xtcp_ecn_syn_acceptable(0, syn, INET_ECN_NOT_ECT));
	KUNIT_EXPECT_TRUE(test, xtcp_ecn_syn_acceptable(1, syn, INET_ECN_NOT_ECT));
	KUNIT_EXPECT_TRUE(test, xtcp_ecn_syn_acceptable(2, syn, 0x10));
	/* half the request is no request */
	KUNIT_EXPECT_FALSE(test, xtcp_ecn_syn_acceptable(2, syn & ~TCPHDR_CWR,
							 INET_ECN_NOT_ECT));
	KUNIT_EXPECT_FALSE(test, xtcp_ecn_syn_acceptable(2, syn & ~TCPHDR_ECE,
							 INET_ECN_NOT_ECT));
	/* a SYN that arrives ECT or CE was mangled: no ECN */
	KUNIT_EXPECT_FALSE(test, xtcp_ecn_syn_acceptable(2, syn, INET_ECN_ECT_0));
	KUNIT_EXPECT_FALSE(test, xtcp_ecn_syn_acceptable(2, syn, INET_ECN_CE));

	/* SYN-ACK: ECE alone agrees; ECE+CWR is a reflection; none refuses */
	KUNIT_EXPECT_TRUE(test, xtcp_ecn_synack_ok(TCPHDR_SYN | TCPHDR_ACK |
						   TCPHDR_ECE));
	KUNIT_EXPECT_FALSE(test, xtcp_ecn_synack_ok(TCPHDR_SYN | TCPHDR_ACK |
						    ECN_SETUP));
	KUNIT_EXPECT_FALSE(test, xtcp_ecn_synack_ok(TCPHDR_SYN | TCPHDR_ACK));
	KUNIT_EXPECT_FALSE(test, xtcp_ecn_synack_ok(TCPHDR_SYN | TCPHDR_ACK |
						    TCPHDR_CWR));
	/* simultaneous open: the peer's SYN must itself be ECN-setup */
	KUNIT_EXPECT_TRUE(test, xtcp_ecn_synack_ok(TCPHDR_SYN | ECN_SETUP));
	KUNIT_EXPECT_FALSE(test, xtcp_ecn_synack_ok(TCPHDR_SYN | TCPHDR_ECE));
}

static void ecn__receiver(struct kunit *test)
{
	u8 f = XTCP_ECN_OK;

	/* ECT marks are seen, not echoed */
	f = xtcp_ecn_rcv(f, TCPHDR_ACK, INET_ECN_ECT_0);
	KUNIT_EXPECT_EQ(test, f, XTCP_ECN_OK | XTCP_ECN_SEEN);
	f = xtcp_ecn_rcv(f, TCPHDR_ACK, INET_ECN_ECT_1);
	KUNIT_EXPECT_EQ(test, f, XTCP_ECN_OK | XTCP_ECN_SEEN);
	/* CE: echo until CWR, whatever comes in between */
	f = xtcp_ecn_rcv(f, TCPHDR_ACK, 0x28 | INET_ECN_CE);
	KUNIT_EXPECT_TRUE(test, f & XTCP_ECN_DEMAND_CWR);
	f = xtcp_ecn_rcv(f, TCPHDR_ACK, INET_ECN_ECT_0);
	KUNIT_EXPECT_TRUE(test, f & XTCP_ECN_DEMAND_CWR);
	f = xtcp_ecn_rcv(f, TCPHDR_ACK | TCPHDR_ECE, INET_ECN_NOT_ECT);
	KUNIT_EXPECT_TRUE(test, f & XTCP_ECN_DEMAND_CWR);
	f = xtcp_ecn_rcv(f, TCPHDR_ACK | TCPHDR_CWR, INET_ECN_ECT_0);
	KUNIT_EXPECT_FALSE(test, f & XTCP_ECN_DEMAND_CWR);
	/* CWR and CE on one segment: new congestion, the echo goes on */
	f = xtcp_ecn_rcv(f | XTCP_ECN_DEMAND_CWR, TCPHDR_ACK | TCPHDR_CWR,
			 INET_ECN_CE);
	KUNIT_EXPECT_TRUE(test, f & XTCP_ECN_DEMAND_CWR);
	/* without ECN agreed nothing is looked at */
	KUNIT_EXPECT_EQ(test, xtcp_ecn_rcv(0, TCPHDR_ACK, INET_ECN_CE), 0);
	KUNIT_EXPECT_EQ(test, xtcp_ecn_rcv(XTCP_ECN_QUEUE_CWR, TCPHDR_CWR,
					   INET_ECN_CE), XTCP_ECN_QUEUE_CWR);
}

static void ecn__sender(struct kunit *test)
{
	u8 f = XTCP_ECN_OK;
	bool ect;

	/* new data: ECT(0); pure ACKs, resends, SYNs and RSTs: Not-ECT */
	KUNIT_EXPECT_EQ(test, xtcp_ecn_xmit(&f, TCPHDR_ACK, true, &ect), 0);
	KUNIT_EXPECT_TRUE(test, ect);
	KUNIT_EXPECT_EQ(test, xtcp_ecn_xmit(&f, TCPHDR_ACK, false, &ect), 0);
	KUNIT_EXPECT_FALSE(test, ect);
	KUNIT_EXPECT_EQ(test, xtcp_ecn_xmit(&f, TCPHDR_SYN | TCPHDR_ACK, true,
					    &ect), 0);
	KUNIT_EXPECT_FALSE(test, ect);
	KUNIT_EXPECT_EQ(test, xtcp_ecn_xmit(&f, TCPHDR_RST | TCPHDR_ACK, true,
					    &ect), 0);
	KUNIT_EXPECT_FALSE(test, ect);

	/* a queued CWR waits for new data, then goes out once */
	f |= XTCP_ECN_QUEUE_CWR;
	KUNIT_EXPECT_EQ(test, xtcp_ecn_xmit(&f, TCPHDR_ACK, false, &ect), 0);
	KUNIT_EXPECT_TRUE(test, f & XTCP_ECN_QUEUE_CWR);
	KUNIT_EXPECT_EQ(test, xtcp_ecn_xmit(&f, TCPHDR_ACK | TCPHDR_PSH, true,
					    &ect), TCPHDR_CWR);
	KUNIT_EXPECT_TRUE(test, ect);
	KUNIT_EXPECT_FALSE(test, f & XTCP_ECN_QUEUE_CWR);
	KUNIT_EXPECT_EQ(test, xtcp_ecn_xmit(&f, TCPHDR_ACK, true, &ect), 0);

	/* while the peer's CWR is awaited every segment carries ECE */
	f |= XTCP_ECN_DEMAND_CWR;
	KUNIT_EXPECT_EQ(test, xtcp_ecn_xmit(&f, TCPHDR_ACK, false, &ect),
			TCPHDR_ECE);
	KUNIT_EXPECT_EQ(test, xtcp_ecn_xmit(&f, TCPHDR_ACK | TCPHDR_FIN, true,
					    &ect), TCPHDR_ECE);
	f |= XTCP_ECN_QUEUE_CWR;
	KUNIT_EXPECT_EQ(test, xtcp_ecn_xmit(&f, TCPHDR_ACK, true, &ect),
			TCPHDR_ECE | TCPHDR_CWR);

	/* no ECN: nothing, ever */
	f = XTCP_ECN_QUEUE_CWR | XTCP_ECN_DEMAND_CWR;
	KUNIT_EXPECT_EQ(test, xtcp_ecn_xmit(&f, TCPHDR_ACK, true, &ect), 0);
	KUNIT_EXPECT_FALSE(test, ect);
	KUNIT_EXPECT_EQ(test, f, XTCP_ECN_QUEUE_CWR | XTCP_ECN_DEMAND_CWR);
}

static void urg__pointer_near_wrap(struct kunit *test)
{
	u32 up = 2;	/* the urgent byte is 0x00000001: its pointer says 2 */
	u16 ptr = 0;

	/* segments before the urgent point, across the wrap */
	KUNIT_EXPECT_TRUE(test, xtcp_urg_ptr(0xfffffff0, up, 0x10, &ptr));
	KUNIT_EXPECT_EQ(test, ptr, 0x12);
	KUNIT_EXPECT_TRUE(test, xtcp_urg_ptr(1, up, 0x10, &ptr));
	KUNIT_EXPECT_EQ(test, ptr, 1);
	/* at or after the urgent point: no URG */
	KUNIT_EXPECT_FALSE(test, xtcp_urg_ptr(2, up, 0x10, &ptr));
	KUNIT_EXPECT_FALSE(test, xtcp_urg_ptr(0x100, up, 0x200, &ptr));
	/* 0xffff away: said exactly */
	KUNIT_EXPECT_TRUE(test, xtcp_urg_ptr(up - 0xffff, up, up, &ptr));
	KUNIT_EXPECT_EQ(test, ptr, 0xffff);
	/*
	 * 64 KiB or more away: 0xFFFF, only while that does not point past
	 * what was sent (the urgent data waits behind a closed window)
	 */
	KUNIT_EXPECT_FALSE(test, xtcp_urg_ptr(up - 0x10000, up, up, &ptr));
	KUNIT_EXPECT_FALSE(test, xtcp_urg_ptr(up - 0x10000, up,
					      up - 0x10000 + 0xffff, &ptr));
	ptr = 0;
	KUNIT_EXPECT_TRUE(test, xtcp_urg_ptr(up - 0x10000, up,
					     up - 0x10000 + 0x100, &ptr));
	KUNIT_EXPECT_EQ(test, ptr, 0xffff);
	ptr = 0;
	KUNIT_EXPECT_TRUE(test, xtcp_urg_ptr(up - 0x20000, up,
					     up - 0x20000 + 0x10, &ptr));
	KUNIT_EXPECT_EQ(test, ptr, 0xffff);

	/* the receiver: the byte before the pointer; 0 is the first byte */
	KUNIT_EXPECT_EQ(test, xtcp_urg_seq(0xfffffffe, 3), 0U);
	KUNIT_EXPECT_EQ(test, xtcp_urg_seq(0xffffffff, 1), 0xffffffffU);
	KUNIT_EXPECT_EQ(test, xtcp_urg_seq(0xffffffff, 0), 0xffffffffU);
	KUNIT_EXPECT_EQ(test, xtcp_urg_seq(0xffff0000, 0xffff), 0xfffffffeU);
	KUNIT_EXPECT_EQ(test, xtcp_urg_seq(0xffff0001, 0xffff), 0xffffffffU);
	KUNIT_EXPECT_EQ(test, xtcp_urg_seq(0xffff0002, 0xffff), 0U);
}

static void urg__new_pointer(struct kunit *test)
{
	/* copied 0xfffffff0, received up to 0x10 (across the wrap) */
	u32 copied = 0xfffffff0, nxt = 0x10;

	KUNIT_EXPECT_TRUE(test, xtcp_urg_is_new(0x10, copied, nxt, 0, 0));
	KUNIT_EXPECT_TRUE(test, xtcp_urg_is_new(0x5000, copied, nxt, 0, 0));
	/* behind RCV.NXT (a replay) or already read: ignored */
	KUNIT_EXPECT_FALSE(test, xtcp_urg_is_new(0xf, copied, nxt, 0, 0));
	KUNIT_EXPECT_FALSE(test, xtcp_urg_is_new(0xffffffe0, copied, nxt, 0,
						 0));
	/* one urgent byte at a time: a newer one replaces, others do not */
	KUNIT_EXPECT_TRUE(test, xtcp_urg_is_new(0x20, copied, nxt,
						XTCP_URG_NOTYET, 0x18));
	KUNIT_EXPECT_FALSE(test, xtcp_urg_is_new(0x18, copied, nxt,
						 XTCP_URG_NOTYET, 0x18));
	KUNIT_EXPECT_FALSE(test, xtcp_urg_is_new(0x12, copied, nxt,
						 XTCP_URG_VALID | 'x', 0x18));
	KUNIT_EXPECT_TRUE(test, xtcp_urg_is_new(0x19, copied, nxt,
						XTCP_URG_READ, 0x18));
}

static struct kunit_case xtcp_ecn_cases[] = {
	KUNIT_CASE(ecn__negotiation),
	KUNIT_CASE(ecn__receiver),
	KUNIT_CASE(ecn__sender),
	KUNIT_CASE(urg__pointer_near_wrap),
	KUNIT_CASE(urg__new_pointer),
	{}
};

static struct kunit_suite xtcp_ecn_suite = {
	.name = "xtcp_flags",
	.test_cases = xtcp_ecn_cases,
};

/* ---- path MTU: the MSS a path MTU gives ---- */

static struct xtcp_sock *pmtu_sock(struct kunit *test, u16 clamp, bool ts)
{
	struct xtcp_sock *xs = kunit_kzalloc(test, sizeof(*xs), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, xs);
	xs->mss_clamp = clamp;
	xs->ts_ok = ts;
	return xs;
}

/* Linux's MSS on an Ethernet path, with and without timestamps. */
static void mtu_to_mss__headers_and_timestamps(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, xtcp_mtu_to_mss(pmtu_sock(test, 1460, false),
					      1500), 1460U);
	KUNIT_EXPECT_EQ(test, xtcp_mtu_to_mss(pmtu_sock(test, 1460, true),
					      1500), 1448U);
	/* RFC 1191's example: a 1280-byte link in the path */
	KUNIT_EXPECT_EQ(test, xtcp_mtu_to_mss(pmtu_sock(test, 1460, true),
					      1280), 1228U);
	KUNIT_EXPECT_EQ(test, xtcp_mtu_to_mss(pmtu_sock(test, 65495, false),
					      65536), 65495U);
}

/* The peer's MSS (and TCP_MAXSEG) bound it; a tiny MTU gives 64 bytes. */
static void mtu_to_mss__clamp_and_floor(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, xtcp_mtu_to_mss(pmtu_sock(test, 536, true),
					      1500), 524U);
	KUNIT_EXPECT_EQ(test, xtcp_mtu_to_mss(pmtu_sock(test, 1000, false),
					      1280), 1000U);
	KUNIT_EXPECT_EQ(test, xtcp_mtu_to_mss(pmtu_sock(test, 1460, true),
					      68), 64U);
	KUNIT_EXPECT_EQ(test, xtcp_mtu_to_mss(pmtu_sock(test, 40, false),
					      1500), 64U);
}

static struct kunit_case xtcp_pmtu_cases[] = {
	KUNIT_CASE(mtu_to_mss__headers_and_timestamps),
	KUNIT_CASE(mtu_to_mss__clamp_and_floor),
	{}
};

static struct kunit_suite xtcp_pmtu_suite = {
	.name = "xtcp_pmtu",
	.test_cases = xtcp_pmtu_cases,
};

kunit_test_suites(&xtcp_seq_suite, &xtcp_options_suite, &xtcp_state_suite,
		  &xtcp_isn_suite, &xtcp_validate_suite, &xtcp_rto_suite,
		  &xtcp_cong_suite, &xtcp_sack_suite, &xtcp_listen_suite,
		  &xtcp_ecn_suite, &xtcp_pmtu_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for XTCP");
