// SPDX-License-Identifier: GPL-2.0
/*
 * Building and sending segments.
 *
 * The write queue (sk->sk_write_queue) holds every segment from SND.UNA on:
 * sent but unacknowledged ones first, then unsent ones from xs->send_head.
 * SYN and FIN occupy sequence space and live in the queue like data, so one
 * retransmission path serves all three.  Data sits in page fragments; a
 * segment larger than the MSS leaves as one GSO skb that the stack (or the
 * device) cuts at the MSS, so a large write becomes large segments.
 */
#include <linux/highmem.h>
#include <net/checksum.h>
#include <net/inet_ecn.h>
#include <net/ip.h>
#include <net/l3mdev.h>
#include <net/route.h>
#include <net/tcp.h>

#include "xtcp.h"
#include "pmtu.h"
#include "trace.h"

/**
 * xtcp_alloc_tx_skb() - allocate an empty segment for the write queue
 * @sk: socket
 * @gfp: allocation flags
 *
 * Return: an skb with room for the headers, charged to sk_wmem_queued.
 */
struct sk_buff *xtcp_alloc_tx_skb(struct sock *sk, gfp_t gfp)
{
	struct sk_buff *skb = alloc_skb_fclone(XTCP_MAX_HEADER, gfp);

	if (!skb)
		return NULL;
	skb_reserve(skb, XTCP_MAX_HEADER);
	memset(XTCP_SKB_CB(skb), 0, sizeof(struct xtcp_skb_cb));
	if (sk) {	/* NULL only for the KUnit suite */
		sk_wmem_queued_add(sk, skb->truesize);
		sk_mem_charge(sk, skb->truesize);
	}
	return skb;
}

XTCP_EXPORT_FOR_TEST(xtcp_alloc_tx_skb);

void xtcp_free_tx_skb(struct sock *sk, struct sk_buff *skb)
{
	if (sk) {
		sk_wmem_queued_add(sk, -skb->truesize);
		sk_mem_uncharge(sk, skb->truesize);
	}
	__kfree_skb(skb);
}

/**
 * xtcp_queue_tail() - append a segment to the write queue
 * @sk: socket, locked
 * @skb: segment whose cb flags and length are set
 *
 * Assigns the segment its sequence numbers from xs->write_seq.
 */
void xtcp_queue_tail(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xs = xtcp_sk(sk);

	cb->seq = xs->write_seq;
	cb->end_seq = cb->seq + skb->len +
		      !!(cb->flags & TCPHDR_SYN) + !!(cb->flags & TCPHDR_FIN);
	xs->write_seq = cb->end_seq;
	__skb_queue_tail(&sk->sk_write_queue, skb);
	if (!xs->send_head)
		xs->send_head = skb;
}

/**
 * xtcp_queue_ctl() - queue a SYN or a FIN
 * @sk: socket, locked
 * @flags: TCPHDR_SYN or TCPHDR_FIN
 * @gfp: allocation flags
 *
 * A FIN rides on the last unsent data segment when there is one.
 *
 * Return: 0 or -ENOMEM.
 */
int xtcp_queue_ctl(struct sock *sk, u8 flags, gfp_t gfp)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb;

	if (flags & TCPHDR_FIN) {
		xs->fin_queued = true;
		skb = skb_peek_tail(&sk->sk_write_queue);
		if (skb && xs->send_head && skb->len &&
		    !(XTCP_SKB_CB(skb)->flags & TCPHDR_FIN)) {
			XTCP_SKB_CB(skb)->flags |= TCPHDR_FIN;
			XTCP_SKB_CB(skb)->end_seq++;
			xs->write_seq++;
			return 0;
		}
	}
	skb = xtcp_alloc_tx_skb(sk, gfp);
	if (!skb) {
		if (flags & TCPHDR_FIN)
			xs->fin_queued = false;
		return -ENOMEM;
	}
	XTCP_SKB_CB(skb)->flags = flags;
	xtcp_queue_tail(sk, skb);
	return 0;
}

/**
 * xtcp_rcv_space() - receive buffer space not yet used
 * @sk: socket
 *
 * Half the free buffer is offered as window: a segment's truesize is
 * larger than its payload, and this keeps the window honest.
 *
 * Return: bytes.
 */
u32 xtcp_rcv_space(const struct sock *sk)
{
	int free = READ_ONCE(sk->sk_rcvbuf) - atomic_read(&sk->sk_rmem_alloc);

	return free > 0 ? free / 2 : 0;
}

/**
 * xtcp_select_window() - window field for an outgoing segment
 * @sk: socket, locked
 *
 * The right edge of the window never moves left (RFC 9293 3.8.6.2.2),
 * and a small opening is not announced (receiver-side silly window
 * avoidance): below one MSS the window stays where it was.
 *
 * Return: the (scaled) value for the header's window field.
 */
u32 xtcp_select_window(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 space = xtcp_rcv_space(sk);
	u32 cur = xtcp_seq_gt(xs->rcv_adv, xs->rcv_nxt) ?
		  xs->rcv_adv - xs->rcv_nxt : 0;
	u32 max = 65535U << xs->rcv_wscale;
	u32 wnd;

	space = min(space, max);
	if (space < cur || (space - cur < xs->advmss && space < max / 2))
		wnd = cur;
	else
		wnd = space;
	wnd = ALIGN_DOWN(wnd, 1U << xs->rcv_wscale);
	if (xtcp_seq_gt(xs->rcv_nxt + wnd, xs->rcv_adv))
		xs->rcv_adv = xs->rcv_nxt + wnd;
	return wnd >> xs->rcv_wscale;
}

/**
 * xtcp_init_mss() - set the send MSS from the route and the peer's option
 * @sk: socket with a route
 * @peer_mss: the peer's MSS option, or XTCP_DEFAULT_MSS without one
 */
void xtcp_init_mss(struct sock *sk, u16 peer_mss)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct dst_entry *dst;
	u32 mtu, route_mss;

	/* a child is set up unlocked, also from its listener's backlog */
	rcu_read_lock();
	dst = __sk_dst_get(sk);
	mtu = dst ? dst_mtu(dst) : 576;
	rcu_read_unlock();
	route_mss = mtu - sizeof(struct iphdr) - sizeof(struct tcphdr);

	xs->advmss = min_t(u32, route_mss, 65535);
	if (xs->user_mss)
		xs->advmss = min(xs->advmss, xs->user_mss);
	/* TCP_MAXSEG clamps what we send as well as what we announce */
	xs->mss_clamp = peer_mss ? peer_mss : XTCP_DEFAULT_MSS;
	if (xs->user_mss)
		xs->mss_clamp = min(xs->mss_clamp, xs->user_mss);
	xtcp_mtup_init(sk);
	/* the MSS counts payload: timestamps take 12 bytes of every segment */
	xtcp_sync_mss(sk, mtu);
}

/**
 * xtcp_init_options() - what a new connection offers, and its algorithm
 * @sk: socket about to connect, or a child about to answer a SYN
 * @parent: the child's listener, or NULL
 *
 * SACK and timestamps are offered as net.xtcp.sack and net.xtcp.timestamps
 * say; the SYN's answer decides (xtcp_rcv_syn_options()).  The timestamp
 * clock starts at a random value per connection, so TSval tells nothing
 * about the host's uptime.  A child uses its listener's congestion control.
 */
void xtcp_init_options(struct sock *sk, const struct sock *parent)
{
	struct xtcp_net *xn = xtcp_pernet(sock_net(sk));
	struct xtcp_sock *xs = xtcp_sk(sk);

	xs->sack_ok = READ_ONCE(xn->sack);
	xs->ts_ok = READ_ONCE(xn->timestamps);
	xs->ts_offset = get_random_u32();
	if (parent)
		xs->ca_ops = xtcp_sk(parent)->ca_ops;
	xtcp_cc_init(&xs->cc);
	xs->ca_ops->init(&xs->cc);
	xs->ca_state = XTCP_CA_OPEN;
	xs->ecn_flags = 0;
	xs->quickack = XTCP_QUICKACKS;
}

/* Our timestamp clock: milliseconds, from a random origin per connection. */
u32 xtcp_ts_now(const struct xtcp_sock *xs)
{
	return (u32)ktime_to_ms(ktime_get()) + xs->ts_offset;
}

/*
 * The SACK blocks of an ACK (RFC 2018 4): a D-SACK first when one is due
 * (RFC 2883), then the block holding the segment that arrived last, then
 * the other out-of-order blocks from the lowest up.
 */
static unsigned int xtcp_sack_blocks(struct xtcp_sock *xs,
				     struct xtcp_sack_block *out)
{
	struct sk_buff *skb;
	unsigned int n = 0, first = 0, i;
	struct xtcp_sack_block b = { 0, 0 };
	bool have = false;

	if (xs->dsack_pending) {
		out[n++] = xs->dsack;
		xs->dsack_pending = false;
		first = n;
	}
	skb_queue_walk(&xs->ofo_queue, skb) {
		u32 seq = XTCP_SKB_CB(skb)->seq, end = seq + skb->len;

		if (have && xtcp_seq_leq(seq, b.end)) {
			if (xtcp_seq_gt(end, b.end))
				b.end = end;
			continue;
		}
		if (have) {
			if (n >= XTCP_MAX_SACKS)
				break;
			out[n++] = b;
		}
		b.start = seq;
		b.end = end;
		have = true;
	}
	if (have && n < XTCP_MAX_SACKS)
		out[n++] = b;
	/* the block with the newest arrival goes first */
	for (i = first; i < n; i++) {
		if (xtcp_seq_between(xs->last_ofo_seq, out[i].start,
				     out[i].end - 1)) {
			swap(out[first], out[i]);
			break;
		}
	}
	return n;
}

/*
 * Write the TCP header in front of @skb's payload and hand the segment to
 * IPv4 output.  @skb is consumed.
 */
static int xtcp_xmit(struct sock *sk, struct sk_buff *skb, u32 seq, u8 flags)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct inet_sock *inet = inet_sk(sk);
	unsigned int payload = skb->len, optlen;
	u8 opts[XTCP_MAX_TCP_HDR - sizeof(struct tcphdr)];
	struct xtcp_out_opts o = { .wscale = -1 };
	struct tcphdr *th;
	bool ect = false;
	u16 urp = 0;
	u32 wnd;

	if (sk->sk_state != XTCP_SYN_SENT)
		flags |= TCPHDR_ACK;
	/* ECT(0), CWR and ECE: new data only is ECN-capable (RFC 3168 6.1.5) */
	if (xs->ecn_flags & XTCP_ECN_OK)
		flags |= xtcp_ecn_xmit(&xs->ecn_flags, flags,
				       payload && !xtcp_seq_lt(seq, xs->snd_max),
				       &ect);
	/* urgent mode: every segment points at the urgent byte (RFC 6093) */
	if (unlikely(xtcp_urg_mode(xs)) && !(flags & TCPHDR_SYN) &&
	    xtcp_urg_ptr(seq, xs->snd_up, xs->snd_max, &urp))
		flags |= TCPHDR_URG;
	o.ts = xs->ts_ok;
	if (o.ts) {
		o.tsval = xtcp_ts_now(xs);
		o.tsecr = xs->ts_recent;
	}
	if (flags & TCPHDR_SYN) {
		o.mss = xs->advmss;
		o.sack_ok = xs->sack_ok;
		if (xs->wscale_ok)
			o.wscale = xs->rcv_wscale;
		if (!(flags & TCPHDR_ACK))
			o.tsecr = 0;
		/* a SYN's window is never scaled (RFC 7323 2.2) */
		wnd = min_t(u32, xtcp_rcv_space(sk), 65535U);
		xs->rcv_adv = xs->rcv_nxt + wnd;
	} else {
		if (xs->sack_ok && !payload && !(flags & TCPHDR_RST) &&
		    (xs->dsack_pending || !skb_queue_empty(&xs->ofo_queue)))
			o.num_sacks = xtcp_sack_blocks(xs, o.sacks);
		wnd = xtcp_select_window(sk);
	}
	optlen = xtcp_build_options(opts, &o);
	if ((flags & TCPHDR_ACK) && !(flags & TCPHDR_RST)) {
		/* this ACK covers whatever a delayed ACK was waiting for */
		xs->rcv_wup = xs->rcv_nxt;
		if (xs->ack_pending)
			xtcp_stop_dack(sk);
		if (xs->quickack)
			xs->quickack--;
	}

	th = skb_push(skb, sizeof(*th) + optlen);
	skb_reset_transport_header(skb);
	memset(th, 0, sizeof(*th));
	th->source = inet->inet_sport;
	th->dest = inet->inet_dport;
	th->seq = htonl(seq);
	th->ack_seq = (flags & TCPHDR_ACK) ? htonl(xs->rcv_nxt) : 0;
	th->doff = (sizeof(*th) + optlen) >> 2;
	tcp_flag_byte(th) = flags;
	th->window = htons(min_t(u32, wnd, 65535U));
	th->urg_ptr = htons(urp);
	memcpy(th + 1, opts, optlen);

	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_start = skb_transport_header(skb) - skb->head;
	skb->csum_offset = offsetof(struct tcphdr, check);
	th->check = ~tcp_v4_check(skb->len, inet->inet_saddr,
				  inet->inet_daddr, 0);

	if (payload > xs->mss) {
		skb_shinfo(skb)->gso_type = SKB_GSO_TCPV4;
		skb_shinfo(skb)->gso_size = xs->mss;
		skb_shinfo(skb)->gso_segs = DIV_ROUND_UP(payload, xs->mss);
		/* GSO keeps CWR on the first segment only */
		if (flags & TCPHDR_CWR)
			skb_shinfo(skb)->gso_type |= SKB_GSO_TCP_ECN;
	} else {
		skb_shinfo(skb)->gso_type = 0;
		skb_shinfo(skb)->gso_size = 0;
		skb_shinfo(skb)->gso_segs = 1;
	}

	XTCP_ADD_STATS(sock_net(sk), XTCP_MIB_OUTSEGS,
		       skb_shinfo(skb)->gso_segs);
	xs->segs_out += skb_shinfo(skb)->gso_segs;
	if (payload) {
		xs->data_segs_out += skb_shinfo(skb)->gso_segs;
		xs->bytes_sent += payload;
	}
	if (flags & TCPHDR_RST) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_OUTRSTS);
		trace_xtcp_send_reset(sk, inet->inet_saddr, sk->sk_num,
				      inet->inet_daddr, ntohs(inet->inet_dport),
				      seq, ntohl(th->ack_seq));
	}
	memset(skb->cb, 0, sizeof(struct inet_skb_parm));
	skb_set_owner_w(skb, sk);
	skb->priority = sk->sk_priority;
	return __ip_queue_xmit(sk, skb, &inet->cork.fl,
			       (inet->tos & ~INET_ECN_MASK) |
			       (ect ? INET_ECN_ECT_0 : 0));
}

/**
 * xtcp_transmit_skb() - send (or resend) a segment of the write queue
 * @sk: socket, locked
 * @skb: segment; stays in the queue, a clone or copy goes out
 *
 * Return: 0 or a negative errno from allocation or IP output.
 */
int xtcp_transmit_skb(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *out;
	u8 flags = cb->flags;

	/*
	 * The urgent pointer is per segment, which GSO cannot give: data
	 * before the urgent point goes out a segment at a time.
	 */
	if (unlikely(xtcp_urg_mode(xs)) && skb->len > xs->mss &&
	    xtcp_seq_lt(cb->seq, xs->snd_up) &&
	    xtcp_split(sk, &sk->sk_write_queue, skb, xs->mss))
		return -ENOBUFS;
	/* the header goes into headroom a previous clone may still share */
	if (unlikely(skb_cloned(skb)))
		out = pskb_copy(skb, GFP_ATOMIC);
	else
		out = skb_clone(skb, GFP_ATOMIC);
	if (!out)
		return -ENOBUFS;
	cb->tx_ns = ktime_get_ns();
	if (skb->len && cb->end_seq - !!(flags & TCPHDR_FIN) ==
	    xtcp_sk(sk)->write_seq - xtcp_sk(sk)->fin_queued)
		flags |= TCPHDR_PSH;
	return xtcp_xmit(sk, out, cb->seq, flags);
}

/**
 * xtcp_retransmit_skb() - send a segment of the write queue again
 * @sk: socket, locked
 * @skb: segment sent before
 *
 * The one place a retransmission is counted: the segment's retrans count
 * (Karn's rule keeps it out of RTT samples) and RetransSegs.
 *
 * Return: as xtcp_transmit_skb().
 */
int xtcp_retransmit_skb(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	int kind, err;

	/*
	 * An ECN-setup SYN that went unanswered may have been dropped for
	 * its flags: the next one goes without (RFC 3168 6.1.1.1), as Linux
	 * does with tcp_ecn_fallback.
	 */
	if ((cb->flags & (TCPHDR_SYN | TCPHDR_ACK | TCPHDR_ECE | TCPHDR_CWR)) ==
	    (TCPHDR_SYN | TCPHDR_ECE | TCPHDR_CWR) &&
	    READ_ONCE(xtcp_pernet(sock_net(sk))->ecn_fallback)) {
		cb->flags &= ~(TCPHDR_ECE | TCPHDR_CWR);
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_ECNFALLBACK);
		trace_xtcp_ecn(sk, XTCP_ECNEV_FALLBACK, xs->cc.cwnd);
	}
	err = xtcp_transmit_skb(sk, skb);
	if (err == -ENOBUFS)
		return err;
	cb->retrans++;
	xs->total_retrans++;
	xs->bytes_retrans += skb->len;
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_RETRANSSEGS);
	if (trace_xtcp_retransmit_enabled()) {
		if (cb->flags & TCPHDR_SYN)
			kind = XTCP_RTX_SYN;
		else if (xs->ca_state == XTCP_CA_LOSS)
			kind = XTCP_RTX_RTO;
		else if (xs->ca_state == XTCP_CA_RECOVERY)
			kind = XTCP_RTX_FAST;
		else
			kind = XTCP_RTX_OTHER;
		trace_xtcp_retransmit(sk, cb->seq, skb->len, kind, cb->retrans);
	}
	return err;
}

/**
 * xtcp_split() - cut a segment of the write queue in two
 * @sk: socket, or NULL (KUnit) for no memory accounting
 * @q: the queue @skb is in (the write queue)
 * @skb: segment, sent or not
 * @len: payload bytes that stay in @skb, less than skb->len
 *
 * The tail becomes a new segment right after @skb with the same state
 * (tags, retransmission count, send time); a FIN moves with it.
 *
 * Return: 0 or -ENOMEM.
 */
int xtcp_split(struct sock *sk, struct sk_buff_head *q, struct sk_buff *skb,
	       u32 len)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb), *ncb;
	struct sk_buff *nskb;
	u32 nlen, truesize = skb->truesize;

	if (!len || len >= skb->len)
		return -EINVAL;
	/* a segment sent before may still share its frags with a clone */
	if (skb_unclone(skb, GFP_ATOMIC))
		return -ENOMEM;
	if (sk)
		sk_wmem_queued_add(sk, skb->truesize - truesize);
	nskb = xtcp_alloc_tx_skb(sk, GFP_ATOMIC);
	if (!nskb)
		return -ENOMEM;
	nlen = skb->len - len;
	skb_split(skb, nskb, len);
	/* the moved fragments take their share of truesize along */
	skb->truesize -= nlen;
	nskb->truesize += nlen;
	ncb = XTCP_SKB_CB(nskb);
	ncb->seq = cb->seq + len;
	ncb->end_seq = cb->end_seq;
	ncb->flags = cb->flags;
	ncb->retrans = cb->retrans;
	ncb->tx_ns = cb->tx_ns;
	ncb->sacked = cb->sacked;
	cb->end_seq = ncb->seq;
	cb->flags &= ~(TCPHDR_FIN | TCPHDR_PSH);
	__skb_queue_after(q, skb, nskb);
	return 0;
}

XTCP_EXPORT_FOR_TEST(xtcp_split);

/*
 * Nagle (RFC 896, in Minshall's form as Linux): a segment smaller than the
 * MSS at the end of the queue waits while an earlier small segment is
 * unacknowledged, unless TCP_NODELAY.  TCP_CORK and MSG_MORE hold it
 * regardless, until more data fills it, the socket is uncorked, or the
 * retransmission timer (at most an RTO, as Linux) pushes it out.
 */
static bool xtcp_nagle_hold(const struct sock *sk, const struct sk_buff *skb)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);

	/* nothing waits in urgent mode, as in Linux */
	if (skb->len >= xs->mss || xtcp_urg_mode(xs) ||
	    (XTCP_SKB_CB(skb)->flags & (TCPHDR_SYN | TCPHDR_FIN)) ||
	    !skb_queue_is_last(&sk->sk_write_queue, skb))
		return false;
	if (xs->cork || xs->more)
		return true;
	if (xs->nodelay)
		return false;
	return xs->snd_una != xs->snd_max &&
	       xtcp_seq_gt(xs->snd_sml, xs->snd_una);
}

/**
 * __xtcp_push() - send what the windows allow
 * @sk: socket, locked
 * @force: send a held small segment (uncork, TCP_NODELAY, timer)
 *
 * First segments taken for lost are resent (module/recovery.c), then new
 * segments go from xs->send_head while they fit both the peer's window and
 * the congestion window (RFC 5681, RFC 6675 pipe).  A segment larger than
 * the room left is split at an MSS boundary; less than one MSS of peer
 * window is not used while data is in flight (sender-side silly window
 * avoidance).  Arms the retransmission timer.
 */
void __xtcp_push(struct sock *sk, bool force)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 quota = U32_MAX, probe;
	struct sk_buff *skb;
	bool sent = false;
	int err;

	if (xtcp_cwnd_state(sk)) {
		/* restart after idle: the window is old news (RFC 5681 4.1) */
		if (xs->snd_una == xs->snd_max && xs->send_head && xs->lsnd_ns &&
		    ktime_get_ns() - xs->lsnd_ns >
		    (u64)xs->rto_us * NSEC_PER_USEC &&
		    xs->cc.cwnd > XTCP_INIT_CWND) {
			xs->cc.ssthresh = max(xs->cc.ssthresh,
					      xs->cc.cwnd * 3 / 4);
			xs->cc.cwnd = XTCP_INIT_CWND;
		}
		xtcp_check_pmtu(sk);
		quota = xtcp_cwnd_quota(xs);
	}
	if (xs->sb.lost_out)
		sent = xtcp_xmit_lost(sk, &quota);
	xs->cwnd_blocked = false;

	while ((skb = xs->send_head)) {
		struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
		u32 wnd_end = xs->snd_una + xs->snd_wnd;
		u32 avail = xtcp_seq_gt(wnd_end, cb->seq) ? wnd_end - cb->seq : 0;

		if (!quota) {
			xs->cwnd_blocked = true;
			break;
		}
		/* path MTU probing (module/pmtu.c) */
		probe = xtcp_cwnd_state(sk) ? xtcp_mtu_probe_len(sk, skb) : 0;
		if (probe && skb->len > probe &&
		    xtcp_split(sk, &sk->sk_write_queue, skb, probe))
			break;
		if (!probe && skb->len > quota &&
		    xtcp_split(sk, &sk->sk_write_queue, skb, quota))
			break;
		if (skb->len && skb->len > avail) {
			bool idle = xs->snd_nxt == xs->snd_una;
			u32 cut = avail >= xs->mss ? ALIGN_DOWN(avail, xs->mss)
						   : avail;

			if (!cut || (avail < xs->mss && !idle))
				break;
			if (xtcp_split(sk, &sk->sk_write_queue, skb, cut))
				break;
		}
		if (!force && xtcp_nagle_hold(sk, skb))
			break;
		err = probe ? xtcp_mtu_probe_xmit(sk, skb) :
			      xtcp_transmit_skb(sk, skb);
		if (err == -ENOBUFS)
			break;
		sent = true;
		quota -= min(quota, max_t(u32, roundup(skb->len, xs->mss),
					  xs->mss));
		if (skb->len < xs->mss)
			xs->snd_sml = cb->end_seq;
		xs->lsnd_ns = cb->tx_ns;
		if (xtcp_seq_gt(cb->end_seq, xs->snd_nxt))
			xs->snd_nxt = cb->end_seq;
		if (xtcp_seq_gt(xs->snd_nxt, xs->snd_max))
			xs->snd_max = xs->snd_nxt;
		xs->send_head = skb_queue_is_last(&sk->sk_write_queue, skb) ?
				NULL : skb_queue_next(&sk->sk_write_queue, skb);
	}
	if ((sent || xs->send_head) && !hrtimer_is_queued(&xs->rtx_timer))
		xtcp_rearm_rtx(sk);
}

void xtcp_push(struct sock *sk)
{
	__xtcp_push(sk, false);
}

/* A segment that is not queued: ACKs, probes and resets. */
static void xtcp_send_bare(struct sock *sk, u32 seq, u8 flags, gfp_t gfp)
{
	struct sk_buff *skb = alloc_skb(XTCP_MAX_HEADER, gfp);

	if (!skb)
		return;
	skb_reserve(skb, XTCP_MAX_HEADER);
	xtcp_xmit(sk, skb, seq, flags);
}

/**
 * xtcp_send_ack() - send an ACK for RCV.NXT with the current window
 * @sk: socket, locked, synchronized
 *
 * Its sequence number is the highest sent (SND.NXT in RFC terms).  It
 * carries the timestamp and, with out-of-order data or a duplicate to
 * report, SACK blocks.
 */
void xtcp_send_ack(struct sock *sk)
{
	xtcp_send_bare(sk, xtcp_sk(sk)->snd_max, TCPHDR_ACK, GFP_ATOMIC);
}

/**
 * xtcp_send_probe() - zero window probe
 * @sk: socket, locked
 *
 * Sends an ACK with SND.UNA - 1, outside the peer's window, so the peer
 * answers with an ACK carrying its current window.
 */
void xtcp_send_probe(struct sock *sk)
{
	xtcp_send_bare(sk, xtcp_sk(sk)->snd_una - 1, TCPHDR_ACK, GFP_ATOMIC);
}

/**
 * xtcp_send_active_reset() - abort a connection with RST
 * @sk: socket, locked, synchronized
 * @gfp: allocation flags
 */
void xtcp_send_active_reset(struct sock *sk, gfp_t gfp)
{
	xtcp_send_bare(sk, xtcp_sk(sk)->snd_max, TCPHDR_RST | TCPHDR_ACK, gfp);
}

/**
 * struct xtcp_raw - a segment sent without a socket
 * @saddr: source address
 * @daddr: destination address
 * @sport: source port
 * @dport: destination port
 * @seq: sequence number
 * @ack: acknowledgment number, used with TCPHDR_ACK
 * @flags: TCPHDR_*
 * @window: window field
 * @oif: output device, or 0
 * @tos: IP TOS
 * @mark: skb mark
 * @opts: TCP options, or NULL; for a SYN its MSS is set from the route
 * @user_mss: TCP_MAXSEG clamp of that MSS, or 0
 */
struct xtcp_raw {
	__be32	saddr;
	__be32	daddr;
	__be16	sport;
	__be16	dport;
	u32	seq;
	u32	ack;
	u8	flags;
	u16	window;
	int	oif;
	u8	tos;
	u32	mark;
	const struct xtcp_out_opts *opts;
	u16	user_mss;
};

/*
 * Build and send a bare segment (RST, ACK, or a request's SYN-ACK) for no
 * socket or a minisock.
 */
static void xtcp_send_raw(struct net *net, const struct xtcp_raw *r)
{
	u8 opts[XTCP_MAX_TCP_HDR - sizeof(struct tcphdr)];
	unsigned int optlen = 0, thlen;
	struct xtcp_out_opts o;
	struct sk_buff *nskb;
	struct tcphdr *nth;
	struct iphdr *niph;
	struct flowi4 fl4;
	struct rtable *rt;

	rt = ip_route_output_ports(net, &fl4, NULL, r->daddr, r->saddr,
				   r->dport, r->sport, IPPROTO_TCP,
				   RT_TOS(r->tos), r->oif);
	if (IS_ERR(rt))
		return;
	if (r->opts) {
		o = *r->opts;
		if (r->flags & TCPHDR_SYN) {
			u32 mss = dst_mtu(&rt->dst) - sizeof(struct iphdr) -
				  sizeof(struct tcphdr);

			o.mss = min_t(u32, mss, r->user_mss ? : 65535);
		}
		optlen = xtcp_build_options(opts, &o);
	}
	thlen = sizeof(*nth) + optlen;
	nskb = alloc_skb(XTCP_MAX_HEADER, GFP_ATOMIC);
	if (!nskb) {
		ip_rt_put(rt);
		return;
	}
	skb_reserve(nskb, XTCP_MAX_HEADER);
	nth = skb_push(nskb, thlen);
	skb_reset_transport_header(nskb);
	memset(nth, 0, sizeof(*nth));
	memcpy(nth + 1, opts, optlen);
	nth->source = r->sport;
	nth->dest = r->dport;
	nth->doff = thlen >> 2;
	nth->seq = htonl(r->seq);
	if (r->flags & TCPHDR_ACK)
		nth->ack_seq = htonl(r->ack);
	tcp_flag_byte(nth) = r->flags;
	nth->window = htons(r->window);
	nth->check = tcp_v4_check(thlen, fl4.saddr, fl4.daddr,
				  csum_partial(nth, thlen, 0));

	niph = skb_push(nskb, sizeof(*niph));
	skb_reset_network_header(nskb);
	niph->version = 4;
	niph->ihl = sizeof(*niph) >> 2;
	niph->tos = r->tos & ~INET_ECN_MASK;	/* never ECT without data */
	niph->tot_len = htons(nskb->len);
	niph->frag_off = htons(IP_DF);
	niph->ttl = ip4_dst_hoplimit(&rt->dst);
	niph->protocol = IPPROTO_TCP;
	niph->saddr = fl4.saddr;
	niph->daddr = fl4.daddr;
	ip_select_ident(net, nskb, NULL);
	ip_send_check(niph);
	nskb->protocol = htons(ETH_P_IP);
	nskb->mark = r->mark;
	skb_dst_set(nskb, &rt->dst);
	XTCP_INC_STATS(net, XTCP_MIB_OUTSEGS);
	if (r->flags & TCPHDR_RST) {
		XTCP_INC_STATS(net, XTCP_MIB_OUTRSTS);
		trace_xtcp_send_reset(NULL, fl4.saddr, ntohs(r->sport),
				      fl4.daddr, ntohs(r->dport), r->seq,
				      (r->flags & TCPHDR_ACK) ? r->ack : 0);
	}
	ip_local_out(net, NULL, nskb);
}

/**
 * xtcp_send_reset_reply() - answer a segment with RST (RFC 9293 3.10.7.1)
 * @net: namespace the segment arrived in
 * @skb: the segment, with its XTCP cb filled; not consumed
 *
 * If the segment has ACK: <SEQ=SEG.ACK><CTL=RST>; else
 * <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>.  Never answers a RST.
 */
void xtcp_send_reset_reply(struct net *net, struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	const struct iphdr *iph = ip_hdr(skb);
	const struct tcphdr *th = tcp_hdr(skb);
	struct xtcp_raw r = {
		.saddr = iph->daddr,
		.daddr = iph->saddr,
		.sport = th->dest,
		.dport = th->source,
		.mark = skb->mark,
	};

	if (th->rst)
		return;
	/* no socket: route in the VRF it came through (ip_send_unicast_reply) */
	if (netif_index_is_l3_master(net, skb->skb_iif))
		r.oif = skb->skb_iif;
	if (th->ack) {
		r.seq = cb->ack_seq;
		r.flags = TCPHDR_RST;
	} else {
		r.ack = cb->end_seq;
		r.flags = TCPHDR_RST | TCPHDR_ACK;
	}
	xtcp_send_raw(net, &r);
}

/**
 * xtcp_oow_rate_limited() - may an invalid segment be answered with an ACK?
 * @net: namespace
 * @skb: the invalid segment (cb filled)
 * @last: jiffies of the last such ACK of this connection; updated
 * @field: counter of the ACKs skipped (XTCP_MIB_ACKSKIPPED*)
 *
 * Out-of-window segments, challenge ACKs and TIME_WAIT ACKs are answered at
 * most once per net.xtcp.invalid_ratelimit ms per connection, so that two
 * ends with different ideas of the window cannot ping-pong ACKs at line
 * rate (RFC 5961 section 10), as Linux's tcp_oow_rate_limited().  A segment
 * carrying data without SYN is never limited: the peer's recovery needs
 * the duplicate ACKs.
 *
 * Return: true if the ACK must not be sent.
 */
bool xtcp_oow_rate_limited(struct net *net, const struct sk_buff *skb,
			   unsigned long *last, int field)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	unsigned long gap, now = jiffies;

	if (skb->len && !(cb->flags & TCPHDR_SYN))
		return false;
	gap = msecs_to_jiffies(READ_ONCE(xtcp_pernet(net)->invalid_ratelimit));
	if (*last && time_in_range(now, *last, *last + gap - 1)) {
		XTCP_INC_STATS(net, field);
		return true;
	}
	*last = now ? : 1;
	return false;
}

/**
 * xtcp_send_tw_ack() - ACK from a TIME_WAIT minisock
 * @tw: minisock
 *
 * <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> with the last window.
 */
void xtcp_send_tw_ack(struct xtcp_tw *tw)
{
	struct xtcp_raw r = {
		.saddr = tw->laddr,
		.daddr = tw->raddr,
		.sport = tw->lport,
		.dport = tw->rport,
		.seq = tw->snd_nxt,
		.ack = tw->rcv_nxt,
		.flags = TCPHDR_ACK,
		.window = tw->rcv_wnd,
		.oif = tw->bound_dev_if,
		.tos = tw->tos,
		.mark = tw->mark,
	};

	xtcp_send_raw(read_pnet(&tw->net), &r);
}

/* The addresses and IP settings of a request's segments. */
static void xtcp_req_raw(const struct xtcp_request *req, struct xtcp_raw *r)
{
	r->saddr = req->laddr;
	r->daddr = req->raddr;
	r->sport = req->lport;
	r->dport = req->rport;
	r->window = req->rcv_wnd;
	r->oif = req->bound_dev_if;
	r->tos = req->tos;
	r->mark = req->mark;
}

/**
 * xtcp_send_synack() - send a request's SYN-ACK
 * @req: request, hashed or rebuilt for a cookie
 *
 * <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> with the options Linux puts on its
 * own (MSS, SACK-permitted and timestamps, window scale 7) where the SYN
 * offered them, and ECE when ECN was agreed.  A cookie's TSval carries the
 * peer's options.
 */
void xtcp_send_synack(const struct xtcp_request *req)
{
	struct xtcp_out_opts o = { .wscale = -1 };
	struct xtcp_raw r = {
		.seq = req->iss,
		.ack = req->irs + 1,
		.flags = TCPHDR_SYN | TCPHDR_ACK,
		.opts = &o,
		.user_mss = READ_ONCE(xtcp_sk(req->listener)->user_mss),
	};

	xtcp_req_raw(req, &r);
	if (req->ecn_ok)
		r.flags |= TCPHDR_ECE;	/* an ECN-setup SYN-ACK */
	o.sack_ok = req->sack_ok;
	if (req->wscale_ok)
		o.wscale = XTCP_RCV_WSCALE;
	o.ts = req->ts_ok;
	if (o.ts) {
		o.tsval = (u32)ktime_to_ms(ktime_get()) + req->ts_offset;
		if (req->cookie)
			o.tsval = xtcp_cookie_ts(o.tsval, req->wscale_ok ?
						 req->snd_wscale : -1,
						 req->sack_ok, req->ecn_ok);
		o.tsecr = req->ts_recent;
	}
	xtcp_send_raw(read_pnet(&req->net), &r);
}

/**
 * xtcp_send_req_ack() - a request's bare ACK
 * @req: request
 *
 * <SEQ=ISS+1><ACK=IRS+1><CTL=ACK>, for a SYN that does not match the
 * request: a peer that restarted answers it with RST at IRS + 1.
 */
void xtcp_send_req_ack(const struct xtcp_request *req)
{
	struct xtcp_raw r = {
		.seq = req->iss + 1,
		.ack = req->irs + 1,
		.flags = TCPHDR_ACK,
	};

	xtcp_req_raw(req, &r);
	xtcp_send_raw(read_pnet(&req->net), &r);
}
