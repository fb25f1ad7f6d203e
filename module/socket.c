// SPDX-License-Identifier: GPL-2.0
/*
 * The socket calls of AF_XTCP: proto_ops and struct proto.
 */
#include <linux/highmem.h>
#include <linux/sockios.h>
#include <asm/ioctls.h>
#include <net/inet_common.h>
#include <linux/uio.h>
#include <net/ip.h>
#include <net/route.h>
#include <net/tcp.h>

#include "xtcp.h"
#include "icmp.h"

#define XTCP_DEFAULT_SNDBUF	(4 << 20)
#define XTCP_DEFAULT_RCVBUF	(4 << 20)

/**
 * xtcp_done() - finish a connection that has entered CLOSED
 * @sk: socket, locked, in XTCP_CLOSE
 *
 * Stops the timers, leaves the connection table, frees what was queued to
 * send, and wakes the user (an orphan is freed as its last reference goes).
 */
void xtcp_done(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb;

	xtcp_stop_timers(sk);
	xtcp_unhash(sk);
	while ((skb = __skb_dequeue(&sk->sk_write_queue)))
		xtcp_free_tx_skb(sk, skb);
	xs->send_head = NULL;
	memset(&xs->sb, 0, sizeof(xs->sb));
	__skb_queue_purge(&xs->ofo_queue);
	WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);
	if (xs->listener)
		xtcp_child_unlink(sk);
	if (!sock_flag(sk, SOCK_DEAD))
		sk->sk_state_change(sk);
}

static void xtcp_destruct(struct sock *sk)
{
	struct sk_buff *skb;

	while ((skb = __skb_dequeue(&sk->sk_write_queue)))
		xtcp_free_tx_skb(sk, skb);
	__skb_queue_purge(&xtcp_sk(sk)->ofo_queue);
	xtcp_port_release(sk);
	WARN_ON_ONCE(xtcp_sk(sk)->hashed);
	/* queues, accounting checks, route and IP options */
	inet_sock_destruct(sk);
}

/**
 * xtcp_init_sock_common() - initialise a new XTCP socket or child
 * @sk: socket fresh from sk_alloc() and sock_init_data()
 */
void xtcp_init_sock_common(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct inet_sock *inet = inet_sk(sk);

	sk->sk_protocol = IPPROTO_TCP;
	sk->sk_type = SOCK_STREAM;
	sk->sk_destruct = xtcp_destruct;
	sk->sk_backlog_rcv = xtcp_backlog_rcv;
	sk->sk_gso_type = SKB_GSO_TCPV4;
	sock_set_flag(sk, SOCK_RCU_FREE);
	sock_set_flag(sk, SOCK_USE_WRITE_QUEUE);
	if (!(sk->sk_userlocks & SOCK_SNDBUF_LOCK))
		sk->sk_sndbuf = XTCP_DEFAULT_SNDBUF;
	if (!(sk->sk_userlocks & SOCK_RCVBUF_LOCK))
		sk->sk_rcvbuf = XTCP_DEFAULT_RCVBUF;

	inet->uc_ttl = -1;
	inet->mc_ttl = 1;
	inet->mc_index = 0;
	inet->mc_list = NULL;
	inet->pmtudisc = IP_PMTUDISC_WANT;

	INIT_HLIST_NODE(&xs->hnode);
	INIT_LIST_HEAD(&xs->accept_node);
	INIT_LIST_HEAD(&xs->syn_queue);
	INIT_LIST_HEAD(&xs->accept_queue);
	__skb_queue_head_init(&xs->ofo_queue);
	spin_lock_init(&xs->accept_lock);
	xtcp_init_timers(sk);
	xtcp_rtt_init(&xs->rtt);
	xs->rcv_tstamp = jiffies;
	xs->rto_us = xs->rtt.rto_us;
	xs->mss = XTCP_DEFAULT_MSS;
	xs->advmss = XTCP_DEFAULT_MSS;
	xtcp_cc_init(&xs->cc);
	xs->ca_ops = READ_ONCE(xtcp_pernet(sock_net(sk))->cong);
}

static int xtcp_create(struct net *net, struct socket *sock, int protocol,
		       int kern)
{
	struct sock *sk;

	if (sock->type != SOCK_STREAM)
		return -ESOCKTNOSUPPORT;
	if (protocol && protocol != IPPROTO_TCP)
		return -EPROTONOSUPPORT;
	sk = sk_alloc(net, PF_XTCP, GFP_KERNEL, &xtcp_prot, kern);
	if (!sk)
		return -ENOMEM;
	sock->state = SS_UNCONNECTED;
	sock->ops = &xtcp_ops;
	sock_init_data(sock, sk);
	xtcp_init_sock_common(sk);
	return 0;
}

const struct net_proto_family xtcp_family_ops = {
	.family	= PF_XTCP,
	.create	= xtcp_create,
	.owner	= THIS_MODULE,
};

/* Check a user's address: struct sockaddr_in, family AF_INET or AF_XTCP. */
static int xtcp_check_addr(const struct sockaddr *uaddr, int len)
{
	if (len < (int)sizeof(struct sockaddr_in))
		return -EINVAL;
	if (uaddr->sa_family != AF_INET && uaddr->sa_family != AF_XTCP)
		return -EAFNOSUPPORT;
	return 0;
}

static int xtcp_bind(struct socket *sock, struct sockaddr *uaddr, int len)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)uaddr;
	struct sock *sk = sock->sk;
	int err;

	err = xtcp_check_addr(uaddr, len);
	if (err)
		return err;
	if (ipv4_is_multicast(sin->sin_addr.s_addr) ||
	    ipv4_is_lbcast(sin->sin_addr.s_addr))
		return -EADDRNOTAVAIL;
	lock_sock(sk);
	if (sk->sk_state != XTCP_CLOSE || sk->sk_num)
		err = -EINVAL;
	else
		err = xtcp_port_reserve(sk, sin->sin_addr.s_addr, sin->sin_port);
	if (!err && sin->sin_port)
		sk->sk_userlocks |= SOCK_BINDPORT_LOCK;
	release_sock(sk);
	return err;
}

/* Route to the peer and fix the local address: the first half of connect. */
static int xtcp_connect_route(struct sock *sk, __be32 daddr, __be16 dport)
{
	struct inet_sock *inet = inet_sk(sk);
	struct flowi4 *fl4 = &inet->cork.fl.u.ip4;
	struct rtable *rt;
	int err;

	rt = ip_route_output_ports(sock_net(sk), fl4, sk, daddr,
				   inet->inet_saddr, dport, inet->inet_sport,
				   IPPROTO_TCP, xtcp_rt_conn_flags(sk),
				   sk->sk_bound_dev_if);
	if (IS_ERR(rt))
		return PTR_ERR(rt);
	if (rt->rt_flags & (RTCF_MULTICAST | RTCF_BROADCAST)) {
		ip_rt_put(rt);
		return -ENETUNREACH;
	}
	if (!sk->sk_num) {
		err = xtcp_port_reserve(sk, fl4->saddr, 0);
		if (err) {
			ip_rt_put(rt);
			return err;
		}
	}
	inet->inet_saddr = fl4->saddr;
	if (!sk->sk_rcv_saddr)
		sk->sk_rcv_saddr = fl4->saddr;
	inet->inet_daddr = daddr;
	inet->inet_dport = dport;
	fl4->fl4_sport = inet->inet_sport;
	sk_setup_caps(sk, &rt->dst);
	return 0;
}

static int xtcp_wait_connect(struct sock *sk, long timeo)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);

	add_wait_queue(sk_sleep(sk), &wait);
	while ((1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_SYN_RECV)) {
		if (!timeo || signal_pending(current))
			break;
		sk_wait_event(sk, &timeo,
			      !((1 << sk->sk_state) &
				(TCPF_SYN_SENT | TCPF_SYN_RECV)), &wait);
	}
	remove_wait_queue(sk_sleep(sk), &wait);
	return timeo;
}

static int xtcp_connect(struct socket *sock, struct sockaddr *uaddr, int len,
			int flags)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)uaddr;
	struct sock *sk = sock->sk;
	struct xtcp_sock *xs = xtcp_sk(sk);
	long timeo;
	u8 syn_ecn;
	int err;

	err = xtcp_check_addr(uaddr, len);
	if (err)
		return err;
	lock_sock(sk);
	switch (sock->state) {
	case SS_CONNECTED:
		err = -EISCONN;
		goto out;
	case SS_CONNECTING:
		if (sk->sk_state == XTCP_SYN_SENT ||
		    sk->sk_state == XTCP_SYN_RECV) {
			err = -EALREADY;
			goto wait;
		}
		err = sock_error(sk) ? : -EISCONN;
		if (sk->sk_state == XTCP_ESTABLISHED)
			sock->state = SS_CONNECTED;
		else
			sock->state = SS_UNCONNECTED;
		goto out;
	default:
		break;
	}
	if (sk->sk_state != XTCP_CLOSE) {
		err = sk->sk_state == XTCP_LISTEN ? -EISCONN : -EINVAL;
		goto out;
	}
	if (!sin->sin_port || ipv4_is_multicast(sin->sin_addr.s_addr)) {
		err = -EADDRNOTAVAIL;
		goto out;
	}
	err = xtcp_connect_route(sk, sin->sin_addr.s_addr, sin->sin_port);
	if (err)
		goto out;

	xs->iss = xtcp_isn(inet_sk(sk)->inet_saddr, sin->sin_addr.s_addr,
			   inet_sk(sk)->inet_sport, sin->sin_port,
			   ktime_get_ns());
	xs->snd_una = xs->iss;
	xs->snd_up = xs->iss;
	xs->snd_nxt = xs->iss;
	xs->snd_max = xs->iss;
	xs->write_seq = xs->iss;
	xs->wscale_ok = true;
	xs->rcv_wscale = XTCP_RCV_WSCALE;
	xtcp_init_options(sk, NULL);
	xtcp_init_mss(sk, XTCP_DEFAULT_MSS);
	err = xtcp_ehash_insert(sk);
	if (err) {
		/* the 4-tuple is taken (TIME_WAIT included): as inet */
		err = -EADDRNOTAVAIL;
		goto out;
	}
	/* ECN is agreed only if the SYN-ACK says so (xtcp_rcv_synsent()) */
	syn_ecn = xtcp_ecn_syn_flags(READ_ONCE(xtcp_pernet(sock_net(sk))->ecn));
	xs->ecn_flags = syn_ecn ? XTCP_ECN_OK : 0;
	err = xtcp_queue_ctl(sk, TCPHDR_SYN | syn_ecn, sk->sk_allocation);
	if (err) {
		xtcp_unhash(sk);
		goto out;
	}
	xtcp_transition(sk, XTCP_EV_CONNECT);
	sock->state = SS_CONNECTING;
	xtcp_push(sk);
	err = -EINPROGRESS;
wait:
	timeo = sock_sndtimeo(sk, flags & O_NONBLOCK);
	if (!timeo)
		goto out;
	timeo = xtcp_wait_connect(sk, timeo);
	if ((1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_SYN_RECV)) {
		err = timeo ? sock_intr_errno(timeo) : -EINPROGRESS;
		goto out;
	}
	if (sk->sk_state == XTCP_CLOSE) {
		err = sock_error(sk) ? : -ECONNABORTED;
		sock->state = SS_UNCONNECTED;
		goto out;
	}
	sock->state = SS_CONNECTED;
	err = 0;
out:
	release_sock(sk);
	return err;
}

static int xtcp_listen(struct socket *sock, int backlog)
{
	struct sock *sk = sock->sk;
	int err;

	lock_sock(sk);
	if (sock->state != SS_UNCONNECTED) {
		err = -EINVAL;
		goto out;
	}
	err = xtcp_listen_start(sk, backlog);
out:
	release_sock(sk);
	return err;
}

/* accept(); proto_ops' own signature is module/compat.h's xtcp_accept() */
int xtcp_do_accept(struct socket *sock, struct socket *newsock, int flags)
{
	struct sock *sk = sock->sk, *child;
	int err = 0;

	lock_sock(sk);
	child = xtcp_accept_dequeue(sk, flags, &err);
	release_sock(sk);
	if (!child)
		return err;
	lock_sock(child);
	sock_graft(child, newsock);
	newsock->state = SS_CONNECTED;
	release_sock(child);
	return 0;
}

static int xtcp_getname(struct socket *sock, struct sockaddr *uaddr, int peer)
{
	DECLARE_SOCKADDR(struct sockaddr_in *, sin, uaddr);
	struct sock *sk = sock->sk;

	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	lock_sock(sk);
	if (peer) {
		if (!sk->sk_dport ||
		    ((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_SYN_SENT) &&
		     peer == 1)) {
			release_sock(sk);
			return -ENOTCONN;
		}
		sin->sin_port = sk->sk_dport;
		sin->sin_addr.s_addr = sk->sk_daddr;
	} else {
		sin->sin_port = sk->sk_num ? htons(sk->sk_num) : 0;
		sin->sin_addr.s_addr = inet_sk(sk)->inet_saddr ? :
				       sk->sk_rcv_saddr;
	}
	release_sock(sk);
	return sizeof(*sin);
}

static u32 xtcp_inq(const struct sock *sk)
{
	struct sk_buff *skb;
	u32 n = 0;

	skb_queue_walk(&sk->sk_receive_queue, skb)
		n += skb->len - XTCP_SKB_CB(skb)->consumed;
	return n;
}

static __poll_t xtcp_poll(struct file *file, struct socket *sock,
			  poll_table *wait)
{
	struct sock *sk = sock->sk;
	int state = inet_sk_state_load(sk);
	__poll_t mask = 0;
	u8 shutdown;

	sock_poll_wait(file, sock, wait);
	if (state == XTCP_LISTEN)
		return xtcp_listen_poll(sk);

	shutdown = READ_ONCE(sk->sk_shutdown);
	if (shutdown == SHUTDOWN_MASK || state == XTCP_CLOSE)
		mask |= EPOLLHUP;
	if (shutdown & RCV_SHUTDOWN)
		mask |= EPOLLIN | EPOLLRDNORM | EPOLLRDHUP;
	if (state != XTCP_SYN_SENT && state != XTCP_SYN_RECV) {
		struct xtcp_sock *xs = xtcp_sk(sk);
		u16 urg = READ_ONCE(xs->urg_data);
		u32 avail = READ_ONCE(xs->rcv_nxt) - READ_ONCE(xs->copied_seq);

		/* an urgent byte out of line is not in-band data to read */
		if (urg && READ_ONCE(xs->urg_seq) == READ_ONCE(xs->copied_seq) &&
		    !sock_flag(sk, SOCK_URGINLINE))
			avail--;
		if ((s32)avail > 0 &&
		    !skb_queue_empty_lockless(&sk->sk_receive_queue))
			mask |= EPOLLIN | EPOLLRDNORM;
		if (urg & XTCP_URG_VALID)
			mask |= EPOLLPRI;
		if (!(shutdown & SEND_SHUTDOWN)) {
			if (sk_stream_memory_free(sk)) {
				mask |= EPOLLOUT | EPOLLWRNORM;
			} else {
				sk_set_bit(SOCKWQ_ASYNC_NOSPACE, sk);
				set_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
				/* NOSPACE before the re-check, as TCP does */
				smp_mb__after_atomic();
				if (sk_stream_memory_free(sk))
					mask |= EPOLLOUT | EPOLLWRNORM;
			}
		} else {
			mask |= EPOLLOUT | EPOLLWRNORM;
		}
	}
	if (READ_ONCE(sk->sk_err) ||
	    !skb_queue_empty_lockless(&sk->sk_error_queue))
		mask |= EPOLLERR;
	return mask;
}

static int xtcp_ioctl(struct socket *sock, unsigned int cmd, unsigned long arg)
{
	struct sock *sk = sock->sk;
	struct xtcp_sock *xs = xtcp_sk(sk);
	int answ;

	switch (cmd) {
	case SIOCINQ:
		if (sk->sk_state == XTCP_LISTEN)
			return -EINVAL;
		lock_sock(sk);
		answ = xtcp_inq(sk);
		release_sock(sk);
		break;
	case SIOCATMARK:	/* the next byte read is the urgent one */
		answ = READ_ONCE(xs->urg_data) &&
		       READ_ONCE(xs->urg_seq) == READ_ONCE(xs->copied_seq);
		break;
	case SIOCOUTQ:		/* not yet acknowledged */
	case SIOCOUTQNSD:	/* not yet sent */
		if (sk->sk_state == XTCP_LISTEN)
			return -EINVAL;
		answ = (1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_CLOSE) ? 0 :
		       READ_ONCE(xs->write_seq) -
		       (cmd == SIOCOUTQ ? READ_ONCE(xs->snd_una) :
					  READ_ONCE(xs->snd_max));
		break;
	default:
		return -ENOIOCTLCMD;
	}
	return put_user(answ, (int __user *)arg);
}

static void xtcp_send_fin(struct sock *sk)
{
	if (xtcp_queue_ctl(sk, TCPHDR_FIN, sk->sk_allocation)) {
		/* no memory even for a FIN: give up the connection */
		xtcp_send_active_reset(sk, sk->sk_allocation);
		xtcp_transition(sk, XTCP_EV_ABORT);
		xtcp_done(sk);
		return;
	}
	xtcp_transition(sk, XTCP_EV_CLOSE);
	xtcp_push(sk);
}

static int xtcp_shutdown(struct socket *sock, int how)
{
	struct sock *sk = sock->sk;
	int err = 0;

	how++;	/* SHUT_RD..SHUT_RDWR -> RCV_SHUTDOWN..SHUTDOWN_MASK */
	if ((how & ~SHUTDOWN_MASK) || !how)
		return -EINVAL;
	lock_sock(sk);
	/* a non-blocking connect() may have completed since (as inet) */
	if (sock->state == SS_CONNECTING) {
		if ((1 << sk->sk_state) &
		    (TCPF_SYN_SENT | TCPF_SYN_RECV | TCPF_CLOSE))
			sock->state = SS_DISCONNECTING;
		else
			sock->state = SS_CONNECTED;
	}
	if (sk->sk_state == XTCP_CLOSE) {
		err = -ENOTCONN;
		goto out;
	}
	WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | how);
	switch (sk->sk_state) {
	case XTCP_LISTEN:
		if (how & RCV_SHUTDOWN)
			xtcp_listen_stop(sk);
		break;
	case XTCP_SYN_SENT:
		xtcp_transition(sk, XTCP_EV_CLOSE);
		xtcp_done(sk);
		break;
	case XTCP_SYN_RECV:
	case XTCP_ESTABLISHED:
	case XTCP_CLOSE_WAIT:
		if ((how & SEND_SHUTDOWN) && !xtcp_sk(sk)->fin_queued)
			xtcp_send_fin(sk);
		break;
	}
	sk->sk_state_change(sk);
out:
	release_sock(sk);
	return err;
}

/**
 * xtcp_close() - the user closed the socket
 * @sk: socket
 * @timeout: SO_LINGER time to wait for the FIN to be acknowledged, or 0
 *
 * With unread data, or SO_LINGER {1, 0}, the connection is aborted with a
 * RST (RFC 2525 2.17).  Otherwise a FIN follows any queued data and the
 * orphaned socket finishes the exchange on its own; with a linger time the
 * caller first waits, up to @timeout, for the FIN to be acknowledged.
 */
static void xtcp_close(struct sock *sk, long timeout)
{
	struct net *net = sock_net(sk);

	lock_sock(sk);
	WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);
	switch (sk->sk_state) {
	case XTCP_LISTEN:
		xtcp_listen_stop(sk);
		break;
	case XTCP_CLOSE:
		break;
	case XTCP_SYN_SENT:
		xtcp_transition(sk, XTCP_EV_CLOSE);
		xtcp_done(sk);
		break;
	default:
		if (xtcp_inq(sk) ||
		    (sock_flag(sk, SOCK_LINGER) && !sk->sk_lingertime)) {
			/* RFC 2525 2.17: unread data is lost, so say so */
			XTCP_INC_STATS(net, xtcp_inq(sk) ?
				       XTCP_MIB_ABORTONCLOSE :
				       XTCP_MIB_ABORTONLINGER);
			xtcp_send_active_reset(sk, sk->sk_allocation);
			xtcp_transition(sk, XTCP_EV_ABORT);
			xtcp_done(sk);
		} else if ((1 << sk->sk_state) & (TCPF_SYN_RECV |
			   TCPF_ESTABLISHED | TCPF_CLOSE_WAIT) &&
			   !xtcp_sk(sk)->fin_queued) {
			xtcp_send_fin(sk);
		}
		break;
	}
	if (timeout)
		sk_stream_wait_close(sk, timeout);
	/* an orphan in FIN_WAIT_2 waits at most net.xtcp.fin_timeout */
	if (sk->sk_state == XTCP_FIN_WAIT2)
		xtcp_start_fin_wait2(sk);
	/* the port stays reserved while the connection lives on */
	if (sk->sk_state == XTCP_CLOSE) {
		struct xtcp_port *p = xtcp_sk(sk)->port;

		xtcp_sk(sk)->port = NULL;
		xtcp_port_put_sync(p);
	}
	sock_orphan(sk);
	release_sock(sk);
	sock_put(sk);
}

static int xtcp_release(struct socket *sock)
{
	struct sock *sk = sock->sk;
	long timeout = 0;

	if (!sk)
		return 0;
	/* SO_LINGER with a time: close() waits, unless the process exits */
	if (sock_flag(sk, SOCK_LINGER) && !(current->flags & PF_EXITING))
		timeout = sk->sk_lingertime;
	xtcp_close(sk, timeout);
	sock->sk = NULL;
	return 0;
}

static int xtcp_sendmsg(struct socket *sock, struct msghdr *msg, size_t size)
{
	struct sock *sk = sock->sk;
	struct xtcp_sock *xs = xtcp_sk(sk);
	int flags = msg->msg_flags;
	size_t copied = 0;
	u32 goal;
	long timeo;
	int err;

	if (flags & ~(MSG_DONTWAIT | MSG_NOSIGNAL | MSG_MORE | MSG_EOR |
		      MSG_CONFIRM | MSG_OOB | XTCP_MSG_SPLICE))
		return -EOPNOTSUPP;
	lock_sock(sk);
	/*
	 * MSG_MORE, or sendfile() with more pages to come: a partial segment
	 * waits for the next write (Nagle)
	 */
	xs->more = flags & (MSG_MORE | XTCP_MSG_NOTLAST);
	timeo = sock_sndtimeo(sk, flags & MSG_DONTWAIT);
	if ((1 << sk->sk_state) & ~(TCPF_ESTABLISHED | TCPF_CLOSE_WAIT)) {
		err = sk_stream_wait_connect(sk, &timeo);
		if (err)
			goto out_err;
	}
	/* as large as the route's GSO size and segment count allow */
	goal = xs->mss;
	if (sk_can_gso(sk))
		goal = clamp_t(u32, ALIGN_DOWN(min_t(u32, sk->sk_gso_max_size,
						     65536) - MAX_HEADER - 128,
					       xs->mss),
			       xs->mss, (u32)sk->sk_gso_max_segs * xs->mss);

	while (msg_data_left(msg)) {
		struct page_frag *pfrag = sk_page_frag(sk);
		struct sk_buff *skb = skb_peek_tail(&sk->sk_write_queue);
		bool merge;
		int i, copy;

		err = -EPIPE;
		if (sk->sk_err || (sk->sk_shutdown & SEND_SHUTDOWN))
			goto out_err;
		if (!skb || !xs->send_head || skb->len >= goal ||
		    (XTCP_SKB_CB(skb)->flags & (TCPHDR_SYN | TCPHDR_FIN))) {
			if (!sk_stream_memory_free(sk))
				goto wait;
			skb = xtcp_alloc_tx_skb(sk, sk->sk_allocation);
			if (!skb)
				goto wait;
			XTCP_SKB_CB(skb)->flags = 0;
			XTCP_SKB_CB(skb)->retrans = 0;
			xtcp_queue_tail(sk, skb);
		}
		if (!sk_page_frag_refill(sk, pfrag))
			goto wait;
		copy = min_t(size_t, goal - skb->len, msg_data_left(msg));
		copy = min_t(int, copy, pfrag->size - pfrag->offset);
		i = skb_shinfo(skb)->nr_frags;
		merge = skb_can_coalesce(skb, i, pfrag->page, pfrag->offset);
		if (!merge && i >= MAX_SKB_FRAGS) {
			xtcp_push(sk);
			skb = NULL;
			continue;
		}
		err = skb_copy_to_page_nocache(sk, &msg->msg_iter, skb,
					       pfrag->page, pfrag->offset,
					       copy);
		if (err)
			goto out_err;
		if (merge) {
			skb_frag_size_add(&skb_shinfo(skb)->frags[i - 1], copy);
		} else {
			skb_fill_page_desc(skb, i, pfrag->page, pfrag->offset,
					   copy);
			get_page(pfrag->page);
		}
		pfrag->offset += copy;
		XTCP_SKB_CB(skb)->end_seq += copy;
		xs->write_seq += copy;
		copied += copy;
		if (skb->len >= goal)
			xtcp_push(sk);
		continue;
wait:
		set_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
		xtcp_push(sk);
		err = sk_stream_wait_memory(sk, &timeo);
		if (err)
			goto out_err;
	}
	if ((flags & MSG_OOB) && copied)
		xtcp_urg_mark(sk);
	xtcp_push(sk);
	release_sock(sk);
	return copied;

out_err:
	/* an empty segment left behind by a failed copy is not sent */
	if (xs->send_head && !xs->send_head->len &&
	    !XTCP_SKB_CB(xs->send_head)->flags) {
		struct sk_buff *skb = xs->send_head;

		__skb_unlink(skb, &sk->sk_write_queue);
		xs->send_head = NULL;
		xtcp_free_tx_skb(sk, skb);
	}
	if (copied) {
		if (flags & MSG_OOB)
			xtcp_urg_mark(sk);
		xtcp_push(sk);
		release_sock(sk);
		return copied;
	}
	err = sk_stream_error(sk, flags, err);
	release_sock(sk);
	return err;
}

/*
 * Send a window update once reading has opened the window noticeably.  A
 * read that took nothing opened nothing: it sends none, as in Linux (else
 * a server's first read, before any data, would announce the scaled window
 * in an ACK of its own right after the handshake).
 */
static void xtcp_cleanup_rbuf(struct sock *sk, size_t copied)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 cur, space;

	if (!copied ||
	    !((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_FIN_WAIT1 |
				     TCPF_FIN_WAIT2)))
		return;
	cur = xtcp_seq_gt(xs->rcv_adv, xs->rcv_nxt) ?
	      xs->rcv_adv - xs->rcv_nxt : 0;
	/* only a window the header can carry is worth announcing */
	space = min(xtcp_rcv_space(sk), 65535U << xs->rcv_wscale);
	if (space >= cur + max_t(u32, 2 * xs->advmss, cur)) {
		local_bh_disable();
		xtcp_send_ack(sk);
		local_bh_enable();
	}
}

/*
 * Take @n bytes off the head of the receive queue: read, or an urgent
 * byte skipped (out of line).  MSG_PEEK moves only its own position.
 */
static void xtcp_rcv_advance(struct sock *sk, struct sk_buff *skb, u32 n,
			     int flags, u32 *peek_seq)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (flags & MSG_PEEK) {
		*peek_seq += n;
		return;
	}
	XTCP_SKB_CB(skb)->consumed += n;
	WRITE_ONCE(xs->copied_seq, xs->copied_seq + n);
	if (XTCP_SKB_CB(skb)->consumed == skb->len) {
		__skb_unlink(skb, &sk->sk_receive_queue);
		kfree_skb(skb);
	}
	/* the urgent byte is behind the reader: it is over */
	if (xs->urg_data && xtcp_seq_gt(xs->copied_seq, xs->urg_seq))
		WRITE_ONCE(xs->urg_data, 0);
}

static int xtcp_recvmsg(struct socket *sock, struct msghdr *msg, size_t len,
			int flags)
{
	struct sock *sk = sock->sk;
	struct xtcp_sock *xs = xtcp_sk(sk);
	size_t copied = 0;
	int target, err = 0;
	u32 peek_seq;
	long timeo;

	if (flags & ~(MSG_PEEK | MSG_DONTWAIT | MSG_WAITALL | MSG_TRUNC |
		      MSG_CMSG_COMPAT | MSG_NOSIGNAL | MSG_ERRQUEUE | MSG_OOB))
		return -EOPNOTSUPP;
	if (flags & MSG_ERRQUEUE)
		return xtcp_recv_error(sk, msg, len, &msg->msg_namelen);
	lock_sock(sk);
	if (sk->sk_state == XTCP_LISTEN) {
		err = -ENOTCONN;
		goto out;
	}
	if (flags & MSG_OOB) {
		err = xtcp_urg_recvmsg(sk, msg, min_t(size_t, len, 1), flags);
		goto out;
	}
	timeo = sock_rcvtimeo(sk, flags & MSG_DONTWAIT);
	target = sock_rcvlowat(sk, flags & MSG_WAITALL, len);
	peek_seq = xs->copied_seq;

	while (copied < len) {
		struct sk_buff *skb, *last = NULL;
		u32 seq, skip;
		bool found = false;

		/* another reader took what we peeked at while we slept */
		if (xtcp_seq_lt(peek_seq, xs->copied_seq))
			peek_seq = xs->copied_seq;
		/* the sequence number of the next byte to return */
		seq = flags & MSG_PEEK ? peek_seq : xs->copied_seq;
		skip = seq - xs->copied_seq;	/* MSG_PEEK's */

		/* a read stops at the urgent mark (SIOCATMARK) */
		if (unlikely(xs->urg_data) && xs->urg_seq == seq && copied)
			break;
		skb_queue_walk(&sk->sk_receive_queue, skb) {
			struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
			u32 avail = skb->len - cb->consumed;
			size_t chunk;

			last = skb;
			if (skip >= avail) {
				skip -= avail;
				continue;
			}
			chunk = min_t(size_t, avail - skip, len - copied);
			if (unlikely(xs->urg_data)) {
				u32 urg_off = xs->urg_seq - seq;

				if (urg_off < chunk) {
					/* out of line, the urgent byte is skipped */
					if (!urg_off &&
					    !sock_flag(sk, SOCK_URGINLINE)) {
						xtcp_rcv_advance(sk, skb, 1, flags,
								 &peek_seq);
						found = true;
						break;
					}
					if (urg_off)
						chunk = urg_off;
				}
			}
			if (skb_copy_datagram_msg(skb, cb->consumed + skip, msg,
						  chunk)) {
				err = -EFAULT;
				goto out;
			}
			copied += chunk;
			found = true;
			xtcp_rcv_advance(sk, skb, chunk, flags, &peek_seq);
			break;
		}
		if (found)
			continue;

		if (copied >= target)
			break;
		if (copied) {
			if (sk->sk_err || sk->sk_state == XTCP_CLOSE ||
			    (sk->sk_shutdown & RCV_SHUTDOWN) || !timeo ||
			    signal_pending(current))
				break;
		} else {
			/* in Linux's order: a reset is reported before EOF */
			if (sock_flag(sk, SOCK_DONE))
				break;
			if (sk->sk_err) {
				err = sock_error(sk);
				break;
			}
			if (sk->sk_shutdown & RCV_SHUTDOWN)
				break;
			if (sk->sk_state == XTCP_CLOSE) {
				err = -ENOTCONN;
				break;
			}
			if (!timeo) {
				err = -EAGAIN;
				break;
			}
			if (signal_pending(current)) {
				err = sock_intr_errno(timeo);
				break;
			}
		}
		xtcp_cleanup_rbuf(sk, copied);
		sk_wait_data(sk, &timeo, last);
	}
	xtcp_cleanup_rbuf(sk, copied);
out:
	release_sock(sk);
	return copied ? copied : err;
}

/* XTCP_CONGESTION (TCP_CONGESTION): choose the algorithm by name. */
static int xtcp_set_congestion(struct sock *sk, sockptr_t optval,
			       unsigned int optlen)
{
	char name[XTCP_CONG_NAME_MAX];
	const struct xtcp_cong_ops *ops;
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (optlen < 1)
		return -EINVAL;
	optlen = min_t(unsigned int, optlen, sizeof(name) - 1);
	if (copy_from_sockptr(name, optval, optlen))
		return -EFAULT;
	name[optlen] = '\0';
	ops = xtcp_cong_find(name);
	if (!ops)
		return -ENOENT;
	lock_sock(sk);
	if (ops != xs->ca_ops) {
		xs->ca_ops = ops;
		ops->init(&xs->cc);
	}
	release_sock(sk);
	return 0;
}

static int xtcp_setsockopt(struct socket *sock, int level, int optname,
			   sockptr_t optval, unsigned int optlen)
{
	struct sock *sk = sock->sk;
	int val;

	if (level == SOL_IP)
		return ip_setsockopt(sk, level, optname, optval, optlen);
	if (level != SOL_TCP && level != SOL_XTCP)
		return -ENOPROTOOPT;
	if (optname == XTCP_CONGESTION)
		return xtcp_set_congestion(sk, optval, optlen);
	if (optlen < sizeof(int))
		return -EINVAL;
	if (copy_from_sockptr(&val, optval, sizeof(val)))
		return -EFAULT;
	switch (optname) {
	case XTCP_NODELAY:
	case XTCP_CORK:
		lock_sock(sk);
		if (optname == XTCP_NODELAY)
			xtcp_sk(sk)->nodelay = !!val;
		else
			xtcp_sk(sk)->cork = !!val;
		/* what Nagle or the cork held goes out now, as in Linux */
		if (optname == XTCP_NODELAY ? val : !val) {
			if ((1 << sk->sk_state) &
			    (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT))
				__xtcp_push(sk, true);
		}
		release_sock(sk);
		return 0;
	case XTCP_MAXSEG:
		/* Linux's range: TCP_MIN_MSS to MAX_TCP_WINDOW, or 0 */
		if (val && (val < TCP_MIN_MSS || val > MAX_TCP_WINDOW))
			return -EINVAL;
		lock_sock(sk);
		xtcp_sk(sk)->user_mss = val;
		release_sock(sk);
		return 0;
	case XTCP_USER_TIMEOUT:
		/* ms that sent data may stay unacknowledged; 0: retries2 */
		if (val < 0)
			return -EINVAL;
		WRITE_ONCE(xtcp_sk(sk)->user_timeout, val);
		return 0;
	case XTCP_KEEPIDLE:
	case XTCP_KEEPINTVL:
		if (val < 1 || val > XTCP_MAX_KEEPIDLE)
			return -EINVAL;
		lock_sock(sk);
		if (optname == XTCP_KEEPIDLE) {
			xtcp_sk(sk)->keepalive_time = val;
			xtcp_reset_keepalive(sk);
		} else {
			xtcp_sk(sk)->keepalive_intvl = val;
		}
		release_sock(sk);
		return 0;
	case XTCP_KEEPCNT:
		if (val < 1 || val > XTCP_MAX_KEEPCNT)
			return -EINVAL;
		WRITE_ONCE(xtcp_sk(sk)->keepalive_probes, val);
		return 0;
	case XTCP_REUSEPORT:
		lock_sock(sk);
		sk->sk_reuseport = !!val;
		/* a bound socket's reservation shares the port from now on */
		if (xtcp_sk(sk)->port)
			xtcp_sk(sk)->port->sock->sk->sk_reuseport = !!val;
		release_sock(sk);
		return 0;
	}
	return -ENOPROTOOPT;
}

/*
 * XTCP_INFO (struct xtcp_info) at SOL_XTCP, TCP_INFO (Linux's struct
 * tcp_info) at SOL_TCP: min(@len, size) bytes, the count back in @optlen.
 */
static int xtcp_getsockopt_info(struct sock *sk, int level,
				char __user *optval, int __user *optlen,
				int len)
{
	union {
		struct xtcp_info x;
		struct tcp_info t;
	} u;
	size_t size;

	memset(&u, 0, sizeof(u));
	lock_sock(sk);
	if (level == SOL_XTCP) {
		xtcp_get_info(sk, &u.x);
		size = sizeof(u.x);
	} else {
		xtcp_get_tcp_info(sk, &u.t);
		size = sizeof(u.t);
	}
	release_sock(sk);
	len = min_t(unsigned int, len, size);
	if (put_user(len, optlen) || copy_to_user(optval, &u, len))
		return -EFAULT;
	return 0;
}

static int xtcp_getsockopt(struct socket *sock, int level, int optname,
			   char __user *optval, int __user *optlen)
{
	struct sock *sk = sock->sk;
	int val, len;

	if (level == SOL_IP)
		return ip_getsockopt(sk, level, optname, optval, optlen);
	if (level != SOL_TCP && level != SOL_XTCP)
		return -ENOPROTOOPT;
	if (get_user(len, optlen))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	if (optname == XTCP_INFO)
		return xtcp_getsockopt_info(sk, level, optval, optlen, len);
	if (optname == XTCP_CONGESTION) {
		char name[XTCP_CONG_NAME_MAX] = {};

		/* a zero-padded name, as Linux's TCP_CONGESTION */
		strscpy(name, READ_ONCE(xtcp_sk(sk)->ca_ops)->name, sizeof(name));
		len = min_t(unsigned int, len, sizeof(name));
		if (put_user(len, optlen) || copy_to_user(optval, name, len))
			return -EFAULT;
		return 0;
	}
	switch (optname) {
	case XTCP_NODELAY:
		val = xtcp_sk(sk)->nodelay;
		break;
	case XTCP_CORK:
		val = xtcp_sk(sk)->cork;
		break;
	case XTCP_MAXSEG:
		/* as Linux: the MSS in use, the clamp set before a connection */
		val = xtcp_sk(sk)->mss;
		if (xtcp_sk(sk)->user_mss &&
		    ((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_LISTEN)))
			val = xtcp_sk(sk)->user_mss;
		break;
	case XTCP_USER_TIMEOUT:
		val = READ_ONCE(xtcp_sk(sk)->user_timeout);
		break;
	case XTCP_KEEPIDLE:
		val = xtcp_sk(sk)->keepalive_time ? :
		      READ_ONCE(xtcp_pernet(sock_net(sk))->keepalive_time);
		break;
	case XTCP_KEEPINTVL:
		val = xtcp_sk(sk)->keepalive_intvl ? :
		      READ_ONCE(xtcp_pernet(sock_net(sk))->keepalive_intvl);
		break;
	case XTCP_KEEPCNT:
		val = READ_ONCE(xtcp_sk(sk)->keepalive_probes) ? :
		      READ_ONCE(xtcp_pernet(sock_net(sk))->keepalive_probes);
		break;
	case XTCP_REUSEPORT:
		val = sk->sk_reuseport;
		break;
	default:
		return -ENOPROTOOPT;
	}
	len = min_t(unsigned int, len, sizeof(int));
	if (put_user(len, optlen) || copy_to_user(optval, &val, len))
		return -EFAULT;
	return 0;
}

const struct proto_ops xtcp_ops = {
	.family		= PF_XTCP,
	.owner		= THIS_MODULE,
	.release	= xtcp_release,
	.bind		= xtcp_bind,
	.connect	= xtcp_connect,
	.socketpair	= sock_no_socketpair,
	.accept		= xtcp_accept,
	.getname	= xtcp_getname,
	.poll		= xtcp_poll,
	.ioctl		= xtcp_ioctl,
	.listen		= xtcp_listen,
	.shutdown	= xtcp_shutdown,
	.setsockopt	= xtcp_setsockopt,
	.getsockopt	= xtcp_getsockopt,
	.sendmsg	= xtcp_sendmsg,
	.recvmsg	= xtcp_recvmsg,
	.mmap		= sock_no_mmap,
	XTCP_OPS_SENDPAGE
};

struct proto xtcp_prot = {
	.name		= "XTCP",
	.owner		= THIS_MODULE,
	.obj_size	= sizeof(struct xtcp_sock),
	.backlog_rcv	= xtcp_backlog_rcv,
	.release_cb	= xtcp_release_cb,
	.keepalive	= xtcp_keepalive,
};
