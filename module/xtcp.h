/* SPDX-License-Identifier: GPL-2.0 */
/*
 * XTCP internal definitions shared by the files of module/.
 *
 * Locking, in one place:
 *  - every struct xtcp_sock is protected by its socket lock: lock_sock() in
 *    process context, bh_lock_sock() in softirq (receive and timers), with
 *    segments queued on the socket backlog while a user owns the lock;
 *  - the connection and listener tables are read under RCU and written
 *    under a per-bucket spinlock (module/hash.c);
 *  - a listener's SYN and accept queues are protected by its accept_lock,
 *    taken after (inside) a child's socket lock, never the other way round.
 */
#ifndef _XTCP_H
#define _XTCP_H

#include <linux/hrtimer.h>
#include <linux/siphash.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <net/inet_sock.h>
#include <net/sock.h>
#include <net/netns/generic.h>
#include <linux/xtcp.h>

#include "seq.h"

struct seq_file;

/* Largest TCP header we build: 20 bytes plus 40 bytes of options. */
#define XTCP_MAX_TCP_HDR	60
#define XTCP_MAX_HEADER		(XTCP_MAX_TCP_HDR + MAX_HEADER + 128)

#define XTCP_DEFAULT_MSS	536	/* RFC 9293 3.7.1, when no MSS option */
#define XTCP_RCV_WSCALE		7	/* window scale we offer (as Linux) */
#define XTCP_SOMAXCONN		4096	/* net.xtcp.somaxconn, as Linux */
#define XTCP_MAX_SYN_BACKLOG	1024	/* net.xtcp.max_syn_backlog */
#define XTCP_INIT_RTO_US	1000000	/* RFC 6298 2.1 */
/* RTO >= SRTT + this: G of RFC 6298, as Linux's tcp_rto_min */
#define XTCP_MIN_RTO_US		200000
#define XTCP_MAX_RTO_US		120000000
#define XTCP_SYN_RETRIES	6
#define XTCP_SYNACK_RETRIES	5
#define XTCP_DATA_RETRIES	15
/* RTOs after which a path MTU black hole is suspected (Linux's tcp_retries1) */
#define XTCP_RETRIES1		3
#define XTCP_BASE_MSS		1024	/* net.xtcp.base_mss, as Linux */
#define XTCP_MTU_PROBE_FLOOR	48	/* net.xtcp.mtu_probe_floor */
#define XTCP_PROBE_INTERVAL	600	/* net.xtcp.probe_interval, seconds */
#define XTCP_PROBE_THRESHOLD	8	/* net.xtcp.probe_threshold, bytes */
#define XTCP_MIN_SND_MSS	48	/* the least MSS we send with */
#define XTCP_DEFAULT_FIN_TIMEOUT 60	/* seconds in orphaned FIN_WAIT_2 */
#define XTCP_OFO_MAX_SEGS	1024	/* out-of-order queue, also rcvbuf */
#define XTCP_DEFAULT_INVALID_RATELIMIT 500 /* ms, as Linux */
#define XTCP_KEEPALIVE_TIME	7200	/* seconds, RFC 1122 4.2.3.6 */
#define XTCP_KEEPALIVE_INTVL	75
#define XTCP_KEEPALIVE_PROBES	9
#define XTCP_MAX_KEEPIDLE	32767	/* seconds, as Linux */
#define XTCP_MAX_KEEPCNT	127
#define XTCP_DEFAULT_MSL	30	/* seconds; TIME_WAIT lasts 2 * MSL */
#define XTCP_INIT_CWND		10	/* segments, RFC 6928 (as Linux) */
#define XTCP_MAX_CWND		65535U	/* segments */
#define XTCP_INFINITE_SSTHRESH	0x7fffffffU
#define XTCP_DUPTHRESH		3	/* RFC 5681 3.2 */
#define XTCP_MAX_REORDERING	300	/* segments, as Linux */
#define XTCP_DELACK_US		40000	/* delayed ACK timeout, as Linux's minimum */
#define XTCP_QUICKACKS		16	/* ACKs sent at once at start and after loss */
#define XTCP_CORK_US		200000	/* TCP_CORK and MSG_MORE ceiling, as Linux */
#define XTCP_TSOPT_LEN		12	/* NOP NOP TS, on every segment once agreed */
#define XTCP_PAWS_IDLE_SEC	(24 * 24 * 3600) /* RFC 7323 5.5: 24 days */
#define XTCP_MAX_SACKS		4
#define XTCP_CONG_NAME_MAX	16

/* A SACK block: [start, end) in sequence space (RFC 2018). */
struct xtcp_sack_block {
	u32	start;
	u32	end;
};

/* Parsed TCP options of one segment. */
struct xtcp_opts {
	u16	mss;
	u8	wscale;
	u8	have_mss:1,
		have_wscale:1,
		sack_ok:1,
		have_ts:1;
	u8	num_sacks;
	u32	tsval;
	u32	tsecr;
	struct xtcp_sack_block sacks[XTCP_MAX_SACKS];
};

/**
 * struct xtcp_out_opts - the options of one outgoing segment
 * @mss: MSS to announce (SYN only), 0 for none
 * @wscale: window shift to announce (SYN only), negative for none
 * @sack_ok: announce SACK-permitted (SYN only)
 * @ts: write a timestamp option
 * @tsval: its TSval
 * @tsecr: its TSecr
 * @num_sacks: SACK blocks to write (non-SYN)
 * @sacks: the blocks, first one first
 */
struct xtcp_out_opts {
	u16	mss;
	s8	wscale;
	bool	sack_ok;
	bool	ts;
	u32	tsval;
	u32	tsecr;
	u8	num_sacks;
	struct xtcp_sack_block sacks[XTCP_MAX_SACKS];
};

/* Tags of a sent segment in the SACK scoreboard (xtcp_skb_cb.sacked). */
enum {
	XTCP_TAG_SACKED		= 1,	/* the peer holds it (SACK) */
	XTCP_TAG_LOST		= 2,	/* taken for lost, to be resent */
	XTCP_TAG_RETRANS	= 4,	/* resent; that copy is in flight */
};

/**
 * struct xtcp_scoreboard - what the sender knows of its data in flight
 * @sacked_out: bytes SACKed (without SACK: one MSS per duplicate ACK)
 * @lost_out: bytes tagged lost
 * @retrans_out: bytes resent and not yet acknowledged or SACKed
 * @highest_sack: end of the highest SACKed block (with @sacked_out)
 * @reord_bytes: the largest reordering seen: how far below the highest
 *	SACK a segment that was never resent arrived
 * @delivered_ns: latest send time of a segment acknowledged or SACKed
 * @dsack_round: RACK: SND.MAX when a D-SACK last widened the reordering
 *	window, 0 once SND.UNA passed it (one step per round trip)
 * @reo_wnd_steps: RACK: the reordering window in quarters of SRTT (0 is 1)
 * @reo_wnd_persist: RACK: recoveries left before the window shrinks back
 *
 * Bytes of sequence space, so splitting a segment changes nothing here.
 * RFC 6675's pipe is (SND.MAX - SND.UNA) - sacked_out - lost_out +
 * retrans_out.
 */
struct xtcp_scoreboard {
	u32	sacked_out;
	u32	lost_out;
	u32	retrans_out;
	u32	highest_sack;
	u32	reord_bytes;
	u64	delivered_ns;
	u32	dsack_round;
	u8	reo_wnd_steps;
	u8	reo_wnd_persist;
};

#define XTCP_RACK_MAX_STEPS	4	/* the window grows up to SRTT */
#define XTCP_RACK_PERSIST	16	/* recoveries a grown window lasts */

/**
 * struct xtcp_cc - congestion window state (module/cong.c)
 * @cwnd: congestion window, in segments
 * @ssthresh: slow start threshold, in segments
 * @cwnd_cnt: segments acknowledged toward the next increase
 * @w_max: CUBIC: window before the last reduction
 * @origin: CUBIC: the plateau of the current epoch
 * @k_ms: CUBIC: time from the epoch start to the plateau
 * @epoch_start: CUBIC: ms clock when the epoch began, 0 for none
 * @w_est: CUBIC: Reno-friendly window estimate
 * @w_est_cnt: CUBIC: fraction of a segment toward @w_est
 */
struct xtcp_cc {
	u32	cwnd;
	u32	ssthresh;
	u32	cwnd_cnt;
	u32	w_max;
	u32	origin;
	u32	k_ms;
	u32	epoch_start;
	u32	w_est;
	u32	w_est_cnt;
};

/**
 * struct xtcp_cong_ops - a congestion control algorithm
 * @name: its name, for XTCP_CONGESTION and net.xtcp.congestion_control
 *	and as Linux names it ("reno" is NewReno)
 * @init: start of a connection
 * @ssthresh: congestion detected: returns the new ssthresh
 * @cong_avoid: new data acknowledged while cwnd limited the sender
 * @on_rto: a retransmission timeout (after @ssthresh)
 */
struct xtcp_cong_ops {
	const char *name;
	void (*init)(struct xtcp_cc *cc);
	u32 (*ssthresh)(struct xtcp_cc *cc);
	void (*cong_avoid)(struct xtcp_cc *cc, u32 acked, u32 now_ms,
			   u32 srtt_us);
	void (*on_rto)(struct xtcp_cc *cc);
};

/**
 * struct xtcp_ack_sample - what one ACK told the sender
 * @prior_pipe: pipe before the ACK
 * @acked: bytes newly acknowledged (SND.UNA moved by this much)
 * @sacked: bytes newly SACKed
 * @dupack: a duplicate ACK in RFC 5681's sense
 * @tsecr: its echoed timestamp, 0 for none
 * @ece: an ECN echo on an ECN connection: congestion ahead
 * @dsack: it reported a segment received twice (RFC 2883)
 */
struct xtcp_ack_sample {
	u32	prior_pipe;
	u32	acked;
	u32	sacked;
	bool	dupack;
	u32	tsecr;
	bool	ece;
	bool	dsack;
};

/* Congestion states of the sender (XTCP_CA_*): in uapi/linux/xtcp.h. */

/*
 * Control block of a segment, in skb->cb.  On transmit it describes a
 * segment held in the write queue (clones get their cb cleared before
 * they enter IP); on receive it is filled from the header once.
 */
struct xtcp_skb_cb {
	u32	seq;		/* first sequence number */
	u32	end_seq;	/* seq + SYN + len + FIN */
	u32	ack_seq;	/* receive: SEG.ACK */
	u32	consumed;	/* receive queue: bytes already read */
	u16	window;		/* receive: raw SEG.WND */
	u8	flags;		/* TCPHDR_* */
	u8	retrans;	/* transmit: times retransmitted */
	u32	tw_isn;		/* receive: ISN for a SYN reusing TIME_WAIT */
	u8	sacked;		/* transmit: XTCP_TAG_* */
	u8	ip_dsfield;	/* receive: the IP header's DS field (ECN) */
	u64	tx_ns;		/* transmit: when last sent */
};

#define XTCP_SKB_CB(skb) ((struct xtcp_skb_cb *)&((skb)->cb[0]))
static_assert(sizeof(struct xtcp_skb_cb) <= sizeof_field(struct sk_buff, cb));

/**
 * struct xtcp_rtt - the RFC 6298 round-trip estimator
 * @srtt_us: smoothed round-trip time, 0 before the first sample
 * @rttvar_us: round-trip time variation
 * @rto_us: retransmission timeout they give, before any backoff
 */
struct xtcp_rtt {
	u32	srtt_us;
	u32	rttvar_us;
	u32	rto_us;
};

/*
 * xtcp_sock.ecn_flags (module/ecn.c), as Linux's TCP_ECN_*: the connection
 * agreed on ECN, a CWR is to go out on the next new data, the peer's CWR is
 * awaited (ECE on every segment until then), ECT or CE was seen.
 */
enum {
	XTCP_ECN_OK		= 1,
	XTCP_ECN_QUEUE_CWR	= 2,
	XTCP_ECN_DEMAND_CWR	= 4,
	XTCP_ECN_SEEN		= 8,
};

/* Events of the connection state machine (module/state.c). */
enum xtcp_event {
	XTCP_EV_CONNECT,	/* user: active OPEN */
	XTCP_EV_LISTEN,		/* user: passive OPEN */
	XTCP_EV_CLOSE,		/* user: CLOSE or shutdown(SHUT_WR) */
	XTCP_EV_RCV_SYN,	/* SYN without ACK */
	XTCP_EV_RCV_SYNACK,	/* SYN+ACK acknowledging our SYN */
	XTCP_EV_RCV_ACK_SYN,	/* ACK of our SYN (in SYN-RECEIVED) */
	XTCP_EV_RCV_ACK_FIN,	/* ACK of our FIN */
	XTCP_EV_RCV_FIN,	/* in-sequence FIN */
	XTCP_EV_RCV_RST,	/* acceptable RST */
	XTCP_EV_TIMEOUT,	/* 2MSL expired, or retransmissions gave up */
	XTCP_EV_ABORT,		/* user: abortive close */
	XTCP_EV_ICMP_ERR,	/* an ICMP error ends an opening connection */
	XTCP_EV_MAX
};

/* Bits of xtcp_sock.deferred: timer work postponed while a user owns sk. */
enum {
	XTCP_RTX_DEFERRED,
	XTCP_KA_DEFERRED,
	XTCP_DACK_DEFERRED,
	XTCP_MTU_REDUCED_DEFERRED,	/* an ICMP "fragmentation needed" */
};

/**
 * struct xtcp_port - reservation of a local port in Linux TCP's bind table
 * @sock: kernel TCP socket bound to the same address and port
 * @refcnt: the owning socket, its children and TIME_WAIT minisocks
 * @work: releases @sock from process context
 *
 * XTCP and Linux TCP share the port space: a port bound by one is in use for
 * the other.  XTCP keeps that true by binding a kernel TCP socket (never
 * listening, never connected) beside each XTCP socket that owns a port.
 */
struct xtcp_port {
	struct socket		*sock;
	refcount_t		refcnt;
	struct work_struct	work;
};

/**
 * struct xtcp_mtup - path MTU probing (RFC 4821), as Linux's icsk_mtup
 * @enabled: probing runs: always with net.xtcp.mtu_probing 2, after a
 *	suspected black hole with 1
 * @search_low: an MTU known to get through
 * @search_high: the least MTU not known to fail
 * @probe_size: MTU of the probe in flight, 0 for none
 * @probe_seq_start: first sequence number of that probe
 * @probe_seq_end: sequence number after it
 * @probe_timestamp: jiffies when the search last started
 */
struct xtcp_mtup {
	bool		enabled;
	u32		search_low;
	u32		search_high;
	u32		probe_size;
	u32		probe_seq_start;
	u32		probe_seq_end;
	unsigned long	probe_timestamp;
};

/**
 * struct xtcp_sock - an XTCP connection or listener
 * @inet: the IPv4 socket; must stay first
 * @hnode: entry in the connection or listener table
 * @hashed: @hnode is in a table
 * @hbucket: the table bucket @hnode is in
 * @iss: initial send sequence number
 * @snd_una: oldest unacknowledged sequence number
 * @snd_nxt: next sequence number to send
 * @snd_max: highest sequence number sent (resends never move it back)
 * @snd_wnd: send window (scaled), from the peer
 * @snd_wl1: SEG.SEQ of the last window update
 * @snd_wl2: SEG.ACK of the last window update
 * @write_seq: sequence number after the last byte queued by the user
 * @irs: initial receive sequence number
 * @rcv_nxt: next sequence number expected
 * @rcv_adv: right edge of the window last advertised
 * @copied_seq: sequence number of the next byte the user will read
 * @mss: effective send MSS
 * @advmss: MSS we announce
 * @snd_wscale: shift applied to the peer's window field
 * @rcv_wscale: shift we apply to our window field
 * @wscale_ok: window scaling is offered (SYN) or agreed (after it)
 * @fin_queued: a FIN is in the write queue
 * @nodelay: TCP_NODELAY: a small segment goes out at once (no Nagle)
 * @cork: TCP_CORK: partial segments wait (at most 200 ms)
 * @user_mss: TCP_MAXSEG clamp, or 0
 * @in_accept_queue: @accept_node is on the listener's accept queue
 * @closing: listener is closing; it owns its children's queue entries
 * @send_head: first skb of the write queue not yet sent
 * @rtx_timer: retransmission timer
 * @ka_timer: keepalive timer, and the orphaned FIN_WAIT_2 timer
 * @rcv_tstamp: jiffies when the last segment arrived
 * @probes_out: keepalive probes sent without an answer
 * @keepalive_time: TCP_KEEPIDLE in seconds, or 0 for the sysctl
 * @keepalive_intvl: TCP_KEEPINTVL in seconds, or 0 for the sysctl
 * @keepalive_probes: TCP_KEEPCNT, or 0 for the sysctl
 * @ofo_queue: segments received ahead of RCV.NXT, sorted by sequence
 * @max_window: largest send window the peer offered (MAX.SND.WND)
 * @last_oow_ack: jiffies of the last ACK sent for an invalid segment
 * @rtt: round-trip estimator
 * @rto_us: current retransmission timeout, backoff included
 * @retries: consecutive retransmissions of the oldest segment
 * @retrans_stamp: when the oldest unacknowledged segment was first sent,
 *	once it has been retransmitted (for TCP_USER_TIMEOUT), else 0
 * @user_timeout: TCP_USER_TIMEOUT in ms, or 0
 * @deferred: XTCP_*_DEFERRED bits
 * @listener: for a child not yet accepted, its listener (holds a ref)
 * @accept_node: entry in the listener's accept queue
 * @accept_lock: protects @syn_queue, @accept_queue and their counters
 * @syn_queue: request socks (struct xtcp_request) in SYN-RECEIVED
 * @accept_queue: established children waiting for accept()
 * @syn_qlen: length of @syn_queue
 * @accept_qlen: length of @accept_queue
 * @max_backlog: listen() backlog
 * @synq_overflow: jiffies when the SYN queue last overflowed (cookies sent)
 * @synflood_warned: the "possible SYN flooding" message was logged
 * @port: port reservation, if this socket owns its port
 * @cc: congestion window (module/cong.c)
 * @ca_ops: congestion control algorithm
 * @ca_state: XTCP_CA_*
 * @dupacks: duplicate ACKs in a row
 * @high_seq: SND.MAX when recovery or loss began (RFC 6582 "recover")
 * @sb: SACK scoreboard of the data in flight
 * @prior_cc: the window before the last reduction, for an undo
 * @undo_tsval: our TSval when this episode's first resend left, or 0
 * @cwnd_blocked: the last push stopped at the congestion window
 * @lsnd_ns: when new data was last sent (restart after idle)
 * @sack_ok: SACK agreed (RFC 2018)
 * @ts_ok: timestamps agreed (RFC 7323)
 * @ts_recent: TS.Recent, the peer's TSval to echo
 * @ts_recent_stamp: seconds when @ts_recent was set (PAWS aging)
 * @ts_offset: random offset of our TSval clock
 * @rcv_wup: RCV.NXT in the last ACK sent (Last.ACK.sent)
 * @dsack: D-SACK block to report (RFC 2883), when @dsack_pending
 * @dsack_pending: @dsack goes into the next ACK
 * @last_ofo_seq: start of the out-of-order segment that came last
 * @dack_timer: delayed ACK timer
 * @ack_pending: received data waits for its (delayed) ACK
 * @quickack: ACKs still to be sent without delay
 * @rcv_mss: largest segment received, the peer's "full-sized" segment
 * @snd_sml: end of the last small segment sent (Nagle, Minshall's variant)
 * @more: the last write had MSG_MORE
 * @bytes_acked: sequence space the peer acknowledged (SYN and FIN count, as
 *	in Linux's tcpi_bytes_acked)
 * @bytes_received: payload bytes received in order
 * @bytes_sent: payload bytes sent, retransmissions included
 * @bytes_retrans: payload bytes retransmitted
 * @segs_in: segments received (a GRO aggregate counts its segments)
 * @segs_out: segments sent (a GSO segment counts its segments)
 * @data_segs_in: of @segs_in, those with payload
 * @data_segs_out: of @segs_out, those with payload
 * @total_retrans: segments retransmitted
 * @lrcvtime: jiffies of the last segment with payload received
 * @ecn_flags: XTCP_ECN_*
 * @snd_up: the sequence number after our last urgent byte (urgent mode
 *	while it is not SND.UNA)
 * @urg_seq: the peer's urgent byte, when @urg_data is set
 * @urg_data: XTCP_URG_* state of the peer's urgent byte, 0 for none
 * @mss_clamp: the most the peer takes: its MSS option, TCP_MAXSEG's clamp
 *	(module/pmtu.c)
 * @pmtu_cookie: the path MTU @mss was computed from
 * @mtu_info: the MTU of the last "fragmentation needed" (module/icmp.c)
 * @no_undo: this loss episode is path MTU's, not congestion's: no Eifel undo
 * @mtup: packetization layer path MTU discovery (module/pmtu.c)
 */
struct xtcp_sock {
	struct inet_sock	inet;
	struct hlist_node	hnode;
	bool			hashed;
	void			*hbucket;

	u32			iss;
	u32			snd_una;
	u32			snd_nxt;
	u32			snd_max;
	u32			snd_wnd;
	u32			snd_wl1;
	u32			snd_wl2;
	u32			write_seq;

	u32			irs;
	u32			rcv_nxt;
	u32			rcv_adv;
	u32			copied_seq;

	u16			mss;
	u16			advmss;
	u8			snd_wscale;
	u8			rcv_wscale;
	bool			wscale_ok;
	bool			fin_queued;
	bool			nodelay;
	u16			user_mss;

	struct sk_buff		*send_head;

	struct hrtimer		rtx_timer;
	struct hrtimer		ka_timer;
	unsigned long		rcv_tstamp;
	u8			probes_out;
	u16			keepalive_time;
	u16			keepalive_intvl;
	u8			keepalive_probes;
	struct sk_buff_head	ofo_queue;
	u32			max_window;
	unsigned long		last_oow_ack;
	struct xtcp_rtt		rtt;
	u32			rto_us;
	u8			retries;
	u64			retrans_stamp;
	u32			user_timeout;
	unsigned long		deferred;

	struct sock		*listener;
	struct list_head	accept_node;
	bool			in_accept_queue;
	bool			closing;
	spinlock_t		accept_lock;	/* see the kernel-doc above */
	struct list_head	syn_queue;
	struct list_head	accept_queue;
	u32			syn_qlen;
	u32			accept_qlen;
	u32			max_backlog;
	unsigned long		synq_overflow;
	bool			synflood_warned;

	struct xtcp_port	*port;

	struct xtcp_cc		cc;
	const struct xtcp_cong_ops *ca_ops;
	u8			ca_state;
	u8			dupacks;
	u32			high_seq;
	struct xtcp_scoreboard	sb;
	struct xtcp_cc		prior_cc;
	u32			undo_tsval;
	bool			cwnd_blocked;
	u64			lsnd_ns;

	bool			sack_ok;
	bool			ts_ok;
	u32			ts_recent;
	u32			ts_recent_stamp;
	u32			ts_offset;
	u32			rcv_wup;
	struct xtcp_sack_block	dsack;
	bool			dsack_pending;
	u32			last_ofo_seq;

	struct hrtimer		dack_timer;
	bool			ack_pending;
	u8			quickack;
	u16			rcv_mss;
	u32			snd_sml;
	bool			cork;
	bool			more;

	u64			bytes_acked;
	u64			bytes_received;
	u64			bytes_sent;
	u64			bytes_retrans;
	u32			segs_in;
	u32			segs_out;
	u32			data_segs_in;
	u32			data_segs_out;
	u32			total_retrans;
	unsigned long		lrcvtime;
	u8			ecn_flags;
	u32			snd_up;
	u32			urg_seq;
	u16			urg_data;

	u16			mss_clamp;
	u32			pmtu_cookie;
	u32			mtu_info;
	bool			no_undo;
	struct xtcp_mtup	mtup;
};

/*
 * xtcp_sock.urg_data, as Linux's TCP_URG_*: the urgent byte is named but
 * not here yet, here (in the low 8 bits), or was read with MSG_OOB.
 */
#define XTCP_URG_VALID	0x0100
#define XTCP_URG_NOTYET	0x0200
#define XTCP_URG_READ	0x0400

/* Urgent mode: our urgent byte is not yet acknowledged. */
static inline bool xtcp_urg_mode(const struct xtcp_sock *xs)
{
	return xs->snd_up != xs->snd_una;
}

/**
 * struct xtcp_tw - a connection in TIME_WAIT (a minisock)
 * @hnode: entry in the TIME_WAIT table
 * @hashed: @hnode is in the table
 * @hbucket: the table bucket @hnode is in
 * @refcnt: one for the table, one for the armed timer, one per lookup
 * @net: namespace
 * @laddr: local address
 * @raddr: remote address
 * @lport: local port
 * @rport: remote port
 * @bound_dev_if: device the connection was bound to
 * @mark: skb mark of its segments
 * @tos: IP TOS of its segments
 * @snd_nxt: sequence number after our FIN
 * @rcv_nxt: sequence number after the peer's FIN
 * @rcv_wnd: window field of our ACKs
 * @last_oow_ack: jiffies of the last ACK sent for an invalid segment
 * @lock: serialises timer restarts against removal
 * @timer: the 2MSL timer
 * @port: the port reservation of the socket it replaced
 * @rcu: frees it after a grace period
 *
 * When a connection enters TIME_WAIT the full socket is done: this small
 * structure (about a quarter of a full socket) takes its place in the
 * lookup path, re-ACKs a retransmitted FIN, ignores RST (RFC 1337), lets a
 * new SYN reuse the 4-tuple, and keeps the port in use until 2MSL pass.
 */
struct xtcp_tw {
	struct hlist_node	hnode;
	bool			hashed;
	void			*hbucket;
	refcount_t		refcnt;
	possible_net_t		net;
	__be32			laddr;
	__be32			raddr;
	__be16			lport;
	__be16			rport;
	int			bound_dev_if;
	u32			mark;
	u8			tos;
	u32			snd_nxt;
	u32			rcv_nxt;
	u16			rcv_wnd;
	unsigned long		last_oow_ack;
	spinlock_t		lock;	/* see the kernel-doc above */
	struct hrtimer		timer;
	struct xtcp_port	*port;
	struct rcu_head		rcu;
};

/**
 * struct xtcp_request - a passive open in SYN-RECEIVED (a request sock)
 * @hnode: entry in the request table
 * @hashed: @hnode is in the table
 * @hbucket: the table bucket @hnode is in
 * @qnode: entry in the listener's SYN queue
 * @refcnt: one for the table and queue together, one for the armed timer,
 *	one per lookup
 * @listener: the listener it belongs to (holds a reference)
 * @net: namespace
 * @laddr: local address
 * @raddr: remote address
 * @lport: local port
 * @rport: remote port
 * @iss: our initial sequence number
 * @irs: the peer's initial sequence number
 * @ts_recent: the peer's TSval of the SYN
 * @ts_offset: offset of our TSval clock
 * @peer_mss: the peer's MSS option (XTCP_DEFAULT_MSS without one)
 * @rcv_wnd: window field of our SYN-ACK
 * @snd_wscale: the peer's window scale
 * @wscale_ok: window scaling agreed
 * @sack_ok: SACK agreed
 * @ts_ok: timestamps agreed
 * @ecn_ok: ECN agreed (an ECN-setup SYN, RFC 3168 6.1.1)
 * @cookie: built from a SYN cookie, never hashed (on the stack)
 * @retrans: SYN-ACKs resent
 * @sent_ns: when the first SYN-ACK left (RTT sample without timestamps)
 * @bound_dev_if: the listener's bound device
 * @mark: skb mark of the SYN
 * @tos: IP TOS of the listener
 * @timer: SYN-ACK retransmission and expiry
 * @rcu: frees it after a grace period
 *
 * A SYN costs a listener this small structure, not a full socket; the full
 * socket is built when the handshake completes (xtcp_req_complete()).
 * Lookups run under RCU; unlinking takes the listener's accept_lock.
 */
struct xtcp_request {
	struct hlist_node	hnode;
	bool			hashed;
	void			*hbucket;
	struct list_head	qnode;
	refcount_t		refcnt;
	struct sock		*listener;
	possible_net_t		net;
	__be32			laddr;
	__be32			raddr;
	__be16			lport;
	__be16			rport;
	u32			iss;
	u32			irs;
	u32			ts_recent;
	u32			ts_offset;
	u16			peer_mss;
	u16			rcv_wnd;
	u8			snd_wscale;
	bool			wscale_ok;
	bool			sack_ok;
	bool			ts_ok;
	bool			ecn_ok;
	bool			cookie;
	u8			retrans;
	u64			sent_ns;
	int			bound_dev_if;
	u32			mark;
	u8			tos;
	struct hrtimer		timer;
	struct rcu_head		rcu;
};

/* SYN cookies (module/syncookie.c): what the 32 bits and the TSval carry */
#define XTCP_COOKIE_BITS	24
#define XTCP_COOKIE_MASK	((1U << XTCP_COOKIE_BITS) - 1)
#define XTCP_COOKIE_MAX_AGE	2	/* counter ticks (minutes) */
#define XTCP_COOKIE_TS_BITS	6	/* wscale (4 bits, 15 = none), SACK, ECN */
#define XTCP_COOKIE_TS_MASK	((1U << XTCP_COOKIE_TS_BITS) - 1)
#define XTCP_COOKIE_NO_WSCALE	0xf

/* What a TIME_WAIT minisock does with a segment (xtcp_tw_action()). */
enum xtcp_tw_verdict {
	XTCP_TW_DROP,		/* drop silently */
	XTCP_TW_ACK,		/* answer with an ACK */
	XTCP_TW_ACK_RESTART,	/* a retransmitted FIN: ACK, restart 2MSL */
	XTCP_TW_SYN,		/* a new SYN may reuse the 4-tuple */
};

/* What an RST, SYN or ACK does in a synchronized state (RFC 5961). */
enum xtcp_verdict {
	XTCP_ACCEPT,		/* go on processing the segment */
	XTCP_RESET,		/* RST: reset the connection */
	XTCP_CHALLENGE,		/* drop, answer with a challenge ACK */
	XTCP_DROP_ACK,		/* drop, answer with an ACK */
	XTCP_DROP,		/* drop silently */
};

static inline struct xtcp_sock *xtcp_sk(const struct sock *sk)
{
	return (struct xtcp_sock *)sk;
}

/* Synchronized states in which data is sent: cwnd and recovery apply. */
static inline bool xtcp_cwnd_state(const struct sock *sk)
{
	return (1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_FIN_WAIT1 |
				      TCPF_CLOSE_WAIT | TCPF_CLOSING |
				      TCPF_LAST_ACK);
}

/*
 * MIB counters, per namespace and per CPU (so counting costs one
 * this_cpu_inc on the hot path).  Names in /proc/net/xtcp_snmp are Linux's
 * where the meaning is the same (module/proc.c).
 */
enum xtcp_mib_field {
	/* Tcp: */
	XTCP_MIB_ACTIVEOPENS,
	XTCP_MIB_PASSIVEOPENS,
	XTCP_MIB_ATTEMPTFAILS,
	XTCP_MIB_ESTABRESETS,
	XTCP_MIB_CURRESTAB,
	XTCP_MIB_INSEGS,
	XTCP_MIB_OUTSEGS,
	XTCP_MIB_RETRANSSEGS,
	XTCP_MIB_INERRS,
	XTCP_MIB_OUTRSTS,
	XTCP_MIB_INCSUMERRORS,
	XTCP_MIB_TCP_MAX,
	/* TcpExt: */
	XTCP_MIB_TW = XTCP_MIB_TCP_MAX,
	XTCP_MIB_TWREUSED,
	XTCP_MIB_TWOVERFLOW,
	XTCP_MIB_TWRSTIGNORED,
	XTCP_MIB_CHALLENGEACK,
	XTCP_MIB_OFOQUEUE,
	XTCP_MIB_OFODROP,
	XTCP_MIB_ABORTONCLOSE,
	XTCP_MIB_ABORTONDATA,
	XTCP_MIB_ABORTONLINGER,
	XTCP_MIB_ABORTONTIMEOUT,
	XTCP_MIB_SEQDROPS,
	XTCP_MIB_ACKDROPS,
	XTCP_MIB_KEEPALIVES,
	XTCP_MIB_ACKSKIPPEDSEQ,
	XTCP_MIB_ACKSKIPPEDCHALLENGE,
	XTCP_MIB_ACKSKIPPEDTIMEWAIT,
	XTCP_MIB_LISTENOVERFLOWS,
	XTCP_MIB_LISTENDROPS,
	XTCP_MIB_DELAYEDACKS,
	XTCP_MIB_RENORECOVERY,
	XTCP_MIB_SACKRECOVERY,
	XTCP_MIB_FASTRETRANS,
	XTCP_MIB_SLOWSTARTRETRANS,
	XTCP_MIB_TIMEOUTS,
	XTCP_MIB_DSACKRECV,
	XTCP_MIB_DSACKOLDSENT,
	XTCP_MIB_DSACKOFOSENT,
	XTCP_MIB_SACKBLOCKSRECV,
	XTCP_MIB_PAWSESTAB,
	XTCP_MIB_FULLUNDO,
	XTCP_MIB_LOSSUNDO,
	XTCP_MIB_REORDER,
	XTCP_MIB_LOSTRETRANSMIT,
	XTCP_MIB_LISTENSYNS,
	XTCP_MIB_REQQFULLDROP,
	XTCP_MIB_REQQFULLDOCOOKIES,
	XTCP_MIB_SYNCOOKIESSENT,
	XTCP_MIB_SYNCOOKIESRECV,
	XTCP_MIB_SYNCOOKIESFAILED,
	XTCP_MIB_REQEXPIRED,
	XTCP_MIB_EMBRYONICRSTS,
	XTCP_MIB_ECNNEGOTIATED,
	XTCP_MIB_ECNREFUSED,
	XTCP_MIB_ECNFALLBACK,
	XTCP_MIB_ECNCERECV,
	XTCP_MIB_ECNREDUCTIONS,
	XTCP_MIB_OOBSENT,
	XTCP_MIB_OOBRECV,
	XTCP_MIB_OUTOFWINDOWICMPS,
	XTCP_MIB_LOCKDROPPEDICMPS,
	XTCP_MIB_MTUPFAIL,
	XTCP_MIB_MTUPSUCCESS,
	XTCP_MIB_MAX
};

struct xtcp_mib {
	unsigned long	mibs[XTCP_MIB_MAX];
};

/* Per network namespace state. */
struct xtcp_net {
	int			msl;		/* seconds */
	int			fin_timeout;	/* seconds */
	int			invalid_ratelimit; /* ms */
	int			keepalive_time;	/* seconds */
	int			keepalive_intvl; /* seconds */
	int			keepalive_probes;
	int			syn_retries;
	int			synack_retries;
	int			retries2;
	int			sack;
	int			dsack;
	int			timestamps;
	int			somaxconn;
	int			max_syn_backlog;
	int			syncookies;
	int			ecn;		/* 0 off, 1 ask and accept, 2 accept */
	int			ecn_fallback;
	int			mtu_probing;	/* 0 off, 1 on black hole, 2 on */
	int			base_mss;
	int			mtu_probe_floor;
	int			probe_interval;	/* seconds */
	int			probe_threshold; /* bytes */
	const struct xtcp_cong_ops *cong;	/* default algorithm */
	struct xtcp_mib __percpu *mib;
	struct ctl_table_header	*sysctl_hdr;
};

extern unsigned int xtcp_net_id;

static inline struct xtcp_net *xtcp_pernet(const struct net *net)
{
	return net_generic(net, xtcp_net_id);
}

#define XTCP_ADD_STATS(net, field, n) \
	this_cpu_add(xtcp_pernet(net)->mib->mibs[field], n)
#define XTCP_INC_STATS(net, field) XTCP_ADD_STATS(net, field, 1)
#define XTCP_DEC_STATS(net, field) XTCP_ADD_STATS(net, field, -1)

extern struct proto xtcp_prot;
extern const struct proto_ops xtcp_ops;
extern const struct net_proto_family xtcp_family_ops;
extern struct workqueue_struct *xtcp_wq;
extern bool xtcp_trace_states;

/* parse.c: pure header and option logic */
int xtcp_parse_options(const u8 *opt, unsigned int len, struct xtcp_opts *o);
unsigned int xtcp_build_options(u8 *p, const struct xtcp_out_opts *o);
bool xtcp_paws_reject(u32 tsval, u32 ts_recent, u32 ts_age);
bool xtcp_seq_acceptable(u32 seq, u32 len, u32 rcv_nxt, u32 rcv_wnd);
enum xtcp_verdict xtcp_rst_action(u32 seq, u32 rcv_nxt, u32 rcv_wnd);
enum xtcp_verdict xtcp_ack_action(u32 ack, u32 snd_una, u32 snd_max,
				  u32 max_wnd);
enum xtcp_tw_verdict xtcp_tw_action(u8 flags, u32 seq, u32 end_seq,
				    u32 rcv_nxt);
u32 xtcp_isn(__be32 saddr, __be32 daddr, __be16 sport, __be16 dport, u64 ns);
void xtcp_isn_init(void);

/* state.c */
int xtcp_next_state(int state, enum xtcp_event ev);
const char *xtcp_state_name(int state);
bool xtcp_transition(struct sock *sk, enum xtcp_event ev);
void xtcp_set_state(struct sock *sk, int state);

/* hash.c */
int xtcp_hash_init(void);
void xtcp_hash_exit(void);
int xtcp_ehash_insert(struct sock *sk);
void xtcp_unhash(struct sock *sk);
int xtcp_lhash_insert(struct sock *sk);
bool xtcp_dev_match(const struct net *net, int bound, int dif, int sdif);
struct sock *xtcp_lookup_established(const struct net *net, __be32 saddr,
				     __be16 sport, __be32 daddr, __be16 dport,
				     int dif, int sdif);
struct sock *xtcp_lookup_listener(const struct net *net, __be32 saddr,
				  __be16 sport, __be32 daddr, __be16 dport,
				  int dif, int sdif);
int xtcp_port_reserve(struct sock *sk, __be32 addr, __be16 port);
void xtcp_port_release(struct sock *sk);
struct xtcp_port *xtcp_port_get(struct xtcp_port *p);
void xtcp_port_put(struct xtcp_port *p);
void xtcp_port_put_sync(struct xtcp_port *p);
/**
 * struct xtcp_walk - a walk over every socket of a namespace
 * @fn: called for each socket, with this struct
 * @seq: for /proc walkers
 * @n: a counter for the walker
 */
struct xtcp_walk {
	void		(*fn)(struct sock *sk, struct xtcp_walk *w);
	struct seq_file	*seq;
	int		n;
};

void xtcp_walk_socks(const struct net *net, struct xtcp_walk *w);
void xtcp_tw_hash_insert(struct xtcp_tw *tw);
void xtcp_tw_unhash(struct xtcp_tw *tw);
struct xtcp_tw *xtcp_lookup_tw(const struct net *net, __be32 saddr,
			       __be16 sport, __be32 daddr, __be16 dport,
			       int dif, int sdif);
bool xtcp_tw_exists(const struct net *net, __be32 laddr, __be16 lport,
		    __be32 raddr, __be16 rport);
void xtcp_walk_tw(const struct net *net,
		  void (*fn)(struct xtcp_tw *tw, struct xtcp_walk *w),
		  struct xtcp_walk *w);
struct xtcp_tw *xtcp_tw_next(const struct net *net, unsigned int *pos);
int xtcp_req_hash_insert(struct xtcp_request *req);
void xtcp_req_unhash(struct xtcp_request *req);
struct xtcp_request *xtcp_lookup_req(const struct net *net, __be32 saddr,
				     __be16 sport, __be32 daddr, __be16 dport,
				     int dif, int sdif);
void xtcp_walk_reqs(const struct net *net,
		    void (*fn)(struct xtcp_request *req, struct xtcp_walk *w),
		    struct xtcp_walk *w);

/* ecn.c: pure ECN logic (RFC 3168) */
u8 xtcp_ecn_syn_flags(int sysctl_ecn);
bool xtcp_ecn_syn_acceptable(int sysctl_ecn, u8 flags, u8 dsfield);
bool xtcp_ecn_synack_ok(u8 flags);
u8 xtcp_ecn_rcv(u8 ecn_flags, u8 flags, u8 dsfield);
u8 xtcp_ecn_xmit(u8 *ecn_flags, u8 flags, bool new_data, bool *ect);

/* urg.c: urgent data (RFC 6093) */
bool xtcp_urg_ptr(u32 seq, u32 snd_up, u32 snd_nxt, u16 *ptr);
u32 xtcp_urg_seq(u32 seq, u16 ptr);
bool xtcp_urg_is_new(u32 urg, u32 copied_seq, u32 rcv_nxt, u16 urg_data,
		     u32 urg_seq);
void xtcp_urg_mark(struct sock *sk);
void xtcp_urg_rcv(struct sock *sk, const struct sk_buff *skb);
int xtcp_urg_recvmsg(struct sock *sk, struct msghdr *msg, int len, int flags);

/* timewait.c */
void xtcp_time_wait(struct sock *sk);
struct sock *xtcp_tw_rcv(struct xtcp_tw *tw, struct sk_buff *skb);
void xtcp_tw_put(struct xtcp_tw *tw);
void xtcp_tw_purge(struct net *net);

/* cong.c */
extern const struct xtcp_cong_ops xtcp_newreno;
extern const struct xtcp_cong_ops xtcp_cubic;
void xtcp_cc_init(struct xtcp_cc *cc);
u32 xtcp_slow_start(struct xtcp_cc *cc, u32 acked);
u32 xtcp_cbrt(u64 x);
u32 xtcp_cubic_target(u32 origin, u32 k_ms, u32 t_ms);
const struct xtcp_cong_ops *xtcp_cong_find(const char *name);
void xtcp_cong_available(char *buf, size_t len);

/* recovery.c */
u32 xtcp_pipe(const struct xtcp_sock *xs);
u32 xtcp_cwnd_quota(const struct xtcp_sock *xs);
void xtcp_untag(struct xtcp_scoreboard *sb, struct sk_buff *skb);
int xtcp_trim_head(struct sock *sk, struct xtcp_scoreboard *sb,
		   struct sk_buff *skb, u32 ack);
u32 xtcp_sacktag(struct sock *sk, struct sk_buff_head *q, u32 ack,
		 u32 snd_una, u32 snd_max, const struct xtcp_sack_block *blk,
		 int n, struct xtcp_scoreboard *sb, bool *dsack);
u32 xtcp_mark_lost(struct sk_buff_head *q, u32 snd_max,
		   struct xtcp_scoreboard *sb, u32 thresh);
u32 xtcp_dupthresh(const struct xtcp_sock *xs);
u32 xtcp_rack_mark_lost(struct sk_buff_head *q, struct sk_buff *end,
			struct xtcp_scoreboard *sb, u64 reo_wnd_ns, u32 *resent);
u64 xtcp_rack_reo_wnd_ns(u32 srtt_us, u32 steps);
void xtcp_rack_dsack(struct xtcp_scoreboard *sb, u32 snd_una, u32 snd_max,
		     bool dsack);
void xtcp_rack_recovered(struct xtcp_scoreboard *sb);
bool xtcp_note_reordering(struct xtcp_scoreboard *sb, const struct sk_buff *skb);
void xtcp_enter_loss(struct sock *sk);
void xtcp_mtu_retransmit(struct sock *sk);
void xtcp_cc_ack(struct sock *sk, const struct xtcp_ack_sample *s);
bool xtcp_xmit_lost(struct sock *sk, u32 *quota);

/* output.c */
struct sk_buff *xtcp_alloc_tx_skb(struct sock *sk, gfp_t gfp);
int xtcp_split(struct sock *sk, struct sk_buff_head *q, struct sk_buff *skb,
	       u32 len);
void __xtcp_push(struct sock *sk, bool force);
u32 xtcp_ts_now(const struct xtcp_sock *xs);
void xtcp_queue_tail(struct sock *sk, struct sk_buff *skb);
int xtcp_queue_ctl(struct sock *sk, u8 flags, gfp_t gfp);
void xtcp_push(struct sock *sk);
int xtcp_transmit_skb(struct sock *sk, struct sk_buff *skb);
int xtcp_retransmit_skb(struct sock *sk, struct sk_buff *skb);
void xtcp_send_ack(struct sock *sk);
void xtcp_send_probe(struct sock *sk);
void xtcp_send_active_reset(struct sock *sk, gfp_t gfp);
void xtcp_send_reset_reply(struct net *net, struct sk_buff *skb);
void xtcp_send_tw_ack(struct xtcp_tw *tw);
bool xtcp_oow_rate_limited(struct net *net, const struct sk_buff *skb,
			   unsigned long *last, int field);
u32 xtcp_select_window(struct sock *sk);
void xtcp_free_tx_skb(struct sock *sk, struct sk_buff *skb);
void xtcp_init_mss(struct sock *sk, u16 peer_mss);
void xtcp_init_options(struct sock *sk, const struct sock *parent);
u32 xtcp_rcv_space(const struct sock *sk);

/* info.c */
struct tcp_info;
void xtcp_get_info(struct sock *sk, struct xtcp_info *info);
void xtcp_get_tcp_info(struct sock *sk, struct tcp_info *ti);

/* input.c */
int xtcp_rcv(struct sock *sk, struct sk_buff *skb);
int xtcp_backlog_rcv(struct sock *sk, struct sk_buff *skb);
void xtcp_fill_cb(struct sk_buff *skb, const struct tcphdr *th);
void xtcp_rcv_syn_options(struct sock *sk, const struct sk_buff *skb,
			  const struct xtcp_opts *o);
void xtcp_init_rcv(struct sock *sk, u32 irs, u32 wnd, u16 peer_mss);

/* timer.c */
void xtcp_init_timers(struct sock *sk);
void xtcp_rearm_rtx(struct sock *sk);
void xtcp_stop_rtx(struct sock *sk);
void xtcp_stop_dack(struct sock *sk);
void xtcp_delay_ack(struct sock *sk);
void xtcp_start_fin_wait2(struct sock *sk);
void xtcp_keepalive(struct sock *sk, int on);
void xtcp_reset_keepalive(struct sock *sk);
void xtcp_stop_timers(struct sock *sk);
void xtcp_release_cb(struct sock *sk);
void xtcp_retransmit_timer(struct sock *sk);
void xtcp_rtt_init(struct xtcp_rtt *r);
void xtcp_rtt_sample(struct xtcp_rtt *r, u32 rtt_us);
u32 xtcp_rto_backoff(u32 rto_us);

/* socket.c */
void xtcp_done(struct sock *sk);
void xtcp_init_sock_common(struct sock *sk);

/* listen.c */
int xtcp_listen_start(struct sock *sk, int backlog);
void xtcp_listen_stop(struct sock *sk);
struct sock *xtcp_listen_rcv(struct sock *sk, struct sk_buff *skb);
u32 xtcp_listen_backlog(int backlog, u32 somaxconn);
u32 xtcp_synq_limit(u32 backlog, u32 max_syn_backlog);
bool xtcp_acceptq_full(u32 qlen, u32 backlog);
struct sock *xtcp_child_create(struct sock *l,
			       const struct xtcp_request *req,
			       const struct sk_buff *skb,
			       const struct xtcp_opts *o);
int xtcp_child_enqueue(struct sock *l, struct sock *child,
		       struct xtcp_request *req);

/* request.c */
int xtcp_req_init(void);
void xtcp_req_exit(void);
void xtcp_req_put(struct xtcp_request *req);
void xtcp_req_set_tuple(struct xtcp_request *req, struct sock *l,
			const struct sk_buff *skb);
int xtcp_req_rcv_syn(struct sock *l, struct sk_buff *skb,
		     const struct xtcp_opts *o);
struct sock *xtcp_req_rcv(struct xtcp_request *req, struct sk_buff *skb);
struct sock *xtcp_listen_ack(struct sock *l, struct sk_buff *skb,
			     const struct xtcp_opts *o);
void xtcp_req_purge(struct sock *l);
void xtcp_req_drop(struct xtcp_request *req);
void xtcp_send_synack(const struct xtcp_request *req);
void xtcp_send_req_ack(const struct xtcp_request *req);
u32 xtcp_passive_ts_offset(__be32 laddr, __be32 raddr, __be16 lport,
			   __be16 rport);

/* syncookie.c */
void xtcp_cookie_init(void);
u32 xtcp_cookie_make(const siphash_key_t *key, __be32 saddr, __be32 daddr,
		     __be16 sport, __be16 dport, u32 sseq, u32 count,
		     u32 data);
int xtcp_cookie_check(const siphash_key_t *key, __be32 saddr, __be32 daddr,
		      __be16 sport, __be16 dport, u32 sseq, u32 cookie,
		      u32 count);
u32 xtcp_cookie_mss_index(u16 mss);
u16 xtcp_cookie_mss(u32 index);
u32 xtcp_cookie_ts(u32 now, int wscale, bool sack, bool ecn);
bool xtcp_cookie_ts_decode(u32 tsecr, int *wscale, bool *sack, bool *ecn);
u32 xtcp_cookie_time(void);
u32 xtcp_syncookie_seq(struct xtcp_request *req);
bool xtcp_syncookie_check(struct sock *l, const struct sk_buff *skb,
			  const struct xtcp_opts *o, struct xtcp_request *req);
void xtcp_child_unlink(struct sock *child);
struct sock *xtcp_accept_dequeue(struct sock *sk, int flags, int *err);
__poll_t xtcp_listen_poll(struct sock *sk);

/* netfilter.c */
int xtcp_nf_register(struct net *net);
void xtcp_nf_unregister(struct net *net);

/* sysctl.c */
int xtcp_sysctl_init(struct net *net);
void xtcp_sysctl_exit(struct net *net);

/* proc.c */
int xtcp_proc_init(struct net *net);
void xtcp_proc_exit(struct net *net);

#endif /* _XTCP_H */
