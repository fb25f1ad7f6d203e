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
	unsigned long when = 0;

	if (state == XTCP_LISTEN) {
		rxq = READ_ONCE(xs->accept_qlen);
		txq = READ_ONCE(xs->max_backlog);
	} else {
		/* unread bytes; a received FIN occupies one number */
		rxq = READ_ONCE(xs->rcv_nxt) - READ_ONCE(xs->copied_seq) -
		      sock_flag(sk, SOCK_DONE);
		rxq = max(rxq, 0);
		txq = READ_ONCE(xs->write_seq) - READ_ONCE(xs->snd_una);
	}
	if (hrtimer_is_queued(&xs->rtx_timer)) {
		timer = 1;
		when = hrtimer_get_remaining(&xs->rtx_timer);
	} else if (hrtimer_is_queued(&xs->tw_timer)) {
		timer = state == XTCP_TIME_WAIT ? 3 : 2;
		when = hrtimer_get_remaining(&xs->tw_timer);
	}
	when = nsecs_to_jiffies(when);
	seq_printf(w->seq,
		   "%4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX %08X %5u %8d %lu %d %pK %u %u %u %u %d\n",
		   w->n++, sk->sk_rcv_saddr, sk->sk_num, sk->sk_daddr,
		   ntohs(sk->sk_dport), state, txq, rxq, timer, when,
		   xs->retries,
		   from_kuid_munged(seq_user_ns(w->seq), sock_i_uid(sk)), 0,
		   sock_i_ino(sk), refcount_read(&sk->sk_refcnt), sk,
		   xs->rto_ms * HZ / 1000, 0, 0, 10, -1);
}

static int xtcp_proc_show(struct seq_file *seq, void *v)
{
	struct xtcp_walk w = { .fn = xtcp_proc_sock, .seq = seq };

	seq_puts(seq, "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n");
	xtcp_walk_socks(seq_file_single_net(seq), &w);
	return 0;
}

int xtcp_proc_init(struct net *net)
{
	if (!proc_create_net_single("xtcp", 0444, net->proc_net,
				    xtcp_proc_show, NULL))
		return -ENOMEM;
	return 0;
}

void xtcp_proc_exit(struct net *net)
{
	remove_proc_entry("xtcp", net->proc_net);
}
