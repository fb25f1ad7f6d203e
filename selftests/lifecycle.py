# SPDX-License-Identifier: GPL-2.0
"""
lifecycle.py --family xtcp|inet [NAME...]

The TCP connection lifecycle against a scripted peer: the socket under test
(SUT) lives at 10.99.0.1 and talks through a tun device to 10.99.0.2, which
is this script writing crafted segments and reading the SUT's, so every
exchange is deterministic.  Each subtest checks the flags, sequence and
acknowledgment numbers of the SUT's segments (RFC 9293, RFC 5961, RFC 1337,
RFC 2525) and the states /proc/net/xtcp (or /proc/net/tcp) shows.  Each RST
the SUT must send is also counted (Tcp OutRsts), so that one from Linux TCP
(which answers what no XTCP socket takes) cannot pass for XTCP's.

Run it through lifecycle.sh, which gives it a private network namespace.
Numbers in the segment logs are relative to the ISN of each side.
"""

import errno
import os
import select
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# pylint: disable=wrong-import-position
from xtcp_pkt import (ACK, CLOSE_WAIT, CLOSING, CWR, ECE, ESTABLISHED, FIN,
                      FIN_WAIT1, FIN_WAIT2, LAST_ACK, LISTEN, PSH, RST, SYN,
                      SYN_RECV, SYN_SENT, TIME_WAIT, T_EXPECT, Bg, Conn, Fail,
                      Skip, Tap, Tun, abort, check, check_eq, check_state,
                      common_args, counter, diag, flag_str, make_socket,
                      poll_events, poll_str, read_sysctl, recv_all, seq_add,
                      seq_diff, set_linger, set_timeouts, setup_env, so_error,
                      state_name, state_of, wait_poll, write_sysctl, xaccept,
                      xbind, xconnect, xgetpeername, xgetsockname)
from xtcp_pkt import port_allocator, test_registry

SUT = "10.99.0.1"		# our side of the tun: the socket under test
PEER = "10.99.0.2"		# the far side: this script
MTU = 1500

FAM = "xtcp"
TUN = None
TESTS = []
TAP = Tap(TESTS)
test = test_registry(TESTS)
port = port_allocator(20000)




def isn_for(p):
    """A peer ISN per port, spread over the sequence space."""
    return (p * 2654435761) & 0xffffffff


def new_conn(pport, sport=None, isn=None):
    TUN.drain()
    c = Conn(TUN, pport, sport, isn_for(pport) if isn is None else isn)
    TAP.defer(c.rst)		# kill whatever is left of it on the SUT
    return c


def sut_socket():
    s = make_socket(FAM)
    set_timeouts(s, 10)		# no blocking call can hang the test
    TAP.defer(abort, s)
    return s


def probe_gap():
    """RFC 5961 ACKs are rate limited per socket (Linux: one per
    net.ipv4.tcp_invalid_ratelimit ms, set to 0 in our namespace).  XTCP
    may have a limit of its own: space its probes."""
    if FAM == "xtcp":
        time.sleep(0.6)


def only_flags(seg, flags, what, allow=0):
    """SEG's flags must be exactly FLAGS (bits in ALLOW may be added)."""
    if seg.flags & ~allow != flags:
        raise Fail("%s: flags [%s], expected [%s]" % (
            what, flag_str(seg.flags), flag_str(flags)))


def listener(lport, backlog=8):
    sk = sut_socket()
    sk.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    xbind(sk, SUT, lport)
    sk.listen(backlog)
    return sk


def sut_connect(pport, isn=None, first=False):
    """A non-blocking connect() of a SUT socket to the script's PEER:PPORT
    (it must say EINPROGRESS).  Returns (conn, socket, SYN): the SYN is the
    first segment with SYN set if FIRST, else the next segment, which must
    be it."""
    c = new_conn(pport, isn=isn)
    s = sut_socket()
    s.setblocking(False)
    err = xconnect(s, PEER, pport)
    check(err == errno.EINPROGRESS, "connect(): %s, expected EINPROGRESS",
          errno.errorcode.get(err, err))
    if first:
        return c, s, c.wait(lambda x: x.flags & SYN, "SYN")
    return c, s, c.expect("SYN")


def active_open(mss=1460, win=65535, isn=None):
    """The SUT connects (non-blocking), the script answers the SYN with a
    SYN-ACK (MSS option only: no window scaling, SACK or timestamps).
    Returns (socket, conn, SYN, ACK); the socket is blocking again."""
    pport = port()
    c, s, syn = sut_connect(pport, isn=isn, first=True)
    c.send(SYN | ACK, win=win, opts=[("mss", mss)])
    ack = c.wait(lambda x: x.flags & ACK and not x.flags & SYN,
                 "ACK of the SYN-ACK")
    check_eq(ack.ack, c.snd_nxt, "ack of the handshake's ACK")
    check_state(FAM, c.sport, pport, ESTABLISHED)
    s.setblocking(True)
    return s, c, syn, ack


def passive_open(mss=1460, isn=None):
    """A SUT listener accepts the script's connection (SYN with an MSS
    option only).  Returns (listener, accepted socket, conn)."""
    lport, pport = port(), port()
    lsk = listener(lport)
    c = new_conn(pport, sport=lport, isn=isn)
    c.send(SYN, opts=[("mss", mss)])
    c.wait(lambda x: x.has(SYN | ACK), "SYN-ACK")
    c.send(ACK)
    a, _ = xaccept(lsk, T_EXPECT)
    set_timeouts(a, 10)
    TAP.defer(abort, a)
    check_state(FAM, lport, pport, ESTABLISHED)
    return lsk, a, c


def send_data(c, data, what="data"):
    """The script sends DATA (one segment) and waits for the SUT's ACK."""
    c.send(ACK | PSH, data)
    end = c.snd_nxt
    return c.wait(lambda x: x.flags & ACK and x.ack == end,
                  "ACK of the " + what)


def sut_fin(c, what="FIN"):
    """Wait for the SUT's FIN; it must be FIN|ACK at the SUT's snd.nxt,
    acknowledging all the script sent."""
    x = c.rcv_nxt
    fin = c.wait(lambda s: s.flags & FIN, what)
    only_flags(fin, FIN | ACK, what, allow=PSH)
    check_eq(fin.seq, x, what + " seq")
    check_eq(fin.ack, c.snd_nxt, what + " ack")
    check_eq(fin.dlen, 0, what + " payload")
    return fin


def sut_ack_of_fin(c, fin_end, what="ACK of the peer's FIN"):
    """The SUT's pure ACK of the script's FIN (ack = FIN + 1)."""
    a = c.wait(lambda s: s.flags & ACK and not s.flags & (FIN | SYN) and
               s.ack == fin_end, what)
    only_flags(a, ACK, what)
    check_eq(a.seq, c.rcv_nxt, what + " seq")
    return a


def check_alive(s, c):
    """The connection still carries data both ways."""
    c.send(ACK | PSH, b"still there?")
    check_eq(recv_all(s, 12), b"still there?", "data after the probe")
    s.send(b"yes")
    seg = c.wait(lambda x: x.dlen > 0, "SUT data")
    check_eq(seg.data, b"yes", "SUT data")
    c.send(ACK)


# ---------------------------------------------------------------- opening

@test("active open: SYN with MSS and window scale, ACK of the SYN-ACK")
def t_active_open():
    pport = port()
    c, s, syn = sut_connect(pport)
    only_flags(syn, SYN, "SYN", allow=ECE | CWR)
    check_eq(syn.dlen, 0, "SYN payload")
    check_eq(syn.opt("mss"), MTU - 40, "MSS option of the SYN (MTU - 40)")
    check(syn.opt("wscale") is not None, "no window-scale option in the SYN")
    check(syn.win > 0, "SYN window is 0")
    check_state(FAM, c.sport, pport, SYN_SENT)
    c.send(SYN | ACK, opts=[("mss", 1460)])
    ack = c.expect("ACK of the SYN-ACK")
    only_flags(ack, ACK, "third segment")
    check_eq(ack.seq, seq_add(syn.seq, 1), "ACK seq (iss + 1)")
    check_eq(ack.ack, seq_add(c.iss, 1), "ACK ack (peer isn + 1)")
    check_eq(ack.dlen, 0, "ACK payload")
    check(ack.win > 0, "window 0 in the ACK")
    check_state(FAM, c.sport, pport, ESTABLISHED)
    ev = wait_poll(s, select.POLLOUT, T_EXPECT)
    check(ev & select.POLLOUT, "poll: %s, no POLLOUT", poll_str(ev))
    check_eq(so_error(s), 0, "SO_ERROR")
    check_eq(xgetsockname(s), (socket.AF_INET, SUT, c.sport), "getsockname")
    check_eq(xgetpeername(s), (socket.AF_INET, PEER, pport), "getpeername")


@test("passive open, data on the third segment: accept, recv, ACK")
def t_passive_open_data():
    lport, pport = port(), port()
    lsk = listener(lport)
    check_state(FAM, lport, None, LISTEN)
    c = new_conn(pport, sport=lport)
    c.send(SYN, opts=[("mss", 1460)])
    sa = c.expect("SYN-ACK")
    only_flags(sa, SYN | ACK, "SYN-ACK", allow=ECE)
    check_eq(sa.ack, seq_add(c.iss, 1), "SYN-ACK ack (isn + 1)")
    check_eq(sa.opt("mss"), MTU - 40, "MSS option of the SYN-ACK")
    check(sa.win > 0, "SYN-ACK window is 0")
    check_state(FAM, lport, pport, SYN_RECV)
    data = b"data on the third segment\n" * 4
    c.send(ACK | PSH, data)
    a, peer = xaccept(lsk, T_EXPECT)
    set_timeouts(a, 10)
    TAP.defer(abort, a)
    check_eq(peer, (socket.AF_INET, PEER, pport), "accept() address")
    check_eq(recv_all(a, len(data)), data, "received data")
    ack = c.wait(lambda x: x.flags & ACK and x.ack == c.snd_nxt,
                 "ACK of the data")
    only_flags(ack, ACK, "ACK of the data")
    check_eq(ack.seq, seq_add(sa.seq, 1), "ACK seq")
    check_state(FAM, lport, pport, ESTABLISHED)


@test("passive open with window scaling: a reader waiting for the first "
      "data sends nothing, then ACKs the data")
def t_passive_open_reader_quiet():
    lport, pport = port(), port()
    lsk = listener(lport)
    c = new_conn(pport, sport=lport)
    c.send(SYN, opts=[("mss", 1460), ("nop",), ("wscale", 7)])
    sa = c.wait(lambda x: x.has(SYN | ACK), "SYN-ACK")
    check(sa.opt("wscale") is not None, "no window-scale option in the "
          "SYN-ACK")
    c.send(ACK)
    a, _ = xaccept(lsk, T_EXPECT)
    set_timeouts(a, 10)
    TAP.defer(abort, a)
    got = []
    reader = threading.Thread(target=lambda: got.append(a.recv(100)))
    reader.start()
    # the SYN-ACK's window is unscaled (at most 65535): a read that took
    # nothing opened nothing, and Linux sends no window update for it
    quiet = c.quiet(0.5)
    data = b"first data\n"
    c.send(ACK | PSH, data)
    reader.join(10)
    check(not quiet, "segments while the reader waited: %s",
          " ".join("[%s] win=%d" % (flag_str(x.flags), x.win) for x in quiet))
    check_eq(got, [data], "the reader's data")
    c.wait(lambda x: x.flags & ACK and x.ack == c.snd_nxt, "ACK of the data")


@test("simultaneous open: SYN, SYN -> SYN-ACK, SYN_RECV -> ESTABLISHED")
def t_simultaneous_open():
    pport = port()
    c, s, syn = sut_connect(pport)
    only_flags(syn, SYN, "SYN", allow=ECE | CWR)
    c.send(SYN, opts=[("mss", 1460)])		# crossing SYN, no ACK
    sa = c.expect("SYN-ACK")
    only_flags(sa, SYN | ACK, "answer to the crossing SYN")
    check_eq(sa.seq, syn.seq, "SYN-ACK seq (the same iss)")
    check_eq(sa.ack, seq_add(c.iss, 1), "SYN-ACK ack (peer isn + 1)")
    check_state(FAM, c.sport, pport, SYN_RECV)
    c.send(SYN | ACK, seq=c.iss, ack=seq_add(syn.seq, 1),
           opts=[("mss", 1460)])
    check_state(FAM, c.sport, pport, ESTABLISHED)
    ev = wait_poll(s, select.POLLOUT, T_EXPECT)
    check(ev & select.POLLOUT, "poll: %s, no POLLOUT", poll_str(ev))
    check_eq(so_error(s), 0, "SO_ERROR")
    segs = c.quiet()
    for seg in segs:
        only_flags(seg, ACK, "answer to the SYN-ACK")
        check_eq(seg.seq, seq_add(syn.seq, 1), "ACK seq")
        check_eq(seg.ack, c.snd_nxt, "ACK ack")
    diag("SUT answered the SYN-ACK with %s" %
         ("an ACK" if segs else "nothing"))
    s.setblocking(True)
    s.send(b"hello")
    d = c.wait(lambda x: x.dlen > 0, "data")
    check_eq((d.seq, d.data), (seq_add(syn.seq, 1), b"hello"), "first data")


# ---------------------------------------------------------------- closing

@test("active close, 4 segments: FIN_WAIT1, FIN_WAIT2, TIME_WAIT")
def t_active_close():
    s, c, _, _ = active_open()
    s.shutdown(socket.SHUT_WR)
    fin = sut_fin(c)
    check_state(FAM, c.sport, c.pport, FIN_WAIT1)
    c.send(ACK)				# ack = fin + 1
    check_state(FAM, c.sport, c.pport, FIN_WAIT2)
    c.send(FIN | ACK)
    sut_ack_of_fin(c, c.snd_nxt)
    check_eq(c.rcv_nxt, fin.end, "SUT snd.nxt after its FIN")
    check_state(FAM, c.sport, c.pport, TIME_WAIT)
    check_eq(s.recv(10), b"", "recv() after the peer's FIN")


@test("three-segment close: FIN, FIN+ACK, ACK -> TIME_WAIT")
def t_close_three():
    s, c, _, _ = active_open()
    s.shutdown(socket.SHUT_WR)
    sut_fin(c)
    c.send(FIN | ACK)			# acks the FIN and closes at once
    sut_ack_of_fin(c, c.snd_nxt)
    check_state(FAM, c.sport, c.pport, TIME_WAIT)
    check_eq(s.recv(10), b"", "recv() after the peer's FIN")


@test("passive close: CLOSE_WAIT, LAST_ACK, closed")
def t_passive_close():
    _, a, c = passive_open()
    c.send(FIN | ACK)
    check_state(FAM, c.sport, c.pport, CLOSE_WAIT)
    # the app has not closed: the FIN is acked alone (maybe delayed)
    sut_ack_of_fin(c, c.snd_nxt)
    check_eq(a.recv(10), b"", "recv() after the peer's FIN")
    a.close()
    fin = sut_fin(c)
    check_state(FAM, c.sport, c.pport, LAST_ACK)
    c.send(ACK, ack=fin.end)
    check_state(FAM, c.sport, c.pport, None)
    check_eq(c.quiet(), [], "segments after the last ACK")


@test("simultaneous close: FIN_WAIT1 -> CLOSING -> TIME_WAIT")
def t_simultaneous_close():
    s, c, _, _ = active_open()
    s.shutdown(socket.SHUT_WR)
    fin = sut_fin(c)
    c.send(FIN | ACK, ack=fin.seq)		# crosses: does not ack the FIN
    check_state(FAM, c.sport, c.pport, CLOSING)
    sut_ack_of_fin(c, c.snd_nxt)
    c.send(ACK, ack=fin.end)
    check_state(FAM, c.sport, c.pport, TIME_WAIT)


@test("half-close: after SHUT_WR data still arrives and is ACKed")
def t_half_close():
    _, a, c = passive_open()
    a.shutdown(socket.SHUT_WR)
    fin = sut_fin(c)
    c.send(ACK, ack=fin.end)
    check_state(FAM, c.sport, c.pport, FIN_WAIT2)
    chunks = [bytes([65 + i]) * 700 for i in range(3)]
    for ch in chunks:
        c.send(ACK | PSH, ch)
    end = c.snd_nxt
    ack = c.wait(lambda x: x.flags & ACK and x.ack == end, "ACK of the data")
    only_flags(ack, ACK, "ACK of the data")
    check_eq(ack.seq, fin.end, "ACK seq (after the FIN)")
    check_eq(recv_all(a, 2100), b"".join(chunks),
             "data received after SHUT_WR")
    check_state(FAM, c.sport, c.pport, FIN_WAIT2)
    c.send(FIN | ACK)
    sut_ack_of_fin(c, c.snd_nxt)
    check_state(FAM, c.sport, c.pport, TIME_WAIT)
    check_eq(a.recv(10), b"", "recv() after the peer's FIN")


@test("SHUT_RD: recv returns 0 at once, peer data still ACKed, no RST")
def t_shut_rd():
    s, c, _, _ = active_open()
    s.shutdown(socket.SHUT_RD)
    t0 = time.monotonic()
    check_eq(s.recv(100), b"", "recv() after SHUT_RD")
    check(time.monotonic() - t0 < 1, "recv() after SHUT_RD blocked")
    check_eq(c.quiet(), [], "segments sent by shutdown(SHUT_RD)")
    c.send(ACK | PSH, b"r" * 500)
    ack = c.expect("ACK of the data")
    only_flags(ack, ACK, "answer to data after SHUT_RD")
    check_eq(ack.ack, c.snd_nxt, "ack")
    check_state(FAM, c.sport, c.pport, ESTABLISHED)
    # as Linux: what arrives after SHUT_RD is still queued and readable
    check_eq(recv_all(s, 500), b"r" * 500, "data that arrived after SHUT_RD")
    s.send(b"w")				# SHUT_RD leaves sending alone
    d = c.wait(lambda x: x.dlen > 0, "data")
    check_eq(d.data, b"w", "data sent after SHUT_RD")


@test("close with unread data sends RST at snd.nxt, no FIN (RFC 2525)")
def t_close_unread():
    s, c, _, _ = active_open()
    send_data(c, b"u" * 100)
    x = c.rcv_nxt
    before = rst_counts()
    s.close()
    r = c.expect("RST")
    only_flags(r, RST, "answer to close()", allow=ACK)
    check_rst_origin(before, "RST of close()")
    check_eq(r.seq, x, "RST seq (snd.nxt)")
    if r.flags & ACK:
        check_eq(r.ack, c.snd_nxt, "RST ack")
    diag("RST %s the ACK bit" % ("with" if r.flags & ACK else "without"))
    check_state(FAM, c.sport, c.pport, None)
    check_eq(c.quiet(), [], "segments after the RST")


@test("SO_LINGER {1, 0}: close sends RST, no FIN")
def t_linger_zero():
    s, c, _, _ = active_open()
    x = c.rcv_nxt
    set_linger(s, 1, 0)
    before = rst_counts()
    s.close()
    r = c.expect("RST")
    only_flags(r, RST, "answer to close()", allow=ACK)
    check_rst_origin(before, "RST of close()")
    check_eq(r.seq, x, "RST seq (snd.nxt)")
    check_state(FAM, c.sport, c.pport, None)
    check_eq(c.quiet(), [], "segments after the RST")


def linger_close(s, c, secs):
    """The SUT sends 100 bytes (not ACKed), then close() with SO_LINGER
    {1, SECS} in a thread.  Returns (thread, FIN)."""
    s.send(b"L" * 100)
    c.wait(lambda x: x.dlen == 100, "data")
    set_linger(s, 1, secs)
    closer = Bg(os.close, s.detach())
    fin = c.wait(lambda x: x.flags & FIN, "FIN")
    check_eq(fin.end, seq_add(c.sut_iss, 1 + 100 + 1), "end of the FIN")
    return closer, fin


@test("SO_LINGER {1, 2}: close blocks until data and FIN are ACKed")
def t_linger_acked():
    s, c, _, _ = active_open()
    closer, fin = linger_close(s, c, 2)
    time.sleep(max(0.0, closer.t_start + 1.0 - time.monotonic()))
    check(closer.is_alive(), "close() returned after %.2fs, before the ACK",
          closer.elapsed)
    c.send(ACK, ack=fin.end)
    t_ack = time.monotonic()
    closer.finish(T_EXPECT)
    diag("close() took %.2fs, returned %.2fs after the ACK" %
         (closer.elapsed, closer.t_end - t_ack))
    check(closer.t_end - t_ack < 0.9, "close() returned %.2fs after the ACK",
          closer.t_end - t_ack)
    check_state(FAM, c.sport, c.pport, FIN_WAIT2)
    c.send(FIN | ACK)
    sut_ack_of_fin(c, c.snd_nxt)
    check_state(FAM, c.sport, c.pport, TIME_WAIT)


@test("SO_LINGER {1, 2}: close returns after 2 s when nothing is ACKed")
def t_linger_timeout():
    s, c, _, _ = active_open()
    closer, _ = linger_close(s, c, 2)
    try:
        closer.finish(2 + 2 * T_EXPECT)
        diag("close() returned 0 after %.2fs" % closer.elapsed)
    except OSError as e:
        diag("close() failed after %.2fs: %s" % (closer.elapsed, e))
    check(1.8 <= closer.elapsed <= 2 + T_EXPECT,
          "close() returned after %.2fs, expected about 2s", closer.elapsed)
    st = state_of(FAM, c.sport, c.pport)
    diag("state after close(): %s" % state_name(st))
    check(st in (FIN_WAIT1, CLOSING), "state %s after the linger timeout",
          state_name(st))


@test("orphan: FIN exchange completes after close(), TIME_WAIT")
def t_orphan():
    lsk, a, c = passive_open()
    a.close()
    lsk.close()
    fin = sut_fin(c)
    check_state(FAM, c.sport, c.pport, FIN_WAIT1)
    c.send(ACK, ack=fin.end)
    check_state(FAM, c.sport, c.pport, FIN_WAIT2)
    c.send(FIN | ACK)
    sut_ack_of_fin(c, c.snd_nxt)
    check_state(FAM, c.sport, c.pport, TIME_WAIT)


# -------------------------------------------------------------- TIME_WAIT

def to_time_wait(server=False):
    """A connection the SUT closed first, ended by a three-segment close,
    now in TIME_WAIT.  SERVER: the SUT end is an accepted socket (its
    listener stays open).  Returns (listener or None, conn, FIN, ACK)."""
    if server:
        lsk, a, c = passive_open()
        a.close()
    else:
        lsk = None
        s, c, _, _ = active_open()
        s.close()
    fin = sut_fin(c)
    c.send(FIN | ACK, ack=fin.end)
    ack = sut_ack_of_fin(c, c.snd_nxt)
    check_state(FAM, c.sport, c.pport, TIME_WAIT)
    return lsk, c, fin, ack


def retransmit_fin(c):
    """The script's FIN once more (same seq), as if the ACK was lost."""
    c.send(FIN | ACK, seq=seq_add(c.snd_nxt, -1), advance=False)


@test("TIME_WAIT: a retransmitted FIN is ACKed again")
def t_tw_refin():
    _, c, _, ack1 = to_time_wait()
    probe_gap()
    retransmit_fin(c)
    ack2 = c.expect("ACK of the retransmitted FIN")
    only_flags(ack2, ACK, "answer to the retransmitted FIN")
    check_eq((ack2.seq, ack2.ack), (ack1.seq, ack1.ack),
             "(seq, ack) of the ACK")
    check_state(FAM, c.sport, c.pport, TIME_WAIT)


@test("TIME_WAIT: an RST is ignored (RFC 1337)")
def t_tw_rst():
    _, c, _, _ = to_time_wait()
    c.send(RST, seq=c.snd_nxt)
    check_eq(c.quiet(), [], "segments sent in answer to the RST")
    check_eq(state_name(state_of(FAM, c.sport, c.pport)), "TIME_WAIT",
             "state after the RST")


def need_msl():
    if FAM != "xtcp":
        raise Skip("Linux's TIME_WAIT lasts a fixed 60 s (TCP_TIMEWAIT_LEN)")
    if read_sysctl("net.xtcp.msl") is None:
        raise Fail("no sysctl net.xtcp.msl")


def wait_gone(c, deadline):
    """Time at which the socket leaves /proc, or None by DEADLINE."""
    while time.monotonic() < deadline:
        if state_of(FAM, c.sport, c.pport) is None:
            return time.monotonic()
        time.sleep(0.02)
    return None


@test("TIME_WAIT lasts 2 * net.xtcp.msl (msl = 1: 2 s)")
def t_tw_msl():
    need_msl()
    write_sysctl("net.xtcp.msl", 1)
    _, c, _, ack = to_time_wait()
    t0 = ack.t
    time.sleep(max(0.0, t0 + 1.0 - time.monotonic()))
    check_eq(state_name(state_of(FAM, c.sport, c.pport)), "TIME_WAIT",
             "state after 1 s")
    gone = wait_gone(c, t0 + 6.0)
    check(gone is not None, "TIME_WAIT still there after 6 s")
    diag("TIME_WAIT lasted %.2fs" % (gone - t0))
    check(1.5 <= gone - t0 <= 4.5, "TIME_WAIT lasted %.2fs, expected 2 s",
          gone - t0)


@test("TIME_WAIT: a retransmitted FIN restarts the 2 * msl timer")
def t_tw_restart():
    need_msl()
    write_sysctl("net.xtcp.msl", 2)
    TAP.defer(write_sysctl, "net.xtcp.msl", 1)
    _, c, _, ack = to_time_wait()
    t0 = ack.t
    time.sleep(max(0.0, t0 + 2.0 - time.monotonic()))
    retransmit_fin(c)
    ack2 = c.expect("ACK of the retransmitted FIN")
    t1 = ack2.t
    # the first timer would end at t0 + 4, the restarted one at t1 + 4
    time.sleep(max(0.0, t0 + 5.0 - time.monotonic()))
    check_eq(state_name(state_of(FAM, c.sport, c.pport)), "TIME_WAIT",
             "state 5 s after entering TIME_WAIT, 3 s after the restart")
    gone = wait_gone(c, t1 + 8.0)
    check(gone is not None, "TIME_WAIT still there 8 s after the restart")
    diag("TIME_WAIT lasted %.2fs after the restart" % (gone - t1))
    check(3.5 <= gone - t1 <= 6.5, "TIME_WAIT lasted %.2fs after the restart, "
          "expected 4 s", gone - t1)


@test("TIME_WAIT: SYN above rcv.nxt to the listener reopens (SYN-ACK)")
def t_tw_syn_new():
    lsk, c, _, ack = to_time_wait(server=True)
    old_nxt = c.snd_nxt
    isn = seq_add(old_nxt, 100000)
    c.send(SYN, seq=isn, opts=[("mss", 1460)], advance=False)
    c.snd_nxt = seq_add(isn, 1)
    sa = c.wait(lambda x: x.flags & SYN, "SYN-ACK",
                bad=lambda x: x.flags & RST)
    only_flags(sa, SYN | ACK, "answer to the new SYN", allow=ECE)
    check_eq(sa.ack, seq_add(isn, 1), "SYN-ACK ack")
    diag("new ISN = old snd.nxt %+d" % seq_diff(sa.seq, ack.seq))
    c.send(ACK)
    a, peer = xaccept(lsk, T_EXPECT)
    TAP.defer(abort, a)
    check_eq(peer, (socket.AF_INET, PEER, c.pport), "accept() address")
    check_state(FAM, c.sport, c.pport, ESTABLISHED)


@test("TIME_WAIT: SYN below rcv.nxt gets no SYN-ACK (an ACK or nothing)")
def t_tw_syn_old():
    _, c, _, ack = to_time_wait(server=True)
    probe_gap()
    c.send(SYN, seq=seq_add(c.snd_nxt, -1000), opts=[("mss", 1460)],
           advance=False)
    segs = c.quiet()
    for seg in segs:
        only_flags(seg, ACK, "answer to the old SYN")
        check_eq((seg.seq, seg.ack), (ack.seq, ack.ack),
                 "(seq, ack) of the ACK")
    diag("SUT answered the old SYN with %s" %
         ("an ACK" if segs else "nothing"))
    check_eq(state_name(state_of(FAM, c.sport, c.pport)), "TIME_WAIT", "state")


# --------------------------------------------------------------- RFC 5961

def bind_errno(s, port):
    """bind() to SUT:PORT; returns 0 or the errno."""
    try:
        xbind(s, SUT, port)
    except OSError as e:
        return e.errno
    return 0


@test("TIME_WAIT keeps the port: bind EADDRINUSE, SO_REUSEADDR rebinds")
def t_tw_port():
    # a server closed first; its child (listener had SO_REUSEADDR) is in
    # TIME_WAIT and the listener is gone: the classic server restart
    lsk, c, _, _ = to_time_wait(server=True)
    lsk.close()
    check_state(FAM, c.sport, c.pport, TIME_WAIT)
    s1 = sut_socket()
    err = bind_errno(s1, c.sport)
    check_eq(errno.errorcode.get(err, err), "EADDRINUSE",
             "bind() without SO_REUSEADDR")
    s2 = sut_socket()
    s2.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    err = bind_errno(s2, c.sport)
    check_eq(err, 0, "bind() with SO_REUSEADDR")
    s2.listen(4)
    check_state(FAM, c.sport, c.pport, TIME_WAIT)


@test("TIME_WAIT 4-tuple: connect() from it fails with EADDRNOTAVAIL")
def t_tw_connect_same_tuple():
    # the SUT connected from a port it bound with SO_REUSEADDR and closed
    # first; a new socket binds the same port and connects to the same peer
    pport, lport = port(), port()
    c = new_conn(pport)
    s = sut_socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    xbind(s, SUT, lport)
    s.setblocking(False)
    xconnect(s, PEER, pport)
    c.wait(lambda x: x.flags & SYN, "SYN")
    c.send(SYN | ACK, opts=[("mss", 1460)])
    c.wait(lambda x: x.flags & ACK and not x.flags & SYN, "ACK")
    s.close()
    fin = sut_fin(c)
    c.send(FIN | ACK, ack=fin.end)
    sut_ack_of_fin(c, c.snd_nxt)
    check_state(FAM, lport, pport, TIME_WAIT)
    s2 = sut_socket()
    s2.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    check_eq(bind_errno(s2, lport), 0, "bind() with SO_REUSEADDR")
    err = xconnect(s2, PEER, pport)
    check_eq(errno.errorcode.get(err, err), "EADDRNOTAVAIL",
             "connect() to the TIME_WAIT 4-tuple")
    check_state(FAM, lport, pport, TIME_WAIT)


def challenge_count():
    return counter(FAM, "TcpExt", "TCPChallengeACK")


def check_challenge_counter(before):
    after = challenge_count()
    if before is None or after is None:
        diag("no TcpExt TCPChallengeACK counter: not checked")
        return
    diag("TCPChallengeACK %d -> %d" % (before, after))
    check(after > before, "TCPChallengeACK did not increase")


def check_challenge_ack(c, x, what, seg=None):
    """The SUT's next segment (or SEG) must be a pure ACK at snd.nxt X
    acknowledging rcv.nxt (all the script sent)."""
    a = seg if seg is not None else c.expect(what)
    only_flags(a, ACK, what)
    check_eq(a.seq, x, what + " seq (snd.nxt)")
    check_eq(a.ack, c.snd_nxt, what + " ack (rcv.nxt)")
    check_eq(a.dlen, 0, what + " payload")


@test("RFC 5961: in-window RST not at rcv.nxt draws a challenge ACK")
def t_rst_inwindow():
    s, c, _, _ = active_open()
    before = challenge_count()
    c.send(RST, seq=seq_add(c.snd_nxt, 100))
    check_challenge_ack(c, c.rcv_nxt, "challenge ACK")
    check_state(FAM, c.sport, c.pport, ESTABLISHED)
    check_challenge_counter(before)
    check_alive(s, c)


@test("RFC 5961: RST at rcv.nxt resets: recv() fails with ECONNRESET")
def t_rst_exact():
    s, c, _, _ = active_open()
    c.send(RST, seq=c.snd_nxt)
    check_state(FAM, c.sport, c.pport, None)
    try:
        r = s.recv(10)
        raise Fail("recv() returned %r after the RST" % r)
    except ConnectionResetError:
        pass
    check_eq(c.quiet(), [], "segments sent in answer to the RST")


@test("RFC 5961: SYN in ESTABLISHED draws a challenge ACK")
def t_syn_established():
    s, c, _, _ = active_open()
    before = challenge_count()
    c.send(SYN, seq=c.snd_nxt, opts=[("mss", 1460)], advance=False)
    check_challenge_ack(c, c.rcv_nxt, "challenge ACK")
    check_state(FAM, c.sport, c.pport, ESTABLISHED)
    check_challenge_counter(before)
    check_alive(s, c)


@test("ACK of data never sent: ACKed, segment dropped")
def t_ack_unsent():
    s, c, _, _ = active_open()
    c.send(ACK | PSH, b"z" * 10, ack=seq_add(c.rcv_nxt, 1000), advance=False)
    if FAM == "inet":
        # RFC 9293 3.10.7.4 asks for an ACK; Linux's ESTABLISHED path
        # drops the segment silently up to 6.1 at least (6.18 ACKs it)
        segs = c.quiet(1.0)
        if segs:
            check_challenge_ack(c, c.rcv_nxt, "ACK", segs[0])
        else:
            diag("no ACK: this Linux drops such segments silently")
    else:
        check_challenge_ack(c, c.rcv_nxt, "ACK")
    check_eq(poll_events(s, select.POLLIN, 0.2), 0,
             "poll() of the SUT (the data must be dropped)")
    check_state(FAM, c.sport, c.pport, ESTABLISHED)
    check_alive(s, c)


@test("out-of-window data (old and beyond the window) draws an ACK")
def t_out_of_window():
    s, c, _, _ = active_open()
    send_data(c, b"d" * 20)
    check_eq(recv_all(s, 20), b"d" * 20, "data")
    probe_gap()
    # an old duplicate: the same 20 bytes again
    c.send(ACK | PSH, b"d" * 20, seq=seq_add(c.snd_nxt, -20))
    check_challenge_ack(c, c.rcv_nxt, "ACK of the old duplicate")
    probe_gap()
    # far beyond the receive window
    c.send(ACK | PSH, b"w" * 20, seq=seq_add(c.snd_nxt, 0x10000000),
           advance=False)
    check_challenge_ack(c, c.rcv_nxt, "ACK of the out-of-window data")
    check_eq(poll_events(s, select.POLLIN, 0.2), 0,
             "poll() of the SUT (nothing to read)")
    check_state(FAM, c.sport, c.pport, ESTABLISHED)
    check_alive(s, c)


RATELIMIT = {"xtcp": "net.xtcp.invalid_ratelimit",
             "inet": "net.ipv4.tcp_invalid_ratelimit"}


@test("ACKs to invalid segments are rate limited (500 ms), data ones not")
def t_oow_ratelimit():
    name = RATELIMIT[FAM]
    if not write_sysctl(name, 500):
        raise Fail("cannot set %s" % name)
    TAP.defer(write_sysctl, name, 0)
    s, c, _, _ = active_open()
    x = c.rcv_nxt
    # bare ACKs far beyond the window, 50 ms apart: one ACK, not three
    segs = []
    for _ in range(3):
        c.send(ACK, seq=seq_add(c.snd_nxt, 0x10000000), advance=False)
        segs += c.quiet(0.05)
    segs += c.quiet(0.2)
    check_eq(len(segs), 1, "ACKs for 3 invalid bare ACKs within 150 ms")
    check_challenge_ack(c, x, "ACK of the invalid segment", seg=segs[0])
    # old duplicate data is always answered: the peer's recovery needs it
    send_data(c, b"d" * 10)
    check_eq(recv_all(s, 10), b"d" * 10, "data")
    for i in range(2):
        c.send(ACK | PSH, b"d" * 10, seq=seq_add(c.snd_nxt, -10),
               advance=False)
        check_challenge_ack(c, x, "ACK of old duplicate data %d" % (i + 1))
    check_alive(s, c)


# ------------------------------------------------------------ RSTs sent
#
# Every RST of these cases must be the SUT's own: the family under test
# counts exactly one more Tcp OutRsts for it and, for XTCP, Linux TCP counts
# none (a segment no XTCP socket takes goes on to Linux TCP, which would
# answer with a RST just alike).

def rst_counts():
    """(Tcp OutRsts of the family under test, Tcp OutRsts of Linux TCP)."""
    return (counter(FAM, "Tcp", "OutRsts"), counter("inet", "Tcp", "OutRsts"))


def check_rst_origin(before, what, n=1):
    """Since BEFORE (rst_counts()) the SUT's family sent N RSTs and, when
    that is XTCP, Linux TCP none."""
    after = rst_counts()
    check(None not in before + after, "%s: no Tcp OutRsts counter (%s)",
          what, "/proc/net/xtcp_snmp" if FAM == "xtcp" else "/proc/net/snmp")
    diag("  Tcp OutRsts: %s %d -> %d%s" % (
        FAM, before[0], after[0], ", Linux TCP %d -> %d" % (
            before[1], after[1]) if FAM == "xtcp" else ""))
    check_eq(after[0] - before[0], n,
             "%s: RSTs counted by %s (Tcp OutRsts)" % (what, FAM))
    if FAM == "xtcp":
        check_eq(after[1] - before[1], 0,
                 "%s: RSTs counted by Linux TCP (not XTCP's RST)" % what)


def expect_rst(c, seq, what, ack=None, timeout=None):
    """The SUT's next RST on C (other segments, e.g. retransmitted SYNs,
    skipped): flags exactly RST (RST|ACK with ACK), seq SEQ, no payload."""
    r = c.wait(lambda x: x.flags & RST, what, timeout=timeout, bad=None)
    only_flags(r, RST | (ACK if ack is not None else 0), what)
    check_eq(r.seq, seq, what + " seq")
    if ack is not None:
        check_eq(r.ack, ack, what + " ack")
    check_eq(r.dlen, 0, what + " payload")
    return r


@test("no XTCP socket: a SYN to the port goes on to Linux TCP (its RST|ACK), "
      "XTCP sends nothing")
def t_closed_syn():
    # not XTCP's RST: this checks that XTCP leaves alone a segment that no
    # XTCP socket takes (the netfilter hook accepts it)
    c = new_conn(port(), sport=port())
    before = rst_counts()
    c.send(SYN, opts=[("mss", 1460)])
    r = c.expect("Linux TCP's RST")
    only_flags(r, RST | ACK, "answer to the SYN")
    check_eq(r.seq, 0, "RST seq")
    check_eq(r.ack, seq_add(c.iss, 1), "RST ack")
    check_eq(r.dlen, 0, "RST payload")
    after = rst_counts()
    check_eq(after[1] - before[1], 1, "RSTs counted by Linux TCP")
    if FAM == "xtcp":
        check_eq(after[0] - before[0], 0, "RSTs counted by XTCP")
    check_eq(c.quiet(), [], "segments after the RST")


@test("no XTCP socket: an ACK to the port goes on to Linux TCP (its RST seq "
      "SEG.ACK), XTCP sends nothing")
def t_closed_ack():
    c = new_conn(port(), sport=port())
    before = rst_counts()
    c.send(ACK, ack=0x12345678)
    r = c.expect("Linux TCP's RST")
    only_flags(r, RST, "answer to the ACK")
    check_eq(r.seq, 0x12345678, "RST seq")
    after = rst_counts()
    check_eq(after[1] - before[1], 1, "RSTs counted by Linux TCP")
    if FAM == "xtcp":
        check_eq(after[0] - before[0], 0, "RSTs counted by XTCP")


def check_listener_alone(lsk, lport, pport):
    check_eq(state_name(state_of(FAM, lport, pport)), "(no socket)",
             "state of a child socket")
    check_eq(state_name(state_of(FAM, lport, None)), "LISTEN",
             "listener state")
    check_eq(poll_events(lsk, select.POLLIN, 0), 0, "poll() of the listener")


@test("LISTEN: ACK without SYN -> the SUT's RST seq SEG.ACK, no child")
def t_listener_ack():
    lport = port()
    lsk = listener(lport)
    c = new_conn(port(), sport=lport)
    before = rst_counts()
    c.send(ACK | PSH, b"no handshake", ack=0x0badcafe)
    expect_rst(c, 0x0badcafe, "RST to the ACK")
    check_rst_origin(before, "RST to the ACK")
    check_listener_alone(lsk, lport, c.pport)
    check_eq(c.quiet(), [], "segments after the RST")


@test("LISTEN: SYN|ACK -> the SUT's RST seq SEG.ACK, no child, no SYN-ACK")
def t_listener_synack():
    lport = port()
    lsk = listener(lport)
    c = new_conn(port(), sport=lport)
    before = rst_counts()
    c.send(SYN | ACK, ack=0x0badcafe, opts=[("mss", 1460)], advance=False)
    expect_rst(c, 0x0badcafe, "RST to the SYN|ACK")
    check_rst_origin(before, "RST to the SYN|ACK")
    check_listener_alone(lsk, lport, c.pport)
    check_eq(c.quiet(), [], "segments after the RST")
    # the listener still works
    c.send(SYN, opts=[("mss", 1460)])
    c.wait(lambda x: x.has(SYN | ACK), "SYN-ACK")
    c.send(ACK)
    xaccept(lsk, T_EXPECT)[0].close()


@test("SYN_SENT: ACK of ISS or beyond SND.NXT -> the SUT's RST seq SEG.ACK, "
      "connect goes on")
def t_synsent_bad_ack():
    pport = port()
    c, s, syn = sut_connect(pport)
    iss = syn.seq
    # SEG.ACK =< ISS: a SYN-ACK of an older SYN
    before = rst_counts()
    c.send(SYN | ACK, ack=iss, opts=[("mss", 1460)], advance=False)
    expect_rst(c, iss, "RST to the SYN-ACK acking ISS")
    check_rst_origin(before, "RST to the SYN-ACK acking ISS")
    check_state(FAM, c.sport, pport, SYN_SENT)
    # SEG.ACK > SND.NXT: a bare ACK of what was never sent
    bad = seq_add(iss, 2)
    before = rst_counts()
    c.send(ACK, ack=bad, seq=seq_add(c.iss, 1), advance=False)
    expect_rst(c, bad, "RST to the ACK beyond SND.NXT")
    check_rst_origin(before, "RST to the ACK beyond SND.NXT")
    check_state(FAM, c.sport, pport, SYN_SENT)
    check_eq(so_error(s), 0, "SO_ERROR after the RSTs")
    # the right SYN-ACK still completes the handshake
    c.send(SYN | ACK, ack=seq_add(iss, 1), opts=[("mss", 1460)])
    ack = c.wait(lambda x: x.flags & ACK and not x.flags & SYN,
                 "ACK of the SYN-ACK")
    check_eq(ack.ack, c.snd_nxt, "ACK of the SYN-ACK: ack")
    check_state(FAM, c.sport, pport, ESTABLISHED)


@test("SYN_RECV (request): ACK of anything but the SYN-ACK -> the SUT's RST "
      "seq SEG.ACK, the request survives")
def t_request_bad_ack():
    lport = port()
    lsk = listener(lport)
    c = new_conn(port(), sport=lport)
    c.send(SYN, opts=[("mss", 1460)])
    sa = c.wait(lambda x: x.has(SYN | ACK), "SYN-ACK")
    for what, bad in (("beyond the SYN-ACK", seq_add(sa.seq, 1001)),
                      ("of ISS", sa.seq)):
        before = rst_counts()
        c.send(ACK, ack=bad)
        expect_rst(c, bad, "RST to the ACK " + what)
        check_rst_origin(before, "RST to the ACK " + what)
        check_eq(poll_events(lsk, select.POLLIN, 0), 0,
                 "poll() of the listener after the ACK " + what)
    # the request is still there: the right ACK completes it
    c.send(ACK | PSH, b"late but right")
    a, _ = xaccept(lsk, T_EXPECT)
    set_timeouts(a, 10)
    TAP.defer(abort, a)
    check_eq(recv_all(a, 14), b"late but right", "data of the right ACK")
    check_state(FAM, lport, c.pport, ESTABLISHED)


@test("SYN_RECV (simultaneous open): ACK beyond SND.NXT -> the SUT's RST seq "
      "SEG.ACK, the socket stays")
def t_simopen_bad_ack():
    pport = port()
    c, s, syn = sut_connect(pport)
    c.send(SYN, opts=[("mss", 1460)])		# crossing SYN, no ACK
    c.wait(lambda x: x.has(SYN | ACK), "SYN-ACK")
    check_state(FAM, c.sport, pport, SYN_RECV)
    bad = seq_add(syn.seq, 1001)
    before = rst_counts()
    c.send(ACK, ack=bad)
    expect_rst(c, bad, "RST to the ACK beyond SND.NXT")
    check_rst_origin(before, "RST to the ACK beyond SND.NXT")
    check_state(FAM, c.sport, pport, SYN_RECV)
    c.send(SYN | ACK, seq=c.iss, ack=seq_add(syn.seq, 1),
           opts=[("mss", 1460)], advance=False)
    check_state(FAM, c.sport, pport, ESTABLISHED)
    check_eq(so_error(s), 0, "SO_ERROR")


@test("FIN_WAIT2 after close(): new data -> the SUT's RST seq SEG.ACK, "
      "socket gone (RFC 1122 4.2.2.13)")
def t_closed_data_rst():
    s, c, _, _ = active_open()
    s.close()
    fin = sut_fin(c)
    c.send(ACK, ack=fin.end)
    check_state(FAM, c.sport, c.pport, FIN_WAIT2)
    before = rst_counts()
    c.send(ACK | PSH, b"nobody reads this")
    expect_rst(c, fin.end, "RST to data after close()")
    check_rst_origin(before, "RST to data after close()")
    check_state(FAM, c.sport, c.pport, None)
    check_eq(c.quiet(), [], "segments after the RST")


# -------------------------------------------------- reassembly and windows

PATTERN = bytes(range(256)) * 64


@test("out-of-order: 2 then 1: duplicate ACK, then ACK of both")
def t_ooo():
    # the peer's numbers cross 2^32 in the middle of the data
    s, c, _, _ = active_open(isn=0xfffffa00)
    base = c.snd_nxt
    data = PATTERN[:2000]
    c.send(ACK | PSH, data[1000:], seq=seq_add(base, 1000), advance=False)
    d = c.expect("duplicate ACK")
    only_flags(d, ACK, "answer to segment 2")
    check_eq(seq_diff(d.ack, base), 0, "duplicate ACK: ack - first missing")
    c.send(ACK, data[:1000], seq=base)
    c.snd_nxt = seq_add(base, 2000)
    a = c.wait(lambda x: x.flags & ACK and x.ack != base, "ACK of both")
    check_eq(seq_diff(a.ack, base), 2000, "ACK after the hole is filled")
    check_eq(recv_all(s, 2000), data, "data read")


@test("out-of-order: hole filled by an overlapping retransmission")
def t_ooo_overlap():
    s, c, _, _ = active_open()
    base = c.snd_nxt
    data = PATTERN[7:3007]
    send_data(c, data[:1000], "first 1000 bytes")
    c.send(ACK | PSH, data[2000:], seq=seq_add(base, 2000), advance=False)
    d = c.expect("duplicate ACK")
    only_flags(d, ACK, "answer to bytes 2000-2999")
    check_eq(seq_diff(d.ack, base), 1000, "duplicate ACK: ack - base")
    c.send(ACK | PSH, data[500:2500], seq=seq_add(base, 500), advance=False)
    c.snd_nxt = seq_add(base, 3000)
    a = c.wait(lambda x: x.flags & ACK and seq_diff(x.ack, base) > 1000,
               "ACK of all 3000 bytes")
    check_eq(seq_diff(a.ack, base), 3000, "ACK after the overlap")
    check_eq(recv_all(s, 3000), data, "data read")


def collect(c, una, total, win, data):
    """Receive the SUT's stream from UNA: in each round take the segments
    it sends until it stops for 0.3 s, check none goes past UNA + WIN, then
    ACK all in order (with window WIN).  Returns the data segments."""
    got = bytearray()
    hi = una
    segs = []
    end = time.monotonic() + 10 * T_EXPECT
    while len(got) < total:
        check(time.monotonic() < end, "transfer did not finish")
        first = c.next(T_EXPECT)
        check(first is not None, "SUT sent nothing with %d bytes of window"
              " open", win - seq_diff(hi, una))
        burst = [first] + c.quiet(0.3)
        for seg in burst:
            if not seg.dlen:
                continue
            seg.retrans = seq_diff(seg.seq, hi) < 0
            segs.append(seg)
            check(seq_diff(seg.end, una) <= win, "segment %d-%d is beyond "
                  "the window (%d bytes from snd.una %d)",
                  seq_diff(seg.seq, c.sut_iss), seq_diff(seg.end, c.sut_iss),
                  win, seq_diff(una, c.sut_iss))
            if seg.seq == hi:
                got += seg.data
                hi = seg.end
        c.send(ACK, ack=hi, win=win)
        una = hi
    check_eq(bytes(got), data, "data received")
    return segs


@test("flow control: 5000-byte write into a 1000-byte window")
def t_window():
    s, c, syn, ack = active_open(win=1000)
    check(syn.win > 0 and ack.win > 0, "SUT advertised window 0")
    data = PATTERN[:5000]
    Bg(s.sendall, data).finish()
    segs = collect(c, c.rcv_nxt, 5000, 1000, data)
    diag("segments (r: retransmission): %s" % " ".join(
        "%d%s" % (x.dlen, "r" if x.retrans else "") for x in segs))


@test("segmentation: 10000-byte write, peer MSS 1000: segments <= 1000, "
      "PSH on the last")
def t_segmentation():
    s, c, _, _ = active_open(mss=1000)
    data = PATTERN[:10000]
    Bg(s.sendall, data).finish()
    segs = collect(c, c.rcv_nxt, 10000, 65535, data)
    diag("segments (P: PSH, r: retransmission): %s" % " ".join(
        "%d%s%s" % (x.dlen, "P" if x.flags & PSH else "",
                    "r" if x.retrans else "") for x in segs))
    big = [x.dlen for x in segs if x.dlen > 1000]
    check(not big, "segments longer than the MSS: %s", big)
    last = [x for x in segs if x.end == seq_add(c.sut_iss, 10001)]
    check(last and last[-1].flags & PSH, "no PSH on the last segment")


# ------------------------------------------------------------------ timers

KNOBS = {"syn_retries": "tcp_syn_retries", "synack_retries":
         "tcp_synack_retries", "retries2": "tcp_retries2"}


def set_knob(name, value):
    """net.xtcp.NAME, or Linux's net.ipv4 equivalent; restored after."""
    full = ("net.xtcp." + name if FAM == "xtcp"
            else "net.ipv4." + KNOBS[name])
    old = read_sysctl(full)
    if old is None or not write_sysctl(full, value):
        raise Fail("no sysctl %s" % full)
    TAP.defer(write_sysctl, full, old)


def gaps(times):
    return [b - a for a, b in zip(times, times[1:])]


def near(x, want, what):
    """X within generous bounds of WANT seconds (an emulated guest)."""
    check(want * 0.75 <= x <= want * 1.6 + 0.3,
          "%s: %.2fs, expected about %.1fs", what, x, want)


@test("SYN retries: 1 s then 2 s apart, ETIMEDOUT after syn_retries = 2")
def t_syn_retries():
    set_knob("syn_retries", 2)
    # Linux 6.5+ spaces its first SYN retries 1 s apart; 6.1 and XTCP
    # back off from the first (RFC 6298 5.5)
    old = read_sysctl("net.ipv4.tcp_syn_linear_timeouts")
    if FAM == "inet" and old is not None:
        write_sysctl("net.ipv4.tcp_syn_linear_timeouts", 0)
        TAP.defer(write_sysctl, "net.ipv4.tcp_syn_linear_timeouts", old)
    pport = port()
    c = new_conn(pport)
    s = sut_socket()
    s.setblocking(False)
    xconnect(s, PEER, pport)
    syns, err = [], 0
    end = time.monotonic() + 15
    while time.monotonic() < end:
        seg = c.next(0.1)
        if seg is not None and seg.flags & SYN:
            syns.append(seg.t)
        if poll_events(s, select.POLLOUT | select.POLLERR, 0):
            err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            break
    failed = time.monotonic()
    diag("SYNs at %s s, connect failed at %.2f s" % (
        " ".join("%.2f" % (t - syns[0]) for t in syns), failed - syns[0]))
    check_eq(len(syns), 3, "SYNs sent (the first and 2 retries)")
    near(gaps(syns)[0], 1.0, "first SYN retry")
    near(gaps(syns)[1], 2.0, "second SYN retry")
    check_eq(errno.errorcode.get(err, err), "ETIMEDOUT", "SO_ERROR")
    near(failed - syns[0], 7.0, "connect() gave up")


@test("SYN-ACK retries: 1 s then 2 s apart, request dropped after 2 retries")
def t_synack_retries():
    set_knob("synack_retries", 2)
    lport, pport = port(), port()
    listener(lport)
    c = new_conn(pport, sport=lport)
    c.send(SYN, opts=[("mss", 1460)])
    sas = []
    end = time.monotonic() + 12
    gone = None
    while time.monotonic() < end:
        seg = c.next(0.1)
        if seg is not None and seg.has(SYN | ACK):
            sas.append(seg.t)
        if sas and time.monotonic() - sas[0] > 2 and \
                state_of(FAM, lport, pport) is None:
            gone = time.monotonic()
            break
    check(sas, "no SYN-ACK")
    diag("SYN-ACKs at %s s, request gone at %s" % (
        " ".join("%.2f" % (t - sas[0]) for t in sas),
        "%.2f s" % (gone - sas[0]) if gone else "never"))
    check_eq(len(sas), 3, "SYN-ACKs sent (the first and 2 retries)")
    near(gaps(sas)[0], 1.0, "first SYN-ACK retry")
    near(gaps(sas)[1], 2.0, "second SYN-ACK retry")
    check(gone is not None, "the request is still there after 12 s")
    near(gone - sas[0], 7.0, "request dropped")


def unacked_send(s, c, n=100):
    """The SUT sends N bytes the script never acknowledges; returns the
    times of the transmissions seen until the socket fails, and the
    error it fails with."""
    s.setblocking(False)
    s.send(b"t" * n)
    times, err = [], 0
    end = time.monotonic() + 20
    while time.monotonic() < end:
        seg = c.next(0.05)
        if seg is not None and seg.dlen:
            times.append(seg.t)
        if poll_events(s, select.POLLERR, 0):
            err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            break
    return times, err, time.monotonic()


@test("RTO from the measured RTT (200 ms floor), doubling, ETIMEDOUT "
      "after retries2 = 3")
def t_rto_backoff():
    set_knob("retries2", 3)
    s, c, _, _ = active_open()
    send_data(c, b"x" * 10)		# the SUT's ACK: a round trip ~ms
    check_eq(recv_all(s, 10), b"x" * 10, "data")
    s.send(b"y" * 10)
    d = c.wait(lambda x: x.dlen > 0, "data")
    c.send(ACK, ack=d.end)		# prompt ACK: another RTT sample
    times, err, failed = unacked_send(s, c)
    g = gaps(times)
    diag("retransmissions after %s s; failed at %.2f s" % (
        " ".join("%.2f" % x for x in g), failed - times[0]))
    check(len(g) >= 3, "only %d retransmissions", len(g))
    check(0.15 <= g[0] <= 0.7, "first RTO %.2fs: not from the measured "
          "RTT (about 0.2 s expected, 1 s is the initial RTO)", g[0])
    for a, b in zip(g, g[1:]):
        check(1.5 <= b / a <= 2.7, "RTO went from %.2fs to %.2fs, not "
              "doubled", a, b)
    check_eq(errno.errorcode.get(err, err), "ETIMEDOUT", "SO_ERROR")
    check(1.8 <= failed - times[0] <= 8, "gave up after %.2fs, expected "
          "about 3 s", failed - times[0])


@test("TCP_USER_TIMEOUT 1500 ms: ETIMEDOUT 1.5 s after the data was sent")
def t_user_timeout():
    s, c, _, _ = active_open()
    s.setsockopt(socket.IPPROTO_TCP, 18, 1500)	# TCP_USER_TIMEOUT
    check_eq(s.getsockopt(socket.IPPROTO_TCP, 18), 1500, "TCP_USER_TIMEOUT")
    times, err, failed = unacked_send(s, c)
    diag("%d transmissions, failed at %.2f s" % (len(times),
                                                  failed - times[0]))
    check_eq(errno.errorcode.get(err, err), "ETIMEDOUT", "SO_ERROR")
    near(failed - times[0], 1.5, "gave up")


@test("keepalive: probes after TCP_KEEPIDLE, answered ones reset the count, "
      "ETIMEDOUT after TCP_KEEPCNT unanswered")
def t_keepalive():
    s, c, _, _ = active_open()
    s.setsockopt(socket.IPPROTO_TCP, 4, 1)	# TCP_KEEPIDLE 1 s
    s.setsockopt(socket.IPPROTO_TCP, 5, 1)	# TCP_KEEPINTVL 1 s
    s.setsockopt(socket.IPPROTO_TCP, 6, 2)	# TCP_KEEPCNT 2
    check_eq([s.getsockopt(socket.IPPROTO_TCP, o) for o in (4, 5, 6)],
             [1, 1, 2], "TCP_KEEPIDLE/KEEPINTVL/KEEPCNT")
    s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    t0 = time.monotonic()
    # a probe: an ACK at SND.UNA - 1 without data; the script answers
    p1 = c.expect("keepalive probe", timeout=4)
    only_flags(p1, ACK, "keepalive probe")
    check_eq(p1.seq, seq_add(c.rcv_nxt, -1), "probe seq (SND.UNA - 1)")
    check(p1.dlen <= 1, "probe carries %d bytes", p1.dlen)
    near(p1.t - t0, 1.0, "first probe")
    c.send(ACK)
    # answered: the next probe comes after the idle time again
    p2 = c.expect("second keepalive probe", timeout=4)
    near(p2.t - p1.t, 1.0, "probe after an answered one")
    # now the peer is gone: KEEPCNT probes in all, then a reset
    probes, err = [p2.t], 0
    end = time.monotonic() + 10
    while time.monotonic() < end:
        seg = c.next(0.05)
        if seg is not None and not seg.flags & RST:
            probes.append(seg.t)
        if poll_events(s, select.POLLERR, 0):
            err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            break
    failed = time.monotonic()
    diag("unanswered probes at %s s, failed at %.2f s" % (
        " ".join("%.2f" % (t - p2.t) for t in probes), failed - p2.t))
    check_eq(len(probes), 2, "unanswered probes")
    check_eq(errno.errorcode.get(err, err), "ETIMEDOUT", "SO_ERROR")
    near(failed - p2.t, 2.0, "keepalive gave up")


@test("full accept queue: the SYN is dropped, no RST; ListenOverflows and "
      "ListenDrops count it")
def t_listen_overflow():
    lport = port()
    listener(lport, backlog=1)
    before = [counter(FAM, "TcpExt", n) for n in ("ListenOverflows",
                                                   "ListenDrops")]
    dropped = None
    for i in range(4):
        c = new_conn(port(), sport=lport)
        c.send(SYN, opts=[("mss", 1460)])
        seg = c.next(1.0)
        if seg is None:
            dropped = i
            break
        only_flags(seg, SYN | ACK, "answer to SYN %d" % (i + 1), allow=ECE)
        c.send(ACK)			# established, never accepted
        check_eq(c.quiet(0.2), [], "answer to the ACK %d" % (i + 1))
    check(dropped is not None, "4 connections fit a backlog of 1")
    diag("backlog 1: SYN %d dropped" % (dropped + 1))
    after = [counter(FAM, "TcpExt", n) for n in ("ListenOverflows",
                                                  "ListenDrops")]
    if None in before or None in after:
        diag("counters not readable: not checked")
        return
    check(after[0] > before[0], "ListenOverflows did not move")
    check(after[1] > before[1], "ListenDrops did not move")


@test("zero window: probes with backoff, answered ones never time out, "
      "data flows when the window opens")
def t_zero_window():
    set_knob("retries2", 3)	# more answered probes than this: still alive
    s, c, _, _ = active_open(win=1000)
    data = PATTERN[:3000]
    s.setblocking(False)
    check_eq(s.send(data), 3000, "send() into the send buffer")
    d = c.wait(lambda x: x.dlen > 0, "data")
    for x in c.quiet(0.3):		# Linux sends 2 x 500 (half the window)
        if x.dlen and seq_diff(x.end, d.end) > 0:
            d = x
    check_eq(seq_diff(d.end, c.sut_iss), 1001,
             "bytes sent into a 1000-byte window")
    c.send(ACK, ack=d.end, win=0)	# the reader stopped: window shut
    probes = []
    end = time.monotonic() + 15
    while len(probes) < 4 and time.monotonic() < end:
        seg = c.next(0.2)
        if seg is None:
            continue
        check(seg.dlen <= 1, "%d bytes sent into a zero window", seg.dlen)
        probes.append(seg.t)
        c.send(ACK, ack=d.end, win=0)	# answered, still shut
    g = gaps(probes)
    diag("probes %s s apart" % " ".join("%.2f" % x for x in g))
    check_eq(len(probes), 4, "probes answered with a zero window")
    # backoff (Linux caps it at retries2 doublings: the last ones level off)
    check(g[1] >= g[0] * 1.4, "probe interval went from %.2fs to %.2fs",
          g[0], g[1])
    for a, b in zip(g, g[1:]):
        check(b >= a * 0.9, "probe interval went from %.2fs down to %.2fs",
              a, b)
    check_state(FAM, c.sport, c.pport, ESTABLISHED)
    c.send(ACK, ack=d.end, win=65535)	# the reader is back
    rest = collect(c, d.end, 2000, 65535, data[1000:])
    diag("after the window opened: %d segments, %d bytes" % (
        len(rest), sum(x.dlen for x in rest)))


def main():
    global FAM, TUN
    args = common_args("lifecycle.py", __doc__)
    FAM = args.family
    setup_env(TAP, args)
    # Linux: ACK every probe (no per-socket rate limit) and keep TIME_WAIT
    # on RST (RFC 1337); harmless for XTCP.
    write_sysctl("net.ipv4.tcp_invalid_ratelimit", 0)
    write_sysctl("net.ipv4.tcp_rfc1337", 1)
    if FAM == "xtcp":
        write_sysctl("net.xtcp.invalid_ratelimit", 0)
    if FAM == "xtcp" and not write_sysctl("net.xtcp.msl", 1):
        diag("no net.xtcp.msl: TIME_WAIT lasts the module's default")
    try:
        TUN = Tun(mtu=MTU)
    except Exception as e:
        TAP.bail("cannot set up the tun device: %s" % e)
        TAP.finish()
    diag("family %s: SUT %s <-> tun (MTU %d) <-> scripted peer %s"
         % (FAM, SUT, MTU, PEER))
    TAP.run(args.only)
    TAP.finish()


if __name__ == "__main__":
    main()
