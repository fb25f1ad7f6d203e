// SPDX-License-Identifier: GPL-2.0
/*
 * Path MTU discovery (RFC 1191): the send MSS follows the route's path MTU.
 *
 * Segments go out with DF (IP_MTU_DISCOVER's default, IP_PMTUDISC_WANT).
 * A router that cannot forward one answers "fragmentation needed" with
 * its next hop's MTU (module/icmp.c): the route's path MTU is lowered
 * (inet_csk_update_pmtu(), which records it for every socket to that
 * destination), the MSS shrinks, and what was in flight at the old size
 * is resent at once without a congestion response (Linux's
 * tcp_simple_retransmit()).  Before each burst the MSS is checked against
 * the route's MTU, which also catches a change made by another socket, a
 * route's expiry or a local link's MTU (Linux's tcp_current_mss()).
 *
 * Where routers drop the ICMP (a path MTU black hole), net.xtcp.mtu_probing
 * finds the MTU without it, as Linux's packetization layer path MTU
 * discovery (RFC 4821): with 1, once a connection has seen XTCP_RETRIES1
 * timeouts in a row the MSS falls to net.xtcp.base_mss (halved on each
 * further timeout, down to mtu_probe_floor); with 2 it starts there.  Then
 * one segment now and then goes out larger than the MSS, halfway between
 * the MTU known to pass (search_low) and the least one not known to fail
 * (search_high): acknowledged, it raises the MSS (TCPMTUPSuccess); lost, it
 * lowers search_high (TCPMTUPFail) and is resent at the MSS without a
 * congestion response.  The search ends when the two are within
 * probe_threshold bytes, and starts again after probe_interval seconds.
 */
#include <net/inet_connection_sock.h>
#include <net/ip.h>
#include <net/route.h>

#include "xtcp.h"
#include "pmtu.h"

/* The MTU of a segment of @mss payload bytes: headers and options added. */
static u32 xtcp_mss_to_mtu(const struct xtcp_sock *xs, u32 mss)
{
	return mss + sizeof(struct iphdr) + sizeof(struct tcphdr) +
	       (xs->ts_ok ? XTCP_TSOPT_LEN : 0);
}

/**
 * xtcp_mtu_to_mss() - the send MSS a path MTU allows
 * @xs: socket
 * @pmtu: path MTU
 *
 * Return: the payload of a full segment: the MTU less the IP and TCP
 * headers, at most the peer's MSS and TCP_MAXSEG (@xs->mss_clamp), less
 * the timestamp option if in use; 64 at least.
 */
u32 xtcp_mtu_to_mss(const struct xtcp_sock *xs, u32 pmtu)
{
	int mss = pmtu - sizeof(struct iphdr) - sizeof(struct tcphdr);

	mss = min_t(int, mss, xs->mss_clamp);
	if (xs->ts_ok)
		mss -= XTCP_TSOPT_LEN;
	return max(mss, 64);
}

XTCP_EXPORT_FOR_TEST(xtcp_mtu_to_mss);

/**
 * xtcp_sync_mss() - set the send MSS for a path MTU
 * @sk: socket, locked
 * @pmtu: path MTU
 */
void xtcp_sync_mss(struct sock *sk, u32 pmtu)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 mss;

	if (xs->mtup.search_high > pmtu)
		xs->mtup.search_high = pmtu;
	mss = xtcp_mtu_to_mss(xs, pmtu);
	if (xs->mtup.enabled)
		mss = min(mss, xtcp_mtu_to_mss(xs, xs->mtup.search_low));
	xs->pmtu_cookie = pmtu;
	xs->mss = mss;
}

/**
 * xtcp_mtup_init() - start path MTU probing as net.xtcp.mtu_probing says
 * @sk: socket, locked, with its MSS clamp set
 */
void xtcp_mtup_init(struct sock *sk)
{
	const struct xtcp_net *xn = xtcp_pernet(sock_net(sk));
	struct xtcp_sock *xs = xtcp_sk(sk);

	xs->mtup.enabled = READ_ONCE(xn->mtu_probing) > 1;
	xs->mtup.search_high = xs->mss_clamp + sizeof(struct tcphdr) +
			       sizeof(struct iphdr);
	xs->mtup.search_low = xtcp_mss_to_mtu(xs, READ_ONCE(xn->base_mss));
	xs->mtup.probe_size = 0;
	xs->mtup.probe_timestamp = jiffies;
}

/**
 * xtcp_mtu_black_hole() - timeouts in a row: maybe a path MTU black hole
 * @sk: socket, locked, synchronized
 *
 * As Linux's tcp_mtu_probing(): with net.xtcp.mtu_probing on, the first
 * call starts probing (the MSS falls to base_mss), each further one halves
 * the MTU known to pass, down to mtu_probe_floor.
 */
void xtcp_mtu_black_hole(struct sock *sk)
{
	const struct xtcp_net *xn = xtcp_pernet(sock_net(sk));
	struct xtcp_sock *xs = xtcp_sk(sk);
	int mss;

	if (!READ_ONCE(xn->mtu_probing))
		return;
	if (!xs->mtup.enabled) {
		xs->mtup.enabled = true;
		xs->mtup.probe_timestamp = jiffies;
	} else {
		mss = xtcp_mtu_to_mss(xs, xs->mtup.search_low) >> 1;
		mss = min(READ_ONCE(xn->base_mss), mss);
		mss = max(mss, READ_ONCE(xn->mtu_probe_floor));
		mss = max(mss, XTCP_MIN_SND_MSS);
		xs->mtup.search_low = xtcp_mss_to_mtu(xs, mss);
	}
	xtcp_sync_mss(sk, xs->pmtu_cookie);
}

/* After probe_interval, search again from the MSS in use up. */
static void xtcp_mtu_check_reprobe(struct sock *sk)
{
	const struct xtcp_net *xn = xtcp_pernet(sock_net(sk));
	struct xtcp_sock *xs = xtcp_sk(sk);
	unsigned long interval = READ_ONCE(xn->probe_interval);

	if (time_before(jiffies, xs->mtup.probe_timestamp + interval * HZ))
		return;
	xs->mtup.search_high = min_t(u32, xs->pmtu_cookie, xs->mss_clamp +
				     sizeof(struct tcphdr) +
				     sizeof(struct iphdr));
	xs->mtup.search_low = xtcp_mss_to_mtu(xs, xs->mss);
	xs->mtup.probe_size = 0;
	xs->mtup.probe_timestamp = jiffies;
}

/**
 * xtcp_mtu_probe_len() - may the segment at the send head be a probe?
 * @sk: socket, locked, synchronized
 * @skb: the segment at the send head
 *
 * As Linux's tcp_mtu_probe(): probing is on and no probe is in flight,
 * there is no loss or reordering to deal with, the window (11 segments at
 * least) has room for the probe and one more, and enough data follows it
 * to tell its loss by duplicate ACKs.  XTCP cuts the probe from @skb
 * alone, so @skb must hold it whole.
 *
 * Return: the probe's payload, larger than the MSS, or 0 for none.
 */
u32 xtcp_mtu_probe_len(struct sock *sk, const struct sk_buff *skb)
{
	const struct xtcp_net *xn = xtcp_pernet(sock_net(sk));
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 seq = XTCP_SKB_CB(skb)->seq;
	u32 probe, needed;

	if (!xs->mtup.enabled || xs->mtup.probe_size ||
	    xs->ca_state != XTCP_CA_OPEN || xs->cc.cwnd < 11 ||
	    xs->sb.sacked_out)
		return 0;
	probe = xtcp_mtu_to_mss(xs, (xs->mtup.search_high +
				     xs->mtup.search_low) >> 1);
	if (probe > xtcp_mtu_to_mss(xs, xs->mtup.search_high) ||
	    xs->mtup.search_high - xs->mtup.search_low <
	    READ_ONCE(xn->probe_threshold)) {
		xtcp_mtu_check_reprobe(sk);
		return 0;
	}
	if (probe <= xs->mss || skb->len < probe)
		return 0;
	needed = probe + (xtcp_dupthresh(xs) + 1) * xs->mss;
	if (xs->write_seq - seq < needed ||
	    xtcp_seq_lt(xs->snd_una + xs->snd_wnd, seq + needed) ||
	    DIV_ROUND_UP(xtcp_pipe(xs), xs->mss) + 2 > xs->cc.cwnd)
		return 0;
	return probe;
}

/**
 * xtcp_mtu_probe_xmit() - send the segment at the send head as a probe
 * @sk: socket, locked
 * @skb: the segment, cut to the length xtcp_mtu_probe_len() gave
 *
 * Return: as xtcp_transmit_skb().
 */
int xtcp_mtu_probe_xmit(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u16 mss = xs->mss;
	int err;

	/* one segment of its own length: no GSO cut at the MSS */
	xs->mss = skb->len;
	err = xtcp_transmit_skb(sk, skb);
	xs->mss = mss;
	if (err)
		return err;
	xs->mtup.probe_size = xtcp_mss_to_mtu(xs, skb->len);
	xs->mtup.probe_seq_start = XTCP_SKB_CB(skb)->seq;
	xs->mtup.probe_seq_end = XTCP_SKB_CB(skb)->end_seq;
	return 0;
}

/**
 * xtcp_mtu_probe_acked() - is the probe in flight acknowledged?
 * @sk: socket, locked, after SND.UNA moved
 *
 * If so the path takes its size: the MSS grows to it, and the window keeps
 * its size in bytes (as Linux's tcp_mtup_probe_success()).
 */
void xtcp_mtu_probe_acked(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u64 cwnd;

	if (!xs->mtup.probe_size ||
	    xtcp_seq_lt(xs->snd_una, xs->mtup.probe_seq_end))
		return;
	cwnd = (u64)xs->cc.cwnd * xtcp_mss_to_mtu(xs, xs->mss);
	do_div(cwnd, xs->mtup.probe_size);
	xs->cc.cwnd = max_t(u32, cwnd, 1);
	xs->cc.cwnd_cnt = 0;
	xs->mtup.search_low = xs->mtup.probe_size;
	xs->mtup.probe_size = 0;
	xtcp_sync_mss(sk, xs->pmtu_cookie);
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_MTUPSUCCESS);
}

/**
 * xtcp_mtu_probe_lost() - was the oldest segment in flight the probe?
 * @sk: socket, locked, about to take its oldest segment for lost
 *
 * If so the path does not take its size: search_high falls below it.
 *
 * Return: true if it was the probe.
 */
bool xtcp_mtu_probe_lost(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (!xs->mtup.probe_size || xs->snd_una != xs->mtup.probe_seq_start)
		return false;
	xs->mtup.search_high = xs->mtup.probe_size - 1;
	xs->mtup.probe_size = 0;
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_MTUPFAIL);
	return true;
}

/**
 * xtcp_check_pmtu() - follow the route's MTU before sending
 * @sk: socket, locked, synchronized
 */
void xtcp_check_pmtu(struct sock *sk)
{
	struct dst_entry *dst = __sk_dst_get(sk);
	u32 mtu;

	if (!dst)
		return;
	mtu = dst_mtu(dst);
	if (mtu != xtcp_sk(sk)->pmtu_cookie)
		xtcp_sync_mss(sk, mtu);
}

/**
 * xtcp_mtu_reduced() - act on "fragmentation needed" (RFC 1191)
 * @sk: socket, locked, not owned by a user
 *
 * As Linux's tcp_v4_mtu_reduced(): the route learns the MTU in
 * @xs->mtu_info; a socket that lets the path MTU rule (IP_MTU_DISCOVER
 * other than IP_PMTUDISC_DONT, _INTERFACE and _OMIT) shrinks its MSS and
 * resends at once what the old size lost.  An MTU below what the route
 * keeps (net.ipv4.route.min_pmtu) leaves EMSGSIZE as the soft error.
 */
void xtcp_mtu_reduced(struct sock *sk)
{
	struct inet_sock *inet = inet_sk(sk);
	struct dst_entry *dst;
	u32 mtu;

	if ((1 << sk->sk_state) & (TCPF_LISTEN | TCPF_CLOSE))
		return;
	mtu = READ_ONCE(xtcp_sk(sk)->mtu_info);
	dst = inet_csk_update_pmtu(sk, mtu);
	if (!dst)
		return;
	if (mtu < dst_mtu(dst) && ip_dont_fragment(sk, dst))
		WRITE_ONCE(sk->sk_err_soft, EMSGSIZE);
	mtu = dst_mtu(dst);
	if (inet->pmtudisc != IP_PMTUDISC_DONT && ip_sk_accept_pmtu(sk) &&
	    xtcp_sk(sk)->pmtu_cookie > mtu) {
		xtcp_sync_mss(sk, mtu);
		xtcp_mtu_retransmit(sk);
	}
}
