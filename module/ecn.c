// SPDX-License-Identifier: GPL-2.0
/*
 * Explicit Congestion Notification (RFC 3168), the decisions without the
 * plumbing: which flags a SYN carries, whether a SYN or a SYN-ACK agrees,
 * what a received segment changes, what a sent segment carries.  The
 * callers (request.c, input.c, output.c, recovery.c) apply them; KUnit
 * tests them one by one.
 *
 * As in Linux: net.xtcp.ecn 1 asks for ECN on active opens, 1 and 2
 * accept it on passive ones; a SYN that is itself ECT-marked is taken for
 * mangled and gets no ECN; a SYN-ACK must carry ECE without CWR (both
 * set is a middlebox reflecting our flags).  On an ECN connection new data
 * goes out ECT(0), pure ACKs, retransmissions, SYNs and RSTs Not-ECT.  A CE
 * mark makes the receiver set ECE on every segment until a CWR arrives;
 * the sender reduces its window once per window of data and sets CWR on
 * the next new data.  The NS bit (RFC 3540, historic) is never set and
 * ignored on input.
 */
#include <net/inet_ecn.h>
#include <net/tcp.h>

#include "xtcp.h"

/**
 * xtcp_ecn_syn_flags() - the ECN flags of an active open's SYN
 * @sysctl_ecn: net.xtcp.ecn
 *
 * Return: ECE and CWR (an ECN-setup SYN) when @sysctl_ecn is 1, else 0.
 */
u8 xtcp_ecn_syn_flags(int sysctl_ecn)
{
	return sysctl_ecn == 1 ? TCPHDR_ECE | TCPHDR_CWR : 0;
}

XTCP_EXPORT_FOR_TEST(xtcp_ecn_syn_flags);

/**
 * xtcp_ecn_syn_acceptable() - does a listener agree to a SYN's ECN request?
 * @sysctl_ecn: net.xtcp.ecn
 * @flags: the SYN's TCP flags
 * @dsfield: the SYN's IP DS field
 *
 * Return: true for an ECN-setup SYN (ECE and CWR) that is Not-ECT, when
 * @sysctl_ecn is 1 or 2.
 */
bool xtcp_ecn_syn_acceptable(int sysctl_ecn, u8 flags, u8 dsfield)
{
	return sysctl_ecn &&
	       (flags & (TCPHDR_ECE | TCPHDR_CWR)) ==
	       (TCPHDR_ECE | TCPHDR_CWR) &&
	       INET_ECN_is_not_ect(dsfield);
}

XTCP_EXPORT_FOR_TEST(xtcp_ecn_syn_acceptable);

/**
 * xtcp_ecn_synack_ok() - does the answer to our ECN-setup SYN agree?
 * @flags: TCP flags of the SYN-ACK, or of the SYN of a simultaneous open
 *
 * Return: for a SYN-ACK, true when it carries ECE and not CWR; for a SYN
 * (simultaneous open), true when it is itself an ECN-setup SYN.
 */
bool xtcp_ecn_synack_ok(u8 flags)
{
	u8 ecn = flags & (TCPHDR_ECE | TCPHDR_CWR);

	if (flags & TCPHDR_ACK)
		return ecn == TCPHDR_ECE;
	return ecn == (TCPHDR_ECE | TCPHDR_CWR);
}

XTCP_EXPORT_FOR_TEST(xtcp_ecn_synack_ok);

/**
 * xtcp_ecn_rcv() - what a received segment does to the ECN state
 * @ecn_flags: XTCP_ECN_* of the connection
 * @flags: the segment's TCP flags
 * @dsfield: its IP DS field, or 0 (Not-ECT) not to look at it (no payload)
 *
 * A CWR ends the echo; a CE mark (after it, on the same segment: that is
 * new congestion) starts it again.  Nothing changes without XTCP_ECN_OK.
 *
 * Return: the new XTCP_ECN_* flags.
 */
u8 xtcp_ecn_rcv(u8 ecn_flags, u8 flags, u8 dsfield)
{
	if (!(ecn_flags & XTCP_ECN_OK))
		return ecn_flags;
	if (flags & TCPHDR_CWR)
		ecn_flags &= ~XTCP_ECN_DEMAND_CWR;
	switch (dsfield & INET_ECN_MASK) {
	case INET_ECN_CE:
		ecn_flags |= XTCP_ECN_DEMAND_CWR | XTCP_ECN_SEEN;
		break;
	case INET_ECN_ECT_0:
	case INET_ECN_ECT_1:
		ecn_flags |= XTCP_ECN_SEEN;
		break;
	default:
		break;
	}
	return ecn_flags;
}

XTCP_EXPORT_FOR_TEST(xtcp_ecn_rcv);

/**
 * xtcp_ecn_xmit() - the ECN marks of a segment about to leave
 * @ecn_flags: XTCP_ECN_* of the connection; a queued CWR is taken off
 *	when it goes out
 * @flags: the segment's TCP flags
 * @new_data: it carries data never sent before
 * @ect: set to whether the IP header is to say ECT(0)
 *
 * Return: TCP flags to add: CWR on new data after a reduction, ECE while
 * the peer's CWR is awaited.  SYNs (whose flags are set at connect time)
 * and RSTs get nothing here.
 */
u8 xtcp_ecn_xmit(u8 *ecn_flags, u8 flags, bool new_data, bool *ect)
{
	u8 add = 0;

	*ect = false;
	if (!(*ecn_flags & XTCP_ECN_OK) ||
	    (flags & (TCPHDR_SYN | TCPHDR_RST)))
		return 0;
	if (new_data) {
		*ect = true;
		if (*ecn_flags & XTCP_ECN_QUEUE_CWR) {
			*ecn_flags &= ~XTCP_ECN_QUEUE_CWR;
			add |= TCPHDR_CWR;
		}
	}
	if (*ecn_flags & XTCP_ECN_DEMAND_CWR)
		add |= TCPHDR_ECE;
	return add;
}

XTCP_EXPORT_FOR_TEST(xtcp_ecn_xmit);
