#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Unmodified TCP programs over XTCP through tools/xtcp-run (LD_PRELOAD of
# xtcp-preload.so), on 127.0.0.1 in a private network namespace (unless
# XTCP_INIT_NS=1): iperf3 both ways and against Linux TCP, curl against
# python3's http.server, a socat echo, nginx (without and with sendfile,
# reuseport), and the preload's socket API mapping (python3).
#
# Each exchange also checks the Tcp: counters: ActiveOpens, PassiveOpens
# and InSegs of /proc/net/xtcp_snmp moved for the roles XTCP plays, and
# the Linux TCP ones (/proc/net/snmp) did not move for them, nor XTCP's
# for the roles Linux TCP plays.  With XTCP_FAMILY=inet, xtcp-run keeps
# Linux TCP, both "stacks" are one: the sums are checked on /proc/net/snmp.
#
# iperf3 is asked for a fixed number of bytes (-n) and must report them
# moved, byte for byte, from its --json output (end.sum_sent and
# end.sum_received): the sender's count always; the receiver's where the
# client receives (-R), since a receiving iperf3 server stops counting when
# the client ends the test, with the last bytes possibly still in flight
# (esnet/iperf issue 382).  Each direction between each pair of stacks has
# a -R case: xtcp -> xtcp, xtcp -> Linux, Linux -> xtcp.
#
# Needs iperf3, curl, socat, nginx, python3: a subtest whose program is
# missing is skipped, or fails under make test or in CI
# (XTCP_REQUIRE_DEPS=1 or CI=true), since make deps installs them.
#
# Environment: XTCP_XTCPRUN_SIZE (size of the files served and echoed,
# head -c syntax, default 2M), XTCP_XTCPRUN_IPERF_BYTES (iperf3 -n, a
# multiple of 128K, iperf3's block; default 16M); run.sh's
# XTCP_XTCPRUN_TIMEOUT is its limit (default the settings' one).

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

tap_plan 15
require_env
ns_setup || tap_bail "namespace setup failed"

export XTCP_FAMILY=$FAM
unset XTCP_RUN_INET6
XRUN=$REPO_DIR/tools/xtcp-run
PY=/usr/bin/python3
SRV_LIMIT=$((PROG_TIMEOUT * 4))	# servers used by several subtests
LSNMP=/proc/net/snmp
if [ "$FAM" = xtcp ]; then
	XSNMP=/proc/net/xtcp_snmp
	XPROC=/proc/net/xtcp
else
	XSNMP=$LSNMP
	XPROC=/proc/net/tcp
fi

diag "programs over $FAM via $XRUN, $LO${LNS:+ (netns $LNS)}"
[ -x "$XRUN" ] || tap_bail "$XRUN missing"
# build or find the preload once, so that a failure shows here
if ! "$XRUN" -v true >"$TMP_DIR/xrun.log" 2>&1; then
	diag_file "$TMP_DIR/xrun.log"
	tap_bail "xtcp-run does not work"
fi
diag_file "$TMP_DIR/xrun.log"

SIZE=${XTCP_XTCPRUN_SIZE:-2M}
IPERF_BYTES=$(numfmt --from=iec "${XTCP_XTCPRUN_IPERF_BYTES:-16M}") ||
	tap_bail "bad XTCP_XTCPRUN_IPERF_BYTES"
if [ $((IPERF_BYTES % 131072)) != 0 ] || [ "$IPERF_BYTES" -le 0 ]; then
	tap_bail "XTCP_XTCPRUN_IPERF_BYTES must be a multiple of 128K"
fi
# A data file of $SIZE bytes, served by http.server and nginx.
WWW=$TMP_DIR/www
if ! mkdir -p "$WWW" || ! head -c "$SIZE" /dev/urandom >"$WWW/file"; then
	tap_bail "cannot write $WWW/file"
fi
SUM=$(sha256sum <"$WWW/file" | cut -d' ' -f1)

# runner STACK: RUN=( the command prefix of STACK ): x is the family under
# test (through xtcp-run), l is Linux TCP.
runner()
{
	RUN=()
	[ "$1" = l ] || RUN=("$XRUN")
}

# start_srv LOG LIMIT CMD...: start CMD in LNS in the background under
# "timeout LIMIT"; BG_PID is timeout's own pid (ip netns exec and timeout
# exec, no shell in between), so that killing it (cleanup does) ends CMD
# and what CMD forked (timeout signals its process group).
start_srv()
{
	local log=$1 limit=$2 ns=()

	shift 2
	[ -z "$LNS" ] || ns=(ip netns exec "$LNS")
	"${ns[@]}" timeout -k 5 "$limit" "$@" >"$log" 2>&1 &
	BG_PID=$!
	BG_PIDS+=("$BG_PID")
}

# wfam STACK: the family wait_port should expect.
wfam()
{
	if [ "$1" = l ]; then echo inet; else echo "$FAM"; fi
}

# ------------------------------------------------------------- counters

# snmp_tcp FILE: "Name value" lines of FILE's Tcp: group, in LNS.
snmp_tcp()
{
	in_ns "$LNS" cat "$1" 2>/dev/null | awk '
		$1 == "Tcp:" && !n { for (i = 2; i <= NF; i++) name[i] = $i
				     n = NF; next }
		$1 == "Tcp:" { for (i = 2; i <= n; i++) print name[i], $i
			       exit }'
}

counters_start()
{
	snmp_tcp "$XSNMP" >"$TMP_DIR/x0"
	snmp_tcp "$LSNMP" >"$TMP_DIR/l0"
}

# delta SIDE NAME: how much counter NAME of SIDE (x or l) moved; empty if
# it cannot be read.
delta()
{
	local a b

	a=$(awk -v n="$2" '$1 == n { print $2 }' "$TMP_DIR/${1}0")
	b=$(awk -v n="$2" '$1 == n { print $2 }' "$TMP_DIR/${1}1")
	[ -n "$a" ] && [ -n "$b" ] && echo $((b - a))
}

# check_delta SIDE NAME MIN: MIN 0: NAME must not have moved, else by at
# least MIN.
check_delta()
{
	local side=$1 name=$2 min=$3 d file=$XSNMP

	[ "$side" = x ] || file=$LSNMP
	d=$(delta "$side" "$name")
	DELTAS+=" $name:${d:-?}"
	if [ -z "$d" ]; then
		diag "cannot read Tcp: $name of $file"
		return 1
	fi
	if [ "$min" = 0 ] && [ "$d" != 0 ]; then
		diag "$file: $name moved by $d, should not have"
		return 1
	fi
	if [ "$d" -lt "$min" ]; then
		diag "$file: $name moved by $d, expected at least $min"
		return 1
	fi
	return 0
}

# counters_check XA XP XI LA LP: since counters_start, the stack under
# test had at least XA ActiveOpens, XP PassiveOpens, XI InSegs, Linux TCP
# at least LA ActiveOpens and LP PassiveOpens; 0 means "did not move".
counters_check()
{
	local xa=$1 xp=$2 xi=$3 la=$4 lp=$5 rc=0

	DELTAS=
	if [ "$FAM" = inet ]; then
		# one stack: x0 and l0 are the same counters
		snmp_tcp "$LSNMP" >"$TMP_DIR/l1"
		check_delta l ActiveOpens $((xa + la)) || rc=1
		check_delta l PassiveOpens $((xp + lp)) || rc=1
		check_delta l InSegs "$xi" || rc=1
		diag "counters (inet: Linux TCP only, sums checked):$DELTAS"
		return $rc
	fi
	snmp_tcp "$XSNMP" >"$TMP_DIR/x1"
	snmp_tcp "$LSNMP" >"$TMP_DIR/l1"
	check_delta x ActiveOpens "$xa" || rc=1
	check_delta x PassiveOpens "$xp" || rc=1
	check_delta x InSegs "$xi" || rc=1
	local xd=$DELTAS

	DELTAS=
	check_delta l ActiveOpens "$la" || rc=1
	check_delta l PassiveOpens "$lp" || rc=1
	diag "counters: xtcp$xd; linux$DELTAS"
	return $rc
}

# listeners FILE PORT: how many sockets of FILE (/proc/net/tcp layout)
# listen on PORT, in LNS.
listeners()
{
	in_ns "$LNS" cat "$1" 2>/dev/null |
		awk -v p=":$(printf '%04X' "$2")" \
		'toupper($2) ~ p "$" && $4 == "0A" { n++ } END { print n + 0 }'
}

# --------------------------------------------------------------- iperf3

IPERF_CHECK=$TMP_DIR/iperf_check.py
cat >"$IPERF_CHECK" <<'EOF'
# iperf_check.py CLIENT_LOG SERVER_LOG BYTES REVERSE: the bytes iperf3
# reports moved (--json, end.sum_sent and end.sum_received) against the
# BYTES it was asked for (-n); REVERSE 1: -R, the server sends.
import json
import sys

want, reverse = int(sys.argv[3]), sys.argv[4] == '1'
rc = 0
out = {}
for role, path in (('client', sys.argv[1]), ('server', sys.argv[2])):
    try:
        text = open(path).read()
        j = json.JSONDecoder().raw_decode(text[text.index('{'):])[0]
    except (OSError, ValueError) as e:
        print(f'{role}: no JSON output ({e})')
        rc = 1
        continue
    if 'error' in j:
        print(f'{role}: iperf3 reports an error: {j["error"]}')
        rc = 1
    end = j.get('end', {})
    out[role] = [end.get(k, {}).get('bytes') for k in ('sum_sent',
                                                        'sum_received')]
    bps = end.get('sum_received', {}).get('bits_per_second', 0)
    print(f'{role}: sum_sent {out[role][0]} bytes, sum_received '
          f'{out[role][1]} bytes, {bps / 1e6:.0f} Mbit/s')
if len(out) < 2:
    sys.exit(1)
(csent, crcvd), (ssent, srcvd) = out['client'], out['server']


def exact(got, what):
    global rc
    if got != want:
        print(f'FAILED: {what}: {got} bytes, asked for {want}')
        rc = 1


if reverse:
    exact(ssent, 'the server sent (its end.sum_sent)')
    exact(csent, 'the server sent, as the client has it (end.sum_sent)')
    exact(crcvd, 'the client received (its end.sum_received)')
else:
    exact(csent, 'the client sent (its end.sum_sent)')
    # the receiving server stops counting at the client's TEST_END, which
    # may overtake the last data: its count is at most what was sent, and
    # the client must have the same figure
    if srcvd is None or not 0 < srcvd <= want or crcvd != srcvd:
        print(f'FAILED: the server received {srcvd} bytes (the client '
              f'has {crcvd}), expected the same figure, 1 to {want}')
        rc = 1
    else:
        print(f'the server counted {srcvd} of the {want} bytes before the '
              f'client ended the test ({want - srcvd} were still in flight)')
way = 'server -> client (-R)' if reverse else 'client -> server'
print(f'asked for {want} bytes, {way}: {"ok" if rc == 0 else "FAILED"}')
sys.exit(rc)
EOF

# iperf_case NAME SERVER CLIENT XA XP LA LP [CLIENT_OPTS...]: iperf3 -n
# $IPERF_BYTES between SERVER and CLIENT (x or l), the bytes it reports
# checked by iperf_check.py, the counters as counters_check.
iperf_case()
{
	local name=$1 srv=$2 cli=$3 xa=$4 xp=$5 la=$6 lp=$7
	local slog clog spid rc=0 rev=0

	shift 7
	[[ " $* " != *" -R "* ]] || rev=1
	need_cmd iperf3 "$PY" || { tap_need $? "$name"; return; }
	next_port
	slog=$TMP_DIR/iperf-server.$PORT
	clog=$TMP_DIR/iperf-client.$PORT
	counters_start
	runner "$srv"
	start_srv "$slog" "$PROG_TIMEOUT" "${RUN[@]}" \
		iperf3 -s -1 -B $LO -p "$PORT" --json
	spid=$BG_PID
	if wait_port "$LNS" "$PORT" "$spid" "$(wfam "$srv")"; then
		runner "$cli"
		in_ns "$LNS" timeout -k 5 "$PROG_TIMEOUT" "${RUN[@]}" \
			iperf3 -c $LO -p "$PORT" -n "$IPERF_BYTES" -l 128K \
			--json "$@" >"$clog" 2>&1 ||
			{ diag "iperf3 client failed"; rc=1; }
	else
		rc=1
	fi
	if [ $rc = 0 ]; then
		wait_bg "$spid" || { diag "iperf3 server failed"; rc=1; }
	else
		wait_bg "$spid" 2
	fi
	"$PY" "$IPERF_CHECK" "$clog" "$slog" "$IPERF_BYTES" $rev \
		>"$TMP_DIR/iperf.out" 2>&1 || rc=1
	diag_file "$TMP_DIR/iperf.out"
	# XTCP's segments in: at least 100 per 16 MiB moved (an ACK of large
	# GSO segments, or the data itself), so that the transfer cannot
	# have gone through Linux TCP; the debug stage moves 2 MiB
	counters_check "$xa" "$xp" $((100 * IPERF_BYTES / (16 << 20))) \
		"$la" "$lp" || rc=1
	if [ $rc != 0 ]; then
		diag "--- server (end of output):"
		tail -n 30 "$slog" | sed 's/^/# /'
		diag "--- client (end of output):"
		tail -n 30 "$clog" | sed 's/^/# /'
	fi
	tap_result $rc "$name"
}

# Two connections each: iperf3's control connection and one stream.  The
# -R cases check the received bytes too: xtcp -> xtcp, Linux -> xtcp and
# xtcp -> Linux.
N=$(numfmt --to=iec "$IPERF_BYTES")
iperf_case "iperf3 -n $N: xtcp client -> xtcp server" x x 2 2 0 0
iperf_case "iperf3 -n $N -R: xtcp client <- xtcp server" x x 2 2 0 0 -R
iperf_case "iperf3 -n $N: xtcp client -> Linux server" l x 2 0 0 2
iperf_case "iperf3 -n $N -R: xtcp client <- Linux server" l x 2 0 0 2 -R
iperf_case "iperf3 -n $N: Linux client -> xtcp server" x l 0 2 2 0
iperf_case "iperf3 -n $N -R: Linux client <- xtcp server" x l 0 2 2 0 -R

# ------------------------------------------------- curl and http.server

# fetch STACK PORT XA XP LA LP: curl /file from PORT with curl over STACK,
# compare with the file, check the counters.
fetch()
{
	local stack=$1 port=$2 xa=$3 xp=$4 la=$5 lp=$6
	local out=$TMP_DIR/fetched rc=0 sum

	rm -f "$out"
	counters_start
	runner "$stack"
	in_ns "$LNS" timeout -k 5 "$PROG_TIMEOUT" "${RUN[@]}" \
		curl -sS --noproxy '*' --max-time "$PROG_TIMEOUT" -o "$out" \
		"http://$LO:$port/file" >"$TMP_DIR/curl.log" 2>&1 ||
		{ diag "curl failed"; diag_file "$TMP_DIR/curl.log"; rc=1; }
	sum=$(sha256sum <"$out" 2>/dev/null | cut -d' ' -f1)
	if [ "$sum" = "$SUM" ]; then
		diag "fetched $(stat -c %s "$out") bytes, sha256 ok"
	else
		diag "sha256 of the fetched file ${sum:-(none)}, expected $SUM"
		rc=1
	fi
	counters_check "$xa" "$xp" 5 "$la" "$lp" || rc=1
	return $rc
}

HTTP_PID=
need_cmd curl "$PY"
rc=$?
if [ $rc != 0 ]; then
	tap_need $rc "curl over xtcp <- http.server over xtcp"
	tap_need $rc "Linux curl <- http.server over xtcp"
else
	next_port
	HTTP_PORT=$PORT
	HTTP_LOG=$TMP_DIR/http.server.log
	start_srv "$HTTP_LOG" "$SRV_LIMIT" "$XRUN" \
		"$PY" -m http.server --bind $LO "$HTTP_PORT" --directory "$WWW"
	HTTP_PID=$BG_PID
	if wait_port "$LNS" "$HTTP_PORT" "$HTTP_PID" "$FAM"; then
		fetch x "$HTTP_PORT" 1 1 0 0
		rc=$?
		[ $rc = 0 ] || diag_file "$HTTP_LOG"
		tap_result $rc "curl over xtcp <- http.server over xtcp"
		fetch l "$HTTP_PORT" 0 1 1 0
		rc=$?
		[ $rc = 0 ] || diag_file "$HTTP_LOG"
		tap_result $rc "Linux curl <- http.server over xtcp"
	else
		diag_file "$HTTP_LOG"
		tap_not_ok "curl over xtcp <- http.server over xtcp"
		tap_not_ok "Linux curl <- http.server over xtcp"
	fi
	kill "$HTTP_PID" 2>/dev/null
	wait_bg "$HTTP_PID" 5
fi

# ---------------------------------------------------------------- socat

socat_echo()
{
	local in=$TMP_DIR/socat.in out=$TMP_DIR/socat.out
	local slog=$TMP_DIR/socat-server.log clog=$TMP_DIR/socat-client.log
	local spid rc=0

	next_port
	head -c "$SIZE" /dev/urandom >"$in"
	counters_start
	start_srv "$slog" "$PROG_TIMEOUT" "$XRUN" \
		socat -t 10 "TCP4-LISTEN:$PORT,bind=$LO,reuseaddr,fork" EXEC:cat
	spid=$BG_PID
	if wait_port "$LNS" "$PORT" "$spid" "$FAM"; then
		in_ns "$LNS" timeout -k 5 "$PROG_TIMEOUT" "$XRUN" \
			socat -t 30 - "TCP4:$LO:$PORT" <"$in" >"$out" \
			2>"$clog" || { diag "socat client failed"; rc=1; }
	else
		rc=1
	fi
	if cmp -s "$in" "$out"; then
		diag "echoed $(stat -c %s "$out") bytes ok"
	else
		diag "echo differs: sent $(stat -c %s "$in") bytes," \
		     "got $(stat -c %s "$out" 2>/dev/null || echo 0)"
		rc=1
	fi
	counters_check 1 1 10 0 0 || rc=1
	kill "$spid" 2>/dev/null
	wait_bg "$spid" 5
	if [ $rc != 0 ]; then
		diag "--- server:"
		diag_file "$slog"
		diag "--- client:"
		diag_file "$clog"
	fi
	return $rc
}

need_cmd socat
rc=$?
if [ $rc != 0 ]; then
	tap_need $rc "socat echo $SIZE, xtcp both ends"
else
	socat_echo
	tap_result $? "socat echo $SIZE, xtcp both ends"
fi

# ---------------------------------------------------------------- nginx

NGINX=$(command -v nginx || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; })
N0="nginx: curl over xtcp <- nginx over xtcp (sendfile off)"
N1="nginx: curl over xtcp <- nginx over xtcp (sendfile on)"
N2="nginx: Linux curl <- nginx over xtcp"
N3="nginx: listen reuseport, 2 workers share the port"
need_cmd "${NGINX:-nginx}" curl
rc=$?
if [ $rc != 0 ]; then
	for t in "$N0" "$N1" "$N2" "$N3"; do
		tap_need $rc "$t"
	done
else
	ND=$TMP_DIR/nginx
	mkdir -p "$ND/tmp"
	next_port
	NPORT=$PORT
	next_port
	RPORT=$PORT
	next_port
	SPORT=$PORT
	# all paths in $ND: the rest of the tree may be read-only
	cat >"$ND/nginx.conf" <<EOF
user root;
worker_processes 2;
error_log $ND/error.log;
events {
	worker_connections 64;
}
http {
	access_log $ND/access.log;
	client_body_temp_path $ND/tmp/body;
	proxy_temp_path $ND/tmp/proxy;
	fastcgi_temp_path $ND/tmp/fastcgi;
	uwsgi_temp_path $ND/tmp/uwsgi;
	scgi_temp_path $ND/tmp/scgi;
	default_type application/octet-stream;
	sendfile on;
	server {
		listen $LO:$NPORT;
		root $WWW;
	}
	server {
		listen $LO:$RPORT reuseport;
		root $WWW;
	}
	server {
		listen $LO:$SPORT;
		root $WWW;
		sendfile off;
	}
}
EOF
	start_srv "$ND/stderr.log" "$SRV_LIMIT" "$XRUN" \
		"$NGINX" -p "$ND" -e "$ND/error.log" -c "$ND/nginx.conf" \
		-g "daemon off; pid $ND/nginx.pid;"
	NGINX_PID=$BG_PID
	nrc=0
	if wait_port "$LNS" "$NPORT" "$NGINX_PID" "$FAM" &&
	   wait_port "$LNS" "$RPORT" "$NGINX_PID" "$FAM" &&
	   wait_port "$LNS" "$SPORT" "$NGINX_PID" "$FAM"; then
		fetch x "$SPORT" 1 1 0 0
		rc=$?
		tap_result $rc "$N0"
		[ $rc = 0 ] || nrc=1
		fetch x "$NPORT" 1 1 0 0
		rc=$?
		tap_result $rc "$N1"
		[ $rc = 0 ] || nrc=1
		fetch l "$NPORT" 0 1 1 0
		rc=$?
		tap_result $rc "$N2"
		[ $rc = 0 ] || nrc=1

		rc=0
		n=$(listeners "$XPROC" "$RPORT")
		diag "$n sockets of $XPROC listen on port $RPORT"
		[ "$n" = 2 ] || rc=1
		if [ "$FAM" = xtcp ]; then
			n=$(listeners /proc/net/tcp "$RPORT")
			[ "$n" = 0 ] ||
				{ diag "$n Linux TCP listeners on $RPORT"; rc=1; }
		fi
		# the events of XTCP (tracefs), to tell what a failure was
		TI=/sys/kernel/tracing/instances/xtcprun-$$
		[ "$FAM" = xtcp ] && mkdir "$TI" 2>/dev/null &&
			echo 1 >"$TI/events/xtcp/enable"
		for i in 1 2 3 4; do
			fetch x "$RPORT" 1 1 0 0 || rc=1
		done
		if [ -d "$TI" ]; then
			[ $rc = 0 ] || grep -v '^#' "$TI/trace" | sed 's/^/# /'
			echo 0 >"$TI/events/xtcp/enable"
			rmdir "$TI"
		fi
		tap_result $rc "$N3"
		[ $rc = 0 ] || nrc=1
	else
		for t in "$N0" "$N1" "$N2" "$N3"; do
			tap_not_ok "$t"
		done
		nrc=1
	fi
	kill "$NGINX_PID" 2>/dev/null
	wait_bg "$NGINX_PID" 10
	if [ $nrc != 0 ] || grep -q -E '\[(emerg|alert|crit)\]' \
	   "$ND/error.log" 2>/dev/null; then
		diag "--- nginx:"
		diag_file "$ND/stderr.log"
		diag_file "$ND/error.log"
	fi
fi

# ------------------------------------------------- the preload's own API

API_PY=$TMP_DIR/api.py
cat >"$API_PY" <<'EOF'
# api.py PROCFILE LINUX_PROCFILE PORT: the socket API as seen through
# xtcp-preload.so.  PROCFILE (/proc/net/xtcp, or /proc/net/tcp for
# XTCP_FAMILY=inet) must list the IPv4 TCP sockets made here;
# LINUX_PROCFILE ("" for none) must not.
import ctypes
import errno
import fcntl
import os
import select
import socket
import sys

procfile, linux_procfile, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
LO = '127.0.0.1'
S = socket.SOL_SOCKET
fails = 0


def check(cond, what):
    global fails
    print(('ok: ' if cond else 'FAILED: ') + what)
    if not cond:
        fails += 1


def proc_inodes(path, listen_port=None):
    """Inodes of PATH's sockets (of the listeners on listen_port)."""
    found = []
    with open(path) as f:
        next(f)
        for line in f:
            fl = line.split()
            if listen_port is not None and (
                    fl[3] != '0A' or
                    not fl[1].upper().endswith(':%04X' % listen_port)):
                continue
            found.append(int(fl[9]))
    return found


def is_ours(s, what):
    ino = os.fstat(s.fileno()).st_ino
    check(ino in proc_inodes(procfile), f'{what} is in {procfile}')
    if linux_procfile:
        check(ino not in proc_inodes(linux_procfile),
              f'{what} is not in {linux_procfile}')


def domain_ok(s, what):
    check(s.getsockopt(S, socket.SO_DOMAIN) == socket.AF_INET,
          f'{what}: SO_DOMAIN is AF_INET')
    check(s.getsockopt(S, socket.SO_PROTOCOL) == socket.IPPROTO_TCP,
          f'{what}: SO_PROTOCOL is IPPROTO_TCP')
    check(s.getsockopt(S, socket.SO_TYPE) == socket.SOCK_STREAM,
          f'{what}: SO_TYPE is SOCK_STREAM')


a = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
b = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
domain_ok(a, 'socket(AF_INET, SOCK_STREAM, 0)')
for s in (a, b):
    s.setsockopt(S, socket.SO_REUSEPORT, 1)     # raises if refused
check(a.getsockopt(S, socket.SO_REUSEPORT) == 1, 'SO_REUSEPORT reads 1')
a.bind((LO, port))
b.bind((LO, port))
print('ok: two SO_REUSEPORT sockets bound to the same port')
a.listen(8)
b.listen(8)
n = len(proc_inodes(procfile, port))
check(n == 2, f'{n} listeners on port {port} in {procfile}, expected 2')
is_ours(a, 'listener 1')
is_ours(b, 'listener 2 (IPPROTO_TCP)')

c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
try:
    c.bind((LO, port))
    check(False, 'bind without SO_REUSEPORT to the shared port refused')
except OSError as e:
    check(e.errno == errno.EADDRINUSE,
          f'bind without SO_REUSEPORT to the shared port: {e.strerror}')
c.settimeout(10)
c.connect((LO, port))
ready = select.select([a, b], [], [], 10)[0]
check(bool(ready), 'a listener of the group accepts the connection')
if ready:
    conn, peer = ready[0].accept()
    domain_ok(conn, 'accepted socket')
    check(conn.getsockname() == (LO, port) and peer == c.getsockname(),
          f'addresses {conn.getsockname()} <- {peer}')
    is_ours(conn, 'accepted socket')
    is_ours(c, 'connected socket')
    c.sendall(b'ping')
    conn.settimeout(10)
    check(conn.recv(4) == b'ping', 'data flows')
    conn.close()
c.close()

# SOCK_NONBLOCK and SOCK_CLOEXEC are kept.  Through libc's socket()
# directly: Python's socket.socket() would set both flags itself.
libc = ctypes.CDLL(None, use_errno=True)
for flags in (0, socket.SOCK_NONBLOCK | socket.SOCK_CLOEXEC):
    fd = libc.socket(socket.AF_INET, socket.SOCK_STREAM | flags, 0)
    if fd < 0:
        check(False, f'libc socket(): {os.strerror(ctypes.get_errno())}')
        continue
    nonblock = bool(fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_NONBLOCK)
    cloexec = bool(fcntl.fcntl(fd, fcntl.F_GETFD) & fcntl.FD_CLOEXEC)
    check(nonblock == bool(flags) and cloexec == bool(flags),
          f'type flags {flags:#x}: O_NONBLOCK {nonblock}, '
          f'FD_CLOEXEC {cloexec}')
    s = socket.socket(fileno=fd)
    check(s.family == socket.AF_INET, 'socket(fileno=) sees AF_INET')
    s.bind((LO, 0))
    s.listen(1)
    is_ours(s, f'listener made with type flags {flags:#x}')
    s.close()

# IPv6 TCP is refused, UDP is left alone
try:
    socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    check(False, 'socket(AF_INET6, SOCK_STREAM) fails')
except OSError as e:
    check(e.errno == errno.EAFNOSUPPORT,
          f'socket(AF_INET6, SOCK_STREAM): {e.strerror}')
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind((LO, 0))
check(u.getsockopt(S, socket.SO_DOMAIN) == socket.AF_INET and
      u.getsockopt(S, socket.SO_PROTOCOL) == socket.IPPROTO_UDP,
      'UDP socket left alone')
sys.exit(1 if fails else 0)
EOF

INET6_PY=$TMP_DIR/inet6.py
cat >"$INET6_PY" <<'EOF'
# inet6.py PROCFILE: with XTCP_RUN_INET6=linux, IPv6 TCP is Linux TCP and
# IPv4 TCP still the family under test.
import os
import socket
import sys

s6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
d = s6.getsockopt(socket.SOL_SOCKET, socket.SO_DOMAIN)
print(f'socket(AF_INET6, SOCK_STREAM) made, SO_DOMAIN {d}')
s4 = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s4.bind(('127.0.0.1', 0))
s4.listen(1)
ino = os.fstat(s4.fileno()).st_ino
with open(sys.argv[1]) as f:
    listed = any(line.split()[9] == str(ino) for line in list(f)[1:])
print(f'IPv4 listener in {sys.argv[1]}: {listed}')
sys.exit(0 if d == socket.AF_INET6 and listed else 1)
EOF

need_cmd "$PY"
rc=$?
if [ $rc != 0 ]; then
	tap_need $rc "preload socket API (python3)"
	tap_need $rc "XTCP_RUN_INET6=linux leaves IPv6 to Linux TCP"
else
	next_port
	lproc=
	[ "$FAM" = inet ] || lproc=/proc/net/tcp
	in_ns "$LNS" timeout -k 5 "$PROG_TIMEOUT" "$XRUN" "$PY" "$API_PY" \
		"$XPROC" "$lproc" "$PORT" >"$TMP_DIR/api.log" 2>&1
	rc=$?
	diag_file "$TMP_DIR/api.log"
	tap_result $rc "preload socket API (python3)"

	if in_ns "$LNS" test -e /proc/net/if_inet6; then
		XTCP_RUN_INET6=linux in_ns "$LNS" timeout -k 5 \
			"$PROG_TIMEOUT" "$XRUN" "$PY" "$INET6_PY" "$XPROC" \
			>"$TMP_DIR/inet6.log" 2>&1
		rc=$?
		diag_file "$TMP_DIR/inet6.log"
		tap_result $rc "XTCP_RUN_INET6=linux leaves IPv6 to Linux TCP"
	else
		tap_skip "XTCP_RUN_INET6=linux leaves IPv6 to Linux TCP" \
			"no IPv6 in this kernel"
	fi
fi

tap_finish
