# SPDX-License-Identifier: GPL-2.0
"""
pathopts.py --family xtcp|inet [NAME...]

The socket options about the path, on the family under test (SUT) against a
Linux TCP peer on loopback: IP_RECVERR and the error queue
(recvmsg(MSG_ERRQUEUE)) for ICMP errors that a REJECT rule sends about the
SUT's own segments, IP_MTU, IP_MTU_DISCOVER (its values, and DF on the
wire), TCP_MAXSEG (its range, and the MSS it clamps in both directions:
announced in the SYN and used for what the SUT sends), a local link's MTU
lowered under a connection (the MSS follows), and SO_BINDTODEVICE
on the receive side (a listener bound to another device does not take a
connection that arrives on lo; with a VRF, in a second namespace over veth,
net.ipv4.tcp_l3mdev_accept and listeners and clients bound to the VRF).  The expected values are Linux's: run with
--family inet to check the tests themselves.

Run it through pathopts.sh, which gives it a private network namespace.
"""

import ctypes
import errno
import os
import select
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# pylint: disable=wrong-import-position
from xtcp_pkt import (ESTABLISHED, SIOCOUTQ, SYN, T_EXPECT, T_QUIET, Bg,
                      Fail, Skip, Sniffer, Tap, abort, check, check_eq,
                      common_args, deps_required, diag, ioctl_int, libc,
                      lo_pair, make_socket, need, poll_str, port_allocator,
                      read_sysctl, recv_all, run, set_timeouts, setup_env,
                      so_error, state_of, tcp_info, test_registry, wait_poll,
                      write_sysctl, xaccept, xbind, xconnect, xgetsockname)

LO = "127.0.0.1"
FAM = "xtcp"
TESTS = []
TAP = Tap(TESTS)
test = test_registry(TESTS)
port = port_allocator(23000)

# <linux/in.h>, <linux/errqueue.h>, <linux/tcp.h>
IP_MTU_DISCOVER, IP_RECVERR, IP_MTU = 10, 11, 14
PMTUDISC = {"DONT": 0, "WANT": 1, "DO": 2, "PROBE": 3, "INTERFACE": 4,
            "OMIT": 5}
SO_EE_ORIGIN_ICMP = 2
EE_FMT = "=IBBBBII"		# struct sock_extended_err
TCP_MAXSEG = 2
SO_BINDTODEVICE = 25

# (iptables --reject-with, ICMP code, errno Linux gives a connecting socket)
REJECTS = (("icmp-port-unreachable", 3, errno.ECONNREFUSED),
           ("icmp-host-unreachable", 1, errno.EHOSTUNREACH),
           ("icmp-admin-prohibited", 13, errno.EHOSTUNREACH))


def errname(e):
    return errno.errorcode.get(e, str(e))


def sut_socket():
    s = make_socket(FAM)
    set_timeouts(s, 10)
    TAP.defer(abort, s)
    return s


def check_errno(fn, want, what):
    try:
        fn()
    except OSError as e:
        check(e.errno == want, "%s: %s, want %s", what, errname(e.errno),
              errname(want))
        return
    raise Fail("%s: succeeded, want %s" % (what, errname(want)))


def reject(rule, how):
    """An iptables INPUT rule (a list of match arguments) that answers the
    segments it matches with the ICMP error HOW, removed after the test.
    Returns (hits, remove): how many packets it matched so far, and a
    function that removes it now."""
    need("iptables")
    args = ["INPUT"] + rule + ["-j", "REJECT", "--reject-with", how]
    run("iptables", "-I", *args)
    up = [True]

    def remove():
        if up[0]:
            up[0] = False
            run("iptables", "-D", *args)

    def hits():
        out = run("iptables", "-L", "INPUT", "-v", "-x", "-n")
        for line in out.splitlines():
            if "REJECT" in line and how.split("-", 1)[1] in line:
                return int(line.split()[0])
        return 0
    TAP.defer(remove)
    return hits, remove


def read_errqueue(s):
    """One message of S's error queue: (ee tuple, offender address,
    data, msg_flags), or None if the queue is empty (EAGAIN)."""
    # CPython cannot size addresses of family 18: read through an AF_INET
    # socket object on a duplicate of the descriptor (the address returned
    # is the peer's sockaddr_in either way)
    view = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 0,
                         fileno=os.dup(s.fileno()))
    try:
        data, anc, flags, _ = view.recvmsg(512, 512,
                                           socket.MSG_ERRQUEUE |
                                           socket.MSG_DONTWAIT)
    except BlockingIOError:
        return None
    finally:
        view.close()
    ee = off = None
    for level, kind, cdata in anc:
        if (level, kind) == (socket.SOL_IP, IP_RECVERR):
            n = struct.calcsize(EE_FMT)
            ee = struct.unpack(EE_FMT, cdata[:n])
            off = socket.inet_ntoa(cdata[n + 4:n + 8])
    check(ee is not None, "MSG_ERRQUEUE: no IP_RECVERR control message "
          "(got %r)", anc)
    return ee, off, data, flags


def connect_rejected(how, want, recverr):
    """connect() to a port whose SYNs are answered with HOW: the errno and
    how long it took; returns the socket."""
    p = port()
    reject(["-p", "tcp", "--syn", "--dport", str(p)], how)
    s = sut_socket()
    if recverr:
        s.setsockopt(socket.SOL_IP, IP_RECVERR, 1)
    t0 = time.monotonic()
    err = xconnect(s, LO, p)
    secs = time.monotonic() - t0
    check(err == want, "%s: connect() %s, want %s", how, errname(err),
          errname(want))
    check(secs < T_EXPECT, "%s: connect() failed only after %.1fs", how,
          secs)
    diag("%s: connect() %s in %.0f ms" % (how, errname(err), secs * 1e3))
    return s, p


def drain_errqueue(s, how, port_, code, want):
    """S's error queue holds the ICMP error of its refused SYN: at least one
    message (on loopback Linux's SYN is answered while connect() owns the
    socket, so its first error is kept soft and a retransmitted SYN's ends
    the connection: two messages), each right; then it is empty."""
    n = 0
    while True:
        m = read_errqueue(s)
        if m is None:
            break
        n += 1
        check(n <= 4, "%s: more than 4 messages queued", how)
        (ee_errno, origin, typ, ecode, _pad, _info, _data), off, data, \
            flags = m
        check_eq((errname(ee_errno), origin, typ, ecode),
                 (errname(want), SO_EE_ORIGIN_ICMP, 3, code),
                 "%s: ee_errno, ee_origin, ee_type, ee_code" % how)
        check_eq(off, LO, "%s: SO_EE_OFFENDER" % how)
        check(flags & socket.MSG_ERRQUEUE, "%s: msg_flags without "
              "MSG_ERRQUEUE", how)
        check(len(data) >= 8, "%s: %d bytes of quoted header", how,
              len(data))
        sport, dport = struct.unpack("!HH", data[:4])
        check_eq(dport, port_, "%s: destination port of the quoted header"
                 % how)
        check(sport != 0, "%s: quoted source port 0", how)
    check(n > 0, "%s: the error queue is empty", how)
    # (Linux keeps the first SYN's error as the soft error, which SO_ERROR
    # returns once the queue has cleared sk_err)
    e = so_error(s)
    check(e in (0, want), "%s: SO_ERROR after the error queue: %s", how,
          errname(e))
    diag("%s: %d message(s) on the error queue" % (how, n))


def refused_connects(recverr):
    """Each REJECTS answer ends a connect() with its errno and is queued."""
    for how, code, want in REJECTS:
        s, p = connect_rejected(how, want, recverr)
        drain_errqueue(s, how, p, code, want)


@test("IP_RECVERR: connect() refused by an ICMP error fails at once with "
      "Linux's errno, and the error queue holds it (origin ICMP, type, "
      "code, offender, quoted TCP header, MSG_ERRQUEUE)")
def t_recverr_connect():
    refused_connects(True)


@test("without IP_RECVERR: connect() fails the same way, and the error is "
      "queued all the same (Linux's tcp_v4_err() queues an opening "
      "connection's errors whatever IP_RECVERR says)")
def t_recverr_off():
    refused_connects(False)


def established_error(recverr):
    """A connected SUT client whose data segments the peer's host answers
    with host unreachable: with RECVERR the error is reported at once
    (POLLERR, SO_ERROR), without it only kept as the soft error (no
    POLLERR; SO_ERROR returns it, as Linux's SO_ERROR falls back to
    sk_err_soft, and clears it); either way nothing is queued, the
    connection stays up and, the rule removed, the data gets through."""
    p = port()
    sut, peer, sport, pport = lo_pair(FAM, "client", p)
    TAP.defer(abort, sut)
    TAP.defer(peer.close)
    if recverr:
        sut.setsockopt(socket.SOL_IP, IP_RECVERR, 1)
    hits, remove = reject(["-p", "tcp", "--sport", str(sport), "--dport",
                           str(pport)], "icmp-host-unreachable")
    msg = os.urandom(1000)
    sut.send(msg)
    end = time.monotonic() + T_EXPECT
    while hits() == 0 and time.monotonic() < end:
        time.sleep(0.05)
    check(hits() > 0, "the REJECT rule never matched")
    if recverr:
        ev = wait_poll(sut, select.POLLIN, T_EXPECT)
        check(ev & select.POLLERR, "no POLLERR after the ICMP error "
              "(revents %s)", poll_str(ev))
        check_eq(errname(so_error(sut)), errname(errno.EHOSTUNREACH),
                 "SO_ERROR")
    else:
        time.sleep(T_QUIET)
        ev = wait_poll(sut, select.POLLIN, 0)
        check(not ev & select.POLLERR, "POLLERR without IP_RECVERR")
        check_eq(errname(so_error(sut)), errname(errno.EHOSTUNREACH),
                 "SO_ERROR without IP_RECVERR (the soft error)")
        check_eq(so_error(sut), 0, "SO_ERROR read a second time")
    check(read_errqueue(sut) is None, "an error of a connected socket was "
          "queued (Linux queues only those of an opening one)")
    check_eq(state_of(FAM, sport, pport), ESTABLISHED,
             "state after a soft error")
    remove()
    got = recv_all(peer, len(msg), 4 * T_EXPECT)
    check(got == msg, "after the rule went: %d of %d bytes, intact %s",
          len(got), len(msg), got == msg[:len(got)])
    peer.send(b"pong")
    check_eq(recv_all(sut, 4), b"pong", "the reply")


@test("IP_RECVERR on a connected socket: an ICMP error about its data "
      "sets SO_ERROR at once (POLLERR), queues nothing, the connection "
      "stays and its data gets through once the path heals")
def t_recverr_established():
    established_error(True)


@test("without IP_RECVERR: an ICMP error about a connected socket's data "
      "is only kept (no POLLERR; SO_ERROR returns the soft error once); "
      "the data gets through once the path heals")
def t_soft_error_established():
    established_error(False)


@test("IP_MTU: ENOTCONN before connect(), the route's MTU after (lo's "
      "MTU changed to 9000)")
def t_ip_mtu():
    s = sut_socket()
    check_errno(lambda: s.getsockopt(socket.SOL_IP, IP_MTU), errno.ENOTCONN,
                "IP_MTU unconnected")
    with open("/sys/class/net/lo/mtu") as f:
        old = f.read().strip()
    run("ip", "link", "set", "lo", "mtu", "9000")
    TAP.defer(run, "ip", "link", "set", "lo", "mtu", old)
    p = port()
    sut, peer, _, _ = lo_pair(FAM, "client", p)
    TAP.defer(abort, sut)
    TAP.defer(peer.close)
    check_eq(sut.getsockopt(socket.SOL_IP, IP_MTU), 9000, "IP_MTU")
    check_eq(tcp_info(sut)["snd_mss"] <= 9000 - 40, True,
             "snd_mss %d within the MTU" % tcp_info(sut)["snd_mss"])


@test("a local link's MTU lowered under a connection (lo 65536 -> 1500 "
      "while the peer's window is shut): the MSS follows the route "
      "(IP_MTU, tcpi_snd_mss) and 8 MiB arrive intact")
def t_local_mtu_change():
    with open("/sys/class/net/lo/mtu") as f:
        old = f.read().strip()
    TAP.defer(run, "ip", "link", "set", "lo", "mtu", old)
    p = port()
    sut, peer, _, _ = lo_pair(FAM, "client", p)
    TAP.defer(abort, sut)
    TAP.defer(peer.close)
    msg = os.urandom(8 << 20)
    writer = Bg(sut.sendall, msg)
    # the peer reads nothing yet: the SUT fills the window and its buffer
    queued, end = -1, time.monotonic() + T_EXPECT
    while time.monotonic() < end:
        time.sleep(0.1)
        now = ioctl_int(sut, SIOCOUTQ)
        if now and now == queued:
            break
        queued = now
    before = tcp_info(sut)["snd_mss"]
    run("ip", "link", "set", "lo", "mtu", "1500")
    t0 = time.monotonic()
    got = recv_all(peer, len(msg), 10 * T_EXPECT)
    secs = time.monotonic() - t0
    writer.finish()
    check(got == msg, "%d of %d bytes, intact %s", len(got), len(msg),
          got == msg[:len(got)])
    info = tcp_info(sut)
    after = info["snd_mss"]
    diag("%d bytes queued at the change; snd_mss %d before, %d after; "
         "the rest took %.2fs, %d segments resent" % (
             queued, before, after, secs, info["total_retrans"]))
    check_eq(sut.getsockopt(socket.SOL_IP, IP_MTU), 1500, "IP_MTU")
    check(before > 1460 and after <= 1460, "snd_mss %d before, %d after "
          "the change to 1500", before, after)


@test("IP_MTU_DISCOVER: WANT by default, the six modes read back, values "
      "outside 0..5 EINVAL")
def t_pmtudisc_values():
    s = sut_socket()
    check_eq(s.getsockopt(socket.SOL_IP, IP_MTU_DISCOVER), PMTUDISC["WANT"],
             "the default")
    for name, v in PMTUDISC.items():
        s.setsockopt(socket.SOL_IP, IP_MTU_DISCOVER, v)
        check_eq(s.getsockopt(socket.SOL_IP, IP_MTU_DISCOVER), v,
                 "IP_PMTUDISC_%s read back" % name)
    for v in (-1, 6, 1000):
        check_errno(lambda v=v: s.setsockopt(socket.SOL_IP, IP_MTU_DISCOVER,
                                             v),
                    errno.EINVAL, "IP_MTU_DISCOVER %d" % v)


@test("IP_MTU_DISCOVER on the wire: data segments carry DF with WANT and "
      "DO, not with DONT")
def t_pmtudisc_df():
    sn = Sniffer("lo")
    TAP.defer(sn.close)
    p = port()
    sut, peer, sport, pport = lo_pair(FAM, "client", p)
    TAP.defer(abort, sut)
    TAP.defer(peer.close)
    for name, want in (("DONT", False), ("WANT", True), ("DO", True),
                       ("DONT", False)):
        sut.setsockopt(socket.SOL_IP, IP_MTU_DISCOVER, PMTUDISC[name])
        sn.clear()
        msg = os.urandom(3000)
        sut.sendall(msg)
        check(recv_all(peer, len(msg)) == msg, "%s: data lost", name)
        segs = [x for x in sn.segments(sport, pport)
                if x.sport == sport and x.dlen]
        check(segs, "%s: no data segment captured", name)
        dfs = {x.df for x in segs}
        check_eq(dfs, {want}, "IP_PMTUDISC_%s: DF on the %d data segments"
                 % (name, len(segs)))


def syn_mss(sn, a, b, flags):
    s = sn.wait_for(a, b, lambda x: x.flags & (SYN | 0x10) == flags)
    check(s is not None, "no SYN%s captured", "-ACK" if flags != SYN else "")
    return s.opt("mss")


def clamped_transfer(tx, rx, clamp, what):
    """TX sends 256 KiB to the Linux socket RX: intact, and RX's largest
    segment (tcpi_rcv_mss, the GSO size of what lo carries) within CLAMP."""
    msg = os.urandom(256 << 10)
    tx.sendall(msg)
    got = recv_all(rx, len(msg), 4 * T_EXPECT)
    check(got == msg, "%s: %d of %d bytes, intact %s", what, len(got),
          len(msg), got == msg[:len(got)])
    rmss = tcp_info(rx)["rcv_mss"]
    check(0 < rmss <= clamp, "%s: the Linux receiver's rcv_mss %d, "
          "TCP_MAXSEG %d", what, rmss, clamp)
    mss = tx.getsockopt(socket.IPPROTO_TCP, TCP_MAXSEG)
    check(clamp - 40 <= mss <= clamp, "%s: TCP_MAXSEG read back %d when "
          "connected", what, mss)
    check_eq(mss, tcp_info(tx)["snd_mss"], "%s: TCP_MAXSEG and "
             "tcpi_snd_mss" % what)
    diag("%s: rcv_mss %d at the Linux receiver, sender's MSS %d" %
         (what, rmss, mss))


@test("TCP_MAXSEG: 88..32767 or 0, else EINVAL; 536 unconnected by "
      "default, the value set read back")
def t_maxseg_values():
    s = sut_socket()
    check_eq(s.getsockopt(socket.IPPROTO_TCP, TCP_MAXSEG), 536, "default")
    for v in (87, 32768, -1, 65495):
        check_errno(lambda v=v: s.setsockopt(socket.IPPROTO_TCP, TCP_MAXSEG,
                                             v),
                    errno.EINVAL, "TCP_MAXSEG %d" % v)
    for v in (88, 32767, 1000):
        s.setsockopt(socket.IPPROTO_TCP, TCP_MAXSEG, v)
        check_eq(s.getsockopt(socket.IPPROTO_TCP, TCP_MAXSEG), v,
                 "TCP_MAXSEG %d read back" % v)


@test("TCP_MAXSEG 600 on a client: the SYN announces 600 and what it "
      "sends stays within 600 (the Linux receiver's rcv_mss)")
def t_maxseg_client():
    sn = Sniffer("lo")
    TAP.defer(sn.close)
    p = port()
    lsk = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    TAP.defer(lsk.close)
    lsk.bind((LO, p))
    lsk.listen(1)
    s = sut_socket()
    s.setsockopt(socket.IPPROTO_TCP, TCP_MAXSEG, 600)
    check_eq(xconnect(s, LO, p), 0, "connect()")
    check(wait_poll(lsk, select.POLLIN, T_EXPECT), "no connection")
    peer, _ = lsk.accept()
    TAP.defer(peer.close)
    set_timeouts(peer, 10)
    sport = xgetsockname(s)[2]
    check_eq(syn_mss(sn, sport, p, SYN), 600, "the SYN's MSS option")
    clamped_transfer(s, peer, 600, "SUT client")


@test("TCP_MAXSEG 600 on a listener: the SYN-ACK announces 600 and the "
      "accepted socket sends within 600")
def t_maxseg_server():
    sn = Sniffer("lo")
    TAP.defer(sn.close)
    p = port()
    lsk = sut_socket()
    lsk.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsk.setsockopt(socket.IPPROTO_TCP, TCP_MAXSEG, 600)
    xbind(lsk, LO, p)
    lsk.listen(1)
    peer = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    TAP.defer(peer.close)
    set_timeouts(peer, 10)
    peer.connect((LO, p))
    sut, _ = xaccept(lsk, T_EXPECT)
    TAP.defer(abort, sut)
    set_timeouts(sut, 10)
    check_eq(syn_mss(sn, p, peer.getsockname()[1], SYN | 0x10), 600,
             "the SYN-ACK's MSS option")
    clamped_transfer(sut, peer, 600, "SUT accepted socket")


def dummy_dev():
    """A dummy device d0 (10.123.0.1/24) beside lo."""
    run("ip", "link", "add", "d0", "type", "dummy")
    TAP.defer(run, "ip", "link", "del", "d0")
    run("ip", "addr", "add", "10.123.0.1/24", "dev", "d0")
    run("ip", "link", "set", "d0", "up")


def dev_listener(p, dev):
    """A SUT listener on 0.0.0.0:P bound to device DEV."""
    lsk = sut_socket()
    lsk.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsk.setsockopt(socket.SOL_SOCKET, SO_BINDTODEVICE, dev)
    xbind(lsk, "0.0.0.0", p)
    lsk.listen(4)
    return lsk


@test("SO_BINDTODEVICE on a listener: bound to lo it takes connections "
      "to 127.0.0.1; bound to another device it does not (ECONNREFUSED), "
      "and a second listener bound to lo on the same port still does")
def t_bindtodevice_listener():
    dummy_dev()
    p = port()
    d0_l = dev_listener(p, b"d0")
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    TAP.defer(c.close)
    set_timeouts(c, 10)
    check_errno(lambda: c.connect((LO, p)), errno.ECONNREFUSED,
                "connect() through lo to a listener bound to d0")
    check(not wait_poll(d0_l, select.POLLIN, 0), "the d0 listener has a "
          "connection from lo")
    lo_l = dev_listener(p, b"lo")
    c.close()
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    TAP.defer(c.close)
    set_timeouts(c, 10)
    c.connect((LO, p))
    a, _ = xaccept(lo_l, T_EXPECT)
    TAP.defer(abort, a)
    c.send(b"hi")
    check_eq(recv_all(a, 2), b"hi", "data through the lo listener")
    check(not wait_poll(d0_l, select.POLLIN, 0), "the d0 listener took it")


CLONE_NEWNET = 0x40000000
VRF_ADDR, VRF_PEER = "10.124.0.1", "10.124.0.2"


def vrf_peer():
    """A second namespace joined to ours by veth: our v0 (VRF_ADDR/24) is
    enslaved to VRF vrf-a (table 10), its v1 has VRF_PEER.  Returns the
    namespace's name (ip netns)."""
    name = "pathopts-%d" % os.getpid()
    run("ip", "netns", "add", name)
    TAP.defer(run, "ip", "netns", "del", name)
    run("ip", "link", "add", "v0", "type", "veth", "peer", "name", "v1",
        "netns", name)
    run("ip", "link", "add", "vrf-a", "type", "vrf", "table", "10")
    TAP.defer(run, "ip", "link", "del", "vrf-a")
    run("ip", "link", "set", "vrf-a", "up")
    run("ip", "link", "set", "v0", "master", "vrf-a")
    run("ip", "addr", "add", VRF_ADDR + "/24", "dev", "v0")
    run("ip", "link", "set", "v0", "up")
    for cmd in (("addr", "add", VRF_PEER + "/24", "dev", "v1"),
                ("link", "set", "v1", "up"), ("link", "set", "lo", "up")):
        run("ip", "netns", "exec", name, "ip", *cmd)
    return name


def linux_socket_in(ns):
    """A Linux TCP socket of network namespace NS (this thread visits it:
    a socket stays in the namespace it was made in)."""
    own = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    fd = os.open("/run/netns/" + ns, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns " + ns)
        try:
            return socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        finally:
            if libc.setns(own, CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), "setns back")
    finally:
        os.close(fd)
        os.close(own)


def both_ways(sut, peer, what):
    """A few bytes each way between the SUT's socket and the Linux one."""
    set_timeouts(sut, 10)
    set_timeouts(peer, 10)
    peer.sendall(b"ping")
    check_eq(recv_all(sut, 4), b"ping", "%s: data to the SUT" % what)
    sut.sendall(b"pong")
    check_eq(recv_all(peer, 4), b"pong", "%s: data from the SUT" % what)
    diag("%s: connected, data both ways" % what)


@test("VRF (SO_BINDTODEVICE and tcp_l3mdev_accept): a connection arriving "
      "on a device enslaved to a VRF reaches a listener bound to the VRF "
      "or to that device, an unbound one only with "
      "net.ipv4.tcp_l3mdev_accept=1, never one bound to another device; "
      "a client bound to the VRF connects out through it")
def t_vrf_listener():
    try:
        ns = vrf_peer()
    except RuntimeError as e:
        if "vrf" in str(e).lower() and not deps_required():
            raise Skip("no VRF devices in this kernel: %s" % e)
        raise
    old = read_sysctl("net.ipv4.tcp_l3mdev_accept")
    TAP.defer(write_sysctl, "net.ipv4.tcp_l3mdev_accept", old)
    for dev, accept, want in ((None, 0, errno.ECONNREFUSED),
                              (None, 1, 0), (b"vrf-a", 0, 0),
                              (b"v0", 0, 0), (b"lo", 1, errno.ECONNREFUSED)):
        what = "listener bound to %s, tcp_l3mdev_accept %d" % (
            dev.decode() if dev else "no device", accept)
        write_sysctl("net.ipv4.tcp_l3mdev_accept", accept)
        p = port()
        lsk = sut_socket()
        lsk.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if dev:
            lsk.setsockopt(socket.SOL_SOCKET, SO_BINDTODEVICE, dev)
        xbind(lsk, "0.0.0.0", p)
        lsk.listen(4)
        c = linux_socket_in(ns)
        TAP.defer(c.close)
        set_timeouts(c, T_EXPECT)
        err = c.connect_ex((VRF_ADDR, p))
        check(err == want, "%s: connect() from the peer %s, want %s", what,
              errname(err), errname(want))
        if want:
            check(not wait_poll(lsk, select.POLLIN, 0), "%s: the listener "
                  "has a connection", what)
            continue
        a, _ = xaccept(lsk, T_EXPECT)
        TAP.defer(abort, a)
        both_ways(a, c, what)
    # and out of the VRF: only a client bound to it has a route to the peer
    p = port()
    lsk = linux_socket_in(ns)
    TAP.defer(lsk.close)
    lsk.bind((VRF_PEER, p))
    lsk.listen(4)
    for dev, want in ((b"vrf-a", 0), (None, errno.ENETUNREACH)):
        what = "client bound to %s" % (dev.decode() if dev else "no device")
        c = sut_socket()
        if dev:
            c.setsockopt(socket.SOL_SOCKET, SO_BINDTODEVICE, dev)
        err = xconnect(c, VRF_PEER, p)
        check(err == want, "%s: connect() to the peer %s, want %s", what,
              errname(err), errname(want))
        if want:
            continue
        a, _ = lsk.accept()
        TAP.defer(a.close)
        both_ways(c, a, what)


def main():
    global FAM
    args = common_args("pathopts.py", __doc__)
    FAM = args.family
    setup_env(TAP, args)
    if FAM == "xtcp":
        write_sysctl("net.xtcp.msl", 1)
    diag("family %s <-> inet on %s" % (FAM, LO))
    TAP.run(args.only)
    TAP.finish()


if __name__ == "__main__":
    main()
