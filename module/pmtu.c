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
 */
#include <net/inet_connection_sock.h>
#include <net/ip.h>
#include <net/route.h>

#include "xtcp.h"
#include "pmtu.h"

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

	xs->pmtu_cookie = pmtu;
	xs->mss = xtcp_mtu_to_mss(xs, pmtu);
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
