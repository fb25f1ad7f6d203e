# SPDX-License-Identifier: GPL-2.0
"""
Packet-level helpers of the XTCP selftests (Python 3 stdlib only).

- Seg: an IPv4+TCP segment; build() with correct checksums, parse(), and a
  tcpdump-like str() ("[S.] seq=.. ack=.. win=.. len=.. <mss 1460,...>").
- Tun: a tun device (IFF_TUN|IFF_NO_PI) whose far side the test plays: the
  kernel routes 10.99.0.0/24 into it, the test reads the segments and writes
  crafted ones back.  Without IFF_VNET_HDR the kernel segments GSO packets
  to the MSS before they reach us.
- Conn: a scripted TCP peer on a Tun (packetdrill-like): tracks its own
  sequence numbers and those of the socket under test, logs every segment.
- Sniffer: AF_PACKET capture of one interface (lo), outgoing frames only.
- Sockets of the family under test ("inet": Linux TCP, "xtcp": AF_XTCP = 18)
  with address conversions through ctypes, since CPython does not know
  sockaddrs of family 18.
- /proc/net/{tcp,xtcp} states and /proc/net/{snmp,netstat,xtcp_snmp}
  counters.
- A small TAP 13 runner shared by the test scripts.
"""

import ctypes
import errno
import fcntl
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import traceback

AF_XTCP = 18

# TCP header flags, all nine bits (NS is the low bit of the offset byte)
FIN, SYN, RST, PSH, ACK, URG, ECE, CWR, NS = (0x01, 0x02, 0x04, 0x08, 0x10,
                                              0x20, 0x40, 0x80, 0x100)

# the ECN field of the IP header (RFC 3168 5)
NOT_ECT, ECT_1, ECT_0, CE = 0, 1, 2, 3
ECN_NAMES = {NOT_ECT: "Not-ECT", ECT_1: "ECT(1)", ECT_0: "ECT(0)", CE: "CE"}

# Linux 6.1's struct tcp_info (232 bytes): getsockopt(IPPROTO_TCP, TCP_INFO)
# on either family (XTCP fills it from its own state).
TCPI_FIELDS = (
    "state ca_state retransmits probes backoff options wscale flags "
    "rto ato snd_mss rcv_mss unacked sacked lost retrans fackets "
    "last_data_sent last_ack_sent last_data_recv last_ack_recv "
    "pmtu rcv_ssthresh rtt rttvar snd_ssthresh snd_cwnd advmss reordering "
    "rcv_rtt rcv_space total_retrans "
    "pacing_rate max_pacing_rate bytes_acked bytes_received "
    "segs_out segs_in notsent_bytes min_rtt data_segs_in data_segs_out "
    "delivery_rate busy_time rwnd_limited sndbuf_limited "
    "delivered delivered_ce bytes_sent bytes_retrans "
    "dsack_dups reord_seen rcv_ooopack snd_wnd").split()
TCPI_FMT = "=8B24I4Q6I4Q2I2Q4I"
TCP_INFO = 11
TCPI_OPT_TIMESTAMPS, TCPI_OPT_SACK, TCPI_OPT_WSCALE = 1, 2, 4
TCPI_OPT_ECN, TCPI_OPT_ECN_SEEN = 8, 16


def tcp_info(s, size=None):
    size = struct.calcsize(TCPI_FMT) if size is None else size
    raw = s.getsockopt(socket.IPPROTO_TCP, TCP_INFO, size)
    raw = raw.ljust(struct.calcsize(TCPI_FMT), b"\0")
    return dict(zip(TCPI_FIELDS, struct.unpack(TCPI_FMT, raw)))


# /proc/net/tcp state codes (include/net/tcp_states.h)
ESTABLISHED, SYN_SENT, SYN_RECV, FIN_WAIT1, FIN_WAIT2 = 1, 2, 3, 4, 5
TIME_WAIT, CLOSE, CLOSE_WAIT, LAST_ACK, LISTEN, CLOSING = 6, 7, 8, 9, 10, 11
STATE_NAMES = {1: "ESTABLISHED", 2: "SYN_SENT", 3: "SYN_RECV",
               4: "FIN_WAIT1", 5: "FIN_WAIT2", 6: "TIME_WAIT", 7: "CLOSE",
               8: "CLOSE_WAIT", 9: "LAST_ACK", 10: "LISTEN", 11: "CLOSING",
               12: "NEW_SYN_RECV", None: "(no socket)"}

# Time limits, seconds.  T_EXPECT bounds the wait for a segment or state
# that must come (returns as soon as it does); T_QUIET is how long "nothing
# is sent" is watched.  XTCP_TIME_SCALE stretches both on slow machines.
_SCALE = float(os.environ.get("XTCP_TIME_SCALE", "1") or 1)
T_EXPECT = 3.0 * _SCALE
T_QUIET = 0.5 * _SCALE


def state_name(st):
    return STATE_NAMES.get(st, "state %s" % st)


# ------------------------------------------------------- sequence space

def seq_add(a, n):
    return (a + n) & 0xffffffff


def seq_diff(a, b):
    """a - b in sequence space, as a signed number."""
    d = (a - b) & 0xffffffff
    return d - (1 << 32) if d & 0x80000000 else d


def seq_lt(a, b):
    return seq_diff(a, b) < 0


def seq_le(a, b):
    return seq_diff(a, b) <= 0


# ------------------------------------------------------------- segments

def _csum(data, init=0):
    if len(data) & 1:
        data += b"\0"
    s = init + sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s


def checksum(data, init=0):
    return ~_csum(data, init) & 0xffff


OPT_EOL, OPT_NOP, OPT_MSS, OPT_WS = 0, 1, 2, 3
OPT_SACKOK, OPT_SACK, OPT_TS = 4, 5, 8


def encode_opts(opts):
    """opts: list of ("mss", n), ("wscale", n), ("sackok",), ("ts", val,
    ecr), ("sack", [(l, r), ...]), ("nop",), ("eol",) or (kind, bytes);
    padded with EOL bytes to a multiple of 4."""
    out = b""
    for o in opts:
        name = o[0]
        if name == "mss":
            out += struct.pack("!BBH", OPT_MSS, 4, o[1])
        elif name == "wscale":
            out += struct.pack("!BBB", OPT_WS, 3, o[1])
        elif name == "sackok":
            out += struct.pack("!BB", OPT_SACKOK, 2)
        elif name == "ts":
            out += struct.pack("!BBII", OPT_TS, 10, o[1], o[2])
        elif name == "sack":
            out += struct.pack("!BB", OPT_SACK, 2 + 8 * len(o[1]))
            for left, right in o[1]:
                out += struct.pack("!II", left, right)
        elif name == "nop":
            out += bytes([OPT_NOP])
        elif name == "eol":
            out += bytes([OPT_EOL])
        else:
            out += struct.pack("!BB", name, 2 + len(o[1])) + o[1]
    if len(out) % 4:
        out += b"\0" * (4 - len(out) % 4)
    if len(out) > 40:
        raise ValueError("TCP options longer than 40 bytes")
    return out


def parse_opts(raw):
    """The options as a list like encode_opts() takes; stops at EOL or at
    a malformed option (then ("bad", rest) ends the list)."""
    opts = []
    i = 0
    while i < len(raw):
        kind = raw[i]
        if kind == OPT_EOL:
            break
        if kind == OPT_NOP:
            opts.append(("nop",))
            i += 1
            continue
        if i + 1 >= len(raw) or raw[i + 1] < 2 or i + raw[i + 1] > len(raw):
            opts.append(("bad", raw[i:]))
            break
        ln = raw[i + 1]
        body = raw[i + 2:i + ln]
        if kind == OPT_MSS and ln == 4:
            opts.append(("mss", struct.unpack("!H", body)[0]))
        elif kind == OPT_WS and ln == 3:
            opts.append(("wscale", body[0]))
        elif kind == OPT_SACKOK and ln == 2:
            opts.append(("sackok",))
        elif kind == OPT_TS and ln == 10:
            opts.append(("ts",) + struct.unpack("!II", body))
        elif kind == OPT_SACK and (ln - 2) % 8 == 0:
            blocks = [struct.unpack("!II", body[j:j + 8])
                      for j in range(0, ln - 2, 8)]
            opts.append(("sack", blocks))
        else:
            opts.append((kind, body))
        i += ln
    return opts


def flag_str(flags):
    """tcpdump's notation: S F R P U E W N, "." for ACK; e.g. "S." "F." "R"."""
    s = ""
    for bit, ch in ((SYN, "S"), (FIN, "F"), (RST, "R"), (PSH, "P"),
                    (URG, "U"), (ECE, "E"), (CWR, "W"), (NS, "N")):
        if flags & bit:
            s += ch
    if flags & ACK:
        s += "."
    return s or "none"


def _opt_str(o):
    if o[0] == "mss":
        return "mss %d" % o[1]
    if o[0] == "wscale":
        return "wscale %d" % o[1]
    if o[0] == "sackok":
        return "sackOK"
    if o[0] == "ts":
        return "TS val %d ecr %d" % (o[1], o[2])
    if o[0] == "sack":
        return "sack " + " ".join("%d:%d" % b for b in o[1])
    if o[0] == "nop":
        return "nop"
    if o[0] == "bad":
        return "bad"
    return "opt-%s" % o[0]


class Seg:
    """One IPv4+TCP segment.  dlen is the payload length from the headers
    (data may be shorter when the capture was truncated)."""

    def __init__(self, src, dst, sport, dport, seq=0, ack=0, flags=0,
                 win=65535, opts=(), data=b"", urp=0, ttl=64, ipid=0,
                 tos=0):
        self.src, self.dst = src, dst
        self.sport, self.dport = sport, dport
        self.seq, self.ack = seq & 0xffffffff, ack & 0xffffffff
        self.flags, self.win, self.urp = flags, win, urp
        self.opts = list(opts)
        self.data = bytes(data)
        self.dlen = len(self.data)
        self.ttl, self.ipid, self.tos = ttl, ipid, tos
        self.t = 0.0		# time.monotonic() of capture
        self.df = True		# IP's DF flag (parse())
        self.raw_opts = None	# the option bytes as captured (parse())

    # -- flags and lengths
    def has(self, flags):
        return (self.flags & flags) == flags

    @property
    def seglen(self):
        """Sequence space taken: data, plus one each for SYN and FIN."""
        return self.dlen + bool(self.flags & SYN) + bool(self.flags & FIN)

    @property
    def end(self):
        return seq_add(self.seq, self.seglen)

    def opt(self, name):
        for o in self.opts:
            if o[0] == name:
                return o[1] if len(o) == 2 else (o[1:] or True)
        return None

    # -- wire format
    def build(self):
        opts = encode_opts(self.opts)
        doff = (20 + len(opts)) // 4
        tcp = struct.pack("!HHIIHHHH", self.sport, self.dport, self.seq,
                          self.ack, (doff << 12) | (self.flags & 0x1ff),
                          self.win, 0, self.urp) + opts + self.data
        src, dst = socket.inet_aton(self.src), socket.inet_aton(self.dst)
        pseudo = src + dst + struct.pack("!BBH", 0, socket.IPPROTO_TCP,
                                         len(tcp))
        ck = checksum(pseudo + tcp)
        tcp = tcp[:16] + struct.pack("!H", ck) + tcp[18:]
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, self.tos, 20 + len(tcp),
                         self.ipid,
                         0x4000, self.ttl, socket.IPPROTO_TCP, 0, src, dst)
        ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
        return ip + tcp

    @classmethod
    def parse(cls, pkt):
        """An IPv4 packet -> Seg, or None if it is not an unfragmented
        IPv4 TCP segment."""
        if len(pkt) < 40 or pkt[0] >> 4 != 4:
            return None
        ihl = (pkt[0] & 15) * 4
        tot, ipid, frag = struct.unpack("!HHH", pkt[2:8])
        if pkt[9] != socket.IPPROTO_TCP or frag & 0x3fff:
            return None
        if len(pkt) < ihl + 20:
            return None
        tcp = pkt[ihl:tot]
        (sport, dport, seq, ack, offflags, win, _ck,
         urp) = struct.unpack("!HHIIHHHH", tcp[:20])
        doff = (offflags >> 12) * 4
        seg = cls(socket.inet_ntoa(pkt[12:16]), socket.inet_ntoa(pkt[16:20]),
                  sport, dport, seq, ack, offflags & 0x1ff, win,
                  parse_opts(tcp[20:doff]), tcp[doff:], urp, pkt[8], ipid)
        seg.dlen = tot - ihl - doff
        seg.raw_opts = bytes(tcp[20:doff])
        seg.tos = pkt[1]
        seg.df = bool(frag & 0x4000)
        return seg

    # -- display
    def show(self, seq_base=0, ack_base=0):
        """tcpdump-like line; seq/ack printed relative to the bases."""
        s = "[%s] seq=%d" % (flag_str(self.flags),
                             seq_add(self.seq, -seq_base))
        if self.flags & ACK:
            s += " ack=%d" % seq_add(self.ack, -ack_base)
        s += " win=%d len=%d" % (self.win, self.dlen)
        if self.tos & 3:
            s += " " + ECN_NAMES[self.tos & 3]
        if self.flags & URG:
            s += " urp=%d" % self.urp
        opts = [_opt_str(o) for o in self.opts]
        if opts:
            s += " <%s>" % ",".join(opts)
        return s

    def __str__(self):
        return "%s:%d > %s:%d %s" % (self.src, self.sport, self.dst,
                                     self.dport, self.show())


# ------------------------------------------------------------------ tun

TUNSETIFF = 0x400454ca
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000


def run(*cmd):
    """Run a command, raise with its output if it fails."""
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    if r.returncode:
        raise RuntimeError("%s: %s" % (" ".join(cmd), r.stdout.strip()))
    return r.stdout


def write_sysctl(name, value):
    """Write /proc/sys/NAME (dots or slashes); False if it does not exist."""
    path = "/proc/sys/" + name.replace(".", "/")
    if not os.path.exists(path):
        return False
    with open(path, "w") as f:
        f.write(str(value))
    return True


def read_sysctl(name):
    try:
        with open("/proc/sys/" + name.replace(".", "/")) as f:
            return f.read().strip()
    except OSError:
        return None


def sysctl_knobs(tap, family, linux_names):
    """(knob, set_knob) for a test script: knob(NAME) is the sysctl of the
    family under test, net.xtcp.NAME or Linux's net.ipv4.LINUX_NAMES[NAME]
    (FAMILY() tells which, read at each call); set_knob(NAME, VALUE)
    writes it and has TAP restore the old value after the test."""
    def knob(name):
        return ("net.xtcp." + name if family() == "xtcp"
                else "net.ipv4." + linux_names[name])

    def set_knob(name, value):
        set_sysctl_for_test(tap, knob(name), value)

    return knob, set_knob


def set_sysctl_for_test(tap, full, value):
    """Write the sysctl FULL; TAP restores the old value after the test."""
    old = read_sysctl(full)
    if old is None:
        raise Fail("no sysctl %s" % full)
    if old != str(value):
        if not write_sysctl(full, value):
            raise Fail("cannot set %s" % full)
        tap.defer(write_sysctl, full, old)


def tun_main(tap, args, mtu, sut, peer):
    """The end of a tun script's main(): the Tun (or a bail-out), the
    banner, the tests chosen by ARGS, the summary; exits."""
    try:
        tun = Tun(mtu=mtu)
    except Exception as e:		# pylint: disable=broad-except
        tap.bail("cannot set up the tun device: %s" % e)
        tap.finish()
    diag("family %s: SUT %s <-> tun (MTU %d) <-> scripted peer %s"
         % (args.family, sut, mtu, peer))
    return tun


class Tun:
    """A tun device: local address LOCAL/PREFIX on our side; everything
    routed to the prefix (PEER) comes out of read()."""

    def __init__(self, name="xtcptun0", local="10.99.0.1", peer="10.99.0.2",
                 prefix=24, mtu=1500):
        self.name, self.local, self.peer, self.mtu = name, local, peer, mtu
        self.fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
        ifr = struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI)
        fcntl.ioctl(self.fd, TUNSETIFF, ifr.ljust(40, b"\0"))
        # no IPv6 chatter (router solicitations, MLD) on the device
        write_sysctl("net/ipv6/conf/%s/disable_ipv6" % name, 1)
        run("ip", "link", "set", "dev", name, "mtu", str(mtu), "up")
        run("ip", "addr", "add", "%s/%d" % (local, prefix), "dev", name)

    def read(self, timeout):
        """The next TCP segment the kernel sent into the tun, or None."""
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select([self.fd], [], [], left)
            if not r:
                return None
            try:
                pkt = os.read(self.fd, 65536)
            except BlockingIOError:
                continue
            seg = Seg.parse(pkt)
            if seg is not None:
                seg.t = time.monotonic()
                return seg

    def write(self, seg):
        os.write(self.fd, seg.build())

    def drain(self):
        while self.read(0.001) is not None:
            pass

    def set_mtu(self, mtu):
        run("ip", "link", "set", "dev", self.name, "mtu", str(mtu))
        self.mtu = mtu

    def close(self):
        os.close(self.fd)


class Conn:
    """The scripted remote end of one connection over a Tun.

    snd_nxt is the peer's next sequence number, rcv_nxt the next one it
    expects from the socket under test (learned from the SUT's SYN or
    SYN-ACK and advanced by in-order segments).  Every segment is logged as
    a diag line, numbers relative to the two ISNs."""

    def __init__(self, tun, pport, sport=None, isn=1000000, log=None):
        self.tun = tun
        self.pport = pport		# the peer's (our) port
        self.sport = sport		# the SUT's port (learned if None)
        self.iss = isn & 0xffffffff
        self.snd_nxt = self.iss
        self.sut_iss = None
        self.rcv_nxt = 0
        self.t0 = time.monotonic()
        self.log = log if log is not None else diag
        self.segs = []			# ("<" or ">", Seg)

    def _show(self, d, seg):
        self.segs.append((d, seg))
        if d == ">":
            line = seg.show(self.iss, self.sut_iss or 0)
        else:
            line = seg.show(self.sut_iss or 0, self.iss)
        who = "peer >" if d == ">" else "  SUT <"
        self.log("  %+7.3f %s %s" % (time.monotonic() - self.t0, who, line))

    def send(self, flags, data=b"", seq=None, ack=None, win=65535, opts=(),
             quiet=False, advance=True, tos=0, urp=0):
        """Send a segment; seq defaults to snd_nxt, ack to rcv_nxt when ACK
        is set.  A segment at snd_nxt advances it (unless not ADVANCE: a
        probe the SUT is expected to drop)."""
        if seq is None:
            seq = self.snd_nxt
        if ack is None:
            ack = self.rcv_nxt if flags & ACK else 0
        seg = Seg(self.tun.peer, self.tun.local, self.pport, self.sport or 0,
                  seq, ack, flags, win, opts, data, urp, tos=tos)
        if seg.sport == 0 or seg.dport == 0:
            raise ValueError("Conn.send: SUT port unknown")
        self.tun.write(seg)
        if advance and seq == self.snd_nxt:
            self.snd_nxt = seg.end
        if not quiet:
            self._show(">", seg)
        return seg

    def _mine(self, seg):
        return (seg.src == self.tun.local and seg.dst == self.tun.peer and
                seg.dport == self.pport and
                (self.sport is None or seg.sport == self.sport))

    def next(self, timeout=None):
        """The SUT's next segment on this connection, or None."""
        end = time.monotonic() + (T_EXPECT if timeout is None else timeout)
        while True:
            seg = self.tun.read(max(0.0, end - time.monotonic()))
            if seg is None:
                return None
            if not self._mine(seg):
                continue
            if self.sport is None:
                self.sport = seg.sport
            if seg.flags & SYN:
                self.sut_iss = seg.seq
                self.rcv_nxt = seg.end
            elif not seg.flags & RST and seg.seq == self.rcv_nxt:
                self.rcv_nxt = seg.end
            self._show("<", seg)
            return seg

    def expect(self, what, timeout=None):
        """next(), failing with WHAT if nothing comes."""
        seg = self.next(timeout)
        if seg is None:
            raise Fail("no %s from the SUT within %.1fs" %
                       (what, T_EXPECT if timeout is None else timeout))
        return seg

    def wait(self, pred, what, timeout=None, bad=lambda s: s.flags & RST):
        """The first SUT segment PRED accepts; others are skipped, except
        that a segment BAD accepts (default: any RST) fails the test."""
        end = time.monotonic() + (T_EXPECT if timeout is None else timeout)
        while True:
            seg = self.next(max(0.0, end - time.monotonic()))
            if seg is None:
                raise Fail("no %s from the SUT within %.1fs" %
                           (what, T_EXPECT if timeout is None else timeout))
            if pred(seg):
                return seg
            if bad is not None and bad(seg):
                raise Fail("unexpected segment while waiting for %s: %s" %
                           (what, seg.show(self.sut_iss or 0, self.iss)))
            self.log("    (not the %s, skipped)" % what)

    def quiet(self, timeout=None):
        """The SUT's segments during TIMEOUT (T_QUIET): [] if it is quiet."""
        end = time.monotonic() + (T_QUIET if timeout is None else timeout)
        segs = []
        while True:
            seg = self.next(max(0.0, end - time.monotonic()))
            if seg is None:
                return segs
            segs.append(seg)

    def rst(self):
        """Reset the connection: RST at exactly the SUT's rcv.nxt."""
        self.send(RST, seq=self.snd_nxt, quiet=True)


# -------------------------------------------------------------- sniffer

ETH_P_ALL = 0x0003
ETH_P_IP = 0x0800
PACKET_OUTGOING = 4
SO_ATTACH_FILTER = 26
SO_RCVBUFFORCE = 33
SO_TIMESTAMPNS = 35		# also the SCM_ type of the control message
SNAPLEN = 256


def _stamp(ts, now_mono):
    """A capture timestamp on the time.monotonic() scale.  Most packets
    are stamped with CLOCK_REALTIME, but Linux TCP stamps its segments with
    their departure time on CLOCK_MONOTONIC (EDT), and the capture copies
    keep it: a stamp far from the wall clock is taken as monotonic."""
    if abs(time.time() - ts) > 86400:
        return ts
    return now_mono - (time.time() - ts)


class Sniffer:
    """Capture of one interface: outgoing frames only (on lo each packet
    is also seen a second time as incoming), IPv4 TCP, first SNAPLEN bytes
    (a one-instruction BPF filter truncates the copies).  Seg.t is the
    kernel's receive timestamp, on the time.monotonic() scale."""

    def __init__(self, ifname="lo"):
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                                  socket.htons(ETH_P_ALL))
        # BPF_RET | BPF_K, SNAPLEN: accept every packet, truncated (less
        # memory queued); without it whole frames are queued
        insn = struct.pack("HBBI", 0x06, 0, 0, SNAPLEN)
        self._prog = ctypes.create_string_buffer(insn)
        fprog = struct.pack("HL", 1, ctypes.addressof(self._prog))
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER, fprog)
        except OSError:
            pass
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 8 << 20)
        except OSError:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        self.sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        self.sock.bind((ifname, 0))
        self.sock.setblocking(False)
        self.backlog = []

    def _read(self, timeout):
        r, _, _ = select.select([self.sock], [], [], timeout)
        if not r:
            return None, False
        try:
            frame, anc, _, addr = self.sock.recvmsg(65536,
                                                    socket.CMSG_SPACE(16))
        except BlockingIOError:
            return None, True
        if addr[2] != PACKET_OUTGOING:
            return None, True
        # lo and Ethernet frames carry a 14-byte Ethernet header
        if len(frame) < 14 or struct.unpack("!H", frame[12:14])[0] != ETH_P_IP:
            return None, True
        seg = Seg.parse(frame[14:])
        if seg is not None:
            seg.t = time.monotonic()
            for level, kind, data in anc:
                if (level, kind) == (socket.SOL_SOCKET, SO_TIMESTAMPNS):
                    sec, nsec = struct.unpack("qq", data[:16])
                    seg.t = _stamp(sec + nsec * 1e-9, seg.t)
        return seg, True

    def poll(self, timeout=0.0):
        """Move what has been captured (waiting up to TIMEOUT for the first
        frame) into the backlog."""
        seg, more = self._read(timeout)
        while more:
            if seg is not None:
                self.backlog.append(seg)
            seg, more = self._read(0)

    def segments(self, port_a, port_b):
        """Captured segments between the two ports, in order."""
        self.poll()
        return [s for s in self.backlog
                if {s.sport, s.dport} == {port_a, port_b}]

    def wait_for(self, port_a, port_b, pred, timeout=None):
        """The first captured segment between the ports PRED accepts."""
        end = time.monotonic() + (T_EXPECT if timeout is None else timeout)
        while True:
            for s in self.segments(port_a, port_b):
                if pred(s):
                    return s
            left = end - time.monotonic()
            if left <= 0:
                return None
            self.poll(min(left, 0.05))

    def clear(self):
        self.poll()
        self.backlog = []

    def close(self):
        self.sock.close()


# -------------------------------------------------------------- sockets

libc = ctypes.CDLL(None, use_errno=True)


class SockaddrIn(ctypes.Structure):
    _fields_ = [("sin_family", ctypes.c_ushort),
                ("sin_port", ctypes.c_ubyte * 2),
                ("sin_addr", ctypes.c_ubyte * 4),
                ("sin_zero", ctypes.c_ubyte * 8)]


def _sin(addr, port, family=socket.AF_INET):
    sa = SockaddrIn()
    sa.sin_family = family
    sa.sin_port[:] = list(struct.pack("!H", port))
    sa.sin_addr[:] = list(socket.inet_aton(addr))
    return sa


def _from_sin(sa):
    return (sa.sin_family, socket.inet_ntoa(bytes(sa.sin_addr)),
            struct.unpack("!H", bytes(sa.sin_port))[0])


def _oserror(what):
    e = ctypes.get_errno()
    return OSError(e, "%s: %s" % (what, os.strerror(e)))


def family_available(family):
    """None if sockets of FAMILY can be created, else the reason."""
    try:
        make_socket(family).close()
        return None
    except OSError as e:
        return str(e)


def make_socket(family):
    """A blocking stream socket of the family under test ("inet"/"xtcp")."""
    if family == "inet":
        return socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if family != "xtcp":
        raise ValueError("unknown family %r" % family)
    fd = libc.socket(AF_XTCP, socket.SOCK_STREAM, 0)
    if fd < 0:
        raise _oserror("socket(AF_XTCP)")
    # the family given, CPython does not probe the fd with getsockname()
    return socket.socket(AF_XTCP, socket.SOCK_STREAM, 0, fileno=fd)


def _retry(fn, *args):
    """A libc call, repeated on EINTR (the loop lets Python run signal
    handlers, e.g. the test watchdog's, in between)."""
    while True:
        r = fn(*args)
        if r >= 0 or ctypes.get_errno() != errno.EINTR:
            return r


def xbind(s, addr, port, family=socket.AF_INET):
    sa = _sin(addr, port, family)
    if _retry(libc.bind, s.fileno(), ctypes.byref(sa), ctypes.sizeof(sa)) < 0:
        raise _oserror("bind %s:%d" % (addr, port))


def xconnect(s, addr, port, family=socket.AF_INET):
    """connect(); returns 0 or the errno (EINPROGRESS, ECONNREFUSED...)."""
    sa = _sin(addr, port, family)
    if libc.connect(s.fileno(), ctypes.byref(sa), ctypes.sizeof(sa)) < 0:
        return ctypes.get_errno()
    return 0


def xaccept(s, timeout=None):
    """accept(): (socket, (family, addr, port)).  With TIMEOUT, waits for
    the listener to be readable first and raises Fail if it is not."""
    if timeout is not None and not wait_poll(s, select.POLLIN, timeout):
        raise Fail("accept: no connection within %.1fs" % timeout)
    sa = SockaddrIn()
    ln = ctypes.c_uint(ctypes.sizeof(sa))
    fd = _retry(libc.accept, s.fileno(), ctypes.byref(sa), ctypes.byref(ln))
    if fd < 0:
        raise _oserror("accept")
    return (socket.socket(s.family, socket.SOCK_STREAM, 0, fileno=fd),
            _from_sin(sa))


def _getname(fn, what, s):
    sa = SockaddrIn()
    ln = ctypes.c_uint(ctypes.sizeof(sa))
    if fn(s.fileno(), ctypes.byref(sa), ctypes.byref(ln)) < 0:
        raise _oserror(what)
    return _from_sin(sa)


def xgetsockname(s):
    """(family, addr, port) through a struct sockaddr_in."""
    return _getname(libc.getsockname, "getsockname", s)


def xgetpeername(s):
    return _getname(libc.getpeername, "getpeername", s)


def so_error(s):
    return s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)


def set_linger(s, onoff, secs):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                 struct.pack("ii", onoff, secs))


def set_timeouts(s, secs):
    """SO_RCVTIMEO and SO_SNDTIMEO: a blocking call cannot hang a test."""
    tv = struct.pack("ll", int(secs), int((secs % 1) * 1e6))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, tv)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, tv)


def abort(s):
    """Close with SO_LINGER {1, 0} (RST, no FIN) unless already closed;
    for cleanups."""
    if s.fileno() < 0:
        return
    try:
        set_linger(s, 1, 0)
    except OSError:
        pass
    s.close()


SIOCINQ = 0x541B	# FIONREAD
SIOCOUTQ = 0x5411	# TIOCOUTQ
SIOCATMARK = 0x8905


def ioctl_int(s, req):
    return struct.unpack("i", fcntl.ioctl(s.fileno(), req,
                                          struct.pack("i", 0)))[0]


def poll_events(s, events, timeout=0.0):
    """poll() once: the revents of S (0 on timeout)."""
    p = select.poll()
    p.register(s.fileno(), events)
    r = p.poll(timeout * 1000)
    return r[0][1] if r else 0


def wait_poll(s, events, timeout):
    """Wait up to TIMEOUT for any of EVENTS; returns the revents or 0."""
    return poll_events(s, events, timeout)


POLL_NAMES = [(select.POLLIN, "IN"), (select.POLLPRI, "PRI"),
              (select.POLLOUT, "OUT"), (select.POLLERR, "ERR"),
              (select.POLLHUP, "HUP"), (select.POLLNVAL, "NVAL"),
              (select.POLLRDNORM, "RDNORM"), (select.POLLWRNORM, "WRNORM"),
              (select.POLLRDHUP, "RDHUP")]


def poll_str(ev):
    return "|".join(n for b, n in POLL_NAMES if ev & b) or "0"


def recv_all(s, n, timeout=None):
    """Receive exactly N bytes (poll-bounded); returns what came."""
    end = time.monotonic() + (T_EXPECT if timeout is None else timeout)
    buf = b""
    while len(buf) < n:
        left = end - time.monotonic()
        if left <= 0 or not wait_poll(s, select.POLLIN, left):
            break
        try:
            chunk = s.recv(n - len(buf), socket.MSG_DONTWAIT)
        except BlockingIOError:
            continue
        if not chunk:
            break
        buf += chunk
    return buf


def lo_pair(family, role, lport, addr="127.0.0.1", peer_opts=()):
    """A connected pair on loopback: a socket of FAMILY (the SUT) and a
    Linux TCP socket (the peer).  ROLE is the SUT's: "client" connects to
    a Linux listener on LPORT, "server" is a SUT listener on LPORT that
    accepts the Linux socket.  PEER_OPTS: (level, name, value) applied to
    the peer before the connection.  Returns (sut, peer, sut_port,
    peer_port); both sockets blocking with SO_RCVTIMEO/SO_SNDTIMEO."""
    if role == "client":
        lsk = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            lsk.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            for o in peer_opts:
                lsk.setsockopt(*o)
            lsk.bind((addr, lport))
            lsk.listen(1)
            sut = make_socket(family)
            set_timeouts(sut, 10)
            err = xconnect(sut, addr, lport)
            if err:
                sut.close()
                raise Fail("SUT connect(): %s" % os.strerror(err))
            if not wait_poll(lsk, select.POLLIN, T_EXPECT):
                sut.close()
                raise Fail("the Linux listener got no connection")
            peer, _ = lsk.accept()
        finally:
            lsk.close()
        sut_port, peer_port = xgetsockname(sut)[2], lport
    else:
        lsk = make_socket(family)
        try:
            lsk.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            xbind(lsk, addr, lport)
            lsk.listen(1)
            peer = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            for o in peer_opts:
                peer.setsockopt(*o)
            set_timeouts(peer, 10)
            try:
                peer.connect((addr, lport))
                sut, _ = xaccept(lsk, T_EXPECT)
            except BaseException:
                peer.close()
                raise
        finally:
            lsk.close()
        sut_port, peer_port = lport, peer.getsockname()[1]
    peer.setblocking(True)
    set_timeouts(peer, 10)
    set_timeouts(sut, 10)
    return sut, peer, sut_port, peer_port


# ---------------------------------------------------------------- /proc

class SockEntry:
    def __init__(self, f):
        la, lp = f[1].split(":")
        ra, rp = f[2].split(":")
        self.laddr, self.lport = _hexaddr(la), int(lp, 16)
        self.raddr, self.rport = _hexaddr(ra), int(rp, 16)
        self.state = int(f[3], 16)
        tx, rx = f[4].split(":")
        self.txq, self.rxq = int(tx, 16), int(rx, 16)
        tr, when = f[5].split(":")
        self.timer, self.when = int(tr, 16), int(when, 16)

    def __repr__(self):
        return "%s:%d %s:%d %s tx %d rx %d timer %d" % (
            self.laddr, self.lport, self.raddr, self.rport,
            state_name(self.state), self.txq, self.rxq, self.timer)


def _hexaddr(h):
    # the __be32 printed as a native u32
    return socket.inet_ntoa(struct.pack("=I", int(h, 16)))


def proc_file(family):
    return "/proc/net/xtcp" if family == "xtcp" else "/proc/net/tcp"


def states(family):
    """The sockets of /proc/net/tcp (inet) or /proc/net/xtcp (xtcp)."""
    out = []
    try:
        with open(proc_file(family)) as f:
            lines = f.readlines()[1:]
    except OSError:
        return out
    for line in lines:
        f = line.split()
        if len(f) >= 6:
            out.append(SockEntry(f))
    return out


def entry_of(family, lport, rport=None):
    for e in states(family):
        if e.lport != lport:
            continue
        if rport is None and e.state == LISTEN:
            return e
        if rport is not None and e.rport == rport:
            return e
    return None


def state_of(family, lport, rport=None):
    """The state code of the socket LPORT->RPORT (or of the listener on
    LPORT when RPORT is None), None if there is none."""
    e = entry_of(family, lport, rport)
    return e.state if e else None


def wait_state(family, lport, rport, want, timeout=None):
    """Poll until the socket's state is WANT (a code, None for "gone", or
    a set of those); returns the last state seen."""
    wants = want if isinstance(want, (set, frozenset, tuple, list)) else {want}
    end = time.monotonic() + (T_EXPECT if timeout is None else timeout)
    while True:
        st = state_of(family, lport, rport)
        if st in wants or time.monotonic() >= end:
            return st
        time.sleep(0.01)


def check_state(family, lport, rport, want, timeout=None, what=""):
    """wait_state() that fails the test unless WANT is reached."""
    st = wait_state(family, lport, rport, want, timeout)
    wants = want if isinstance(want, (set, frozenset, tuple, list)) else {want}
    if st not in wants:
        raise Fail("%s%s: state %s, expected %s (%s)" % (
            what + ": " if what else "", "%d->%d" % (lport, rport or 0),
            state_name(st), "/".join(state_name(w) for w in wants),
            proc_file(family)))
    diag("  /proc: %d->%d %s" % (lport, rport or 0, state_name(st)))
    return st


# ------------------------------------------------------------- counters

def _two_line(path):
    """Parse the "Group: names" / "Group: values" line pairs of
    /proc/net/snmp-like files into {group: {name: value}}."""
    out = {}
    try:
        with open(path) as f:
            lines = f.read().splitlines()
    except OSError:
        return out
    for i in range(0, len(lines) - 1, 2):
        h, v = lines[i].split(), lines[i + 1].split()
        if not h or h[0] != v[0]:
            continue
        grp = h[0].rstrip(":")
        vals = out.setdefault(grp, {})
        for name, val in zip(h[1:], v[1:]):
            try:
                vals[name] = int(val)
            except ValueError:
                pass
    return out


def counters(family):
    if family == "xtcp":
        return _two_line("/proc/net/xtcp_snmp")
    out = _two_line("/proc/net/snmp")
    out.update(_two_line("/proc/net/netstat"))
    return out


def counter(family, group, name):
    """A TCP counter of the family under test, None where absent."""
    return counters(family).get(group, {}).get(name)


# ------------------------------------------------------------------ TAP

class Fail(Exception):
    """A failed check: the message becomes a diag line."""


class Skip(Exception):
    """The test does not apply: the message is the SKIP reason."""


def deps_required():
    """True where a program that make deps (tools/deps.sh) installs must
    be there: under make test (XTCP_REQUIRE_DEPS=1) and in CI (CI=true)."""
    return (os.environ.get("XTCP_REQUIRE_DEPS") == "1" or
            os.environ.get("CI") == "true")


def need(cmd):
    """The path of program CMD, which make deps installs.  Where it is
    missing the test skips, or fails where deps_required()."""
    import shutil		# pylint: disable=import-outside-toplevel
    path = shutil.which(cmd)
    if path:
        return path
    why = "%s not installed, and make deps installs it" % cmd
    if deps_required():
        raise Fail(why)
    raise Skip(why)


def diag(msg=""):
    for line in str(msg).splitlines() or [""]:
        print("# " + line if line else "#", flush=True)


def check(cond, msg, *args):
    """Fail the test with MSG % ARGS unless COND."""
    if not cond:
        raise Fail(msg % args if args else msg)


def check_eq(got, want, what):
    if got != want:
        raise Fail("%s: got %s, expected %s" % (what, got, want))


class Bg(threading.Thread):
    """FN(*ARGS) in a thread (SIGALRM blocked there, so the test watchdog
    interrupts the main thread); finish() returns its result or raises."""

    def __init__(self, fn, *args):
        super().__init__(daemon=True)
        self.fn, self.args = fn, args
        self.result = self.exc = None
        self.t_start = time.monotonic()
        self.t_end = None
        self.start()

    def run(self):
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        try:
            self.result = self.fn(*self.args)
        except BaseException as e:	# handed to finish()
            self.exc = e
        self.t_end = time.monotonic()

    @property
    def elapsed(self):
        return (self.t_end or time.monotonic()) - self.t_start

    def finish(self, timeout=None):
        self.join(T_EXPECT if timeout is None else timeout)
        if self.is_alive():
            raise Fail("%s still blocked after %.1fs" %
                       (getattr(self.fn, "__name__", "call"), self.elapsed))
        if self.exc is not None:
            raise self.exc
        return self.result


def test_registry(tests):
    """The @test(NAME) decorator of a script: registers the function in
    TESTS (the list its Tap runs) under NAME."""
    def test(name):
        def reg(fn):
            tests.append((name, fn))
            return fn
        return reg
    return test


def port_allocator(first):
    """port() for a script: FIRST + 1, FIRST + 2, ... (scripts use
    disjoint ranges, so their connections never meet)."""
    last = [first]

    def port():
        last[0] += 1
        return last[0]
    return port


class Tap:
    """Runs test functions as TAP 13 subtests.  A test passes if it
    returns, skips on Skip, fails on Fail or any other exception (with the
    traceback as diagnostics).  Callables registered with defer() run after
    the test whatever happened (cleanup).  Each test has a watchdog."""

    def __init__(self, tests, limit=60):
        self.tests = tests		# [(name, fn)]
        self.limit = limit
        self.npass = self.nfail = self.nskip = self.num = 0
        self._defer = []

    def defer(self, fn, *args):
        self._defer.append((fn, args))

    def _cleanup(self):
        while self._defer:
            fn, args = self._defer.pop()
            try:
                fn(*args)
            except Exception as e:
                diag("cleanup: %s" % e)

    @staticmethod
    def _alarm(_sig, _frm):
        raise Fail("watchdog: the test took too long")

    def plan(self, n=None):
        print("TAP version 13", flush=True)
        print("1..%d" % (len(self.tests) if n is None else n), flush=True)

    def result(self, ok, name, skip=None):
        self.num += 1
        if skip is not None:
            self.nskip += 1
            print("ok %d - %s # SKIP %s" % (self.num, name, skip), flush=True)
        elif ok:
            self.npass += 1
            print("ok %d - %s" % (self.num, name), flush=True)
        else:
            self.nfail += 1
            print("not ok %d - %s" % (self.num, name), flush=True)

    def run(self, only=None):
        signal.signal(signal.SIGALRM, self._alarm)
        for name, fn in self.tests:
            if only and not any(o in name for o in only):
                self.result(True, name, skip="not selected")
                continue
            t0 = time.monotonic()
            ok, skip = False, None
            signal.setitimer(signal.ITIMER_REAL, self.limit * _SCALE)
            try:
                try:
                    fn()
                    ok = True
                finally:
                    signal.setitimer(signal.ITIMER_REAL, 0)
                    self._cleanup()
            except Skip as e:
                skip = str(e)
            except Fail as e:
                diag("FAIL: %s" % e)
            except Exception:
                diag("ERROR: " + traceback.format_exc())
            if not ok and skip is None:
                diag("(%s: %.2fs)" % (name, time.monotonic() - t0))
            self.result(ok, name, skip)

    def bail(self, reason):
        """Every test fails (the environment is unusable)."""
        diag(reason)
        for name, _ in self.tests[self.num:]:
            self.result(False, "%s (not run: %s)" % (name, reason))

    def finish(self):
        diag("Totals: pass:%d fail:%d skip:%d" %
             (self.npass, self.nfail, self.nskip))
        if self.nfail:
            sys.exit(1)
        if self.npass == 0 and self.nskip:
            sys.exit(4)
        sys.exit(0)


def common_args(prog, doc):
    """--family and test-name filters, shared by the scripts."""
    import argparse
    ap = argparse.ArgumentParser(prog=prog, description=doc)
    ap.add_argument("--family", default=os.environ.get("XTCP_FAMILY", "xtcp"),
                    choices=["xtcp", "inet"],
                    help="family under test (inet: Linux TCP)")
    ap.add_argument("--list", action="store_true", help="list the tests")
    ap.add_argument("--init-ns", action="store_true",
                    help="allow running in the initial network namespace")
    ap.add_argument("only", nargs="*",
                    help="run only tests whose name contains one of these")
    return ap.parse_args()


def private_netns():
    """True if we are not in the network namespace of pid 1 (where pid 1's
    namespace cannot be seen: if lo is the only interface)."""
    try:
        return (os.stat("/proc/self/ns/net").st_ino !=
                os.stat("/proc/1/ns/net").st_ino)
    except OSError:
        pass
    with open("/proc/net/dev") as f:
        devs = [ln.split(":")[0].strip() for ln in f.readlines()[2:]]
    return devs == ["lo"]


def setup_env(tap, args):
    """Checks common to the scripts (root, a private netns, the family);
    prints the plan.  Exits (after bailing out) if the tests cannot run."""
    if args.list:
        for name, _ in tap.tests:
            print(name)
        sys.exit(0)
    if os.geteuid() != 0:
        print("TAP version 13\n1..0 # SKIP must be run as root", flush=True)
        sys.exit(4)
    tap.plan()
    if not args.init_ns and not private_netns():
        tap.bail("refusing to run in the initial network namespace "
                 "(use the .sh wrapper, or --init-ns)")
        tap.finish()
    why = family_available(args.family)
    if why:
        tap.bail("socket family %s not available (module not loaded?): %s"
                 % (args.family, why))
        tap.finish()
    return True
