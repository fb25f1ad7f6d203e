#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Bulk transfers across two namespaces whose veth pair netem impairs in
# both directions, one impairment ("profile") after the other:
#
#   loss1    loss 1%
#   loss5    loss 5%
#   loss20   loss 20%
#   delay    delay 50ms 10ms: each packet gets its own delay, so netem's
#            jitter also reorders packets (no "rate", no pfifo child);
#            that is wanted here.  The round trip is about 100 ms.  netem
#            holds each packet for its delay in a queue of 1000 packets
#            (its default limit): a sender with more than that in flight
#            sees packets dropped locally, at the queue, as on a router.
#   reorder  delay 10ms reorder 25% 50%: a quarter of the packets (50 %
#            correlated) skip the 10 ms delay, overtaking the others
#   dup      duplicate 5%
#   corrupt  corrupt 1%: netem flips one bit in the linear part of 1 % of
#            the frames, after computing any checksum left to the device
#            (CHECKSUM_PARTIAL), so the receiver's checksums must catch
#            them (a bit flipped after a checksum left to a veth would not
#            be checked, and the SHA-256 check would fail the transfer).
#            When the payload sits in page fragments, as Linux TCP sends
#            it, only the Ethernet, IP and TCP headers are hit; a flipped
#            Ethernet header bit is dropped uncounted or goes unnoticed.
#            The checksum error counters are shown, as diagnostics only.
#
# For each profile, three subtests, transfers of XTCP_NETEM_SIZE bytes each
# way at once, every byte and a SHA-256 of each stream checked: family
# under test with itself, family-under-test client with a Linux TCP
# server, Linux client with a family-under-test server.  Then Linux with
# Linux, the baseline: a reference, not a subtest ("# reference:" lines
# with its goodput; if it fails, the environment is broken, and that is
# one "not ok" past the plan).  Goodput is reported, never asserted: a
# table at the end, one row per profile, in MB/s of payload moved in both
# directions together, as timed by the client (xtcp_bulk's "done in").
# Only the transfers themselves must succeed, within generous time limits.
#
# Without tc, or where tc cannot add a netem qdisc, the subtests skip, or
# fail under make test or in CI (XTCP_REQUIRE_DEPS=1 or CI=true): make deps
# installs tc, and both kernels of make test have sch_netem.
#
# Environment (besides lib.sh's):
#   XTCP_NETEM_PROFILES  the profiles to run, space-separated (default all:
#                        loss1 loss5 loss20 delay reorder dup corrupt)
#   XTCP_NETEM_SIZE      bytes each way per transfer (default 16M)
#   XTCP_NETEM_LOSS20_SIZE  the same for loss20 (default 256K: at 20 % loss
#                        in both directions every stack lives on timeouts
#                        and their backoff; under QEMU TCG Linux TCP took
#                        from 1 to over 5 minutes per MiB, so 16M would
#                        take an hour or more per transfer)
#   XTCP_NETEM_REPORT    a file to write the goodput table to as well
#   XTCP_NETEM_BASELINE  0: leave out the Linux-with-Linux reference
#                        transfers (a debug kernel run checks XTCP's code
#                        paths, not goodput); the table shows "-" there
#   XTCP_PROG_TIMEOUT    time limit of one program, seconds (default 900
#                        for loss20, 180 for the other profiles)
#
# Run time, XTCP_FAMILY=inet, 16M, all profiles, on a 2-CPU host without
# sch_netem, with nftables standing in for netem's loss, duplicate and
# corrupt (and no delay at all for "delay" and "reorder"): 31 s in all,
# 0.25-0.65 s per transfer, one of 7 s at 20 % loss.  Real netem delays
# (a 100 ms round trip for "delay") should add seconds, not minutes.  A
# slower family, a debug kernel or an emulated CPU multiply this: choose
# fewer profiles or a smaller size there.

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

ALL_PROFILES="loss1 loss5 loss20 delay reorder dup corrupt"
SIZE=${XTCP_NETEM_SIZE:-16M}
LOSS20_SIZE=${XTCP_NETEM_LOSS20_SIZE:-256K}
REPORT=${XTCP_NETEM_REPORT:-}
L=inet		# Linux TCP
NCASES=3	# subtests per profile; transfer 3, Linux with Linux, is a reference

read -ra PROFILES <<<"${XTCP_NETEM_PROFILES:-$ALL_PROFILES}"

# profile_args NAME: netem's arguments for profile NAME.
profile_args()
{
	case $1 in
	loss1) echo "loss 1%" ;;
	loss5) echo "loss 5%" ;;
	loss20) echo "loss 20%" ;;
	delay) echo "delay 50ms 10ms" ;;
	reorder) echo "delay 10ms reorder 25% 50%" ;;
	dup) echo "duplicate 5%" ;;
	corrupt) echo "corrupt 1%" ;;
	*) return 1 ;;
	esac
}

# profile_size NAME: bytes each way for profile NAME.
profile_size()
{
	if [ "$1" = loss20 ]; then
		echo "$LOSS20_SIZE"
	else
		echo "$SIZE"
	fi
}

# case_name PROFILE N: the name of transfer N (0..3) of PROFILE; 3 is the
# reference.
case_name()
{
	local what

	what="$1: $(profile_size "$1") both ways at once"

	case $2 in
	0) echo "$what, $FAM <-> $FAM" ;;
	1) echo "$what, $FAM client -> $L server" ;;
	2) echo "$what, $L client -> $FAM server" ;;
	3) echo "$what, $L <-> $L" ;;
	esac
}

# skip_profile PROFILE RC WHY: the subtests of PROFILE not run: skipped
# (RC 4) or failed.
skip_profile()
{
	local i

	for ((i = 0; i < NCASES; i++)); do
		if [ "$2" = $KSFT_SKIP ]; then
			tap_skip "$(case_name "$1" $i)" "$3"
		else
			tap_not_ok "$(case_name "$1" $i): $3"
		fi
	done
}

# netem_missing: the RC for skip_profile when netem cannot be used: 4, or 1
# where deps_required (make deps installs tc, and the kernels of make test
# have sch_netem).
netem_missing()
{
	if deps_required; then
		echo $KSFT_FAIL
	else
		echo $KSFT_SKIP
	fi
}

# netem_set ARGS...: a fresh netem qdisc with ARGS at the root of both veth
# ends (deleted and added rather than replaced, so that its counters are
# this profile's).
netem_set()
{
	in_ns "$NS1" tc qdisc del dev veth1 root 2>/dev/null
	in_ns "$NS2" tc qdisc del dev veth2 root 2>/dev/null
	in_ns "$NS1" tc qdisc add dev veth1 root netem "$@" &&
		in_ns "$NS2" tc qdisc add dev veth2 root netem "$@"
}

# netem_stats NS DEV: "DEV: sent N pkt, dropped N" from netem's counters.
netem_stats()
{
	in_ns "$1" tc -s qdisc show dev "$2" 2>/dev/null |
		awk -v d="$2" '$1 == "Sent" {
			sub(",", "", $7)
			printf "%s: sent %s pkt, dropped %s", d, $4, $7
			exit
		}'
}

# snmp_get NS FILE GROUP NAME: counter NAME of GROUP in a /proc/net/snmp
# style FILE (a line of names, then one of values) in NS; 0 if absent.
snmp_get()
{
	in_ns "$1" cat "$2" 2>/dev/null |
		awk -v g="$3:" -v f="$4" '
		$1 == g && !seen { for (i = 2; i <= NF; i++) if ($i == f) n = i
				   seen = 1; next }
		$1 == g && n { v = $n }
		END { print v + 0 }'
}

# What XTCP's loss recovery did, both namespaces added up: one
# "NAME=VALUE" word per counter.
XTCP_COUNTERS="RetransSegs TCPTimeouts TCPFastRetrans TCPSlowStartRetrans
	TCPLostRetransmit TCPSackRecovery TCPRenoRecovery TCPFullUndo
	TCPLossUndo TCPSACKReorder TCPDSACKRecv"
xtcp_counters()
{
	local ns

	# one read per namespace: process start-up is slow on a debug kernel
	for ns in "$NS1" "$NS2"; do
		in_ns "$ns" cat /proc/net/xtcp_snmp 2>/dev/null
	done | awk -v want="$XTCP_COUNTERS" '
		BEGIN { n = split(want, w, /[ \t\n]+/) }
		$1 ~ /:$/ && !($1 in names) { names[$1] = $0; next }
		$1 ~ /:$/ {
			split(names[$1], k, " ")
			for (i = 2; i <= NF; i++) v[k[i]] += $i
			delete names[$1]
		}
		END { for (i = 1; i <= n; i++) if (w[i] != "")
			printf "%s=%d\n", w[i], v[w[i]] }'
}

# counters_delta BEFORE AFTER: the counters that moved, "NAME +N ...".
counters_delta()
{
	awk -v a="$1" -v b="$2" 'BEGIN {
		n = split(a, x, " "); split(b, y, " ")
		for (i = 1; i <= n; i++) {
			split(x[i], p, "="); split(y[i], q, "=")
			if (q[2] != p[2]) printf "%s +%d ", p[1], q[2] - p[2]
		}
	}'
}

# csum_errors: the checksum error counters of both namespaces added up:
# "LINUX_TCP IP XTCP".
csum_errors()
{
	local ns t=0 ip=0 x=0

	for ns in "$NS1" "$NS2"; do
		t=$((t + $(snmp_get "$ns" /proc/net/snmp Tcp InCsumErrors)))
		ip=$((ip + $(snmp_get "$ns" /proc/net/netstat IpExt \
			InCsumErrors)))
		x=$((x + $(snmp_get "$ns" /proc/net/xtcp_snmp Tcp \
			InCsumErrors)))
	done
	echo "$t $ip $x"
}

# goodput RC: MB/s of payload moved both ways per the client's log (CLOG);
# "fail" if the transfer failed.
goodput()
{
	if [ "$1" != 0 ]; then
		echo fail
		return
	fi
	awk '/^client: (sent|received) [0-9]+ bytes/ { b += $3 }
	     /^client: done in / { t = $4 }
	     END { if (b > 0 && t > 0) printf "%.1f\n", b / t / 1e6
		   else print "-" }' "$CLOG"
}

# Goodput table: one row per profile, "-" where nothing was measured.
declare -A GP
table()
{
	local p i row ratio

	echo "goodput in MB/s of payload, both directions together," \
	     "$SIZE each way ($LOSS20_SIZE at loss20); fam = $FAM," \
	     "linux = $L, client first; linux-linux is the reference;" \
	     "ratio = fam-fam / linux-linux"
	for p in "${PROFILES[@]}"; do
		for i in 0 1 2 3; do
			[ -n "${GP[$p.$i]:-}" ] || GP[$p.$i]=-
		done
		ratio=$(awk -v x="${GP[$p.0]}" -v z="${GP[$p.3]}" 'BEGIN {
			if (x ~ /^[0-9.]+$/ && z ~ /^[0-9.]+$/ && z > 0)
				printf "%.2f", x / z
			else
				print "-"
		}')
		printf -v row "goodput %-8s fam-fam %7s MB/s  fam-linux %7s MB/s  linux-fam %7s MB/s  linux-linux %7s MB/s  ratio %s" \
			"$p" "${GP[$p.0]}" "${GP[$p.1]}" "${GP[$p.2]}" \
			"${GP[$p.3]}" "$ratio"
		echo "$row"
	done
}

print_table()
{
	table >"$TMP_DIR/goodput"
	diag_file "$TMP_DIR/goodput"
	if [ -n "$REPORT" ]; then
		cp "$TMP_DIR/goodput" "$REPORT" || diag "cannot write $REPORT"
	fi
}

# run_profile NAME: the four transfers under profile NAME.
run_profile()
{
	local p=$1 args before after t0 i rc sfam cfam c0 c1
	local -a cs a b

	args=$(profile_args "$p")
	# shellcheck disable=SC2086	# args is a word list
	if ! netem_set $args; then
		diag "$p: tc qdisc add ... netem $args failed"
		skip_profile "$p" "$(netem_missing)" \
			"netem $args not supported by this kernel's sch_netem"
		return
	fi
	if [ "$p" = loss20 ]; then
		PROG_TIMEOUT=${XTCP_PROG_TIMEOUT:-900}
	else
		PROG_TIMEOUT=${XTCP_PROG_TIMEOUT:-180}
	fi
	diag "profile $p: netem $args on both veth ends (time limit" \
	     "${PROG_TIMEOUT}s per program)"
	before=$(csum_errors)
	t0=$SECONDS

	# server in NS1, client in NS2; the last, Linux with Linux, is the
	# reference
	cs=("$FAM $FAM" "$L $FAM" "$FAM $L" "$L $L")
	for ((i = 0; i <= NCASES; i++)); do
		read -r sfam cfam <<<"${cs[$i]}"
		if [ "$i" = $NCASES ]; then
			[ "${XTCP_NETEM_BASELINE:-1}" = 0 ] && continue
			bulk_run "$NS1" "$sfam" $ADDR1 "$NS2" "$cfam" $ADDR1 \
				both -s "$(profile_size "$p")" -S "$PORT"
			rc=$?
			GP[$p.$i]=$(goodput $rc)
			if [ $rc != 0 ]; then
				diag "--- server:"
				diag_file "$SLOG"
				diag "--- client:"
				diag_file "$CLOG"
			fi
			if [ $rc = 0 ]; then
				reference 0 "$(case_name "$p" $i)" \
					"goodput ${GP[$p.$i]} MB/s"
			else
				reference $rc "$(case_name "$p" $i)" \
					"the transfer failed"
			fi
			continue
		fi
		c0=$(xtcp_counters | tr '\n' ' ')
		bulk_test "$(case_name "$p" $i)" "$NS1" "$sfam" $ADDR1 \
			"$NS2" "$cfam" $ADDR1 both -s "$(profile_size "$p")" \
			-S "$PORT"
		rc=$?
		GP[$p.$i]=$(goodput $rc)
		if [ "$FAM" = xtcp ]; then
			c1=$(xtcp_counters | tr '\n' ' ')
			diag "XTCP counters: $(counters_delta "$c0" "$c1")"
		fi
	done

	diag "$p: $((SECONDS - t0)) s; netem $(netem_stats "$NS1" veth1);" \
	     "$(netem_stats "$NS2" veth2)"
	after=$(csum_errors)
	read -r -a b <<<"$before"
	read -r -a a <<<"$after"
	if [ "$p" = corrupt ] || [ "$before" != "$after" ]; then
		diag "$p: checksum errors counted: Linux TCP" \
		     "$((a[0] - b[0])), IP header $((a[1] - b[1])), XTCP" \
		     "$((a[2] - b[2])) (both namespaces)"
	fi
}

tap_plan $((${#PROFILES[@]} * NCASES))
require_env
for p in "${PROFILES[@]}"; do
	profile_args "$p" >/dev/null ||
		tap_bail "unknown netem profile '$p' (known: $ALL_PROFILES)"
done
ns_setup || tap_bail "namespace setup failed"
why=
if need_cmd tc; then
	netem_set delay 0ms 2>"$TMP_DIR/tc.err" || why="this kernel has no netem"
	rc=$(netem_missing)
else
	rc=$?
	why=$NEED_WHY
fi
if [ -n "$why" ]; then
	diag_file "$TMP_DIR/tc.err"
	for p in "${PROFILES[@]}"; do
		skip_profile "$p" "$rc" "$why"
	done
	[ -z "$REPORT" ] || echo "netem is not available: no goodput" >"$REPORT"
	tap_finish
fi
# segment in software before netem, so it drops, delays, duplicates and
# corrupts MTU-sized packets, not whole 64 KiB GSO packets
if ! in_ns "$NS1" ethtool -K veth1 tso off gso off gro off >/dev/null ||
   ! in_ns "$NS2" ethtool -K veth2 tso off gso off gro off >/dev/null; then
	tap_bail "ethtool cannot turn off TSO/GSO/GRO on the veth"
fi
diag "netem on both ends of the veth, no TSO/GSO/GRO; family $FAM;" \
     "profiles: ${PROFILES[*]}"

for p in "${PROFILES[@]}"; do
	run_profile "$p"
done
print_table
diag "all profiles: $SECONDS s"

diag_leftover_sockets

tap_finish
