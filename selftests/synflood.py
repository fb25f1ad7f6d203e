# SPDX-License-Identifier: GPL-2.0
"""
synflood.py [--family xtcp|inet] [--secs N] [--conns N] [--phases LIST]

A SYN flood against a listener while a real client keeps connecting.
Three network namespaces: the server (10.71.0.1 towards the flooder,
10.72.0.1 towards the client), the flooder (10.71.0.2) and the client
(10.72.0.2).  hping3 sends SYNs with random spoofed sources at full rate
for --secs seconds; the server routes its answers to those sources into
the flooder's namespace, where they die (no forwarding).  Meanwhile the
client (Linux TCP: only the server's stack is under test) opens --conns
connections, spread over the flood and 10 at most at a time, each sending
1000 bytes and reading them back.

Phases (--phases, comma separated):
  cookies    the family under test, syncookies=1: every connection must
             succeed; requests (SYN_RECV lines of /proc/net/xtcp or tcp)
             stay within the SYN queue limit during the flood and are
             gone a few seconds after it; the Slab of /proc/meminfo grows
             by less than 16 MiB
  nocookies  syncookies=0: the counters must show the SYNs dropped
             (TCPReqQFullDrop); the client's success is reported
  linux      Linux TCP's own listener under the same flood, syncookies=1,
             for comparison: a reference, not subtests (it tests no XTCP
             code): its checks, those of "cookies", are "# reference:"
             lines; if one fails, the environment is broken, and that is
             one "not ok" past the plan
  always     syncookies=2: every connection is made from a cookie (for a
             slow guest, whose flood would not keep the SYN queue full)

Prints TAP; each phase reports success rate and connect latency.
"""

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# pylint: disable=wrong-import-position
from xtcp_pkt import make_socket, recv_all, xaccept, xbind

SRV_F, FL = "10.71.0.1", "10.71.0.2"
SRV_C, CLI = "10.72.0.1", "10.72.0.2"
PORT = 5601
MSG = bytes(range(250)) * 4		# 1000 bytes
SLAB_MAX_KB = 16384


# ------------------------------------------------------------ roles

def serve(family, port, backlog):
    """Echo server: a thread per connection; runs until killed."""
    lsk = make_socket(family)
    lsk.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    xbind(lsk, "0.0.0.0", port)
    lsk.listen(backlog)
    print("listening", flush=True)

    def echo(a):
        try:
            a.settimeout(60)
            a.sendall(recv_all(a, len(MSG), 60))
        except OSError:
            pass
        finally:
            a.close()

    while True:
        a, _ = xaccept(lsk)
        threading.Thread(target=echo, args=(a,), daemon=True).start()


def client(addr, port, n, par, interval):
    """N connections, PAR at a time, the i-th started no earlier than
    i * INTERVAL s; prints a JSON summary."""
    lat, fails = [], []
    lock = threading.Lock()
    todo = list(range(n))
    start = time.monotonic()

    def worker():
        while True:
            with lock:
                if not todo:
                    return
                i = n - len(todo)
                todo.pop()
            wait = start + i * interval - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.settimeout(120)
            t0 = time.monotonic()
            try:
                s.connect((addr, port))
                t1 = time.monotonic()
                s.sendall(MSG)
                if recv_all(s, len(MSG), 60) != MSG:
                    raise OSError("echo differs")
                with lock:
                    lat.append(t1 - t0)
            except (OSError, socket.timeout) as e:
                with lock:
                    fails.append(str(e))
            finally:
                s.close()

    t0 = time.monotonic()
    ths = [threading.Thread(target=worker) for _ in range(par)]
    for t in ths:
        t.start()
    for t in ths:
        t.join()
    lat.sort()
    out = {"ok": len(lat), "failed": len(fails), "secs":
           time.monotonic() - t0, "errors": sorted(set(fails))[:5]}
    if lat:
        out.update(median=lat[len(lat) // 2],
                   p95=lat[min(len(lat) - 1, int(len(lat) * 0.95))],
                   max=lat[-1])
    print(json.dumps(out), flush=True)


# ---------------------------------------------------------- harness

TAP_N = [0, 0, 0]
REF_FAILED = []


def diag(msg):
    for line in str(msg).splitlines():
        print("# " + line, flush=True)


def tap(ok, what, ref=False):
    """A subtest, or with REF a reference check: a diagnostic line, and a
    failure remembered for the end."""
    if ref:
        diag("reference: %s%s" % (what, "" if ok else ": FAILED"))
        if not ok:
            REF_FAILED.append(what.split(":")[0])
        return
    TAP_N[0] += 1
    TAP_N[1 if ok else 2] += 1
    print("%s %d - %s" % ("ok" if ok else "not ok", TAP_N[0], what),
          flush=True)


def sh(*cmd, check=True):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    if check and r.returncode:
        raise RuntimeError("%s: %s" % (" ".join(cmd), r.stdout.strip()))
    return r.stdout


def nsx(ns, *cmd):
    return ["ip", "netns", "exec", ns] + list(cmd)


def setup(pfx):
    srv, fl, cl = pfx + "-srv", pfx + "-fl", pfx + "-cli"
    for ns in (srv, fl, cl):
        sh("ip", "netns", "add", ns)
        sh("ip", "-n", ns, "link", "set", "lo", "up")
    sh("ip", "-n", srv, "link", "add", "sf", "type", "veth", "peer", "name",
       "fs", "netns", fl)
    sh("ip", "-n", srv, "link", "add", "sc", "type", "veth", "peer", "name",
       "cs", "netns", cl)
    for ns, dev, addr in ((srv, "sf", SRV_F), (fl, "fs", FL),
                          (srv, "sc", SRV_C), (cl, "cs", CLI)):
        sh("ip", "-n", ns, "addr", "add", addr + "/24", "dev", dev)
        sh("ip", "-n", ns, "link", "set", dev, "up")
    # answers to spoofed sources go to the flooder's side and die there
    sh("ip", "-n", srv, "route", "add", "default", "via", FL)
    for ns in (srv, fl, cl):
        sh(*nsx(ns, "sysctl", "-qw", "net.ipv4.ip_forward=0"))
    time.sleep(1)
    return srv, fl, cl


def teardown(names):
    for ns in names:
        sh("ip", "netns", "del", ns, check=False)


def proc_lines(ns, family):
    path = "/proc/net/xtcp" if family == "xtcp" else "/proc/net/tcp"
    out = sh(*nsx(ns, "cat", path), check=False)
    return out.splitlines()[1:]


def synrecv(ns, family):
    return sum(1 for ln in proc_lines(ns, family)
               if len(ln.split()) > 3 and ln.split()[3] == "03")


def counters(ns, family):
    path = "/proc/net/xtcp_snmp" if family == "xtcp" else "/proc/net/netstat"
    lines = sh(*nsx(ns, "cat", path), check=False).splitlines()
    c = {}
    for names, vals in zip(lines[::2], lines[1::2]):
        g = names.split(":")[0]
        for k, v in zip(names.split()[1:], vals.split()[1:]):
            c[g + ":" + k] = int(v)
    return c


def slab_kb():
    with open("/proc/meminfo") as f:
        for ln in f:
            if ln.startswith("Slab:"):
                return int(ln.split()[1])
    return 0


def sysctl(ns, family, name, value):
    full = ("net.xtcp." if family == "xtcp" else "net.ipv4.tcp_") + name
    sh(*nsx(ns, "sysctl", "-qw", "%s=%s" % (full, value)))


def phase(name, family, cookies, args, me, ref=False):
    pfx = "xf%d" % os.getpid()
    names = setup(pfx)
    srv, fl, cl = names
    procs = []
    try:
        sysctl(srv, family, "syncookies", cookies)
        # requests of spoofed SYNs end 3 s after their SYN-ACK (1 resend)
        sysctl(srv, family, "synack_retries", 1)
        if family == "xtcp":
            sysctl(srv, family, "msl", 1)
        sp = subprocess.Popen(nsx(srv, sys.executable, me, "server",
                                  "--family", family, "--backlog",
                                  str(args.backlog)),
                              stdout=subprocess.PIPE, text=True)
        procs.append(sp)
        if sp.stdout.readline().strip() != "listening":
            raise RuntimeError("server did not start")
        before = counters(srv, family)
        slab0 = slab_kb()
        fp = subprocess.Popen(nsx(fl, "hping3", "-q", "-S", "-p", str(PORT),
                                  "--flood", "--rand-source", SRV_F),
                              stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
        procs.append(fp)
        t0 = time.monotonic()
        time.sleep(1)				# the flood is on
        # connections spread over the flood, all started before its end
        cp = subprocess.Popen(nsx(cl, sys.executable, me, "client",
                                  "--conns", str(args.conns), "--interval",
                                  str(max(args.secs - 3, 1) / args.conns)),
                              stdout=subprocess.PIPE, text=True)
        procs.append(cp)
        peak_req, peak_slab = 0, 0
        while time.monotonic() - t0 < args.secs:
            peak_req = max(peak_req, synrecv(srv, family))
            peak_slab = max(peak_slab, slab_kb() - slab0)
            time.sleep(1)
        fp.send_signal(signal.SIGINT)
        hp_out, _ = fp.communicate(timeout=10)
        flood_secs = time.monotonic() - t0
        m = re.search(r"(\d+) packets transmitted", hp_out)
        sent = int(m.group(1)) if m else 0
        mid = counters(srv, family)
        syns = (mid.get("TcpExt:ListenSYNs", 0) -
                before.get("TcpExt:ListenSYNs", 0))
        out, _ = cp.communicate(timeout=300)
        res = json.loads(out.strip().splitlines()[-1])
        time.sleep(4)				# requests expire (3 s)
        after = counters(srv, family)
        left = synrecv(srv, family)
        slab_after = slab_kb() - slab0

        def d(k):
            return after.get(k, 0) - before.get(k, 0)

        diag("%s: %s server, syncookies=%d, %.0f s flood, hping3 sent %d "
             "SYNs (%.0f/s)%s" % (
                 name, family, cookies, flood_secs, sent, sent / flood_secs,
                 ", %d reached the listener" % syns
                 if family == "xtcp" else ""))
        diag("  client: %d/%d connections ok in %.1f s; connect latency "
             "median %.3f s, p95 %.3f s, max %.3f s%s" % (
                 res["ok"], args.conns, res["secs"], res.get("median", 0),
                 res.get("p95", 0), res.get("max", 0),
                 "; errors: %s" % res["errors"] if res["errors"] else ""))
        diag("  counters: SyncookiesSent %d SyncookiesRecv %d "
             "SyncookiesFailed %d TCPReqQFullDrop %d "
             "TCPReqQFullDoCookies %d ListenDrops %d ListenOverflows %d" % (
                 d("TcpExt:SyncookiesSent"), d("TcpExt:SyncookiesRecv"),
                 d("TcpExt:SyncookiesFailed"), d("TcpExt:TCPReqQFullDrop"),
                 d("TcpExt:TCPReqQFullDoCookies"), d("TcpExt:ListenDrops"),
                 d("TcpExt:ListenOverflows")))
        diag("  requests (SYN_RECV) peak %d, %d left 4 s after; slab "
             "+%d kB peak, +%d kB after" % (peak_req, left, peak_slab,
                                            slab_after))
        # the queue's length is read without its lock (Linux's too): one
        # SYN per CPU may pass the limit at once
        limit = min(args.backlog, args.max_syn_backlog) + 1 + \
            (os.cpu_count() or 1)
        if cookies:
            tap(res["ok"] == args.conns,
                "%s: all %d connections succeed under the flood" % (
                    name, args.conns), ref)
            tap(d("TcpExt:SyncookiesSent") > 0 and
                d("TcpExt:SyncookiesRecv") > 0,
                "%s: cookies sent and validated" % name, ref)
        else:
            tap(d("TcpExt:TCPReqQFullDrop") > 0 and
                d("TcpExt:ListenDrops") > 0 and
                d("TcpExt:SyncookiesSent") == 0,
                "%s: SYNs dropped and counted, no cookies" % name, ref)
        # a full socket per spoofed SYN would be hundreds of MB; the
        # system's whole slab may grow by a few MB (the client's and the
        # server's sockets, the flood's skbs)
        tap(peak_req <= limit and left <= 2 and peak_slab < SLAB_MAX_KB,
            "%s: requests bounded (peak %d <= %d), gone after (%d); slab "
            "growth %d kB < %d kB" % (name, peak_req, limit, left,
                                      peak_slab, SLAB_MAX_KB), ref)
        return res
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        teardown(names)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("role", nargs="?", default="run",
                    choices=["run", "server", "client"])
    ap.add_argument("--family", default=os.environ.get("XTCP_FAMILY",
                                                       "xtcp"))
    ap.add_argument("--secs", type=float, default=20)
    ap.add_argument("--conns", type=int, default=200)
    ap.add_argument("--phases", default="cookies,nocookies,linux")
    ap.add_argument("--max-syn-backlog", type=int, default=1024)
    ap.add_argument("--interval", type=float, default=0)
    ap.add_argument("--backlog", type=int, default=128,
                    help="the server's listen() backlog (and SYN queue)")
    args = ap.parse_args()
    if args.role == "server":
        serve(args.family, PORT, args.backlog)
        return
    if args.role == "client":
        client(SRV_C, PORT, args.conns, 10, args.interval)
        return
    me = os.path.abspath(__file__)
    phases = [p for p in args.phases.split(",") if p]
    print("TAP version 13", flush=True)
    # the linux phase is a reference: no subtests
    ntap = {p: 0 if p == "linux" else 2 if p == "nocookies" else 3
            for p in phases}
    print("1..%d" % sum(ntap.values()), flush=True)
    for p in phases:
        fam = "inet" if p == "linux" else args.family
        try:
            phase(p, fam, {"nocookies": 0, "always": 2}.get(p, 1), args, me,
                  ref=p == "linux")
        except Exception as e:		# pylint: disable=broad-except
            diag("%s: %s" % (p, e))
            for _ in range(ntap[p]):
                tap(False, "%s: could not run" % p)
            if p == "linux":
                tap(False, "%s: could not run" % p, ref=True)
    if REF_FAILED:
        tap(False, "reference run failed: the environment, not XTCP (%s)" %
            ", ".join(sorted(set(REF_FAILED))))
    diag("synflood: %d passed, %d failed" % (TAP_N[1], TAP_N[2]))
    sys.exit(0 if TAP_N[2] == 0 else 1)


if __name__ == "__main__":
    main()
