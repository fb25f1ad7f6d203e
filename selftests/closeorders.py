# SPDX-License-Identifier: GPL-2.0
"""
closeorders.py --family xtcp|inet [NAME...]

Every order of closing a connection between a socket of the family under
test (SUT) and a Linux TCP (AF_INET) socket on loopback, with the SUT as
client and as server: active and passive close (four segments, or three
when the ACK rides on the FIN), simultaneous close, half-close with data
still flowing the other way, close with unread data and SO_LINGER {1, 0}
(RST).  A capture of lo gives the segments: the flags, seq and ack of each
teardown segment are checked against the sequences of RFC 9293 3.6,

	closer:  FIN  seq=x   ack=y
	other:   ACK  seq=y   ack=x+1    (may ride on the next segment)
	other:   FIN  seq=y   ack=x+1
	closer:  ACK  seq=x+1 ack=y+1

and the states in /proc/net/xtcp and /proc/net/tcp on both ends.  Each
case prints its teardown as diag lines, numbers relative to each side's
ISN (1 = first data byte).

Run it through closeorders.sh, which gives it a private network namespace.
"""

import hashlib
import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# pylint: disable=wrong-import-position
from xtcp_pkt import (ACK, CLOSE_WAIT, FIN, FIN_WAIT2, PSH, RST, SIOCINQ,
                      SIOCOUTQ, SYN, TIME_WAIT, T_EXPECT, Bg, Fail, Sniffer,
                      Tap, abort, check, check_eq, check_state, common_args,
                      diag, flag_str, ioctl_int, lo_pair, recv_all, seq_add,
                      seq_diff, set_linger, setup_env, state_name, state_of,
                      wait_state, write_sysctl)
from xtcp_pkt import port_allocator

LO = "127.0.0.1"
FAM = "xtcp"
SNIFF = None
TESTS = []
TAP = Tap(TESTS)
port = port_allocator(21000)
HALF_BYTES = 512 * 1024		# the half-close transfers


class Pair:
    """A connected SUT socket and Linux peer socket on loopback.  ROLE is
    the SUT's: "client" (it connects to a Linux listener) or "server" (a
    SUT listener accepts the Linux socket's connection)."""

    def __init__(self, role):
        self.role = role
        SNIFF.clear()
        (self.sut, self.peer, self.sut_port,
         self.peer_port) = lo_pair(FAM, role, port(), LO)
        TAP.defer(abort, self.sut)
        TAP.defer(abort, self.peer)
        syn = self.wait_seg(lambda s: s.flags & SYN and not s.flags & ACK,
                            "SYN")
        synack = self.wait_seg(lambda s: s.has(SYN | ACK), "SYN-ACK")
        if role == "client":
            self.sut_isn, self.peer_isn = syn.seq, synack.seq
        else:
            self.sut_isn, self.peer_isn = synack.seq, syn.seq
        self.t0 = syn.t
        self.sut_bytes = self.peer_bytes = 0
        diag("SUT %s %s:%d <-> Linux %s:%d" % (role, LO, self.sut_port, LO,
                                                self.peer_port))

    # -- segments
    def from_sut(self, s):
        return s.sport == self.sut_port

    def segs(self):
        return SNIFF.segments(self.sut_port, self.peer_port)

    def wait_seg(self, pred, what, timeout=None):
        s = SNIFF.wait_for(self.sut_port, self.peer_port, pred, timeout)
        if s is None:
            raise Fail("no %s seen on lo within %.1fs" %
                       (what, T_EXPECT if timeout is None else timeout))
        return s

    def sut_seg(self, pred, what):
        return self.wait_seg(lambda s: self.from_sut(s) and pred(s),
                             "%s from the SUT" % what)

    def peer_seg(self, pred, what):
        return self.wait_seg(lambda s: not self.from_sut(s) and pred(s),
                             "%s from the peer" % what)

    @property
    def x(self):
        """The SUT's snd.nxt: where its FIN goes."""
        return seq_add(self.sut_isn, 1 + self.sut_bytes)

    @property
    def y(self):
        return seq_add(self.peer_isn, 1 + self.peer_bytes)

    def rel(self, s, fin_seq=False):
        """(who, flags, seq, ack) with numbers relative to the ISNs; with
        FIN_SEQ, seq is that of the FIN (after the data it may carry)."""
        seq = seq_add(s.seq, s.dlen) if fin_seq else s.seq
        if self.from_sut(s):
            return ("SUT", s.flags & ~PSH, seq_diff(seq, self.sut_isn),
                    seq_diff(s.ack, self.peer_isn))
        return ("peer", s.flags & ~PSH, seq_diff(seq, self.peer_isn),
                seq_diff(s.ack, self.sut_isn))

    def line(self, s):
        who = "SUT  >" if self.from_sut(s) else "peer >"
        if self.from_sut(s):
            body = s.show(self.sut_isn, self.peer_isn)
        else:
            body = s.show(self.peer_isn, self.sut_isn)
        return "  %+7.3f %s %s" % (s.t - self.t0, who, body)

    # -- data
    def exchange(self):
        """1000 bytes SUT -> peer, 700 bytes peer -> SUT, all ACKed."""
        self.sut.sendall(b"s" * 1000)
        check_eq(len(recv_all(self.peer, 1000)), 1000, "bytes at the peer")
        self.peer.sendall(b"p" * 700)
        check_eq(len(recv_all(self.sut, 700)), 700, "bytes at the SUT")
        self.sut_bytes += 1000
        self.peer_bytes += 700
        self.quiesce()

    def quiesce(self):
        """Wait until neither side has unacknowledged data."""
        end = time.monotonic() + T_EXPECT
        while (ioctl_int(self.sut, SIOCOUTQ) or
               ioctl_int(self.peer, SIOCOUTQ)):
            check(time.monotonic() < end, "data still unacknowledged")
            time.sleep(0.01)

    # -- states
    def sut_state(self):
        return state_of(FAM, self.sut_port, self.peer_port)

    def peer_state(self):
        return state_of("inet", self.peer_port, self.sut_port)

    def check_states(self, sut_want, peer_want, what):
        check_state(FAM, self.sut_port, self.peer_port, sut_want,
                    what="SUT " + what)
        check_state("inet", self.peer_port, self.sut_port, peer_want,
                    what="peer " + what)

    # -- teardown
    def teardown(self):
        """The segments from the first FIN or RST on, printed as diag
        lines (runs of data segments and their ACKs summarised)."""
        segs = self.segs()
        first = [i for i, s in enumerate(segs) if s.flags & (FIN | RST)]
        out = segs[first[0]:] if first else []
        diag("teardown (x = SUT snd.nxt = %d, y = peer snd.nxt = %d):" %
             (seq_diff(self.x, self.sut_isn), seq_diff(self.y, self.peer_isn)))
        run = []
        for s in out + [None]:
            if s is not None and not s.flags & (SYN | FIN | RST) and (
                    s.dlen or (run and any(r.dlen for r in run))):
                run.append(s)
                continue
            if run:
                self._summary(run)
                run = []
            if s is not None:
                diag(self.line(s))
        return out

    def _summary(self, run):
        if len(run) <= 2:
            for s in run:
                diag(self.line(s))
            return
        for who, mine in (("SUT ", True), ("peer", False)):
            part = [s for s in run if self.from_sut(s) == mine]
            if not part:
                continue
            data = sum(s.dlen for s in part)
            r = [self.rel(s) for s in part]
            diag("  ...     %s > %d segments, %d data bytes, seq %d..%d, "
                 "ack %d..%d" % (who, len(part), data, r[0][2],
                                 r[-1][2] + part[-1].dlen, r[0][3], r[-1][3]))


def fmt(tuples):
    return "; ".join("%s [%s] %d/%d" % (w, flag_str(f), s, a)
                     for w, f, s, a in tuples)


def check_sequence(p, segs, variants):
    """The control segments of SEGS (all but data) must match one of
    VARIANTS: {name: [(who, flags, seq, ack)]}, numbers relative to the
    ISNs.  Returns the name."""
    got = [p.rel(s) for s in segs]
    # identical pure ACKs in a row (window updates) count once
    dedup = [g for i, g in enumerate(got) if i == 0 or g != got[i - 1]]
    if len(dedup) != len(got):
        diag("(%d repeated ACK(s) not counted)" % (len(got) - len(dedup)))
    for name, want in variants.items():
        if dedup == want:
            diag("-> %s" % name)
            return name
    for name, want in variants.items():
        diag("expected (%s): %s" % (name, fmt(want)))
    raise Fail("teardown: %s" % fmt(dedup))


def close_variants(closer, cx, other, oy):
    """The FIN exchange when CLOSER (whose FIN is at CX) closes first and
    OTHER (at OY) follows: four segments, or three with the ACK on the
    FIN.  Numbers relative."""
    four = [(closer, FIN | ACK, cx, oy), (other, ACK, oy, cx + 1),
            (other, FIN | ACK, oy, cx + 1), (closer, ACK, cx + 1, oy + 1)]
    three = [four[0], four[2], four[3]]
    return {"four segments": four, "three segments (ACK on the FIN)": three}


def rel_xy(p):
    return seq_diff(p.x, p.sut_isn), seq_diff(p.y, p.peer_isn)


# ------------------------------------------------------------------ cases

def active_close_wait(role):
    """The SUT closes; the peer reads EOF, waits until its ACK of the FIN
    is out, then closes: four segments."""
    p = Pair(role)
    p.exchange()
    x, y = p.x, p.y
    p.sut.close()
    p.sut_seg(lambda s: s.flags & FIN, "FIN")
    check_eq(p.peer.recv(10), b"", "peer recv() after the FIN")
    p.peer_seg(lambda s: s.ack == seq_add(x, 1) and not s.flags & FIN,
               "ACK of the FIN")
    p.check_states(FIN_WAIT2, CLOSE_WAIT, "after the ACK of the SUT's FIN")
    p.peer.close()
    p.sut_seg(lambda s: s.ack == seq_add(y, 1), "ACK of the peer's FIN")
    p.check_states(TIME_WAIT, None, "at the end")
    rx, ry = rel_xy(p)
    check_sequence(p, p.teardown(),
                   {"four segments": close_variants("SUT", rx, "peer", ry)
                    ["four segments"]})


def active_close_now(role):
    """The SUT closes, the peer closes as soon as it reads EOF: three or
    four segments, as it happens."""
    p = Pair(role)
    p.exchange()
    y = p.y
    p.sut.close()
    check_eq(p.peer.recv(10), b"", "peer recv() after the FIN")
    p.peer.close()
    p.sut_seg(lambda s: s.ack == seq_add(y, 1), "ACK of the peer's FIN")
    p.check_states(TIME_WAIT, None, "at the end")
    rx, ry = rel_xy(p)
    check_sequence(p, p.teardown(), close_variants("SUT", rx, "peer", ry))


def passive_close_wait(role):
    """The peer closes; the SUT reads EOF, its ACK goes out (the app still
    holds the socket), then it closes: four segments."""
    p = Pair(role)
    p.exchange()
    x, y = p.x, p.y
    p.peer.close()
    check_eq(p.sut.recv(10), b"", "SUT recv() after the peer's FIN")
    p.sut_seg(lambda s: s.ack == seq_add(y, 1) and not s.flags & FIN,
              "ACK of the peer's FIN")
    p.check_states(CLOSE_WAIT, FIN_WAIT2, "after the ACK of the peer's FIN")
    p.sut.close()
    p.peer_seg(lambda s: s.ack == seq_add(x, 1), "ACK of the SUT's FIN")
    p.check_states(None, TIME_WAIT, "at the end")
    rx, ry = rel_xy(p)
    check_sequence(p, p.teardown(),
                   {"four segments": close_variants("peer", ry, "SUT", rx)
                    ["four segments"]})


def passive_close_now(role):
    """The peer closes, the SUT closes as soon as it reads EOF."""
    p = Pair(role)
    p.exchange()
    x = p.x
    p.peer.close()
    check_eq(p.sut.recv(10), b"", "SUT recv() after the peer's FIN")
    p.sut.close()
    p.peer_seg(lambda s: s.ack == seq_add(x, 1), "ACK of the SUT's FIN")
    p.check_states(None, TIME_WAIT, "at the end")
    rx, ry = rel_xy(p)
    check_sequence(p, p.teardown(), close_variants("peer", ry, "SUT", rx))


def simultaneous_close(role):
    """Both ends shutdown(SHUT_WR) at once, read EOF and close.  Legal
    outcomes: the FINs cross (each end acks the other's FIN, both go
    through CLOSING to TIME_WAIT) or one FIN arrives first (an ordinary
    close).  Both ends must finish, no RST."""
    p = Pair(role)
    p.exchange()
    x, y = p.x, p.y
    bar = threading.Barrier(2)

    def shut(s):
        bar.wait(T_EXPECT)
        s.shutdown(socket.SHUT_WR)
    t = Bg(shut, p.peer)
    shut(p.sut)
    t.finish()
    check_eq(p.sut.recv(10), b"", "SUT recv() after the peer's FIN")
    check_eq(p.peer.recv(10), b"", "peer recv() after the SUT's FIN")
    p.sut.close()
    p.peer.close()
    p.sut_seg(lambda s: s.ack == seq_add(y, 1), "ACK of the peer's FIN")
    p.peer_seg(lambda s: s.ack == seq_add(x, 1), "ACK of the SUT's FIN")
    done = {TIME_WAIT, None}
    ss = wait_state(FAM, p.sut_port, p.peer_port, done)
    ps = wait_state("inet", p.peer_port, p.sut_port, done)
    diag("end states: SUT %s, peer %s" % (state_name(ss), state_name(ps)))
    check(ss in done and ps in done, "an end did not finish closing")
    check(TIME_WAIT in (ss, ps), "neither end is in TIME_WAIT")
    segs = p.teardown()
    check(not any(s.flags & RST for s in segs), "RST in the teardown")
    rx, ry = rel_xy(p)
    fins = [p.rel(s, True) for s in segs if s.flags & FIN]
    check_eq(sorted((w, f, sq) for w, f, sq, _ in fins),
             [("SUT", FIN | ACK, rx), ("peer", FIN | ACK, ry)],
             "the FINs (who, flags, seq)")
    crossed = all(a == (ry if w == "SUT" else rx) for w, _, _, a in fins)
    diag("-> %s" % ("FINs crossed (simultaneous close)" if crossed else
                    "one FIN first (ordinary close)"))
    if crossed:
        check(ss == TIME_WAIT and ps == TIME_WAIT,
              "crossed FINs: both ends must end in TIME_WAIT")
    # an end's segments carry seq = its FIN's before and with the FIN,
    # the FIN's + 1 after it; every ack is the other's FIN or FIN + 1
    sent_fin = set()
    for s in segs:
        w, f, sq, a = p.rel(s)
        mine, other = (rx, ry) if w == "SUT" else (ry, rx)
        check_eq(sq, mine + 1 if w in sent_fin else mine,
                 "seq of %s" % p.line(s).strip())
        check(a in (other, other + 1), "ack of %s", p.line(s).strip())
        if f & FIN:
            sent_fin.add(w)


def half_close_sut(role):
    """The SUT shuts down writing; the peer keeps sending HALF_BYTES, which
    the SUT reads in full (SHA-256); then the peer closes."""
    p = Pair(role)
    p.exchange()
    x = p.x
    p.sut.shutdown(socket.SHUT_WR)
    p.sut_seg(lambda s: s.flags & FIN, "FIN")
    check_eq(p.peer.recv(10), b"", "peer recv() after the FIN")
    p.peer_seg(lambda s: s.ack == seq_add(x, 1), "ACK of the FIN")
    p.check_states(FIN_WAIT2, CLOSE_WAIT, "after the SUT's FIN")
    data = os.urandom(HALF_BYTES)

    def send_and_close():
        p.peer.sendall(data)
        p.peer.close()
    t = Bg(send_and_close)
    got = recv_all(p.sut, HALF_BYTES + 1, 10 * T_EXPECT)
    t.finish(T_EXPECT)
    check_eq(len(got), HALF_BYTES, "bytes received after SHUT_WR")
    check_eq(hashlib.sha256(got).hexdigest(), hashlib.sha256(data).hexdigest(),
             "SHA-256 of the data")
    diag("received %d bytes after SHUT_WR, SHA-256 ok" % len(got))
    p.peer_bytes += HALF_BYTES
    y = p.y
    p.sut_seg(lambda s: s.ack == seq_add(y, 1), "ACK of the peer's FIN")
    p.check_states(TIME_WAIT, None, "at the end")
    segs = p.teardown()
    check(not any(s.flags & RST for s in segs), "RST in the teardown")
    rx, ry = rel_xy(p)
    fins = [p.rel(s, True) for s in segs if s.flags & FIN]
    check_eq(fins, [("SUT", FIN | ACK, rx, ry - HALF_BYTES),
                    ("peer", FIN | ACK, ry, rx + 1)], "the FINs")
    for s in segs[1:]:
        if p.from_sut(s):
            check(s.dlen == 0 and seq_diff(s.seq, p.sut_isn) == rx + 1,
                  "SUT segment after its FIN: %s", p.line(s))
    last = p.rel(segs[-1])
    check_eq(last, ("SUT", ACK, rx + 1, ry + 1), "last segment")


def half_close_peer(role):
    """The peer shuts down writing; the SUT, in CLOSE_WAIT, sends
    HALF_BYTES, which the peer reads in full, then closes."""
    p = Pair(role)
    p.exchange()
    y = p.y
    p.peer.shutdown(socket.SHUT_WR)
    check_eq(p.sut.recv(10), b"", "SUT recv() after the peer's FIN")
    p.sut_seg(lambda s: s.ack == seq_add(y, 1), "ACK of the peer's FIN")
    p.check_states(CLOSE_WAIT, FIN_WAIT2, "after the peer's FIN")
    data = os.urandom(HALF_BYTES)

    def send_and_close():
        p.sut.sendall(data)
        p.sut.close()
    t = Bg(send_and_close)
    got = recv_all(p.peer, HALF_BYTES + 1, 10 * T_EXPECT)
    t.finish(T_EXPECT)
    check_eq(len(got), HALF_BYTES, "bytes the SUT sent in CLOSE_WAIT")
    check_eq(hashlib.sha256(got).hexdigest(), hashlib.sha256(data).hexdigest(),
             "SHA-256 of the data")
    diag("sent %d bytes in CLOSE_WAIT, SHA-256 ok" % len(got))
    p.sut_bytes += HALF_BYTES
    x = p.x
    p.peer_seg(lambda s: s.ack == seq_add(x, 1), "ACK of the SUT's FIN")
    p.check_states(None, TIME_WAIT, "at the end")
    segs = p.teardown()
    check(not any(s.flags & RST for s in segs), "RST in the teardown")
    rx, ry = rel_xy(p)
    fins = [p.rel(s, True) for s in segs if s.flags & FIN]
    check_eq(fins, [("peer", FIN | ACK, ry, rx - HALF_BYTES),
                    ("SUT", FIN | ACK, rx, ry + 1)], "the FINs")
    for s in segs[1:]:
        if p.from_sut(s):
            check_eq(seq_diff(s.ack, p.peer_isn), ry + 1,
                     "ack of a SUT segment after the peer's FIN")
    check_eq(p.rel(segs[-1]), ("peer", ACK, ry + 1, rx + 1), "last segment")


def rst_close(role, linger):
    """The SUT closes with unread data (LINGER False) or with SO_LINGER
    {1, 0}: one RST at its snd.nxt, no FIN; the peer's recv() fails with
    ECONNRESET; both sockets are gone."""
    p = Pair(role)
    p.exchange()
    if linger:
        set_linger(p.sut, 1, 0)
    else:
        p.peer.sendall(b"u" * 100)
        end = time.monotonic() + T_EXPECT
        while ioctl_int(p.sut, SIOCINQ) < 100:
            check(time.monotonic() < end, "the 100 bytes did not arrive")
            time.sleep(0.01)
        p.peer_bytes += 100
        p.quiesce()
    p.sut.close()
    p.sut_seg(lambda s: s.flags & RST, "RST")
    try:
        r = p.peer.recv(10)
        raise Fail("peer recv() returned %r, expected ECONNRESET" % r)
    except ConnectionResetError:
        pass
    p.check_states(None, None, "after the RST")
    time.sleep(0.1)			# anything sent in answer would show
    segs = p.teardown()
    rx, ry = rel_xy(p)
    check_eq(len(segs), 1, "segments in the teardown")
    who, flags, sq, ack = p.rel(segs[0])
    check_eq((who, flags & ~ACK, sq), ("SUT", RST, rx), "(who, flags, seq)")
    if flags & ACK:
        check_eq(ack, ry, "ack of the RST")
    diag("-> one RST %s the ACK bit, no FIN" %
         ("with" if flags & ACK else "without"))


CASES = [
    ("active close by the SUT, peer closes after its ACK: 4 segments",
     active_close_wait),
    ("active close by the SUT, peer closes at once: 3 or 4 segments",
     active_close_now),
    ("passive close by the SUT after its ACK: 4 segments", passive_close_wait),
    ("passive close by the SUT at once: 3 or 4 segments", passive_close_now),
    ("simultaneous shutdown(SHUT_WR) of both ends", simultaneous_close),
    ("half-close by the SUT, %d KiB still flowing to it" % (HALF_BYTES >> 10),
     half_close_sut),
    ("half-close by the peer, SUT sends %d KiB in CLOSE_WAIT" %
     (HALF_BYTES >> 10), half_close_peer),
    ("close with unread data: RST, no FIN",
     lambda role: rst_close(role, False)),
    ("SO_LINGER {1, 0}: RST, no FIN", lambda role: rst_close(role, True)),
]

for _role in ("client", "server"):
    for _name, _fn in CASES:
        TESTS.append(("SUT %s: %s" % (_role, _name),
                      (lambda fn, role: lambda: fn(role))(_fn, _role)))


def main():
    global FAM, SNIFF
    args = common_args("closeorders.py", __doc__)
    FAM = args.family
    setup_env(TAP, args)
    if FAM == "xtcp":
        write_sysctl("net.xtcp.msl", 1)
    try:
        SNIFF = Sniffer("lo")
    except OSError as e:
        TAP.bail("cannot capture on lo: %s" % e)
        TAP.finish()
    diag("family %s <-> inet on %s; numbers relative to each ISN" %
         (FAM, LO))
    TAP.run(args.only)
    TAP.finish()


if __name__ == "__main__":
    main()
