/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sequence number arithmetic modulo 2^32 (RFC 9293 3.4).  Comparisons are
 * meaningful for numbers less than 2^31 apart.
 */
#ifndef _XTCP_SEQ_H
#define _XTCP_SEQ_H

#include <linux/types.h>

static inline bool xtcp_seq_lt(u32 a, u32 b)
{
	return (s32)(a - b) < 0;
}

static inline bool xtcp_seq_leq(u32 a, u32 b)
{
	return (s32)(a - b) <= 0;
}

static inline bool xtcp_seq_gt(u32 a, u32 b)
{
	return xtcp_seq_lt(b, a);
}

static inline bool xtcp_seq_geq(u32 a, u32 b)
{
	return xtcp_seq_leq(b, a);
}

/* lo <= seq <= hi, modulo 2^32 */
static inline bool xtcp_seq_between(u32 seq, u32 lo, u32 hi)
{
	return hi - lo >= seq - lo;
}

static inline u32 xtcp_seq_max(u32 a, u32 b)
{
	return xtcp_seq_gt(a, b) ? a : b;
}

#endif /* _XTCP_SEQ_H */
