# SPDX-License-Identifier: GPL-2.0
"""
listen.py --family xtcp|inet [NAME...]

The listen path against a scripted peer and through real sockets: request
socks in SYN-RECEIVED (seen in /proc as SYN_RECV), SYN-ACK retransmission
and the expiry of a request after net.xtcp.synack_retries, the SYN queue
limit with and without SYN cookies, cookies always on (syncookies=2) with
their options carried in the timestamp, forged cookies, a full accept
queue dropping the handshake's ACK without RST, clients beyond the backlog
completing once the server accepts, and SO_REUSEPORT.  Each subtest is
checked against Linux TCP (--family inet, net.ipv4.tcp_* sysctls).

The SUT lives at 10.99.0.1 behind a tun device whose far side, 10.99.0.2,
is this script.  Run it through listen.sh, which gives it a private
network namespace.
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
from xtcp_pkt import (ACK, ESTABLISHED, RST, SYN, SYN_RECV, T_EXPECT, Conn,
                      Fail, Tap, abort, check, check_eq, check_state,
                      common_args, counter, diag, entry_of, make_socket,
                      recv_all, seq_diff, set_timeouts, setup_env,
                      so_error, wait_poll, xaccept, xbind, xconnect,
                      xgetsockname)
from xtcp_pkt import (port_allocator, sysctl_knobs, test_registry,
                      tun_main)

SUT = "10.99.0.1"
PEER = "10.99.0.2"
MTU = 1500
SOL_XTCP, XTCP_REUSEPORT = 0x5854, 100
SO_REUSEPORT = 15

FAM = "xtcp"
TUN = None
TESTS = []
TAP = Tap(TESTS)
test = test_registry(TESTS)
port = port_allocator(24000)

knob, set_knob = sysctl_knobs(
    TAP, lambda: FAM, {"synack_retries": "tcp_synack_retries",
                       "syncookies": "tcp_syncookies"})


def ctr(name):
    return counter(FAM, "TcpExt", name)


class Ctrs:
    """Counters read at creation; delta(name) is what they moved since
    (None where the family has no such counter)."""

    def __init__(self, *names):
        self.before = {n: ctr(n) for n in names}

    def delta(self, name):
        a, b = ctr(name), self.before.get(name)
        return None if a is None or b is None else a - b

    def check(self, name, want, exact=True):
        d = self.delta(name)
        if d is None:
            diag("(%s: no such counter for %s)" % (name, FAM))
            return
        if exact:
            check_eq(d, want, name)
        else:
            check(d >= want, "%s moved by %d, expected at least %d",
                  name, d, want)


def isn_for(p):
    return (p * 2654435761) & 0xffffffff


def new_conn(pport, sport):
    TUN.drain()
    c = Conn(TUN, pport, sport, isn_for(pport))
    TAP.defer(c.rst)
    return c


def sut_socket():
    s = make_socket(FAM)
    set_timeouts(s, 10)
    TAP.defer(abort, s)
    return s


def listener(lport, backlog=8, addr=SUT, reuseport=False):
    sk = sut_socket()
    sk.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuseport:
        set_reuseport(sk)
    xbind(sk, addr, lport)
    sk.listen(backlog)
    return sk


def set_reuseport(sk):
    if FAM == "xtcp":
        sk.setsockopt(SOL_XTCP, XTCP_REUSEPORT, 1)
        check_eq(sk.getsockopt(socket.SOL_SOCKET, SO_REUSEPORT), 1,
                 "SO_REUSEPORT read back")
    else:
        sk.setsockopt(socket.SOL_SOCKET, SO_REUSEPORT, 1)


SYN_OPTS = [("mss", 1460), ("sackok",), ("ts", 7000, 0), ("nop",),
            ("wscale", 6)]


def opt(seg, kind):
    for o in seg.opts:
        if o[0] == kind:
            return o
    return None


def syn(c, opts=None):
    """Send a SYN; returns the SYN-ACK or None (after 0.5 s)."""
    c.send(SYN, opts=SYN_OPTS if opts is None else opts)
    return c.next(0.5)


def complete(c, synack, data=b""):
    """The handshake's ACK (echoing the SYN-ACK's TSval if it had one)."""
    ts = opt(synack, "ts")
    opts = [("nop",), ("nop",), ("ts", 7001, ts[1])] if ts else []
    c.send(ACK | (0x08 if data else 0), data=data, opts=opts)


# ------------------------------------------------------------------ tests

@test("a SYN makes a request: SYN_RECV in /proc, SYN-ACK resent with "
      "backoff, and the request ends after synack_retries")
def t_request_expiry():
    set_knob("synack_retries", 1)
    set_knob("syncookies", 1)
    lport, pport = port(), port()
    listener(lport)
    ctrs = Ctrs("ReqExpired")
    c = new_conn(pport, lport)
    t0 = time.monotonic()
    sa = syn(c)
    check(sa is not None and sa.has(SYN | ACK), "no SYN-ACK")
    check(opt(sa, "wscale") is not None and opt(sa, "sackok") is not None,
          "SYN-ACK options: %s", sa.opts)
    check_state(FAM, lport, pport, SYN_RECV)
    again = c.expect("resent SYN-ACK", 2.5)
    check(again.has(SYN | ACK) and again.seq == sa.seq,
          "resent SYN-ACK: %s", again.show(0, 0))
    dt = time.monotonic() - t0
    check(0.8 <= dt <= 1.8, "SYN-ACK resent after %.2fs, expected ~1s", dt)
    # a repeated SYN is answered at once with the same SYN-ACK
    c.send(SYN, seq=c.iss, opts=SYN_OPTS)
    rep = c.expect("SYN-ACK to the repeated SYN", 1.0)
    check(rep.has(SYN | ACK) and rep.seq == sa.seq, "answer to the repeated "
          "SYN: %s", rep.show(0, 0))
    # 1 resend: the request ends 1 + 2 s after the first SYN-ACK
    deadline = t0 + 6.0
    while entry_of(FAM, lport, pport) is not None:
        if time.monotonic() > deadline:
            raise Fail("request still there %.1fs after the SYN" %
                       (time.monotonic() - t0))
        time.sleep(0.1)
    dt = time.monotonic() - t0
    diag("request gone %.2fs after the SYN" % dt)
    check(dt >= 2.5, "request ended after %.2fs, expected ~3s" % dt)
    ctrs.check("ReqExpired", 1)
    # its ACK now comes too late: RST
    complete(c, sa)
    r = c.expect("RST to the late ACK", 1.0)
    check(r.flags & RST, "answer to the late ACK: %s", r.show(0, 0))


@test("a SYN with another ISN for a request draws an ACK; the peer's RST "
      "ends the request, and its next SYN gets a SYN-ACK")
def t_request_restarted_peer():
    set_knob("syncookies", 1)
    lport, pport = port(), port()
    listener(lport)
    c = new_conn(pport, lport)
    sa = syn(c)
    check(sa is not None, "no SYN-ACK")
    old_irs = c.iss
    c.iss = c.snd_nxt = (c.iss + 0x40000000) & 0xffffffff	# restarted
    c.send(SYN, opts=SYN_OPTS)
    a = c.expect("answer to the new SYN", 1.0)
    check(a.flags == ACK and a.ack == (old_irs + 1) & 0xffffffff,
          "answer to a SYN with another ISN: %s, expected an ACK of the "
          "old SYN", a.show(0, 0))
    # the peer's TCP answers that ACK with RST at its SEG.ACK
    c.send(RST, seq=a.ack, quiet=False, advance=False)
    time.sleep(0.2)
    check(entry_of(FAM, lport, pport) is None,
          "the request survived the RST at IRS + 1")
    c.snd_nxt = c.iss
    sa2 = syn(c)
    check(sa2 is not None and sa2.has(SYN | ACK) and
          sa2.ack == (c.iss + 1) & 0xffffffff,
          "SYN-ACK for the new ISN: %s", sa2.show(0, 0) if sa2 else None)


@test("full SYN queue, syncookies=0: further SYNs are dropped and counted "
      "(TCPReqQFullDrop, ListenDrops)")
def t_synq_full_drop():
    set_knob("syncookies", 0)
    lport = port()
    listener(lport, backlog=4)
    ctrs = Ctrs("TCPReqQFullDrop", "ListenDrops", "SyncookiesSent")
    answered = []
    for i in range(7):
        c = new_conn(port(), lport)
        answered.append(syn(c) is not None)
    diag("SYNs answered: %s" % answered)
    # backlog 4: 5 requests, as Linux (its queues hold one more)
    check_eq(answered, [True] * 5 + [False] * 2, "SYNs answered")
    ctrs.check("TCPReqQFullDrop", 2)
    ctrs.check("ListenDrops", 2)
    ctrs.check("SyncookiesSent", 0)


@test("full SYN queue, syncookies=1: further SYNs get cookies, whose ACK "
      "makes a connection with the options of the SYN")
def t_synq_full_cookies():
    set_knob("syncookies", 1)
    lport = port()
    lsk = listener(lport, backlog=4)
    ctrs = Ctrs("TCPReqQFullDoCookies", "SyncookiesSent", "SyncookiesRecv")
    conns = []
    for i in range(7):
        c = new_conn(port(), lport)
        sa = syn(c)
        check(sa is not None, "SYN %d not answered", i + 1)
        conns.append((c, sa))
    ctrs.check("TCPReqQFullDoCookies", 2)
    ctrs.check("SyncookiesSent", 2)
    c, sa = conns[6]			# a cookie
    ts = opt(sa, "ts")
    check(ts is not None and opt(sa, "wscale") is not None,
          "cookie SYN-ACK options: %s", sa.opts)
    # the TSval carries wscale 6 and SACK in its low 6 bits (the layout of
    # Linux 6.1's cookie_init_timestamp(); Linux 6.18 was seen to differ)
    diag("cookie TSval & 0x3f: %#x" % (ts[1] & 0x3f))
    if FAM == "xtcp":
        check_eq(ts[1] & 0x3f, 6 | 0x10, "TSval & 0x3f of the cookie SYN-ACK")
    complete(c, sa, b"hello")
    a, _ = xaccept(lsk, T_EXPECT)
    set_timeouts(a, 10)
    TAP.defer(abort, a)
    check_eq(recv_all(a, 5), b"hello", "data on the cookie's ACK")
    check_state(FAM, lport, c.pport, ESTABLISHED)
    ctrs.check("SyncookiesRecv", 1)
    # the connection applies window scale 6 to the peer's window: a window
    # field of 1000 lets the SUT send its whole initial window (10
    # segments), not 1000 bytes
    c.send(ACK, win=1000, opts=[("nop",), ("nop",), ("ts", 7002, 0)])
    start = c.rcv_nxt
    a.send(b"x" * 40000)
    while c.next(0.5) is not None:
        pass
    got = seq_diff(c.rcv_nxt, start)
    diag("sent into a window field of 1000 (scale 6): %d bytes" % got)
    check(got >= 10000, "only %d bytes sent: the window is not scaled", got)


@test("syncookies=2: no request is kept; a forged cookie gets RST "
      "(SyncookiesFailed); without timestamps no wscale and no SACK")
def t_cookies_always():
    set_knob("syncookies", 2)
    lport = port()
    lsk = listener(lport)
    ctrs = Ctrs("SyncookiesSent", "SyncookiesRecv", "SyncookiesFailed")
    c = new_conn(port(), lport)
    sa = syn(c)
    check(sa is not None, "no SYN-ACK")
    check(entry_of(FAM, lport, c.pport) is None,
          "a request is in /proc with syncookies=2")
    # forged: the ACK acknowledges another number
    c.send(ACK, ack=(sa.seq + 12345) & 0xffffffff,
           opts=[("nop",), ("nop",), ("ts", 7001, opt(sa, "ts")[1])])
    r = c.expect("RST to a forged cookie", 1.0)
    check(r.flags & RST, "answer to a forged cookie: %s", r.show(0, 0))
    ctrs.check("SyncookiesFailed", 1)
    complete(c, sa, b"ok")
    a, _ = xaccept(lsk, T_EXPECT)
    TAP.defer(abort, a)
    set_timeouts(a, 10)
    check_eq(recv_all(a, 2), b"ok", "data on the cookie's ACK")
    a.sendall(b"back")
    d = c.wait(lambda x: x.dlen > 0, "data from the SUT")
    check_eq(d.data, b"back", "data from the SUT")
    # a SYN without timestamps: the cookie's SYN-ACK offers only the MSS
    c2 = new_conn(port(), lport)
    sa2 = syn(c2, [("mss", 1400), ("sackok",), ("nop",), ("wscale", 6)])
    check(sa2 is not None, "no SYN-ACK")
    check(opt(sa2, "wscale") is None and opt(sa2, "sackok") is None and
          opt(sa2, "ts") is None, "cookie SYN-ACK without TS: %s", sa2.opts)
    ctrs.check("SyncookiesSent", 2)
    ctrs.check("SyncookiesRecv", 1)


@test("full accept queue: the handshake's ACK is dropped without RST "
      "(ListenOverflows); its retransmission completes after accept()")
def t_acceptq_full():
    set_knob("syncookies", 1)
    lport = port()
    lsk = listener(lport, backlog=0)		# holds one connection
    ctrs = Ctrs("ListenOverflows")
    a_c, b_c = new_conn(port(), lport), new_conn(port(), lport)
    a_sa, b_sa = syn(a_c), syn(b_c)
    check(a_sa is not None and b_sa is not None, "SYNs not answered")
    complete(a_c, a_sa)			# fills the accept queue
    time.sleep(0.2)
    complete(b_c, b_sa, b"B")
    check_eq([s for s in b_c.quiet(0.5) if s.flags & RST], [],
             "RST to the ACK")
    ctrs.check("ListenOverflows", 1, exact=False)
    first, _ = xaccept(lsk, T_EXPECT)
    TAP.defer(abort, first)
    # the peer retransmits its ACK (with its data)
    b_c.send(ACK | 0x08, data=b"B", seq=b_c.iss + 1,
             opts=[("nop",), ("nop",), ("ts", 7002, opt(b_sa, "ts")[1])])
    second, _ = xaccept(lsk, T_EXPECT)
    TAP.defer(abort, second)
    set_timeouts(second, 10)
    check_eq(recv_all(second, 1), b"B", "data of the retransmitted ACK")


def client_run(fam, lport, n, results, notes, addr="127.0.0.1"):
    """N clients connect at once (non-blocking), wait, send and read.
    NOTES gets what each client saw, for a failure's diagnosis."""
    socks = []
    for i in range(n):
        s = make_socket(fam)
        s.setblocking(False)
        err = xconnect(s, addr, lport)
        socks.append((s, err))
    for i, (s, err) in enumerate(socks):
        try:
            notes[i] = "port %d" % xgetsockname(s)[2]
            if err not in (0, errno.EINPROGRESS):
                raise OSError(err, os.strerror(err))
            s.setblocking(True)
            s.settimeout(30)
            s.sendall(b"%04d" % i)
            t0 = time.monotonic()
            results[i] = recv_all(s, 4, 30)
            if results[i] != b"%04d" % i:
                e = entry_of(fam, xgetsockname(s)[2], lport)
                notes[i] += ", read %r after %.2fs, SO_ERROR %d, /proc %s" % (
                    results[i], time.monotonic() - t0, so_error(s),
                    e.state if e else None)
        except OSError as e:
            results[i] = e
        finally:
            s.close()


@test("backlog 2: 8 clients connect at once; those beyond the backlog "
      "wait (no RST) and complete once the server accepts")
def t_backlog_clients():
    set_knob("syncookies", 1)
    for cfam in ([FAM, "inet"] if FAM == "xtcp" else [FAM]):
        lport = port()
        lsk = listener(lport, backlog=2, addr="127.0.0.1")
        results, notes = [None] * 8, [""] * 8
        ctrs = Ctrs("ListenOverflows", "SyncookiesSent", "SyncookiesRecv",
                    "SyncookiesFailed", "ListenDrops")
        th = threading.Thread(target=client_run,
                              args=(cfam, lport, 8, results, notes))
        th.start()
        time.sleep(2.0)			# nobody accepts meanwhile
        served, echoes = 0, []
        t0 = time.monotonic()

        def echo(a, peer):
            # each connection on its own: the accept order need not be
            # the order in which the client thread sends
            got = recv_all(a, 4, 30)
            if len(got) != 4:
                diag("server: connection from port %d read %r" % (
                    peer[2], got))
            a.sendall(got)
            a.close()

        while served < 8 and time.monotonic() - t0 < 40:
            try:
                a, peer = xaccept(lsk, 40 - (time.monotonic() - t0))
            except Fail:
                break
            set_timeouts(a, 10)
            echoes.append(threading.Thread(target=echo, args=(a, peer)))
            echoes[-1].start()
            served += 1
        for e in echoes:
            e.join(40)
        th.join(45)
        diag("%s clients: served %d in %.1fs after the first accept()" % (
            cfam, served, time.monotonic() - t0))
        diag("counters: %s" % ", ".join(
            "%s +%s" % (n, ctrs.delta(n)) for n in sorted(ctrs.before)))
        for i, r in enumerate(results):
            if r != b"%04d" % i:
                diag("client %d (%s): %r" % (i, notes[i], r))
        bad = [r for r in results if not isinstance(r, bytes)]
        check_eq(bad, [], "clients' failures (%s clients)" % cfam)
        check_eq(sorted(results), [b"%04d" % i for i in range(8)],
                 "echoes (%s clients)" % cfam)
        ctrs.check("ListenOverflows", 1, exact=False)


@test("SO_REUSEPORT: two listeners share a port and both get connections; "
      "without it the second listen() fails with EADDRINUSE")
def t_reuseport():
    lport = port()
    l1 = listener(lport, addr="127.0.0.1", reuseport=True, backlog=64)
    l2 = listener(lport, addr="127.0.0.1", reuseport=True, backlog=64)
    clients = []
    for i in range(32):
        s = make_socket(FAM)
        set_timeouts(s, 10)
        TAP.defer(abort, s)
        check_eq(xconnect(s, "127.0.0.1", lport), 0, "connect %d" % i)
        clients.append(s)
    got = []
    for lsk in (l1, l2):
        n = 0
        while wait_poll(lsk, select.POLLIN, 0.2):
            a, _ = xaccept(lsk)
            TAP.defer(abort, a)
            n += 1
        got.append(n)
    diag("connections per listener: %s" % got)
    check_eq(sum(got), 32, "connections accepted")
    check(min(got) > 0, "one listener got none: %s", got)
    # no SO_REUSEPORT on the newcomer: EADDRINUSE at bind() or listen()
    s = sut_socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        xbind(s, "127.0.0.1", lport)
        s.listen(4)
        raise Fail("a third listener without SO_REUSEPORT was allowed")
    except OSError as e:
        check_eq(errno.errorcode.get(e.errno), "EADDRINUSE", "errno")


def main():
    global FAM, TUN
    args = common_args("listen.py", __doc__)
    FAM = args.family
    setup_env(TAP, args)
    TUN = tun_main(TAP, args, MTU, SUT, PEER)
    TAP.run(args.only)
    TAP.finish()


if __name__ == "__main__":
    main()
