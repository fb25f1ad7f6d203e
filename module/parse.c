// SPDX-License-Identifier: GPL-2.0
/*
 * Pure protocol logic with no socket state: option parsing and building,
 * the segment acceptability test and the initial sequence number.  These
 * functions are exported to the KUnit module when CONFIG_KUNIT is set.
 */
#include <linux/random.h>
#include <linux/siphash.h>
#include <linux/string.h>
#include <net/tcp.h>

#include "xtcp.h"

/**
 * xtcp_parse_options() - parse the options area of a TCP header
 * @opt: first option byte
 * @len: length of the options area (data offset * 4 - 20)
 * @o: result; zeroed first
 *
 * Known options with an unexpected length are ignored, as Linux ignores
 * them.  A length byte below 2 or running past the end of the area makes
 * the whole area malformed (RFC 9293 3.1: an implementation must handle an
 * illegal option length without crashing).
 *
 * Return: 0, or -EINVAL for a malformed options area.
 */
int xtcp_parse_options(const u8 *opt, unsigned int len, struct xtcp_opts *o)
{
	unsigned int i = 0;

	memset(o, 0, sizeof(*o));
	while (i < len) {
		u8 kind = opt[i], olen;

		if (kind == TCPOPT_EOL)
			break;
		if (kind == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= len)
			return -EINVAL;
		olen = opt[i + 1];
		if (olen < 2 || olen > len - i)
			return -EINVAL;
		switch (kind) {
		case TCPOPT_MSS:
			if (olen == TCPOLEN_MSS) {
				o->mss = get_unaligned_be16(opt + i + 2);
				o->have_mss = 1;
			}
			break;
		case TCPOPT_WINDOW:
			if (olen == TCPOLEN_WINDOW) {
				/* RFC 7323 2.3: a shift above 14 is used as 14 */
				o->wscale = min_t(u8, opt[i + 2], TCP_MAX_WSCALE);
				o->have_wscale = 1;
			}
			break;
		case TCPOPT_SACK_PERM:
			if (olen == TCPOLEN_SACK_PERM)
				o->sack_ok = 1;
			break;
		case TCPOPT_TIMESTAMP:
			if (olen == TCPOLEN_TIMESTAMP) {
				o->tsval = get_unaligned_be32(opt + i + 2);
				o->tsecr = get_unaligned_be32(opt + i + 6);
				o->have_ts = 1;
			}
			break;
		case TCPOPT_SACK:
			/* 2 + 8n bytes, n = 1..4 (RFC 2018 3) */
			if (olen >= 2 + TCPOLEN_SACK_PERBLOCK &&
			    !((olen - 2) % TCPOLEN_SACK_PERBLOCK)) {
				unsigned int b, n = (olen - 2) /
						    TCPOLEN_SACK_PERBLOCK;

				n = min_t(unsigned int, n, XTCP_MAX_SACKS);
				for (b = 0; b < n; b++) {
					const u8 *q = opt + i + 2 +
						      b * TCPOLEN_SACK_PERBLOCK;

					o->sacks[b].start = get_unaligned_be32(q);
					o->sacks[b].end = get_unaligned_be32(q + 4);
				}
				o->num_sacks = n;
			}
			break;
		}
		i += olen;
	}
	return 0;
}

XTCP_EXPORT_FOR_TEST(xtcp_parse_options);

/**
 * xtcp_build_options() - write the options of an outgoing segment
 * @p: destination, XTCP_MAX_TCP_HDR - 20 bytes
 * @o: what to write
 *
 * The layout is Linux's, so captures compare one to one: MSS; then
 * SACK-permitted and timestamps together (kind 4 and kind 8, no padding),
 * or NOP NOP and either alone; then NOP and window scale; then NOP NOP and
 * the SACK blocks, as many as fit in 40 bytes (three beside timestamps,
 * four without).
 *
 * Return: number of bytes written, a multiple of 4.
 */
unsigned int xtcp_build_options(u8 *p, const struct xtcp_out_opts *o)
{
	unsigned int n = 0, b, nsacks;

	if (o->mss) {
		p[n++] = TCPOPT_MSS;
		p[n++] = TCPOLEN_MSS;
		put_unaligned_be16(o->mss, p + n);
		n += 2;
	}
	if (o->ts) {
		if (o->sack_ok) {
			p[n++] = TCPOPT_SACK_PERM;
			p[n++] = TCPOLEN_SACK_PERM;
		} else {
			p[n++] = TCPOPT_NOP;
			p[n++] = TCPOPT_NOP;
		}
		p[n++] = TCPOPT_TIMESTAMP;
		p[n++] = TCPOLEN_TIMESTAMP;
		put_unaligned_be32(o->tsval, p + n);
		put_unaligned_be32(o->tsecr, p + n + 4);
		n += 8;
	} else if (o->sack_ok) {
		p[n++] = TCPOPT_NOP;
		p[n++] = TCPOPT_NOP;
		p[n++] = TCPOPT_SACK_PERM;
		p[n++] = TCPOLEN_SACK_PERM;
	}
	if (o->wscale >= 0) {
		p[n++] = TCPOPT_NOP;
		p[n++] = TCPOPT_WINDOW;
		p[n++] = TCPOLEN_WINDOW;
		p[n++] = o->wscale;
	}
	nsacks = min_t(unsigned int, o->num_sacks,
		       (XTCP_MAX_TCP_HDR - sizeof(struct tcphdr) - n - 4) /
		       TCPOLEN_SACK_PERBLOCK);
	if (nsacks) {
		p[n++] = TCPOPT_NOP;
		p[n++] = TCPOPT_NOP;
		p[n++] = TCPOPT_SACK;
		p[n++] = 2 + nsacks * TCPOLEN_SACK_PERBLOCK;
		for (b = 0; b < nsacks; b++) {
			put_unaligned_be32(o->sacks[b].start, p + n);
			put_unaligned_be32(o->sacks[b].end, p + n + 4);
			n += TCPOLEN_SACK_PERBLOCK;
		}
	}
	return n;
}

XTCP_EXPORT_FOR_TEST(xtcp_build_options);

/**
 * xtcp_paws_reject() - the PAWS test (RFC 7323 5.3, R1)
 * @tsval: SEG.TSval
 * @ts_recent: TS.Recent
 * @ts_age: seconds since TS.Recent was set
 *
 * A segment whose timestamp is older than the newest one seen is a
 * duplicate from an earlier incarnation of the sequence space.  After 24
 * days without a segment TS.Recent is no longer valid (5.5): the peer's
 * clock may have wrapped meanwhile.
 *
 * Return: true if the segment must be dropped.
 */
bool xtcp_paws_reject(u32 tsval, u32 ts_recent, u32 ts_age)
{
	if (ts_age > XTCP_PAWS_IDLE_SEC)
		return false;
	return (s32)(tsval - ts_recent) < 0;
}

XTCP_EXPORT_FOR_TEST(xtcp_paws_reject);

/**
 * xtcp_seq_acceptable() - the segment acceptability test (RFC 9293 3.10.7.4)
 * @seq: SEG.SEQ
 * @len: SEG.LEN (data plus SYN and FIN)
 * @rcv_nxt: RCV.NXT
 * @rcv_wnd: RCV.WND
 *
 * Return: true if any part of the segment lies in the receive window, or,
 * for an empty segment, if it sits at (or, with an open window, inside) it.
 */
bool xtcp_seq_acceptable(u32 seq, u32 len, u32 rcv_nxt, u32 rcv_wnd)
{
	if (!len) {
		if (!rcv_wnd)
			return seq == rcv_nxt;
		return seq - rcv_nxt < rcv_wnd;
	}
	if (!rcv_wnd)
		return false;
	return seq - rcv_nxt < rcv_wnd || seq + len - 1 - rcv_nxt < rcv_wnd;
}

XTCP_EXPORT_FOR_TEST(xtcp_seq_acceptable);

/**
 * xtcp_rst_action() - the RST check in a synchronized state (RFC 5961 3.2)
 * @seq: SEG.SEQ of the RST
 * @rcv_nxt: RCV.NXT
 * @rcv_wnd: RCV.WND
 *
 * Only a RST at exactly RCV.NXT resets the connection.  One elsewhere in
 * the window may be a blind attack: it draws a challenge ACK, which a real
 * peer answers with a RST at the right number.  One outside the window is
 * dropped without an answer (RFC 9293 3.10.7.4, first check).
 *
 * Return: XTCP_RESET, XTCP_CHALLENGE or XTCP_DROP.
 */
enum xtcp_verdict xtcp_rst_action(u32 seq, u32 rcv_nxt, u32 rcv_wnd)
{
	if (seq == rcv_nxt)
		return XTCP_RESET;
	if (seq - rcv_nxt < rcv_wnd)
		return XTCP_CHALLENGE;
	return XTCP_DROP;
}

XTCP_EXPORT_FOR_TEST(xtcp_rst_action);

/**
 * xtcp_ack_action() - ACK validation in a synchronized state
 * @ack: SEG.ACK
 * @snd_una: SND.UNA
 * @snd_max: the highest sequence number sent (SND.NXT)
 * @max_wnd: the largest window the peer offered (MAX.SND.WND)
 *
 * RFC 9293 3.10.7.4 fifth check: an ACK of something not yet sent draws an
 * ACK and is dropped.  RFC 5961 5.2: an ACK below SND.UNA - MAX.SND.WND is
 * too old to be real (a blind data injection would carry one) and is
 * dropped with a challenge ACK.  Anything else goes on: a duplicate ACK,
 * or one acknowledging new data.
 *
 * Return: XTCP_ACCEPT, XTCP_DROP_ACK or XTCP_CHALLENGE.
 */
enum xtcp_verdict xtcp_ack_action(u32 ack, u32 snd_una, u32 snd_max,
				  u32 max_wnd)
{
	if (xtcp_seq_gt(ack, snd_max))
		return XTCP_DROP_ACK;
	if (xtcp_seq_lt(ack, snd_una - max_wnd))
		return XTCP_CHALLENGE;
	return XTCP_ACCEPT;
}

XTCP_EXPORT_FOR_TEST(xtcp_ack_action);

static siphash_key_t xtcp_isn_key __read_mostly;

void xtcp_isn_init(void)
{
	get_random_bytes(&xtcp_isn_key, sizeof(xtcp_isn_key));
}

/**
 * xtcp_isn() - initial sequence number (RFC 6528)
 * @saddr: local address
 * @daddr: remote address
 * @sport: local port
 * @dport: remote port
 * @ns: a monotonic clock in nanoseconds
 *
 * ISN = M + F(4-tuple, secret key): F is SipHash keyed at module load, M a
 * clock ticking every 64 ns (a little faster than the RFC's 4 us, as Linux).
 *
 * Return: the ISN.
 */
u32 xtcp_isn(__be32 saddr, __be32 daddr, __be16 sport, __be16 dport, u64 ns)
{
	u32 hash = siphash_3u32((__force u32)saddr, (__force u32)daddr,
				(__force u32)sport << 16 | (__force u32)dport,
				&xtcp_isn_key);

	return hash + (u32)(ns >> 6);
}

XTCP_EXPORT_FOR_TEST(xtcp_isn);
