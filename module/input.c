// SPDX-License-Identifier: GPL-2.0
/*
 * Segment arrival, following RFC 9293 3.10.7 ("SEGMENT ARRIVES"): the
 * CLOSED, LISTEN and SYN-SENT cases, then for synchronized states the
 * acceptability test followed by the RST, SYN, ACK, URG, text and FIN
 * checks in the RFC's order.  RST and SYN in a synchronized state follow
 * RFC 5961 (challenge ACKs).
 *
 * Context: the socket is locked: bh_lock_sock() from the netfilter hook,
 * or owned by a user with the segment coming from the backlog.  Both run
 * with bottom halves disabled.
 */
#include <net/dsfield.h>
#include <net/inet_ecn.h>
#include <net/tcp.h>

#include "xtcp.h"
#include "pmtu.h"
#include "trace.h"

/**
 * xtcp_fill_cb() - fill the XTCP control block of a received segment
 * @skb: segment with skb->data at the payload, network and transport
 *	headers set
 * @th: its TCP header
 */
void xtcp_fill_cb(struct sk_buff *skb, const struct tcphdr *th)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

	cb->seq = ntohl(th->seq);
	cb->end_seq = cb->seq + skb->len + th->syn + th->fin;
	cb->ack_seq = ntohl(th->ack_seq);
	cb->window = ntohs(th->window);
	cb->flags = tcp_flag_byte(th);
	cb->consumed = 0;
	cb->retrans = 0;
	cb->tw_isn = 0;
	cb->ip_dsfield = ipv4_get_dsfield(ip_hdr(skb));
}

static int xtcp_parse_skb_options(const struct sk_buff *skb,
				  struct xtcp_opts *o)
{
	const struct tcphdr *th = tcp_hdr(skb);

	return xtcp_parse_options((const u8 *)(th + 1),
				  th->doff * 4 - sizeof(*th), o);
}

/*
 * Drop segments of the write queue that SEG.ACK covers entirely, untagging
 * them in the scoreboard; a tagged segment SEG.ACK covers in part is cut
 * back.  The oldest segment acknowledged times a round trip, unless one was
 * retransmitted (Karn's rule: its ACK could be for either copy); then the
 * echoed timestamp, if any, times it (RFC 7323 4.1).
 */
static void xtcp_clean_rtx_queue(struct sock *sk, u32 ack,
				 const struct xtcp_opts *o)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	bool karn = false;
	u64 first_tx = 0;
	struct sk_buff *skb;

	while ((skb = skb_peek(&sk->sk_write_queue)) &&
	       skb != xs->send_head) {
		struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

		if (!xtcp_seq_leq(cb->end_seq, ack)) {
			if (cb->sacked && xtcp_seq_gt(ack, cb->seq))
				xtcp_trim_head(sk, &xs->sb, skb, ack);
			break;
		}
		if (cb->retrans || !cb->tx_ns)
			karn = true;
		else if (!first_tx)
			first_tx = cb->tx_ns;
		if (!(cb->sacked & XTCP_TAG_SACKED) &&
		    xtcp_note_reordering(&xs->sb, skb))
			XTCP_INC_STATS(sock_net(sk), XTCP_MIB_REORDER);
		xs->sb.delivered_ns = max(xs->sb.delivered_ns, cb->tx_ns);
		xtcp_untag(&xs->sb, skb);
		__skb_unlink(skb, &sk->sk_write_queue);
		xtcp_free_tx_skb(sk, skb);
	}
	if (first_tx && !karn) {
		u64 now = ktime_get_ns();

		if (now > first_tx)
			xtcp_rtt_sample(&xs->rtt,
					min_t(u64, (now - first_tx) / NSEC_PER_USEC,
					      U32_MAX));
	} else if (karn && o && o->have_ts && xs->ts_ok && o->tsecr) {
		u32 ms = xtcp_ts_now(xs) - o->tsecr;

		if (ms < 60 * MSEC_PER_SEC)
			xtcp_rtt_sample(&xs->rtt, max(ms, 1U) * USEC_PER_MSEC);
	}
}

static void xtcp_write_space(struct sock *sk)
{
	struct socket *sock = sk->sk_socket;
	struct socket_wq *wq;

	if (!sock || !sk_stream_memory_free(sk))
		return;
	clear_bit(SOCK_NOSPACE, &sock->flags);
	rcu_read_lock();
	wq = rcu_dereference(sk->sk_wq);
	if (skwq_has_sleeper(wq))
		wake_up_interruptible_poll(&wq->wait, EPOLLOUT | EPOLLWRNORM |
					   EPOLLWRBAND);
	if (wq && wq->fasync_list && !(sk->sk_shutdown & SEND_SHUTDOWN))
		sock_wake_async(wq, SOCK_WAKE_SPACE, POLL_OUT);
	rcu_read_unlock();
}

/* SND.UNA < SEG.ACK <= SND.NXT: new data is acknowledged. */
static void xtcp_ack_advance(struct sock *sk, u32 ack,
			     const struct xtcp_opts *o)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	xs->bytes_acked += ack - xs->snd_una;
	/* our urgent byte acknowledged: urgent mode ends */
	if (xtcp_seq_between(xs->snd_up, xs->snd_una, ack))
		xs->snd_up = ack;
	xs->snd_una = ack;
	if (xtcp_seq_gt(ack, xs->snd_nxt))
		xs->snd_nxt = ack;
	xs->retries = 0;
	xs->retrans_stamp = 0;
	xtcp_clean_rtx_queue(sk, ack, o);
	/* new data acknowledged: the backoff ends (as Linux) */
	xs->rto_us = xs->rtt.rto_us;
	if (xs->snd_una == xs->snd_max && !xs->send_head)
		xtcp_stop_rtx(sk);
	else
		xtcp_rearm_rtx(sk);
	xtcp_write_space(sk);
}

/* RFC 9293 3.10.7.4, fifth check, window update part. */
static void xtcp_window_update(struct sock *sk, const struct xtcp_skb_cb *cb)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (xtcp_seq_lt(xs->snd_wl1, cb->seq) ||
	    (xs->snd_wl1 == cb->seq && xtcp_seq_leq(xs->snd_wl2, cb->ack_seq))) {
		xs->snd_wnd = (u32)cb->window << xs->snd_wscale;
		xs->snd_wl1 = cb->seq;
		xs->snd_wl2 = cb->ack_seq;
		xs->max_window = max(xs->max_window, xs->snd_wnd);
	}
}

/**
 * xtcp_rcv_syn_options() - record the peer's SYN options and its ISN
 * @sk: socket receiving the SYN or SYN-ACK of an active (or simultaneous)
 *	open, with xs->wscale_ok telling whether we offered window scaling
 * @skb: the SYN
 * @o: its parsed options
 */
void xtcp_rcv_syn_options(struct sock *sk, const struct sk_buff *skb,
			  const struct xtcp_opts *o)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (xs->wscale_ok && o->have_wscale) {
		xs->snd_wscale = o->wscale;
	} else {
		xs->wscale_ok = false;
		xs->snd_wscale = 0;
		xs->rcv_wscale = 0;
	}
	/* SACK and timestamps only when both ends offer them */
	xs->sack_ok = xs->sack_ok && o->sack_ok;
	xs->ts_ok = xs->ts_ok && o->have_ts;
	if (xs->ts_ok) {
		xs->ts_recent = o->tsval;
		xs->ts_recent_stamp = ktime_get_seconds();
	}
	/* the window of our SYN counts from here on; it is never scaled */
	xtcp_init_rcv(sk, XTCP_SKB_CB(skb)->seq,
		      min_t(u32, xtcp_rcv_space(sk), 65535U),
		      o->have_mss ? o->mss : XTCP_DEFAULT_MSS);
}

/**
 * xtcp_init_rcv() - the receive side of a connection, once the SYN is known
 * @sk: socket, its timestamps option settled (it shapes the MSS)
 * @irs: the peer's ISN
 * @wnd: the window our SYN or SYN-ACK announced (never scaled)
 * @peer_mss: the peer's MSS option, or XTCP_DEFAULT_MSS without one
 */
void xtcp_init_rcv(struct sock *sk, u32 irs, u32 wnd, u16 peer_mss)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	xs->irs = irs;
	xs->rcv_nxt = irs + 1;
	xs->copied_seq = xs->rcv_nxt;
	xs->rcv_wup = xs->rcv_nxt;
	xs->rcv_adv = xs->rcv_nxt + wnd;
	xtcp_init_mss(sk, peer_mss);
	xs->rcv_mss = min_t(u16, xs->advmss, XTCP_DEFAULT_MSS);
}

/*
 * Our SYN asked for ECN: does the SYN-ACK (or a simultaneous open's SYN)
 * agree?  A SYN-ACK with both ECE and CWR is a reflection of our own
 * flags by a middlebox, not an answer: no ECN either (a fallback).
 */
static void xtcp_rcv_synsent_ecn(struct sock *sk, u8 flags)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct net *net = sock_net(sk);
	int ev;

	if (!(xs->ecn_flags & XTCP_ECN_OK))
		return;
	if (xtcp_ecn_synack_ok(flags)) {
		XTCP_INC_STATS(net, XTCP_MIB_ECNNEGOTIATED);
		ev = XTCP_ECNEV_NEGOTIATED;
	} else {
		xs->ecn_flags = 0;
		if ((flags & (TCPHDR_ECE | TCPHDR_CWR)) ==
		    (TCPHDR_ECE | TCPHDR_CWR)) {
			XTCP_INC_STATS(net, XTCP_MIB_ECNFALLBACK);
			ev = XTCP_ECNEV_FALLBACK;
		} else {
			XTCP_INC_STATS(net, XTCP_MIB_ECNREFUSED);
			ev = XTCP_ECNEV_REFUSED;
		}
	}
	trace_xtcp_ecn(sk, ev, xs->cc.cwnd);
}

/*
 * What a segment of an ECN connection says (RFC 3168 6.1.2, 6.1.3): its CWR
 * ends our echo, a CE mark on its data starts one.  The first CE of an
 * episode is answered at once, not after a delayed-ACK wait, and so is data
 * with CWR (the sender's window may be down to a segment), as in Linux.
 */
static void xtcp_rcv_ecn(struct sock *sk, const struct sk_buff *skb,
			 bool *quick)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xs = xtcp_sk(sk);
	u8 ds = skb->len ? cb->ip_dsfield : 0, old = xs->ecn_flags;

	xs->ecn_flags = xtcp_ecn_rcv(old, cb->flags, ds);
	if (INET_ECN_is_ce(ds))
		XTCP_ADD_STATS(sock_net(sk), XTCP_MIB_ECNCERECV,
			       skb_shinfo(skb)->gso_segs ? : 1);
	if ((cb->flags & TCPHDR_CWR) && skb->len)
		*quick = true;
	if ((old & ~xs->ecn_flags) & XTCP_ECN_DEMAND_CWR)
		trace_xtcp_ecn(sk, XTCP_ECNEV_CWR_RECV, xs->cc.cwnd);
	if ((~old & xs->ecn_flags) & XTCP_ECN_DEMAND_CWR) {
		trace_xtcp_ecn(sk, XTCP_ECNEV_CE, xs->cc.cwnd);
		*quick = true;
	}
}

/* RFC 9293 3.10.7.3: SYN-SENT. */
static void xtcp_rcv_synsent(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_opts o;

	if (cb->flags & TCPHDR_ACK) {
		if (xtcp_seq_leq(cb->ack_seq, xs->iss) ||
		    xtcp_seq_gt(cb->ack_seq, xs->snd_max)) {
			xtcp_send_reset_reply(sock_net(sk), skb);
			return;
		}
	}
	if (cb->flags & TCPHDR_RST) {
		/* only a RST that acknowledges our SYN is believed */
		if (!(cb->flags & TCPHDR_ACK))
			return;
		WRITE_ONCE(sk->sk_err, ECONNREFUSED);
		trace_xtcp_receive_reset(sk);
		xtcp_transition(sk, XTCP_EV_RCV_RST);
		xtcp_done(sk);
		sk_error_report(sk);
		return;
	}
	if (!(cb->flags & TCPHDR_SYN) || xtcp_parse_skb_options(skb, &o))
		return;

	xtcp_rcv_syn_options(sk, skb, &o);
	xtcp_rcv_synsent_ecn(sk, cb->flags);
	xs->rcv_tstamp = jiffies;
	if (cb->flags & TCPHDR_ACK) {
		xtcp_ack_advance(sk, cb->ack_seq, &o);
		xs->snd_wnd = cb->window;	/* never scaled in a SYN */
		xs->max_window = xs->snd_wnd;
		xs->snd_wl1 = cb->seq;
		xs->snd_wl2 = cb->ack_seq;
		xtcp_transition(sk, XTCP_EV_RCV_SYNACK);
		xtcp_send_ack(sk);
		sk->sk_state_change(sk);
		sk_wake_async(sk, SOCK_WAKE_IO, POLL_OUT);
		xtcp_push(sk);
		return;
	}
	/* simultaneous open: our SYN goes out again as SYN-ACK */
	xs->snd_wnd = cb->window;
	xs->max_window = xs->snd_wnd;
	xs->snd_wl1 = cb->seq;
	xtcp_transition(sk, XTCP_EV_RCV_SYN);
	skb = skb_peek(&sk->sk_write_queue);
	if (skb) {
		/* a SYN-ACK: ECE if ECN is agreed, never CWR (RFC 3168 6.1.1) */
		XTCP_SKB_CB(skb)->flags &= ~TCPHDR_CWR;
		if (!(xs->ecn_flags & XTCP_ECN_OK))
			XTCP_SKB_CB(skb)->flags &= ~TCPHDR_ECE;
		xtcp_retransmit_skb(sk, skb);
	}
}

/* RFC 5961 3.2 and 4.2: answer a suspicious RST or SYN with an ACK. */
static void xtcp_challenge_ack(struct sock *sk, const struct sk_buff *skb)
{
	if (xtcp_oow_rate_limited(sock_net(sk), skb,
				  &xtcp_sk(sk)->last_oow_ack,
				  XTCP_MIB_ACKSKIPPEDCHALLENGE))
		return;
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_CHALLENGEACK);
	xtcp_send_ack(sk);
}

/* ACK an invalid segment (out of window, or acknowledging unsent data). */
static void xtcp_send_dupack(struct sock *sk, const struct sk_buff *skb)
{
	if (!xtcp_oow_rate_limited(sock_net(sk), skb,
				   &xtcp_sk(sk)->last_oow_ack,
				   XTCP_MIB_ACKSKIPPEDSEQ))
		xtcp_send_ack(sk);
}

/* RFC 9293 3.10.7.4, second check, for an acceptable RST. */
static void xtcp_rcv_reset(struct sock *sk)
{
	switch (sk->sk_state) {
	case XTCP_SYN_RECV:
		/* only a simultaneous open is a full socket in SYN-RECEIVED */
		WRITE_ONCE(sk->sk_err, ECONNREFUSED);
		break;
	case XTCP_ESTABLISHED:
	case XTCP_FIN_WAIT1:
	case XTCP_FIN_WAIT2:
	case XTCP_CLOSE_WAIT:
		WRITE_ONCE(sk->sk_err, ECONNRESET);
		break;
	default:
		break;
	}
	trace_xtcp_receive_reset(sk);
	xtcp_transition(sk, XTCP_EV_RCV_RST);
	xtcp_done(sk);
	if (sk->sk_err)
		sk_error_report(sk);
}

/*
 * The ACK check (RFC 9293 3.10.7.4, fifth).  Return: false if the segment
 * must be dropped here.
 */
static bool xtcp_rcv_ack(struct sock *sk, struct sk_buff *skb,
			 const struct xtcp_opts *o)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_ack_sample as = {
		.prior_pipe = xtcp_pipe(xs),
		.tsecr = o && o->have_ts && xs->ts_ok ? o->tsecr : 0,
		.ece = (cb->flags & TCPHDR_ECE) &&
		       (xs->ecn_flags & XTCP_ECN_OK),
	};
	u32 ack = cb->ack_seq, prior_una;

	if (sk->sk_state == XTCP_SYN_RECV) {
		if (!xtcp_seq_between(ack, xs->snd_una + 1, xs->snd_max)) {
			xtcp_send_reset_reply(sock_net(sk), skb);
			return false;
		}
		xs->snd_wnd = (u32)cb->window << xs->snd_wscale;
		xs->max_window = max(xs->max_window, xs->snd_wnd);
		xs->snd_wl1 = cb->seq;
		xs->snd_wl2 = ack;
		xtcp_ack_advance(sk, ack, o);
		xtcp_transition(sk, XTCP_EV_RCV_ACK_SYN);
		sk->sk_state_change(sk);
	}

	switch (xtcp_ack_action(ack, xs->snd_una, xs->snd_max,
				xs->max_window)) {
	case XTCP_DROP_ACK:
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_ACKDROPS);
		xtcp_send_dupack(sk, skb);
		return false;
	case XTCP_CHALLENGE:
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_ACKDROPS);
		xtcp_challenge_ack(sk, skb);
		return false;
	default:
		break;
	}
	prior_una = xs->snd_una;
	if (xs->sack_ok && o && o->num_sacks) {
		XTCP_ADD_STATS(sock_net(sk), XTCP_MIB_SACKBLOCKSRECV,
			       o->num_sacks);
		as.sacked = xtcp_sacktag(sk, &sk->sk_write_queue, ack,
					 xs->snd_una, xs->snd_max, o->sacks,
					 o->num_sacks, &xs->sb, &as.dsack);
		if (as.dsack)
			XTCP_INC_STATS(sock_net(sk), XTCP_MIB_DSACKRECV);
	}
	/* RFC 5681 2: nothing new acknowledged, no data, same window */
	as.dupack = ack == prior_una && xs->snd_una != xs->snd_max &&
		    !skb->len && !(cb->flags & (TCPHDR_SYN | TCPHDR_FIN)) &&
		    ((u32)cb->window << xs->snd_wscale) == xs->snd_wnd;
	if (xtcp_seq_gt(ack, xs->snd_una)) {
		xtcp_ack_advance(sk, ack, o);
		xtcp_mtu_probe_acked(sk);
	}
	as.acked = xs->snd_una - prior_una;
	if (xtcp_seq_leq(xs->snd_una, ack))
		xtcp_window_update(sk, cb);
	if (xtcp_cwnd_state(sk))
		xtcp_cc_ack(sk, &as);
	/*
	 * Nothing in flight: what the timer sent were window probes, and the
	 * peer answered, so it is alive however long its window stays shut
	 * (only unanswered probes count toward retries2, as in Linux).
	 */
	if (xs->snd_una == xs->snd_max && xs->retries) {
		xs->retries = 0;
		xs->retrans_stamp = 0;
	}

	if (xs->fin_queued && xs->snd_una == xs->write_seq) {
		switch (sk->sk_state) {
		case XTCP_FIN_WAIT1:
			xtcp_transition(sk, XTCP_EV_RCV_ACK_FIN);
			sk->sk_state_change(sk);
			if (sock_flag(sk, SOCK_DEAD))
				xtcp_start_fin_wait2(sk);
			break;
		case XTCP_CLOSING:
			xtcp_transition(sk, XTCP_EV_RCV_ACK_FIN);
			xtcp_time_wait(sk);
			return false;
		case XTCP_LAST_ACK:
			xtcp_transition(sk, XTCP_EV_RCV_ACK_FIN);
			xtcp_done(sk);
			return false;
		}
	}
	return true;
}

/* Give an in-sequence segment to the reader; it starts at or before RCV.NXT. */
static void xtcp_queue_rcv(struct sock *sk, struct sk_buff *skb, u32 seq)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	XTCP_SKB_CB(skb)->consumed = xs->rcv_nxt - seq;
	xs->bytes_received += seq + skb->len - xs->rcv_nxt;
	WRITE_ONCE(xs->rcv_nxt, seq + skb->len);
	__skb_queue_tail(&sk->sk_receive_queue, skb);
}

/*
 * Move what the out-of-order queue now holds in sequence to the receive
 * queue.  Return: true if a FIN the queue held is now in sequence.
 */
static bool xtcp_ofo_drain(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb;
	bool fin = false;

	while ((skb = skb_peek(&xs->ofo_queue))) {
		struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
		u32 end = cb->seq + skb->len;

		if (xtcp_seq_gt(cb->seq, xs->rcv_nxt))
			break;
		__skb_unlink(skb, &xs->ofo_queue);
		if (xtcp_seq_leq(end, xs->rcv_nxt)) {
			/* wholly covered by what arrived since */
			fin = (cb->flags & TCPHDR_FIN) && end == xs->rcv_nxt;
			kfree_skb(skb);
			continue;
		}
		fin = cb->flags & TCPHDR_FIN;
		xtcp_queue_rcv(sk, skb, cb->seq);
	}
	return fin;
}

/* Report [start, end) as received twice in the next ACK (RFC 2883). */
static void xtcp_dsack_set(struct sock *sk, u32 start, u32 end, int field)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (!xs->sack_ok || !READ_ONCE(xtcp_pernet(sock_net(sk))->dsack))
		return;
	xs->dsack.start = start;
	xs->dsack.end = end;
	xs->dsack_pending = true;
	XTCP_INC_STATS(sock_net(sk), field);
}

/*
 * Hold a segment that arrived ahead of RCV.NXT, sorted by sequence number,
 * within the receive buffer.  A segment the queue holds entirely already
 * is dropped.  Return: true if queued.
 */
static bool xtcp_ofo_queue(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	u32 end = cb->seq + skb->len;
	struct sk_buff *pos, *prev = NULL;

	if (atomic_read(&sk->sk_rmem_alloc) + skb->truesize >
	    READ_ONCE(sk->sk_rcvbuf) ||
	    skb_queue_len(&xs->ofo_queue) >= XTCP_OFO_MAX_SEGS) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_OFODROP);
		return false;
	}
	skb_queue_walk(&xs->ofo_queue, pos) {
		struct xtcp_skb_cb *pcb = XTCP_SKB_CB(pos);

		if (xtcp_seq_leq(pcb->seq, cb->seq) &&
		    xtcp_seq_geq(pcb->seq + pos->len, end)) {
			XTCP_INC_STATS(sock_net(sk), XTCP_MIB_OFODROP);
			xtcp_dsack_set(sk, cb->seq, end, XTCP_MIB_DSACKOFOSENT);
			return false;	/* a duplicate */
		}
		if (xtcp_seq_gt(pcb->seq, cb->seq))
			break;
		prev = pos;
	}
	skb_dst_drop(skb);
	skb_orphan(skb);
	skb_set_owner_r(skb, sk);
	if (prev)
		__skb_queue_after(&xs->ofo_queue, prev, skb);
	else
		__skb_queue_head(&xs->ofo_queue, skb);
	xs->last_ofo_seq = cb->seq;
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_OFOQUEUE);
	return true;
}

/*
 * The seventh check: segment text.  In-sequence payload goes to the reader,
 * with whatever the out-of-order queue then completes; payload ahead of
 * RCV.NXT waits in the out-of-order queue.  Return: true if @skb was
 * queued (either way); *fin is set when a FIN held back in the
 * out-of-order queue is now in sequence, *quick when the ACK must not
 * wait (out of order, a hole filled, a duplicate: RFC 5681 4.2).
 */
static bool xtcp_rcv_data(struct sock *sk, struct sk_buff *skb, bool *fin,
			  bool *quick)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 seq = cb->seq + !!(cb->flags & TCPHDR_SYN);
	bool had_ofo;

	/* after SHUT_RD data is still queued and readable, as in Linux */
	if (!skb->len)
		return false;
	xs->rcv_mss = clamp_t(u32, skb_shinfo(skb)->gso_size ? : skb->len,
			      xs->rcv_mss, xs->advmss);
	if (xtcp_seq_gt(seq, xs->rcv_nxt)) {
		cb->seq = seq;
		cb->flags &= ~TCPHDR_SYN;
		*quick = true;
		xs->quickack = max_t(u8, xs->quickack, XTCP_QUICKACKS);
		return xtcp_ofo_queue(sk, skb);
	}
	if (xtcp_seq_leq(seq + skb->len, xs->rcv_nxt)) {
		/* all of it was had already */
		xtcp_dsack_set(sk, seq, seq + skb->len, XTCP_MIB_DSACKOLDSENT);
		*quick = true;
		return false;
	}
	if (xtcp_seq_lt(seq, xs->rcv_nxt))
		xtcp_dsack_set(sk, seq, xs->rcv_nxt, XTCP_MIB_DSACKOLDSENT);
	skb_dst_drop(skb);
	skb_orphan(skb);
	skb_set_owner_r(skb, sk);
	xtcp_queue_rcv(sk, skb, seq);
	had_ofo = !skb_queue_empty(&xs->ofo_queue);
	if (had_ofo) {
		*fin = xtcp_ofo_drain(sk);
		*quick = true;
	}
	sk->sk_data_ready(sk);
	return true;
}

/*
 * RFC 9293 3.6.1 (RFC 1122 4.2.2.13): new data for a socket whose user has
 * closed it (FIN-WAIT-1 or -2 after close() or shutdown(SHUT_RDWR)) can
 * never be read: answer it with RST and abort, as Linux does
 * (TCPAbortOnData).  Return: true if the connection was aborted.
 */
static bool xtcp_abort_on_data(struct sock *sk, struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	u32 end = cb->end_seq - !!(cb->flags & TCPHDR_FIN);

	if (!(sk->sk_shutdown & RCV_SHUTDOWN) ||
	    !xtcp_seq_gt(end, xtcp_sk(sk)->rcv_nxt))
		return false;
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_ABORTONDATA);
	xtcp_send_reset_reply(sock_net(sk), skb);
	WRITE_ONCE(sk->sk_err, ECONNRESET);
	xtcp_transition(sk, XTCP_EV_ABORT);
	xtcp_done(sk);
	sk_error_report(sk);
	return true;
}

/*
 * ACK received data now, or let it wait (delayed ACK): at once when asked
 * to, in quick-ACK mode (the start of a connection, after disorder), or
 * when more than one full-sized segment is unacknowledged, as Linux.
 */
static void xtcp_ack_snd_check(struct sock *sk, bool quick)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (quick || xs->quickack || !skb_queue_empty(&xs->ofo_queue) ||
	    xs->rcv_nxt - xs->rcv_wup > xs->rcv_mss)
		xtcp_send_ack(sk);
	else
		xtcp_delay_ack(sk);
}

/* RFC 9293 3.10.7.4, eighth check: an in-sequence FIN. */
static void xtcp_rcv_fin(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	xs->rcv_nxt++;
	WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | RCV_SHUTDOWN);
	sock_set_flag(sk, SOCK_DONE);
	switch (sk->sk_state) {
	case XTCP_SYN_RECV:
	case XTCP_ESTABLISHED:
	case XTCP_FIN_WAIT1:
		xtcp_transition(sk, XTCP_EV_RCV_FIN);
		break;
	case XTCP_FIN_WAIT2:
		/* the caller ACKs the FIN and hands over to a minisock */
		xtcp_transition(sk, XTCP_EV_RCV_FIN);
		break;
	default:
		break;
	}
	if (!sock_flag(sk, SOCK_DEAD)) {
		sk->sk_state_change(sk);
		if (sk->sk_shutdown == SHUTDOWN_MASK || sk->sk_state == XTCP_CLOSE)
			sk_wake_async(sk, SOCK_WAKE_WAITD, POLL_HUP);
		else
			sk_wake_async(sk, SOCK_WAKE_WAITD, POLL_IN);
	}
}

/*
 * RFC 7323 5.3: PAWS (R1) for a segment with a timestamp.  Return: false if
 * the segment is an old duplicate and must be dropped (after a duplicate
 * ACK); an RST passes, as in Linux.
 */
static bool xtcp_paws_check(struct sock *sk, struct sk_buff *skb,
			    const struct xtcp_opts *o)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (!xs->ts_ok || !o->have_ts || (XTCP_SKB_CB(skb)->flags & TCPHDR_RST))
		return true;
	if (!xtcp_paws_reject(o->tsval, xs->ts_recent,
			      ktime_get_seconds() - xs->ts_recent_stamp))
		return true;
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_PAWSESTAB);
	xtcp_send_dupack(sk, skb);
	return false;
}

/*
 * RFC 7323 4.3 (R3): remember the peer's timestamp to echo, from the
 * segment that covers Last.ACK.sent, so TSecr times the right segment.
 */
static void xtcp_store_ts_recent(struct sock *sk, const struct sk_buff *skb,
				 const struct xtcp_opts *o)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (!xs->ts_ok || !o->have_ts ||
	    xtcp_seq_gt(XTCP_SKB_CB(skb)->seq, xs->rcv_wup) ||
	    (s32)(o->tsval - xs->ts_recent) < 0)
		return;
	xs->ts_recent = o->tsval;
	xs->ts_recent_stamp = ktime_get_seconds();
}

/* RFC 9293 3.10.7.4: every synchronized state. */
static void xtcp_rcv_synchronized(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 rcv_wnd = xtcp_seq_gt(xs->rcv_adv, xs->rcv_nxt) ?
		      xs->rcv_adv - xs->rcv_nxt : 0;
	bool queued = false, need_ack = false, ofo_fin = false, quick = false;
	struct xtcp_opts o;
	u32 seg_len;

	if (tcp_hdr(skb)->doff > 5) {
		if (xtcp_parse_skb_options(skb, &o)) {
			XTCP_INC_STATS(sock_net(sk), XTCP_MIB_INERRS);
			goto drop;
		}
	} else {
		memset(&o, 0, sizeof(o));
	}

	if (sk->sk_state == XTCP_SYN_RECV && (cb->flags & TCPHDR_SYN) &&
	    !(cb->flags & TCPHDR_RST) && cb->seq == xs->irs) {
		struct sk_buff *syn = skb_peek(&sk->sk_write_queue);

		/* our SYN-ACK was lost and the peer repeats its SYN */
		if (!(cb->flags & TCPHDR_ACK)) {
			if (syn)
				xtcp_retransmit_skb(sk, syn);
			goto drop;
		}
		/*
		 * Simultaneous open: the peer's SYN-ACK repeats the SYN our
		 * SYN-ACK acknowledged.  Its ACK completes the handshake, as
		 * in RFC 9293 figure 8 and as Linux does; the SYN is trimmed.
		 */
		cb->seq++;
		cb->flags &= ~TCPHDR_SYN;
	}
	seg_len = cb->end_seq - cb->seq;

	if (!xtcp_paws_check(sk, skb, &o))
		goto drop;

	/* second: RST (RFC 5961 3.2), before the first for its own rules */
	if (cb->flags & TCPHDR_RST) {
		switch (xtcp_rst_action(cb->seq, xs->rcv_nxt, rcv_wnd)) {
		case XTCP_RESET:
			xtcp_rcv_reset(sk);
			break;
		case XTCP_CHALLENGE:
			xtcp_challenge_ack(sk, skb);
			break;
		default:
			XTCP_INC_STATS(sock_net(sk), XTCP_MIB_SEQDROPS);
			break;
		}
		goto drop;
	}

	/* first: sequence number */
	if (!xtcp_seq_acceptable(cb->seq, seg_len, xs->rcv_nxt, rcv_wnd)) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_SEQDROPS);
		if (skb->len && xtcp_seq_lt(cb->seq, xs->rcv_nxt))
			xtcp_dsack_set(sk, cb->seq, cb->seq + skb->len,
				       XTCP_MIB_DSACKOLDSENT);
		xtcp_send_dupack(sk, skb);
		goto drop;
	}

	/* fourth: SYN (RFC 5961 4.2) */
	if (cb->flags & TCPHDR_SYN) {
		xtcp_challenge_ack(sk, skb);
		goto drop;
	}

	/* fifth: ACK */
	if (!(cb->flags & TCPHDR_ACK)) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_ACKDROPS);
		goto drop;
	}
	if (!xtcp_rcv_ack(sk, skb, &o))
		goto drop;
	xtcp_store_ts_recent(sk, skb, &o);
	/* the peer is alive: keepalive starts over */
	xs->rcv_tstamp = jiffies;
	xs->probes_out = 0;
	if (xs->ecn_flags & XTCP_ECN_OK)
		xtcp_rcv_ecn(sk, skb, &quick);

	/* sixth: URG; seventh: segment text */
	switch (sk->sk_state) {
	case XTCP_ESTABLISHED:
	case XTCP_FIN_WAIT1:
	case XTCP_FIN_WAIT2:
		if (skb->len && sk->sk_state != XTCP_ESTABLISHED &&
		    xtcp_abort_on_data(sk, skb))
			goto drop;
		if (unlikely((cb->flags & TCPHDR_URG) ||
			     xs->urg_data == XTCP_URG_NOTYET))
			xtcp_urg_rcv(sk, skb);
		if (skb->len) {
			need_ack = true;
			queued = xtcp_rcv_data(sk, skb, &ofo_fin, &quick);
		}
		break;
	default:
		break;
	}
	/* eighth: FIN, only once everything before it has arrived */
	if (((cb->flags & TCPHDR_FIN) && cb->end_seq - 1 == xs->rcv_nxt) ||
	    ofo_fin) {
		if (sk->sk_state != XTCP_CLOSE)
			xtcp_rcv_fin(sk);
		need_ack = true;
		quick = true;
	} else if (cb->flags & TCPHDR_FIN) {
		need_ack = true;	/* a FIN ahead of a hole */
		quick = true;
	}

	if (sk->sk_state == XTCP_TIME_WAIT) {
		if (need_ack)
			xtcp_send_ack(sk);
		xtcp_time_wait(sk);
	} else if (sk->sk_state != XTCP_CLOSE) {
		/* data we send now carries the ACK, if any is due */
		xtcp_push(sk);
		if (need_ack && xs->rcv_wup != xs->rcv_nxt)
			xtcp_ack_snd_check(sk, quick);
		else if (need_ack && (quick || xs->dsack_pending))
			xtcp_send_ack(sk);
	}
drop:
	if (!queued)
		kfree_skb(skb);
}

/**
 * xtcp_rcv() - process one segment for a socket
 * @sk: socket, locked (see the file comment)
 * @skb: segment with skb->data at its payload and the cb filled; consumed
 *
 * Return: 0.
 */
int xtcp_rcv(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u16 segs = max_t(u16, skb_shinfo(skb)->gso_segs, 1);

	xs->segs_in += segs;
	if (skb->len) {
		xs->data_segs_in += segs;
		xs->lrcvtime = jiffies;
	}
	switch (sk->sk_state) {
	case XTCP_LISTEN:
		/* listeners get their segments unlocked (xtcp_listen_rcv()) */
		kfree_skb(skb);
		return 0;
	case XTCP_SYN_SENT:
		xtcp_rcv_synsent(sk, skb);
		kfree_skb(skb);
		return 0;
	case XTCP_CLOSE:
		/* RFC 9293 3.10.7.1: as if no socket existed */
		xtcp_send_reset_reply(sock_net(sk), skb);
		kfree_skb(skb);
		return 0;
	default:
		xtcp_rcv_synchronized(sk, skb);
		return 0;
	}
}

/**
 * xtcp_backlog_rcv() - process a segment queued while a user held the lock
 * @sk: socket, owned by the user releasing it
 * @skb: segment
 *
 * Runs from release_sock() with bottom halves enabled; disables them so the
 * receive path always runs in the same context as from the netfilter hook.
 *
 * Return: 0.
 */
int xtcp_backlog_rcv(struct sock *sk, struct sk_buff *skb)
{
	local_bh_disable();
	xtcp_rcv(sk, skb);
	local_bh_enable();
	return 0;
}
