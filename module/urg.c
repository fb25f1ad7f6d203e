// SPDX-License-Identifier: GPL-2.0
/*
 * Urgent data (the URG flag and urgent pointer), as RFC 6093 describes what
 * stacks actually do, and as Linux does it, so that XTCP and Linux agree
 * on which byte is urgent:
 *
 *  - send(MSG_OOB) marks the last byte of the write urgent; the urgent
 *    pointer of each segment sent while that byte is unacknowledged is the
 *    offset of the byte *after* it (the BSD reading RFC 6093 documents),
 *    or 0xFFFF while it is more than 64 KiB ahead;
 *  - a receiver takes the byte before the pointer as urgent, one byte at a
 *    time: a newer pointer replaces an older one.  Out of line (the
 *    default) the byte is taken out of the stream and read with
 *    recv(MSG_OOB); with SO_OOBINLINE it stays in the stream.  Reads stop
 *    at the mark (SIOCATMARK), the owner (F_SETOWN) gets SIGURG when a new
 *    pointer arrives, poll() reports POLLPRI while the byte waits.
 *
 * An urgent pointer beyond the data received is remembered until the data
 * arrives; one behind what was already read, or older than the current
 * one, is ignored.
 */
#include <net/tcp.h>

#include "xtcp.h"
#include "trace.h"

/**
 * xtcp_urg_ptr() - the urgent pointer of a segment about to leave
 * @seq: its sequence number
 * @snd_up: the sender's urgent point (after the urgent byte)
 * @snd_nxt: the highest sequence number sent
 * @ptr: set to the pointer to write when the result is true
 *
 * The caller is in urgent mode (the urgent byte is not yet acknowledged).
 * As Linux: a segment before @snd_up points at it when the 16-bit field
 * reaches; one further away says 0xFFFF if that does not point past what
 * was sent (the URG flag alone tells the peer urgent data is coming).
 *
 * Return: true if the segment carries URG.
 */
bool xtcp_urg_ptr(u32 seq, u32 snd_up, u32 snd_nxt, u16 *ptr)
{
	if (!xtcp_seq_lt(seq, snd_up))
		return false;
	if (xtcp_seq_lt(snd_up, seq + 0x10000)) {
		*ptr = snd_up - seq;
		return true;
	}
	if (xtcp_seq_gt(seq + 0xFFFF, snd_nxt)) {
		*ptr = 0xFFFF;
		return true;
	}
	return false;
}

XTCP_EXPORT_FOR_TEST(xtcp_urg_ptr);

/**
 * xtcp_urg_seq() - the sequence number of the urgent byte a segment names
 * @seq: the segment's sequence number
 * @ptr: its urgent pointer
 *
 * Return: the byte before the one @ptr points at (a pointer of 0 names
 * the segment's first byte, as Linux).
 */
u32 xtcp_urg_seq(u32 seq, u16 ptr)
{
	return seq + ptr - (ptr ? 1 : 0);
}

XTCP_EXPORT_FOR_TEST(xtcp_urg_seq);

/**
 * xtcp_urg_is_new() - does a received urgent pointer name a new urgent byte?
 * @urg: sequence number of the byte it names
 * @copied_seq: next byte the reader will get
 * @rcv_nxt: next byte expected from the peer
 * @urg_data: the current XTCP_URG_* state, 0 for none
 * @urg_seq: the current urgent byte, when @urg_data is set
 *
 * Return: false for a byte already read, behind RCV.NXT (a replay of an
 * old pointer), or not after the current urgent byte.
 */
bool xtcp_urg_is_new(u32 urg, u32 copied_seq, u32 rcv_nxt, u16 urg_data,
		     u32 urg_seq)
{
	if (xtcp_seq_gt(copied_seq, urg))
		return false;
	if (xtcp_seq_lt(urg, rcv_nxt))
		return false;
	if (urg_data && !xtcp_seq_gt(urg, urg_seq))
		return false;
	return true;
}

XTCP_EXPORT_FOR_TEST(xtcp_urg_is_new);

/**
 * xtcp_urg_mark() - send(MSG_OOB): the last byte written is urgent
 * @sk: socket, locked, with the write queued
 */
void xtcp_urg_mark(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	xs->snd_up = xs->write_seq;
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_OOBSENT);
	trace_xtcp_urg(sk, XTCP_URGEV_SEND, xs->snd_up - 1);
}

/*
 * A new urgent byte: SIGURG for the owner, and the old byte, if the reader
 * stands right at it out of line, is skipped (as Linux's tcp_check_urg()).
 */
static void xtcp_urg_new(struct sock *sk, u32 urg)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	sk_send_sigurg(sk);
	if (xs->urg_data && xs->urg_seq == xs->copied_seq &&
	    !sock_flag(sk, SOCK_URGINLINE) && xs->copied_seq != xs->rcv_nxt) {
		struct sk_buff *skb = skb_peek(&sk->sk_receive_queue);

		WRITE_ONCE(xs->copied_seq, xs->copied_seq + 1);
		if (skb && ++XTCP_SKB_CB(skb)->consumed == skb->len) {
			__skb_unlink(skb, &sk->sk_receive_queue);
			kfree_skb(skb);
		}
	}
	WRITE_ONCE(xs->urg_data, XTCP_URG_NOTYET);
	WRITE_ONCE(xs->urg_seq, urg);
	trace_xtcp_urg(sk, XTCP_URGEV_POINTER, urg);
}

/**
 * xtcp_urg_rcv() - the URG check of an acceptable segment (RFC 9293
 *	3.10.7.4, sixth)
 * @sk: socket, locked, in a state that takes data
 * @skb: the segment, cb filled, payload at skb->data, not yet queued
 *
 * Records a new urgent pointer, and takes the urgent byte when this
 * segment carries it.
 */
void xtcp_urg_rcv(struct sock *sk, const struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 start = cb->seq + !!(cb->flags & TCPHDR_SYN), off;
	u8 byte;

	if (cb->flags & TCPHDR_URG) {
		u32 urg = xtcp_urg_seq(start, ntohs(tcp_hdr(skb)->urg_ptr));

		if (xtcp_urg_is_new(urg, xs->copied_seq, xs->rcv_nxt,
				    xs->urg_data, xs->urg_seq))
			xtcp_urg_new(sk, urg);
	}
	if (xs->urg_data != XTCP_URG_NOTYET)
		return;
	off = xs->urg_seq - start;
	if (off >= skb->len || skb_copy_bits(skb, off, &byte, 1))
		return;
	WRITE_ONCE(xs->urg_data, XTCP_URG_VALID | byte);
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_OOBRECV);
	trace_xtcp_urg(sk, XTCP_URGEV_BYTE, xs->urg_seq);
	if (!sock_flag(sk, SOCK_DEAD))
		sk->sk_data_ready(sk);
}

/**
 * xtcp_urg_recvmsg() - recv(MSG_OOB): the urgent byte
 * @sk: socket, locked
 * @msg: where it goes
 * @len: room there (0: MSG_TRUNC)
 * @flags: MSG_PEEK leaves it to be read again
 *
 * Never blocks, as BSD and Linux.
 *
 * Return: 1 (or 0 after EOF), or -EINVAL with SO_OOBINLINE, without an
 * urgent byte or once it was read, -ENOTCONN before a connection,
 * -EAGAIN while the byte has not arrived, -EFAULT.
 */
int xtcp_urg_recvmsg(struct sock *sk, struct msghdr *msg, int len, int flags)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u16 urg = xs->urg_data;

	if (sock_flag(sk, SOCK_URGINLINE) || !urg || urg == XTCP_URG_READ)
		return -EINVAL;
	if (sk->sk_state == XTCP_CLOSE && !sock_flag(sk, SOCK_DONE))
		return -ENOTCONN;
	if (urg & XTCP_URG_VALID) {
		u8 c = urg;

		if (!(flags & MSG_PEEK))
			WRITE_ONCE(xs->urg_data, XTCP_URG_READ);
		msg->msg_flags |= MSG_OOB;
		if (len <= 0) {
			msg->msg_flags |= MSG_TRUNC;
			return 0;
		}
		if (!(flags & MSG_TRUNC) && memcpy_to_msg(msg, &c, 1))
			return -EFAULT;
		return 1;
	}
	if (sk->sk_state == XTCP_CLOSE || (sk->sk_shutdown & RCV_SHUTDOWN))
		return 0;
	return -EAGAIN;
}
