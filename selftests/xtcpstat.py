# SPDX-License-Identifier: GPL-2.0
"""
xtcpstat.py --family xtcp|inet [NAME...]

tools/xtcpstat against sockets this script makes on loopback: a listener
with two connections waiting to be accepted, an established pair with 1000
unread bytes, a TIME_WAIT; the state counts of the default mode against
the awk recipe applied to the /proc file; counter deltas around a known
exchange in a fresh namespace (-N); other namespaces (-N, --pid); bad
input; and the parser on crafted files (--proc-dir).  With --family inet
every socket is Linux TCP and the tool reads it with --source tcp.

Run it through xtcpstat.sh, which gives it a private network namespace.
"""

import contextlib
import ctypes
import json
import os
import select
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# pylint: disable=wrong-import-position
from xtcp_pkt import (T_EXPECT, TIME_WAIT, Fail, Tap, abort, check, check_eq,
                      common_args, diag, entry_of, libc, make_socket,
                      read_sysctl, recv_all, run, set_timeouts, setup_env,
                      state_of, xaccept, xbind, xconnect, xgetsockname)
from xtcp_pkt import port_allocator, test_registry

TOOL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                    "tools", "xtcpstat")
LO = "127.0.0.1"
FAM = "xtcp"
TESTS = []
TAP = Tap(TESTS)
test = test_registry(TESTS)
port = port_allocator(25000)
HZ = os.sysconf("SC_CLK_TCK")
CLONE_NEWNET = 0x40000000
HEX_STATES = {"%02X" % c: n for c, n in
              ((1, "ESTABLISHED"), (2, "SYN_SENT"), (3, "SYN_RECV"),
               (4, "FIN_WAIT1"), (5, "FIN_WAIT2"), (6, "TIME_WAIT"),
               (7, "CLOSE"), (8, "CLOSE_WAIT"), (9, "LAST_ACK"),
               (10, "LISTEN"), (11, "CLOSING"))}


def source():
    return "xtcp" if FAM == "xtcp" else "tcp"


def proc_path():
    return "/proc/net/xtcp" if FAM == "xtcp" else "/proc/net/tcp"


def xtcpstat(*args, rc=0, src=True):
    """Run the tool (with --source of the family unless not SRC); returns
    the CompletedProcess, failing unless the exit code is RC."""
    cmd = [sys.executable, TOOL] + (["--source", source()] if src else [])
    cmd += [str(a) for a in args]
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=30)
    if rc is not None and r.returncode != rc:
        raise Fail("%s: exit code %d, expected %d; stderr: %s" % (
            " ".join(cmd[1:]), r.returncode, rc, r.stderr.strip()))
    return r


def xtcpstat_json(*args):
    r = xtcpstat("--json", *args)
    try:
        return json.loads(r.stdout)
    except ValueError as e:
        raise Fail("xtcpstat --json %s: not JSON (%s): %r" %
                   (" ".join(map(str, args)), e, r.stdout[:300])) from None


def sut_socket():
    s = make_socket(FAM)
    set_timeouts(s, 10)
    TAP.defer(abort, s)
    return s


def inode(s):
    return os.fstat(s.fileno()).st_ino


def wait_until(cond, what, timeout=None):
    end = time.monotonic() + (T_EXPECT if timeout is None else timeout)
    while not cond():
        if time.monotonic() > end:
            raise Fail("timed out waiting for %s" % what)
        time.sleep(0.02)


def time_wait_limit_ms():
    """How long a TIME_WAIT lasts here: 2 MSL for XTCP, 60 s for Linux."""
    if FAM == "xtcp":
        msl = read_sysctl("net.xtcp.msl")
        if msl is not None:
            return 2000 * int(msl)
    return 60000


# ------------------------------------------------------------ namespaces

def setns(fd):
    if libc.setns(fd, CLONE_NEWNET) != 0:
        e = ctypes.get_errno()
        raise OSError(e, "setns: %s" % os.strerror(e))


@contextlib.contextmanager
def in_netns(name):
    """Sockets made in the block belong to the namespace NAME."""
    own = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    fd = os.open("/run/netns/" + name, os.O_RDONLY)
    try:
        setns(fd)
        yield
    finally:
        setns(own)
        os.close(fd)
        os.close(own)


def new_netns(tag):
    """A fresh namespace with lo up, deleted after the test (after the
    sockets registered later are closed: TAP's cleanups run backwards)."""
    name = "%s-xs%d-%s" % (os.environ.get("XTCP_NS_PREFIX", "xtcp-st"),
                           os.getpid(), tag)
    subprocess.run(["ip", "netns", "del", name], stderr=subprocess.DEVNULL,
                   check=False)
    run("ip", "netns", "add", name)
    TAP.defer(subprocess.run, ["ip", "netns", "del", name])
    run("ip", "-n", name, "link", "set", "lo", "up")
    return name


# ----------------------------------------------------------------- scene

def listener(p, backlog):
    lsk = sut_socket()
    lsk.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    xbind(lsk, LO, p)
    lsk.listen(backlog)
    return lsk


def client(p):
    c = sut_socket()
    err = xconnect(c, LO, p)
    check(err == 0, "connect to %d: %s", p, os.strerror(err))
    return c, xgetsockname(c)[2]


def scene(p, backlog=8):
    """On port P: a listener with two connections not accepted (c1, c2),
    an accepted connection (c3 -> a3) with 1000 bytes unread at a3, and
    a TIME_WAIT at the server end of another (a4 closed first)."""
    lsk = listener(p, backlog)
    c3, p3 = client(p)
    a3, _ = xaccept(lsk, T_EXPECT)
    TAP.defer(abort, a3)
    c4, p4 = client(p)
    a4, _ = xaccept(lsk, T_EXPECT)
    TAP.defer(abort, a4)
    c3.sendall(b"x" * 1000)
    a4.close()				# active close: a4 ends in TIME_WAIT
    check(c4.recv(1) == b"", "c4: no EOF after a4's close")
    c4.close()
    c1, p1 = client(p)
    c2, p2 = client(p)
    wait_until(lambda: state_of(FAM, p, p4) == TIME_WAIT and
               state_of(FAM, p4, p) is None, "a4 in TIME_WAIT, c4 gone")
    wait_until(lambda: queues(p, None)[0] == 2, "2 in the accept queue")
    wait_until(lambda: queues(p, p3)[0] == 1000 and queues(p3, p)[1] == 0,
               "1000 bytes at a3, acked")
    diag("scene on port %d: clients %d %d (queued), %d (1000 bytes), "
         "%d (TIME_WAIT)" % (p, p1, p2, p3, p4))
    return dict(lsk=lsk, a3=a3, c=(c1, c2, c3), ports=(p1, p2, p3, p4))


def listen_send_q(backlog):
    """A listener's tx_queue: Linux's /proc/net/tcp prints write_seq -
    snd_una there, 0 (only ss, through netlink, shows the backlog);
    /proc/net/xtcp prints the backlog (Documentation/xtcp.rst)."""
    return backlog if FAM == "xtcp" else 0


def queues(lport, rport):
    """(rx_queue, tx_queue) of a socket in /proc, (None, None) if none."""
    e = entry_of(FAM, lport, rport)
    return (e.rxq, e.txq) if e else (None, None)


def by_tuple(rows):
    return {(r["local"]["port"], r["peer"]["port"]): r for r in rows}


# ----------------------------------------------------------------- tests

@test("known sockets: states, queues, inodes, timers (--json, -t)")
def t_known():
    p, backlog = port(), 8
    sc = scene(p, backlog)
    p1, p2, p3, p4 = sc["ports"]
    st = xtcpstat_json("--port", p)
    check_eq(st, {"states": {"ESTABLISHED": 6, "TIME_WAIT": 1, "LISTEN": 1},
                  "total": 8}, "state counts on port %d" % p)
    rows = xtcpstat_json("-t", "--port", p)
    check_eq(len(rows), 8, "rows on port %d" % p)
    t = by_tuple(rows)
    for r in rows:
        check(r["local"]["addr"] == LO and
              r["peer"]["addr"] == ("0.0.0.0" if r["state"] == "LISTEN"
                                    else LO), "addresses of %s", r)
    lis = t.get((p, 0))
    check(lis is not None, "no listener row: %s", sorted(t))
    check_eq((lis["state"], lis["recv_q"], lis["send_q"]),
             ("LISTEN", 2, listen_send_q(backlog)),
             "listener state, Recv-Q, Send-Q")
    check_eq(lis["inode"], inode(sc["lsk"]), "listener inode")
    check_eq(lis["timer"]["kind"], "off", "listener timer")
    want = {(p1, p): "ESTABLISHED", (p2, p): "ESTABLISHED",
            (p3, p): "ESTABLISHED", (p, p1): "ESTABLISHED",
            (p, p2): "ESTABLISHED", (p, p3): "ESTABLISHED",
            (p, p4): "TIME_WAIT", (p, 0): "LISTEN"}
    check_eq({k: r["state"] for k, r in t.items()}, want, "rows by ports")
    a3 = t[(p, p3)]
    check_eq((a3["recv_q"], a3["send_q"]), (1000, 0), "a3 Recv-Q, Send-Q")
    check_eq(a3["inode"], inode(sc["a3"]), "a3 inode")
    check_eq((t[(p3, p)]["recv_q"], t[(p3, p)]["send_q"]), (0, 0),
             "c3 Recv-Q, Send-Q")
    for k in ((p, p1), (p, p2)):
        check_eq(t[k]["inode"], 0, "inode of the unaccepted child %s" % (k,))
    for k, s in zip(((p1, p), (p2, p), (p3, p)), sc["c"]):
        check_eq(t[k]["inode"], inode(s), "inode of client %s" % (k,))
    for k, r in t.items():
        if r["state"] != "ESTABLISHED":
            continue
        check_eq(r["uid"], os.geteuid(), "uid of %s" % (k,))
        # RTO: 200 ms at least (1 s before an RTT sample), in ms, not ticks
        check(r["rto_ms"] is not None and 190 <= r["rto_ms"] <= 1500,
              "%s: rto_ms %s, expected 200..1000 or so", k, r["rto_ms"])
        check(r["cwnd"] is not None and r["cwnd"] >= 2, "%s: cwnd %s", k,
              r["cwnd"])
        check(r["ssthresh"] is None, "%s: ssthresh %s, expected still "
              "infinite (-1 -> null)", k, r["ssthresh"])
    tw, limit = t[(p, p4)], time_wait_limit_ms()
    diag("TIME_WAIT row: %s; limit %d ms" % (json.dumps(tw), limit))
    check_eq(tw["timer"]["kind"], "timewait", "TIME_WAIT timer kind")
    check(0 < tw["timer"]["expires_ms"] <= limit + 1000,
          "TIME_WAIT expires_ms %d, expected in (0, %d]",
          tw["timer"]["expires_ms"], limit + 1000)
    check(tw["rto_ms"] is None and tw["cwnd"] is None,
          "TIME_WAIT row with rto/cwnd: %s", tw)
    # filters
    check_eq(len(xtcpstat_json("-t", "--port", p, "--state", "time_wait",
                               "--state", "LISTEN")), 2, "--state x2 rows")
    check_eq([r["state"] for r in xtcpstat_json("-t", "-l", "--port", p)],
             ["LISTEN"], "-l rows")
    check_eq(len(xtcpstat_json("-t", "--port", p3)), 2, "--port P3 rows")
    # the text table: a header and the same rows
    out = xtcpstat("-t", "--port", p).stdout.splitlines()
    diag("xtcpstat -t --port %d:" % p)
    diag("\n".join("  " + ln for ln in out))
    check(out and out[0].split()[:3] == ["State", "Recv-Q", "Send-Q"],
          "no header: %r", out[:1])
    check_eq(len(out), 9, "lines of xtcpstat -t")
    lis_line = [ln.split() for ln in out if ln.startswith("LISTEN")]
    check(lis_line and lis_line[0][1:5] == ["2", str(listen_send_q(backlog)),
                                            "%s:%d" % (LO, p), "0.0.0.0:*"],
          "listener line %s", lis_line)
    check(any(ln.startswith("TIME_WAIT") and " timewait," in ln
              for ln in out), "no TIME_WAIT line with a timewait timer")
    check(any(ln.split()[1] == "1000" for ln in out[1:]),
          "no line with Recv-Q 1000")


def awk_counts():
    """The seeds' recipe, on the /proc file: {state name: count}."""
    r = subprocess.run(["awk", 'NR>1 {++S[$4]} END {for (a in S) '
                        'print a, S[a]}', proc_path()],
                       stdout=subprocess.PIPE, text=True, check=True)
    out = {}
    for ln in r.stdout.splitlines():
        code, n = ln.split()
        out[HEX_STATES.get(code, code)] = int(n)
    return out


def tool_counts():
    out = {}
    for ln in xtcpstat().stdout.splitlines():
        name, n = ln.split()
        out[name] = int(n)
    return out


@test("default mode: the same counts as the awk recipe on the /proc file")
def t_awk():
    p = port()
    scene(p)
    for _ in range(10):			# retried if a socket moved between
        want, got = awk_counts(), tool_counts()
        total = got.pop("total", None)
        if want == got:
            break
        time.sleep(0.2)
    diag("awk: %s; xtcpstat: %s, total %s" % (want, got, total))
    check_eq(got, want, "xtcpstat's counts")
    check_eq(total, sum(want.values()), "total")
    check(want.get("ESTABLISHED", 0) >= 6 and want.get("LISTEN", 0) >= 1 and
          want.get("TIME_WAIT", 0) >= 1, "the scene is not in the counts")


class Lines:
    """The stdout of a process, line by line, with time limits."""

    def __init__(self, proc):
        self.proc, self.buf = proc, b""
        self.fd = proc.stdout.fileno()

    def _fill(self, timeout):
        r, _, _ = select.select([self.fd], [], [], max(timeout, 0))
        if not r:
            return False
        data = os.read(self.fd, 65536)
        if not data:
            raise Fail("xtcpstat ended early (exit %s): %s" % (
                self.proc.wait(), self.proc.stderr.read().decode()))
        self.buf += data
        return True

    def readline(self, timeout):
        end = time.monotonic() + timeout
        while b"\n" not in self.buf:
            if not self._fill(end - time.monotonic()):
                raise Fail("no line from xtcpstat within %.1fs" % timeout)
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def drain(self):
        out = []
        while self._fill(0) or b"\n" in self.buf:
            while b"\n" in self.buf:
                out.append(self.readline(0))
        return out


def exchange(p, n, size):
    """N connections to port P, each sending SIZE bytes the server reads;
    all left open (returned)."""
    lsk = listener(p, n)
    socks = []
    for _ in range(n):
        c, _ = client(p)
        a, _ = xaccept(lsk, T_EXPECT)
        TAP.defer(abort, a)
        c.sendall(b"y" * size)
        check_eq(len(recv_all(a, size)), size, "bytes received")
        socks += [c, a]
    return socks


@test("counters: -s -i deltas around 5 connections in a fresh netns (-N)")
def t_counters():
    ns, n, size = new_netns("ctr"), 5, 10000
    proc = subprocess.Popen([sys.executable, TOOL, "--source", source(),
                             "-N", ns, "-s", "-i", "1", "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    TAP.defer(proc.wait)
    TAP.defer(proc.kill)
    lines = Lines(proc)
    first = lines.readline(T_EXPECT + 2)
    check_eq(first.get("type"), "absolute", "first line's type")
    check_eq(first["Tcp"].get("ActiveOpens"), 0, "ActiveOpens of a new netns")
    with in_netns(ns):
        exchange(port(), n, size)
    time.sleep(0.1)			# a sample taken before is printed now
    deltas = lines.drain()
    deltas.append(lines.readline(T_EXPECT + 2))	# sampled after
    check(all(d["type"] == "delta" for d in deltas), "types: %s",
          [d["type"] for d in deltas])
    check_eq([d["interval"] for d in deltas], list(range(1, len(deltas) + 1)),
             "interval numbers")

    def total(name):
        return sum(d["Tcp"].get(name, 0) for d in deltas)
    diag("%d interval(s): ActiveOpens %d PassiveOpens %d InSegs %d "
         "OutSegs %d" % (len(deltas), total("ActiveOpens"),
                         total("PassiveOpens"), total("InSegs"),
                         total("OutSegs")))
    check_eq(total("ActiveOpens"), n, "ActiveOpens delta")
    check_eq(total("PassiveOpens"), n, "PassiveOpens delta")
    check(total("InSegs") > 0 and total("OutSegs") > 0, "InSegs/OutSegs")
    # a quiet interval: counters do not move, the gauge keeps its value
    quiet = lines.readline(T_EXPECT + 2)
    check_eq(quiet["Tcp"]["ActiveOpens"], 0, "ActiveOpens, quiet interval")
    check_eq(quiet["Tcp"].get("CurrEstab"), 2 * n,
             "CurrEstab (a gauge: its value) in a quiet interval")
    proc.kill()
    # -c: the absolute line, then exactly COUNT deltas, then exit 0
    r = xtcpstat("-N", ns, "-s", "-i", "0.2", "-c", "2", "--json")
    objs = [json.loads(ln) for ln in r.stdout.splitlines()]
    check_eq([o["type"] for o in objs], ["absolute", "delta", "delta"],
             "-i 0.2 -c 2 lines")
    check_eq(objs[0]["Tcp"]["ActiveOpens"], n, "absolute ActiveOpens")
    # text: deltas only where something changed, CurrEstab always
    out = xtcpstat("-N", ns, "-s", "-i", "0.2", "-c", "1").stdout
    tail = out.split("# interval 1")[1].splitlines()[1:]
    check_eq([ln.split() for ln in tail], [["TcpCurrEstab", str(2 * n)]],
             "text interval of a quiet namespace")


@test("-N and --pid: a socket of another namespace")
def t_netns():
    ns, p = new_netns("other"), port()
    with in_netns(ns):
        lsk = listener(p, 3)
    rows = xtcpstat_json("-t", "-N", ns, "--port", p)
    check_eq([(r["state"], r["local"]["port"], r["inode"]) for r in rows],
             [("LISTEN", p, inode(lsk))], "rows with -N")
    check_eq(xtcpstat_json("-t", "--port", p), [], "rows here")
    check_eq(xtcpstat_json("-N", ns, "--port", p),
             {"states": {"LISTEN": 1}, "total": 1}, "states with -N")
    holder = subprocess.Popen(["ip", "netns", "exec", ns, "sleep", "30"])
    TAP.defer(holder.wait)
    TAP.defer(holder.kill)
    wait_until(lambda: os.stat("/proc/%d/ns/net" % holder.pid).st_ino ==
               os.stat("/run/netns/%s" % ns).st_ino, "sleep in the netns")
    check_eq(len(xtcpstat_json("-t", "--pid", holder.pid, "--port", p)), 1,
             "rows with --pid")


def check_error(args, rc, msg, src=True):
    r = xtcpstat(*args, rc=None, src=src)
    diag("xtcpstat %s -> %d: %s" % (" ".join(args), r.returncode,
                                     r.stderr.strip()))
    check_eq(r.returncode, rc, "exit code of xtcpstat %s" % " ".join(args))
    check("Traceback" not in r.stderr, "a traceback: %s", r.stderr)
    check(msg in r.stderr, "%r not in the message %r", msg, r.stderr)
    check_eq(r.stdout, "", "stdout")


@test("bad input: clear errors, no traceback")
def t_errors():
    check_error(["--state", "BOGUS"], 2, "unknown state 'BOGUS'")
    check_error(["-t", "-i", "1"], 2, "apply to -s only")
    check_error(["--port", "70000"], 2, "bad port")
    check_error(["-N", "no-such-ns-%d" % os.getpid()], 1,
                "xtcpstat: no network namespace")
    with tempfile.TemporaryDirectory() as d:
        for src, f in (("xtcp", "xtcp"), ("tcp", "tcp")):
            check_error(["--source", src, "--proc-dir", d, "-t"], 1,
                        "xtcpstat: %s/%s not found" % (d, f), src=False)
        check_error(["--source", "xtcp", "--proc-dir", d, "-s"], 1,
                    "xtcpstat: %s/xtcp_snmp not found" % d, src=False)
        with open(os.path.join(d, "xtcp"), "w") as f:
            f.write("  sl  local_address\n   0: garbage\n")
        check_error(["--source", "xtcp", "--proc-dir", d], 1,
                    "malformed line", src=False)
        with open(os.path.join(d, "xtcp_snmp"), "w") as f:
            f.write("Tcp: A B\nTcp: 1 x\n")
        check_error(["--source", "xtcp", "--proc-dir", d, "-s"], 1,
                    "malformed Tcp values", src=False)
    if not os.path.exists("/proc/net/xtcp"):
        check_error(["--source", "xtcp"], 1, "xtcpstat: /proc/net/xtcp not "
                    "found (is xtcp.ko loaded?)", src=False)


HEADER = ("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
          "retrnsmt   uid  timeout inode\n")
CRAFTED = (
    # a listener, backlog 8, 2 queued, bound to 127.0.0.1:8080
    "   0: 0100007F:1F90 00000000:0000 0A 00000008:00000002 00:00000000 "
    "00000000     0        0 12345 1 0000000000000000 %(t1s)d 0 0 10 0\n"
    # established, retransmission timer (200 ms, 2 resends), 16 unacked,
    # 1000 unread
    "   1: 0100007F:1F90 0100007F:D431 01 00000010:000003E8 01:%(t200)08X "
    "00000002  1000        0 12346 3 0000000000000000 %(t200)d %(t40)d 1 "
    "7 12\n"
    # established, keepalive in 30 s, ssthresh still infinite
    "   2: 0100007F:D431 0100007F:1F90 01 00000000:00000000 02:%(t30s)08X "
    "00000000  1000        0 12347 2 0000000000000000 %(t200)d 0 0 10 -1\n"
    # a request sock: SYN-ACK again in 1 s, resent once
    "   3: 0100007F:1F90 0100007F:D433 03 00000000:00000000 01:%(t1s)08X "
    "00000001     0        0 0 0 0000000000000000\n"
    # a TIME_WAIT minisock, 60 s left
    "   4: 0100007F:1F90 0100007F:D432 06 00000000:00000000 03:%(t60s)08X "
    "00000000     0        0 0 3 0000000000000000\n")


def crafted_dir(d):
    ticks = {k: ms * HZ // 1000 for k, ms in
             (("t40", 40), ("t200", 200), ("t1s", 1000),
              ("t30s", 30000), ("t60s", 60000))}
    with open(os.path.join(d, "xtcp" if FAM == "xtcp" else "tcp"), "w") as f:
        f.write(HEADER + CRAFTED % ticks)
    if FAM == "xtcp":
        with open(os.path.join(d, "xtcp_snmp"), "w") as f:
            f.write("Tcp: ActiveOpens PassiveOpens CurrEstab\nTcp: 5 3 2\n"
                    "TcpExt: TW SyncookiesSent\nTcpExt: 7 0\n")
    else:
        with open(os.path.join(d, "snmp"), "w") as f:
            f.write("Ip: Forwarding DefaultTTL\nIp: 2 64\n"
                    "Tcp: ActiveOpens PassiveOpens CurrEstab\nTcp: 5 3 2\n"
                    "Udp: InDatagrams\nUdp: 9\n")
        with open(os.path.join(d, "netstat"), "w") as f:
            f.write("TcpExt: TW SyncookiesSent\nTcpExt: 7 0\n"
                    "IpExt: InNoRoutes\nIpExt: 4\n")


def ep(addr, p):
    return {"addr": addr, "port": p}


@test("parser: crafted files (--proc-dir), every field")
def t_crafted():
    with tempfile.TemporaryDirectory() as d:
        crafted_dir(d)
        rows = xtcpstat_json("--proc-dir", d, "-t")
        check_eq(len(rows), 5, "rows")
        check_eq(rows[0], {
            "state": "LISTEN", "local": ep(LO, 8080), "peer": ep("0.0.0.0", 0),
            "recv_q": 2, "send_q": 8,
            "timer": {"kind": "off", "expires_ms": 0, "retrans": 0},
            "uid": 0, "inode": 12345, "rto_ms": 1000, "ato_ms": 0,
            "cwnd": 10, "ssthresh": None}, "listener row")
        check_eq(rows[1], {
            "state": "ESTABLISHED", "local": ep(LO, 8080),
            "peer": ep(LO, 54321), "recv_q": 1000, "send_q": 16,
            "timer": {"kind": "on", "expires_ms": 200, "retrans": 2},
            "uid": 1000, "inode": 12346, "rto_ms": 200, "ato_ms": 40,
            "cwnd": 7, "ssthresh": 12}, "established row")
        check_eq((rows[2]["timer"], rows[2]["ssthresh"]),
                 ({"kind": "keepalive", "expires_ms": 30000, "retrans": 0},
                  None), "keepalive row")
        check_eq(rows[3], {
            "state": "SYN_RECV", "local": ep(LO, 8080), "peer": ep(LO, 54323),
            "recv_q": 0, "send_q": 0,
            "timer": {"kind": "on", "expires_ms": 1000, "retrans": 1},
            "uid": 0, "inode": 0, "rto_ms": None, "ato_ms": None,
            "cwnd": None, "ssthresh": None}, "request row")
        check_eq((rows[4]["state"], rows[4]["timer"]),
                 ("TIME_WAIT", {"kind": "timewait", "expires_ms": 60000,
                                "retrans": 0}), "TIME_WAIT row")
        check_eq(xtcpstat("--proc-dir", d).stdout,
                 "ESTABLISHED 2\nSYN_RECV 1\nTIME_WAIT 1\nLISTEN 1\n"
                 "total 5\n", "default output")
        check_eq(xtcpstat_json("--proc-dir", d, "--port", 54321),
                 {"states": {"ESTABLISHED": 2}, "total": 2}, "--port 54321")
        text = xtcpstat("--proc-dir", d, "-t").stdout
        diag("\n".join("  " + ln for ln in text.splitlines()))
        for cell in ("on,200ms,2", "keepalive,30sec,0", "timewait,1min,0",
                     "127.0.0.1:8080", "0.0.0.0:*"):
            check(cell in text.split(), "%r not in the -t output", cell)
        want = {"Tcp": {"ActiveOpens": 5, "PassiveOpens": 3, "CurrEstab": 2},
                "TcpExt": {"TW": 7, "SyncookiesSent": 0}}
        check_eq(xtcpstat_json("--proc-dir", d, "-s"), want, "counters")
        r = xtcpstat("--proc-dir", d, "-s", "-i", "0.1", "-c", "1", "--json")
        objs = [json.loads(ln) for ln in r.stdout.splitlines()]
        check_eq(len(objs), 2, "lines of -i 0.1 -c 1")
        check_eq({g: objs[1][g] for g in ("Tcp", "TcpExt")},
                 {"Tcp": {"ActiveOpens": 0, "PassiveOpens": 0,
                          "CurrEstab": 2},
                  "TcpExt": {"TW": 0, "SyncookiesSent": 0}},
                 "deltas of unchanged files (gauge: value)")


def main():
    global FAM
    args = common_args("xtcpstat.py", __doc__)
    FAM = args.family
    setup_env(TAP, args)
    TAP.run(args.only)
    TAP.finish()


if __name__ == "__main__":
    main()
