// SPDX-License-Identifier: GPL-2.0
/*
 * What getsockopt() reports of a connection: struct xtcp_info at SOL_XTCP
 * (XTCP_INFO) and Linux's struct tcp_info at IPPROTO_TCP (TCP_INFO), both
 * filled from the same socket state.
 */
#include <linux/tcp.h>

#include "xtcp.h"

static u32 xtcp_ms_since(unsigned long stamp)
{
	return stamp ? jiffies_to_msecs(jiffies - stamp) : 0;
}

static u32 xtcp_ms_since_ns(u64 stamp_ns)
{
	return stamp_ns ? div_u64(ktime_get_ns() - stamp_ns, NSEC_PER_MSEC) : 0;
}

static u8 xtcp_info_options(const struct sock *sk)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);
	u8 opts = 0;

	if (xs->ts_ok)
		opts |= XTCPI_OPT_TIMESTAMPS;
	if (xs->sack_ok)
		opts |= XTCPI_OPT_SACK;
	if (xs->wscale_ok)
		opts |= XTCPI_OPT_WSCALE;
	if (xs->nodelay)
		opts |= XTCPI_OPT_NODELAY;
	if (xs->cork)
		opts |= XTCPI_OPT_CORK;
	if (sock_flag(sk, SOCK_KEEPOPEN))
		opts |= XTCPI_OPT_KEEPALIVE;
	if (xs->ecn_flags & XTCP_ECN_OK)
		opts |= XTCPI_OPT_ECN;
	if (xs->ecn_flags & XTCP_ECN_SEEN)
		opts |= XTCPI_OPT_ECN_SEEN;
	return opts;
}

/**
 * xtcp_get_info() - fill a struct xtcp_info
 * @sk: socket, locked by the caller
 * @info: zeroed by the caller
 *
 * A listener reports its accept queue length in xtcpi_unacked and its
 * backlog limit in xtcpi_sacked, as Linux's tcp_get_info() does.
 */
void xtcp_get_info(struct sock *sk, struct xtcp_info *info)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	int state = inet_sk_state_load(sk);

	info->xtcpi_state = state;
	strscpy(info->xtcpi_cong, xs->ca_ops->name, sizeof(info->xtcpi_cong));
	if (state == XTCP_LISTEN) {
		info->xtcpi_unacked = READ_ONCE(xs->accept_qlen);
		info->xtcpi_sacked = READ_ONCE(xs->max_backlog);
		return;
	}
	info->xtcpi_ca_state = xs->ca_state;
	info->xtcpi_retransmits = xs->retries;
	info->xtcpi_probes = xs->probes_out;
	info->xtcpi_options = xtcp_info_options(sk);
	if (xs->wscale_ok) {
		info->xtcpi_snd_wscale = xs->snd_wscale;
		info->xtcpi_rcv_wscale = xs->rcv_wscale;
	}
	info->xtcpi_rto = xs->rto_us;
	info->xtcpi_rtt = xs->rtt.srtt_us;
	info->xtcpi_rttvar = xs->rtt.rttvar_us;
	info->xtcpi_snd_mss = xs->mss;
	info->xtcpi_rcv_mss = xs->rcv_mss;
	info->xtcpi_advmss = xs->advmss;
	info->xtcpi_snd_cwnd = xs->cc.cwnd;
	info->xtcpi_snd_ssthresh = xs->cc.ssthresh;
	info->xtcpi_unacked = xs->snd_max - xs->snd_una;
	info->xtcpi_sacked = xs->sb.sacked_out;
	info->xtcpi_lost = xs->sb.lost_out;
	info->xtcpi_retrans = xs->sb.retrans_out;
	info->xtcpi_notsent = xs->write_seq - xs->snd_max;
	info->xtcpi_total_retrans = xs->total_retrans;
	info->xtcpi_snd_una = xs->snd_una;
	info->xtcpi_snd_nxt = xs->snd_nxt;
	info->xtcpi_rcv_nxt = xs->rcv_nxt;
	info->xtcpi_snd_wnd = xs->snd_wnd;
	info->xtcpi_rcv_wnd = xs->rcv_adv - xs->rcv_nxt;
	info->xtcpi_last_data_sent = xtcp_ms_since_ns(xs->lsnd_ns);
	info->xtcpi_last_data_recv = xtcp_ms_since(xs->lrcvtime);
	info->xtcpi_last_ack_recv = xtcp_ms_since(xs->rcv_tstamp);
	info->xtcpi_bytes_acked = xs->bytes_acked;
	info->xtcpi_bytes_received = xs->bytes_received;
	info->xtcpi_bytes_sent = xs->bytes_sent;
	info->xtcpi_bytes_retrans = xs->bytes_retrans;
	info->xtcpi_segs_out = xs->segs_out;
	info->xtcpi_segs_in = xs->segs_in;
	info->xtcpi_data_segs_out = xs->data_segs_out;
	info->xtcpi_data_segs_in = xs->data_segs_in;
}

/* Bytes to Linux's packet counts, by the sending MSS. */
static u32 xtcp_bytes_to_pkts(const struct xtcp_sock *xs, u32 bytes)
{
	return DIV_ROUND_UP(bytes, max_t(u32, xs->mss, 1));
}

/**
 * xtcp_get_tcp_info() - fill Linux's struct tcp_info from the same state
 * @sk: socket, locked by the caller
 * @ti: zeroed by the caller
 *
 * For programs that read TCP_INFO (iperf3, ss-like tools).  Queue lengths
 * Linux counts in packets are XTCP's byte counts divided by the MSS; what
 * XTCP does not track (pacing, delivery rate, busy time, min RTT) stays 0.
 */
void xtcp_get_tcp_info(struct sock *sk, struct tcp_info *ti)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_info xi = {};
	struct dst_entry *dst;

	xtcp_get_info(sk, &xi);
	ti->tcpi_state = xi.xtcpi_state;
	if (xi.xtcpi_state == XTCP_LISTEN) {
		ti->tcpi_unacked = xi.xtcpi_unacked;
		ti->tcpi_sacked = xi.xtcpi_sacked;
		return;
	}
	ti->tcpi_ca_state = xi.xtcpi_ca_state;
	ti->tcpi_retransmits = xi.xtcpi_retransmits;
	ti->tcpi_probes = xi.xtcpi_probes;
	ti->tcpi_backoff = xi.xtcpi_retransmits;
	ti->tcpi_options = xi.xtcpi_options &
			   (TCPI_OPT_TIMESTAMPS | TCPI_OPT_SACK | TCPI_OPT_WSCALE);
	if (xi.xtcpi_options & XTCPI_OPT_ECN)
		ti->tcpi_options |= TCPI_OPT_ECN;
	if (xi.xtcpi_options & XTCPI_OPT_ECN_SEEN)
		ti->tcpi_options |= TCPI_OPT_ECN_SEEN;
	ti->tcpi_snd_wscale = xi.xtcpi_snd_wscale;
	ti->tcpi_rcv_wscale = xi.xtcpi_rcv_wscale;
	ti->tcpi_rto = xi.xtcpi_rto;
	ti->tcpi_ato = XTCP_DELACK_US;
	ti->tcpi_snd_mss = xi.xtcpi_snd_mss;
	ti->tcpi_rcv_mss = xi.xtcpi_rcv_mss;
	ti->tcpi_unacked = xtcp_bytes_to_pkts(xs, xi.xtcpi_unacked);
	ti->tcpi_sacked = xtcp_bytes_to_pkts(xs, xi.xtcpi_sacked);
	ti->tcpi_lost = xtcp_bytes_to_pkts(xs, xi.xtcpi_lost);
	ti->tcpi_retrans = xtcp_bytes_to_pkts(xs, xi.xtcpi_retrans);
	ti->tcpi_last_data_sent = xi.xtcpi_last_data_sent;
	ti->tcpi_last_data_recv = xi.xtcpi_last_data_recv;
	ti->tcpi_last_ack_recv = xi.xtcpi_last_ack_recv;
	dst = sk_dst_get(sk);
	if (dst) {
		ti->tcpi_pmtu = dst_mtu(dst);
		dst_release(dst);
	}
	ti->tcpi_rcv_ssthresh = xi.xtcpi_rcv_wnd;
	ti->tcpi_rtt = xi.xtcpi_rtt;
	ti->tcpi_rttvar = xi.xtcpi_rttvar;
	ti->tcpi_snd_ssthresh = xi.xtcpi_snd_ssthresh;
	ti->tcpi_snd_cwnd = xi.xtcpi_snd_cwnd;
	ti->tcpi_advmss = xi.xtcpi_advmss;
	ti->tcpi_reordering = xtcp_dupthresh(xs);
	ti->tcpi_rcv_space = xtcp_rcv_space(sk);
	ti->tcpi_total_retrans = xi.xtcpi_total_retrans;
	ti->tcpi_bytes_acked = xi.xtcpi_bytes_acked;
	ti->tcpi_bytes_received = xi.xtcpi_bytes_received;
	ti->tcpi_segs_out = xi.xtcpi_segs_out;
	ti->tcpi_segs_in = xi.xtcpi_segs_in;
	ti->tcpi_notsent_bytes = xi.xtcpi_notsent;
	ti->tcpi_data_segs_in = xi.xtcpi_data_segs_in;
	ti->tcpi_data_segs_out = xi.xtcpi_data_segs_out;
	ti->tcpi_bytes_sent = xi.xtcpi_bytes_sent;
	ti->tcpi_bytes_retrans = xi.xtcpi_bytes_retrans;
	ti->tcpi_snd_wnd = xi.xtcpi_snd_wnd;
}
