# SPDX-License-Identifier: GPL-2.0
"""
observe.py --family xtcp|inet [NAME...]

What XTCP shows of itself: getsockopt XTCP_INFO and TCP_INFO fields after
a known exchange, their growable size, a listener's queue in them, the
/proc/net/xtcp columns Linux also prints (rto, cwnd, ssthresh, timers in
clock ticks), the counters of /proc/net/xtcp_snmp over a scripted
exchange, and the tracepoints of events/xtcp/: each state transition
once, TIME_WAIT entry and exit, resets sent and received, SYN cookies,
SYN drops, retransmissions; and trace-cmd, perf and bpftrace reading them.

With --family inet the same exchanges run over Linux TCP and check
TCP_INFO, /proc/net/tcp and /proc/net/snmp (the tests of the tests); the
XTCP-only cases (XTCP_INFO, tracepoints) skip.

Run it through observe.sh, which gives it a private network namespace.
"""

import ctypes
import errno
import os
import re
import select
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# pylint: disable=wrong-import-position
from xtcp_pkt import (T_EXPECT, Fail, Skip, Tap, abort, check, check_eq,
                      common_args, counters, diag, make_socket, need,
                      poll_events, read_sysctl, recv_all, run, set_linger,
                      set_timeouts, setup_env, wait_poll, write_sysctl,
                      xaccept, xbind, xconnect, xgetsockname)
from xtcp_pkt import (TCP_INFO, TCPI_FMT, port_allocator, tcp_info,
                      test_registry)

LO = "127.0.0.1"
FAM = "xtcp"
TESTS = []
TAP = Tap(TESTS)
test = test_registry(TESTS)
port = port_allocator(27000)

SOL_XTCP = 0x5854
XTCP_INFO = 11
MSL = 1			# net.xtcp.msl for the run: TIME_WAIT lasts 2 s

# XTCP's struct xtcp_info (Linux's struct tcp_info: xtcp_pkt.tcp_info()).
XTCPI_FIELDS = (
    "state ca_state retransmits probes options snd_wscale rcv_wscale pad0 "
    "rto rtt rttvar snd_mss rcv_mss advmss snd_cwnd snd_ssthresh "
    "unacked sacked lost retrans notsent total_retrans "
    "snd_una snd_nxt rcv_nxt snd_wnd rcv_wnd "
    "last_data_sent last_data_recv last_ack_recv "
    "bytes_acked bytes_received bytes_sent bytes_retrans "
    "segs_out segs_in data_segs_out data_segs_in cong").split()
XTCPI_FMT = "=8B22I4Q4I16s"
OPT_TS, OPT_SACK, OPT_WSCALE = 1, 2, 4
XTCPI_OPT_ECN = 0x40
ESTABLISHED, SYN_SENT, LISTEN = 1, 2, 10
CLK_TCK = os.sysconf("SC_CLK_TCK")


def xtcp_info(s):
    raw = s.getsockopt(SOL_XTCP, XTCP_INFO, 512)
    check_eq(len(raw), struct.calcsize(XTCPI_FMT), "XTCP_INFO length")
    d = dict(zip(XTCPI_FIELDS, struct.unpack(XTCPI_FMT, raw)))
    d["cong"] = d["cong"].rstrip(b"\0").decode()
    return d


def sut_socket():
    s = make_socket(FAM)
    set_timeouts(s, 10)
    TAP.defer(abort, s)
    return s


def sut_listener(lport, backlog=8):
    lsk = sut_socket()
    lsk.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    xbind(lsk, LO, lport)
    lsk.listen(backlog)
    return lsk


def sut_pair():
    """Client and accepted server, both of the family under test."""
    lport = port()
    lsk = sut_listener(lport)
    c = sut_socket()
    err = xconnect(c, LO, lport)
    check(not err, "connect(): %s", os.strerror(err or 0))
    srv, _ = xaccept(lsk, T_EXPECT)
    set_timeouts(srv, 10)
    TAP.defer(abort, srv)
    lsk.close()
    return c, srv, xgetsockname(c)[2], lport


def wait_for(fn, what, timeout=None):
    end = time.monotonic() + (T_EXPECT if timeout is None else timeout)
    while True:
        v = fn()
        if v:
            return v
        if time.monotonic() >= end:
            raise Fail("timed out waiting for " + what)
        time.sleep(0.02)


def need_xtcp():
    if FAM != "xtcp":
        raise Skip("XTCP only")


# ------------------------------------------------------- XTCP_INFO, TCP_INFO

@test("info: TCP_INFO after 100000 bytes out and 50000 in")
def t_tcp_info():
    c, srv, _, _ = sut_pair()
    c.sendall(b"a" * 100000)
    check_eq(len(recv_all(srv, 100000)), 100000, "bytes received")
    srv.sendall(b"b" * 50000)
    check_eq(len(recv_all(c, 50000)), 50000, "bytes received")
    ti = wait_for(lambda: (lambda t: t if t["unacked"] == 0 else None)(
        tcp_info(c)), "the client's data to be acknowledged")
    diag("client: " + " ".join("%s=%s" % (k, ti[k]) for k in (
        "state", "options", "wscale", "rto", "rtt", "rttvar", "snd_mss",
        "rcv_mss", "snd_cwnd", "snd_ssthresh", "bytes_acked",
        "bytes_received", "segs_out", "segs_in", "data_segs_out",
        "data_segs_in", "bytes_sent", "total_retrans", "snd_wnd")))
    check_eq(ti["state"], ESTABLISHED, "tcpi_state")
    check_eq(ti["options"] & 7, OPT_TS | OPT_SACK | OPT_WSCALE,
             "tcpi_options (TS|SACK|WSCALE)")
    check(ti["wscale"] & 0xf and ti["wscale"] >> 4,
          "window scale shifts: %#x", ti["wscale"])
    check(1000 <= ti["snd_mss"] <= 65495, "snd_mss %d", ti["snd_mss"])
    check(ti["rtt"] > 0 and ti["rto"] >= 200000,
          "rtt %d us, rto %d us", ti["rtt"], ti["rto"])
    check(ti["snd_cwnd"] >= 10, "cwnd %d", ti["snd_cwnd"])
    # the SYN counts in bytes_acked, as Linux's
    check_eq(ti["bytes_acked"], 100001, "tcpi_bytes_acked")
    check_eq(ti["bytes_received"], 50000, "tcpi_bytes_received")
    check(ti["bytes_sent"] >= 100000, "bytes_sent %d", ti["bytes_sent"])
    check(ti["data_segs_out"] >= 100000 // ti["snd_mss"],
          "data_segs_out %d", ti["data_segs_out"])
    check(ti["data_segs_in"] >= 1 and ti["segs_in"] > ti["data_segs_in"],
          "segs_in %d, data_segs_in %d", ti["segs_in"], ti["data_segs_in"])
    check(ti["segs_out"] > ti["data_segs_out"], "segs_out %d",
          ti["segs_out"])
    check_eq(ti["total_retrans"], 0, "tcpi_total_retrans")
    check(ti["snd_wnd"] > 65535, "snd_wnd %d (scaled)", ti["snd_wnd"])
    si = tcp_info(srv)
    check_eq(si["bytes_received"], 100000, "server tcpi_bytes_received")
    check(si["last_data_recv"] < 5000, "server last_data_recv %d ms",
          si["last_data_recv"])


@test("info: XTCP_INFO agrees with TCP_INFO and the sequence numbers")
def t_xtcp_info():
    need_xtcp()
    c, srv, _, _ = sut_pair()
    c.sendall(b"x" * 30000)
    check_eq(len(recv_all(srv, 30000)), 30000, "bytes received")
    xi = wait_for(lambda: (lambda x: x if x["unacked"] == 0 else None)(
        xtcp_info(c)), "the client's data to be acknowledged")
    ti = tcp_info(c)
    si = xtcp_info(srv)
    diag("client: " + " ".join("%s=%s" % (k, v) for k, v in xi.items()))
    check_eq(xi["state"], ESTABLISHED, "xtcpi_state")
    check_eq(xi["cong"], read_sysctl("net.xtcp.congestion_control"),
             "xtcpi_cong")
    check_eq(xi["options"] & 7, OPT_TS | OPT_SACK | OPT_WSCALE,
             "xtcpi_options")
    for k in ("rto", "rtt", "rttvar", "snd_mss", "rcv_mss", "advmss",
              "snd_cwnd", "snd_ssthresh", "total_retrans", "bytes_acked",
              "bytes_received", "bytes_sent", "bytes_retrans", "segs_out",
              "data_segs_out", "snd_wnd"):
        tk = "notsent_bytes" if k == "notsent" else k
        check_eq(xi[k], ti[tk], "xtcpi_%s vs tcpi_%s" % (k, tk))
    check_eq(xi["snd_wscale"], ti["wscale"] & 0xf, "snd_wscale")
    check_eq(xi["rcv_wscale"], ti["wscale"] >> 4, "rcv_wscale")
    check_eq(xi["bytes_acked"], 30001, "xtcpi_bytes_acked")
    check_eq(xi["snd_una"], xi["snd_nxt"], "snd_una == snd_nxt")
    # both ends of the connection see the same sequence numbers
    check_eq(si["rcv_nxt"], xi["snd_nxt"], "server rcv_nxt vs client snd_nxt")
    check_eq(si["snd_nxt"], xi["rcv_nxt"], "server snd_nxt vs client rcv_nxt")
    check_eq(si["bytes_received"], 30000, "server xtcpi_bytes_received")
    check_eq(xi["notsent"], 0, "xtcpi_notsent")
    check(xi["rcv_wnd"] > 0, "rcv_wnd %d", xi["rcv_wnd"])


@test("info: growable by size, as TCP_INFO")
def t_info_size():
    c, _, _, _ = sut_pair()
    levels = [(socket.IPPROTO_TCP, TCP_INFO, "TCP_INFO")]
    if FAM == "xtcp":
        levels.append((SOL_XTCP, XTCP_INFO, "XTCP_INFO"))
    for level, name, what in levels:
        full = c.getsockopt(level, name, 1024)
        diag("%s: %d bytes" % (what, len(full)))
        if what == "XTCP_INFO":
            check_eq(len(full), struct.calcsize(XTCPI_FMT), "its size")
        else:
            check(len(full) >= struct.calcsize(TCPI_FMT), "%s: only %d "
                  "bytes", what, len(full))
        for n in (1, 8, 40):
            part = c.getsockopt(level, name, n)
            check_eq(len(part), n, "%s with a %d-byte buffer" % (what, n))
            check_eq(part[:1], full[:1], "%s's state byte" % what)
        lib = ctypes.CDLL(None, use_errno=True)
        buf = ctypes.create_string_buffer(8)
        ln = ctypes.c_int(-1)
        r = lib.getsockopt(c.fileno(), level, name, buf, ctypes.byref(ln))
        check(r == -1 and ctypes.get_errno() == errno.EINVAL,
              "%s with optlen -1: %d (%s)", what, r,
              os.strerror(ctypes.get_errno()))


@test("info: a listener reports its accept queue and backlog")
def t_info_listener():
    lport = port()
    lsk = sut_listener(lport, backlog=5)
    peers = []
    for _ in range(2):
        p = socket.socket()
        TAP.defer(abort, p)
        p.connect((LO, lport))
        peers.append(p)
    ti = wait_for(lambda: (lambda t: t if t["unacked"] == 2 else None)(
        tcp_info(lsk)), "2 connections in the accept queue")
    check_eq(ti["state"], LISTEN, "tcpi_state")
    check_eq(ti["sacked"], 5, "tcpi_sacked (the backlog)")
    if FAM == "xtcp":
        xi = xtcp_info(lsk)
        check_eq((xi["state"], xi["unacked"], xi["sacked"]), (LISTEN, 2, 5),
                 "XTCP_INFO state, queue, backlog")


def blackhole():
    """A destination whose packets vanish: a route to a dummy device."""
    try:
        run("ip", "link", "add", "xobs0", "type", "dummy")
    except RuntimeError as e:
        raise Skip("this kernel has no dummy device (CONFIG_DUMMY): %s" % e)
    TAP.defer(run, "ip", "link", "del", "xobs0")
    run("ip", "addr", "add", "10.77.0.1/24", "dev", "xobs0")
    run("ip", "link", "set", "xobs0", "up")
    return "10.77.0.2"


@test("info: a SYN resent after 1 s shows in the counts")
def t_info_syn_retrans():
    dst = blackhole()
    s = sut_socket()
    s.setblocking(False)
    err = xconnect(s, dst, 80)
    check(err in (errno.EINPROGRESS, 0), "connect: %s", os.strerror(err))
    time.sleep(1.5)
    ti = tcp_info(s)
    diag("state %d retransmits %d total_retrans %d backoff %d rto %d" % (
        ti["state"], ti["retransmits"], ti["total_retrans"], ti["backoff"],
        ti["rto"]))
    check_eq(ti["state"], SYN_SENT, "tcpi_state")
    check_eq(ti["total_retrans"], 1, "tcpi_total_retrans after 1.5 s")
    check_eq(ti["retransmits"], 1, "tcpi_retransmits after 1.5 s")
    check(ti["rto"] >= 2000000, "rto %d us: backed off from 1 s",
          ti["rto"])


# ------------------------------------------------------------ /proc columns

def proc_path():
    return "/proc/net/xtcp" if FAM == "xtcp" else "/proc/net/tcp"


def proc_line(lport, rport):
    with open(proc_path()) as f:
        for line in f.readlines()[1:]:
            fl = line.split()
            if int(fl[1].split(":")[1], 16) == lport and \
               int(fl[2].split(":")[1], 16) == rport:
                return fl
    return None


@test("proc: rto, cwnd, ssthresh and timers as Linux prints them")
def t_proc_columns():
    c, srv, cport, sport = sut_pair()
    c.sendall(b"p" * 5000)
    recv_all(srv, 5000)
    wait_for(lambda: tcp_info(c)["unacked"] == 0, "the ACK")
    ti = tcp_info(c)
    fl = proc_line(cport, sport)
    check(fl is not None, "no line for %d->%d", cport, sport)
    diag("line: " + " ".join(fl))
    check(len(fl) >= 17, "%d columns", len(fl))
    rto_ticks = int(fl[12])
    want = ti["rto"] * CLK_TCK // 1000000
    check(abs(rto_ticks - want) <= 1, "rto column %d, TCP_INFO says %d us "
          "= %d ticks", rto_ticks, ti["rto"], want)
    check_eq(int(fl[15]), ti["snd_cwnd"], "cwnd column")
    check_eq(int(fl[16]), -1, "ssthresh column (initial slow start)")
    # keepalive: the timer column is 2 and counts down in clock ticks
    c.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 100)
    fl = proc_line(cport, sport)
    tr, when = fl[5].split(":")
    diag("keepalive: tr:tm->when %s" % fl[5])
    check_eq(int(tr, 16), 2, "timer kind (keepalive)")
    check(90 * CLK_TCK <= int(when, 16) <= 100 * CLK_TCK,
          "keepalive expires in %d ticks, expected about %d",
          int(when, 16), 100 * CLK_TCK)
    if FAM != "xtcp":
        return
    # TIME_WAIT: 2 * msl, in clock ticks
    c.close()
    check_eq(srv.recv(1), b"", "EOF")
    srv.close()
    fl = wait_for(lambda: (lambda f: f if f and f[3] == "06" else None)(
        proc_line(cport, sport)), "TIME_WAIT")
    tr, when = fl[5].split(":")
    diag("TIME_WAIT: tr:tm->when %s" % fl[5])
    check_eq(int(tr, 16), 3, "timer kind (TIME_WAIT)")
    check(0 < int(when, 16) <= 2 * MSL * CLK_TCK, "TIME_WAIT expires in %d "
          "ticks, 2MSL is %d", int(when, 16), 2 * MSL * CLK_TCK)


# ---------------------------------------------------------------- counters

TCP_KEYS = ("ActiveOpens", "PassiveOpens", "AttemptFails", "EstabResets",
            "CurrEstab", "InSegs", "OutSegs", "RetransSegs", "InErrs",
            "OutRsts")


def snap():
    return counters(FAM)


def delta(a, b, grp, name):
    return b.get(grp, {}).get(name, 0) - a.get(grp, {}).get(name, 0)


@test("counters: three connections, 10000 bytes each, closed cleanly")
def t_counters_exchange():
    # let earlier tests' connections settle (TIME_WAIT, orphans)
    time.sleep(2 * MSL + 0.5)
    before = snap()
    for _ in range(3):
        c, srv, _, _ = sut_pair()
        c.sendall(b"c" * 10000)
        check_eq(len(recv_all(srv, 10000)), 10000, "bytes")
        c.close()
        check_eq(srv.recv(1), b"", "EOF")
        srv.close()
    time.sleep(0.5)
    mid = snap()
    d = {k: delta(before, mid, "Tcp", k) for k in TCP_KEYS}
    diag("deltas: " + " ".join("%s=%d" % kv for kv in d.items()))
    check_eq(d["ActiveOpens"], 3, "ActiveOpens")
    check_eq(d["PassiveOpens"], 3, "PassiveOpens")
    for k in ("AttemptFails", "EstabResets", "CurrEstab", "RetransSegs",
              "InErrs", "OutRsts"):
        check_eq(d[k], 0, k)
    # every segment stays in this namespace, on lo
    check_eq(d["InSegs"], d["OutSegs"], "InSegs vs OutSegs")
    # three handshakes, 10000 bytes, FINs: at least 8 segments each
    check(d["OutSegs"] >= 24, "OutSegs %d", d["OutSegs"])
    if FAM == "xtcp":
        time.sleep(2 * MSL + 0.5)
        check_eq(delta(mid, snap(), "TcpExt", "TW"), 3,
                 "TW (TIME_WAIT ended by its timer)")


@test("counters: an abortive close")
def t_counters_reset():
    c, srv, _, _ = sut_pair()
    time.sleep(0.2)
    before = snap()
    set_linger(c, 1, 0)
    c.close()
    check(wait_poll(srv, select.POLLERR | select.POLLHUP, T_EXPECT),
          "the server saw no reset")
    time.sleep(0.2)
    after = snap()
    d = {k: delta(before, after, "Tcp", k) for k in TCP_KEYS}
    diag("deltas: " + " ".join("%s=%d" % kv for kv in d.items()))
    check_eq(d["OutRsts"], 1, "OutRsts")
    check_eq(d["EstabResets"], 2, "EstabResets (both ends)")
    check_eq(d["CurrEstab"], -2, "CurrEstab")


# ------------------------------------------------------------- tracepoints

TRACEFS = "/sys/kernel/tracing"


def tracefs():
    # bpftrace and older perf look for tracefs under debugfs too
    if os.path.isdir("/sys/kernel/debug") and \
       not os.path.isdir("/sys/kernel/debug/tracing/events"):
        subprocess.run(["mount", "-t", "debugfs", "nodev",
                        "/sys/kernel/debug"], check=False,
                       capture_output=True)
    if not os.path.isdir(os.path.join(TRACEFS, "events")):
        os.makedirs(TRACEFS, exist_ok=True)
        subprocess.run(["mount", "-t", "tracefs", "nodev", TRACEFS],
                       check=False, capture_output=True)
    if not os.path.isdir(os.path.join(TRACEFS, "events", "xtcp")):
        raise Fail("no %s/events/xtcp" % TRACEFS)
    return TRACEFS


class Trace:
    """A private tracefs instance with the xtcp events enabled."""

    def __init__(self):
        root = tracefs()
        self.dir = os.path.join(root, "instances", "xtcp-observe-%d" %
                                os.getpid())
        if os.path.isdir(self.dir):
            os.rmdir(self.dir)
        os.mkdir(self.dir)
        TAP.defer(self.close)
        with open(os.path.join(self.dir, "buffer_size_kb"), "w") as f:
            f.write("2048")
        with open(os.path.join(self.dir, "events/xtcp/enable"), "w") as f:
            f.write("1")

    def events(self):
        """[(event, {field: value})] in order."""
        out = []
        with open(os.path.join(self.dir, "trace")) as f:
            for line in f:
                m = re.search(r" (xtcp_\w+): (.*)$", line)
                if not m:
                    continue
                fields = dict(kv.split("=", 1) for kv in m.group(2).split()
                              if "=" in kv)
                out.append((m.group(1), fields))
        return out

    def close(self):
        try:
            with open(os.path.join(self.dir, "events/xtcp/enable"),
                      "w") as f:
                f.write("0")
            os.rmdir(self.dir)
        except OSError as e:
            diag("trace instance: %s" % e)


def of_tuple(evs, name, lport, rport):
    return [f for e, f in evs if e == name and int(f["sport"]) == lport
            and int(f["dport"]) == rport]


def transitions(evs, lport, rport):
    return ["%s>%s" % (f["oldstate"], f["newstate"])
            for f in of_tuple(evs, "xtcp_state_change", lport, rport)]


@test("trace: each transition once, TIME_WAIT entered and left")
def t_trace_lifecycle():
    need_xtcp()
    tr = Trace()
    lport = port()
    lsk = sut_listener(lport)
    c = sut_socket()
    check(not xconnect(c, LO, lport), "connect")
    srv, _ = xaccept(lsk, T_EXPECT)
    TAP.defer(abort, srv)
    cport = xgetsockname(c)[2]
    c.sendall(b"t" * 2000)
    recv_all(srv, 2000)
    c.close()
    check_eq(srv.recv(1), b"", "EOF")
    time.sleep(0.3)		# the ACK of the client's FIN goes out alone
    srv.close()
    lsk.close()
    time.sleep(2 * MSL + 0.7)
    evs = tr.events()
    for e, f in evs:
        diag("  %s %s" % (e, " ".join("%s=%s" % kv for kv in f.items())))
    check_eq(transitions(evs, cport, lport),
             ["CLOSE>SYN_SENT", "SYN_SENT>ESTABLISHED",
              "ESTABLISHED>FIN_WAIT1", "FIN_WAIT1>FIN_WAIT2",
              "FIN_WAIT2>TIME_WAIT"], "client transitions")
    check_eq(transitions(evs, lport, cport),
             ["SYN_RECV>ESTABLISHED", "ESTABLISHED>CLOSE_WAIT",
              "CLOSE_WAIT>LAST_ACK", "LAST_ACK>CLOSE"],
             "server transitions")
    check_eq(transitions(evs, lport, 0), ["CLOSE>LISTEN", "LISTEN>CLOSE"],
             "listener transitions")
    enter = of_tuple(evs, "xtcp_tw_enter", cport, lport)
    leave = of_tuple(evs, "xtcp_tw_exit", cport, lport)
    check_eq(len(enter), 1, "xtcp_tw_enter events")
    check_eq(int(enter[0]["timeout_ms"]), 2000 * MSL, "timeout_ms")
    check_eq([f["reason"] for f in leave], ["expired"], "xtcp_tw_exit")
    check_eq(enter[0]["saddr"], LO, "saddr")
    check_eq(enter[0]["daddr"], LO, "daddr")
    for name in ("xtcp_send_reset", "xtcp_receive_reset", "xtcp_retransmit",
                 "xtcp_syn_drop", "xtcp_cookie_sent"):
        check_eq(len(of_tuple(evs, name, cport, lport)) +
                 len(of_tuple(evs, name, lport, cport)), 0,
                 name + " events")


@test("trace: resets sent and received")
def t_trace_resets():
    need_xtcp()
    tr = Trace()
    c, srv, cport, sport = sut_pair()
    set_linger(c, 1, 0)
    c.close()
    check(wait_poll(srv, select.POLLERR | select.POLLHUP, T_EXPECT),
          "no reset")
    # a SYN to a port nobody listens on: Linux TCP answers it with RST
    r = sut_socket()
    rport = port()
    check_eq(xconnect(r, LO, rport), errno.ECONNREFUSED, "refused connect")
    rcport = xgetsockname(r)[2]
    evs = tr.events()
    for e, f in evs:
        diag("  %s %s" % (e, " ".join("%s=%s" % kv for kv in f.items())))
    sent = of_tuple(evs, "xtcp_send_reset", cport, sport)
    check_eq([f["state"] for f in sent], ["ESTABLISHED"],
             "xtcp_send_reset of the aborting socket")
    got = of_tuple(evs, "xtcp_receive_reset", sport, cport)
    check_eq([f["state"] for f in got], ["ESTABLISHED"],
             "xtcp_receive_reset of its peer")
    got = of_tuple(evs, "xtcp_receive_reset", rcport, rport)
    check_eq([f["state"] for f in got], ["SYN_SENT"],
             "xtcp_receive_reset of the refused connect")
    check_eq(transitions(evs, rcport, rport),
             ["CLOSE>SYN_SENT", "SYN_SENT>CLOSE"], "refused transitions")


@test("trace: ECN negotiated (xtcp_ecn, XTCPI_OPT_ECN), urgent data sent "
      "and received (xtcp_urg)")
def t_trace_ecn_urg():
    need_xtcp()
    old = read_sysctl("net.xtcp.ecn")
    TAP.defer(write_sysctl, "net.xtcp.ecn", old)
    write_sysctl("net.xtcp.ecn", 1)
    tr = Trace()
    c, srv, cport, sport = sut_pair()
    for s, what in ((c, "client"), (srv, "server")):
        check(xtcp_info(s)["options"] & XTCPI_OPT_ECN, "XTCPI_OPT_ECN not "
              "set on the %s", what)
    c.send(b"ab")
    c.send(b"c", socket.MSG_OOB)
    wait_for(lambda: poll_events(srv, select.POLLPRI) & select.POLLPRI,
             "the urgent byte")
    check_eq(srv.recv(10), b"ab", "data before the mark")
    check_eq(srv.recv(1, socket.MSG_OOB), b"c", "recv(MSG_OOB)")
    evs = tr.events()
    for e, f in evs:
        if e in ("xtcp_ecn", "xtcp_urg"):
            diag("  %s %s" % (e, " ".join("%s=%s" % kv for kv in f.items())))
    check_eq([f["event"] for f in of_tuple(evs, "xtcp_ecn", cport, sport)],
             ["negotiated"], "xtcp_ecn of the client")
    check_eq([f["event"] for f in of_tuple(evs, "xtcp_ecn", sport, cport)],
             ["negotiated"], "xtcp_ecn of the server")
    sent = of_tuple(evs, "xtcp_urg", cport, sport)
    got = of_tuple(evs, "xtcp_urg", sport, cport)
    check_eq([f["event"] for f in sent], ["send"], "xtcp_urg of the sender")
    check_eq([f["event"] for f in got], ["pointer", "byte"],
             "xtcp_urg of the receiver")
    check(sent and got and sent[0]["seq"] == got[0]["seq"] == got[1]["seq"],
          "the urgent byte's seq differs between the events")


@test("trace: a SYN cookie sent, a SYN dropped on a full accept queue")
def t_trace_listen():
    need_xtcp()
    old = read_sysctl("net.xtcp.syncookies")
    TAP.defer(write_sysctl, "net.xtcp.syncookies", old)
    tr = Trace()
    write_sysctl("net.xtcp.syncookies", 2)
    lport = port()
    lsk = sut_listener(lport, backlog=1)
    p = socket.socket()
    TAP.defer(abort, p)
    p.connect((LO, lport))
    a, _ = xaccept(lsk, T_EXPECT)
    TAP.defer(abort, a)
    cookie_port = p.getsockname()[1]
    write_sysctl("net.xtcp.syncookies", 0)
    # backlog 1: the accept queue holds 2; the third SYN is dropped
    peers = []
    for _ in range(3):
        q = socket.socket()
        TAP.defer(abort, q)
        q.setblocking(False)
        q.connect_ex((LO, lport))
        peers.append(q)
        time.sleep(0.1)
    time.sleep(0.3)
    evs = tr.events()
    for e, f in evs:
        diag("  %s %s" % (e, " ".join("%s=%s" % kv for kv in f.items())))
    ck = of_tuple(evs, "xtcp_cookie_sent", lport, cookie_port)
    check_eq(len(ck), 1, "xtcp_cookie_sent for the cookie connection")
    check(536 <= int(ck[0]["mss"]) <= 65495, "cookie mss %s", ck[0]["mss"])
    check_eq(len([1 for e, _ in evs if e == "xtcp_cookie_sent"]), 1,
             "cookies in all")
    third = peers[2].getsockname()[1]
    drops = of_tuple(evs, "xtcp_syn_drop", lport, third)
    check(drops and all(f["reason"] == "acceptq_full" for f in drops),
          "xtcp_syn_drop of the third SYN: %s", drops)
    for q in peers[:2]:
        check(not of_tuple(evs, "xtcp_syn_drop", lport,
                           q.getsockname()[1]), "a queued SYN was dropped")


@test("trace: a SYN retransmission")
def t_trace_retransmit():
    need_xtcp()
    tr = Trace()
    dst = blackhole()
    s = sut_socket()
    s.setblocking(False)
    xconnect(s, dst, 81)
    sport = xgetsockname(s)[2]
    time.sleep(1.5)
    iss = xtcp_info(s)["snd_una"]
    evs = tr.events()
    rtx = of_tuple(evs, "xtcp_retransmit", sport, 81)
    diag("retransmits: %s" % rtx)
    check_eq(len(rtx), 1, "xtcp_retransmit events after 1.5 s")
    check_eq((rtx[0]["kind"], rtx[0]["state"], int(rtx[0]["seq"]),
              int(rtx[0]["retries"])), ("syn", "SYN_SENT", iss, 1),
             "kind, state, seq, retries")


# ------------------------------------------------- trace-cmd, perf, bpftrace

EXCHANGE = r"""
import socket, sys, time
sys.path.insert(0, %r)
from xtcp_pkt import make_socket, xbind, xconnect, xaccept
fam, port = %r, %d
l = make_socket(fam); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
xbind(l, "127.0.0.1", port); l.listen(4)
for _ in range(2):
    c = make_socket(fam); assert not xconnect(c, "127.0.0.1", port)
    s, _ = xaccept(l, 3); c.sendall(b"x" * 100); s.recv(100)
    s.close(); assert c.recv(1) == b""; time.sleep(0.1); c.close()
l.close()
"""
# The server closes first: per connection the client goes SYN_SENT,
# ESTABLISHED, CLOSE_WAIT, LAST_ACK, CLOSE and the server ESTABLISHED,
# FIN_WAIT1, FIN_WAIT2, TIME_WAIT; the listener LISTEN, CLOSE.


EXCHANGES = [0]


def exchange_cmd():
    code = EXCHANGE % (os.path.dirname(os.path.abspath(__file__)), FAM,
                       port())
    EXCHANGES[0] += 1
    path = "/tmp/xtcp-observe-exchange-%d-%d.py" % (os.getpid(),
                                                      EXCHANGES[0])
    with open(path, "w") as f:
        f.write(code)
    TAP.defer(os.unlink, path)
    return [sys.executable, path]


def tool(name):
    need_xtcp()
    return need(name)


def newstates_via_tracefs():
    """The newstate names of one run of the exchange, through tracefs."""
    tr = Trace()
    subprocess.run(exchange_cmd(), check=True, timeout=30)
    return sorted(f["newstate"] for e, f in tr.events()
                  if e == "xtcp_state_change")


@test("tools: trace-cmd records the events")
def t_trace_cmd():
    tc = tool("trace-cmd")
    tracefs()
    out = "/tmp/xtcp-observe-%d.dat" % os.getpid()
    TAP.defer(lambda: os.path.exists(out) and os.unlink(out))
    # -b: once a tracefs instance has been used, 6.1 leaves the top-level
    # buffer at its boot size of 7 KB ("expanded" without growing), and
    # record's reader then gets no full page to splice: 0 bytes recorded
    rec = r = subprocess.run([tc, "record", "-b", "1408", "-e",
                              "xtcp:xtcp_state_change", "-o", out] +
                             exchange_cmd(), capture_output=True, text=True,
                             timeout=120)
    check(r.returncode == 0, "trace-cmd record: %s", r.stderr[-500:])
    r = subprocess.run([tc, "report", "-i", out], capture_output=True,
                       text=True, timeout=60)
    check(r.returncode == 0, "trace-cmd report: %s", r.stderr[-500:])
    want = newstates_via_tracefs()
    check(want.count("ESTABLISHED") == 4, "tracefs: %s", want)
    got = sorted(re.findall(r"xtcp_state_change:.* newstate=(\w+)",
                            r.stdout))
    diag("trace-cmd record: %d transitions" % len(got))
    if got != want:
        diag("trace-cmd record:\n" + rec.stdout[-2000:] + rec.stderr[-2000:])
        diag("trace-cmd report:\n" + r.stdout[:3000] + r.stderr[-1000:])
    check_eq(got, want, "newstates seen by trace-cmd")


@test("tools: perf counts the events")
def t_perf():
    perf = tool("perf")
    if not os.path.exists("/proc/sys/kernel/perf_event_paranoid"):
        raise Skip("this kernel has no perf events (CONFIG_PERF_EVENTS)")
    want = newstates_via_tracefs()
    r = subprocess.run([perf, "stat", "-a", "-x", ",", "-e",
                        "xtcp:xtcp_state_change,xtcp:xtcp_tw_enter"] +
                       exchange_cmd(), capture_output=True, text=True,
                       timeout=120)
    check(r.returncode == 0, "perf stat: %s", r.stderr[-800:])
    counts = {}
    for line in r.stderr.splitlines():
        f = line.split(",")
        if len(f) > 2 and f[2].startswith("xtcp:"):
            counts[f[2]] = int(float(f[0]))
    diag("perf stat: %s" % counts)
    check_eq(counts.get("xtcp:xtcp_state_change"), len(want),
             "state changes counted by perf")
    check_eq(counts.get("xtcp:xtcp_tw_enter"), 2, "TIME_WAIT entries")


@test("tools: bpftrace reads the fields")
def t_bpftrace():
    bt = tool("bpftrace")
    if not os.path.exists("/proc/sys/kernel/unprivileged_bpf_disabled"):
        raise Skip("this kernel has no bpf() (CONFIG_BPF_SYSCALL)")
    want = newstates_via_tracefs()
    prog = ("tracepoint:xtcp:xtcp_state_change { @[args->newstate] = "
            "count(); } tracepoint:xtcp:xtcp_tw_enter { @tw[ntop(args->"
            "saddr)] = count(); }")
    r = subprocess.run([bt, "-e", prog, "-c", " ".join(exchange_cmd())],
                       capture_output=True, text=True, timeout=240)
    check(r.returncode == 0, "bpftrace: %s", (r.stderr + r.stdout)[-800:])
    got = {int(k): int(v) for k, v in
           re.findall(r"^@\[(\d+)\]: (\d+)$", r.stdout, re.M)}
    tw = re.findall(r"^@tw\[([\d.]+)\]: (\d+)$", r.stdout, re.M)
    diag("bpftrace: %s %s" % (got, tw))
    check_eq(got.get(ESTABLISHED), want.count("ESTABLISHED"),
             "ESTABLISHED transitions")
    check_eq(sum(got.values()), len(want), "all transitions")
    check_eq(tw, [(LO, "2")], "TIME_WAIT entries by address")


def main():
    global FAM
    args = common_args("observe.py", __doc__)
    FAM = args.family
    setup_env(TAP, args)
    if FAM == "xtcp":
        write_sysctl("net.xtcp.msl", MSL)
    diag("family %s on %s" % (FAM, LO))
    TAP.run(args.only)
    TAP.finish()


if __name__ == "__main__":
    main()
