#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The family under test on a routed path, as users meet it (issue 16):
#
#   client C --1500-- R1 --1280, 2 ms each way-- R2 --1500-- server S
#
# four namespaces, two forwarding routers and a narrow link in the middle.
# Each case runs for the combinations with the family under test at the
# end the case concerns (both ends; Linux client -> it as server; it as
# client -> Linux server), and with Linux TCP at both ends as the reference
# (a "# reference:" line, not a subtest):
#
#  1. PMTU: a 4 MiB echo needs path MTU discovery (DF segments of 1500
#     bytes meet the 1280-byte link: R1 or R2 answers "fragmentation
#     needed"); afterwards both ends' route caches hold mtu 1280.
#  2. connect() errors: R2 answers the SYN with an ICMP error (iptables
#     REJECT with each --reject-with users meet, "ip route add
#     unreachable/prohibit"); connect() must fail at once with the errno
#     Linux TCP gets in the same run.  (The client's case only.)
#  3. Spoofed ICMP (RFC 5927): R2 sends errors about an idle connection to
#     its end under test; quoting a sequence number far outside
#     SND.UNA..SND.NXT they change nothing and count in OutOfWindowIcmps;
#     at SND.UNA a "fragmentation needed" lowers the PMTU and the MSS, and
#     a "host unreachable" is the soft error a timeout then reports.
#  4. NAT and stateful firewalls in the namespace of the end under test,
#     with iptables (nft backend) and with nft rules: REDIRECT, DNAT (the
#     server's namespace), SNAT, MASQUERADE (the client's), INPUT policy
#     drop with "ct state established,related accept" (either), 20
#     connections each; conntrack -L lists an open connection ESTABLISHED.
#     NAT rule sets of one backend (for distinct ports) and their
#     combinations run at once, each on its own ports.
#  5. Path MTU black hole (RFC 4821): the routers drop their "fragmentation
#     needed", mtu_probing is 1 at both ends (net.xtcp's and net.ipv4's
#     tcp_mtu_probing); the 4 MiB echo gets through by probing alone (no
#     route learns the MTU); TCPMTUPFail/TCPMTUPSuccess of each end's stack
#     are shown.  Runs right after case 1.
#
# Cases 2 to 4 run with mtu 1280 on C's and S's default routes: they are
# about ICMP errors and conntrack, and should not all fail for want of
# PMTU discovery, which case 1 tests.
#
# The 2 ms delay each way between the routers is a real path's: without
# it R2's ICMP answer to a SYN reaches C while connect() still holds the
# socket (veth delivers in the sender's context), and Linux TCP then keeps
# it as a soft error and fails only on the SYN's retransmission, 1 s later.
#
# realnet.py does what needs sockets in several namespaces at once.
#
# Environment: as lib.sh, and
#   XTCP_REALNET_PMTU_TIMEOUT  limit of each 4 MiB echo, seconds (20)
#   XTCP_REALNET_BLACKHOLE_TIMEOUT  the same through the black hole (40;
#                 7 to 15 s under TCG)
#   XTCP_REALNET_CONN_TIMEOUT  limit of each NAT or firewall echo run,
#                 seconds (20; on the stock kernel under TCG they take
#                 1 to 3 s)
#   XTCP_REALNET_FW_CONNS  connections through each stateful firewall (20)
#   XTCP_REALNET_CASES  e.g. "1 3": run only those cases, skip the others

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

# /usr/bin/python3, not a pyenv shim on PATH (seconds per call); -S: no
# site-packages to scan (half its start time under TCG)
PY=/usr/bin/python3
export PYTHONDONTWRITEBYTECODE=1
HELPER=$SELFTEST_DIR/realnet.py
T_PMTU=${XTCP_REALNET_PMTU_TIMEOUT:-20}
# a black hole costs some 3 s of timeouts per direction, then probing
T_BLACKHOLE=${XTCP_REALNET_BLACKHOLE_TIMEOUT:-40}
T_CONN=${XTCP_REALNET_CONN_TIMEOUT:-20}
ECHO_SIZE=4M
FW_CONNS=${XTCP_REALNET_FW_CONNS:-20}

# TEST-NET-1 on the client's side, TEST-NET-2 between the routers,
# TEST-NET-3 on the server's side.
C_ADDR=192.0.2.2
C_ADDR2=192.0.2.3	# C's second address: SNAT's target
C_LOADDR=10.255.0.2	# on C's lo, routed nowhere: MASQUERADE's source
R1_C=192.0.2.1
R1_M=198.51.100.1
R2_M=198.51.100.2
R2_S=203.0.113.1
S_ADDR=203.0.113.2
S_LOADDR=10.255.1.2	# on S's lo, reachable only through DNAT
DEAD=203.0.113.10	# DEAD + 1..7: behind R2, no host: only R2's ICMP
			# answers (one address per ICMP variant)
NARROW=1280

X=$FAM
L=$OTHER
NSC='' NSR1='' NSR2='' NSS=''

# 3 PMTU + 3 black hole + 7 connect + 3 x 2 spoof + 2 backends x 6 rule sets x 2
# combinations + 2 x 2 conntrack
tap_plan 47
require_env
need_or_bail iptables nft conntrack tc nsenter $PY

# ----------------------------------------------------------------- setup

# shellcheck disable=SC2317 # (called by the EXIT trap)
realnet_cleanup()
{
	local ns

	for ns in "$NSR1" "$NSR2"; do
		[ -n "$ns" ] && ip netns del "$ns" 2>/dev/null
	done
	NSR1='' NSR2=''
	cleanup
}
trap realnet_cleanup EXIT

# dead N: the Nth address behind R2 without a host.
dead()
{
	echo "${DEAD%.*}.$((${DEAD##*.} + $1))"
}

# link NS_A IF_A NS_B IF_B MTU: a veth pair, both ends up.
link()
{
	ip -n "$1" link add "$2" mtu "$5" type veth \
		peer name "$4" mtu "$5" netns "$3" &&
		ip -n "$1" link set "$2" up &&
		ip -n "$3" link set "$4" up
}

topo_setup()
{
	local prefix=${XTCP_NS_PREFIX:-xtcp-st} ns dev i

	NSC=$prefix-$$-c NSR1=$prefix-$$-r1 NSR2=$prefix-$$-r2 NSS=$prefix-$$-s
	# lib.sh's cleanup deletes NS1 and NS2, realnet_cleanup the routers
	NS1=$NSC NS2=$NSS
	for ns in "$NSC" "$NSR1" "$NSR2" "$NSS"; do
		ip netns add "$ns" && ip -n "$ns" link set lo up || return 1
		# a short TIME_WAIT, as ns_setup does (the module's unload)
		# shellcheck disable=SC2016 # (expanded by sh -c)
		ip netns exec "$ns" sh -c \
			'f=/proc/sys/net/xtcp/msl; [ ! -w $f ] || echo 1 >$f'
	done
	link "$NSC" c0 "$NSR1" r1c 1500 || return 1
	link "$NSR1" r1m "$NSR2" r2m $NARROW || return 1
	link "$NSR2" r2s "$NSS" s0 1500 || return 1
	ip -n "$NSC" addr add $C_ADDR/24 dev c0 &&
		ip -n "$NSC" addr add $C_ADDR2/24 dev c0 &&
		ip -n "$NSC" addr add $C_LOADDR/32 dev lo &&
		ip -n "$NSC" route add default via $R1_C &&
		ip -n "$NSR1" addr add $R1_C/24 dev r1c &&
		ip -n "$NSR1" addr add $R1_M/24 dev r1m &&
		ip -n "$NSR1" route add default via $R2_M &&
		ip -n "$NSR2" addr add $R2_M/24 dev r2m &&
		ip -n "$NSR2" addr add $R2_S/24 dev r2s &&
		ip -n "$NSR2" route add default via $R1_M &&
		ip -n "$NSS" addr add $S_ADDR/24 dev s0 &&
		ip -n "$NSS" addr add $S_LOADDR/32 dev lo &&
		ip -n "$NSS" route add default via $R2_S || return 1
	tc -n "$NSR1" qdisc add dev r1m root netem delay 2ms &&
		tc -n "$NSR2" qdisc add dev r2m root netem delay 2ms ||
		return 1
	# the DEAD addresses' frames go nowhere (no host has this MAC):
	# without an ICMP from R2 a SYN to them goes unanswered
	for i in $(seq 7); do
		ip -n "$NSR2" neigh add "$(dead "$i")" \
			lladdr 02:00:00:00:00:99 dev r2s nud permanent ||
			return 1
	done
	for ns in "$NSR1" "$NSR2"; do
		# no ICMP rate limit: the cases below make R1 and R2 send
		# a host more errors than the default 1/s
		ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1 \
			net.ipv4.icmp_ratelimit=0 >/dev/null || return 1
	done
	for i in $(seq 50); do
		for dev in "$NSC c0" "$NSR1 r1c" "$NSR1 r1m" "$NSR2 r2m" \
			   "$NSR2 r2s" "$NSS s0"; do
			ip -n "${dev% *}" link show "${dev#* }" |
				grep -q LOWER_UP || continue 2
		done
		return 0
	done
	diag "links not up after 5 s"
	return 1
}

topo_setup || tap_bail "namespace setup failed"
diag "$NSC ($C_ADDR) -1500- $NSR1 -$NARROW- $NSR2 -1500- $NSS ($S_ADDR)"

# flush_pmtu NS...: forget the path MTUs the namespaces learned.
flush_pmtu()
{
	local ns

	for ns in "$@"; do
		ip -n "$ns" route flush cache
	done
}

# route_mtu NS DST: the mtu of NS's route to DST, empty if none.
route_mtu()
{
	ip -n "$1" route get "$2" |
		awk '{ for (i = 1; i < NF; i++) if ($i == "mtu") print $(i + 1) }'
}

# The combinations, "CLIENT SERVER": both ends the family under test,
# Linux client -> it as server, it as client -> Linux server.  With
# XTCP_FAMILY=inet they are all Linux TCP already: no reference runs then.
COMBOS=("$X $X" "$L $X" "$X $L")
REF="$L $L"
REFS=("$REF")
[ "$FAM" != "$L" ] || REFS=()

# nap SECS: sleep without a process (read's timeout on a FIFO that nobody
# writes: each process costs 20 ms under TCG, 150 ms on the debug kernel).
if ! mkfifo "$TMP_DIR/nap" || ! exec {NAP_FD}<>"$TMP_DIR/nap"; then
	tap_bail "cannot make a FIFO in $TMP_DIR"
fi
nap()
{
	read -r -t "$1" -u "$NAP_FD" _ || true
}

# netns NS CMD...: CMD in namespace NS, by nsenter: cheaper than "ip
# netns exec", which remounts /sys (no use to the test programs).
netns()
{
	local ns=$1

	shift
	nsenter --net="/run/netns/$ns" "$@"
}

# listening PID FAM PORT: true if a socket of family FAM listens on PORT
# in PID's namespace (/proc/PID/net/tcp or xtcp, state 0A).  Polled: bash
# builtins only, no process (each costs some 20 ms under TCG).
listening()
{
	local file=/proc/$1/net/tcp want laddr st

	[ "$2" = xtcp ] && file=/proc/$1/net/xtcp
	printf -v want ':%04X' "$3"
	{
		while read -r _ laddr _ st _; do
			[ "$st" = 0A ] && [ "${laddr: -5}" = "$want" ] &&
				return 0
		done <"$file"
	} 2>/dev/null
	return 1
}

# xecho TAG SNS SFAM SADDR SPORT CNS CFAM DADDR DPORT CONNS TIMEOUT [OPTS...]
# A server on SADDR:SPORT accepting CONNS connections and, once it
# listens, CONNS clients at once to DADDR:DPORT, each limited to TIMEOUT
# seconds; 0 if all went well.  Logs in $TMP_DIR/TAG.server and .client;
# $TMP_DIR/TAG.time gets the seconds taken and the clients that passed.
# Runs in the background too (several at once): lean on processes.
xecho()
{
	local tag=$1 sns=$2 sfam=$3 saddr=$4 sport=$5 cns=$6 cfam=$7 dst=$8
	local dport=$9 conns=${10} t=${11} slog clog spid rc=1 i t0 ok=0 d

	shift 11
	slog=$TMP_DIR/$tag.server
	clog=$TMP_DIR/$tag.client
	: >"$clog"
	t0=${EPOCHREALTIME/./}
	# (a simple command: $! is nsenter's pid, then the server's, whose
	# /proc/PID/net is the namespace's)
	nsenter --net="/run/netns/$sns" "$BIN/xtcp_echo" server -f "$sfam" \
		-a "$saddr" -p "$sport" -n "$conns" -t "$t" >"$slog" 2>&1 &
	spid=$!
	BG_PIDS+=("$spid")
	for ((i = 0; i < 200; i++)); do
		listening "$spid" "$sfam" "$sport" && break
		kill -0 "$spid" 2>/dev/null || break
		nap 0.05
	done
	if listening "$spid" "$sfam" "$sport"; then
		# the clients from one shell in the namespace: one nsenter for
		# all; it counts those that passed
		# shellcheck disable=SC2016 # (expanded by bash -c)
		netns "$cns" bash -c '
			log=$1 n=$2 ok=0
			shift 2
			for ((i = 0; i < n; i++)); do
				{ "$@" -S $((i * 1000)) >"$log.$i" 2>&1
				  echo $? >"$log.rc.$i"; } &
			done
			wait
			for ((i = 0; i < n; i++)); do
				read -r r <"$log.rc.$i"
				[ "$r" != 0 ] || ok=$((ok + 1))
			done
			cat "$log".[0-9]* >>"$log"
			echo $ok >"$log.ok"' - "$clog" "$conns" \
			"$BIN/xtcp_echo" client -f "$cfam" -a "$dst" \
			-p "$dport" -t "$t" "$@"
		read -r ok <"$clog.ok"
		[ "$ok" != "$conns" ] || rc=0
	else
		echo "the server did not listen on port $sport" >>"$clog"
	fi
	if [ $rc = 0 ]; then
		# (bounded: the server has its own alarm, TIMEOUT)
		wait "$spid" || rc=1
	else
		# a failed client may leave the server waiting: not long
		for ((i = 0; i < 20; i++)); do
			kill -0 "$spid" 2>/dev/null || break
			nap 0.1
		done
		kill -KILL "$spid" 2>/dev/null
		wait "$spid" 2>/dev/null
	fi
	d=$(((${EPOCHREALTIME/./} - t0) / 100000))
	echo "$((d / 10)).$((d % 10)) $ok" >"$TMP_DIR/$tag.time"
	return $rc
}

# result RC NAME CFAM SFAM [FIGURES]: the TAP line of a run, or, for
# Linux at both ends, a reference line; the logs SLOG and CLOG shown on
# failure.
result()
{
	local rc=$1 name=$2 cfam=$3 sfam=$4 figs=${5:-}

	if [ "$rc" != 0 ]; then
		diag "--- server:"
		diag_file "$SLOG"
		diag "--- client:"
		diag_file "$CLOG"
	fi
	if [ "$cfam $sfam" = "$REF" ] && [ ${#REFS[@]} -gt 0 ]; then
		reference "$rc" "$name" "$figs"
	else
		[ -z "$figs" ] || diag "$figs"
		tap_result "$rc" "$name"
	fi
}

# ---------------------------------------------------------- 1. PMTU

pmtu_case()
{
	local cfam=$1 sfam=$2 rc cm sm tag secs

	flush_pmtu "$NSC" "$NSS"
	next_port
	tag=pmtu.$PORT
	xecho $tag "$NSS" "$sfam" $S_ADDR "$PORT" "$NSC" "$cfam" $S_ADDR \
		"$PORT" 1 "$T_PMTU" -s $ECHO_SIZE -m poll
	rc=$?
	cm=$(route_mtu "$NSC" $S_ADDR)
	sm=$(route_mtu "$NSS" $C_ADDR)
	# each sender met the narrow link: both route caches learned it
	[ "$cm" = $NARROW ] && [ "$sm" = $NARROW ] || rc=1
	SLOG=$TMP_DIR/$tag.server CLOG=$TMP_DIR/$tag.client
	read -r secs _ <"$TMP_DIR/$tag.time"
	result $rc "PMTU: echo $ECHO_SIZE across the $NARROW-byte link, $cfam client -> $sfam server; both ends learned mtu $NARROW" \
		"$cfam" "$sfam" "${secs}s, route mtu client ${cm:-none}, server ${sm:-none}"
}

case1()
{
	local c

	for c in "${COMBOS[@]}" "${REFS[@]}"; do
		# shellcheck disable=SC2086
		pmtu_case $c
	done
}

# ------------------------------------------- 5. path MTU black hole

# mtup NS FAM: NS's TCPMTUPFail and TCPMTUPSuccess for FAM's stack (XTCP's
# from /proc/net/xtcp_snmp, Linux's from /proc/net/netstat), "FAIL SUCCESS"
mtup()
{
	local f=/proc/net/netstat

	[ "$2" != "$X" ] || f=/proc/net/xtcp_snmp
	# shellcheck disable=SC2016 # (awk's)
	in_ns "$1" awk '/^TcpExt:/ {
		if (!n) { for (i = 2; i <= NF; i++) h[i] = $i; n = 1; next }
		for (i = 2; i <= NF; i++) v[h[i]] = $i }
		END { printf "%d %d\n", v["TCPMTUPFail"], v["TCPMTUPSuccess"] }' \
		"$f" 2>/dev/null || echo "0 0"
}

# The routers drop their "fragmentation needed" (a black hole): only
# packetization layer probing (mtu_probing=1, RFC 4821) gets the echo
# through, after the retransmission timeouts that make a connection suspect
# one.  The route caches must not have learned the MTU: the probing did it.
blackhole_case()
{
	local cfam=$1 sfam=$2 rc cm sm tag secs figs c0 s0 c1 s1

	flush_pmtu "$NSC" "$NSS"
	next_port
	tag=blackhole.$PORT
	read -r -a c0 <<<"$(mtup "$NSC" "$cfam")"
	read -r -a s0 <<<"$(mtup "$NSS" "$sfam")"
	xecho $tag "$NSS" "$sfam" $S_ADDR "$PORT" "$NSC" "$cfam" $S_ADDR \
		"$PORT" 1 "$T_BLACKHOLE" -s $ECHO_SIZE -m poll
	rc=$?
	cm=$(route_mtu "$NSC" $S_ADDR)
	sm=$(route_mtu "$NSS" $C_ADDR)
	[ -z "$cm" ] && [ -z "$sm" ] || rc=1
	read -r -a c1 <<<"$(mtup "$NSC" "$cfam")"
	read -r -a s1 <<<"$(mtup "$NSS" "$sfam")"
	SLOG=$TMP_DIR/$tag.server CLOG=$TMP_DIR/$tag.client
	read -r secs _ <"$TMP_DIR/$tag.time"
	figs="${secs}s, route mtu client ${cm:-none}, server ${sm:-none}"
	figs+="; TCPMTUPFail/TCPMTUPSuccess moved by"
	figs+=" client ($cfam) $((c1[0] - c0[0]))/$((c1[1] - c0[1])),"
	figs+=" server ($sfam) $((s1[0] - s0[0]))/$((s1[1] - s0[1]))"
	result $rc "black hole (routers drop frag-needed), mtu_probing 1: echo $ECHO_SIZE, $cfam client -> $sfam server; no route learned the MTU" \
		"$cfam" "$sfam" "$figs"
}

# blackhole ON: with ON 1, the routers drop the "fragmentation needed"
# they send and C and S probe (both stacks' mtu_probing 1); with 0, undone
blackhole()
{
	local op=-D r ns

	[ "$1" = 0 ] || op=-I
	for r in "$NSR1" "$NSR2"; do
		ip netns exec "$r" iptables $op OUTPUT -p icmp \
			--icmp-type fragmentation-needed -j DROP ||
			diag "$r: iptables $op of the frag-needed drop failed"
	done
	for ns in "$NSC" "$NSS"; do
		# shellcheck disable=SC2016 # (expanded by sh)
		in_ns "$ns" sh -c 'echo $0 >/proc/sys/net/ipv4/tcp_mtu_probing
			f=/proc/sys/net/xtcp/mtu_probing
			[ ! -w $f ] || echo $0 >$f' "$1"
	done
}

case5()
{
	local c

	blackhole 1
	for c in "${COMBOS[@]}" "${REFS[@]}"; do
		# shellcheck disable=SC2086
		blackhole_case $c
	done
	blackhole 0
}

# ---------------------------------------------- 2. connect() errors

# R2's answers to a SYN, "GROUP<TAB>NAME<TAB>ADDR<TAB>ADD<TAB>DEL": ADD
# and DEL run in R2.  The REJECTs are tried at once (group 1), each on
# its own address; the routes one after the other: for them R2's
# ip_error() sends its ICMP at most once a second to a host (a token
# bucket of its own, net.ipv4.route.error_cost, not icmp_ratelimit), so
# the second of two connects may get its error only for the SYN's
# retransmission, 1 s later.
icmp_variants()
{
	local r n=0 a

	for r in icmp-host-unreachable icmp-net-unreachable \
		 icmp-port-unreachable icmp-admin-prohibited \
		 icmp-proto-unreachable; do
		n=$((n + 1))
		a=$(dead $n)
		printf '1\tREJECT --reject-with %s\t%s\t%s\t%s\n' "$r" "$a" \
			"iptables -A FORWARD -d $a -p tcp -j REJECT --reject-with $r" \
			"iptables -D FORWARD -d $a -p tcp -j REJECT --reject-with $r"
	done
	for r in unreachable prohibit; do
		n=$((n + 1))
		a=$(dead $n)
		printf '%d\troute %s\t%s\t%s\t%s\n' $n "$r" "$a" \
			"ip route add $r $a/32" "ip route del $r $a/32"
	done
}

# One realnet.py for the seven: connect() from C with Linux TCP, then with
# the family under test; the same errno, in under 5 s (where no ICMP
# handling means the SYN retries: nothing for the 6 s measured).
case2()
{
	local out name lerr lt xerr xt rc

	next_port
	icmp_variants >"$TMP_DIR/variants"
	out=$($PY -S "$HELPER" connect --ns "$NSC" --rns "$NSR2" \
		--families "$L,$X" --port "$PORT" --limit 6 \
		--variants "$TMP_DIR/variants" 2>&1)
	netns "$NSR2" nft flush ruleset
	while IFS=$'\t' read -r _ name _; do
		read -r _ lerr lt _ xerr xt <<<"$(printf '%s\n' "$out" |
			awk -F '\t' -v n="$name" '$1 == n { printf "%s ", $2 }')"
		rc=0
		case ${lerr:-} in
		0 | EINPROGRESS | "") rc=1 ;;
		esac
		[ ${#REFS[@]} = 0 ] || reference $rc "connect() with R2's $name" \
			"Linux TCP gets ${lerr:-?} in ${lt:-?}s"
		[ "$rc" = 0 ] && [ "${xerr:-}" = "$lerr" ] &&
			awk -v t="$xt" 'BEGIN { exit !(t < 5) }' || rc=1
		[ $rc = 0 ] || printf '%s\n' "$out" | grep -F "$name" |
			sed 's/^/# /'
		diag "$X: ${xerr:-?} in ${xt:-?}s; Linux TCP: ${lerr:-?} in ${lt:-?}s"
		tap_result $rc "connect() with R2's $name: $X client fails with Linux TCP's errno (${lerr:-?}) in under 5 s"
	done <"$TMP_DIR/variants"
	# anything else realnet.py said (R2's commands failing, a traceback)
	printf '%s\n' "$out" | awk -F '\t' 'NF != 2 ||
		$2 !~ /^(inet|xtcp) [A-Z0-9]+ [0-9.]+$/' | sed 's/^/# /'
}

# ----------------------------------------------- 3. spoofed ICMP

# spoof_case CFAM SFAM: one realnet.py, two subtests (out of window, in).
# The ICMP goes to the end under test: the client, unless it is only the
# server.
spoof_case()
{
	local cfam=$1 sfam=$2 target=client log w rc name

	[ "$cfam" = "$X" ] || target=server
	next_port
	log=$TMP_DIR/spoof.$PORT
	$PY -S "$HELPER" spoof --cns "$NSC" --sns "$NSS" --rns "$NSR2" \
		--cfam "$cfam" --sfam "$sfam" --caddr $C_ADDR \
		--saddr $S_ADDR --port "$PORT" --cif c0 --sif s0 \
		--target $target >"$log" 2>&1
	next_port	# it used PORT + 1 too
	flush_pmtu "$NSC" "$NSS"
	for w in out in; do
		# this window's part of the log
		awk -v w="$w" '/^--- / { p = ($2 == w) } p' "$log" \
			>"$log.$w"
		rc=$(awk -v w="$w" '$1 == "RESULT" && $2 == w { print $3 }' \
			"$log")
		if [ "$rc" = 0 ]; then
			grep -E '^(ok|before|after)' "$log.$w" | sed 's/^/# /'
		else
			diag_file "$log.$w"
			[ -s "$log.$w" ] || diag_file "$log"
			rc=1
		fi
		if [ $w = out ]; then
			name="spoofed ICMP with seq out of window at the $target: frag-needed and host-unreachable change nothing (PMTU, MSS, errors) and count in OutOfWindowIcmps"
		else
			name="spoofed ICMP with seq = SND.UNA at the $target: frag-needed lowers PMTU and MSS, host-unreachable is the soft error a timeout reports"
		fi
		SLOG=/dev/null CLOG=/dev/null
		result "$rc" "$name; $cfam client -> $sfam server" "$cfam" "$sfam"
	done
}

case3()
{
	local c

	for c in "${COMBOS[@]}" "${REFS[@]}"; do
		# shellcheck disable=SC2086
		spoof_case $c
	done
}

# --------------------------------- 4. NAT and stateful firewalls

# rules NS BACKEND WHAT PORT...: install WHAT's rules for the (client's
# destination) PORTs in NS, with iptables (nft backend: Debian's
# iptables), one command per rule as users type them, or with nft.
rules()
{
	local ns=$1 be=$2 what=$3 p ipt=() nft=() hook=

	shift 3
	case $what in
	redirect | dnat) hook="type nat hook prerouting priority dstnat" ;;
	snat | masq) hook="type nat hook postrouting priority srcnat" ;;
	fw-*)
		hook="type filter hook input priority filter; policy drop"
		# what server distributions ship: only replies, loopback
		# and (on the server) new connections to the port get in
		ipt=("-P INPUT DROP" "-A INPUT -i lo -j ACCEPT"
		     "-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT")
		nft=("iif lo accept" "ct state established,related accept") ;;
	esac
	for p in "$@"; do
		case $what in
		redirect)
			ipt+=("-t nat -A PREROUTING -p tcp --dport $p -j REDIRECT --to-ports $((p + 1))")
			nft+=("tcp dport $p redirect to :$((p + 1))") ;;
		dnat)
			ipt+=("-t nat -A PREROUTING -d $S_ADDR -p tcp --dport $p -j DNAT --to-destination $S_LOADDR")
			nft+=("ip daddr $S_ADDR tcp dport $p dnat to $S_LOADDR") ;;
		snat)
			ipt+=("-t nat -A POSTROUTING -o c0 -p tcp --dport $p -j SNAT --to-source $C_ADDR2")
			nft+=("oifname \"c0\" tcp dport $p snat to $C_ADDR2") ;;
		masq)
			ipt+=("-t nat -A POSTROUTING -o c0 -s $C_LOADDR -p tcp --dport $p -j MASQUERADE")
			nft+=("oifname \"c0\" ip saddr $C_LOADDR tcp dport $p masquerade") ;;
		fw-server)
			ipt+=("-A INPUT -p tcp --syn --dport $p -m conntrack --ctstate NEW -j ACCEPT")
			nft+=("ct state new tcp dport $p tcp flags & (fin|syn|rst|ack) == syn accept") ;;
		esac
	done
	if [ "$be" = iptables ]; then
		printf 'iptables %s\n' "${ipt[@]}" |
			netns "$ns" sh -e || return 1
	else
		{
			echo "table ip realnet {"
			echo "	chain rn_${what//-/_} {"
			echo "		$hook;"
			printf '\t\t%s\n' "${nft[@]}"
			echo "	}"
			echo "}"
		} | netns "$ns" nft -f - || return 1
	fi
}

# set_info WHAT: about WHAT's rule set, in SI_*: the namespace its rules go
# in (the end under test's), the server's address, the connections, the
# source the server must see, the client's options, the description,
# the combinations (the family under test at the end with the rules).
set_info()
{
	SI_NS=$NSS SI_SADDR=$S_ADDR SI_CONNS=1 SI_WANT="<- $C_ADDR:"
	SI_COPTS=()
	case $1 in
	redirect) SI_DESC="REDIRECT in the server's namespace (client -> port P, server on P + 1)" ;;
	dnat)
		SI_SADDR=$S_LOADDR
		SI_DESC="DNAT $S_ADDR -> its $S_LOADDR in the server's namespace" ;;
	fw-server)
		SI_CONNS=$FW_CONNS
		SI_DESC="stateful firewall in the server's namespace (INPUT drop, ct established,related, new SYNs to the port), $FW_CONNS connections" ;;
	snat)
		SI_NS=$NSC SI_WANT="<- $C_ADDR2:"
		SI_DESC="SNAT $C_ADDR -> $C_ADDR2 in the client's namespace (the server sees $C_ADDR2)" ;;
	masq)
		SI_NS=$NSC SI_COPTS=(-b "$C_LOADDR")
		SI_DESC="MASQUERADE of $C_LOADDR in the client's namespace (the server sees $C_ADDR)" ;;
	fw-client)
		SI_NS=$NSC SI_CONNS=$FW_CONNS
		SI_DESC="stateful firewall in the client's namespace (INPUT drop, ct established,related), $FW_CONNS connections" ;;
	esac
	if [ "$SI_NS" = "$NSS" ]; then
		SI_COMBOS=("$X $X" "$L $X" "${REFS[@]}")
	else
		SI_COMBOS=("$X $X" "$X $L" "${REFS[@]}")
	fi
}

# ct_check SET JOB...: with SET's firewall up (conntrack is on where a
# rule uses it), conntrack's view of an open connection: one realnet.py,
# a listener on each job's own port for it (the echo's may still be held
# by a failed server's connections); its results as subtests.
ct_check()
{
	local what=${1#*:} job log i dp ok rc pairs=''

	shift
	set_info "$what"
	log=$TMP_DIR/ct.$what
	for job in "$@"; do
		read -r _ _ i _ _ dp <<<"$job"
		pairs+="${pairs:+,}${SI_COMBOS[i]/ /:}:$dp"
	done
	$PY -S "$HELPER" ctstate --cns "$NSC" --sns "$NSS" --caddr $C_ADDR \
		--saddr $S_ADDR --pairs "$pairs" --where "${what#fw-}" \
		>"$log" 2>&1
	for job in "$@"; do
		read -r _ _ i _ _ dp <<<"$job"
		# this port's part of the log, and its result
		awk -v p="$dp" '$1 == "---" { f = ($8 == p) } f' "$log" \
			>"$log.$dp"
		ok=$(awk -v p="$dp" '$1 == "RESULT" && $4 == p { print $5 }' \
			"$log")
		rc=1
		if [ "$ok" = 0 ]; then
			rc=0
			grep ESTABLISHED "$log.$dp" | sed 's/^/# /'
		else
			diag_file "$log.$dp"
			[ -n "$ok" ] || diag_file "$log"
		fi
		SLOG=/dev/null CLOG=/dev/null
		# shellcheck disable=SC2086
		result $rc "conntrack -L in the ${what#fw-}'s namespace lists an open connection ESTABLISHED with its addresses and ports, ${SI_COMBOS[i]/ / client -> } server" \
			${SI_COMBOS[i]}
	done
}

# nat_batch SET...: SET is BACKEND:WHAT.  Each set's rules go in the
# namespace of the end they concern, then every combination of every set
# echoes through them, at once (a firewall's one after the other), each
# on its own port(s), and must pass; for nft's firewalls conntrack -L
# follows.  Sets of one batch must not meet: NAT rules for distinct
# ports, one firewall.
nat_batch()
{
	local set be what i dp sp ctp tag rc job jbe jwhat sets=("$@") secs nok
	local -a jobs
	local -A bad nss

	# ("set --" below takes the arguments: the sets are in sets)
	for set in "${sets[@]}"; do
		be=${set%%:*} what=${set#*:}
		set_info "$what"
		# per combination: the client's destination port, the
		# server's, and for the firewalls conntrack -L's check's
		local dports=()
		for i in "${!SI_COMBOS[@]}"; do
			next_port
			dp=$PORT sp=$PORT ctp=-
			if [ "$what" = redirect ]; then
				next_port
				sp=$PORT
			fi
			dports+=("$dp")
			if [ "$be:${what%-*}" = nft:fw ]; then
				next_port
				ctp=$PORT
				dports+=("$ctp")
			fi
			jobs+=("$be $what $i $dp $sp $ctp")
		done
		if ! rules "$SI_NS" "$be" "$what" "${dports[@]}" \
			>"$TMP_DIR/rules" 2>&1; then
			diag_file "$TMP_DIR/rules"
			diag "(a kernel without NAT, conntrack or REJECT support?)"
			bad[$set]=1
		fi
	done
	for job in "${jobs[@]}"; do
		read -r be what i dp sp _ <<<"$job"
		[ -z "${bad[$be:$what]:-}" ] || continue
		set_info "$what"
		# shellcheck disable=SC2086
		set -- ${SI_COMBOS[i]}
		tag=$be-$what.$dp
		{
			xecho "$tag" "$NSS" "$2" "$SI_SADDR" "$sp" "$NSC" "$1" \
				$S_ADDR "$dp" "$SI_CONNS" "$T_CONN" -s 20000 -n 2 \
				"${SI_COPTS[@]}"
			echo $? >"$TMP_DIR/$tag.rc"
		} &
		# a firewall's 20 connections load the CPUs already: its
		# combinations one after the other (each has T_CONN)
		[ "$SI_CONNS" = 1 ] || wait
	done
	wait
	for set in "${sets[@]}"; do
		be=${set%%:*} what=${set#*:}
		set_info "$what"
		local setjobs=()
		for job in "${jobs[@]}"; do
			read -r jbe jwhat i dp _ <<<"$job"
			[ "$jbe:$jwhat" = "$set" ] || continue
			setjobs+=("$job")
			# shellcheck disable=SC2086
			set -- ${SI_COMBOS[i]}
			if [ -n "${bad[$set]:-}" ]; then
				SLOG=/dev/null CLOG=/dev/null
				result 1 "$be: $SI_DESC: the rules could not be installed" "$1" "$2"
				continue
			fi
			tag=$be-$what.$dp
			SLOG=$TMP_DIR/$tag.server CLOG=$TMP_DIR/$tag.client
			read -r rc <"$TMP_DIR/$tag.rc"
			read -r secs nok <"$TMP_DIR/$tag.time"
			if [ "$rc" = 0 ] && ! grep -q -- "$SI_WANT" "$SLOG"; then
				diag "the server did not see the source ${SI_WANT#<- }"
				rc=1
			fi
			result "$rc" "$be: $SI_DESC, $1 client -> $2 server" "$1" "$2" \
				"$nok of $SI_CONNS echoed in ${secs}s (port $dp)"
		done
		case $set in
		nft:fw-*)
			[ -n "${bad[$set]:-}" ] ||
				ct_check "$set" "${setjobs[@]}" ;;
		esac
	done
	for set in "${sets[@]}"; do
		set_info "${set#*:}"
		nss[$SI_NS]=1
	done
	for i in "${!nss[@]}"; do
		netns "$i" nft flush ruleset
	done
}

# (one backend per batch: 6 echoes at once at most)
case4()
{
	nat_batch iptables:redirect iptables:dnat
	nat_batch nft:redirect nft:dnat
	nat_batch iptables:fw-server
	nat_batch nft:fw-server
	nat_batch iptables:snat iptables:masq
	nat_batch nft:snat nft:masq
	nat_batch iptables:fw-client
	nat_batch nft:fw-client
}

# ------------------------------------------------------------------ main

# want_case N SUBTESTS: true if case N is to run; if XTCP_REALNET_CASES
# leaves it out, its SUBTESTS are skips.
want_case()
{
	local i

	[[ " ${XTCP_REALNET_CASES:-1 2 3 4 5} " = *" $1 "* ]] && return 0
	for ((i = 0; i < $2; i++)); do
		tap_skip "case $1" "not in XTCP_REALNET_CASES"
	done
	return 1
}

T0=$SECONDS
! want_case 1 3 || case1
diag "case 1 took $((SECONDS - T0))s"
T0=$SECONDS
! want_case 5 3 || case5
diag "case 5 took $((SECONDS - T0))s"
# Cases 2 to 4 are about ICMP errors and conntrack, not about PMTU
# discovery (case 1's): C's and S's default routes get mtu 1280, so that
# no segment needs the narrow link's ICMP (else a family without PMTU
# discovery would fail them all for that one reason).
if ! ip -n "$NSC" route change default via $R1_C mtu $NARROW ||
	! ip -n "$NSS" route change default via $R2_S mtu $NARROW; then
	diag "could not set the default routes' mtu"
fi
flush_pmtu "$NSC" "$NSS"
T0=$SECONDS
! want_case 2 7 || case2
diag "case 2 took $((SECONDS - T0))s"
T0=$SECONDS
! want_case 3 6 || case3
diag "case 3 took $((SECONDS - T0))s"
T0=$SECONDS
! want_case 4 28 || case4
diag "case 4 took $((SECONDS - T0))s, realnet.sh ${SECONDS}s"

# XTCP sockets still there (not TIME_WAIT, which lasts 2 s here) keep the
# module from unloading: show them
for ns in "$NSC" "$NSS"; do
	# shellcheck disable=SC2016 # (awk's)
	left=$(in_ns "$ns" awk 'NR > 1 && $4 != "06"' /proc/net/xtcp 2>/dev/null)
	[ -z "$left" ] || diag "$ns: XTCP sockets left (state in hex): $left"
done

tap_finish
