# SPDX-License-Identifier: GPL-2.0
"""
realnet.py: the socket-level parts of realnet.sh that its C programs cannot
do.  One process works in several of realnet.sh's network namespaces (a
socket stays in the namespace it was created in, whatever setns() the
thread does afterwards), so it holds a client, a server and a router's raw
socket together; and one process does a whole case, since each Python
start costs about a second under TCG.

  realnet.py connect --ns NS --rns R --families F,F --port P --limit S
                     --variants FILE
      FILE has lines "GROUP<TAB>NAME<TAB>ADDR<TAB>ADD<TAB>DEL".  Group
      after group: run each ADD (sh -c) in R; then, family after family,
      from NS one blocking connect() to each ADDR:P at once, bounded by
      SO_SNDTIMEO = S seconds; then each DEL.  Prints "NAME<TAB>FAMILY
      ERRNO SECONDS" (ERRNO "0": connected, "EINPROGRESS": nothing came
      back in S seconds).

  realnet.py spoof --target client|server ...
      Two connections between the client's and the server's namespaces,
      each idle when the router namespace sends ICMP errors about it to
      the target end, quoting a sequence number far outside (first
      connection) or at (second) SND.UNA..SND.NXT; what Linux's TCP does is
      checked (see spoof_out, spoof_in).  Prints "RESULT out|in 0|1".

  realnet.py ctstate --where client|server --pairs CFAM:SFAM:PORT,... ...
      For each pair, while its connection is open and idle, "conntrack -L"
      in the client's or the server's namespace must list it ESTABLISHED
      and ASSURED, with its addresses and ports.  Prints "RESULT CFAM SFAM
      PORT 0|1".

Diagnostics go to stdout.  Run with /usr/bin/python3 (the stdlib only, like
the other Python tests).
"""

import argparse
import errno
import os
import select
import socket
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# pylint: disable=wrong-import-position
from xtcp_pkt import (Sniffer, checksum, libc, make_socket,  # noqa: E402
                      seq_add, seq_diff, set_timeouts, tcp_info, xaccept,
                      xbind, xconnect, xgetsockname, _oserror)

CLONE_NEWNET = 0x40000000
TCP_USER_TIMEOUT = 18
ICMP_DEST_UNREACH = 3
ICMP_HOST_UNREACH = 1
ICMP_FRAG_NEEDED = 4
SPOOF_MTU = 576		# above Linux's min_pmtu (552), so it is taken as is
SETTLE = 0.3		# for a spoofed ICMP to cross R1 and be handled

FAILS = []


def say(msg):
    print(msg, flush=True)


def check(cond, msg):
    """Record a failed check (the run goes on, to show the rest)."""
    say(("ok:   " if cond else "FAIL: ") + msg)
    if not cond:
        FAILS.append(msg)
    return cond


def enter(ns):
    """Move this thread into network namespace NS (ip netns's name)."""
    fd = os.open("/run/netns/" + ns, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            raise _oserror("setns " + ns)
    finally:
        os.close(fd)


def errname(e):
    return errno.errorcode.get(e, str(e)) if e else "0"


def sh_in(ns, cmd):
    return subprocess.run(["ip", "netns", "exec", ns, "sh", "-c", cmd],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True)


# ------------------------------------------------------------- connect

def connect_all(ns, fam, addrs, port, limit):
    """One blocking connect() per address at once (threads), from NS;
    {addr: (errno name, seconds)}."""
    enter(ns)
    out = {}

    def one(addr):
        s = make_socket(fam)
        set_timeouts(s, limit)
        t0 = time.monotonic()
        e = xconnect(s, addr, port)
        out[addr] = (errname(e), time.monotonic() - t0)
        s.close()

    ths = [threading.Thread(target=one, args=(ad,)) for ad in addrs]
    for th in ths:
        th.start()
    for th in ths:
        th.join()
    return out


def cmd_connect(a):
    with open(a.variants) as f:
        variants = [ln.rstrip("\n").split("\t") for ln in f if ln.strip()]
    for group in sorted({v[0] for v in variants}, key=int):
        vs = [v for v in variants if v[0] == group]
        for _, name, _, add, _ in vs:
            r = sh_in(a.rns, add)
            if r.returncode:
                say("R2: %s: %s" % (add, r.stdout.strip()))
        for fam in a.families.split(","):
            res = connect_all(a.ns, fam, [v[2] for v in vs], a.port,
                              a.limit)
            for _, name, addr, _, _ in vs:
                say("%s\t%s %s %.3f" % ((name, fam) + res[addr]))
        for _, _, _, _, delete in vs:
            sh_in(a.rns, delete)
    return 0


# ---------------------------------------------------------- a connection

class Pair:
    """A connection: client socket in the client's namespace, server socket
    (accepted) in the server's.  The calling thread ends in CNS."""

    def __init__(self, a, cfam, sfam, port):
        enter(a.sns)
        lsk = make_socket(sfam)
        lsk.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        xbind(lsk, a.saddr, port)
        lsk.listen(1)
        enter(a.cns)
        self.c = make_socket(cfam)
        set_timeouts(self.c, 5)
        e = xconnect(self.c, a.saddr, port)
        if e:
            lsk.close()
            self.c.close()
            raise RuntimeError("connect %s:%d: %s" % (a.saddr, port,
                                                     os.strerror(e)))
        try:
            self.s, _ = xaccept(lsk, 5)
        except BaseException:
            self.c.close()
            raise
        finally:
            lsk.close()
        set_timeouts(self.s, 5)
        self.cport = xgetsockname(self.c)[2]
        self.sport = port

    def echo(self, n):
        """N bytes client -> server -> client; True if intact."""
        data = os.urandom(n)

        def server():
            buf = b""
            try:
                while len(buf) < n:
                    chunk = self.s.recv(n - len(buf))
                    if not chunk:
                        break
                    buf += chunk
                self.s.sendall(buf)
            except OSError as e:
                say("server side of the echo: %s" % e)

        th = threading.Thread(target=server, daemon=True)
        th.start()
        buf = b""
        try:
            self.c.sendall(data)
            while len(buf) < n:
                chunk = self.c.recv(n - len(buf))
                if not chunk:
                    break
                buf += chunk
        except OSError as e:
            say("echo of %d bytes: %s" % (n, e))
        th.join(10)
        return buf == data

    def idle(self, timeout=5.0):
        """Wait until neither end has unacknowledged data."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if (tcp_info(self.c)["unacked"] == 0 and
                    tcp_info(self.s)["unacked"] == 0):
                return True
            time.sleep(0.02)
        return False

    def close(self):
        self.c.close()
        self.s.close()


# -------------------------------------------------------------- spoof

def route_mtu(ns, dst):
    """The mtu of NS's route to DST (the last one "ip route get" shows:
    the cache's, where it has one, after the route's own), None if none."""
    out = subprocess.run(["ip", "-n", ns, "route", "get", dst],
                         stdout=subprocess.PIPE, text=True).stdout
    w = out.split()
    mtus = [w[i + 1] for i in range(len(w) - 1) if w[i] == "mtu"]
    return int(mtus[-1]) if mtus else None


def out_of_window_icmps(fam):
    """TcpExt OutOfWindowIcmps of FAM's TCP in this thread's namespace
    (/proc/net/netstat for Linux, /proc/net/xtcp_snmp for XTCP)."""
    path = "/proc/thread-self/net/" + ("xtcp_snmp" if fam == "xtcp"
                                       else "netstat")
    try:
        with open(path) as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    for names, vals in zip(lines[::2], lines[1::2]):
        n, v = names.split(), vals.split()
        if n and n[0] == "TcpExt:" and "OutOfWindowIcmps" in n:
            return int(v[n.index("OutOfWindowIcmps")])
    return None


def icmp_error(code, src, dst, sport, dport, seq, mtu=0):
    """An ICMP destination-unreachable message (CODE) quoting the first
    28 bytes of a TCP segment SRC:SPORT -> DST:DPORT with sequence SEQ, as
    a router would send it about a 1500-byte segment with DF set."""
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 1500, 0, 0x4000, 63,
                     socket.IPPROTO_TCP, 0, socket.inet_aton(src),
                     socket.inet_aton(dst))
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    quote = ip + struct.pack("!HHI", sport, dport, seq)
    msg = struct.pack("!BBHHH", ICMP_DEST_UNREACH, code, 0, 0, mtu) + quote
    return msg[:2] + struct.pack("!H", checksum(msg)) + msg[4:]


def so_error(s):
    """SO_ERROR: the socket's error, else its soft error (and clears it)."""
    return s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)


def poll_err(s):
    p = select.poll()
    p.register(s.fileno(), select.POLLERR | select.POLLHUP)
    r = p.poll(0)
    return r[0][1] if r else 0


class Spoof:
    """One connection and the ICMP errors about it sent to its TARGET end
    (ICMP from the router to the client, quoting client -> server, or to
    the server, quoting server -> client)."""

    def __init__(self, a, port):
        self.a = a
        if a.target == "client":
            self.tns, self.tfam, self.taddr = a.cns, a.cfam, a.caddr
            self.paddr, tif = a.saddr, a.cif
        else:
            self.tns, self.tfam, self.taddr = a.sns, a.sfam, a.saddr
            self.paddr, tif = a.caddr, a.sif
        enter(self.tns)
        self.sniff = Sniffer(tif)	# what the target sends: SND.NXT
        self.pair = Pair(a, a.cfam, a.sfam, port)
        p = self.pair
        if a.target == "client":
            self.sk, self.tport, self.pport = p.c, p.cport, p.sport
        else:
            self.sk, self.tport, self.pport = p.s, p.sport, p.cport
        enter(self.tns)
        say("connection %s:%d (%s) <-> %s:%d (%s); ICMP from %s to the %s"
            % (a.caddr, p.cport, a.cfam, a.saddr, p.sport, a.sfam, a.rns,
               a.target))

    def snd_nxt(self):
        """The end of the last segment the target sent, from the capture
        of its interface: SND.UNA = SND.NXT on an idle connection."""
        nxt = None
        for sg in self.sniff.segments(self.tport, self.pport):
            if sg.sport == self.tport and (nxt is None or
                                           seq_diff(sg.end, nxt) > 0):
                nxt = sg.end
        return nxt

    def send(self, code, seq, mtu=0):
        enter(self.a.rns)
        r = socket.socket(socket.AF_INET, socket.SOCK_RAW,
                          socket.IPPROTO_ICMP)
        r.sendto(icmp_error(code, self.taddr, self.paddr, self.tport,
                            self.pport, seq, mtu), (self.taddr, 0))
        r.close()
        enter(self.tns)

    def state(self):
        return (out_of_window_icmps(self.tfam),
                route_mtu(self.tns, self.paddr),
                tcp_info(self.sk)["snd_mss"])

    def settle(self, n):
        """Echo N bytes, wait until idle; SND.NXT, or None on failure."""
        ok = check(self.pair.echo(n), "echo %d bytes" % n)
        ok = check(self.pair.idle(), "all acknowledged (idle)") and ok
        nxt = self.snd_nxt()
        check(nxt is not None, "SND.UNA = SND.NXT = %s (capture)" % nxt)
        return nxt if ok else None

    def time_out(self):
        """Make the connection time out: the router drops what the target
        sends (a blackhole route: no ICMP), TCP_USER_TIMEOUT 250 ms, one
        byte written.  Returns the errno the socket reports, the time."""
        a, sk = self.a, self.sk
        route = ["route", "add", "blackhole", self.paddr + "/32"]
        subprocess.run(["ip", "-n", a.rns] + route, check=True)
        try:
            sk.setsockopt(socket.IPPROTO_TCP, TCP_USER_TIMEOUT, 250)
            t0 = time.monotonic()
            sk.send(b"x")
            p = select.poll()
            p.register(sk.fileno(), select.POLLERR | select.POLLHUP)
            p.poll(10000)
            el = time.monotonic() - t0
            e = so_error(sk)
            if not e:
                try:
                    sk.recv(1, socket.MSG_DONTWAIT)
                except OSError as ex:
                    e = ex.errno
            return e, el
        finally:
            route[1] = "del"
            subprocess.run(["ip", "-n", a.rns] + route)

    def close(self):
        self.pair.close()
        self.sniff.close()


def spoof_begin(a, port):
    """An idle connection to spoof at: (Spoof, its SND.NXT, state before),
    or Nones if it could not be set up."""
    sp = Spoof(a, port)
    nxt = sp.settle(16384)
    if nxt is None:
        return None, None, (None, None, None)
    st = sp.state()
    say("before: OutOfWindowIcmps %s, route mtu %s, snd_mss %d" % st)
    return sp, nxt, st


def spoof_out(a, port):
    """Quoted sequence number 2^30 past SND.NXT: Linux's tcp_v4_err()
    drops both errors before acting (RFC 5927), counting them: no route
    PMTU, no MSS change, no error, not even a soft one."""
    sp, nxt, (cnt0, mtu0, mss0) = spoof_begin(a, port)
    if sp is None:
        return
    check(cnt0 is not None, "%s has an OutOfWindowIcmps counter" % sp.tfam)
    seq = seq_add(nxt, 0x40000000)
    say("spoofing frag-needed (mtu %d) and host-unreachable, quoted seq "
        "%d = SND.NXT + 2^30" % (SPOOF_MTU, seq))
    sp.send(ICMP_FRAG_NEEDED, seq, SPOOF_MTU)
    sp.send(ICMP_HOST_UNREACH, seq)
    time.sleep(SETTLE)
    cnt1, mtu1, mss1 = sp.state()
    say("after: OutOfWindowIcmps %s, route mtu %s, snd_mss %d" %
        (cnt1, mtu1, mss1))
    check(cnt0 is not None and cnt1 is not None and cnt1 - cnt0 == 2,
          "OutOfWindowIcmps grew by 2 (%s -> %s)" % (cnt0, cnt1))
    check(mtu1 == mtu0, "route mtu unchanged (%s -> %s)" % (mtu0, mtu1))
    check(mss1 == mss0, "snd_mss unchanged (%d -> %d)" % (mss0, mss1))
    e, ev = so_error(sp.sk), poll_err(sp.sk)
    check(e == 0 and ev == 0, "no error on the socket, not even a soft one: "
          "SO_ERROR %s, poll 0x%x" % (errname(e), ev))
    check(sp.pair.echo(65536), "echo 64 KiB after the spoofed ICMP")
    sp.close()


def spoof_in(a, port):
    """Quoted sequence number = SND.UNA (= SND.NXT, idle): Linux lowers
    the route's PMTU and the MSS for the frag-needed, and keeps the host
    unreachable as the soft error (sk_err_soft) that a timeout reports
    instead of ETIMEDOUT."""
    sp, nxt, (cnt0, mtu0, mss0) = spoof_begin(a, port)
    if sp is None:
        return
    say("spoofing frag-needed (mtu %d), quoted seq %d = SND.UNA" %
        (SPOOF_MTU, nxt))
    sp.send(ICMP_FRAG_NEEDED, nxt, SPOOF_MTU)
    time.sleep(SETTLE)
    cnt1, mtu1, mss1 = sp.state()
    say("after: OutOfWindowIcmps %s, route mtu %s, snd_mss %d" %
        (cnt1, mtu1, mss1))
    check(mtu1 == SPOOF_MTU, "route mtu lowered to %d (%s -> %s)" %
          (SPOOF_MTU, mtu0, mtu1))
    check(mss1 <= SPOOF_MTU - 40 and mss1 < mss0,
          "snd_mss shrunk to fit (%d -> %d)" % (mss0, mss1))
    check(cnt1 == cnt0, "OutOfWindowIcmps unchanged (%s -> %s)" %
          (cnt0, cnt1))
    e = so_error(sp.sk)
    check(e == 0, "no error on the socket: SO_ERROR %s" % errname(e))
    nxt = sp.settle(65536)
    if nxt is None:
        return
    say("spoofing host-unreachable, quoted seq %d = SND.UNA" % nxt)
    sp.send(ICMP_HOST_UNREACH, nxt)
    time.sleep(SETTLE)
    # not SO_ERROR here: it would return the soft error, and clear it
    ev = poll_err(sp.sk)
    check(ev == 0, "the connection goes on (not a hard error): poll 0x%x"
          % ev)
    e, el = sp.time_out()
    check(e == errno.EHOSTUNREACH,
          "a timeout then reports %s in %.2fs (expected EHOSTUNREACH: the "
          "soft error kept)" % (errname(e), el))
    sp.close()


def cmd_spoof(a):
    for i, (window, fn) in enumerate((("out", spoof_out),
                                      ("in", spoof_in))):
        del FAILS[:]
        say("--- %s of window" % window)
        try:
            fn(a, a.port + i)
        except Exception as e:	# pylint: disable=broad-except
            check(False, "%s: %s" % (type(e).__name__, e))
        say("RESULT %s %d" % (window, 1 if FAILS else 0))
    return 0


# ------------------------------------------------------------- ctstate

def ctstate(a, cfam, sfam, port):
    pair = Pair(a, cfam, sfam, port)
    check(pair.echo(1000), "echo 1000 bytes") and pair.idle()
    ns = a.cns if a.where == "client" else a.sns
    out = sh_in(ns, "conntrack -L -p tcp --dport %d" % port).stdout
    for line in out.splitlines():
        say("%s: %s" % (ns, line))
    want = ("src=%s dst=%s sport=%d dport=%d" %
            (a.caddr, a.saddr, pair.cport, port))
    found = [ln for ln in out.splitlines() if want in ln]
    check(found, "conntrack -L in the %s's namespace lists %s" %
          (a.where, want))
    check(found and " ESTABLISHED " in found[0] and "ASSURED" in found[0],
          "the entry is ESTABLISHED and ASSURED")
    pair.close()


def cmd_ctstate(a):
    for p in a.pairs.split(","):
        cfam, sfam, port = p.split(":")
        del FAILS[:]
        say("--- %s client -> %s server, port %s" % (cfam, sfam, port))
        try:
            ctstate(a, cfam, sfam, int(port))
        except Exception as e:	# pylint: disable=broad-except
            check(False, "%s: %s" % (type(e).__name__, e))
        say("RESULT %s %s %s %d" % (cfam, sfam, port, 1 if FAILS else 0))
    return 0


def main():
    ap = argparse.ArgumentParser(prog="realnet.py")
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("connect")
    for opt in ("ns", "rns", "families", "variants"):
        c.add_argument("--" + opt, required=True)
    c.add_argument("--port", type=int, required=True)
    c.add_argument("--limit", type=float, default=6.0)
    for name in ("spoof", "ctstate"):
        p = sub.add_parser(name)
        for opt in ("cns", "sns", "caddr", "saddr"):
            p.add_argument("--" + opt, required=True)
        if name == "spoof":
            for opt in ("cfam", "sfam", "rns", "cif", "sif"):
                p.add_argument("--" + opt, required=True)
            p.add_argument("--port", type=int, required=True,
                           help="PORT and PORT + 1 are used")
            p.add_argument("--target", choices=["client", "server"],
                           required=True)
        else:
            p.add_argument("--pairs", required=True)
            p.add_argument("--where", choices=["client", "server"],
                           required=True)
    a = ap.parse_args()
    return {"connect": cmd_connect, "spoof": cmd_spoof,
            "ctstate": cmd_ctstate}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
