/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * XTCP: a TCP implementation in its own socket family.
 *
 * This header is self-contained: userspace compiles against it with
 * "-I uapi" and "#include <linux/xtcp.h>".
 */
#ifndef _UAPI_LINUX_XTCP_H
#define _UAPI_LINUX_XTCP_H

#include <linux/types.h>

/*
 * AF_XTCP reuses the number of AF_ASH, a family that no Linux kernel has
 * ever implemented.  sock_register() rejects numbers >= AF_MAX, so a free
 * number below it is the only choice; the module refuses to load (with a
 * message naming the owner) if another family already holds it.
 */
#define AF_XTCP		18
#define PF_XTCP		AF_XTCP

/*
 * Socket option level for XTCP's own options.  Standard TCP options are
 * also accepted at level IPPROTO_TCP (SOL_TCP), so unmodified programs
 * keep working.
 */
#define SOL_XTCP	0x5854

/* Connection states: the same numbers as Linux TCP (and /proc/net/tcp). */
enum {
	XTCP_ESTABLISHED = 1,
	XTCP_SYN_SENT,
	XTCP_SYN_RECV,
	XTCP_FIN_WAIT1,
	XTCP_FIN_WAIT2,
	XTCP_TIME_WAIT,
	XTCP_CLOSE,
	XTCP_CLOSE_WAIT,
	XTCP_LAST_ACK,
	XTCP_LISTEN,
	XTCP_CLOSING,
	XTCP_MAX_STATES
};

/* Socket options at level SOL_XTCP (or IPPROTO_TCP where Linux has one). */
#define XTCP_NODELAY		1	/* same number as TCP_NODELAY */
#define XTCP_MAXSEG		2	/* same number as TCP_MAXSEG */
#define XTCP_CORK		3	/* same number as TCP_CORK */
#define XTCP_KEEPIDLE		4	/* same number as TCP_KEEPIDLE */
#define XTCP_KEEPINTVL		5	/* same number as TCP_KEEPINTVL */
#define XTCP_KEEPCNT		6	/* same number as TCP_KEEPCNT */
#define XTCP_CONGESTION		13	/* same number as TCP_CONGESTION: a name */
#define XTCP_USER_TIMEOUT	18	/* same number as TCP_USER_TIMEOUT */
/*
 * SO_REUSEPORT, at level SOL_XTCP: Linux 6.1 refuses SO_REUSEPORT itself
 * (EOPNOTSUPP) for families other than AF_INET and AF_INET6.  Set it before
 * bind(); getsockopt(SOL_SOCKET, SO_REUSEPORT) reports it too.
 */
#define XTCP_REUSEPORT		100
/*
 * XTCP_INFO, at level SOL_XTCP: a struct xtcp_info of the socket.  At level
 * IPPROTO_TCP the same number, TCP_INFO, answers with Linux's struct
 * tcp_info filled from the same state, for programs written for Linux TCP.
 */
#define XTCP_INFO		11	/* same number as TCP_INFO */

/* xtcp_info.xtcpi_options */
#define XTCPI_OPT_TIMESTAMPS	0x01	/* RFC 7323 timestamps in use */
#define XTCPI_OPT_SACK		0x02	/* SACK permitted both ways */
#define XTCPI_OPT_WSCALE	0x04	/* window scaling in use */
#define XTCPI_OPT_NODELAY	0x08	/* TCP_NODELAY set */
#define XTCPI_OPT_CORK		0x10	/* TCP_CORK set */
#define XTCPI_OPT_KEEPALIVE	0x20	/* SO_KEEPALIVE set */
#define XTCPI_OPT_ECN		0x40	/* ECN agreed (RFC 3168) */
#define XTCPI_OPT_ECN_SEEN	0x80	/* an ECT or CE segment arrived */

/*
 * xtcp_info.xtcpi_ca_state: where loss recovery is.  The numbers are
 * Linux's TCP_CA_* (tcpi_ca_state), in the same order of severity.
 */
enum {
	XTCP_CA_OPEN = 0,	/* nothing odd */
	XTCP_CA_DISORDER,	/* duplicate ACKs or SACKs, no loss yet */
	XTCP_CA_CWR,		/* window reduced for an ECN echo (ECE) */
	XTCP_CA_RECOVERY,	/* fast recovery */
	XTCP_CA_LOSS,		/* after a retransmission timeout */
};

/**
 * struct xtcp_info - what getsockopt(SOL_XTCP, XTCP_INFO) reports
 *
 * Growable as TCP_INFO is: the kernel copies min(optlen, its own size)
 * bytes and sets optlen to that count.  Fields are only ever appended, so
 * a program built against an older header reads a prefix and a newer one
 * learns from optlen which fields the running module filled.
 *
 * Times are in microseconds unless named otherwise, windows and queues in
 * bytes, cwnd and ssthresh in segments of xtcpi_snd_mss bytes.  A listening
 * socket reports its accept queue in xtcpi_unacked (queued) and its
 * backlog limit in xtcpi_sacked, as Linux's TCP_INFO does.
 */
struct xtcp_info {
	__u8	xtcpi_state;		/* XTCP_ESTABLISHED ... */
	__u8	xtcpi_ca_state;		/* XTCP_CA_* */
	__u8	xtcpi_retransmits;	/* RTO retries of the oldest segment */
	__u8	xtcpi_probes;		/* keepalive/window probes unanswered */
	__u8	xtcpi_options;		/* XTCPI_OPT_* */
	__u8	xtcpi_snd_wscale;	/* shift the peer applies to its window */
	__u8	xtcpi_rcv_wscale;	/* shift we apply to ours */
	__u8	xtcpi_pad0;

	__u32	xtcpi_rto;		/* retransmission timeout, current */
	__u32	xtcpi_rtt;		/* smoothed round-trip time */
	__u32	xtcpi_rttvar;		/* its mean deviation */
	__u32	xtcpi_snd_mss;		/* largest segment we send */
	__u32	xtcpi_rcv_mss;		/* estimate of the peer's segments */
	__u32	xtcpi_advmss;		/* MSS we announced */
	__u32	xtcpi_snd_cwnd;		/* congestion window */
	__u32	xtcpi_snd_ssthresh;	/* slow start threshold */
	__u32	xtcpi_unacked;		/* bytes sent, not yet acknowledged */
	__u32	xtcpi_sacked;		/* bytes SACKed above snd_una */
	__u32	xtcpi_lost;		/* bytes marked lost */
	__u32	xtcpi_retrans;		/* bytes retransmitted, not yet acked */
	__u32	xtcpi_notsent;		/* bytes written, never sent */
	__u32	xtcpi_total_retrans;	/* segments retransmitted, in all */

	__u32	xtcpi_snd_una;		/* oldest unacknowledged sequence */
	__u32	xtcpi_snd_nxt;		/* next sequence to send */
	__u32	xtcpi_rcv_nxt;		/* next sequence expected */
	__u32	xtcpi_snd_wnd;		/* peer's window, scaled */
	__u32	xtcpi_rcv_wnd;		/* window we last announced, scaled */
	__u32	xtcpi_last_data_sent;	/* ms since data was last sent */
	__u32	xtcpi_last_data_recv;	/* ms since data was last received */
	__u32	xtcpi_last_ack_recv;	/* ms since an ACK was last received */

	__u64	xtcpi_bytes_acked;	/* sequence space acked (SYN, FIN: 1) */
	__u64	xtcpi_bytes_received;	/* payload bytes received in order */
	__u64	xtcpi_bytes_sent;	/* payload bytes sent, resent included */
	__u64	xtcpi_bytes_retrans;	/* payload bytes retransmitted */
	__u32	xtcpi_segs_out;		/* segments sent, retransmissions included */
	__u32	xtcpi_segs_in;		/* segments received */
	__u32	xtcpi_data_segs_out;	/* of those, with payload */
	__u32	xtcpi_data_segs_in;
	char	xtcpi_cong[16];		/* congestion control, "cubic" or "reno" */
};

#endif /* _UAPI_LINUX_XTCP_H */
