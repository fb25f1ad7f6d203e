/* SPDX-License-Identifier: GPL-2.0 */
/*
 * XTCP's tracepoints, system "xtcp": /sys/kernel/tracing/events/xtcp/.
 * Each event carries the 4-tuple as Linux's tcp events do (saddr, daddr,
 * sport, dport; the local side first), so trace-cmd, perf and bpftrace
 * scripts written for those read these.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM xtcp

#if !defined(_XTCP_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _XTCP_TRACE_H

#include <linux/tracepoint.h>
#include <linux/xtcp.h>

/* The state numbers are an enum: tell userspace parsers their values. */
TRACE_DEFINE_ENUM(XTCP_ESTABLISHED);
TRACE_DEFINE_ENUM(XTCP_SYN_SENT);
TRACE_DEFINE_ENUM(XTCP_SYN_RECV);
TRACE_DEFINE_ENUM(XTCP_FIN_WAIT1);
TRACE_DEFINE_ENUM(XTCP_FIN_WAIT2);
TRACE_DEFINE_ENUM(XTCP_TIME_WAIT);
TRACE_DEFINE_ENUM(XTCP_CLOSE);
TRACE_DEFINE_ENUM(XTCP_CLOSE_WAIT);
TRACE_DEFINE_ENUM(XTCP_LAST_ACK);
TRACE_DEFINE_ENUM(XTCP_LISTEN);
TRACE_DEFINE_ENUM(XTCP_CLOSING);

#define xtcp_trace_state_name(s)				\
	__print_symbolic(s,					\
			 { 0, "NONE" },				\
			 { XTCP_ESTABLISHED, "ESTABLISHED" },	\
			 { XTCP_SYN_SENT, "SYN_SENT" },		\
			 { XTCP_SYN_RECV, "SYN_RECV" },		\
			 { XTCP_FIN_WAIT1, "FIN_WAIT1" },	\
			 { XTCP_FIN_WAIT2, "FIN_WAIT2" },	\
			 { XTCP_TIME_WAIT, "TIME_WAIT" },	\
			 { XTCP_CLOSE, "CLOSE" },		\
			 { XTCP_CLOSE_WAIT, "CLOSE_WAIT" },	\
			 { XTCP_LAST_ACK, "LAST_ACK" },		\
			 { XTCP_LISTEN, "LISTEN" },		\
			 { XTCP_CLOSING, "CLOSING" })

#ifndef _XTCP_TRACE_HELPERS
#define _XTCP_TRACE_HELPERS
/* A socket's 4-tuple into an event's fields, the local side first. */
static inline void xtcp_trace_sk_tuple(const struct sock *sk, u8 *saddr,
				       u8 *daddr, u16 *sport, u16 *dport)
{
	memcpy(saddr, &sk->sk_rcv_saddr, 4);
	memcpy(daddr, &sk->sk_daddr, 4);
	*sport = sk->sk_num;
	*dport = ntohs(sk->sk_dport);
}
#endif

#define XTCP_TRACE_TUPLE_FMT	"saddr=%pI4 sport=%u daddr=%pI4 dport=%u"

/* Why a retransmission happened (xtcp_retransmit's kind). */
#define XTCP_RTX_SYN		0	/* SYN or SYN-ACK */
#define XTCP_RTX_RTO		1	/* retransmission timeout */
#define XTCP_RTX_FAST		2	/* fast retransmit or recovery */
#define XTCP_RTX_OTHER		3	/* anything else */

/* Why a listener dropped a SYN (xtcp_syn_drop's reason). */
#define XTCP_SYNDROP_SYNQ_FULL		0
#define XTCP_SYNDROP_ACCEPTQ_FULL	1
#define XTCP_SYNDROP_NOMEM		2

/* Why a TIME_WAIT minisock ended (xtcp_tw_exit's reason). */
#define XTCP_TWEXIT_EXPIRED	0	/* 2MSL passed */
#define XTCP_TWEXIT_REUSED	1	/* a new SYN took the 4-tuple */
#define XTCP_TWEXIT_FLUSHED	2	/* namespace or module going away */

/* What happened (xtcp_ecn's event). */
#define XTCP_ECNEV_NEGOTIATED	0	/* the handshake agreed on ECN */
#define XTCP_ECNEV_REFUSED	1	/* we asked, the SYN-ACK said no */
#define XTCP_ECNEV_FALLBACK	2	/* SYN resent without ECN, or mangled */
#define XTCP_ECNEV_CE		3	/* a CE mark: the echo (ECE) starts */
#define XTCP_ECNEV_CWR_RECV	4	/* the peer's CWR: the echo ends */
#define XTCP_ECNEV_REDUCE	5	/* an ECE: cwnd reduced, CWR to send */

/* What happened (xtcp_urg's event). */
#define XTCP_URGEV_SEND		0	/* send(MSG_OOB) marked a byte urgent */
#define XTCP_URGEV_POINTER	1	/* the peer named a new urgent byte */
#define XTCP_URGEV_BYTE		2	/* that byte arrived */

/**
 * xtcp_state_change - a full socket changed state
 *
 * Fires once per transition, from xtcp_set_state().  Request socks (the
 * listen path's SYN-RECEIVED) and TIME_WAIT minisocks have their own events.
 */
TRACE_EVENT(xtcp_state_change,
	TP_PROTO(const struct sock *sk, int oldstate, int newstate),
	TP_ARGS(sk, oldstate, newstate),
	TP_STRUCT__entry(
		__field(const void *, skaddr)
		__array(__u8, saddr, 4)
		__array(__u8, daddr, 4)
		__field(__u16, sport)
		__field(__u16, dport)
		__field(int, oldstate)
		__field(int, newstate)
	),
	TP_fast_assign(
		__entry->skaddr = sk;
		xtcp_trace_sk_tuple(sk, __entry->saddr, __entry->daddr,
				    &__entry->sport, &__entry->dport);
		__entry->oldstate = oldstate;
		__entry->newstate = newstate;
	),
	TP_printk(XTCP_TRACE_TUPLE_FMT " oldstate=%s newstate=%s",
		  __entry->saddr, __entry->sport, __entry->daddr,
		  __entry->dport,
		  xtcp_trace_state_name(__entry->oldstate),
		  xtcp_trace_state_name(__entry->newstate))
);

/**
 * xtcp_retransmit - a segment of the write queue is sent again
 *
 * @kind says why: the connection's recovery state at the time (loss after a
 * timeout, fast recovery), or a SYN.
 */
TRACE_EVENT(xtcp_retransmit,
	TP_PROTO(const struct sock *sk, u32 seq, u32 len, int kind,
		 u32 retries),
	TP_ARGS(sk, seq, len, kind, retries),
	TP_STRUCT__entry(
		__field(const void *, skaddr)
		__array(__u8, saddr, 4)
		__array(__u8, daddr, 4)
		__field(__u16, sport)
		__field(__u16, dport)
		__field(int, state)
		__field(__u32, seq)
		__field(__u32, len)
		__field(int, kind)
		__field(__u32, retries)
	),
	TP_fast_assign(
		__entry->skaddr = sk;
		xtcp_trace_sk_tuple(sk, __entry->saddr, __entry->daddr,
				    &__entry->sport, &__entry->dport);
		__entry->state = sk->sk_state;
		__entry->seq = seq;
		__entry->len = len;
		__entry->kind = kind;
		__entry->retries = retries;
	),
	TP_printk(XTCP_TRACE_TUPLE_FMT " state=%s seq=%u len=%u kind=%s retries=%u",
		  __entry->saddr, __entry->sport, __entry->daddr,
		  __entry->dport,
		  xtcp_trace_state_name(__entry->state), __entry->seq,
		  __entry->len,
		  __print_symbolic(__entry->kind,
				   { XTCP_RTX_SYN, "syn" },
				   { XTCP_RTX_RTO, "rto" },
				   { XTCP_RTX_FAST, "fast" },
				   { XTCP_RTX_OTHER, "other" }),
		  __entry->retries)
);

/**
 * xtcp_send_reset - a RST leaves
 *
 * @sk is the socket that sends it, or NULL for a reply to a segment no
 * socket took (then state is 0, printed NONE).
 */
TRACE_EVENT(xtcp_send_reset,
	TP_PROTO(const struct sock *sk, __be32 laddr, u16 lport, __be32 raddr,
		 u16 rport, u32 seq, u32 ack),
	TP_ARGS(sk, laddr, lport, raddr, rport, seq, ack),
	TP_STRUCT__entry(
		__field(const void *, skaddr)
		__array(__u8, saddr, 4)
		__array(__u8, daddr, 4)
		__field(__u16, sport)
		__field(__u16, dport)
		__field(int, state)
		__field(__u32, seq)
		__field(__u32, ack)
	),
	TP_fast_assign(
		__entry->skaddr = sk;
		memcpy(__entry->saddr, &laddr, 4);
		memcpy(__entry->daddr, &raddr, 4);
		__entry->sport = lport;
		__entry->dport = rport;
		__entry->state = sk ? sk->sk_state : 0;
		__entry->seq = seq;
		__entry->ack = ack;
	),
	TP_printk(XTCP_TRACE_TUPLE_FMT " state=%s seq=%u ack=%u",
		  __entry->saddr, __entry->sport, __entry->daddr,
		  __entry->dport,
		  xtcp_trace_state_name(__entry->state), __entry->seq,
		  __entry->ack)
);

/**
 * xtcp_receive_reset - an acceptable RST ends a connection
 */
TRACE_EVENT(xtcp_receive_reset,
	TP_PROTO(const struct sock *sk),
	TP_ARGS(sk),
	TP_STRUCT__entry(
		__field(const void *, skaddr)
		__array(__u8, saddr, 4)
		__array(__u8, daddr, 4)
		__field(__u16, sport)
		__field(__u16, dport)
		__field(int, state)
	),
	TP_fast_assign(
		__entry->skaddr = sk;
		xtcp_trace_sk_tuple(sk, __entry->saddr, __entry->daddr,
				    &__entry->sport, &__entry->dport);
		__entry->state = sk->sk_state;
	),
	TP_printk(XTCP_TRACE_TUPLE_FMT " state=%s", __entry->saddr,
		  __entry->sport, __entry->daddr, __entry->dport,
		  xtcp_trace_state_name(__entry->state))
);

/**
 * xtcp_syn_drop - a listener drops a SYN (or the final ACK of a handshake)
 */
TRACE_EVENT(xtcp_syn_drop,
	TP_PROTO(const struct sock *listener, __be32 laddr, u16 lport,
		 __be32 raddr, u16 rport, int reason),
	TP_ARGS(listener, laddr, lport, raddr, rport, reason),
	TP_STRUCT__entry(
		__field(const void *, skaddr)
		__array(__u8, saddr, 4)
		__array(__u8, daddr, 4)
		__field(__u16, sport)
		__field(__u16, dport)
		__field(int, reason)
	),
	TP_fast_assign(
		__entry->skaddr = listener;
		memcpy(__entry->saddr, &laddr, 4);
		memcpy(__entry->daddr, &raddr, 4);
		__entry->sport = lport;
		__entry->dport = rport;
		__entry->reason = reason;
	),
	TP_printk(XTCP_TRACE_TUPLE_FMT " reason=%s", __entry->saddr,
		  __entry->sport, __entry->daddr, __entry->dport,
		  __print_symbolic(__entry->reason,
				   { XTCP_SYNDROP_SYNQ_FULL, "synq_full" },
				   { XTCP_SYNDROP_ACCEPTQ_FULL, "acceptq_full" },
				   { XTCP_SYNDROP_NOMEM, "nomem" }))
);

/**
 * xtcp_cookie_sent - a SYN-ACK carrying a SYN cookie leaves
 */
TRACE_EVENT(xtcp_cookie_sent,
	TP_PROTO(const struct sock *listener, __be32 laddr, u16 lport,
		 __be32 raddr, u16 rport, u16 mss),
	TP_ARGS(listener, laddr, lport, raddr, rport, mss),
	TP_STRUCT__entry(
		__field(const void *, skaddr)
		__array(__u8, saddr, 4)
		__array(__u8, daddr, 4)
		__field(__u16, sport)
		__field(__u16, dport)
		__field(__u16, mss)
	),
	TP_fast_assign(
		__entry->skaddr = listener;
		memcpy(__entry->saddr, &laddr, 4);
		memcpy(__entry->daddr, &raddr, 4);
		__entry->sport = lport;
		__entry->dport = rport;
		__entry->mss = mss;
	),
	TP_printk(XTCP_TRACE_TUPLE_FMT " mss=%u", __entry->saddr,
		  __entry->sport, __entry->daddr, __entry->dport,
		  __entry->mss)
);

/**
 * xtcp_tw_enter - a connection becomes a TIME_WAIT minisock
 */
TRACE_EVENT(xtcp_tw_enter,
	TP_PROTO(const void *tw, __be32 laddr, u16 lport, __be32 raddr,
		 u16 rport, u32 timeout_ms),
	TP_ARGS(tw, laddr, lport, raddr, rport, timeout_ms),
	TP_STRUCT__entry(
		__field(const void *, twaddr)
		__array(__u8, saddr, 4)
		__array(__u8, daddr, 4)
		__field(__u16, sport)
		__field(__u16, dport)
		__field(__u32, timeout_ms)
	),
	TP_fast_assign(
		__entry->twaddr = tw;
		memcpy(__entry->saddr, &laddr, 4);
		memcpy(__entry->daddr, &raddr, 4);
		__entry->sport = lport;
		__entry->dport = rport;
		__entry->timeout_ms = timeout_ms;
	),
	TP_printk(XTCP_TRACE_TUPLE_FMT " timeout_ms=%u", __entry->saddr,
		  __entry->sport, __entry->daddr, __entry->dport,
		  __entry->timeout_ms)
);

/**
 * xtcp_tw_exit - a TIME_WAIT minisock ends
 */
TRACE_EVENT(xtcp_tw_exit,
	TP_PROTO(const void *tw, __be32 laddr, u16 lport, __be32 raddr,
		 u16 rport, int reason),
	TP_ARGS(tw, laddr, lport, raddr, rport, reason),
	TP_STRUCT__entry(
		__field(const void *, twaddr)
		__array(__u8, saddr, 4)
		__array(__u8, daddr, 4)
		__field(__u16, sport)
		__field(__u16, dport)
		__field(int, reason)
	),
	TP_fast_assign(
		__entry->twaddr = tw;
		memcpy(__entry->saddr, &laddr, 4);
		memcpy(__entry->daddr, &raddr, 4);
		__entry->sport = lport;
		__entry->dport = rport;
		__entry->reason = reason;
	),
	TP_printk(XTCP_TRACE_TUPLE_FMT " reason=%s", __entry->saddr,
		  __entry->sport, __entry->daddr, __entry->dport,
		  __print_symbolic(__entry->reason,
				   { XTCP_TWEXIT_EXPIRED, "expired" },
				   { XTCP_TWEXIT_REUSED, "reused" },
				   { XTCP_TWEXIT_FLUSHED, "flushed" }))
);

/**
 * xtcp_ecn - an ECN event of a connection (RFC 3168)
 *
 * cwnd is the congestion window after the event, in segments.
 */
TRACE_EVENT(xtcp_ecn,
	TP_PROTO(const struct sock *sk, int event, u32 cwnd),
	TP_ARGS(sk, event, cwnd),
	TP_STRUCT__entry(
		__field(const void *, skaddr)
		__array(__u8, saddr, 4)
		__array(__u8, daddr, 4)
		__field(__u16, sport)
		__field(__u16, dport)
		__field(int, event)
		__field(__u32, cwnd)
	),
	TP_fast_assign(
		__entry->skaddr = sk;
		xtcp_trace_sk_tuple(sk, __entry->saddr, __entry->daddr,
				    &__entry->sport, &__entry->dport);
		__entry->event = event;
		__entry->cwnd = cwnd;
	),
	TP_printk(XTCP_TRACE_TUPLE_FMT " event=%s cwnd=%u", __entry->saddr,
		  __entry->sport, __entry->daddr, __entry->dport,
		  __print_symbolic(__entry->event,
				   { XTCP_ECNEV_NEGOTIATED, "negotiated" },
				   { XTCP_ECNEV_REFUSED, "refused" },
				   { XTCP_ECNEV_FALLBACK, "fallback" },
				   { XTCP_ECNEV_CE, "ce" },
				   { XTCP_ECNEV_CWR_RECV, "cwr_recv" },
				   { XTCP_ECNEV_REDUCE, "reduce" }),
		  __entry->cwnd)
);

/**
 * xtcp_urg - urgent data (RFC 6093)
 *
 * seq is the sequence number of the urgent byte.
 */
TRACE_EVENT(xtcp_urg,
	TP_PROTO(const struct sock *sk, int event, u32 seq),
	TP_ARGS(sk, event, seq),
	TP_STRUCT__entry(
		__field(const void *, skaddr)
		__array(__u8, saddr, 4)
		__array(__u8, daddr, 4)
		__field(__u16, sport)
		__field(__u16, dport)
		__field(int, event)
		__field(__u32, seq)
	),
	TP_fast_assign(
		__entry->skaddr = sk;
		xtcp_trace_sk_tuple(sk, __entry->saddr, __entry->daddr,
				    &__entry->sport, &__entry->dport);
		__entry->event = event;
		__entry->seq = seq;
	),
	TP_printk(XTCP_TRACE_TUPLE_FMT " event=%s seq=%u", __entry->saddr,
		  __entry->sport, __entry->daddr, __entry->dport,
		  __print_symbolic(__entry->event,
				   { XTCP_URGEV_SEND, "send" },
				   { XTCP_URGEV_POINTER, "pointer" },
				   { XTCP_URGEV_BYTE, "byte" }),
		  __entry->seq)
);

#endif /* _XTCP_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
