// SPDX-License-Identifier: GPL-2.0
/*
 * Timers of full sockets: retransmission (with exponential backoff, giving
 * up after a number of tries, and window probes), keepalive with the
 * orphaned FIN_WAIT_2 timer, and the delayed ACK timer.  All are
 * hrtimers running in softirq context (HRTIMER_MODE_REL_SOFT).  TIME_WAIT
 * has its own timer in its minisock (module/timewait.c).
 *
 * An armed timer holds a reference on its socket.  A callback that finds
 * the socket owned by a user sets a XTCP_*_DEFERRED bit (keeping a
 * reference) and xtcp_release_cb() does the work when the user releases it.
 */
#include "xtcp.h"
#include "pmtu.h"

/*
 * (Re)arm @t to expire in @ns.  A queued timer owns one socket reference.
 * hrtimer_try_to_cancel() returns 1 when it dequeued the timer: its
 * reference moves to the new expiry.  It returns -1 while the callback runs:
 * if the timer was queued again meanwhile (arming happens only under the
 * socket lock, which the caller holds), that arming owns a reference already
 * and cannot expire before the running callback returns on its CPU;
 * otherwise, as for 0 (not armed), a new reference is taken.  Bottom halves
 * are off so the caller is not preempted between the check and the start
 * (every expiry is at least milliseconds away).
 */
static void xtcp_timer_reset(struct sock *sk, struct hrtimer *t, u64 ns)
{
	int ret;

	local_bh_disable();
	ret = hrtimer_try_to_cancel(t);
	if (ret == 0 || (ret < 0 && !hrtimer_is_queued(t)))
		sock_hold(sk);
	hrtimer_start(t, ns_to_ktime(ns), HRTIMER_MODE_REL_SOFT);
	local_bh_enable();
}

/*
 * Stop @t if it is queued and drop its reference.  A timer queued again
 * while its callback runs cannot be cancelled here; it fires later, finds
 * the socket closed, and drops its reference then.
 */
static void xtcp_timer_stop(struct sock *sk, struct hrtimer *t)
{
	if (hrtimer_try_to_cancel(t) == 1)
		__sock_put(sk);
}

/**
 * xtcp_rtt_init() - an estimator without samples (RFC 6298 2.1)
 * @r: estimator
 */
void xtcp_rtt_init(struct xtcp_rtt *r)
{
	r->srtt_us = 0;
	r->rttvar_us = 0;
	r->rto_us = XTCP_INIT_RTO_US;
}

XTCP_EXPORT_FOR_TEST(xtcp_rtt_init);

/**
 * xtcp_rtt_sample() - feed one round-trip measurement (RFC 6298 2.2, 2.3)
 * @r: estimator
 * @rtt_us: the measurement, from a segment never retransmitted (Karn)
 *
 * First sample: SRTT = R, RTTVAR = R/2.  Later ones: RTTVAR = 3/4 RTTVAR +
 * 1/4 |SRTT - R|, then SRTT = 7/8 SRTT + 1/8 R.  RTO = SRTT + max(G,
 * 4 RTTVAR) with Linux's G of 200 ms (its floor on the variation term,
 * tcp_rto_min), at most 120 s.  RFC 6298 2.4 asks for a 1 s minimum
 * instead; Linux's rule gives 200 ms on a LAN and never less than SRTT
 * plus 200 ms, where a plain 200 ms floor fired spuriously as soon as a
 * queue added some 100 ms to a 100 ms path.
 */
void xtcp_rtt_sample(struct xtcp_rtt *r, u32 rtt_us)
{
	u64 rto;

	rtt_us = max(rtt_us, 1U);
	if (!r->srtt_us) {
		r->srtt_us = rtt_us;
		r->rttvar_us = rtt_us / 2;
	} else {
		u32 delta = r->srtt_us > rtt_us ? r->srtt_us - rtt_us :
						  rtt_us - r->srtt_us;

		r->rttvar_us = r->rttvar_us - r->rttvar_us / 4 + delta / 4;
		r->srtt_us = r->srtt_us - r->srtt_us / 8 + rtt_us / 8;
	}
	rto = (u64)r->srtt_us + max_t(u64, XTCP_MIN_RTO_US,
				      4ULL * r->rttvar_us);
	r->rto_us = min_t(u64, rto, XTCP_MAX_RTO_US);
}

XTCP_EXPORT_FOR_TEST(xtcp_rtt_sample);

/**
 * xtcp_rto_backoff() - the timeout after one more expiry (RFC 6298 5.5)
 * @rto_us: current timeout
 *
 * Return: twice @rto_us, at most 120 s.
 */
u32 xtcp_rto_backoff(u32 rto_us)
{
	return min_t(u64, 2ULL * rto_us, XTCP_MAX_RTO_US);
}

XTCP_EXPORT_FOR_TEST(xtcp_rto_backoff);

/*
 * With TCP_USER_TIMEOUT, a retransmission timer never runs past the moment
 * the connection must give up (as Linux's tcp_clamp_rto_to_user_timeout).
 */
static u64 xtcp_rtx_delay_ns(const struct xtcp_sock *xs)
{
	u64 ns = (u64)xs->rto_us * NSEC_PER_USEC;
	u64 end, now;

	if (!xs->user_timeout || !xs->retrans_stamp)
		return ns;
	end = xs->retrans_stamp + (u64)xs->user_timeout * NSEC_PER_MSEC;
	now = ktime_get_ns();
	if (end <= now)
		return NSEC_PER_MSEC;
	return min(ns, max(end - now, (u64)NSEC_PER_MSEC));
}

void xtcp_rearm_rtx(struct sock *sk)
{
	xtcp_timer_reset(sk, &xtcp_sk(sk)->rtx_timer,
			 xtcp_rtx_delay_ns(xtcp_sk(sk)));
}

void xtcp_stop_rtx(struct sock *sk)
{
	xtcp_timer_stop(sk, &xtcp_sk(sk)->rtx_timer);
}

/**
 * xtcp_start_fin_wait2() - start the timer of an orphan in FIN_WAIT_2
 * @sk: socket, locked, closed by its user
 *
 * A peer that never sends its FIN cannot keep an orphan forever: after
 * net.xtcp.fin_timeout seconds it is closed, as Linux's tcp_fin_timeout.
 */
void xtcp_start_fin_wait2(struct sock *sk)
{
	u64 ns = (u64)READ_ONCE(xtcp_pernet(sock_net(sk))->fin_timeout) *
		 NSEC_PER_SEC;

	xtcp_timer_reset(sk, &xtcp_sk(sk)->ka_timer, ns);
}

/**
 * xtcp_stop_timers() - stop every timer of a socket
 * @sk: socket, locked
 *
 * A callback already running holds its own reference and finds the socket
 * closed when it gets the lock.
 */
void xtcp_stop_timers(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	xtcp_timer_stop(sk, &xs->rtx_timer);
	xtcp_timer_stop(sk, &xs->ka_timer);
	xtcp_timer_stop(sk, &xs->dack_timer);
	xs->ack_pending = false;
	if (test_and_clear_bit(XTCP_RTX_DEFERRED, &xs->deferred))
		__sock_put(sk);
	if (test_and_clear_bit(XTCP_KA_DEFERRED, &xs->deferred))
		__sock_put(sk);
	if (test_and_clear_bit(XTCP_DACK_DEFERRED, &xs->deferred))
		__sock_put(sk);
	if (test_and_clear_bit(XTCP_MTU_REDUCED_DEFERRED, &xs->deferred))
		__sock_put(sk);
}

/* Synchronized, not yet closed: keepalive runs, a delayed ACK is due. */
static bool xtcp_ka_state(const struct sock *sk)
{
	return (1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_FIN_WAIT1 |
				      TCPF_FIN_WAIT2 | TCPF_CLOSE_WAIT |
				      TCPF_CLOSING | TCPF_LAST_ACK);
}

/**
 * xtcp_delay_ack() - let the ACK of in-sequence data wait a little
 * @sk: socket, locked
 *
 * RFC 9293 3.8.6.3 and RFC 5681 4.2: an ACK may wait for a second
 * full-sized segment, but not longer than XTCP_DELACK_US (40 ms, Linux's
 * minimum delay; the RFCs allow up to 500 ms).  Any segment we send
 * meanwhile carries the ACK and stops the timer.
 */
void xtcp_delay_ack(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (xs->ack_pending)
		return;
	xs->ack_pending = true;
	xtcp_timer_reset(sk, &xs->dack_timer, XTCP_DELACK_US * NSEC_PER_USEC);
}

/**
 * xtcp_stop_dack() - a segment carrying the ACK went out
 * @sk: socket, locked
 */
void xtcp_stop_dack(struct sock *sk)
{
	xtcp_sk(sk)->ack_pending = false;
	xtcp_timer_stop(sk, &xtcp_sk(sk)->dack_timer);
}

static void xtcp_dack_timer(struct sock *sk)
{
	if (!xtcp_sk(sk)->ack_pending || !xtcp_ka_state(sk))
		return;
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_DELAYEDACKS);
	xtcp_send_ack(sk);
}

/* net.xtcp.syn_retries, synack_retries or retries2, by state. */
static int xtcp_max_retries(const struct sock *sk)
{
	const struct xtcp_net *xn = xtcp_pernet(sock_net(sk));

	switch (sk->sk_state) {
	case XTCP_SYN_SENT:
		return READ_ONCE(xn->syn_retries);
	case XTCP_SYN_RECV:
		return READ_ONCE(xn->synack_retries);
	default:
		return READ_ONCE(xn->retries2);
	}
}

/* Has the connection waited for an ACK longer than it may? */
static bool xtcp_timed_out(const struct sock *sk)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);

	if (xs->user_timeout && xs->retrans_stamp &&
	    sk->sk_state != XTCP_SYN_SENT && sk->sk_state != XTCP_SYN_RECV)
		return ktime_get_ns() - xs->retrans_stamp >=
		       (u64)xs->user_timeout * NSEC_PER_MSEC;
	return xs->retries >= xtcp_max_retries(sk);
}

/*
 * Nothing in flight, and data waits: if the peer's window has room, what
 * waits is a segment Nagle, TCP_CORK or MSG_MORE held back, and it goes
 * now (Linux's 200 ms cork ceiling comes from the same timer).
 */
static bool xtcp_write_wakeup(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 room = xtcp_seq_gt(xs->snd_una + xs->snd_wnd, XTCP_SKB_CB(skb)->seq) ?
		   xs->snd_una + xs->snd_wnd - XTCP_SKB_CB(skb)->seq : 0;

	if (!room || room < min_t(u32, skb->len, xs->mss))
		return false;
	__xtcp_push(sk, true);
	return true;
}

/**
 * xtcp_retransmit_timer() - the retransmission timeout fired
 * @sk: socket, locked, not owned by a user
 *
 * Doubles the RTO (RFC 6298 5.5), takes everything in flight for lost and
 * resends from the oldest unacknowledged segment on as slow start from a
 * one-segment window allows (module/recovery.c).  With nothing in flight
 * but data waiting on a zero window, probes the window.  After too many
 * tries the connection fails with ETIMEDOUT.
 */
void xtcp_retransmit_timer(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb = skb_peek(&sk->sk_write_queue);

	if (!skb || sk->sk_state == XTCP_CLOSE || sk->sk_state == XTCP_LISTEN ||
	    sk->sk_state == XTCP_TIME_WAIT)
		return;
	if (skb == xs->send_head && xtcp_write_wakeup(sk, skb))
		return;
	if (!xs->retrans_stamp)
		xs->retrans_stamp = XTCP_SKB_CB(skb)->tx_ns ? : ktime_get_ns();
	if (xtcp_timed_out(sk)) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_ABORTONTIMEOUT);
		/* an ICMP error seen meanwhile says why (RFC 1122 4.2.3.9) */
		WRITE_ONCE(sk->sk_err, READ_ONCE(sk->sk_err_soft) ? : ETIMEDOUT);
		if (sk->sk_state != XTCP_SYN_SENT &&
		    sk->sk_state != XTCP_SYN_RECV)
			xtcp_send_active_reset(sk, GFP_ATOMIC);
		xtcp_transition(sk, XTCP_EV_TIMEOUT);
		xtcp_done(sk);
		sk_error_report(sk);
		return;
	}
	if (xtcp_cwnd_state(sk)) {
		xtcp_mtu_probe_lost(sk);
		if (xs->retries >= XTCP_RETRIES1)
			xtcp_mtu_black_hole(sk);
	}
	xs->retries++;
	xs->rto_us = xtcp_rto_backoff(xs->rto_us);
	if (skb == xs->send_head) {
		xtcp_send_probe(sk);
	} else {
		xtcp_enter_loss(sk);
		xtcp_push(sk);
	}
	xtcp_rearm_rtx(sk);
}

static u32 xtcp_ka_time(const struct sock *sk)
{
	return xtcp_sk(sk)->keepalive_time ? :
	       READ_ONCE(xtcp_pernet(sock_net(sk))->keepalive_time);
}

static u32 xtcp_ka_intvl(const struct sock *sk)
{
	return xtcp_sk(sk)->keepalive_intvl ? :
	       READ_ONCE(xtcp_pernet(sock_net(sk))->keepalive_intvl);
}

static u32 xtcp_ka_probes(const struct sock *sk)
{
	return xtcp_sk(sk)->keepalive_probes ? :
	       READ_ONCE(xtcp_pernet(sock_net(sk))->keepalive_probes);
}

static void xtcp_ka_arm(struct sock *sk, u64 ms)
{
	xtcp_timer_reset(sk, &xtcp_sk(sk)->ka_timer, ms * NSEC_PER_MSEC);
}

/**
 * xtcp_reset_keepalive() - (re)start keepalive from the last arrival
 * @sk: socket, locked
 *
 * After SO_KEEPALIVE, TCP_KEEPIDLE, or a connection becoming established:
 * the first probe goes out keepalive_time after the last segment arrived.
 */
void xtcp_reset_keepalive(struct sock *sk)
{
	u64 idle, when;

	if (!sock_flag(sk, SOCK_KEEPOPEN) || !xtcp_ka_state(sk) ||
	    (sk->sk_state == XTCP_FIN_WAIT2 && sock_flag(sk, SOCK_DEAD)))
		return;
	idle = jiffies_to_msecs(jiffies - xtcp_sk(sk)->rcv_tstamp);
	when = (u64)xtcp_ka_time(sk) * MSEC_PER_SEC;
	xtcp_ka_arm(sk, when > idle ? when - idle : 0);
}

/**
 * xtcp_keepalive() - struct proto's keepalive: SO_KEEPALIVE was set
 * @sk: socket, locked
 * @on: on or off
 */
void xtcp_keepalive(struct sock *sk, int on)
{
	if (on) {
		sock_set_flag(sk, SOCK_KEEPOPEN);
		xtcp_reset_keepalive(sk);
	} else if (!(sk->sk_state == XTCP_FIN_WAIT2 &&
		     sock_flag(sk, SOCK_DEAD))) {
		xtcp_timer_stop(sk, &xtcp_sk(sk)->ka_timer);
	}
}

/*
 * The keepalive timer (RFC 1122 4.2.3.6), which also ends orphans that
 * waited too long in FIN_WAIT_2.  After keepalive_time without a segment
 * from the peer, a probe (an ACK at SND.UNA - 1, which the peer must
 * answer) goes out every keepalive_intvl; after keepalive_probes without
 * an answer the connection is reset and fails with ETIMEDOUT, as Linux's.
 * While data is in flight the retransmission timer watches the peer.
 */
static void xtcp_keepalive_timer(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u64 idle, ka_time;

	if (sk->sk_state == XTCP_FIN_WAIT2 && sock_flag(sk, SOCK_DEAD)) {
		xtcp_transition(sk, XTCP_EV_TIMEOUT);
		xtcp_done(sk);
		return;
	}
	if (!sock_flag(sk, SOCK_KEEPOPEN) || !xtcp_ka_state(sk))
		return;
	ka_time = (u64)xtcp_ka_time(sk) * MSEC_PER_SEC;
	if (xs->snd_una != xs->snd_max || xs->send_head) {
		xtcp_ka_arm(sk, ka_time);
		return;
	}
	idle = jiffies_to_msecs(jiffies - xs->rcv_tstamp);
	if (idle < ka_time) {
		xtcp_ka_arm(sk, ka_time - idle);
		return;
	}
	if (xs->probes_out >= xtcp_ka_probes(sk)) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_ABORTONTIMEOUT);
		/* an ICMP error seen meanwhile says why (RFC 1122 4.2.3.9) */
		WRITE_ONCE(sk->sk_err, READ_ONCE(sk->sk_err_soft) ? : ETIMEDOUT);
		xtcp_send_active_reset(sk, GFP_ATOMIC);
		xtcp_transition(sk, XTCP_EV_TIMEOUT);
		xtcp_done(sk);
		sk_error_report(sk);
		return;
	}
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_KEEPALIVES);
	xtcp_send_probe(sk);
	xs->probes_out++;
	xtcp_ka_arm(sk, (u64)xtcp_ka_intvl(sk) * MSEC_PER_SEC);
}

static enum hrtimer_restart xtcp_timer_fire(struct sock *sk, int bit,
					    void (*fn)(struct sock *sk))
{
	bh_lock_sock(sk);
	if (!sock_owned_by_user(sk))
		fn(sk);
	else if (!test_and_set_bit(bit, &xtcp_sk(sk)->deferred))
		sock_hold(sk);
	bh_unlock_sock(sk);
	sock_put(sk);
	return HRTIMER_NORESTART;
}

static enum hrtimer_restart xtcp_rtx_fire(struct hrtimer *t)
{
	struct xtcp_sock *xs = container_of(t, struct xtcp_sock, rtx_timer);

	return xtcp_timer_fire(&xs->inet.sk, XTCP_RTX_DEFERRED,
			       xtcp_retransmit_timer);
}

static enum hrtimer_restart xtcp_ka_fire(struct hrtimer *t)
{
	struct xtcp_sock *xs = container_of(t, struct xtcp_sock, ka_timer);

	return xtcp_timer_fire(&xs->inet.sk, XTCP_KA_DEFERRED, xtcp_keepalive_timer);
}

static enum hrtimer_restart xtcp_dack_fire(struct hrtimer *t)
{
	struct xtcp_sock *xs = container_of(t, struct xtcp_sock, dack_timer);

	return xtcp_timer_fire(&xs->inet.sk, XTCP_DACK_DEFERRED, xtcp_dack_timer);
}

void xtcp_init_timers(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	hrtimer_init(&xs->rtx_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_SOFT);
	xs->rtx_timer.function = xtcp_rtx_fire;
	hrtimer_init(&xs->ka_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_SOFT);
	xs->ka_timer.function = xtcp_ka_fire;
	hrtimer_init(&xs->dack_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_SOFT);
	xs->dack_timer.function = xtcp_dack_fire;
}

/**
 * xtcp_release_cb() - run timer work deferred while a user owned the socket
 * @sk: socket, from release_sock() with its spinlock held
 */
void xtcp_release_cb(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (test_and_clear_bit(XTCP_RTX_DEFERRED, &xs->deferred)) {
		xtcp_retransmit_timer(sk);
		__sock_put(sk);
	}
	if (test_and_clear_bit(XTCP_KA_DEFERRED, &xs->deferred)) {
		xtcp_keepalive_timer(sk);
		__sock_put(sk);
	}
	if (test_and_clear_bit(XTCP_DACK_DEFERRED, &xs->deferred)) {
		xtcp_dack_timer(sk);
		__sock_put(sk);
	}
	if (test_and_clear_bit(XTCP_MTU_REDUCED_DEFERRED, &xs->deferred)) {
		xtcp_mtu_reduced(sk);
		__sock_put(sk);
	}
}
