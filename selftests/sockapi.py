# SPDX-License-Identifier: GPL-2.0
"""
sockapi.py --family xtcp|inet [NAME...]

The socket API of the family under test (SUT) against a Linux TCP peer on
loopback: blocking and non-blocking connect, refused connections, EAGAIN,
MSG_PEEK, MSG_WAITALL, SIOCINQ/SIOCOUTQ, poll() events at half and full
close and after a reset, EPIPE and SIGPIPE, buffer sizes (SO_RCVBUF
bounding the window seen on the wire, SO_SNDBUF the send queue) and
SO_ERROR, and urgent data both ways (MSG_OOB, SO_OOBINLINE, SIOCATMARK,
POLLPRI, SIGURG).  The expected values are Linux's (the rules of POSIX
and tcp(7)).

Run it through sockapi.sh, which gives it a private network namespace.
"""

import errno
import fcntl
import os
import select
import signal
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# pylint: disable=wrong-import-position
from xtcp_pkt import (AF_XTCP, SIOCATMARK, SIOCINQ, SIOCOUTQ, SYN, T_EXPECT,
                      T_QUIET, Bg, Fail, Sniffer, Tap, abort, check, check_eq,
                      common_args, diag, ioctl_int, lo_pair, make_socket,
                      poll_events, poll_str, recv_all, run, set_linger,
                      set_timeouts, setup_env, so_error, wait_poll,
                      write_sysctl, xaccept, xbind, xconnect, xgetpeername,
                      xgetsockname)
from xtcp_pkt import port_allocator, test_registry

LO = "127.0.0.1"
FAM = "xtcp"
TESTS = []
TAP = Tap(TESTS)
test = test_registry(TESTS)
port = port_allocator(22000)

POLLIN, POLLOUT = select.POLLIN, select.POLLOUT
POLLERR, POLLHUP, POLLRDHUP = select.POLLERR, select.POLLHUP, select.POLLRDHUP
ALL = POLLIN | POLLOUT | POLLRDHUP	# POLLERR and POLLHUP always count
TCP_NODELAY = 1
# SO_RCVBUF and SO_SNDBUF of the buffer-size cases (the kernel doubles
# them).  The send queue may pass the doubled SO_SNDBUF by one buffer of
# up to 64 KiB: Linux and XTCP check the limit only before they start a
# new skb and fill the last one up to the GSO size (Linux bounds that
# size to half the peer's largest window, XTCP does not).  An ignored
# SO_SNDBUF leaves the default's megabytes.
RCVBUF_SMALL = 8192
SNDBUF_SMALL = 8192
SNDBUF_SLACK = 65536




def sut_socket():
    s = make_socket(FAM)
    set_timeouts(s, 10)
    TAP.defer(abort, s)
    return s


def linux_listener(lport, opts=()):
    lsk = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    TAP.defer(lsk.close)
    lsk.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    for o in opts:
        lsk.setsockopt(*o)
    lsk.bind((LO, lport))
    lsk.listen(4)
    return lsk


def accept_linux(lsk):
    check(wait_poll(lsk, POLLIN, T_EXPECT), "the Linux listener got no "
          "connection")
    peer, _ = lsk.accept()
    TAP.defer(abort, peer)
    set_timeouts(peer, 10)
    return peer


def pair(role="client", peer_opts=()):
    sut, peer, _, _ = lo_pair(FAM, role, port(), LO, peer_opts)
    TAP.defer(abort, sut)
    TAP.defer(abort, peer)
    return sut, peer


def closed_port():
    """A port nothing listens on."""
    return port()


def errname(e):
    return errno.errorcode.get(e, str(e))


def check_errno(fn, want, what):
    """FN() must fail with errno WANT."""
    try:
        r = fn()
    except OSError as e:
        check(e.errno == want, "%s: %s, expected %s", what, errname(e.errno),
              errname(want))
        return
    raise Fail("%s returned %r, expected %s" % (what, r, errname(want)))


def check_events(ev, must, mustnot, what):
    check(ev & must == must and not ev & mustnot,
          "%s: poll events %s, expected %s and not %s", what, poll_str(ev),
          poll_str(must), poll_str(mustnot))
    diag("%s: %s" % (what, poll_str(ev)))


def peer_reset(sut, peer):
    """The peer closes with SO_LINGER {1, 0} (RST); wait until the SUT
    sees it."""
    set_linger(peer, 1, 0)
    peer.close()
    ev = wait_poll(sut, POLLIN, T_EXPECT)
    check(ev & POLLERR, "no POLLERR after the peer's RST (%s)", poll_str(ev))
    return ev


# ------------------------------------------------------------- connecting

@test("blocking connect: 0; getsockname/getpeername AF_INET; data")
def t_connect():
    lport = port()
    lsk = linux_listener(lport)
    s = sut_socket()
    check_eq(xconnect(s, LO, lport), 0, "connect()")
    peer = accept_linux(lsk)
    fam, addr, sport = xgetsockname(s)
    check_eq((fam, addr), (socket.AF_INET, LO), "getsockname() family, addr")
    check(sport > 0, "getsockname() port 0")
    check_eq(peer.getpeername(), (LO, sport), "the peer's getpeername()")
    check_eq(xgetpeername(s), (socket.AF_INET, LO, lport), "getpeername()")
    s.sendall(b"ping")
    check_eq(recv_all(peer, 4), b"ping", "data at the peer")
    peer.sendall(b"pong")
    check_eq(recv_all(s, 4), b"pong", "data at the SUT")


@test("listener: accept() gives the client's address as AF_INET")
def t_accept():
    lport = port()
    lsk = sut_socket()
    lsk.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if FAM == "xtcp":
        xbind(lsk, LO, lport, family=AF_XTCP)
        diag("bound with sin_family AF_XTCP")
    else:
        xbind(lsk, LO, lport)
    lsk.listen(4)
    check_eq(xgetsockname(lsk), (socket.AF_INET, LO, lport),
             "listener getsockname()")
    peer = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    TAP.defer(abort, peer)
    set_timeouts(peer, 10)
    peer.connect((LO, lport))
    a, addr = xaccept(lsk, T_EXPECT)
    TAP.defer(abort, a)
    check_eq(addr, (socket.AF_INET,) + peer.getsockname(), "accept() address")
    check_eq(xgetpeername(a), addr, "getpeername() of the accepted socket")
    check_eq(xgetsockname(a), (socket.AF_INET, LO, lport),
             "getsockname() of the accepted socket")


@test("non-blocking connect: EINPROGRESS, then POLLOUT and SO_ERROR 0")
def t_connect_nonblock():
    lport = port()
    lsk = linux_listener(lport)
    s = sut_socket()
    s.setblocking(False)
    err = xconnect(s, LO, lport)
    check(err in (errno.EINPROGRESS, 0), "connect(): %s", errname(err))
    diag("connect(): %s" % (errname(err) if err else "0 (at once)"))
    ev = wait_poll(s, POLLOUT, T_EXPECT)
    check_events(ev, POLLOUT, POLLERR | POLLHUP, "after the handshake")
    check_eq(so_error(s), 0, "SO_ERROR")
    accept_linux(lsk)
    # Linux reports the completed connect once (0), then EISCONN
    err = xconnect(s, LO, lport)
    diag("connect() again: %s" % (errname(err) if err else "0"))
    check(err in (0, errno.EISCONN), "connect() again: %s", errname(err))
    check_eq(errname(xconnect(s, LO, lport)), "EISCONN",
             "connect() on the connected socket")


@test("connect to a closed port: ECONNREFUSED")
def t_refused():
    s = sut_socket()
    check_eq(errname(xconnect(s, LO, closed_port())), "ECONNREFUSED",
             "connect()")


@test("non-blocking connect to a closed port: POLLERR|POLLHUP, "
      "SO_ERROR ECONNREFUSED once")
def t_refused_nonblock():
    s = sut_socket()
    s.setblocking(False)
    err = xconnect(s, LO, closed_port())
    if err == errno.ECONNREFUSED:
        diag("connect() failed at once")
        return
    check_eq(errname(err), "EINPROGRESS", "connect()")
    ev = wait_poll(s, POLLOUT, T_EXPECT)
    check_events(ev, POLLERR | POLLHUP, 0, "after the RST")
    check_eq(errname(so_error(s)), "ECONNREFUSED", "SO_ERROR")
    check_eq(so_error(s), 0, "SO_ERROR read a second time")


# --------------------------------------------------------------- receiving

@test("recv on an empty socket: EAGAIN (non-blocking; MSG_DONTWAIT)")
def t_eagain():
    s, _ = pair()
    s.setblocking(False)
    check_errno(lambda: s.recv(10), errno.EAGAIN, "non-blocking recv()")
    s.setblocking(True)
    t0 = time.monotonic()
    check_errno(lambda: s.recv(10, socket.MSG_DONTWAIT), errno.EAGAIN,
                "recv(MSG_DONTWAIT) on a blocking socket")
    check(time.monotonic() - t0 < 1, "recv(MSG_DONTWAIT) blocked")


@test("MSG_PEEK returns the bytes without consuming them")
def t_peek():
    s, peer = pair()
    peer.sendall(b"peekaboo")
    end = time.monotonic() + T_EXPECT
    while ioctl_int(s, SIOCINQ) < 8:
        check(time.monotonic() < end, "the 8 bytes did not arrive")
        time.sleep(0.01)
    check_eq(s.recv(100, socket.MSG_PEEK), b"peekaboo", "recv(MSG_PEEK)")
    check_eq(s.recv(4, socket.MSG_PEEK), b"peek", "recv(4, MSG_PEEK)")
    check_eq(s.recv(100), b"peekaboo", "recv() after the peeks")
    check_errno(lambda: s.recv(10, socket.MSG_DONTWAIT), errno.EAGAIN,
                "recv() of the emptied socket")


@test("MSG_WAITALL gathers 3 chunks sent 100 ms apart")
def t_waitall():
    s, peer = pair()
    chunks = [bytes([48 + i]) * 1000 for i in range(3)]

    def sender():
        for ch in chunks:
            time.sleep(0.1)
            peer.sendall(ch)
    t = Bg(sender)
    t0 = time.monotonic()
    r = s.recv(3000, socket.MSG_WAITALL)
    took = time.monotonic() - t0
    t.finish()
    diag("recv(3000, MSG_WAITALL) returned %d bytes after %.2fs" %
         (len(r), took))
    check_eq(r, b"".join(chunks), "data of recv(MSG_WAITALL)")
    check(took >= 0.15, "MSG_WAITALL returned after %.2fs, before the last "
          "chunk was sent", took)


@test("SIOCINQ counts unread bytes, not the FIN")
def t_siocinq():
    s, peer = pair()
    check_eq(ioctl_int(s, SIOCINQ), 0, "SIOCINQ of a new connection")
    peer.sendall(b"i" * 1234)
    end = time.monotonic() + T_EXPECT
    while ioctl_int(s, SIOCINQ) != 1234:
        check(time.monotonic() < end, "SIOCINQ %d, expected 1234",
              ioctl_int(s, SIOCINQ))
        time.sleep(0.01)
    check_eq(len(s.recv(234)), 234, "recv(234)")
    check_eq(ioctl_int(s, SIOCINQ), 1000, "SIOCINQ after reading 234")
    peer.shutdown(socket.SHUT_WR)
    check(wait_poll(s, POLLRDHUP, T_EXPECT) & POLLRDHUP,
          "no POLLRDHUP after the peer's FIN")
    check_eq(ioctl_int(s, SIOCINQ), 1000, "SIOCINQ after the FIN")
    check_eq(len(recv_all(s, 1000)), 1000, "recv of the rest")
    check_eq(ioctl_int(s, SIOCINQ), 0, "SIOCINQ at EOF")
    check_eq(s.recv(10), b"", "recv() at EOF")


@test("SIOCOUTQ counts unacknowledged bytes")
def t_siocoutq():
    rcvbuf = (socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s, peer = pair(peer_opts=[rcvbuf])
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 65536)
    s.sendall(b"o" * 1000)
    end = time.monotonic() + T_EXPECT
    while ioctl_int(s, SIOCOUTQ):
        check(time.monotonic() < end, "SIOCOUTQ %d: 1000 bytes not acked",
              ioctl_int(s, SIOCOUTQ))
        time.sleep(0.01)
    check_eq(len(recv_all(peer, 1000)), 1000, "bytes at the peer")
    # the peer reads nothing and its small buffer fills
    s.setblocking(False)
    sent = 0
    while sent < (4 << 20):
        try:
            sent += s.send(b"f" * 65536)
        except BlockingIOError:
            if not wait_poll(s, POLLOUT, 0.3):
                break
    s.setblocking(True)
    check(sent < (4 << 20), "sent 4 MiB to a peer that reads nothing, "
          "with SO_SNDBUF 64 KiB")
    # settled: what the peer holds was acked, the rest is queued here
    outq, inq = settle(s, peer, sent)
    diag("sent %d: SUT SIOCOUTQ %d, peer SIOCINQ %d" % (sent, outq, inq))
    check(0 < outq <= sent, "SIOCOUTQ %d with %d bytes sent", outq, sent)
    buf = s.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF)
    check(outq <= buf + SNDBUF_SLACK, "SIOCOUTQ %d with SO_SNDBUF 64 KiB "
          "(%d; at most %d more in the last buffer)", outq, buf,
          SNDBUF_SLACK)
    check_eq(len(recv_all(peer, sent, 10 * T_EXPECT)), sent,
             "bytes read by the peer")
    end = time.monotonic() + T_EXPECT
    while ioctl_int(s, SIOCOUTQ):
        check(time.monotonic() < end, "SIOCOUTQ %d after the peer read all",
              ioctl_int(s, SIOCOUTQ))
        time.sleep(0.01)


# ------------------------------------------------------------------- poll

@test("POLLRDHUP (and POLLIN) after the peer's FIN, no POLLHUP")
def t_pollrdhup():
    s, peer = pair()
    check_events(poll_events(s, ALL), POLLOUT, POLLIN | POLLRDHUP | POLLHUP |
                 POLLERR, "idle connection")
    peer.shutdown(socket.SHUT_WR)
    wait_poll(s, POLLRDHUP, T_EXPECT)
    check_events(poll_events(s, ALL), POLLIN | POLLRDHUP | POLLOUT,
                 POLLHUP | POLLERR, "after the peer's FIN")
    check_eq(s.recv(10), b"", "recv() after the peer's FIN")
    s.sendall(b"still writable")
    check_eq(recv_all(peer, 14), b"still writable", "data after the FIN")


@test("POLLHUP once both directions are shut")
def t_pollhup():
    s, peer = pair("server")
    peer.shutdown(socket.SHUT_WR)
    wait_poll(s, POLLRDHUP, T_EXPECT)
    check_events(poll_events(s, ALL), POLLRDHUP, POLLHUP,
                 "after the peer's FIN")
    s.shutdown(socket.SHUT_WR)
    end = time.monotonic() + T_EXPECT
    while not poll_events(s, ALL) & POLLHUP and time.monotonic() < end:
        time.sleep(0.01)
    check_events(poll_events(s, ALL), POLLHUP | POLLIN | POLLRDHUP, POLLERR,
                 "after shutdown(SHUT_WR) too")


# ------------------------------------------------------------------ reset

@test("peer RST: POLLERR, recv() fails with ECONNRESET")
def t_reset():
    s, peer = pair("server")
    ev = peer_reset(s, peer)
    check_events(ev, POLLERR | POLLHUP, 0, "after the RST")
    check_errno(lambda: s.recv(10), errno.ECONNRESET, "recv()")


@test("SO_ERROR: ECONNRESET after the peer's RST, then 0")
def t_so_error():
    s, peer = pair()
    peer_reset(s, peer)
    check_eq(errname(so_error(s)), "ECONNRESET", "SO_ERROR")
    check_eq(so_error(s), 0, "SO_ERROR read a second time")
    check_events(poll_events(s, ALL), POLLHUP, POLLERR,
                 "after reading SO_ERROR")


class SigCount:
    """Counts SIGPIPEs while installed (Python ignores SIGPIPE otherwise)."""

    def __init__(self):
        self.n = 0
        signal.signal(signal.SIGPIPE, self._handler)
        TAP.defer(signal.signal, signal.SIGPIPE, signal.SIG_IGN)

    def _handler(self, _sig, _frm):
        self.n += 1

    def settle(self):
        time.sleep(0.05)	# lets the handler of a pending signal run
        return self.n


def reset_and_consume(role):
    """A connection the peer reset, its ECONNRESET already reported."""
    s, peer = pair(role)
    peer_reset(s, peer)
    check_errno(lambda: s.recv(10), errno.ECONNRESET, "recv()")
    return s


@test("send after the peer's RST: EPIPE and one SIGPIPE")
def t_epipe():
    s = reset_and_consume("client")
    sig = SigCount()
    check_errno(lambda: s.send(b"x"), errno.EPIPE, "send()")
    check_eq(sig.settle(), 1, "SIGPIPEs delivered")


@test("send(MSG_NOSIGNAL) after the peer's RST: EPIPE, no SIGPIPE")
def t_epipe_nosignal():
    s = reset_and_consume("server")
    sig = SigCount()
    check_errno(lambda: s.send(b"x", socket.MSG_NOSIGNAL), errno.EPIPE,
                "send(MSG_NOSIGNAL)")
    check_eq(sig.settle(), 0, "SIGPIPEs delivered")


# ---------------------------------------------------------------- options

@test("SO_RCVBUF/SO_SNDBUF: set, read back doubled")
def t_bufsizes():
    s = sut_socket()
    for name, opt in (("SO_RCVBUF", socket.SO_RCVBUF),
                      ("SO_SNDBUF", socket.SO_SNDBUF)):
        for val in (65536, 100000):
            s.setsockopt(socket.SOL_SOCKET, opt, val)
            got = s.getsockopt(socket.SOL_SOCKET, opt)
            diag("%s %d -> %d" % (name, val, got))
            check_eq(got, 2 * val, "%s after setting %d" % (name, val))
    # and on a connected socket
    s, _ = pair()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32768)
    check_eq(s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF), 65536,
             "SO_RCVBUF of a connected socket after setting 32768")


def ethernet_lo():
    """lo with a 1500-byte MTU for the test (restored after it): segments,
    windows and buffers as on Ethernet, not in 64 KiB pieces."""
    with open("/sys/class/net/lo/mtu") as f:
        old = f.read().strip()
    run("ip", "link", "set", "dev", "lo", "mtu", "1500")
    TAP.defer(run, "ip", "link", "set", "dev", "lo", "mtu", old)


def fill(tx):
    """TX (non-blocking meanwhile) sends until no POLLOUT comes for
    T_QUIET: the bytes it took."""
    tx.setblocking(False)
    sent = 0
    chunk = b"f" * 16384
    try:
        while sent < (64 << 20):
            try:
                sent += tx.send(chunk)
            except BlockingIOError:
                if not wait_poll(tx, POLLOUT, T_QUIET):
                    break
    finally:
        tx.setblocking(True)
    check(sent < (64 << 20), "64 MiB sent to a peer that reads nothing")
    return sent


def settle(tx, rx, sent):
    """Wait until nothing is in flight: TX's SIOCOUTQ and RX's SIOCINQ
    add up to SENT.  Returns (outq, inq)."""
    end = time.monotonic() + T_EXPECT
    while True:
        outq, inq = ioctl_int(tx, SIOCOUTQ), ioctl_int(rx, SIOCINQ)
        if outq + inq == sent or time.monotonic() > end:
            break
        time.sleep(0.02)
    check_eq(outq + inq, sent, "sender's SIOCOUTQ + receiver's SIOCINQ")
    return outq, inq


def sut_client(lsk, lport, opts=()):
    """A SUT socket (OPTS set before connect) connected to the Linux
    listener LSK on LPORT: (sut, peer)."""
    s = sut_socket()
    for o in opts:
        s.setsockopt(*o)
    err = xconnect(s, LO, lport)
    check(err == 0, "connect(): %s", os.strerror(err))
    return s, accept_linux(lsk)


def rcvbuf_run(rcvbuf):
    """A Linux sender fills the SUT, which reads nothing; the SUT has
    SO_RCVBUF RCVBUF (None: the default).  Returns (the SUT's SO_RCVBUF,
    the largest window it advertised on the wire, scaled, the bytes it
    took in)."""
    lport = port()
    lsk = linux_listener(lport)
    sniff = Sniffer("lo")
    TAP.defer(sniff.close)
    opts = [(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)] if rcvbuf else []
    s, peer = sut_client(lsk, lport, opts)
    sport = xgetsockname(s)[2]
    peer.setsockopt(socket.IPPROTO_TCP, TCP_NODELAY, 1)
    sent = fill(peer)
    _, inq = settle(peer, s, sent)
    segs = sniff.segments(sport, lport)
    syns = {x.sport: x for x in segs if x.flags & SYN}
    check(sport in syns and lport in syns, "SYN or SYN-ACK not captured")
    ws = syns[sport].opt("wscale")
    if ws is None or syns[lport].opt("wscale") is None:
        ws = 0
    wins = [x.win << ws for x in segs if x.sport == sport and
            not x.flags & SYN]
    check(wins, "no segment of the SUT captured")
    buf = s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
    diag("SO_RCVBUF %s -> %d: windows advertised up to %d (wscale %d), "
         "%d bytes taken in (the sender sent %d)" % (
             rcvbuf or "default", buf, max(wins), ws, inq, sent))
    return buf, max(wins), inq


@test("SO_RCVBUF bounds the window advertised on the wire and the bytes "
      "taken in (a reader that reads nothing), the default does not")
def t_rcvbuf_window():
    ethernet_lo()
    buf, win, inq = rcvbuf_run(RCVBUF_SMALL)
    check_eq(buf, 2 * RCVBUF_SMALL, "SO_RCVBUF read back")
    check(win <= buf, "window %d advertised with SO_RCVBUF %d (%d)", win,
          RCVBUF_SMALL, buf)
    check(inq <= buf, "%d bytes taken in with SO_RCVBUF %d (%d)", inq,
          RCVBUF_SMALL, buf)
    _, dwin, dinq = rcvbuf_run(None)
    check(dwin >= 2 * buf and dinq >= 2 * buf, "with the default SO_RCVBUF "
          "the window (%d) or the bytes taken in (%d) are not twice those "
          "allowed by SO_RCVBUF %d (%d): the test cannot tell", dwin, dinq,
          RCVBUF_SMALL, buf)


def sndbuf_run(sndbuf):
    """The SUT (SO_SNDBUF SNDBUF, None: the default) sends to a Linux
    peer with a 4 KiB SO_RCVBUF that reads nothing.  Returns (the SUT's
    SO_SNDBUF, its SIOCOUTQ when the send blocks, the bytes the peer
    took in)."""
    lport = port()
    lsk = linux_listener(lport, [(socket.SOL_SOCKET, socket.SO_RCVBUF,
                                  4096)])
    opts = [(socket.SOL_SOCKET, socket.SO_SNDBUF, sndbuf)] if sndbuf else []
    s, peer = sut_client(lsk, lport, opts)
    s.setsockopt(socket.IPPROTO_TCP, TCP_NODELAY, 1)
    sent = fill(s)
    outq, inq = settle(s, peer, sent)
    buf = s.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF)
    diag("SO_SNDBUF %s -> %d: SIOCOUTQ %d when the send blocked, the peer "
         "took %d" % (sndbuf or "default", buf, outq, inq))
    return buf, outq, inq


@test("SO_SNDBUF bounds the send queue (SIOCOUTQ when send blocks), the "
      "default does not")
def t_sndbuf_queue():
    ethernet_lo()
    buf, outq, _ = sndbuf_run(SNDBUF_SMALL)
    check_eq(buf, 2 * SNDBUF_SMALL, "SO_SNDBUF read back")
    check(0 < outq <= buf + SNDBUF_SLACK, "SIOCOUTQ %d with SO_SNDBUF %d "
          "(%d; at most %d more in the last buffer)", outq, SNDBUF_SMALL, buf,
          SNDBUF_SLACK)
    _, doutq, _ = sndbuf_run(None)
    check(doutq >= 2 * outq, "with the default SO_SNDBUF SIOCOUTQ is %d, "
          "not twice the %d with SO_SNDBUF %d: the test cannot tell", doutq,
          outq, SNDBUF_SMALL)


# ------------------------------------------------------------ urgent data

POLLPRI = select.POLLPRI
MSG_OOB = socket.MSG_OOB


def atmark(s):
    return ioctl_int(s, SIOCATMARK)


def send_urgent(tx):
    """"ab", then "c" with MSG_OOB (the urgent byte), then "de"."""
    tx.sendall(b"ab")
    check_eq(tx.send(b"c", MSG_OOB), 1, "send(MSG_OOB)")
    tx.sendall(b"de")


def wait_urgent(rx, what):
    """Wait for the urgent byte: POLLPRI (and POLLIN)."""
    ev = wait_poll(rx, POLLPRI, T_EXPECT)
    check(ev & POLLPRI, "%s: no POLLPRI for the urgent byte (%s)", what,
          poll_str(ev))
    # "de" follows the urgent segment
    end = time.monotonic() + T_EXPECT
    while ioctl_int(rx, SIOCINQ) < 4 and time.monotonic() < end:
        time.sleep(0.01)


def urgent_ways():
    """(sender, receiver, description) both ways, the SUT as client and as
    server."""
    for role in ("client", "server"):
        s, peer = pair(role)
        yield s, peer, "%s %s -> Linux" % (FAM, role)
        s, peer = pair(role)
        yield peer, s, "Linux -> %s %s" % (FAM, role)


@test("MSG_OOB out of line: reads stop at the mark, SIOCATMARK, POLLPRI, "
      "recv(MSG_OOB) gives the byte once, the stream skips it")
def t_oob():
    for tx, rx, what in urgent_ways():
        check_errno(lambda: rx.recv(1, MSG_OOB), errno.EINVAL,
                    "%s: recv(MSG_OOB) without urgent data" % what)
        send_urgent(tx)
        wait_urgent(rx, what)
        check_eq(atmark(rx), 0, "%s: SIOCATMARK before reading" % what)
        check_eq(rx.recv(100), b"ab", "%s: the read before the mark" % what)
        check_eq(atmark(rx), 1, "%s: SIOCATMARK at the mark" % what)
        check(poll_events(rx, POLLPRI) & POLLPRI, "%s: no POLLPRI at the "
              "mark", what)
        check_eq(rx.recv(1, MSG_OOB | socket.MSG_PEEK), b"c",
                 "%s: recv(MSG_OOB|MSG_PEEK)" % what)
        check_eq(rx.recv(1, MSG_OOB), b"c", "%s: recv(MSG_OOB)" % what)
        check(not poll_events(rx, POLLPRI) & POLLPRI, "%s: POLLPRI after "
              "the urgent byte was read", what)
        check_errno(lambda: rx.recv(1, MSG_OOB), errno.EINVAL,
                    "%s: a second recv(MSG_OOB)" % what)
        check_eq(rx.recv(100), b"de", "%s: the read after the mark" % what)
        check_eq(atmark(rx), 0, "%s: SIOCATMARK after the mark" % what)
        diag("%s: ab | c (OOB) | de" % what)


@test("MSG_OOB, urgent byte never read: the stream skips it, then "
      "recv(MSG_OOB) fails with EINVAL")
def t_oob_unread():
    for tx, rx, what in urgent_ways():
        send_urgent(tx)
        wait_urgent(rx, what)
        check_eq(rx.recv(100), b"ab", "%s: the read before the mark" % what)
        check_eq(rx.recv(100), b"de", "%s: the read after the mark" % what)
        check_errno(lambda: rx.recv(1, MSG_OOB), errno.EINVAL,
                    "%s: recv(MSG_OOB) after reading past the mark" % what)


@test("SO_OOBINLINE: the urgent byte stays in the stream, reads stop at "
      "the mark, recv(MSG_OOB) fails with EINVAL")
def t_oob_inline():
    for tx, rx, what in urgent_ways():
        rx.setsockopt(socket.SOL_SOCKET, socket.SO_OOBINLINE, 1)
        send_urgent(tx)
        wait_urgent(rx, what)
        check_eq(rx.recv(100), b"ab", "%s: the read before the mark" % what)
        check_eq(atmark(rx), 1, "%s: SIOCATMARK at the mark" % what)
        check_errno(lambda: rx.recv(1, MSG_OOB), errno.EINVAL,
                    "%s: recv(MSG_OOB) with SO_OOBINLINE" % what)
        check_eq(rx.recv(100), b"cde", "%s: the read from the mark" % what)
        check_eq(atmark(rx), 0, "%s: SIOCATMARK after the mark" % what)


@test("SIGURG goes to the owner (F_SETOWN) when urgent data is announced")
def t_sigurg():
    got = []
    old = signal.signal(signal.SIGURG, lambda sig, frame: got.append(sig))
    TAP.defer(signal.signal, signal.SIGURG, old)
    for tx, rx, what in urgent_ways():
        del got[:]
        fcntl.fcntl(rx.fileno(), fcntl.F_SETOWN, os.getpid())
        send_urgent(tx)
        wait_urgent(rx, what)
        end = time.monotonic() + T_EXPECT
        while not got and time.monotonic() < end:
            time.sleep(0.01)
        check(got, "%s: no SIGURG", what)
        check_eq(rx.recv(100), b"ab", "%s: data" % what)
        check_eq(rx.recv(1, MSG_OOB), b"c", "%s: recv(MSG_OOB)" % what)
        check_eq(rx.recv(100), b"de", "%s: data after the mark" % what)
        diag("%s: %d SIGURG" % (what, len(got)))


def main():
    global FAM
    args = common_args("sockapi.py", __doc__)
    FAM = args.family
    setup_env(TAP, args)
    if FAM == "xtcp":
        write_sysctl("net.xtcp.msl", 1)
    diag("family %s <-> inet on %s" % (FAM, LO))
    TAP.run(args.only)
    TAP.finish()


if __name__ == "__main__":
    main()
