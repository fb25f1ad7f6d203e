// SPDX-License-Identifier: GPL-2.0
/*
 * ICMP errors about XTCP's segments (RFC 1122 4.2.3.9, RFC 5927, RFC 1191).
 *
 * The kernel hands ICMP errors to the protocol's err_handler, which for TCP
 * is Linux's own: it finds no socket for an XTCP flow and ignores them.  So
 * XTCP's LOCAL_IN hook also looks at ICMP (module/netfilter.c), finds the
 * socket from the quoted IP and TCP headers, and acts as Linux's
 * tcp_v4_err() does.  The message then goes on to the kernel's ICMP code,
 * which counts it (and, finding no TCP socket, counts it again as
 * Icmp InErrors).
 *
 * A blind attacker can forge ICMP errors: one is believed only if the
 * sequence number it quotes lies in SND.UNA..SND.NXT (RFC 5927 4.1), that
 * of the SYN-ACK for a request; the others are counted (OutOfWindowIcmps).
 *
 * What each message does, as in Linux:
 * - fragmentation needed: path MTU discovery (module/pmtu.c);
 * - other destination unreachable, time exceeded, parameter problem: an
 *   opening connection (SYN-SENT, a simultaneous open's SYN-RECEIVED) fails
 *   at once with the error (EHOSTUNREACH, ENETUNREACH, ECONNREFUSED...)
 *   and a request of a listener is dropped (host/net unreachable, time
 *   exceeded, parameter problem); a synchronized connection goes on, the
 *   error kept in sk_err_soft and reported if the connection times out,
 *   or at once with IP_RECVERR;
 * - redirect: the route is updated;
 * - source quench and others: ignored.
 * The error of an opening connection is also queued on the socket's error
 * queue (recvmsg(MSG_ERRQUEUE)), with or without IP_RECVERR, as
 * tcp_v4_err() does.
 */
#include <linux/errqueue.h>
#include <linux/icmp.h>
#include <linux/ip.h>
#include <net/icmp.h>
#include <net/ip.h>
#include <net/route.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "xtcp.h"
#include "icmp.h"
#include "pmtu.h"

/* What one ICMP error says, taken apart. */
struct xtcp_icmp {
	u8	type;
	u8	code;
	u32	info;		/* the MTU, or a parameter problem's pointer */
	u32	seq;		/* the quoted segment's sequence number */
	__be16	rport;		/* its destination port: the peer's */
	unsigned int payload;	/* offset of the quoted TCP header */
};

/*
 * Queue the error on the socket's error queue, as the kernel's
 * ip_icmp_error() (not exported) does.  The queued message is the quoted
 * segment; the offender is the ICMP's sender.  Like tcp_v4_err(), the
 * caller does so for an opening connection whether or not IP_RECVERR is
 * set (IP_RECVERR decides only whether a connected socket's error is
 * reported at once).
 */
static void xtcp_icmp_queue_err(struct sock *sk, struct sk_buff *skb,
				int err, const struct xtcp_icmp *m)
{
	const struct icmphdr *icmph;
	struct sock_exterr_skb *serr;

	skb = skb_clone(skb, GFP_ATOMIC);
	if (!skb)
		return;
	icmph = (const struct icmphdr *)(skb_network_header(skb) +
					 ip_hdrlen(skb));
	serr = SKB_EXT_ERR(skb);
	memset(serr, 0, sizeof(*serr));
	serr->ee.ee_errno = err;
	serr->ee.ee_origin = SO_EE_ORIGIN_ICMP;
	serr->ee.ee_type = icmph->type;
	serr->ee.ee_code = icmph->code;
	serr->ee.ee_info = m->info;
	serr->addr_offset = (u8 *)&((struct iphdr *)(icmph + 1))->daddr -
			    skb_network_header(skb);
	serr->port = m->rport;
	skb_pull(skb, m->payload);
	skb_reset_transport_header(skb);
	if (sock_queue_err_skb(sk, skb))
		kfree_skb(skb);
}

/**
 * xtcp_recv_error() - recvmsg(MSG_ERRQUEUE): the next queued ICMP error
 * @sk: socket
 * @msg: where the quoted segment, the peer's address and the
 *	IP_RECVERR control message go
 * @len: room for the quoted segment
 * @addr_len: set to the length of the address written
 *
 * As the kernel's ip_recv_error(), which a module cannot call.
 *
 * Return: bytes of the quoted segment copied, or -EAGAIN if the queue is
 * empty, or another negative errno.
 */
int xtcp_recv_error(struct sock *sk, struct msghdr *msg, int len,
		    int *addr_len)
{
	DECLARE_SOCKADDR(struct sockaddr_in *, sin, msg->msg_name);
	struct {
		struct sock_extended_err ee;
		struct sockaddr_in offender;
	} errhdr;
	struct sock_exterr_skb *serr;
	struct sk_buff *skb;
	int copied, err;

	skb = sock_dequeue_err_skb(sk);
	if (!skb)
		return -EAGAIN;
	copied = skb->len;
	if (copied > len) {
		msg->msg_flags |= MSG_TRUNC;
		copied = len;
	}
	err = skb_copy_datagram_msg(skb, 0, msg, copied);
	if (unlikely(err)) {
		kfree_skb(skb);
		return err;
	}
	sock_recv_timestamp(msg, sk, skb);
	serr = SKB_EXT_ERR(skb);
	if (sin && serr->port) {
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = *(__be32 *)(skb_network_header(skb) +
						   serr->addr_offset);
		sin->sin_port = serr->port;
		memset(&sin->sin_zero, 0, sizeof(sin->sin_zero));
		*addr_len = sizeof(*sin);
	}
	memcpy(&errhdr.ee, &serr->ee, sizeof(struct sock_extended_err));
	memset(&errhdr.offender, 0, sizeof(errhdr.offender));
	errhdr.offender.sin_family = AF_INET;
	errhdr.offender.sin_addr.s_addr = ip_hdr(skb)->saddr;
	put_cmsg(msg, SOL_IP, IP_RECVERR, sizeof(errhdr), &errhdr);
	msg->msg_flags |= MSG_ERRQUEUE;
	consume_skb(skb);
	return copied;
}

/* The error a message gives (-errno), or 0 for one that gives none. */
static int xtcp_icmp_errno(const struct xtcp_icmp *m)
{
	switch (m->type) {
	case ICMP_PARAMETERPROB:
		return -EPROTO;
	case ICMP_DEST_UNREACH:
		if (m->code > NR_ICMP_UNREACH || m->code == ICMP_FRAG_NEEDED)
			return 0;
		return -icmp_err_convert[m->code].errno;
	case ICMP_TIME_EXCEEDED:
		return -EHOSTUNREACH;
	default:
		return 0;
	}
}

/* An error about a connection (not a request): as tcp_v4_err(). */
static void xtcp_icmp_sk(struct sock *sk, struct sk_buff *skb,
			 const struct xtcp_icmp *m)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct net *net = sock_net(sk);
	struct dst_entry *dst;
	int err;

	bh_lock_sock(sk);
	if (sock_owned_by_user(sk) &&
	    !(m->type == ICMP_DEST_UNREACH && m->code == ICMP_FRAG_NEEDED))
		XTCP_INC_STATS(net, XTCP_MIB_LOCKDROPPEDICMPS);
	if (sk->sk_state == XTCP_CLOSE)
		goto out;
	/* RFC 5927 4.1: a blind attacker does not know what is in flight */
	if (!xtcp_seq_between(m->seq, xs->snd_una, xs->snd_max)) {
		XTCP_INC_STATS(net, XTCP_MIB_OUTOFWINDOWICMPS);
		goto out;
	}
	if (m->type == ICMP_REDIRECT) {
		dst = sock_owned_by_user(sk) ? NULL : __sk_dst_check(sk, 0);
		if (dst)
			dst->ops->redirect(dst, sk, skb);
		goto out;
	}
	if (m->type == ICMP_DEST_UNREACH && m->code == ICMP_FRAG_NEEDED) {
		WRITE_ONCE(xs->mtu_info, m->info);
		if (!sock_owned_by_user(sk))
			xtcp_mtu_reduced(sk);
		else if (!test_and_set_bit(XTCP_MTU_REDUCED_DEFERRED,
					   &xs->deferred))
			sock_hold(sk);
		goto out;
	}
	err = -xtcp_icmp_errno(m);
	if (!err)
		goto out;

	if (sk->sk_state == XTCP_SYN_SENT || sk->sk_state == XTCP_SYN_RECV) {
		xtcp_icmp_queue_err(sk, skb, err, m);
		if (!sock_owned_by_user(sk)) {
			WRITE_ONCE(sk->sk_err, err);
			xtcp_transition(sk, XTCP_EV_ICMP_ERR);
			xtcp_done(sk);
			sk_error_report(sk);
		} else {
			WRITE_ONCE(sk->sk_err_soft, err);
		}
		goto out;
	}
	/*
	 * A synchronized connection goes on (RFC 1122 4.2.3.9 lets a TCP
	 * abort only for protocol and port unreachable, and Linux does not
	 * even then): the error is reported if it times out, or at once to
	 * a program that asked for errors with IP_RECVERR.
	 */
	if (!sock_owned_by_user(sk) && xtcp_sk_recverr(sk)) {
		WRITE_ONCE(sk->sk_err, err);
		sk_error_report(sk);
	} else {
		WRITE_ONCE(sk->sk_err_soft, err);
	}
out:
	bh_unlock_sock(sk);
}

/* An error about a request's SYN-ACK: as tcp_req_err(). */
static void xtcp_icmp_req(struct xtcp_request *req, const struct xtcp_icmp *m)
{
	struct net *net = read_pnet(&req->net);

	if (m->seq != req->iss) {
		XTCP_INC_STATS(net, XTCP_MIB_OUTOFWINDOWICMPS);
		return;
	}
	/* the peer may be gone or unreachable: do not keep resending */
	if (m->type == ICMP_PARAMETERPROB || m->type == ICMP_TIME_EXCEEDED ||
	    (m->type == ICMP_DEST_UNREACH && (m->code == ICMP_NET_UNREACH ||
					      m->code == ICMP_HOST_UNREACH))) {
		XTCP_INC_STATS(net, XTCP_MIB_LISTENDROPS);
		xtcp_req_drop(req);
	}
}

/**
 * xtcp_icmp_rcv() - look at an ICMP message arriving at LOCAL_IN
 * @net: namespace
 * @skb: the message, skb->data at its IP header; not consumed
 *
 * Return: true if it was an error about an XTCP connection, request or
 * TIME_WAIT (which ignores errors, as Linux's), false otherwise.  Either
 * way the kernel goes on with the message.
 */
bool xtcp_icmp_rcv(struct net *net, struct sk_buff *skb)
{
	unsigned int ihl = ip_hdrlen(skb), qoff = ihl + sizeof(struct icmphdr);
	int dif = inet_iif(skb), sdif = inet_sdif(skb);
	const struct icmphdr *icmph;
	const struct iphdr *qiph;
	const struct tcphdr *qth;
	struct xtcp_request *req;
	struct xtcp_icmp m;
	struct xtcp_tw *tw;
	struct sock *sk;
	unsigned int qihl;

	if (skb->pkt_type != PACKET_HOST ||
	    !pskb_may_pull(skb, qoff + sizeof(struct iphdr)))
		return false;
	icmph = (const struct icmphdr *)(skb->data + ihl);
	switch (icmph->type) {
	case ICMP_DEST_UNREACH:
	case ICMP_SOURCE_QUENCH:
	case ICMP_REDIRECT:
	case ICMP_TIME_EXCEEDED:
	case ICMP_PARAMETERPROB:
		break;
	default:
		return false;
	}
	qiph = (const struct iphdr *)(skb->data + qoff);
	qihl = qiph->ihl * 4;
	/* a later fragment quotes no TCP header */
	if (qiph->version != 4 || qihl < sizeof(struct iphdr) ||
	    qiph->protocol != IPPROTO_TCP ||
	    (qiph->frag_off & htons(IP_OFFSET)))
		return false;
	/* RFC 792: at least the first 8 bytes: ports and sequence number */
	if (!pskb_may_pull(skb, qoff + qihl + 8))
		return false;
	/* a corrupt message is the kernel's to drop and count */
	if (skb->ip_summed != CHECKSUM_UNNECESSARY &&
	    csum_fold(skb_checksum(skb, ihl, skb->len - ihl, 0)))
		return false;

	icmph = (const struct icmphdr *)(skb->data + ihl);
	qiph = (const struct iphdr *)(skb->data + qoff);
	qth = (const struct tcphdr *)(skb->data + qoff + qihl);
	m.type = icmph->type;
	m.code = icmph->code;
	m.info = 0;
	if (m.type == ICMP_DEST_UNREACH && m.code == ICMP_FRAG_NEEDED)
		m.info = ntohs(icmph->un.frag.mtu);
	else if (m.type == ICMP_PARAMETERPROB)
		m.info = ntohl(icmph->un.gateway) >> 24;
	m.seq = ntohl(qth->seq);
	m.rport = qth->dest;
	m.payload = qoff + qihl;

	/* the quoted segment is ours: its source is the local end */
	sk = xtcp_lookup_established(net, qiph->daddr, qth->dest,
				     qiph->saddr, qth->source, dif, sdif);
	if (sk) {
		xtcp_icmp_sk(sk, skb, &m);
		sock_put(sk);
		return true;
	}
	req = xtcp_lookup_req(net, qiph->daddr, qth->dest, qiph->saddr,
			      qth->source, dif, sdif);
	if (req) {
		xtcp_icmp_req(req, &m);
		xtcp_req_put(req);
		return true;
	}
	tw = xtcp_lookup_tw(net, qiph->daddr, qth->dest, qiph->saddr,
			    qth->source, dif, sdif);
	if (tw) {
		xtcp_tw_put(tw);
		return true;
	}
	return false;
}
