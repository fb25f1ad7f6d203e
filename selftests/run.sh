#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh [--module PATH/xtcp.ko] [TEST...]
#
# Runs the XTCP selftests (all of them, or the TEST scripts named, with
# or without ".sh"), each under "timeout" (settings: timeout=, or
# XTCP_TEST_TIMEOUT), and prints TAP: each script's own TAP output as
# "# " lines followed by "ok N - script" / "not ok N - script", then one
# line "selftests: N passed, N failed, N skipped" counting subtests.
# Exits 0 only if nothing failed.
#
# A TEST given as a path (with a "/") runs that script instead of one of
# selftests/ (tools/harness/selftest runs its canary that way).
#
# --module loads the module first (insmod, unless already loaded) and
# hands it to modload.sh; the module is left loaded or unloaded as found,
# and an unload that fails is a failure.
#
# On a kernel with kmemleak (the debug kernel), kmemleak is scanned before
# the first test (leaks from boot or insmod), after each test (its leaks
# fail that test, and are then marked as seen) and after the module is
# unloaded at the end; any leak is a failure, nothing is ignored.  Leaks
# younger than kmemleak's 5 s are found by the next scan.
# With XTCP_FAMILY=inet every test uses Linux TCP on both sides, to check
# the tests themselves.  Writes only under $TMPDIR (default /tmp): the
# programs are built there when selftests/ is read-only and selftests/bin
# is missing or stale.

set -u

DIR=$(cd "$(dirname "$0")" && pwd)
ALL_TESTS=(echo_loopback.sh echo_netns.sh bulk.sh interop.sh loss.sh netem.sh listen.sh synflood.sh
	   bind.sh lifecycle.sh recovery.sh ecn.sh closeorders.sh sockapi.sh pathopts.sh
	   observe.sh xtcpstat.sh xtcprun.sh sysctl.sh realnet.sh
	   modload.sh)

usage()
{
	echo "usage: $0 [--module PATH/xtcp.ko] [TEST...]"
	echo "tests: ${ALL_TESTS[*]}"
	echo "env:   XTCP_FAMILY=xtcp|inet (default xtcp), XTCP_TEST_TIMEOUT,"
	echo "       XTCP_TIME_SCALE (stretches the time limits of the Python tests),"
	echo "       XTCP_NETEM_TIMEOUT (limit of netem.sh, default 2400 s),"
	echo "       XTCP_XTCPRUN_TIMEOUT (limit of xtcprun.sh), XTCP_ECN_TIMEOUT"
	echo "       (limit of ecn.sh), XTCP_REALNET_TIMEOUT (limit of realnet.sh,"
	echo "       default 600 s), and"
	echo "       netem.sh's XTCP_NETEM_PROFILES, XTCP_NETEM_SIZE,"
	echo "       XTCP_NETEM_LOSS20_SIZE, XTCP_NETEM_REPORT, and ecn.sh's"
	echo "       XTCP_ECN_CE_SIZE (each CE-marking transfer, default 4M)"
}

MODULE=
tests=()
while [ $# -gt 0 ]; do
	case $1 in
	--module)
		[ $# -ge 2 ] || { usage >&2; exit 1; }
		MODULE=$2
		shift 2
		;;
	--module=*)
		MODULE=${1#*=}
		shift
		;;
	-h | --help)
		usage
		exit 0
		;;
	-*)
		usage >&2
		exit 1
		;;
	*/*)
		if [ ! -f "$1" ]; then
			echo "$0: no test script '$1'" >&2
			exit 1
		fi
		tests+=("$(realpath "$1")")
		shift
		;;
	*)
		t=${1%.sh}.sh
		if [ ! -f "$DIR/$t" ]; then
			echo "$0: no test '$1'" >&2
			usage >&2
			exit 1
		fi
		tests+=("$t")
		shift
		;;
	esac
done
[ ${#tests[@]} -gt 0 ] || tests=("${ALL_TESTS[@]}")

export XTCP_FAMILY=${XTCP_FAMILY:-xtcp}
TIMEOUT=$(sed -n 's/^timeout=\([0-9][0-9]*\)$/\1/p' "$DIR/settings" \
	2>/dev/null)
TIMEOUT=${XTCP_TEST_TIMEOUT:-${TIMEOUT:-120}}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/xtcp-run.XXXXXX") || exit 1
export TMPDIR=$WORK
export XTCP_NS_PREFIX=xtcp-run$$

MOD=
MOD_WAS_LOADED=0

is_loaded()
{
	[ -n "$MOD" ] && [ -e "${XTCP_SYSFS_MODULE:-/sys/module}/$MOD/initstate" ]
}

finish()
{
	local ns i

	# Put the module back as found; 1 if it could not be unloaded.
	UNLOAD_FAILED=0
	if [ -n "$MOD" ]; then
		if [ $MOD_WAS_LOADED = 1 ] && ! is_loaded; then
			insmod "$MODULE" || echo "# could not re-load $MODULE"
		elif [ $MOD_WAS_LOADED = 0 ] && is_loaded; then
			# sockets may linger a while (TIME_WAIT)
			for ((i = 0; i < 700; i++)); do
				rmmod "$MOD" 2>/dev/null && break
				sleep 0.1
			done
			if is_loaded; then
				echo "# could not unload $MOD (refcnt $(cat \
				     "/sys/module/$MOD/refcnt" 2>/dev/null))"
				UNLOAD_FAILED=1
			fi
		fi
	fi
	# Namespaces left behind by a test that was killed.
	for ns in $(ip netns list 2>/dev/null | awk '{ print $1 }' |
		    grep "^$XTCP_NS_PREFIX-"); do
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$WORK"
}

# kmemleak, where the kernel has it (tools/kmemleak-scan: 0 none, 1 leaks,
# 77 not available).  leak_scan WHAT: scan twice, at least 5 s apart
# (kmemleak reports an object unchanged over two scans and older than
# 5 s; on the debug kernel one scan takes longer than that), show what was
# found, mark it as seen; returns 1 if there were leaks, blamed on WHAT.
SCAN=$DIR/../tools/kmemleak-scan
KMEMLEAK=0
[ -e /sys/kernel/debug/kmemleak ] && [ -x "$SCAN" ] && KMEMLEAK=1
leak_scan()
{
	local out

	[ "$KMEMLEAK" = 1 ] || return 0
	out=$("$SCAN" --clear 2>&1)
	case $? in
	0) return 0 ;;
	77) KMEMLEAK=0; echo "# $out"; return 0 ;;
	esac
	printf '%s\n' "$out" | head -n 120 | sed 's/^/# /'
	echo "# kmemleak: the leaks above are blamed on $1"
	return 1
}
trap finish EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

echo "TAP version 13"
echo "1..${#tests[@]}"
echo "# XTCP selftests: family $XTCP_FAMILY, timeout ${TIMEOUT}s per test"

# The test programs: selftests/bin if up to date, else build them, in
# place if selftests/ is writable, else under $WORK.
if [ -z "${XTCP_BIN:-}" ]; then
	if ! make -s -q -C "$DIR" >/dev/null 2>&1; then
		if [ -w "$DIR" ]; then
			make -s -C "$DIR" >"$WORK/make.log" 2>&1
		else
			make -s -C "$DIR" BINDIR="$WORK/bin" \
				>"$WORK/make.log" 2>&1 &&
				export XTCP_BIN=$WORK/bin
		fi || {
			echo "# building the test programs failed:"
			sed 's/^/# /' "$WORK/make.log"
		}
	fi
fi

echo "# test programs: ${XTCP_BIN:-$DIR/bin}"

MOD_FAILED=0
if [ -n "$MODULE" ]; then
	MODULE=$(realpath "$MODULE")
	export XTCP_MODULE=$MODULE
	MOD=$(modinfo -F name "$MODULE" 2>/dev/null)
	[ -n "$MOD" ] || MOD=$(basename "$MODULE" .ko)
	MOD=${MOD//-/_}
	if is_loaded; then
		MOD_WAS_LOADED=1
		echo "# module $MOD already loaded"
	elif [ "$XTCP_FAMILY" = xtcp ]; then
		if insmod "$MODULE" 2>"$WORK/insmod.err"; then
			echo "# loaded $MODULE"
		else
			echo "# insmod $MODULE failed:"
			sed 's/^/# /' "$WORK/insmod.err"
			MOD_FAILED=1
		fi
	fi
fi

# Each test is marked in the kernel log ("xtcp-selftests: running T"), so
# that a report there is blamed on the test that ran (here, and by
# tools/check-kernel-log on the whole console log afterwards).
kmsg_mark()
{
	echo "<5>xtcp-selftests: running $1" >/dev/kmsg 2>/dev/null
}

# kernel_reports T: 1 if the kernel log since T's mark has a report
# (tools/check-kernel-log: BUG, WARNING, KASAN, lockdep, leaks, stalls...).
CHECK=$DIR/../tools/check-kernel-log
kernel_reports()
{
	local k=$WORK/kmsg.$1

	dmesg 2>/dev/null | awk -v m="xtcp-selftests: running $1\$" \
		'$0 ~ m { n = 0; delete l } { l[n++] = $0 }
		 END { for (i = 0; i < n; i++) print l[i] }' >"$k"
	[ -s "$k" ] && [ -x "$CHECK" ] || return 0
	"$CHECK" "$k" | head -n 80 | sed 's/^/# /'
	return "${PIPESTATUS[0]}"
}

PASSED=0
FAILED=0
SKIPPED=0
if [ "$KMEMLEAK" = 1 ]; then
	echo "# kmemleak: scanning before, after each test, and after the unload"
	if ! leak_scan "the boot or the module load (before any test)"; then
		echo "not ok 0 - kmemleak before the first test"
		FAILED=$((FAILED + 1))
	fi
fi
n=0
for path in "${tests[@]}"; do
	n=$((n + 1))
	case $path in
	/*) t=$(basename "$path") ;;
	*) t=$path path=$DIR/$path ;;
	esac
	log=$WORK/$t.log
	echo "# selftests: xtcp: $t"
	kmsg_mark "$t"
	limit=$TIMEOUT
	# the netem transfers take minutes: their own, larger limit
	[ "$t" != netem.sh ] || limit=${XTCP_NETEM_TIMEOUT:-2400}
	[ "$t" != xtcprun.sh ] || limit=${XTCP_XTCPRUN_TIMEOUT:-$TIMEOUT}
	[ "$t" != ecn.sh ] || limit=${XTCP_ECN_TIMEOUT:-$TIMEOUT}
	# some 60 s on the stock kernel, 220 s on the debug one: room for a
	# slower host
	[ "$t" != realnet.sh ] || limit=${XTCP_REALNET_TIMEOUT:-600}
	timeout -k 10 "$limit" bash "$path" </dev/null 2>&1 |
		tee "$log" | sed -u 's/^/# /'
	rc=${PIPESTATUS[0]}

	# (no process substitution: the guest may have no /dev/fd)
	counts=$(awk '
		!plan && /^1\.\.[0-9]+/ { split($1, a, "."); plan = a[3] }
		/^ok [0-9]+/ { if (/# [Ss][Kk][Ii][Pp]/) s++; else p++ }
		/^not ok [0-9]+/ { f++ }
		END { print plan + 0, p + 0, f + 0, s + 0 }' "$log")
	read -r plan p f s <<<"$counts"
	if [ $((p + f + s)) -lt "$plan" ]; then
		echo "# $t: $((plan - p - f - s)) of $plan subtest(s) did not report"
		f=$((plan - p - s))
	fi
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		echo "# $t: timed out after ${limit}s"
	fi
	if ! kernel_reports "$t"; then
		echo "# $t: the kernel log has reports from this test (above)"
		f=$((f + 1))
		rc=1
	fi
	if ! leak_scan "$t"; then
		echo "# $t: kmemleak found leaks after this test"
		f=$((f + 1))
		rc=1
	fi
	if [ "$rc" = 0 ] && [ "$f" = 0 ] && [ $((p + s)) -gt 0 ]; then
		echo "ok $n - $t"
	elif [ "$rc" = 4 ] && [ "$f" = 0 ]; then
		[ $((p + s)) -gt 0 ] || s=1
		echo "ok $n - $t # SKIP"
	else
		echo "# $t: exit code $rc"
		[ "$f" -gt 0 ] || f=1
		echo "not ok $n - $t"
	fi
	PASSED=$((PASSED + p))
	FAILED=$((FAILED + f))
	SKIPPED=$((SKIPPED + s))
done

[ $MOD_FAILED = 1 ] && FAILED=$((FAILED + 1))
finish
trap - EXIT
if [ "$UNLOAD_FAILED" = 1 ]; then
	echo "not ok $((n + 1)) - unload $MOD after the tests"
	FAILED=$((FAILED + 1))
fi
if [ -n "$MOD" ] && ! leak_scan "the module's unload (after all tests)"; then
	echo "not ok $((n + 1)) - kmemleak after unloading $MOD"
	FAILED=$((FAILED + 1))
fi
echo "selftests: $PASSED passed, $FAILED failed, $SKIPPED skipped"
[ "$FAILED" = 0 ]
