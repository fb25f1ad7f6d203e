// SPDX-License-Identifier: GPL-2.0
/*
 * TIME_WAIT (RFC 9293 3.6) as a minisock.
 *
 * When a connection enters TIME_WAIT, a struct xtcp_tw takes the place of
 * the full socket in the lookup path and the full socket is done: its
 * memory, queues and timers go at once, and a busy server closing many
 * connections keeps only the small minisocks for 2MSL.  A minisock
 * re-ACKs a retransmitted FIN and restarts 2MSL, ignores RST (RFC 1337),
 * ACKs anything else that is not a bare in-window ACK, and lets a new SYN
 * with a higher sequence number reuse its 4-tuple (RFC 1122 4.2.2.13).
 *
 * References: the table holds one and the armed 2MSL timer one; lookups
 * take their own.  Whoever stops the timer (the timer itself when it
 * expires, a reusing SYN, or namespace exit) unhashes the minisock, drops
 * its port reservation and the timer's reference.  Restarts and kills take
 * tw->lock, so a restart never re-arms a timer someone else just stopped.
 * The last reference frees it after an RCU grace period.
 */
#include <net/tcp.h>

#include "xtcp.h"
#include "trace.h"

void xtcp_tw_put(struct xtcp_tw *tw)
{
	if (refcount_dec_and_test(&tw->refcnt))
		kfree_rcu(tw, rcu);
}

static u64 xtcp_tw_len_ns(const struct net *net)
{
	return 2ULL * READ_ONCE(xtcp_pernet(net)->msl) * NSEC_PER_SEC;
}

static void xtcp_tw_trace(const struct xtcp_tw *tw, const char *what)
{
	if (xtcp_trace_states)
		pr_info("%pI4:%u -> %pI4:%u %s snd_nxt=%u rcv_nxt=%u\n",
			&tw->laddr, ntohs(tw->lport), &tw->raddr,
			ntohs(tw->rport), what, tw->snd_nxt, tw->rcv_nxt);
}

/*
 * The caller stopped the timer (or is the expired timer): end @tw, for
 * @reason (XTCP_TWEXIT_*).
 */
static void xtcp_tw_finish(struct xtcp_tw *tw, int reason)
{
	trace_xtcp_tw_exit(tw, tw->laddr, ntohs(tw->lport), tw->raddr,
			   ntohs(tw->rport), reason);
	xtcp_tw_unhash(tw);
	xtcp_port_put(tw->port);
	tw->port = NULL;
	xtcp_tw_put(tw);		/* the timer's reference */
}

static enum hrtimer_restart xtcp_tw_expire(struct hrtimer *t)
{
	struct xtcp_tw *tw = container_of(t, struct xtcp_tw, timer);

	XTCP_INC_STATS(read_pnet(&tw->net), XTCP_MIB_TW);
	xtcp_tw_trace(tw, "TIME_WAIT -> CLOSE (2MSL expired)");
	xtcp_tw_finish(tw, XTCP_TWEXIT_EXPIRED);
	return HRTIMER_NORESTART;
}

/* Stop the timer if it is armed.  Return: true if this call stopped it. */
static bool xtcp_tw_deschedule(struct xtcp_tw *tw)
{
	int ret;

	spin_lock_bh(&tw->lock);
	ret = hrtimer_try_to_cancel(&tw->timer);
	spin_unlock_bh(&tw->lock);
	return ret == 1;
}

static void xtcp_tw_restart(struct xtcp_tw *tw)
{
	spin_lock_bh(&tw->lock);
	/* a timer that is not armed belongs to whoever stopped it */
	if (hrtimer_try_to_cancel(&tw->timer) == 1)
		hrtimer_start(&tw->timer,
			      ns_to_ktime(xtcp_tw_len_ns(read_pnet(&tw->net))),
			      HRTIMER_MODE_REL_SOFT);
	spin_unlock_bh(&tw->lock);
}

/**
 * xtcp_time_wait() - a connection entered TIME_WAIT: hand it to a minisock
 * @sk: socket, locked, just moved to XTCP_TIME_WAIT, its last ACK sent
 *
 * The minisock takes over the 4-tuple, the sequence numbers and the port
 * reservation; the full socket becomes CLOSED and is done.  If no memory
 * is left for a minisock the connection closes without TIME_WAIT (and
 * TCPTimeWaitOverflow counts it), as Linux does.
 */
void xtcp_time_wait(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct net *net = sock_net(sk);
	struct xtcp_tw *tw;

	tw = kzalloc(sizeof(*tw), GFP_ATOMIC);
	if (tw) {
		refcount_set(&tw->refcnt, 2);	/* the table's, the timer's */
		write_pnet(&tw->net, net);
		tw->laddr = sk->sk_rcv_saddr;
		tw->raddr = sk->sk_daddr;
		tw->lport = htons(sk->sk_num);
		tw->rport = sk->sk_dport;
		tw->bound_dev_if = sk->sk_bound_dev_if;
		tw->mark = sk->sk_mark;
		tw->tos = inet_sk(sk)->tos;
		tw->snd_nxt = xs->snd_max;
		tw->rcv_nxt = xs->rcv_nxt;
		tw->rcv_wnd = min_t(u32, xtcp_select_window(sk), 65535U);
		spin_lock_init(&tw->lock);
		tw->port = xs->port;
		xs->port = NULL;
		trace_xtcp_tw_enter(tw, tw->laddr, sk->sk_num, tw->raddr,
				    ntohs(tw->rport),
				    div_u64(xtcp_tw_len_ns(net), NSEC_PER_MSEC));
		hrtimer_init(&tw->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_SOFT);
		tw->timer.function = xtcp_tw_expire;
		hrtimer_start(&tw->timer, ns_to_ktime(xtcp_tw_len_ns(net)),
			      HRTIMER_MODE_REL_SOFT);
		/* in the table before the socket leaves its own: no gap */
		xtcp_tw_hash_insert(tw);
		xtcp_tw_trace(tw, "TIME_WAIT: full socket -> minisock");
	} else {
		XTCP_INC_STATS(net, XTCP_MIB_TWOVERFLOW);
	}
	/* the minisock carries TIME_WAIT on; the full socket is done */
	inet_sk_set_state(sk, XTCP_CLOSE);
	xtcp_done(sk);
}

/**
 * xtcp_tw_action() - what TIME_WAIT does with a segment
 * @flags: the segment's TCPHDR_* flags
 * @seq: SEG.SEQ
 * @end_seq: SEG.SEQ + SEG.LEN (SYN and FIN included)
 * @rcv_nxt: RCV.NXT of the connection (after the peer's FIN)
 *
 * RST is ignored (RFC 1337).  A SYN without ACK above RCV.NXT may open a
 * new incarnation (RFC 1122 4.2.2.13).  A retransmitted FIN is ACKed and
 * restarts 2MSL (RFC 9293 3.10.7.4, eighth check).  A bare ACK at RCV.NXT is
 * acceptable and needs nothing; anything else is unacceptable and is
 * answered with an ACK (first check).
 *
 * Return: the verdict.
 */
enum xtcp_tw_verdict xtcp_tw_action(u8 flags, u32 seq, u32 end_seq,
				    u32 rcv_nxt)
{
	if (flags & TCPHDR_RST)
		return XTCP_TW_DROP;
	if ((flags & (TCPHDR_SYN | TCPHDR_ACK)) == TCPHDR_SYN &&
	    xtcp_seq_gt(seq, rcv_nxt))
		return XTCP_TW_SYN;
	if ((flags & TCPHDR_FIN) && end_seq == rcv_nxt)
		return XTCP_TW_ACK_RESTART;
	if ((flags & TCPHDR_ACK) && seq == rcv_nxt && end_seq == seq)
		return XTCP_TW_DROP;
	return XTCP_TW_ACK;
}

XTCP_EXPORT_FOR_TEST(xtcp_tw_action);

/**
 * xtcp_tw_rcv() - a segment for a TIME_WAIT minisock
 * @tw: minisock, referenced by the caller
 * @skb: segment with its cb filled; not consumed
 *
 * Context: softirq (the netfilter hook).
 * Return: a listener (referenced) that must now get the segment, a SYN
 * that reuses the 4-tuple (the minisock is gone, the SYN's cb carries the
 * ISN for the new connection); or NULL when the segment was handled here.
 */
struct sock *xtcp_tw_rcv(struct xtcp_tw *tw, struct sk_buff *skb)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct net *net = read_pnet(&tw->net);
	bool limited;
	struct sock *l;

	switch (xtcp_tw_action(cb->flags, cb->seq, cb->end_seq,
			       tw->rcv_nxt)) {
	case XTCP_TW_SYN:
		l = xtcp_lookup_listener(net, tw->raddr, tw->rport, tw->laddr,
					 tw->lport, inet_iif(skb), 0);
		if (!l) {
			xtcp_send_tw_ack(tw);
			break;
		}
		if (xtcp_tw_deschedule(tw))
			xtcp_tw_finish(tw, XTCP_TWEXIT_REUSED);
		XTCP_INC_STATS(net, XTCP_MIB_TWREUSED);
		xtcp_tw_trace(tw, "TIME_WAIT -> CLOSE (4-tuple reused by a SYN)");
		/* above every number the old incarnation used, as Linux */
		cb->tw_isn = tw->snd_nxt + 65535 + 2 ? : 1;
		return l;
	case XTCP_TW_ACK_RESTART:
		xtcp_tw_restart(tw);
		fallthrough;
	case XTCP_TW_ACK:
		spin_lock(&tw->lock);
		limited = xtcp_oow_rate_limited(net, skb, &tw->last_oow_ack,
						XTCP_MIB_ACKSKIPPEDTIMEWAIT);
		spin_unlock(&tw->lock);
		if (!limited)
			xtcp_send_tw_ack(tw);
		break;
	case XTCP_TW_DROP:
		if (cb->flags & TCPHDR_RST)
			XTCP_INC_STATS(net, XTCP_MIB_TWRSTIGNORED);
		break;
	}
	return NULL;
}

/**
 * xtcp_tw_purge() - end every TIME_WAIT minisock of a namespace
 * @net: namespace going away, its receive hook already unregistered
 */
void xtcp_tw_purge(struct net *net)
{
	unsigned int pos = 0;
	struct xtcp_tw *tw;

	while ((tw = xtcp_tw_next(net, &pos))) {
		/* waits for a running expiry, which then ends it itself */
		if (hrtimer_cancel(&tw->timer))
			xtcp_tw_finish(tw, XTCP_TWEXIT_FLUSHED);
		xtcp_tw_put(tw);
	}
}
