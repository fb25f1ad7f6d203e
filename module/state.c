// SPDX-License-Identifier: GPL-2.0
/*
 * The connection state machine as one table: state x event -> next state
 * (RFC 9293 3.3.2, figure 5).  Every state change of a socket goes through
 * xtcp_transition(), so the table is the single truth and KUnit checks it
 * cell by cell.
 */
#include "xtcp.h"
#include "trace.h"

/* 0 marks an event that does not change the state it arrives in. */
static const u8 xtcp_table[XTCP_MAX_STATES][XTCP_EV_MAX] = {
	[XTCP_CLOSE] = {
		[XTCP_EV_CONNECT]	= XTCP_SYN_SENT,
		[XTCP_EV_LISTEN]	= XTCP_LISTEN,
	},
	[XTCP_LISTEN] = {
		/* taken by the child a SYN creates; the listener stays */
		[XTCP_EV_RCV_SYN]	= XTCP_SYN_RECV,
		[XTCP_EV_CLOSE]		= XTCP_CLOSE,
		[XTCP_EV_ABORT]		= XTCP_CLOSE,
	},
	[XTCP_SYN_SENT] = {
		[XTCP_EV_RCV_SYN]	= XTCP_SYN_RECV,	/* simultaneous open */
		[XTCP_EV_RCV_SYNACK]	= XTCP_ESTABLISHED,
		[XTCP_EV_RCV_RST]	= XTCP_CLOSE,
		[XTCP_EV_CLOSE]		= XTCP_CLOSE,
		[XTCP_EV_TIMEOUT]	= XTCP_CLOSE,
		[XTCP_EV_ABORT]		= XTCP_CLOSE,
		[XTCP_EV_ICMP_ERR]	= XTCP_CLOSE,
	},
	[XTCP_SYN_RECV] = {
		[XTCP_EV_RCV_ACK_SYN]	= XTCP_ESTABLISHED,
		[XTCP_EV_RCV_FIN]	= XTCP_CLOSE_WAIT,
		[XTCP_EV_CLOSE]		= XTCP_FIN_WAIT1,
		[XTCP_EV_RCV_RST]	= XTCP_CLOSE,
		[XTCP_EV_TIMEOUT]	= XTCP_CLOSE,
		[XTCP_EV_ABORT]		= XTCP_CLOSE,
		[XTCP_EV_ICMP_ERR]	= XTCP_CLOSE,
	},
	[XTCP_ESTABLISHED] = {
		[XTCP_EV_CLOSE]		= XTCP_FIN_WAIT1,
		[XTCP_EV_RCV_FIN]	= XTCP_CLOSE_WAIT,
		[XTCP_EV_RCV_RST]	= XTCP_CLOSE,
		[XTCP_EV_TIMEOUT]	= XTCP_CLOSE,
		[XTCP_EV_ABORT]		= XTCP_CLOSE,
	},
	[XTCP_FIN_WAIT1] = {
		[XTCP_EV_RCV_ACK_FIN]	= XTCP_FIN_WAIT2,
		[XTCP_EV_RCV_FIN]	= XTCP_CLOSING,
		[XTCP_EV_RCV_RST]	= XTCP_CLOSE,
		[XTCP_EV_TIMEOUT]	= XTCP_CLOSE,
		[XTCP_EV_ABORT]		= XTCP_CLOSE,
	},
	[XTCP_FIN_WAIT2] = {
		[XTCP_EV_RCV_FIN]	= XTCP_TIME_WAIT,
		[XTCP_EV_RCV_RST]	= XTCP_CLOSE,
		[XTCP_EV_TIMEOUT]	= XTCP_CLOSE,
		[XTCP_EV_ABORT]		= XTCP_CLOSE,
	},
	[XTCP_CLOSE_WAIT] = {
		[XTCP_EV_CLOSE]		= XTCP_LAST_ACK,
		[XTCP_EV_RCV_RST]	= XTCP_CLOSE,
		[XTCP_EV_TIMEOUT]	= XTCP_CLOSE,
		[XTCP_EV_ABORT]		= XTCP_CLOSE,
	},
	[XTCP_CLOSING] = {
		[XTCP_EV_RCV_ACK_FIN]	= XTCP_TIME_WAIT,
		[XTCP_EV_RCV_RST]	= XTCP_CLOSE,
		[XTCP_EV_TIMEOUT]	= XTCP_CLOSE,
		[XTCP_EV_ABORT]		= XTCP_CLOSE,
	},
	[XTCP_LAST_ACK] = {
		[XTCP_EV_RCV_ACK_FIN]	= XTCP_CLOSE,
		[XTCP_EV_RCV_RST]	= XTCP_CLOSE,
		[XTCP_EV_TIMEOUT]	= XTCP_CLOSE,
		[XTCP_EV_ABORT]		= XTCP_CLOSE,
	},
	[XTCP_TIME_WAIT] = {
		[XTCP_EV_TIMEOUT]	= XTCP_CLOSE,
		[XTCP_EV_ABORT]		= XTCP_CLOSE,
	},
};

/**
 * xtcp_next_state() - look up the transition table
 * @state: current state (XTCP_ESTABLISHED .. XTCP_CLOSING)
 * @ev: event
 *
 * Return: the next state, or 0 if @ev does not move a socket out of @state
 * (or either argument is out of range).
 */
int xtcp_next_state(int state, enum xtcp_event ev)
{
	if (state <= 0 || state >= XTCP_MAX_STATES || ev >= XTCP_EV_MAX)
		return 0;
	return xtcp_table[state][ev];
}

XTCP_EXPORT_FOR_TEST(xtcp_next_state);

static const char *const xtcp_state_names[XTCP_MAX_STATES] = {
	[0]			= "UNKNOWN",
	[XTCP_ESTABLISHED]	= "ESTABLISHED",
	[XTCP_SYN_SENT]		= "SYN_SENT",
	[XTCP_SYN_RECV]		= "SYN_RECV",
	[XTCP_FIN_WAIT1]	= "FIN_WAIT1",
	[XTCP_FIN_WAIT2]	= "FIN_WAIT2",
	[XTCP_TIME_WAIT]	= "TIME_WAIT",
	[XTCP_CLOSE]		= "CLOSE",
	[XTCP_CLOSE_WAIT]	= "CLOSE_WAIT",
	[XTCP_LAST_ACK]		= "LAST_ACK",
	[XTCP_LISTEN]		= "LISTEN",
	[XTCP_CLOSING]		= "CLOSING",
};

const char *xtcp_state_name(int state)
{
	if (state <= 0 || state >= XTCP_MAX_STATES)
		return xtcp_state_names[0];
	return xtcp_state_names[state];
}

XTCP_EXPORT_FOR_TEST(xtcp_state_name);

/**
 * xtcp_set_state() - change the state of a socket
 * @sk: socket, locked
 * @state: new state
 *
 * Counts opens, failed attempts, resets and current connections as Linux's
 * tcp_set_state() does, and logs the change with the sequence variables
 * when the module parameter trace_states is set (used by "make demo").
 */
void xtcp_set_state(struct sock *sk, int state)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct net *net = sock_net(sk);
	int old = sk->sk_state;

	if (old == state)
		return;
	inet_sk_set_state(sk, state);
	trace_xtcp_state_change(sk, old, state);
	if (state == XTCP_SYN_SENT)
		XTCP_INC_STATS(net, XTCP_MIB_ACTIVEOPENS);
	if (state == XTCP_ESTABLISHED) {
		xtcp_reset_keepalive(sk);
		XTCP_INC_STATS(net, XTCP_MIB_CURRESTAB);
		if (xs->listener)
			XTCP_INC_STATS(net, XTCP_MIB_PASSIVEOPENS);
	}
	if (old == XTCP_ESTABLISHED)
		XTCP_DEC_STATS(net, XTCP_MIB_CURRESTAB);
	if (state == XTCP_CLOSE) {
		if (old == XTCP_SYN_SENT || old == XTCP_SYN_RECV)
			XTCP_INC_STATS(net, XTCP_MIB_ATTEMPTFAILS);
		if (old == XTCP_ESTABLISHED || old == XTCP_CLOSE_WAIT)
			XTCP_INC_STATS(net, XTCP_MIB_ESTABRESETS);
	}
	if (xtcp_trace_states)
		pr_info("%pI4:%u -> %pI4:%u %s -> %s snd_una=%u snd_nxt=%u rcv_nxt=%u\n",
			&sk->sk_rcv_saddr, sk->sk_num, &sk->sk_daddr,
			ntohs(sk->sk_dport), xtcp_state_name(old),
			xtcp_state_name(state), xs->snd_una, xs->snd_nxt,
			xs->rcv_nxt);
}

/**
 * xtcp_transition() - apply an event to a socket through the table
 * @sk: socket, locked
 * @ev: event
 *
 * Return: true if the state changed.  An event the table does not expect in
 * the current state is a bug in the caller and warns once.
 */
bool xtcp_transition(struct sock *sk, enum xtcp_event ev)
{
	int next = xtcp_next_state(sk->sk_state, ev);

	if (WARN_ONCE(!next, "xtcp: event %d in state %s\n", ev,
		      xtcp_state_name(sk->sk_state)))
		return false;
	xtcp_set_state(sk, next);
	return true;
}
