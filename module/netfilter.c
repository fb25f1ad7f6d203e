// SPDX-License-Identifier: GPL-2.0
/*
 * The receive path: a netfilter hook at IPv4 LOCAL_IN claims the TCP
 * segments that belong to XTCP sockets and leaves every other packet to the
 * kernel.  It runs after every other LOCAL_IN hook but conntrack's
 * confirmation (the filter, security and NAT tables, and nftables chains of
 * any priority below NF_IP_PRI_LAST - 1), so firewall rules and NAT apply
 * to XTCP as to Linux's TCP; it confirms the conntrack entry of a segment
 * it claims itself (module/conntrack.c).  It also reads the ICMP errors
 * about XTCP's segments (module/icmp.c) and lets them go on.  Lookups are
 * RCU; the only lock taken is the socket's (for a listener, not even that:
 * module/request.c).
 */
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <net/ip.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/tcp.h>

#include "xtcp.h"
#include "conntrack.h"
#include "icmp.h"

/* Hand a claimed segment to its socket, or to the backlog if a user owns it. */
static void xtcp_deliver(struct sock *sk, struct sk_buff *skb)
{
	bh_lock_sock(sk);
	if (!sock_owned_by_user(sk)) {
		xtcp_rcv(sk, skb);
	} else if (sk_add_backlog(sk, skb, READ_ONCE(sk->sk_rcvbuf) +
				  READ_ONCE(sk->sk_sndbuf))) {
		kfree_skb(skb);
	}
	bh_unlock_sock(sk);
}

/*
 * Validate a claimed segment: full header, checksum.  Leaves skb->data at
 * the payload and the cb filled.  Return: false if it must be dropped.
 */
static bool xtcp_nf_validate(struct net *net, struct sk_buff *skb,
			     unsigned int ihl)
{
	const struct tcphdr *th = (const struct tcphdr *)(skb->data + ihl);
	unsigned int thlen = th->doff * 4;

	if (thlen < sizeof(struct tcphdr) || !pskb_may_pull(skb, ihl + thlen)) {
		XTCP_INC_STATS(net, XTCP_MIB_INERRS);
		return false;
	}
	skb_set_transport_header(skb, ihl);
	__skb_pull(skb, ihl);
	if (skb_checksum_init(skb, IPPROTO_TCP, inet_compute_pseudo) ||
	    (!skb_csum_unnecessary(skb) && __skb_checksum_complete(skb))) {
		XTCP_INC_STATS(net, XTCP_MIB_INCSUMERRORS);
		XTCP_INC_STATS(net, XTCP_MIB_INERRS);
		return false;
	}
	th = tcp_hdr(skb);
	__skb_pull(skb, thlen);
	xtcp_fill_cb(skb, th);
	nf_reset_ct(skb);
	XTCP_ADD_STATS(net, XTCP_MIB_INSEGS, skb_shinfo(skb)->gso_segs ? : 1);
	return true;
}

static unsigned int xtcp_nf_local_in(void *priv, struct sk_buff *skb,
				     const struct nf_hook_state *state)
{
	const struct iphdr *iph = ip_hdr(skb);
	unsigned int ihl = iph->ihl * 4;
	int dif = inet_iif(skb), sdif = inet_sdif(skb);
	struct xtcp_request *req = NULL;
	const struct tcphdr *th;
	struct xtcp_tw *tw = NULL;
	struct sock *sk, *child;

	if (iph->protocol == IPPROTO_ICMP) {
		xtcp_icmp_rcv(state->net, skb);
		return NF_ACCEPT;
	}
	if (iph->protocol != IPPROTO_TCP || skb->pkt_type != PACKET_HOST)
		return NF_ACCEPT;
	if (!pskb_may_pull(skb, ihl + sizeof(struct tcphdr)))
		return NF_ACCEPT;	/* the kernel drops and counts it */
	iph = ip_hdr(skb);
	th = (const struct tcphdr *)(skb->data + ihl);

	/* connections, then handshakes, TIME_WAIT, and last listeners */
	sk = xtcp_lookup_established(state->net, iph->saddr, th->source,
				     iph->daddr, th->dest, dif, sdif);
	if (!sk)
		req = xtcp_lookup_req(state->net, iph->saddr, th->source,
				      iph->daddr, th->dest, dif, sdif);
	if (!sk && !req)
		tw = xtcp_lookup_tw(state->net, iph->saddr, th->source,
				    iph->daddr, th->dest, dif, sdif);
	if (!sk && !req && !tw)
		sk = xtcp_lookup_listener(state->net, iph->saddr, th->source,
					  iph->daddr, th->dest, dif, sdif);
	if (!sk && !req && !tw)
		return NF_ACCEPT;

	/* from here on the segment is ours: a bad one is dropped */
	if (xtcp_ct_confirm(skb, ihl, state) != NF_ACCEPT ||
	    !xtcp_nf_validate(state->net, skb, ihl))
		goto drop;
	if (req) {
		sk = xtcp_req_rcv(req, skb);
		xtcp_req_put(req);
		if (!sk)
			goto consumed;
	} else if (tw) {
		sk = xtcp_tw_rcv(tw, skb);
		xtcp_tw_put(tw);
		if (!sk)
			goto consumed;
	}
	if (sk->sk_state == XTCP_LISTEN) {
		/* no socket lock: the listen path has its own (request.c) */
		child = xtcp_listen_rcv(sk, skb);
		sock_put(sk);
		if (!child)
			return NF_STOLEN;
		sk = child;
	}
	xtcp_deliver(sk, skb);
	sock_put(sk);
	return NF_STOLEN;
consumed:
	consume_skb(skb);
	return NF_STOLEN;
drop:
	if (req)
		xtcp_req_put(req);
	else if (tw)
		xtcp_tw_put(tw);
	else
		sock_put(sk);
	return NF_DROP;
}

static const struct nf_hook_ops xtcp_nf_ops = {
	.hook		= xtcp_nf_local_in,
	.pf		= NFPROTO_IPV4,
	.hooknum	= NF_INET_LOCAL_IN,
	/* the last before conntrack's confirmation */
	.priority	= NF_IP_PRI_LAST - 1,
};

int xtcp_nf_register(struct net *net)
{
	return nf_register_net_hook(net, &xtcp_nf_ops);
}

void xtcp_nf_unregister(struct net *net)
{
	nf_unregister_net_hook(net, &xtcp_nf_ops);
}
