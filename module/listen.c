// SPDX-License-Identifier: GPL-2.0
/*
 * Listeners: the SYN queue of children in SYN-RECEIVED, the accept queue of
 * established children, and the passive open (RFC 9293 3.10.7.2).
 *
 * A child is a full socket from its first SYN on.  While it waits in one of
 * its listener's queues it holds a reference on the listener, and the queue
 * holds the child's first reference (which becomes the reference of its
 * struct socket at accept()).  Whoever takes a child off a queue, under the
 * listener's accept_lock, drops both.  Once a listener starts closing
 * (xs->closing) it owns every queued child and aborts them.
 */
#include <net/ip.h>
#include <net/route.h>
#include <net/tcp.h>

#include "xtcp.h"

/**
 * xtcp_listen_start() - enter LISTEN
 * @sk: socket, owned by the user, in CLOSE or already in LISTEN
 * @backlog: listen() backlog, capped by net.core.somaxconn
 *
 * Return: 0 or a negative errno.
 */
int xtcp_listen_start(struct sock *sk, int backlog)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	int somaxconn = READ_ONCE(sock_net(sk)->core.sysctl_somaxconn);
	int err;

	backlog = clamp(backlog, 1, somaxconn);
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
	xtcp_transition(sk, XTCP_EV_LISTEN);
	return xtcp_lhash_insert(sk);
}

/**
 * xtcp_listen_stop() - leave LISTEN and abort every queued child
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
	list_splice_init(&xs->syn_queue, &children);
	list_splice_init(&xs->accept_queue, &children);
	xs->syn_qlen = 0;
	xs->accept_qlen = 0;
	spin_unlock_bh(&xs->accept_lock);

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

/**
 * xtcp_child_established() - move a child to its listener's accept queue
 * @child: child in SYN_RECV whose SYN was just acknowledged, locked
 *
 * Return: 0; -ENOBUFS if the accept queue is full (the ACK is dropped and
 * the handshake completes on a retransmission); -ESHUTDOWN if the listener
 * is closing.
 */
int xtcp_child_established(struct sock *child)
{
	struct xtcp_sock *cxs = xtcp_sk(child);
	struct xtcp_sock *lxs = xtcp_sk(cxs->listener);
	int err = 0;

	spin_lock_bh(&lxs->accept_lock);
	if (lxs->closing)
		err = -ESHUTDOWN;
	else if (lxs->accept_qlen >= READ_ONCE(lxs->max_backlog))
		err = -ENOBUFS;
	if (!err && !cxs->in_accept_queue) {
		list_move_tail(&cxs->accept_node, &lxs->accept_queue);
		cxs->in_accept_queue = true;
		lxs->syn_qlen--;
		lxs->accept_qlen++;
	}
	spin_unlock_bh(&lxs->accept_lock);
	return err;
}

/*
 * Take @cxs off whichever queue of @lxs it is on.  Return: true if this
 * call removed it; the caller then owns the child's queue reference and its
 * hold on the listener.  False if a closing listener owns the child, or
 * someone else removed it first.
 */
static bool xtcp_queue_remove(struct xtcp_sock *lxs, struct xtcp_sock *cxs)
{
	bool removed = false;

	spin_lock_bh(&lxs->accept_lock);
	if (!lxs->closing && !list_empty(&cxs->accept_node)) {
		list_del_init(&cxs->accept_node);
		if (cxs->in_accept_queue)
			lxs->accept_qlen--;
		else
			lxs->syn_qlen--;
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

/* Create the child for a SYN; the child is hashed and its SYN-ACK queued. */
static struct sock *xtcp_create_child(struct sock *sk, struct sk_buff *skb,
				      const struct xtcp_opts *o)
{
	const struct iphdr *iph = ip_hdr(skb);
	const struct tcphdr *th = tcp_hdr(skb);
	struct xtcp_sock *xs = xtcp_sk(sk), *cxs;
	struct net *net = sock_net(sk);
	struct inet_sock *cinet;
	struct flowi4 *fl4;
	struct sock *child;
	struct rtable *rt;

	child = sk_alloc(net, PF_XTCP, GFP_ATOMIC, &xtcp_prot, 0);
	if (!child)
		return NULL;
	sock_init_data(NULL, child);
	xtcp_init_sock_common(child);
	cxs = xtcp_sk(child);
	cinet = inet_sk(child);

	child->sk_rcvbuf = sk->sk_rcvbuf;
	child->sk_sndbuf = sk->sk_sndbuf;
	child->sk_userlocks = sk->sk_userlocks & ~SOCK_BINDPORT_LOCK;
	child->sk_bound_dev_if = sk->sk_bound_dev_if;
	child->sk_mark = sk->sk_mark;
	child->sk_priority = sk->sk_priority;
	cinet->tos = inet_sk(sk)->tos;
	cinet->uc_ttl = inet_sk(sk)->uc_ttl;
	cxs->nodelay = xs->nodelay;
	cxs->user_mss = xs->user_mss;
	cxs->user_timeout = xs->user_timeout;
	cxs->keepalive_time = xs->keepalive_time;
	cxs->keepalive_intvl = xs->keepalive_intvl;
	cxs->keepalive_probes = xs->keepalive_probes;
	if (sock_flag(sk, SOCK_KEEPOPEN))
		sock_set_flag(child, SOCK_KEEPOPEN);

	child->sk_num = sk->sk_num;
	/* the port stays reserved until the last child and TIME_WAIT go */
	cxs->port = xtcp_port_get(xs->port);
	cinet->inet_sport = th->dest;
	cinet->inet_dport = th->source;
	cinet->inet_daddr = iph->saddr;
	cinet->inet_rcv_saddr = iph->daddr;
	cinet->inet_saddr = iph->daddr;

	fl4 = &cinet->cork.fl.u.ip4;
	rt = ip_route_output_ports(net, fl4, child, iph->saddr, iph->daddr,
				   th->source, th->dest, IPPROTO_TCP,
				   RT_CONN_FLAGS(child), child->sk_bound_dev_if);
	if (IS_ERR(rt))
		goto free;
	sk_setup_caps(child, &rt->dst);

	cxs->wscale_ok = o->have_wscale;
	cxs->rcv_wscale = 7;
	cxs->nodelay = xs->nodelay;
	cxs->cork = xs->cork;
	xtcp_init_options(child, sk);
	xtcp_rcv_syn_options(child, skb, o);
	cxs->iss = xtcp_isn(iph->daddr, iph->saddr, th->dest, th->source,
			    ktime_get_ns());
	cxs->snd_una = cxs->iss;
	cxs->snd_nxt = cxs->iss;
	cxs->snd_max = cxs->iss;
	cxs->write_seq = cxs->iss;
	cxs->snd_wnd = XTCP_SKB_CB(skb)->window;
	cxs->max_window = cxs->snd_wnd;
	cxs->snd_wl1 = XTCP_SKB_CB(skb)->seq;
	cxs->snd_wl2 = cxs->iss;

	/* a child starts as a copy of its listener (RFC 9293 figure 5) */
	child->sk_state = XTCP_LISTEN;
	xtcp_transition(child, XTCP_EV_RCV_SYN);
	if (xtcp_queue_ctl(child, TCPHDR_SYN, GFP_ATOMIC))
		goto free;
	return child;
free:
	child->sk_state = XTCP_CLOSE;
	sock_set_flag(child, SOCK_DEAD);
	sk_free(child);
	return NULL;
}

/**
 * xtcp_listen_rcv() - a segment for a listener (RFC 9293 3.10.7.2)
 * @sk: listener, locked
 * @skb: segment; consumed
 *
 * Return: 0.
 */
int xtcp_listen_rcv(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xs = xtcp_sk(sk), *cxs;
	struct xtcp_opts o;
	struct sock *child;
	bool queued = false;

	if (cb->flags & TCPHDR_RST)
		goto drop;
	if (cb->flags & TCPHDR_ACK) {
		xtcp_send_reset_reply(sock_net(sk), skb);
		goto drop;
	}
	if (!(cb->flags & TCPHDR_SYN))
		goto drop;
	if (xtcp_parse_options((u8 *)(tcp_hdr(skb) + 1),
			       tcp_hdr(skb)->doff * 4 - sizeof(struct tcphdr), &o))
		goto drop;
	if (READ_ONCE(xs->syn_qlen) + READ_ONCE(xs->accept_qlen) >=
	    READ_ONCE(xs->max_backlog)) {
		if (READ_ONCE(xs->accept_qlen) >= READ_ONCE(xs->max_backlog))
			XTCP_INC_STATS(sock_net(sk), XTCP_MIB_LISTENOVERFLOWS);
		goto listen_drop;
	}

	child = xtcp_create_child(sk, skb, &o);
	if (!child)
		goto listen_drop;
	cxs = xtcp_sk(child);
	if (xtcp_ehash_insert(child))
		goto free_child;	/* a connection with this 4-tuple exists */

	bh_lock_sock_nested(child);
	spin_lock_bh(&xs->accept_lock);
	if (!xs->closing) {
		sock_hold(sk);
		cxs->listener = sk;
		list_add_tail(&cxs->accept_node, &xs->syn_queue);
		xs->syn_qlen++;
		queued = true;
	}
	spin_unlock_bh(&xs->accept_lock);
	if (queued) {
		xtcp_push(child);
	} else {
		xtcp_transition(child, XTCP_EV_ABORT);
		xtcp_done(child);
		sock_set_flag(child, SOCK_DEAD);
	}
	bh_unlock_sock(child);
	if (!queued)
		sock_put(child);
	goto drop;

free_child:
	xtcp_transition(child, XTCP_EV_ABORT);
	sock_set_flag(child, SOCK_DEAD);
	xtcp_done(child);
	sock_put(child);
listen_drop:
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_LISTENDROPS);
drop:
	kfree_skb(skb);
	return 0;
}
