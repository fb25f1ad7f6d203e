#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers sourced by the XTCP selftest scripts: TAP output, network
# namespaces, background servers, the client/server test pairs.
#
# Environment:
#   XTCP_FAMILY   xtcp (default) or inet: the family under test.  inet
#                 means "everything Linux TCP", to check the tests.
#   XTCP_BIN      directory of the test programs (default selftests/bin)
#   XTCP_INIT_NS  1: run the loopback tests in the current namespace
#                 instead of a private one
#   XTCP_PROG_TIMEOUT  time limit of one test program, seconds (30)
#   XTCP_REQUIRE_DEPS  1 (make test sets it; CI=true does the same): a
#                 program that "make deps" installs is required, its
#                 absence fails the subtests that need it instead of
#                 skipping them
#   TMPDIR        where temporary files go (default /tmp)

# Variables here are used by the scripts that source this file:
# shellcheck disable=SC2034

set -u

KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4

SELFTEST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$SELFTEST_DIR/.." && pwd)
BIN=${XTCP_BIN:-$SELFTEST_DIR/bin}
XTCP_FAMILY=${XTCP_FAMILY:-xtcp}
FAM=$XTCP_FAMILY	# family under test
OTHER=inet		# Linux TCP, the interop peer
PROG_TIMEOUT=${XTCP_PROG_TIMEOUT:-30}

# TEST-NET-1 addresses of the two namespaces, and loopback
ADDR1=192.0.2.1
ADDR2=192.0.2.2
LO=127.0.0.1

NS1=
NS2=
LNS=		# namespace of the loopback tests ("" = current one)
BG_PIDS=()
TMP_DIR=
SLOG=
CLOG=
PORT=${XTCP_PORT_BASE:-20000}

# ---------------------------------------------------------------- TAP

TAP_PLAN=0
TAP_NUM=0
TAP_PASS=0
TAP_FAIL=0
TAP_SKIP=0

tap_plan()
{
	TAP_PLAN=$1
	echo "TAP version 13"
	echo "1..$TAP_PLAN"
}

diag()
{
	echo "# $*"
}

# Print a file as TAP diagnostics.
diag_file()
{
	[ -s "$1" ] && sed 's/^/# /' "$1"
	return 0
}

tap_ok()
{
	TAP_NUM=$((TAP_NUM + 1))
	TAP_PASS=$((TAP_PASS + 1))
	echo "ok $TAP_NUM - $1"
}

tap_not_ok()
{
	TAP_NUM=$((TAP_NUM + 1))
	TAP_FAIL=$((TAP_FAIL + 1))
	echo "not ok $TAP_NUM - $1"
}

tap_skip()
{
	TAP_NUM=$((TAP_NUM + 1))
	TAP_SKIP=$((TAP_SKIP + 1))
	echo "ok $TAP_NUM - $1 # SKIP $2"
}

# tap_result RC NAME: 0 is ok, 4 is a skip, anything else a failure.
tap_result()
{
	case $1 in
	0) tap_ok "$2" ;;
	4) tap_skip "$2" "${3:-}" ;;
	*) tap_not_ok "$2" ;;
	esac
}

# End of script: exit 1 if anything failed or is missing, 4 if all
# skipped, else 0.  A failed reference run (see reference) adds one
# "not ok" past the plan.
tap_finish()
{
	while [ "$TAP_NUM" -lt "$TAP_PLAN" ]; do
		tap_not_ok "(not run)"
	done
	if [ ${#REF_FAILED[@]} -gt 0 ]; then
		local IFS=,
		tap_not_ok "reference run failed: the environment, not XTCP (${REF_FAILED[*]})"
	fi
	diag "Totals: pass:$TAP_PASS fail:$TAP_FAIL skip:$TAP_SKIP"
	[ "$TAP_FAIL" -gt 0 ] && exit $KSFT_FAIL
	[ "$TAP_PASS" -eq 0 ] && [ "$TAP_SKIP" -gt 0 ] && exit $KSFT_SKIP
	exit $KSFT_PASS
}

# Give up: the remaining planned subtests fail (or skip, with -s).
tap_bail()
{
	local skip=0

	[ "$1" = "-s" ] && { skip=1; shift; }
	diag "$*"
	while [ "$TAP_NUM" -lt "$TAP_PLAN" ]; do
		if [ $skip = 1 ]; then
			tap_skip "(not run)" "$*"
		else
			tap_not_ok "(not run: $*)"
		fi
	done
	tap_finish
}

# ---------------------------------------------------------- references

# A run with Linux TCP at both ends tests no XTCP code: it is a reference,
# shown as "# reference: ..." lines with its figures, neither a subtest
# nor in the plan.  A reference that fails means the test environment is
# broken (veth, netem, the test programs), not XTCP: tap_finish reports it
# as one "not ok" past the plan, so that it cannot pass silently.
REF_FAILED=()

# reference RC WHAT [FIGURES...]: the outcome of the reference run WHAT.
reference()
{
	local rc=$1 what=$2

	shift 2
	if [ "$rc" = 0 ]; then
		diag "reference: $what${*:+: $*}"
	else
		diag "reference: $what: FAILED${*:+ ($*)}"
		REF_FAILED+=("$what")
	fi
}

# ------------------------------------------------------- prerequisites

# deps_required: true where a program that "make deps" (tools/deps.sh)
# installs must be there: under make test (XTCP_REQUIRE_DEPS=1) and in CI
# (CI=true).
deps_required()
{
	[ "${XTCP_REQUIRE_DEPS:-0}" = 1 ] || [ "${CI:-}" = true ]
}

# need_cmd CMD...: 0 if every CMD is installed (a name in PATH or an
# executable path).  Otherwise NEED_WHY says which one is missing, and the
# status is 4 (skip) or, where deps_required, 1 (failure).
need_cmd()
{
	local c

	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 && continue
		NEED_WHY="$c not installed, and make deps installs it"
		deps_required && return $KSFT_FAIL
		return $KSFT_SKIP
	done
	return 0
}

# tap_need RC NAME: the TAP line of subtest NAME, not run because need_cmd
# returned RC: a skip, or a failure with the reason.
tap_need()
{
	if [ "$1" = $KSFT_SKIP ]; then
		tap_skip "$2" "$NEED_WHY"
	else
		tap_not_ok "$2: $NEED_WHY"
	fi
}

# need_or_bail CMD...: after tap_plan: unless every CMD is installed, the
# remaining subtests skip, or fail where deps_required, and the script
# ends.
need_or_bail()
{
	local rc

	need_cmd "$@" && return 0
	rc=$?
	[ $rc = $KSFT_SKIP ] && tap_bail -s "$NEED_WHY"
	tap_bail "$NEED_WHY"
}

# need_or_exit CMD...: for a script that leaves its TAP to a program,
# before any output: unless every CMD is installed, print a TAP skip of the
# whole script ("1..0 # SKIP") and exit 4, or, where deps_required, one
# failed subtest and exit 1.
need_or_exit()
{
	local rc

	need_cmd "$@" && return 0
	rc=$?
	echo "TAP version 13"
	if [ $rc = $KSFT_SKIP ]; then
		echo "1..0 # SKIP $NEED_WHY"
	else
		echo "1..1"
		echo "not ok 1 - $(basename "$0"): $NEED_WHY"
	fi
	exit $rc
}

# require_env: root, the programs, a known family, AF_XTCP available.
# Call after tap_plan.
require_env()
{
	local p

	case $FAM in
	xtcp | inet) ;;
	*) tap_bail "XTCP_FAMILY must be xtcp or inet, not '$FAM'" ;;
	esac
	[ "$(id -u)" = 0 ] || tap_bail -s "must be run as root"
	need_or_bail ip
	for p in xtcp_echo xtcp_bulk xtcp_bind; do
		[ -x "$BIN/$p" ] ||
			tap_bail "$BIN/$p missing: run 'make -C selftests'"
	done
	if ! "$BIN/xtcp_echo" probe -f "$FAM" >/dev/null 2>&1; then
		tap_bail "socket family $FAM not available (module not loaded?)"
	fi
	TMP_DIR=$(mktemp -d "${TMPDIR:-/tmp}/xtcp-selftest.XXXXXX") ||
		tap_bail "mktemp failed"
	trap cleanup EXIT
	trap 'exit 143' TERM
	trap 'exit 130' INT
}

# ---------------------------------------------------------- namespaces

# in_ns NS CMD...: run CMD in namespace NS ("" = the current one).
in_ns()
{
	local ns=$1

	shift
	if [ -n "$ns" ]; then
		ip netns exec "$ns" "$@"
	else
		"$@"
	fi
}

# Two namespaces joined by a veth pair: NS1 has 192.0.2.1/24, NS2 has
# 192.0.2.2/24, both have lo up.  LNS is the loopback tests' namespace.
ns_setup()
{
	local prefix=${XTCP_NS_PREFIX:-xtcp-st}
	local i

	NS1=$prefix-$$-1
	NS2=$prefix-$$-2
	ip netns add "$NS1" || return 1
	ip netns add "$NS2" || return 1
	ip -n "$NS1" link set lo up || return 1
	ip -n "$NS2" link set lo up || return 1
	ip -n "$NS1" link add veth1 type veth peer name veth2 \
		netns "$NS2" || return 1
	ip -n "$NS1" addr add $ADDR1/24 dev veth1 || return 1
	ip -n "$NS2" addr add $ADDR2/24 dev veth2 || return 1
	ip -n "$NS1" link set veth1 up || return 1
	ip -n "$NS2" link set veth2 up || return 1
	for i in $(seq 50); do
		ip -n "$NS1" link show veth1 | grep -q LOWER_UP &&
			ip -n "$NS2" link show veth2 | grep -q LOWER_UP &&
			break
		sleep 0.1
	done
	# a short TIME_WAIT (2 * msl = 2 s), so the module can be unloaded
	# soon after the tests (each XTCP socket holds a module reference)
	for i in "$NS1" "$NS2"; do
		ip netns exec "$i" sh -c \
			'f=/proc/sys/net/xtcp/msl; [ ! -w $f ] || echo 1 >$f'
	done
	if [ "${XTCP_INIT_NS:-0}" = 1 ]; then
		LNS=
	else
		LNS=$NS1
	fi
	return 0
}

# Kill our background processes, delete our namespaces and files.
cleanup()
{
	local pid

	for pid in "${BG_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	for pid in "${BG_PIDS[@]}"; do
		wait "$pid" 2>/dev/null
	done
	BG_PIDS=()
	[ -n "$NS1" ] && ip netns del "$NS1" 2>/dev/null
	[ -n "$NS2" ] && ip netns del "$NS2" 2>/dev/null
	NS1=
	NS2=
	[ -n "$TMP_DIR" ] && rm -rf "$TMP_DIR"
	TMP_DIR=
}

# ------------------------------------------------------------- servers

next_port()
{
	PORT=$((PORT + 1))
}

# start_bg LOG NS CMD...: start CMD in NS in the background; pid in BG_PID.
start_bg()
{
	local log=$1 ns=$2

	shift 2
	in_ns "$ns" "$@" >"$log" 2>&1 &
	BG_PID=$!
	BG_PIDS+=("$BG_PID")
}

# wait_bg PID [SECS]: wait (bounded) for a background process, return its
# status; a process still running after SECS (default PROG_TIMEOUT) is
# killed and counts as failed.
wait_bg()
{
	local pid=$1 secs=${2:-$PROG_TIMEOUT} i

	for ((i = 0; i < secs * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		diag "pid $pid still running after ${secs}s, killing it"
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		return $KSFT_FAIL
	fi
	wait "$pid"
}

# wait_port NS PORT PID FAM: wait until PID (of family FAM) listens on
# PORT in NS.  Polls /proc/net/xtcp (FAM xtcp) or /proc/net/tcp (inet),
# whose state 0A is LISTEN.  Fails early if PID died, or if the file
# cannot be read: the clients connect only once, after this.
wait_port()
{
	local ns=$1 port=$2 pid=$3 fam=$4 hex i file=/proc/net/tcp

	[ "$fam" = xtcp ] && file=/proc/net/xtcp
	hex=$(printf '%04X' "$port")
	if ! in_ns "$ns" test -r "$file"; then
		diag "cannot read $file${ns:+ in $ns}"
		return 1
	fi
	for ((i = 0; i < 100; i++)); do
		if ! kill -0 "$pid" 2>/dev/null; then
			diag "server (pid $pid) exited before listening"
			return 1
		fi
		in_ns "$ns" cat "$file" 2>/dev/null |
			awk -v p=":$hex" \
			'toupper($2) ~ p "$" && $4 == "0A" { f = 1 }
			 END { exit !f }' && return 0
		sleep 0.1
	done
	diag "nothing listens on port $port in $file after 10 s"
	return 1
}

# ------------------------------------------------------ test pairs

# echo_run SERVER_NS SERVER_FAM SERVER_ADDR CLIENT_NS CLIENT_FAM \
#	   DST_ADDR CONNS PARALLEL [CLIENT_OPTS...]
# Server accepts CONNS connections; CONNS clients run one after the
# other, or all at once if PARALLEL is 1.  Returns 0 if all went well;
# the logs are in SLOG and CLOG.
echo_run()
{
	local sns=$1 sfam=$2 saddr=$3 cns=$4 cfam=$5 dst=$6
	local conns=$7 par=$8
	local slog clog spid rc=0 i pids=()

	shift 8
	next_port
	slog=$TMP_DIR/echo-server.$PORT
	clog=$TMP_DIR/echo-client.$PORT
	SLOG=$slog
	CLOG=$clog
	: >"$clog"
	start_bg "$slog" "$sns" "$BIN/xtcp_echo" server -f "$sfam" \
		-a "$saddr" -p "$PORT" -n "$conns" -t "$PROG_TIMEOUT"
	spid=$BG_PID
	if wait_port "$sns" "$PORT" "$spid" "$sfam"; then
		for ((i = 0; i < conns; i++)); do
			if [ "$par" = 1 ]; then
				in_ns "$cns" "$BIN/xtcp_echo" client \
					-f "$cfam" -a "$dst" -p "$PORT" \
					-S $((i * 1000)) -t "$PROG_TIMEOUT" \
					"$@" >>"$clog.$i" 2>&1 &
				pids+=($!)
			else
				in_ns "$cns" "$BIN/xtcp_echo" client \
					-f "$cfam" -a "$dst" -p "$PORT" \
					-S $((i * 1000)) -t "$PROG_TIMEOUT" \
					"$@" >>"$clog" 2>&1 || rc=1
			fi
		done
		for ((i = 0; i < ${#pids[@]}; i++)); do
			wait "${pids[$i]}" || rc=1
			cat "$clog.$i" >>"$clog"
		done
	else
		rc=1
	fi
	# A failed client may leave the server waiting: do not wait long.
	if [ $rc = 0 ]; then
		wait_bg "$spid" || rc=1
	else
		wait_bg "$spid" 2 || true
	fi
	return $rc
}

# echo_test NAME ARGS...: echo_run ARGS as a TAP subtest.
echo_test()
{
	local name=$1 rc

	shift
	echo_run "$@"
	rc=$?
	report "$rc" "$name" "$SLOG" "$CLOG" "echoed ok|connection\(s\) ok"
}

# bulk_run SERVER_NS SERVER_FAM SERVER_ADDR CLIENT_NS CLIENT_FAM \
#	   DST_ADDR DIR [CLIENT_OPTS...]
# One xtcp_bulk transfer; returns 0 if all went well; logs in SLOG, CLOG.
bulk_run()
{
	local sns=$1 sfam=$2 saddr=$3 cns=$4 cfam=$5 dst=$6 dir=$7
	local slog clog spid rc=0

	shift 7
	next_port
	slog=$TMP_DIR/bulk-server.$PORT
	clog=$TMP_DIR/bulk-client.$PORT
	SLOG=$slog
	CLOG=$clog
	: >"$clog"
	start_bg "$slog" "$sns" "$BIN/xtcp_bulk" server -f "$sfam" \
		-a "$saddr" -p "$PORT" -t "$PROG_TIMEOUT"
	spid=$BG_PID
	if wait_port "$sns" "$PORT" "$spid" "$sfam"; then
		in_ns "$cns" "$BIN/xtcp_bulk" client -f "$cfam" -a "$dst" \
			-p "$PORT" -d "$dir" -t "$PROG_TIMEOUT" "$@" \
			>"$clog" 2>&1 || rc=1
	else
		rc=1
	fi
	if [ $rc = 0 ]; then
		wait_bg "$spid" || rc=1
	else
		wait_bg "$spid" 2 || true
	fi
	return $rc
}

# diag_leftover_sockets: once TIME_WAIT (2 s in these tests) is over, show
# what XTCP sockets the two namespaces still hold.
diag_leftover_sockets()
{
	local ns left

	sleep 3
	for ns in "$NS1" "$NS2"; do
		left=$(in_ns "$ns" sh -c 'tail -n +2 /proc/net/xtcp 2>/dev/null')
		[ -z "$left" ] || diag "$ns: XTCP sockets left: $left"
	done
}

# bulk_test NAME ARGS...: bulk_run ARGS as a TAP subtest.
bulk_test()
{
	local name=$1 rc

	shift
	bulk_run "$@"
	rc=$?
	report "$rc" "$name" "$SLOG" "$CLOG" "sha256| done in"
}

# report RC NAME SERVER_LOG CLIENT_LOG PATTERN: the TAP line, with the
# logs as diagnostics (all of them on failure, PATTERN lines otherwise).
report()
{
	local rc=$1 name=$2 slog=$3 clog=$4 pat=$5

	if [ "$rc" = 0 ]; then
		cat "$slog" "$clog" | grep -E "$pat" | sed 's/^/# /'
		tap_ok "$name"
	else
		diag "--- server:"
		diag_file "$slog"
		diag "--- client:"
		diag_file "$clog"
		tap_not_ok "$name"
	fi
}
