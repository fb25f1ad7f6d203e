// SPDX-License-Identifier: GPL-2.0
/*
 * Request socks: a passive open between the SYN and the handshake's final
 * ACK (SYN-RECEIVED, RFC 9293 3.10.7.2 and 3.10.7.4) kept in a small
 * struct xtcp_request instead of a full socket.
 *
 * A SYN for a listener makes a request, hashes it in the request table (so
 * the final ACK finds it under RCU), puts it on the listener's SYN queue
 * and sends the SYN-ACK.  Its timer resends the SYN-ACK with exponential
 * backoff and ends the request after net.xtcp.synack_retries resends.  The
 * final ACK builds the full socket, which goes straight to the accept queue
 * in ESTABLISHED (xtcp_child_enqueue()); if that queue is full the ACK is
 * dropped and the request stays, so the client's retransmission completes
 * the handshake later.  A full SYN queue means SYN cookies
 * (module/syncookie.c) or a counted drop.
 *
 * References: the table and queue together hold one, the armed timer one,
 * each lookup one.  Whoever unlinks a request (under the listener's
 * accept_lock) drops the table's reference and cancels the timer, dropping
 * its reference if the timer was armed; a timer that finds its request
 * unlinked drops its own.  A request holds a reference on its listener; the
 * last reference frees the request after an RCU grace period.  No lock is
 * taken on the listening socket itself: SYNs and ACKs for a listener are
 * handled in softirq under RCU and the accept_lock only.
 */
#include <linux/siphash.h>
#include <net/ip.h>
#include <net/l3mdev.h>
#include <net/tcp.h>

#include "xtcp.h"
#include "trace.h"

static struct kmem_cache *xtcp_req_cache __read_mostly;
static siphash_key_t xtcp_ts_key __read_mostly;

int xtcp_req_init(void)
{
	get_random_bytes(&xtcp_ts_key, sizeof(xtcp_ts_key));
	xtcp_req_cache = kmem_cache_create("xtcp_request",
					   sizeof(struct xtcp_request), 0,
					   SLAB_HWCACHE_ALIGN, NULL);
	return xtcp_req_cache ? 0 : -ENOMEM;
}

/* After rcu_barrier(): every request has been freed. */
void xtcp_req_exit(void)
{
	kmem_cache_destroy(xtcp_req_cache);
}

/**
 * xtcp_passive_ts_offset() - the TSval clock offset of a passive connection
 * @laddr: local address
 * @raddr: remote address
 * @lport: local port
 * @rport: remote port
 *
 * A keyed hash of the 4-tuple rather than a random number, so that a
 * connection rebuilt from a SYN cookie keeps the clock its SYN-ACK used.
 *
 * Return: the offset.
 */
u32 xtcp_passive_ts_offset(__be32 laddr, __be32 raddr, __be16 lport,
			   __be16 rport)
{
	return siphash_3u32((__force u32)laddr, (__force u32)raddr,
			    (__force u32)lport << 16 | (__force u32)rport,
			    &xtcp_ts_key);
}

static void xtcp_req_free_rcu(struct rcu_head *head)
{
	kmem_cache_free(xtcp_req_cache,
			container_of(head, struct xtcp_request, rcu));
}

void xtcp_req_put(struct xtcp_request *req)
{
	if (!refcount_dec_and_test(&req->refcnt))
		return;
	sock_put(req->listener);
	call_rcu(&req->rcu, xtcp_req_free_rcu);
}

/* The SYN-ACK timeout after @retrans resends: 1 s doubled, capped. */
static u64 xtcp_req_timeout_ns(u8 retrans)
{
	u64 us = min_t(u64, (u64)XTCP_INIT_RTO_US << min_t(u8, retrans, 16),
		       XTCP_MAX_RTO_US);

	return us * NSEC_PER_USEC;
}

/*
 * Take @req off its listener's SYN queue and out of the request table.
 * Caller holds the listener's accept_lock.  Return: true if this call
 * unlinked it; the caller then owns the table's reference.
 */
static bool __xtcp_req_unlink(struct xtcp_sock *lxs, struct xtcp_request *req)
{
	if (list_empty(&req->qnode))
		return false;
	list_del_init(&req->qnode);
	lxs->syn_qlen--;
	xtcp_req_unhash(req);
	return true;
}

/* The caller unlinked @req: stop its timer and drop the table's reference. */
static void xtcp_req_finish(struct xtcp_request *req)
{
	/* waits for a running timer, which then sees @req unlinked */
	if (hrtimer_cancel(&req->timer))
		xtcp_req_put(req);
	xtcp_req_put(req);
}

/**
 * xtcp_req_drop() - end a request if it is still linked
 * @req: request, referenced by the caller
 *
 * For a RST, a closing listener, or an ICMP error that says the peer is
 * unreachable (module/icmp.c).
 */
void xtcp_req_drop(struct xtcp_request *req)
{
	struct xtcp_sock *lxs = xtcp_sk(req->listener);
	bool unlinked;

	spin_lock_bh(&lxs->accept_lock);
	unlinked = __xtcp_req_unlink(lxs, req);
	spin_unlock_bh(&lxs->accept_lock);
	if (unlinked)
		xtcp_req_finish(req);
}

static enum hrtimer_restart xtcp_req_timer(struct hrtimer *t)
{
	struct xtcp_request *req = container_of(t, struct xtcp_request, timer);
	struct xtcp_sock *lxs = xtcp_sk(req->listener);
	struct net *net = read_pnet(&req->net);
	int max = READ_ONCE(xtcp_pernet(net)->synack_retries);
	bool linked, expire = false;

	spin_lock(&lxs->accept_lock);
	linked = !list_empty(&req->qnode);
	if (linked) {
		expire = req->retrans >= max;
		if (expire)
			__xtcp_req_unlink(lxs, req);
		else
			req->retrans++;
	}
	spin_unlock(&lxs->accept_lock);

	if (!linked) {		/* whoever unlinked it found us running */
		xtcp_req_put(req);
		return HRTIMER_NORESTART;
	}
	if (expire) {
		XTCP_INC_STATS(net, XTCP_MIB_REQEXPIRED);
		if (xtcp_trace_states)
			pr_info("%pI4:%u -> %pI4:%u SYN_RECV -> CLOSE (request expired after %u SYN-ACKs)\n",
				&req->laddr, ntohs(req->lport), &req->raddr,
				ntohs(req->rport), req->retrans + 1);
		xtcp_req_put(req);	/* the table's */
		xtcp_req_put(req);	/* the timer's */
		return HRTIMER_NORESTART;
	}
	XTCP_INC_STATS(net, XTCP_MIB_RETRANSSEGS);
	xtcp_send_synack(req);
	hrtimer_forward_now(t, ns_to_ktime(xtcp_req_timeout_ns(req->retrans)));
	return HRTIMER_RESTART;
}

/*
 * The device a request and its child are bound to, as Linux's
 * inet_request_bound_dev_if(): the listener's, or, for an unbound listener
 * that takes connections from VRFs (net.ipv4.tcp_l3mdev_accept), the VRF
 * the SYN arrived through, so that the SYN-ACK and the child's segments
 * are routed in that VRF's table.
 */
static int xtcp_req_bound_dev_if(struct sock *l, const struct sk_buff *skb)
{
	int bound = READ_ONCE(l->sk_bound_dev_if);
#if IS_ENABLED(CONFIG_NET_L3_MASTER_DEV)
	struct net *net = sock_net(l);

	if (!bound && READ_ONCE(net->ipv4.sysctl_tcp_l3mdev_accept))
		return l3mdev_master_ifindex_by_index(net, skb->skb_iif);
#endif
	return bound;
}

/**
 * xtcp_req_set_tuple() - what every request takes from its segment and listener
 * @req: zeroed request
 * @l: listener
 * @skb: the SYN, or a cookie's final ACK
 *
 * The 4-tuple, the TSval clock offset, the window of the SYN-ACK, the
 * device (the listener's, or the VRF of arrival) and the listener's mark
 * and TOS; sequence numbers and options are the caller's.
 */
void xtcp_req_set_tuple(struct xtcp_request *req, struct sock *l,
			const struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);
	const struct tcphdr *th = tcp_hdr(skb);

	write_pnet(&req->net, sock_net(l));
	INIT_LIST_HEAD(&req->qnode);
	req->listener = l;
	req->laddr = iph->daddr;
	req->raddr = iph->saddr;
	req->lport = th->dest;
	req->rport = th->source;
	req->ts_offset = xtcp_passive_ts_offset(req->laddr, req->raddr,
						req->lport, req->rport);
	req->rcv_wnd = min_t(u32, xtcp_rcv_space(l), 65535U);
	req->bound_dev_if = xtcp_req_bound_dev_if(l, skb);
	req->mark = l->sk_mark;
	req->tos = inet_sk(l)->tos;
}

/* What a request keeps of a SYN (RFC 9293 3.10.7.2, RFC 7323, RFC 2018). */
static void xtcp_req_fill(struct xtcp_request *req, struct sock *l,
			  const struct sk_buff *skb, const struct xtcp_opts *o)
{
	struct xtcp_net *xn = xtcp_pernet(sock_net(l));
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	int ecn = READ_ONCE(xn->ecn);

	xtcp_req_set_tuple(req, l, skb);
	req->irs = cb->seq;
	req->peer_mss = o->have_mss ? o->mss : XTCP_DEFAULT_MSS;
	req->wscale_ok = o->have_wscale;
	req->snd_wscale = o->have_wscale ? o->wscale : 0;
	req->sack_ok = o->sack_ok && READ_ONCE(xn->sack);
	req->ts_ok = o->have_ts && READ_ONCE(xn->timestamps);
	req->ts_recent = o->tsval;
	req->ecn_ok = xtcp_ecn_syn_acceptable(ecn, cb->flags, cb->ip_dsfield);
	/* an ECN-setup SYN that arrives ECT-marked was mangled on the way */
	if (ecn && !req->ecn_ok && xtcp_ecn_synack_ok(cb->flags))
		XTCP_INC_STATS(sock_net(l), XTCP_MIB_ECNFALLBACK);
}

/*
 * Log once per listener that cookies are in use, as Linux's "Possible SYN
 * flooding" message, rate-limited globally.
 */
/* Trace a SYN @l drops, for @reason (XTCP_SYNDROP_*). */
static void xtcp_trace_syn_drop(const struct sock *l,
				const struct sk_buff *skb, int reason)
{
	const struct iphdr *iph = ip_hdr(skb);
	const struct tcphdr *th = tcp_hdr(skb);

	trace_xtcp_syn_drop(l, iph->daddr, ntohs(th->dest), iph->saddr,
			    ntohs(th->source), reason);
}

static void xtcp_synflood_warning(struct sock *l, bool cookies)
{
	struct xtcp_sock *lxs = xtcp_sk(l);

	if (lxs->synflood_warned)
		return;
	lxs->synflood_warned = true;
	net_info_ratelimited("possible SYN flooding on port %u. %s.\n",
			     l->sk_num,
			     cookies ? "Sending cookies" : "Dropping request");
}

/**
 * xtcp_req_rcv_syn() - a listener got a SYN (RFC 9293 3.10.7.2)
 * @l: listener, referenced by the caller; no lock held
 * @skb: the SYN (no ACK, no RST), cb filled; not consumed
 * @o: its parsed options
 *
 * Queues a request and sends its SYN-ACK, or answers with a cookie, or
 * drops the SYN: when the accept queue is full (ListenOverflows), or the
 * SYN queue is full and cookies are off (TCPReqQFullDrop).
 *
 * Context: softirq, RCU.
 * Return: 0 if answered, else a negative errno (the caller counts a
 * ListenDrops).
 */
int xtcp_req_rcv_syn(struct sock *l, struct sk_buff *skb,
		     const struct xtcp_opts *o)
{
	struct xtcp_net *xn = xtcp_pernet(sock_net(l));
	struct xtcp_sock *lxs = xtcp_sk(l);
	struct net *net = sock_net(l);
	int cookies = READ_ONCE(xn->syncookies);
	u32 backlog = READ_ONCE(lxs->max_backlog);
	struct xtcp_request *req, tmp;
	bool want_cookie = cookies == 2;
	int err = 0;

	XTCP_INC_STATS(net, XTCP_MIB_LISTENSYNS);
	if (xtcp_acceptq_full(READ_ONCE(lxs->accept_qlen), backlog)) {
		XTCP_INC_STATS(net, XTCP_MIB_LISTENOVERFLOWS);
		xtcp_trace_syn_drop(l, skb, XTCP_SYNDROP_ACCEPTQ_FULL);
		return -ENOBUFS;
	}
	if (!want_cookie &&
	    READ_ONCE(lxs->syn_qlen) >=
	    xtcp_synq_limit(backlog, READ_ONCE(xn->max_syn_backlog))) {
		xtcp_synflood_warning(l, cookies);
		if (!cookies) {
			XTCP_INC_STATS(net, XTCP_MIB_REQQFULLDROP);
			xtcp_trace_syn_drop(l, skb, XTCP_SYNDROP_SYNQ_FULL);
			return -ENOBUFS;
		}
		XTCP_INC_STATS(net, XTCP_MIB_REQQFULLDOCOOKIES);
		want_cookie = true;
	}

	if (want_cookie) {
		memset(&tmp, 0, sizeof(tmp));
		xtcp_req_fill(&tmp, l, skb, o);
		tmp.iss = xtcp_syncookie_seq(&tmp);
		WRITE_ONCE(lxs->synq_overflow, jiffies);
		xtcp_send_synack(&tmp);
		XTCP_INC_STATS(net, XTCP_MIB_SYNCOOKIESSENT);
		trace_xtcp_cookie_sent(l, tmp.laddr, ntohs(tmp.lport), tmp.raddr,
				       ntohs(tmp.rport), tmp.peer_mss);
		return 0;
	}

	req = kmem_cache_zalloc(xtcp_req_cache, GFP_ATOMIC);
	if (!req) {
		xtcp_trace_syn_drop(l, skb, XTCP_SYNDROP_NOMEM);
		return -ENOMEM;
	}
	xtcp_req_fill(req, l, skb, o);
	/* a SYN reusing a TIME_WAIT 4-tuple starts above the old numbers */
	req->iss = XTCP_SKB_CB(skb)->tw_isn ? :
		   xtcp_isn(req->laddr, req->raddr, req->lport, req->rport,
			    ktime_get_ns());
	refcount_set(&req->refcnt, 1);		/* the table's */
	sock_hold(l);
	hrtimer_init(&req->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_SOFT);
	req->timer.function = xtcp_req_timer;
	req->sent_ns = ktime_get_ns();

	spin_lock_bh(&lxs->accept_lock);
	if (lxs->closing || l->sk_state != XTCP_LISTEN)
		err = -ESHUTDOWN;
	else
		err = xtcp_req_hash_insert(req);
	if (!err) {
		list_add_tail(&req->qnode, &lxs->syn_queue);
		lxs->syn_qlen++;
		refcount_inc(&req->refcnt);	/* the timer's */
		hrtimer_start(&req->timer,
			      ns_to_ktime(xtcp_req_timeout_ns(0)),
			      HRTIMER_MODE_REL_SOFT);
	}
	spin_unlock_bh(&lxs->accept_lock);
	if (err) {
		xtcp_req_put(req);
		return err;
	}
	if (xtcp_trace_states)
		pr_info("%pI4:%u -> %pI4:%u LISTEN -> SYN_RECV (request sock) iss=%u irs=%u\n",
			&req->laddr, ntohs(req->lport), &req->raddr,
			ntohs(req->rport), req->iss, req->irs);
	xtcp_send_synack(req);
	return 0;
}

/**
 * xtcp_req_complete() - the handshake's final ACK arrived: make the socket
 * @req: a hashed request (referenced by the caller), or one rebuilt from a
 *	cookie on the caller's stack
 * @skb: the ACK (cb filled); not consumed
 * @o: its options
 *
 * Context: softirq, RCU.
 * Return: the new socket, established and on the accept queue, with a
 * reference for the caller, who delivers @skb to it (it may carry data or
 * a FIN); or NULL: the ACK is to be dropped (accept queue full, no memory,
 * listener closing).
 */
static struct sock *xtcp_req_complete(struct xtcp_request *req,
				      struct sk_buff *skb,
				      const struct xtcp_opts *o)
{
	struct sock *l = req->listener, *child;
	struct xtcp_sock *lxs = xtcp_sk(l);
	struct net *net = sock_net(l);
	int err;

	if (xtcp_acceptq_full(READ_ONCE(lxs->accept_qlen),
			      READ_ONCE(lxs->max_backlog))) {
		err = -ENOBUFS;
		goto drop;
	}
	child = xtcp_child_create(l, req, skb, o);
	if (!child) {
		err = -ENOMEM;
		goto drop;
	}
	sock_hold(child);			/* the caller's */
	err = xtcp_child_enqueue(l, child, req);
	if (err) {
		/* never visible to anyone: it just goes */
		child->sk_state = XTCP_CLOSE;
		sock_set_flag(child, SOCK_DEAD);
		xtcp_done(child);
		__sock_put(child);
		sock_put(child);
		if (err == -EAGAIN)	/* completed on another CPU */
			return xtcp_lookup_established(net, req->raddr,
						       req->rport, req->laddr,
						       req->lport,
						       req->bound_dev_if, 0);
		goto drop;
	}
	if (!req->cookie)
		xtcp_req_finish(req);
	l->sk_data_ready(l);
	return child;
drop:
	/* a request stays: the client's retransmission completes it later */
	if (err == -ENOBUFS) {
		XTCP_INC_STATS(net, XTCP_MIB_LISTENOVERFLOWS);
		xtcp_trace_syn_drop(l, skb, XTCP_SYNDROP_ACCEPTQ_FULL);
	}
	XTCP_INC_STATS(net, XTCP_MIB_LISTENDROPS);
	return NULL;
}

/**
 * xtcp_req_rcv() - a segment for a request sock (SYN-RECEIVED)
 * @req: request, referenced by the caller
 * @skb: segment, cb filled; not consumed
 *
 * A repeated SYN gets the SYN-ACK again, a SYN with another ISN an ACK
 * (whose RST ends the request); an in-window RST ends the request
 * (EmbryonicRsts); an ACK of our SYN builds the connection; an ACK of
 * anything else gets a RST (RFC 9293 3.10.7.4).
 *
 * Context: softirq, RCU.
 * Return: a socket (referenced) that must now get @skb, or NULL when the
 * segment was handled here and is to be freed.
 */
struct sock *xtcp_req_rcv(struct xtcp_request *req, struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct net *net = read_pnet(&req->net);
	const struct tcphdr *th = tcp_hdr(skb);
	struct xtcp_opts o;

	if (cb->flags & TCPHDR_RST) {
		if (xtcp_seq_acceptable(cb->seq, 0, req->irs + 1,
					req->rcv_wnd)) {
			XTCP_INC_STATS(net, XTCP_MIB_EMBRYONICRSTS);
			xtcp_req_drop(req);
		}
		return NULL;
	}
	if (cb->flags & TCPHDR_SYN) {
		/* our SYN-ACK was lost and the peer repeats its SYN */
		if (!(cb->flags & TCPHDR_ACK) && cb->seq == req->irs) {
			XTCP_INC_STATS(net, XTCP_MIB_RETRANSSEGS);
			xtcp_send_synack(req);
		} else if (!(cb->flags & TCPHDR_ACK)) {
			/*
			 * A SYN with another ISN: the peer restarted.  An ACK
			 * of the old SYN draws its RST at IRS + 1, which ends
			 * this request (RFC 9293 3.5, half-open connections).
			 */
			xtcp_send_req_ack(req);
		}
		return NULL;
	}
	if (!(cb->flags & TCPHDR_ACK) ||
	    xtcp_parse_options((u8 *)(th + 1), th->doff * 4 - sizeof(*th), &o))
		return NULL;
	if (cb->ack_seq != req->iss + 1) {
		xtcp_send_reset_reply(net, skb);
		return NULL;
	}
	if (!xtcp_seq_acceptable(cb->seq, cb->end_seq - cb->seq, req->irs + 1,
				 req->rcv_wnd))
		return NULL;
	if (req->ts_ok && o.have_ts &&
	    xtcp_paws_reject(o.tsval, req->ts_recent, 0)) {
		XTCP_INC_STATS(net, XTCP_MIB_PAWSESTAB);
		return NULL;
	}
	return xtcp_req_complete(req, skb, &o);
}

/**
 * xtcp_listen_ack() - an ACK for a listener, with no request: a cookie?
 * @l: listener, referenced by the caller
 * @skb: the segment (ACK without SYN or RST), cb filled; not consumed
 * @o: its options
 *
 * Cookies are checked when net.xtcp.syncookies is 2, or 1 and the SYN
 * queue overflowed in the last two minutes (so a random ACK cannot build
 * a connection on an idle listener).  Anything else is answered with RST.
 *
 * Return: the new socket (referenced) that must now get @skb, or NULL.
 */
struct sock *xtcp_listen_ack(struct sock *l, struct sk_buff *skb,
			     const struct xtcp_opts *o)
{
	struct xtcp_net *xn = xtcp_pernet(sock_net(l));
	unsigned long last = READ_ONCE(xtcp_sk(l)->synq_overflow);
	int cookies = READ_ONCE(xn->syncookies);
	struct xtcp_request req;

	if (cookies == 2 ||
	    (cookies && last && time_before(jiffies, last + 120 * HZ))) {
		if (xtcp_syncookie_check(l, skb, o, &req))
			return xtcp_req_complete(&req, skb, o);
	}
	xtcp_send_reset_reply(sock_net(l), skb);
	return NULL;
}

/**
 * xtcp_req_purge() - end every request of a closing listener
 * @l: listener, with xs->closing set; process context
 */
void xtcp_req_purge(struct sock *l)
{
	struct xtcp_sock *lxs = xtcp_sk(l);
	struct xtcp_request *req;

	for (;;) {
		spin_lock_bh(&lxs->accept_lock);
		req = list_first_entry_or_null(&lxs->syn_queue,
					       struct xtcp_request, qnode);
		if (req)
			__xtcp_req_unlink(lxs, req);
		spin_unlock_bh(&lxs->accept_lock);
		if (!req)
			break;
		xtcp_req_finish(req);
	}
}
