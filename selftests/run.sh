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
# --module loads the module first (insmod, unless already loaded) and
# hands it to modload.sh; the module is left loaded or unloaded as found.
# With XTCP_FAMILY=inet every test uses Linux TCP on both sides, to check
# the tests themselves.  Writes only under $TMPDIR (default /tmp): the
# programs are built there when selftests/ is read-only and selftests/bin
# is missing or stale.

set -u

DIR=$(cd "$(dirname "$0")" && pwd)
ALL_TESTS=(echo_loopback.sh echo_netns.sh bulk.sh interop.sh loss.sh netem.sh listen.sh synflood.sh
	   bind.sh lifecycle.sh recovery.sh ecn.sh closeorders.sh sockapi.sh
	   observe.sh xtcpstat.sh xtcprun.sh sysctl.sh
	   modload.sh)

usage()
{
	echo "usage: $0 [--module PATH/xtcp.ko] [TEST...]"
	echo "tests: ${ALL_TESTS[*]}"
	echo "env:   XTCP_FAMILY=xtcp|inet (default xtcp), XTCP_TEST_TIMEOUT,"
	echo "       XTCP_TIME_SCALE (stretches the time limits of the Python tests),"
	echo "       XTCP_NETEM_TIMEOUT (limit of netem.sh, default 2400 s),"
	echo "       XTCP_XTCPRUN_TIMEOUT (limit of xtcprun.sh), XTCP_ECN_TIMEOUT"
	echo "       (limit of ecn.sh), and"
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

	# Put the module back as found.
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

PASSED=0
FAILED=0
SKIPPED=0
n=0
for t in "${tests[@]}"; do
	n=$((n + 1))
	log=$WORK/$t.log
	echo "# selftests: xtcp: $t"
	limit=$TIMEOUT
	# the netem transfers take minutes: their own, larger limit
	[ "$t" != netem.sh ] || limit=${XTCP_NETEM_TIMEOUT:-2400}
	[ "$t" != xtcprun.sh ] || limit=${XTCP_XTCPRUN_TIMEOUT:-$TIMEOUT}
	[ "$t" != ecn.sh ] || limit=${XTCP_ECN_TIMEOUT:-$TIMEOUT}
	timeout -k 10 "$limit" bash "$DIR/$t" </dev/null 2>&1 |
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
echo "selftests: $PASSED passed, $FAILED failed, $SKIPPED skipped"
[ "$FAILED" = 0 ]
