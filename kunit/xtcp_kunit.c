// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites for XTCP's pure logic: sequence arithmetic, segment
 * acceptability, option parsing and building, the state transition table
 * and the ISN.  Built only against a kernel with CONFIG_KUNIT; calls the
 * functions xtcp.ko exports for it.
 */
#include <kunit/test.h>
#include <net/tcp.h>

#include "xtcp.h"

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

static void build_syn_options__roundtrip(struct kunit *test)
{
	u8 buf[40];
	struct xtcp_opts p;
	unsigned int n;

	n = xtcp_build_syn_options(buf, 65483, 7);
	KUNIT_EXPECT_EQ(test, n % 4, 0U);
	KUNIT_ASSERT_EQ(test, xtcp_parse_options(buf, n, &p), 0);
	KUNIT_EXPECT_EQ(test, p.mss, 65483);
	KUNIT_EXPECT_TRUE(test, p.have_wscale);
	KUNIT_EXPECT_EQ(test, p.wscale, 7);

	n = xtcp_build_syn_options(buf, 1460, -1);
	KUNIT_EXPECT_EQ(test, n, 4U);
	KUNIT_ASSERT_EQ(test, xtcp_parse_options(buf, n, &p), 0);
	KUNIT_EXPECT_FALSE(test, p.have_wscale);
}

static struct kunit_case xtcp_options_cases[] = {
	KUNIT_CASE(parse_options__syn_like_linux),
	KUNIT_CASE(parse_options__empty_and_padding),
	KUNIT_CASE(parse_options__malformed),
	KUNIT_CASE(parse_options__wrong_length_ignored),
	KUNIT_CASE(parse_options__wscale_clamped),
	KUNIT_CASE(build_syn_options__roundtrip),
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
	{ XTCP_SYN_RECV, XTCP_EV_RCV_ACK_SYN, XTCP_ESTABLISHED },
	{ XTCP_SYN_RECV, XTCP_EV_RCV_FIN, XTCP_CLOSE_WAIT },
	{ XTCP_SYN_RECV, XTCP_EV_CLOSE, XTCP_FIN_WAIT1 },
	{ XTCP_SYN_RECV, XTCP_EV_RCV_RST, XTCP_CLOSE },
	{ XTCP_SYN_RECV, XTCP_EV_TIMEOUT, XTCP_CLOSE },
	{ XTCP_SYN_RECV, XTCP_EV_ABORT, XTCP_CLOSE },
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
	/* 2.2: SRTT = R, RTTVAR = R/2, RTO = SRTT + 4 RTTVAR */
	xtcp_rtt_sample(&r, 100000);
	KUNIT_EXPECT_EQ(test, r.srtt_us, 100000U);
	KUNIT_EXPECT_EQ(test, r.rttvar_us, 50000U);
	KUNIT_EXPECT_EQ(test, r.rto_us, 300000U);
	/* 2.3: the same R again: RTTVAR shrinks by a quarter */
	xtcp_rtt_sample(&r, 100000);
	KUNIT_EXPECT_EQ(test, r.srtt_us, 100000U);
	KUNIT_EXPECT_EQ(test, r.rttvar_us, 37500U);
	KUNIT_EXPECT_EQ(test, r.rto_us, 250000U);
	/* R = 180 ms: RTTVAR = 3/4 37500 + 1/4 80000, SRTT += 80000 / 8 */
	xtcp_rtt_sample(&r, 180000);
	KUNIT_EXPECT_EQ(test, r.rttvar_us, 48125U);
	KUNIT_EXPECT_EQ(test, r.srtt_us, 110000U);
	KUNIT_EXPECT_EQ(test, r.rto_us, 110000U + 4 * 48125U);
}

static void rto__clamped(struct kunit *test)
{
	struct xtcp_rtt r;
	int i;

	xtcp_rtt_init(&r);
	for (i = 0; i < 50; i++)
		xtcp_rtt_sample(&r, 1000);	/* 1 ms, steady */
	KUNIT_EXPECT_EQ(test, r.rto_us, 200000U);	/* Linux's minimum */
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
	KUNIT_CASE(rto__clamped),
	KUNIT_CASE(rto__backoff_doubles_up_to_120s),
	{}
};

static struct kunit_suite xtcp_rto_suite = {
	.name = "xtcp_rto",
	.test_cases = xtcp_rto_cases,
};

kunit_test_suites(&xtcp_seq_suite, &xtcp_options_suite, &xtcp_state_suite,
		  &xtcp_isn_suite, &xtcp_validate_suite, &xtcp_rto_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for XTCP");
