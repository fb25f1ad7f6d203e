// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/net/xtcp: every XTCP socket of the namespace in the layout of
 * /proc/net/tcp (same columns, same state codes), so scripts written for
 * one read the other.
 */
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/net_namespace.h>

#include "xtcp.h"

static void xtcp_proc_sock(struct sock *sk, struct xtcp_walk *w)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	int state = inet_sk_state_load(sk);
	int timer = 0, rxq, txq;
	s64 when = 0;

	if (state == XTCP_LISTEN) {
		rxq = READ_ONCE(xs->accept_qlen);
		txq = READ_ONCE(xs->max_backlog);
	} else {
		/* as Linux: an unread FIN counts one (SIOCINQ leaves it out) */
		rxq = READ_ONCE(xs->rcv_nxt) - READ_ONCE(xs->copied_seq);
		rxq = max(rxq, 0);
		txq = READ_ONCE(xs->write_seq) - READ_ONCE(xs->snd_una);
	}
	if (hrtimer_is_queued(&xs->rtx_timer)) {
		/* nothing in flight but data waiting: a window probe */
		timer = xs->snd_una == xs->snd_max && xs->send_head ? 4 : 1;
		when = hrtimer_get_remaining(&xs->rtx_timer);
	} else if (hrtimer_is_queued(&xs->ka_timer)) {
		timer = state == XTCP_TIME_WAIT ? 3 : 2;
		when = hrtimer_get_remaining(&xs->ka_timer);
	}
	/* times in clock ticks (USER_HZ), as Linux's get_tcp4_sock() */
	seq_printf(w->seq,
		   "%4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX %08X %5u %8d %lu %d %pK %lu %lu %u %u %d\n",
		   w->n++, sk->sk_rcv_saddr, sk->sk_num, sk->sk_daddr,
		   ntohs(sk->sk_dport), state, txq, rxq, timer,
		   jiffies_delta_to_clock_t(nsecs_to_jiffies(max_t(s64, when, 0))),
		   xs->retries,
		   from_kuid_munged(seq_user_ns(w->seq), sock_i_uid(sk)),
		   READ_ONCE(xs->probes_out), sock_i_ino(sk), refcount_read(&sk->sk_refcnt), sk,
		   jiffies_to_clock_t(usecs_to_jiffies(xs->rto_us)),
		   jiffies_to_clock_t(usecs_to_jiffies(XTCP_DELACK_US)),
		   (u32)!!xs->quickack << 1, xs->cc.cwnd,
		   xs->cc.ssthresh >= XTCP_INFINITE_SSTHRESH ?
		   -1 : (int)xs->cc.ssthresh);
}

/* A TIME_WAIT minisock, as Linux prints its own (timer 3, no inode). */
static void xtcp_proc_tw(struct xtcp_tw *tw, struct xtcp_walk *w)
{
	long when = hrtimer_get_remaining(&tw->timer);

	seq_printf(w->seq,
		   "%4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX %08X %5d %8d %d %d %pK\n",
		   w->n++, tw->laddr, ntohs(tw->lport), tw->raddr,
		   ntohs(tw->rport), XTCP_TIME_WAIT, 0, 0, 3,
		   jiffies_delta_to_clock_t(nsecs_to_jiffies(max(when, 0L))),
		   0, 0, 0, 0,
		   refcount_read(&tw->refcnt), tw);
}

/*
 * A request sock, as Linux prints its own: SYN_RECV, timer 1, the
 * listener's uid, no inode, refcnt 0.
 */
static void xtcp_proc_req(struct xtcp_request *req, struct xtcp_walk *w)
{
	long when = hrtimer_get_remaining(&req->timer);

	seq_printf(w->seq,
		   "%4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX %08X %5u %8d %lu %d %pK\n",
		   w->n++, req->laddr, ntohs(req->lport), req->raddr,
		   ntohs(req->rport), XTCP_SYN_RECV, 0, 0, 1,
		   jiffies_delta_to_clock_t(nsecs_to_jiffies(max(when, 0L))),
		   req->retrans,
		   from_kuid_munged(seq_user_ns(w->seq),
				    sock_i_uid(req->listener)),
		   0, 0UL, 0, req);
}

static int xtcp_proc_show(struct seq_file *seq, void *v)
{
	struct xtcp_walk w = { .fn = xtcp_proc_sock, .seq = seq };
	struct net *net = seq_file_single_net(seq);

	seq_puts(seq, "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n");
	xtcp_walk_socks(net, &w);
	xtcp_walk_reqs(net, xtcp_proc_req, &w);
	xtcp_walk_tw(net, xtcp_proc_tw, &w);
	return 0;
}

static const char *const xtcp_mib_names[XTCP_MIB_MAX] = {
	[XTCP_MIB_ACTIVEOPENS]		= "ActiveOpens",
	[XTCP_MIB_PASSIVEOPENS]		= "PassiveOpens",
	[XTCP_MIB_ATTEMPTFAILS]		= "AttemptFails",
	[XTCP_MIB_ESTABRESETS]		= "EstabResets",
	[XTCP_MIB_CURRESTAB]		= "CurrEstab",
	[XTCP_MIB_INSEGS]		= "InSegs",
	[XTCP_MIB_OUTSEGS]		= "OutSegs",
	[XTCP_MIB_RETRANSSEGS]		= "RetransSegs",
	[XTCP_MIB_INERRS]		= "InErrs",
	[XTCP_MIB_OUTRSTS]		= "OutRsts",
	[XTCP_MIB_INCSUMERRORS]		= "InCsumErrors",
	[XTCP_MIB_TW]			= "TW",
	[XTCP_MIB_TWREUSED]		= "TWReused",
	[XTCP_MIB_TWOVERFLOW]		= "TCPTimeWaitOverflow",
	[XTCP_MIB_TWRSTIGNORED]		= "TWRstIgnored",
	[XTCP_MIB_CHALLENGEACK]		= "TCPChallengeACK",
	[XTCP_MIB_OFOQUEUE]		= "TCPOFOQueue",
	[XTCP_MIB_OFODROP]		= "TCPOFODrop",
	[XTCP_MIB_ABORTONCLOSE]		= "TCPAbortOnClose",
	[XTCP_MIB_ABORTONDATA]		= "TCPAbortOnData",
	[XTCP_MIB_ABORTONLINGER]	= "TCPAbortOnLinger",
	[XTCP_MIB_ABORTONTIMEOUT]	= "TCPAbortOnTimeout",
	[XTCP_MIB_SEQDROPS]		= "SeqDrops",
	[XTCP_MIB_ACKDROPS]		= "AckDrops",
	[XTCP_MIB_KEEPALIVES]		= "TCPKeepAlive",
	[XTCP_MIB_ACKSKIPPEDSEQ]	= "TCPACKSkippedSeq",
	[XTCP_MIB_ACKSKIPPEDCHALLENGE]	= "TCPACKSkippedChallenge",
	[XTCP_MIB_ACKSKIPPEDTIMEWAIT]	= "TCPACKSkippedTimeWait",
	[XTCP_MIB_LISTENOVERFLOWS]	= "ListenOverflows",
	[XTCP_MIB_LISTENDROPS]		= "ListenDrops",
	[XTCP_MIB_DELAYEDACKS]		= "DelayedACKs",
	[XTCP_MIB_RENORECOVERY]		= "TCPRenoRecovery",
	[XTCP_MIB_SACKRECOVERY]		= "TCPSackRecovery",
	[XTCP_MIB_FASTRETRANS]		= "TCPFastRetrans",
	[XTCP_MIB_SLOWSTARTRETRANS]	= "TCPSlowStartRetrans",
	[XTCP_MIB_TIMEOUTS]		= "TCPTimeouts",
	[XTCP_MIB_DSACKRECV]		= "TCPDSACKRecv",
	[XTCP_MIB_DSACKOLDSENT]		= "TCPDSACKOldSent",
	[XTCP_MIB_DSACKOFOSENT]		= "TCPDSACKOfoSent",
	[XTCP_MIB_SACKBLOCKSRECV]	= "TCPSACKBlocksRecv",
	[XTCP_MIB_PAWSESTAB]		= "PAWSEstab",
	[XTCP_MIB_FULLUNDO]		= "TCPFullUndo",
	[XTCP_MIB_LOSSUNDO]		= "TCPLossUndo",
	[XTCP_MIB_REORDER]		= "TCPSACKReorder",
	[XTCP_MIB_LOSTRETRANSMIT]	= "TCPLostRetransmit",
	[XTCP_MIB_LISTENSYNS]		= "ListenSYNs",
	[XTCP_MIB_REQQFULLDROP]		= "TCPReqQFullDrop",
	[XTCP_MIB_REQQFULLDOCOOKIES]	= "TCPReqQFullDoCookies",
	[XTCP_MIB_SYNCOOKIESSENT]	= "SyncookiesSent",
	[XTCP_MIB_SYNCOOKIESRECV]	= "SyncookiesRecv",
	[XTCP_MIB_SYNCOOKIESFAILED]	= "SyncookiesFailed",
	[XTCP_MIB_REQEXPIRED]		= "ReqExpired",
	[XTCP_MIB_EMBRYONICRSTS]	= "EmbryonicRsts",
	[XTCP_MIB_ECNNEGOTIATED]	= "TCPECNNegotiated",
	[XTCP_MIB_ECNREFUSED]		= "TCPECNRefused",
	[XTCP_MIB_ECNFALLBACK]		= "TCPECNFallback",
	[XTCP_MIB_ECNCERECV]		= "TCPECNCeRecv",
	[XTCP_MIB_ECNREDUCTIONS]	= "TCPECNReductions",
	[XTCP_MIB_OOBSENT]		= "TCPOOBSent",
	[XTCP_MIB_OOBRECV]		= "TCPOOBRecv",
	[XTCP_MIB_OUTOFWINDOWICMPS]	= "OutOfWindowIcmps",
	[XTCP_MIB_LOCKDROPPEDICMPS]	= "LockDroppedIcmps",
	[XTCP_MIB_MTUPFAIL]		= "TCPMTUPFail",
	[XTCP_MIB_MTUPSUCCESS]		= "TCPMTUPSuccess",
};

/* One group as /proc/net/snmp prints it: a line of names, one of values. */
static void xtcp_snmp_group(struct seq_file *seq, const char *group,
			    const long *v, int from, int to)
{
	int i;

	seq_printf(seq, "%s:", group);
	for (i = from; i < to; i++)
		seq_printf(seq, " %s", xtcp_mib_names[i]);
	seq_printf(seq, "\n%s:", group);
	for (i = from; i < to; i++)
		seq_printf(seq, " %ld", v[i]);
	seq_putc(seq, '\n');
}

static int xtcp_snmp_show(struct seq_file *seq, void *v)
{
	struct xtcp_mib __percpu *mib =
		xtcp_pernet(seq_file_single_net(seq))->mib;
	long sum[XTCP_MIB_MAX] = { };
	int cpu, i;

	for_each_possible_cpu(cpu)
		for (i = 0; i < XTCP_MIB_MAX; i++)
			sum[i] += (long)per_cpu_ptr(mib, cpu)->mibs[i];
	xtcp_snmp_group(seq, "Tcp", sum, 0, XTCP_MIB_TCP_MAX);
	xtcp_snmp_group(seq, "TcpExt", sum, XTCP_MIB_TCP_MAX, XTCP_MIB_MAX);
	return 0;
}

int xtcp_proc_init(struct net *net)
{
	if (!proc_create_net_single("xtcp", 0444, net->proc_net,
				    xtcp_proc_show, NULL))
		return -ENOMEM;
	if (!proc_create_net_single("xtcp_snmp", 0444, net->proc_net,
				    xtcp_snmp_show, NULL)) {
		remove_proc_entry("xtcp", net->proc_net);
		return -ENOMEM;
	}
	return 0;
}

void xtcp_proc_exit(struct net *net)
{
	remove_proc_entry("xtcp_snmp", net->proc_net);
	remove_proc_entry("xtcp", net->proc_net);
}
