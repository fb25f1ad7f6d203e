#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Module load/unload: 10 cycles of insmod, one echo, rmmod; rmmod must
# fail while an XTCP socket is open and succeed once it is closed; lsmod
# must no longer list the module; kmemleak (where the kernel has it)
# must find no leaks.  Leaves the module loaded or unloaded as found.
#
# Needs XTCP_MODULE=/path/to/xtcp.ko (run.sh --module sets it); skips
# without it or with XTCP_FAMILY=inet.

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

CYCLES=${XTCP_MODLOAD_CYCLES:-10}
KO=${XTCP_MODULE:-}
KMEMLEAK=/sys/kernel/debug/kmemleak

tap_plan 5
[ "$FAM" = xtcp ] || tap_bail -s "XTCP_FAMILY=$FAM: no module to test"
[ -n "$KO" ] || tap_bail -s "XTCP_MODULE not set (run.sh --module PATH)"
[ "$(id -u)" = 0 ] || tap_bail -s "must be run as root"
[ -r "$KO" ] || tap_bail "module $KO not readable"
need_or_bail insmod rmmod

MOD=$(modinfo -F name "$KO" 2>/dev/null)
[ -n "$MOD" ] || MOD=$(basename "$KO" .ko)
MOD=${MOD//-/_}

is_loaded()
{
	[ -e "${XTCP_SYSFS_MODULE:-/sys/module}/$MOD/initstate" ]
}

# rmmod, retried for up to 10 s: socket teardown may finish after close().
rmmod_retry()
{
	local i

	for ((i = 0; i < 100; i++)); do
		rmmod "$MOD" 2>"$TMP_DIR/rmmod.err" && return 0
		sleep 0.1
	done
	diag_file "$TMP_DIR/rmmod.err"
	diag "refcnt $(cat "/sys/module/$MOD/refcnt" 2>/dev/null)"
	in_ns "$LNS" cat /proc/net/xtcp >"$TMP_DIR/xtcp.sockets" 2>/dev/null
	diag_file "$TMP_DIR/xtcp.sockets"
	return 1
}

# Every XTCP socket, TIME_WAIT ones included, holds a module reference:
# shorten TIME_WAIT (2 * net.xtcp.msl) to 2 s in the namespace the tests
# use, so that rmmod can succeed soon after a connection closed.
insmod_msl()
{
	insmod "$KO" 2>"$TMP_DIR/insmod.err" || return 1
	in_ns "$LNS" sh -c 'echo 1 >/proc/sys/net/xtcp/msl' 2>/dev/null
	return 0
}

WAS_LOADED=0
is_loaded && WAS_LOADED=1
DEBUGFS_MOUNTED=0

# Put the module back the way it was found (EXIT trap).
# shellcheck disable=SC2317
restore()
{
	if [ "$WAS_LOADED" = 1 ] && ! is_loaded; then
		insmod "$KO" || diag "could not re-load $KO"
	elif [ "$WAS_LOADED" = 0 ] && is_loaded; then
		rmmod_retry || diag "could not unload $MOD"
	fi
	[ "$DEBUGFS_MOUNTED" = 1 ] && umount /sys/kernel/debug
	cleanup
}

TMP_DIR=$(mktemp -d "${TMPDIR:-/tmp}/xtcp-selftest.XXXXXX") ||
	tap_bail "mktemp failed"
trap restore EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
for p in xtcp_echo xtcp_bulk xtcp_bind; do
	[ -x "$BIN/$p" ] || tap_bail "$BIN/$p missing: run 'make -C selftests'"
done
ns_setup || tap_bail "namespace setup failed"
diag "module $MOD from $KO (loaded at start: $WAS_LOADED)"

if [ "$WAS_LOADED" = 1 ] && ! rmmod_retry; then
	tap_bail "cannot unload $MOD to start with (in use?)"
fi

# kmemleak: nothing from before is forgotten here.  run.sh scans (and
# marks as seen) after each test, so under run.sh case 5 sees what this
# test leaked; run alone, it also sees anything leaked before it.
SCAN=$REPO_DIR/tools/kmemleak-scan
if [ ! -e $KMEMLEAK ] && grep -qw debugfs /proc/filesystems &&
   ! mountpoint -q /sys/kernel/debug; then
	mount -t debugfs none /sys/kernel/debug 2>/dev/null &&
		DEBUGFS_MOUNTED=1
fi

# 1: load, one echo, unload, CYCLES times
rc=0
for ((i = 1; i <= CYCLES; i++)); do
	if ! insmod_msl; then
		diag "cycle $i: insmod failed"
		diag_file "$TMP_DIR/insmod.err"
		rc=1
		break
	fi
	if ! echo_run "$LNS" xtcp $LO "$LNS" xtcp $LO 1 0 -s 10000; then
		diag "cycle $i: echo failed"
		diag "--- server:"
		diag_file "$SLOG"
		diag "--- client:"
		diag_file "$CLOG"
		rc=1
	fi
	if ! rmmod_retry; then
		diag "cycle $i: rmmod failed"
		rc=1
		break
	fi
done
diag "$((i > CYCLES ? CYCLES : i)) cycle(s) run"
tap_result $rc "$CYCLES x (insmod, echo, rmmod)"

# 2: rmmod must fail while a socket is open (a listening echo server)
rc=1
spid=
if is_loaded; then
	diag "module still loaded after test 1"
	in_ns "$LNS" sh -c 'echo 1 >/proc/sys/net/xtcp/msl' 2>/dev/null
fi
if is_loaded || insmod_msl; then
	next_port
	start_bg "$TMP_DIR/holder.log" "$LNS" "$BIN/xtcp_echo" server \
		-f xtcp -a $LO -p "$PORT" -n 1 -t "$PROG_TIMEOUT"
	spid=$BG_PID
	if wait_port "$LNS" "$PORT" "$spid" xtcp; then
		if rmmod "$MOD" 2>"$TMP_DIR/rmmod.err"; then
			diag "rmmod succeeded with a listening socket open"
		elif ! is_loaded; then
			diag "rmmod failed but the module is gone"
		else
			diag "rmmod refused: $(head -1 "$TMP_DIR/rmmod.err")"
			if grep -qiE 'in use|busy' "$TMP_DIR/rmmod.err"; then
				rc=0
			else
				diag "(expected 'in use' or EBUSY)"
			fi
		fi
	fi
else
	diag_file "$TMP_DIR/insmod.err"
fi
tap_result $rc "rmmod refused while an XTCP socket is open"

# 3: finish the server's connection; then rmmod must succeed
rc=1
if [ -n "$spid" ] && is_loaded; then
	if in_ns "$LNS" "$BIN/xtcp_echo" client -f xtcp -a $LO -p "$PORT" \
		-t "$PROG_TIMEOUT" >"$TMP_DIR/client.log" 2>&1 &&
	   wait_bg "$spid"; then
		rmmod_retry && ! is_loaded && rc=0
	else
		diag "echo with the holding server failed"
		diag_file "$TMP_DIR/holder.log"
		diag_file "$TMP_DIR/client.log"
		kill "$spid" 2>/dev/null
		wait_bg "$spid" 2
		rmmod_retry
	fi
fi
[ -n "$spid" ] && ! is_loaded && [ $rc = 1 ] && diag "module already gone"
tap_result $rc "rmmod succeeds after the socket is closed"

# 4: gone from lsmod and /sys/module, and AF_XTCP is gone
rc=0
if is_loaded; then
	diag "/sys/module/$MOD still there"
	rc=1
fi
if [ -r /proc/modules ] && lsmod | awk '{ print $1 }' | grep -qx "$MOD"; then
	diag "lsmod still lists $MOD"
	rc=1
fi
if "$BIN/xtcp_echo" probe -f xtcp >/dev/null 2>&1; then
	diag "socket(AF_XTCP) still works after rmmod"
	rc=1
fi
tap_result $rc "module gone: lsmod, /sys/module, socket(AF_XTCP)"

# 5: kmemleak (kmemleak-scan: 0 no leak, 1 leaks, 77 skip)
if [ ! -e $KMEMLEAK ]; then
	tap_skip "kmemleak finds no leaks" "kernel without kmemleak"
elif [ ! -x "$SCAN" ]; then
	tap_skip "kmemleak finds no leaks" "tools/kmemleak-scan not found"
else
	"$SCAN" >"$TMP_DIR/kmemleak.out" 2>&1
	rc=$?
	diag_file "$TMP_DIR/kmemleak.out"
	case $rc in
	0) tap_ok "kmemleak finds no leaks" ;;
	77 | 4) tap_skip "kmemleak finds no leaks" "kmemleak-scan skipped" ;;
	*) tap_not_ok "kmemleak finds no leaks" ;;
	esac
fi

tap_finish
