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

#endif /* _UAPI_LINUX_XTCP_H */
