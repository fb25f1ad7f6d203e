// SPDX-License-Identifier: GPL-2.0
/*
 * SYN cookies: when a listener's SYN queue is full (net.xtcp.syncookies=1)
 * or always (=2), the SYN-ACK's sequence number carries what the request
 * sock would have kept, and the handshake's final ACK rebuilds it.  No
 * state is kept per SYN, so a SYN flood cannot fill memory or lock out
 * real clients.
 *
 * The cookie (the ISN of our SYN-ACK) is
 *
 *   H0(4-tuple) + ISN(peer) + (count << 24) + ((H1(4-tuple, count) + data) mod 2^24)
 *
 * with H0, H1 SipHash under two keys drawn at module load, count a clock
 * ticking once a minute, and data the index of the peer's MSS in a small
 * table.  The final ACK acknowledges cookie + 1; subtracting H0 and the
 * peer's ISN gives count back (accepted when at most one tick old), and
 * then data, which must be a valid index.  A forged or stale ACK passes
 * with a chance of about 8 in 2^24 per attempt.  Window scale, SACK and
 * ECN ride in the low 6 bits of our TSval when timestamps are on, and come
 * back in the ACK's TSecr; without timestamps a cookie connection has none
 * of them, as in Linux.
 */
#include <linux/siphash.h>
#include <net/ip.h>
#include <net/tcp.h>

#include "xtcp.h"

static siphash_key_t xtcp_cookie_key[2] __read_mostly;

/* Peer MSS values a cookie can carry; the largest not above the peer's. */
static const u16 xtcp_cookie_msstab[] = {
	536, 1300, 1440, 1460, 4312, 8960, 16384, 65495,
};

void xtcp_cookie_init(void)
{
	get_random_bytes(xtcp_cookie_key, sizeof(xtcp_cookie_key));
}

static u32 xtcp_cookie_hash(const siphash_key_t *key, __be32 saddr,
			    __be32 daddr, __be16 sport, __be16 dport,
			    u32 count)
{
	return siphash_4u32((__force u32)saddr, (__force u32)daddr,
			    (__force u32)sport << 16 | (__force u32)dport,
			    count, key);
}

/**
 * xtcp_cookie_make() - build a SYN cookie
 * @key: two SipHash keys
 * @saddr: the SYN's source address (the peer)
 * @daddr: its destination address (local)
 * @sport: its source port
 * @dport: its destination port
 * @sseq: the peer's ISN (the SYN's sequence number)
 * @count: the minute counter (xtcp_cookie_time())
 * @data: what to carry, below 2^24 (an MSS index)
 *
 * Return: the ISN for the SYN-ACK.
 */
u32 xtcp_cookie_make(const siphash_key_t *key, __be32 saddr, __be32 daddr,
		     __be16 sport, __be16 dport, u32 sseq, u32 count,
		     u32 data)
{
	return xtcp_cookie_hash(&key[0], saddr, daddr, sport, dport, 0) +
	       sseq + (count << XTCP_COOKIE_BITS) +
	       ((xtcp_cookie_hash(&key[1], saddr, daddr, sport, dport, count) +
		 data) & XTCP_COOKIE_MASK);
}

XTCP_EXPORT_FOR_TEST(xtcp_cookie_make);

/**
 * xtcp_cookie_check() - validate a SYN cookie
 * @key: the keys it was made with
 * @saddr: the ACK's source address (the peer)
 * @daddr: its destination address (local)
 * @sport: its source port
 * @dport: its destination port
 * @sseq: the peer's ISN (the ACK's sequence number - 1)
 * @cookie: our ISN (the ACK's acknowledgment number - 1)
 * @count: the minute counter now
 *
 * Return: the MSS index the cookie carries, or -1 if the cookie is older
 * than XTCP_COOKIE_MAX_AGE ticks, from the future, or not ours.
 */
int xtcp_cookie_check(const siphash_key_t *key, __be32 saddr, __be32 daddr,
		      __be16 sport, __be16 dport, u32 sseq, u32 cookie,
		      u32 count)
{
	u32 diff, data;

	cookie -= xtcp_cookie_hash(&key[0], saddr, daddr, sport, dport, 0) +
		  sseq;
	diff = (count - (cookie >> XTCP_COOKIE_BITS)) &
	       ((u32)-1 >> XTCP_COOKIE_BITS);
	if (diff >= XTCP_COOKIE_MAX_AGE)
		return -1;
	data = (cookie - xtcp_cookie_hash(&key[1], saddr, daddr, sport, dport,
					  count - diff)) & XTCP_COOKIE_MASK;
	if (data >= ARRAY_SIZE(xtcp_cookie_msstab))
		return -1;
	return data;
}

XTCP_EXPORT_FOR_TEST(xtcp_cookie_check);

/**
 * xtcp_cookie_mss_index() - the table entry a peer's MSS is carried as
 * @mss: the peer's MSS
 *
 * Return: the index of the largest table value not above @mss (0 if @mss
 * is below them all: 536 is every host's minimum).
 */
u32 xtcp_cookie_mss_index(u16 mss)
{
	u32 i;

	for (i = ARRAY_SIZE(xtcp_cookie_msstab) - 1; i > 0; i--)
		if (mss >= xtcp_cookie_msstab[i])
			break;
	return i;
}

XTCP_EXPORT_FOR_TEST(xtcp_cookie_mss_index);

/**
 * xtcp_cookie_mss() - the MSS a table index stands for
 * @index: index, below the table size
 *
 * Return: the MSS.
 */
u16 xtcp_cookie_mss(u32 index)
{
	return xtcp_cookie_msstab[min_t(u32, index,
					ARRAY_SIZE(xtcp_cookie_msstab) - 1)];
}

XTCP_EXPORT_FOR_TEST(xtcp_cookie_mss);

/**
 * xtcp_cookie_ts() - the TSval of a cookie SYN-ACK
 * @now: our timestamp clock now
 * @wscale: the peer's window scale, or -1 without one
 * @sack: the peer offered SACK
 * @ecn: ECN was agreed (an ECN-setup SYN)
 *
 * The low XTCP_COOKIE_TS_BITS bits carry the options; the value is never
 * above @now, so the connection's clock does not run backwards after it.
 *
 * Return: the TSval.
 */
u32 xtcp_cookie_ts(u32 now, int wscale, bool sack, bool ecn)
{
	u32 opts = (wscale < 0 ? XTCP_COOKIE_NO_WSCALE : wscale & 0xf) |
		   (sack ? 0x10 : 0) | (ecn ? 0x20 : 0);
	u32 ts = (now & ~XTCP_COOKIE_TS_MASK) | opts;

	if (xtcp_seq_gt(ts, now))
		ts -= XTCP_COOKIE_TS_MASK + 1;
	return ts;
}

XTCP_EXPORT_FOR_TEST(xtcp_cookie_ts);

/**
 * xtcp_cookie_ts_decode() - the options a cookie's TSecr carries back
 * @tsecr: the final ACK's TSecr
 * @wscale: set to the peer's window scale, or -1
 * @sack: set to whether the peer offered SACK
 * @ecn: set to whether ECN was agreed
 *
 * Return: false if the bits cannot come from xtcp_cookie_ts().
 */
bool xtcp_cookie_ts_decode(u32 tsecr, int *wscale, bool *sack, bool *ecn)
{
	u32 opts = tsecr & XTCP_COOKIE_TS_MASK;
	u32 ws = opts & 0xf;

	if (ws != XTCP_COOKIE_NO_WSCALE && ws > TCP_MAX_WSCALE)
		return false;
	*wscale = ws == XTCP_COOKIE_NO_WSCALE ? -1 : ws;
	*sack = opts & 0x10;
	*ecn = opts & 0x20;
	return true;
}

XTCP_EXPORT_FOR_TEST(xtcp_cookie_ts_decode);

/* The cookie clock: one tick a minute. */
u32 xtcp_cookie_time(void)
{
	return (u32)(ktime_get_seconds() / 60);
}

/**
 * xtcp_syncookie_seq() - answer a SYN with a cookie instead of a request
 * @req: a request filled from the SYN, not hashed (on the caller's stack)
 *
 * Sets @req->peer_mss to the value the cookie carries, and marks @req so
 * xtcp_send_synack() encodes the options in the TSval.  Without timestamps
 * the SYN-ACK offers neither window scaling nor SACK nor ECN, as Linux's.
 *
 * Return: the cookie, our ISN.
 */
u32 xtcp_syncookie_seq(struct xtcp_request *req)
{
	u32 idx = xtcp_cookie_mss_index(req->peer_mss);

	req->cookie = true;
	req->peer_mss = xtcp_cookie_mss(idx);
	/* without a TSval to carry them, window scale, SACK, ECN are off */
	if (!req->ts_ok) {
		req->wscale_ok = false;
		req->sack_ok = false;
		req->ecn_ok = false;
	}
	return xtcp_cookie_make(xtcp_cookie_key, req->raddr, req->laddr,
				req->rport, req->lport, req->irs,
				xtcp_cookie_time(), idx);
}

/**
 * xtcp_syncookie_check() - rebuild a request from a cookie's final ACK
 * @l: listener
 * @skb: the ACK (cb filled), for no known request
 * @o: its options
 * @req: filled from the cookie on success (not hashed, no references)
 *
 * Counts SyncookiesRecv or SyncookiesFailed.
 *
 * Return: true if the ACK carries a valid cookie.
 */
bool xtcp_syncookie_check(struct sock *l, const struct sk_buff *skb,
			  const struct xtcp_opts *o, struct xtcp_request *req)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_net *xn = xtcp_pernet(sock_net(l));
	const struct iphdr *iph = ip_hdr(skb);
	const struct tcphdr *th = tcp_hdr(skb);
	bool sack = false, ecn = false;
	int idx, wscale = -1;

	idx = xtcp_cookie_check(xtcp_cookie_key, iph->saddr, iph->daddr,
				th->source, th->dest, cb->seq - 1,
				cb->ack_seq - 1, xtcp_cookie_time());
	if (idx < 0)
		goto fail;
	memset(req, 0, sizeof(*req));
	req->ts_ok = o->have_ts && o->tsecr && READ_ONCE(xn->timestamps);
	if (req->ts_ok &&
	    !xtcp_cookie_ts_decode(o->tsecr, &wscale, &sack, &ecn))
		goto fail;
	xtcp_req_set_tuple(req, l, skb);
	req->iss = cb->ack_seq - 1;
	req->irs = cb->seq - 1;
	req->peer_mss = xtcp_cookie_mss(idx);
	req->wscale_ok = wscale >= 0;
	req->snd_wscale = max(wscale, 0);
	req->sack_ok = sack && READ_ONCE(xn->sack);
	req->ecn_ok = ecn && READ_ONCE(xn->ecn);
	req->ts_recent = o->tsval;
	req->cookie = true;
	XTCP_INC_STATS(sock_net(l), XTCP_MIB_SYNCOOKIESRECV);
	return true;
fail:
	XTCP_INC_STATS(sock_net(l), XTCP_MIB_SYNCOOKIESFAILED);
	return false;
}
