// SPDX-License-Identifier: GPL-2.0
/*
 * Listeners: the SYN queue of request socks (module/request.c), the accept
 * queue of established children, and the passive open (RFC 9293 3.10.7.2).
 *
 * A child is a full socket from the handshake's final ACK on.  While it
 * waits in its listener's accept queue it holds a reference on the
 * listener, and the queue holds the child's first reference (which becomes
 * the reference of its struct socket at accept()).  Whoever takes a child
 * off the queue, under the listener's accept_lock, drops both.  Once a
 * listener starts closing (xs->closing) it owns every queued child and
 * request and ends them.
 *
 * Limits, as Linux's: listen(backlog) is capped by net.xtcp.somaxconn; the
 * accept queue is full when it holds more than backlog children; the SYN
 * queue holds at most min(backlog, net.xtcp.max_syn_backlog) + 1 requests.
 */
#include <net/ip.h>
#include <net/route.h>
#include <net/tcp.h>

#include "xtcp.h"
#include "trace.h"

/**
 * xtcp_listen_start() - enter LISTEN
 * @sk: socket, owned by the user, in CLOSE or already in LISTEN
 * @backlog: listen() backlog, capped by net.xtcp.somaxconn
 *
 * Return: 0 or a negative errno (-EADDRINUSE if another listener holds
 * the address and port without SO_REUSEPORT on both).
 */
int xtcp_listen_start(struct sock *sk, int backlog)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	int err;

	backlog = xtcp_listen_backlog(backlog,
				      READ_ONCE(xtcp_pernet(sock_net(sk))->somaxconn));
	if (sk->sk_state == XTCP_LISTEN) {
		WRITE_ONCE(xs->max_backlog, backlog);
		return 0;
	}
	if (sk->sk_state != XTCP_CLOSE)
		return -EINVAL;
	if (!sk->sk_num) {
		err = xtcp_port_reserve(sk, sk->sk_rcv_saddr, 0);
		if (err)
			return err;
	}
	xs->max_backlog = backlog;
	xs->closing = false;
	xs->synq_overflow = 0;
	xs->synflood_warned = false;
	xtcp_transition(sk, XTCP_EV_LISTEN);
	err = xtcp_lhash_insert(sk);
	if (err) {
		xtcp_transition(sk, XTCP_EV_CLOSE);
		return err;
	}
	return 0;
}

/**
 * xtcp_listen_backlog() - the accept queue limit listen(@backlog) gets
 * @backlog: the listen() argument
 * @somaxconn: net.xtcp.somaxconn
 *
 * Return: @backlog, or @somaxconn if above it (a negative @backlog too).
 */
u32 xtcp_listen_backlog(int backlog, u32 somaxconn)
{
	return (u32)backlog > somaxconn ? somaxconn : (u32)backlog;
}

XTCP_EXPORT_FOR_TEST(xtcp_listen_backlog);

/**
 * xtcp_acceptq_full() - is the accept queue full?
 * @qlen: children waiting for accept()
 * @backlog: the listener's limit
 *
 * Return: true if a new child must wait; the queue holds @backlog + 1, as
 * Linux's (so listen(0) still accepts one connection).
 */
bool xtcp_acceptq_full(u32 qlen, u32 backlog)
{
	return qlen > backlog;
}

XTCP_EXPORT_FOR_TEST(xtcp_acceptq_full);

/**
 * xtcp_synq_limit() - how many requests the SYN queue holds
 * @backlog: the listener's limit
 * @max_syn_backlog: net.xtcp.max_syn_backlog
 *
 * Return: min(@backlog, @max_syn_backlog) + 1, as Linux's SYN queue holds
 * one more than its limit, like the accept queue.
 */
u32 xtcp_synq_limit(u32 backlog, u32 max_syn_backlog)
{
	return min(backlog, max_syn_backlog) + 1;
}

XTCP_EXPORT_FOR_TEST(xtcp_synq_limit);

/**
 * xtcp_listen_stop() - leave LISTEN, end every request, abort every child
 * @sk: listener, owned by the user
 */
void xtcp_listen_stop(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk), *cxs, *tmp;
	LIST_HEAD(children);

	xtcp_unhash(sk);
	xtcp_transition(sk, XTCP_EV_CLOSE);
	spin_lock_bh(&xs->accept_lock);
	xs->closing = true;
	list_splice_init(&xs->accept_queue, &children);
	xs->accept_qlen = 0;
	spin_unlock_bh(&xs->accept_lock);
	xtcp_req_purge(sk);

	list_for_each_entry_safe(cxs, tmp, &children, accept_node) {
		struct sock *child = &cxs->inet.sk;

		list_del_init(&cxs->accept_node);
		lock_sock_nested(child, SINGLE_DEPTH_NESTING);
		cxs->listener = NULL;
		cxs->in_accept_queue = false;
		if (child->sk_state != XTCP_CLOSE) {
			xtcp_send_active_reset(child, GFP_KERNEL);
			xtcp_transition(child, XTCP_EV_ABORT);
			xtcp_done(child);
		}
		sock_set_flag(child, SOCK_DEAD);
		release_sock(child);
		sock_put(sk);		/* the child's hold on its listener */
		sock_put(child);	/* the queue's reference */
	}
	sk->sk_state_change(sk);
}

/*
 * Take @cxs off the accept queue of @lxs.  Return: true if this call
 * removed it; the caller then owns the child's queue reference and its
 * hold on the listener.  False if a closing listener owns the child, or
 * someone else removed it first.
 */
static bool xtcp_queue_remove(struct xtcp_sock *lxs, struct xtcp_sock *cxs)
{
	bool removed = false;

	spin_lock_bh(&lxs->accept_lock);
	if (!lxs->closing && !list_empty(&cxs->accept_node)) {
		list_del_init(&cxs->accept_node);
		lxs->accept_qlen--;
		cxs->in_accept_queue = false;
		removed = true;
	}
	spin_unlock_bh(&lxs->accept_lock);
	return removed;
}

/**
 * xtcp_child_unlink() - a child closed before accept(): leave the queue
 * @child: child, locked, with xs->listener set
 */
void xtcp_child_unlink(struct sock *child)
{
	struct xtcp_sock *cxs = xtcp_sk(child);
	struct sock *l = cxs->listener;

	if (!xtcp_queue_remove(xtcp_sk(l), cxs))
		return;
	cxs->listener = NULL;
	sock_set_flag(child, SOCK_DEAD);
	sock_put(l);
	sock_put(child);
}

/**
 * xtcp_accept_dequeue() - take the oldest established child
 * @sk: listener, owned by the user
 * @flags: O_NONBLOCK
 * @err: set when NULL is returned
 *
 * Return: the child, whose queue reference is now the caller's, or NULL.
 */
struct sock *xtcp_accept_dequeue(struct sock *sk, int flags, int *err)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	long timeo = sock_rcvtimeo(sk, flags & O_NONBLOCK);
	DEFINE_WAIT_FUNC(wait, woken_wake_function);

	for (;;) {
		struct xtcp_sock *cxs;
		struct sock *child;
		bool removed;

		if (sk->sk_state != XTCP_LISTEN) {
			*err = -EINVAL;
			return NULL;
		}
		spin_lock_bh(&xs->accept_lock);
		cxs = list_first_entry_or_null(&xs->accept_queue,
					       struct xtcp_sock, accept_node);
		if (cxs)
			sock_hold(&cxs->inet.sk);
		spin_unlock_bh(&xs->accept_lock);

		if (cxs) {
			child = &cxs->inet.sk;
			/* the child's lock keeps its receive path out */
			lock_sock_nested(child, SINGLE_DEPTH_NESTING);
			removed = xtcp_queue_remove(xs, cxs);
			if (removed)
				cxs->listener = NULL;
			release_sock(child);
			sock_put(child);
			if (removed) {
				sock_put(sk);
				return child;
			}
			continue;
		}
		if (!timeo) {
			*err = -EAGAIN;
			return NULL;
		}
		if (signal_pending(current)) {
			*err = sock_intr_errno(timeo);
			return NULL;
		}
		add_wait_queue(sk_sleep(sk), &wait);
		sk_wait_event(sk, &timeo, !list_empty(&xs->accept_queue) ||
			      sk->sk_state != XTCP_LISTEN, &wait);
		remove_wait_queue(sk_sleep(sk), &wait);
	}
}

__poll_t xtcp_listen_poll(struct sock *sk)
{
	return READ_ONCE(xtcp_sk(sk)->accept_qlen) ? EPOLLIN | EPOLLRDNORM : 0;
}

/**
 * xtcp_child_create() - build the socket of a completed handshake
 * @l: listener
 * @req: the request (or one rebuilt from a cookie)
 * @skb: the handshake's final ACK
 * @o: its options
 *
 * The child copies its listener's settings and the request's sequence
 * numbers and options.  It is not visible to anyone yet; it is left in
 * SYN_RECV for xtcp_child_enqueue().
 *
 * Return: the child, with one reference, or NULL.
 */
struct sock *xtcp_child_create(struct sock *l, const struct xtcp_request *req,
			       const struct sk_buff *skb,
			       const struct xtcp_opts *o)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *lxs = xtcp_sk(l), *cxs;
	struct net *net = sock_net(l);
	struct inet_sock *cinet;
	struct flowi4 *fl4;
	struct sock *child;
	struct rtable *rt;
	u64 rtt_us = 0;

	child = sk_alloc(net, PF_XTCP, GFP_ATOMIC, &xtcp_prot, 0);
	if (!child)
		return NULL;
	sock_init_data(NULL, child);
	xtcp_init_sock_common(child);
	cxs = xtcp_sk(child);
	cinet = inet_sk(child);

	child->sk_rcvbuf = READ_ONCE(l->sk_rcvbuf);
	child->sk_sndbuf = READ_ONCE(l->sk_sndbuf);
	child->sk_userlocks = l->sk_userlocks & ~SOCK_BINDPORT_LOCK;
	/* the listener's device, or the VRF the SYN came through */
	child->sk_bound_dev_if = req->bound_dev_if;
	child->sk_mark = l->sk_mark;
	child->sk_priority = l->sk_priority;
	cinet->tos = inet_sk(l)->tos;
	cinet->uc_ttl = inet_sk(l)->uc_ttl;
	cxs->nodelay = lxs->nodelay;
	cxs->cork = lxs->cork;
	cxs->user_mss = lxs->user_mss;
	cxs->user_timeout = lxs->user_timeout;
	cxs->keepalive_time = lxs->keepalive_time;
	cxs->keepalive_intvl = lxs->keepalive_intvl;
	cxs->keepalive_probes = lxs->keepalive_probes;
	if (sock_flag(l, SOCK_KEEPOPEN))
		sock_set_flag(child, SOCK_KEEPOPEN);

	child->sk_num = l->sk_num;
	/* the port stays reserved until the last child and TIME_WAIT go */
	cxs->port = xtcp_port_get(lxs->port);
	cinet->inet_sport = req->lport;
	cinet->inet_dport = req->rport;
	cinet->inet_daddr = req->raddr;
	cinet->inet_rcv_saddr = req->laddr;
	cinet->inet_saddr = req->laddr;

	fl4 = &cinet->cork.fl.u.ip4;
	rt = ip_route_output_ports(net, fl4, child, req->raddr, req->laddr,
				   req->rport, req->lport, IPPROTO_TCP,
				   xtcp_rt_conn_flags(child), child->sk_bound_dev_if);
	if (IS_ERR(rt)) {
		sock_set_flag(child, SOCK_DEAD);
		xtcp_done(child);
		sock_put(child);
		return NULL;
	}
	sk_setup_caps(child, &rt->dst);

	xtcp_init_options(child, l);
	cxs->sack_ok = req->sack_ok;
	cxs->ts_ok = req->ts_ok;
	cxs->ts_offset = req->ts_offset;
	if (cxs->ts_ok) {
		cxs->ts_recent = o->have_ts ? o->tsval : req->ts_recent;
		cxs->ts_recent_stamp = ktime_get_seconds();
	}
	cxs->wscale_ok = req->wscale_ok;
	cxs->snd_wscale = req->wscale_ok ? req->snd_wscale : 0;
	cxs->rcv_wscale = req->wscale_ok ? XTCP_RCV_WSCALE : 0;
	if (req->ecn_ok) {
		cxs->ecn_flags = XTCP_ECN_OK;
		XTCP_INC_STATS(net, XTCP_MIB_ECNNEGOTIATED);
		trace_xtcp_ecn(child, XTCP_ECNEV_NEGOTIATED, cxs->cc.cwnd);
	}

	xtcp_init_rcv(child, req->irs, req->rcv_wnd, req->peer_mss);

	cxs->iss = req->iss;
	cxs->snd_una = req->iss + 1;
	cxs->snd_up = cxs->snd_una;
	cxs->snd_nxt = cxs->snd_una;
	cxs->snd_max = cxs->snd_una;
	cxs->write_seq = cxs->snd_una;
	cxs->snd_wnd = (u32)cb->window << cxs->snd_wscale;
	cxs->max_window = cxs->snd_wnd;
	cxs->snd_wl1 = cb->seq;
	cxs->snd_wl2 = cb->ack_seq;

	/* the handshake's round trip is the first RTT sample */
	if (cxs->ts_ok && o->have_ts && o->tsecr) {
		u32 ms = xtcp_ts_now(cxs) - o->tsecr;

		if (ms < 60 * MSEC_PER_SEC)
			rtt_us = max(ms, 1U) * USEC_PER_MSEC;
	} else if (!req->cookie && !req->retrans) {
		rtt_us = div_u64(ktime_get_ns() - req->sent_ns, NSEC_PER_USEC);
	}
	if (rtt_us) {
		xtcp_rtt_sample(&cxs->rtt, min_t(u64, rtt_us, U32_MAX));
		cxs->rto_us = cxs->rtt.rto_us;
	}
	/* RFC 9293 figure 5: LISTEN -> SYN-RECEIVED, for the counters */
	child->sk_state = XTCP_SYN_RECV;
	return child;
}

/**
 * xtcp_child_enqueue() - publish a new child on its listener's accept queue
 * @l: listener
 * @child: from xtcp_child_create()
 * @req: its request: unlinked here unless it came from a cookie
 *
 * Under the child's lock and the accept_lock: the child enters the
 * connection table (before the request leaves its own, so no segment finds
 * neither), becomes ESTABLISHED and joins the accept queue.
 *
 * Return: 0; -ENOBUFS if the accept queue is full; -EAGAIN if the request
 * was completed (or ended) meanwhile; -ESHUTDOWN if the listener closes;
 * -EADDRINUSE if the 4-tuple is taken.  On error nothing was published.
 */
int xtcp_child_enqueue(struct sock *l, struct sock *child,
		       struct xtcp_request *req)
{
	struct xtcp_sock *lxs = xtcp_sk(l), *cxs = xtcp_sk(child);
	int err = 0;

	bh_lock_sock(child);
	spin_lock(&lxs->accept_lock);
	if (lxs->closing || l->sk_state != XTCP_LISTEN)
		err = -ESHUTDOWN;
	else if (!req->cookie && list_empty(&req->qnode))
		err = -EAGAIN;
	else if (xtcp_acceptq_full(lxs->accept_qlen, lxs->max_backlog))
		err = -ENOBUFS;
	else
		err = xtcp_ehash_insert(child);
	if (!err) {
		if (!req->cookie) {
			list_del_init(&req->qnode);
			lxs->syn_qlen--;
			xtcp_req_unhash(req);
		}
		sock_hold(l);
		cxs->listener = l;
		list_add_tail(&cxs->accept_node, &lxs->accept_queue);
		cxs->in_accept_queue = true;
		lxs->accept_qlen++;
		xtcp_transition(child, XTCP_EV_RCV_ACK_SYN);
	}
	spin_unlock(&lxs->accept_lock);
	bh_unlock_sock(child);
	return err;
}

/**
 * xtcp_listen_rcv() - a segment for a listener (RFC 9293 3.10.7.2)
 * @sk: listener, referenced by the caller; no lock held
 * @skb: segment, cb filled; consumed unless a socket is returned
 *
 * Context: softirq, RCU.
 * Return: a new connection (referenced) that must now get @skb, when it
 * completes a handshake by SYN cookie; else NULL.
 */
struct sock *xtcp_listen_rcv(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct sock *child = NULL;
	struct xtcp_opts o;

	if (cb->flags & TCPHDR_RST)
		goto drop;
	if (xtcp_parse_options((u8 *)(tcp_hdr(skb) + 1),
			       tcp_hdr(skb)->doff * 4 - sizeof(struct tcphdr),
			       &o))
		goto drop;
	if (cb->flags & TCPHDR_ACK) {
		/* an ACK without SYN may complete a cookie handshake */
		if (!(cb->flags & TCPHDR_SYN))
			child = xtcp_listen_ack(sk, skb, &o);
		else
			xtcp_send_reset_reply(sock_net(sk), skb);
		if (child)
			return child;
		goto drop;
	}
	if (!(cb->flags & TCPHDR_SYN))
		goto drop;
	if (xtcp_req_rcv_syn(sk, skb, &o))
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_LISTENDROPS);
drop:
	kfree_skb(skb);
	return NULL;
}
