// SPDX-License-Identifier: GPL-2.0
/*
 * Loss detection and recovery on the sender side.
 *
 * The write queue doubles as the SACK scoreboard: every sent segment
 * carries XTCP_TAG_* bits (SACKed, taken for lost, resent), and struct
 * xtcp_scoreboard sums them in bytes.  From that the sender knows RFC 6675's
 * pipe, the data still in the network, and sends only while pipe is below
 * the congestion window.
 *
 * - Three duplicate ACKs (or, with SACK, more than two segments' worth of
 *   data SACKed above a hole) start fast retransmit and fast recovery:
 *   ssthresh and cwnd come down once (the algorithm's ssthresh()), the
 *   first hole is resent at once, and recovery lasts until everything sent
 *   before it is acknowledged (RFC 6582's "recover").  A partial ACK in
 *   recovery resends the next hole (NewReno); with SACK every segment
 *   RFC 6675's IsLost() names is resent, and so is every segment sent
 *   more than RACK's reordering window before one since delivered (RFC
 *   8985's time rule: a burst of losses is resent in one round trip, not
 *   a hole per round trip, however high the reordering threshold is).
 * - Without SACK each duplicate ACK counts as one segment that left the
 *   network (as Linux's "reno SACKs"), which gives RFC 5681's cwnd inflation
 *   and RFC 3042's limited transmit from the same pipe arithmetic.
 * - A retransmission timeout takes everything in flight for lost, sets
 *   cwnd to one segment (RFC 5681 3.1, "loss window") and slow-starts
 *   through the resends.
 * - Reordering is not loss: a segment never resent that arrives below the
 *   highest SACK shows how far the path reorders, and the duplicate ACK
 *   threshold grows to match (up to 300 segments, as Linux's reordering).
 *   A recovery or timeout found spurious by the timestamps (RFC 3522,
 *   Eifel: the ACK that fills the hole echoes a timestamp older than our
 *   first resend, so the original arrived) is undone: the window before
 *   the reduction comes back.
 *
 * Context: the socket lock, as the receive path and the timers hold it.
 */
#include <net/tcp.h>

#include "xtcp.h"
#include "pmtu.h"
#include "trace.h"

/* Bytes of sequence space a segment occupies. */
static u32 xtcp_skb_seqlen(const struct sk_buff *skb)
{
	return XTCP_SKB_CB(skb)->end_seq - XTCP_SKB_CB(skb)->seq;
}

/**
 * xtcp_pipe() - data the network holds, RFC 6675's pipe
 * @xs: socket
 *
 * Return: bytes sent and neither acknowledged, SACKed nor taken for lost,
 * plus resent bytes not yet acknowledged.
 */
u32 xtcp_pipe(const struct xtcp_sock *xs)
{
	u32 out = xs->snd_max - xs->snd_una;
	u32 left = xs->sb.sacked_out + xs->sb.lost_out;

	return (out > left ? out - left : 0) + xs->sb.retrans_out;
}

/**
 * xtcp_cwnd_quota() - what the congestion window lets out now
 * @xs: socket
 *
 * Return: bytes, a whole number of segments: cwnd minus pipe, counted in
 * segments of the current MSS.
 */
u32 xtcp_cwnd_quota(const struct xtcp_sock *xs)
{
	u32 pipe = DIV_ROUND_UP(xtcp_pipe(xs), xs->mss);

	return pipe < xs->cc.cwnd ? (xs->cc.cwnd - pipe) * xs->mss : 0;
}

/* Change the tags of @skb, keeping the scoreboard's sums right. */
static void xtcp_tag(struct xtcp_scoreboard *sb, struct sk_buff *skb, u8 tags)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	u32 len = xtcp_skb_seqlen(skb);

	if (cb->sacked & XTCP_TAG_SACKED)
		sb->sacked_out -= len;
	if (cb->sacked & XTCP_TAG_LOST)
		sb->lost_out -= len;
	if (cb->sacked & XTCP_TAG_RETRANS)
		sb->retrans_out -= len;
	cb->sacked = tags;
	if (tags & XTCP_TAG_SACKED)
		sb->sacked_out += len;
	if (tags & XTCP_TAG_LOST)
		sb->lost_out += len;
	if (tags & XTCP_TAG_RETRANS)
		sb->retrans_out += len;
}

/**
 * xtcp_untag() - a segment leaves the write queue (acknowledged)
 * @sb: scoreboard
 * @skb: segment
 */
void xtcp_untag(struct xtcp_scoreboard *sb, struct sk_buff *skb)
{
	xtcp_tag(sb, skb, 0);
}

XTCP_EXPORT_FOR_TEST(xtcp_untag);

/**
 * xtcp_trim_head() - drop the acknowledged start of a sent segment
 * @sk: socket, or NULL (KUnit) for no memory accounting
 * @sb: scoreboard
 * @skb: the first segment of the write queue, partly acknowledged
 * @ack: SND.UNA, inside the segment's payload
 *
 * A segment is cut back only when it carries tags or is about to be resent:
 * resending acknowledged bytes would waste the window, and tags must count
 * only what is still outstanding.
 *
 * Return: 0 or -ENOMEM (the segment is left whole).
 */
int xtcp_trim_head(struct sock *sk, struct xtcp_scoreboard *sb,
		   struct sk_buff *skb, u32 ack)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	u32 len = ack - cb->seq, eat, truesize = skb->truesize;
	struct skb_shared_info *shi;
	u8 tags = cb->sacked;
	int i, k = 0;

	if (!len || len >= skb->len || skb_headlen(skb))
		return 0;
	if (skb_unclone(skb, GFP_ATOMIC))
		return -ENOMEM;
	if (sk)
		sk_wmem_queued_add(sk, skb->truesize - truesize);
	xtcp_tag(sb, skb, 0);
	shi = skb_shinfo(skb);
	eat = len;
	for (i = 0; i < shi->nr_frags; i++) {
		u32 size = skb_frag_size(&shi->frags[i]);

		if (size <= eat) {
			skb_frag_unref(skb, i);
			eat -= size;
			continue;
		}
		shi->frags[k] = shi->frags[i];
		if (eat) {
			skb_frag_off_add(&shi->frags[k], eat);
			skb_frag_size_sub(&shi->frags[k], eat);
			eat = 0;
		}
		k++;
	}
	shi->nr_frags = k;
	skb->data_len -= len;
	skb->len = skb->data_len;
	skb->truesize -= len;
	if (sk) {
		sk_wmem_queued_add(sk, -len);
		sk_mem_uncharge(sk, len);
	}
	cb->seq = ack;
	xtcp_tag(sb, skb, tags);
	return 0;
}

XTCP_EXPORT_FOR_TEST(xtcp_trim_head);

/*
 * Tag the sent segments inside one SACK block, splitting a segment that
 * straddles an edge of the block.  Return: bytes newly SACKed.
 */
static u32 xtcp_sacktag_block(struct sock *sk, struct sk_buff_head *q,
			      u32 snd_max, const struct xtcp_sack_block *b,
			      struct xtcp_scoreboard *sb)
{
	struct sk_buff *skb, *next;
	u32 newly = 0;

	skb_queue_walk_safe(q, skb, next) {
		struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

		if (!xtcp_seq_lt(cb->seq, snd_max) ||
		    !xtcp_seq_lt(cb->seq, b->end))
			break;
		if (xtcp_seq_leq(cb->end_seq, b->start) ||
		    (cb->sacked & XTCP_TAG_SACKED))
			continue;
		if (xtcp_seq_lt(cb->seq, b->start)) {
			/* keep the part below the block untagged */
			if (xtcp_split(sk, q, skb, b->start - cb->seq))
				continue;
			next = skb_queue_next(q, skb);
			continue;
		}
		if (xtcp_seq_gt(cb->end_seq, b->end) &&
		    xtcp_seq_lt(b->end, cb->seq + skb->len) &&
		    xtcp_split(sk, q, skb, b->end - cb->seq))
			break;
		if (xtcp_seq_gt(cb->end_seq, b->end))
			break;	/* only a FIN lies past the block */
		newly += xtcp_skb_seqlen(skb);
		if (xtcp_note_reordering(sb, skb) && sk)
			XTCP_INC_STATS(sock_net(sk), XTCP_MIB_REORDER);
		sb->delivered_ns = max(sb->delivered_ns, cb->tx_ns);
		xtcp_tag(sb, skb, XTCP_TAG_SACKED);
		if (sb->sacked_out == xtcp_skb_seqlen(skb) ||
		    xtcp_seq_gt(cb->end_seq, sb->highest_sack))
			sb->highest_sack = cb->end_seq;
	}
	return newly;
}

/**
 * xtcp_sacktag() - apply the SACK blocks of an ACK to the scoreboard
 * @sk: socket, or NULL (KUnit) for no memory accounting
 * @q: write queue
 * @ack: SEG.ACK of the segment
 * @snd_una: SND.UNA before it
 * @snd_max: highest sequence number sent
 * @blk: the blocks, as received
 * @n: how many
 * @sb: scoreboard
 * @dsack: set if the first block reports a duplicate (RFC 2883)
 *
 * A first block below SEG.ACK, or inside the second block, is a D-SACK: it
 * says a segment arrived twice, and tags nothing.  Blocks outside
 * [SND.UNA, SND.MAX] are ignored (RFC 2018 does not let a receiver SACK
 * what was never sent).
 *
 * Return: bytes newly SACKed.
 */
u32 xtcp_sacktag(struct sock *sk, struct sk_buff_head *q, u32 ack,
		 u32 snd_una, u32 snd_max, const struct xtcp_sack_block *blk,
		 int n, struct xtcp_scoreboard *sb, bool *dsack)
{
	u32 newly = 0;
	int i;

	*dsack = false;
	for (i = 0; i < n; i++) {
		const struct xtcp_sack_block *b = &blk[i];

		if (!xtcp_seq_lt(b->start, b->end))
			continue;
		if (i == 0 && (xtcp_seq_lt(b->start, ack) ||
			       (n > 1 && xtcp_seq_geq(b->start, blk[1].start) &&
				xtcp_seq_leq(b->end, blk[1].end)))) {
			*dsack = true;
			continue;
		}
		if (xtcp_seq_lt(b->start, snd_una) || xtcp_seq_gt(b->end, snd_max))
			continue;
		newly += xtcp_sacktag_block(sk, q, snd_max, b, sb);
	}
	return newly;
}

XTCP_EXPORT_FOR_TEST(xtcp_sacktag);

/**
 * xtcp_note_reordering() - a segment never resent is acknowledged or SACKed
 * @sb: scoreboard
 * @skb: the segment
 *
 * If it lies below the highest SACK, later data overtook it by that much.
 *
 * Return: true if that is more reordering than seen before.
 */
bool xtcp_note_reordering(struct xtcp_scoreboard *sb, const struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

	if (cb->retrans || !sb->sacked_out ||
	    !xtcp_seq_lt(cb->end_seq, sb->highest_sack) ||
	    sb->highest_sack - cb->seq <= sb->reord_bytes)
		return false;
	sb->reord_bytes = sb->highest_sack - cb->seq;
	return true;
}

XTCP_EXPORT_FOR_TEST(xtcp_note_reordering);

/**
 * xtcp_dupthresh() - duplicate ACKs (or SACKed segments) that mean loss
 * @xs: socket
 *
 * Return: 3 (RFC 5681), or the reordering seen on the path if larger.
 */
u32 xtcp_dupthresh(const struct xtcp_sock *xs)
{
	return clamp_t(u32, xs->sb.reord_bytes / xs->mss + 1, XTCP_DUPTHRESH,
		       XTCP_MAX_REORDERING);
}

/**
 * xtcp_mark_lost() - tag what RFC 6675's IsLost() says is lost
 * @q: write queue
 * @snd_max: highest sequence number sent
 * @sb: scoreboard
 * @thresh: (DupThresh - 1) * MSS
 *
 * A segment below the highest SACK is lost once more than @thresh bytes
 * above it are SACKed.
 *
 * Return: bytes newly tagged lost.
 */
u32 xtcp_mark_lost(struct sk_buff_head *q, u32 snd_max,
		   struct xtcp_scoreboard *sb, u32 thresh)
{
	u32 seen = 0, newly = 0;
	struct sk_buff *skb;

	if (!sb->sacked_out)
		return 0;
	skb_queue_walk(q, skb) {
		struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

		if (!xtcp_seq_lt(cb->seq, snd_max) ||
		    !xtcp_seq_lt(cb->seq, sb->highest_sack))
			break;
		if (cb->sacked & XTCP_TAG_SACKED) {
			seen += xtcp_skb_seqlen(skb);
			continue;
		}
		if (sb->sacked_out - seen <= thresh)
			break;
		if (!(cb->sacked & XTCP_TAG_LOST)) {
			newly += xtcp_skb_seqlen(skb);
			xtcp_tag(sb, skb, cb->sacked | XTCP_TAG_LOST);
		}
	}
	return newly;
}

XTCP_EXPORT_FOR_TEST(xtcp_mark_lost);

/**
 * xtcp_rack_mark_lost() - mark lost what later deliveries overtook
 * @q: write queue
 * @end: first segment never sent (xs->send_head), or NULL
 * @sb: scoreboard
 * @reo_wnd_ns: how much later than a segment a delivered segment may have
 *	left before the first counts as lost (the reordering window)
 * @resent: set to the bytes of resends among those tagged
 *
 * The time-ordered rule of RACK (RFC 8985 6.2): a segment still
 * outstanding, sent more than the reordering window before a segment that
 * has since been acknowledged or SACKed, is lost.  A first transmission is
 * tagged lost; a resend, lost too, is tagged lost again, to be resent once
 * more instead of waiting for the retransmission timeout.  SACKed segments
 * and lost ones not yet resent are left alone.  Unlike counting SACKed
 * segments (IsLost), this marks a whole burst of losses at once, however
 * high the reordering threshold has grown.
 *
 * Return: bytes tagged lost.
 */
u32 xtcp_rack_mark_lost(struct sk_buff_head *q, struct sk_buff *end,
			struct xtcp_scoreboard *sb, u64 reo_wnd_ns, u32 *resent)
{
	struct sk_buff *skb;
	u32 newly = 0;

	*resent = 0;
	if (!sb->delivered_ns)
		return 0;
	skb_queue_walk(q, skb) {
		struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
		u8 tags = cb->sacked;

		if (skb == end)
			break;
		/*
		 * The queue is in order of first transmission: past a segment
		 * never resent (nor taken for lost, whose resend may have been
		 * stamped and then failed) that is too recent, every segment
		 * was sent later still.  The walk per ACK stops there.
		 */
		if (!cb->retrans && !(tags & XTCP_TAG_LOST) &&
		    cb->tx_ns + reo_wnd_ns >= sb->delivered_ns)
			break;
		if ((tags & XTCP_TAG_SACKED) ||
		    (tags & (XTCP_TAG_LOST | XTCP_TAG_RETRANS)) == XTCP_TAG_LOST ||
		    cb->tx_ns + reo_wnd_ns >= sb->delivered_ns)
			continue;
		xtcp_tag(sb, skb, XTCP_TAG_LOST);
		newly += xtcp_skb_seqlen(skb);
		if (tags & XTCP_TAG_RETRANS)
			*resent += xtcp_skb_seqlen(skb);
	}
	return newly;
}

XTCP_EXPORT_FOR_TEST(xtcp_rack_mark_lost);

/**
 * xtcp_rack_reo_wnd_ns() - RACK's reordering window
 * @srtt_us: smoothed round-trip time
 * @steps: multiples of the base window, at least 1 (D-SACKs add to it)
 *
 * RFC 8985 6.2 step 4, on SRTT for want of a minimum RTT: @steps quarters
 * of SRTT, never more than SRTT nor less than 1 ms.
 *
 * Return: nanoseconds.
 */
u64 xtcp_rack_reo_wnd_ns(u32 srtt_us, u32 steps)
{
	u64 wnd = (u64)max(steps, 1U) * srtt_us / 4;

	return max_t(u64, min_t(u64, wnd, srtt_us), USEC_PER_MSEC) *
	       NSEC_PER_USEC;
}

XTCP_EXPORT_FOR_TEST(xtcp_rack_reo_wnd_ns);

/**
 * xtcp_rack_dsack() - adapt the reordering window to D-SACKs
 * @sb: scoreboard
 * @snd_una: SND.UNA after the ACK
 * @snd_max: highest sequence number sent
 * @dsack: the ACK reported a duplicate (RFC 2883)
 *
 * RFC 8985 6.2 step 4: a D-SACK says a resend was spurious, perhaps
 * because the window was too small for the path's reordering: it grows by
 * one step, at most once per round trip, and keeps its size for the next
 * 16 recoveries (xtcp_rack_recovered()).
 */
void xtcp_rack_dsack(struct xtcp_scoreboard *sb, u32 snd_una, u32 snd_max,
		     bool dsack)
{
	if (sb->dsack_round && !xtcp_seq_lt(snd_una, sb->dsack_round))
		sb->dsack_round = 0;
	if (!dsack || sb->dsack_round)
		return;
	sb->reo_wnd_steps = min_t(u32, max_t(u32, sb->reo_wnd_steps, 1) + 1,
				  XTCP_RACK_MAX_STEPS);
	sb->dsack_round = snd_max ? : 1;
	sb->reo_wnd_persist = XTCP_RACK_PERSIST;
}

XTCP_EXPORT_FOR_TEST(xtcp_rack_dsack);

/**
 * xtcp_rack_recovered() - a recovery ended: one less to keep a grown window
 * @sb: scoreboard
 */
void xtcp_rack_recovered(struct xtcp_scoreboard *sb)
{
	if (sb->reo_wnd_persist && !--sb->reo_wnd_persist)
		sb->reo_wnd_steps = 1;
}

XTCP_EXPORT_FOR_TEST(xtcp_rack_recovered);

/* RACK's reordering window for this socket. */
static u64 xtcp_reo_wnd_ns(const struct xtcp_sock *xs)
{
	return xtcp_rack_reo_wnd_ns(xs->rtt.srtt_us, xs->sb.reo_wnd_steps);
}

/* IsLost marking with the socket's reordering-aware threshold. */
static void xtcp_sack_mark_lost(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	xtcp_mark_lost(&sk->sk_write_queue, xs->snd_max, &xs->sb,
		       (xtcp_dupthresh(xs) - 1) * xs->mss);
}

/* Tag the first unacknowledged segment (at most one MSS of it) lost. */
static void xtcp_mark_head_lost(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb = skb_peek(&sk->sk_write_queue);
	struct xtcp_skb_cb *cb;

	if (!skb || skb == xs->send_head)
		return;
	cb = XTCP_SKB_CB(skb);
	if (cb->sacked & (XTCP_TAG_SACKED | XTCP_TAG_LOST | XTCP_TAG_RETRANS))
		return;
	if (xtcp_seq_lt(cb->seq, xs->snd_una))
		xtcp_trim_head(sk, &xs->sb, skb, xs->snd_una);
	if (skb->len > xs->mss)
		xtcp_split(sk, &sk->sk_write_queue, skb, xs->mss);
	xtcp_tag(&xs->sb, skb, XTCP_TAG_LOST);
}

/*
 * A window reduction tells an ECN peer, with CWR on our next new data, that
 * its echo was heard (RFC 3168 6.1.2); any reduction does, as in Linux.
 */
static void xtcp_queue_cwr(struct xtcp_sock *xs)
{
	if (xs->ecn_flags & XTCP_ECN_OK)
		xs->ecn_flags |= XTCP_ECN_QUEUE_CWR;
}

/*
 * An ECN echo: congestion without loss.  The window is reduced as for a
 * loss, once per window of data (until SND.UNA passes what was sent now,
 * in xtcp_cc_ack()), and nothing is resent (RFC 3168 6.1.2).
 */
static void xtcp_enter_cwr(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_ECNREDUCTIONS);
	xs->undo_tsval = 0;
	xs->cc.ssthresh = xs->ca_ops->ssthresh(&xs->cc);
	xs->cc.cwnd = xs->cc.ssthresh;
	xs->cc.cwnd_cnt = 0;
	xs->high_seq = xs->snd_max;
	xs->ca_state = XTCP_CA_CWR;
	xtcp_queue_cwr(xs);
	trace_xtcp_ecn(sk, XTCP_ECNEV_REDUCE, xs->cc.cwnd);
}

/*
 * Fast retransmit: the window halves (or what the algorithm says) once; a
 * window already reduced for an ECN echo in this window stays as it is.
 */
static void xtcp_enter_recovery(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 quota;

	XTCP_INC_STATS(sock_net(sk), xs->sack_ok ? XTCP_MIB_SACKRECOVERY :
						   XTCP_MIB_RENORECOVERY);
	xs->prior_cc = xs->cc;
	xs->undo_tsval = 0;
	if (xs->ca_state != XTCP_CA_CWR) {
		xs->cc.ssthresh = xs->ca_ops->ssthresh(&xs->cc);
		xs->cc.cwnd = xs->cc.ssthresh;
		xs->cc.cwnd_cnt = 0;
	}
	xtcp_queue_cwr(xs);
	xs->high_seq = xs->snd_max;
	xs->ca_state = XTCP_CA_RECOVERY;
	xtcp_mark_head_lost(sk);
	if (xs->sack_ok)
		xtcp_sack_mark_lost(sk);
	/*
	 * The fast retransmit itself goes out now, whatever pipe says
	 * (RFC 5681 3.2 step 2, RFC 6675 5 step 3); what follows waits for
	 * pipe to fall below the new cwnd.
	 */
	quota = xs->mss;
	xtcp_xmit_lost(sk, &quota);
}

/**
 * xtcp_enter_loss() - a retransmission timeout: everything is lost
 * @sk: socket, locked
 *
 * ssthresh comes down (once per episode: a timeout that repeats leaves it),
 * cwnd goes to one segment, every segment in flight that is not SACKed is
 * taken for lost and will be resent as slow start opens the window.
 */
void xtcp_enter_loss(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb;

	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_TIMEOUTS);
	if (xs->ca_state != XTCP_CA_LOSS) {
		if (xs->ca_state != XTCP_CA_RECOVERY)
			xs->prior_cc = xs->cc;
		xs->undo_tsval = 0;
		xs->cc.ssthresh = xs->ca_ops->ssthresh(&xs->cc);
		xs->ca_ops->on_rto(&xs->cc);
	}
	xs->cc.cwnd = 1;
	xs->cc.cwnd_cnt = 0;
	xs->high_seq = xs->snd_max;
	xs->ca_state = XTCP_CA_LOSS;
	xtcp_queue_cwr(xs);
	xs->dupacks = 0;
	if (!xs->sack_ok)
		xs->sb.sacked_out = 0;
	skb_queue_walk(&sk->sk_write_queue, skb) {
		struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

		if (skb == xs->send_head)
			break;
		if (cb->sacked & XTCP_TAG_SACKED)
			continue;
		xtcp_tag(&xs->sb, skb, XTCP_TAG_LOST);
	}
}

/**
 * xtcp_mtu_retransmit() - resend what a smaller path MTU lost
 * @sk: socket, locked, with its new MSS
 *
 * Every segment in flight larger than the new MSS was dropped by the
 * router that sent "fragmentation needed": it is taken for lost and
 * resent now, at the new size.  This is not congestion: the window stays,
 * and the loss episode cannot be undone by Eifel (the old-size segments
 * were lost for sure), as Linux's tcp_simple_retransmit().
 */
void xtcp_mtu_retransmit(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb;
	bool lost = false;

	skb_queue_walk(&sk->sk_write_queue, skb) {
		struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

		if (skb == xs->send_head)
			break;
		if ((cb->sacked & XTCP_TAG_SACKED) || skb->len <= xs->mss)
			continue;
		xtcp_tag(&xs->sb, skb, XTCP_TAG_LOST);
		lost = true;
	}
	if (!lost)
		return;
	if (xs->ca_state != XTCP_CA_LOSS) {
		if (xs->ca_state != XTCP_CA_RECOVERY)
			xs->prior_cc = xs->cc;
		xs->high_seq = xs->snd_max;
		xs->ca_state = XTCP_CA_LOSS;
	}
	xs->undo_tsval = 0;
	xs->no_undo = true;
	xtcp_push(sk);
}

/*
 * Is the sender using its window?  Growing cwnd while the application (or
 * the receiver's window) keeps the flight small would make it meaningless
 * (RFC 7661); in slow start half a window in flight counts, as Linux.
 */
static bool xtcp_cwnd_limited(const struct xtcp_sock *xs, u32 prior_pipe)
{
	u32 segs = DIV_ROUND_UP(prior_pipe, xs->mss);

	if (xs->cwnd_blocked)
		return true;
	if (xs->cc.cwnd < xs->cc.ssthresh)
		return 2 * segs >= xs->cc.cwnd;
	return segs + 1 >= xs->cc.cwnd;
}

/*
 * RFC 3522 (Eifel): the ACK that moved SND.UNA echoes a timestamp older than
 * our first resend of this episode, so an original segment, not a resend,
 * filled the hole: the reduction was for nothing.  The window comes back,
 * and no segment stays taken for lost.
 */
static bool xtcp_try_undo(struct sock *sk, const struct xtcp_ack_sample *s)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb;

	if (!s->acked || !s->tsecr || !xs->undo_tsval || xs->no_undo ||
	    (s32)(s->tsecr - xs->undo_tsval) >= 0)
		return false;
	XTCP_INC_STATS(sock_net(sk), xs->ca_state == XTCP_CA_LOSS ?
		       XTCP_MIB_LOSSUNDO : XTCP_MIB_FULLUNDO);
	xs->cc.cwnd = max(xs->cc.cwnd, xs->prior_cc.cwnd);
	xs->cc.ssthresh = max(xs->cc.ssthresh, xs->prior_cc.ssthresh);
	xs->cc.w_max = xs->prior_cc.w_max;
	xs->cc.epoch_start = 0;
	xs->undo_tsval = 0;
	skb_queue_walk(&sk->sk_write_queue, skb) {
		if (skb == xs->send_head)
			break;
		if (!(XTCP_SKB_CB(skb)->sacked & XTCP_TAG_SACKED))
			xtcp_tag(&xs->sb, skb, 0);
	}
	if (!xs->sack_ok)
		xs->sb.sacked_out = 0;
	xs->ca_state = XTCP_CA_OPEN;
	return true;
}

/**
 * xtcp_cc_ack() - congestion control and recovery after an ACK
 * @sk: socket, locked, synchronized
 * @s: what the ACK acknowledged
 */
void xtcp_cc_ack(struct sock *sk, const struct xtcp_ack_sample *s)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 acked_segs = DIV_ROUND_UP(s->acked, xs->mss);
	u32 now_ms = ktime_to_ms(ktime_get());

	if (!xs->sack_ok) {
		u32 out = xs->snd_max - xs->snd_una;

		/* Reno: each duplicate ACK is a segment that left the network */
		if (s->acked)
			xs->sb.sacked_out -= min(xs->sb.sacked_out,
						 s->acked > xs->mss ?
						 s->acked - xs->mss : 0);
		if (s->dupack)
			xs->sb.sacked_out += xs->mss;
		out = out > xs->sb.lost_out ? out - xs->sb.lost_out : 0;
		xs->sb.sacked_out = min(xs->sb.sacked_out, out);
	}
	if (s->acked)
		xs->dupacks = 0;
	else if (s->dupack || s->sacked)
		xs->dupacks = min(xs->dupacks + 1, 255);

	if ((xs->ca_state == XTCP_CA_LOSS || xs->ca_state == XTCP_CA_RECOVERY) &&
	    xtcp_try_undo(sk, s))
		return;

	xtcp_rack_dsack(&xs->sb, xs->snd_una, xs->snd_max, s->dsack);
	/*
	 * In recovery, RACK finds by time what the SACKs leave in doubt: a
	 * burst of losses, and lost resends.  (Recovery itself starts on
	 * the duplicate-ACK threshold, which tracks the path's reordering.)
	 */
	if (xs->ca_state == XTCP_CA_LOSS || xs->ca_state == XTCP_CA_RECOVERY) {
		u32 resent;

		if (xtcp_rack_mark_lost(&sk->sk_write_queue, xs->send_head,
					&xs->sb, xtcp_reo_wnd_ns(xs), &resent) &&
		    resent)
			XTCP_INC_STATS(sock_net(sk), XTCP_MIB_LOSTRETRANSMIT);
	}

	/*
	 * A reduction for an ECN echo holds until data sent after it is
	 * acknowledged: then the CWR (on that data) reached the peer, and an
	 * ECE means new congestion (as Linux, which checks in this order).
	 */
	if (xs->ca_state == XTCP_CA_CWR &&
	    xtcp_seq_gt(xs->snd_una, xs->high_seq))
		xs->ca_state = XTCP_CA_OPEN;
	if (s->ece && xs->ca_state < XTCP_CA_CWR)
		xtcp_enter_cwr(sk);

	switch (xs->ca_state) {
	case XTCP_CA_CWR:
		break;
	case XTCP_CA_LOSS:
		if (!xtcp_seq_lt(xs->snd_una, xs->high_seq)) {
			xs->ca_state = XTCP_CA_OPEN;
			xs->no_undo = false;
			xtcp_rack_recovered(&xs->sb);
		}
		if (s->acked)
			xs->ca_ops->cong_avoid(&xs->cc, acked_segs, now_ms,
					       xs->rtt.srtt_us);
		if (xs->sack_ok)
			xtcp_sack_mark_lost(sk);
		return;
	case XTCP_CA_RECOVERY:
		if (!xtcp_seq_lt(xs->snd_una, xs->high_seq)) {
			/* full ACK (RFC 6582 3.2 step 3) */
			xs->cc.cwnd = min(xs->cc.ssthresh, XTCP_MAX_CWND);
			xs->ca_state = XTCP_CA_OPEN;
			xtcp_rack_recovered(&xs->sb);
			if (!xs->sack_ok)
				xs->sb.sacked_out = 0;
			break;
		}
		/* partial ACK: the next hole is lost too (RFC 6582 step 4) */
		if (s->acked)
			xtcp_mark_head_lost(sk);
		if (xs->sack_ok)
			xtcp_sack_mark_lost(sk);
		return;
	default:
		break;
	}

	if (xs->snd_una != xs->snd_max &&
	    (xs->dupacks >= xtcp_dupthresh(xs) ||
	     (xs->sack_ok &&
	      xs->sb.sacked_out > (xtcp_dupthresh(xs) - 1) * xs->mss &&
	      xtcp_seq_gt(xs->sb.highest_sack, xs->snd_una)))) {
		/* a path MTU probe lost is no congestion (module/pmtu.c) */
		if (xs->ca_state < XTCP_CA_CWR && xtcp_mtu_probe_lost(sk)) {
			xtcp_mtu_retransmit(sk);
			return;
		}
		xtcp_enter_recovery(sk);
		return;
	}
	/* the window does not grow while it is being reduced */
	if (xs->ca_state == XTCP_CA_CWR)
		return;
	if (s->acked && xtcp_cwnd_limited(xs, s->prior_pipe))
		xs->ca_ops->cong_avoid(&xs->cc, acked_segs, now_ms,
				       xs->rtt.srtt_us);
	xs->ca_state = (xs->sb.sacked_out || xs->dupacks) ? XTCP_CA_DISORDER :
							    XTCP_CA_OPEN;
}

/**
 * xtcp_xmit_lost() - resend segments tagged lost, oldest first
 * @sk: socket, locked
 * @quota: bytes the congestion window allows; reduced by what is sent
 *
 * Return: true if something was sent.
 */
bool xtcp_xmit_lost(struct sock *sk, u32 *quota)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb, *next;
	bool sent = false;
	u32 undo;

	if (xs->sb.lost_out == xs->sb.retrans_out)
		return false;	/* every lost segment was resent */
	skb_queue_walk_safe(&sk->sk_write_queue, skb, next) {
		struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

		if (skb == xs->send_head || *quota < xs->mss)
			break;
		if ((cb->sacked & (XTCP_TAG_LOST | XTCP_TAG_RETRANS)) !=
		    XTCP_TAG_LOST)
			continue;
		if (xtcp_seq_lt(cb->seq, xs->snd_una))
			xtcp_trim_head(sk, &xs->sb, skb, xs->snd_una);
		if (skb->len > *quota && xtcp_split(sk, &sk->sk_write_queue, skb, *quota))
			break;
		next = skb_queue_is_last(&sk->sk_write_queue, skb) ? NULL :
		       skb_queue_next(&sk->sk_write_queue, skb);
		/*
		 * Eifel's mark: the clock before the first resend is stamped,
		 * never after (a millisecond tick in between made an ACK of
		 * the resend itself look older than it, and undid a real
		 * recovery)
		 */
		undo = 0;
		if (!xs->undo_tsval && xs->ts_ok)
			undo = xtcp_ts_now(xs) ? : 1;
		if (xtcp_retransmit_skb(sk, skb) == -ENOBUFS)
			break;
		xtcp_tag(&xs->sb, skb, cb->sacked | XTCP_TAG_RETRANS);
		if (undo)
			xs->undo_tsval = undo;
		/*
		 * The oldest segment resent: its timer starts over (as Linux's
		 * tcp_xmit_retransmit_queue()), else a recovery that outlasts
		 * one RTO from the last ACK that moved SND.UNA ends in a
		 * spurious timeout while its resends are on their way.
		 */
		if (skb == skb_peek(&sk->sk_write_queue))
			xtcp_rearm_rtx(sk);
		XTCP_INC_STATS(sock_net(sk), xs->ca_state == XTCP_CA_LOSS ?
			       XTCP_MIB_SLOWSTARTRETRANS :
			       XTCP_MIB_FASTRETRANS);
		*quota -= min(*quota, max_t(u32, skb->len, xs->mss));
		sent = true;
		if (!next)
			break;
	}
	return sent;
}
