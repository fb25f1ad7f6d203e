#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# py_test.sh SCRIPT.py [--tun] [ARG...]: run one of the Python selftests
# (lifecycle.py, recovery.py, closeorders.py, sockapi.py) the way run.sh
# expects: as root, with /usr/bin/python3, in a private network namespace
# (unshare -n) with lo up, family from XTCP_FAMILY (xtcp by default, inet for Linux TCP).
# --tun first makes sure /dev/net/tun exists (a module on the stock kernel).
# Prints a TAP SKIP and exits 4 when it cannot run.

DIR=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
export PYTHONDONTWRITEBYTECODE=1
SCRIPT=${1:?usage: $0 SCRIPT.py [--tun] [ARG...]}
shift

skip()
{
	echo "TAP version 13"
	echo "1..0 # SKIP $1"
	exit 4
}

[ "$(id -u)" = 0 ] || skip "must be run as root"
if [ ! -x $PY ] || ! command -v unshare >/dev/null; then
	skip "needs $PY and unshare"
fi
if [ "${1:-}" = --tun ]; then
	shift
	[ -e /dev/net/tun ] || modprobe tun 2>/dev/null
	if [ ! -e /dev/net/tun ]; then
		mkdir -p /dev/net && mknod /dev/net/tun c 10 200 2>/dev/null
	fi
fi
# shellcheck disable=SC2016
exec unshare -n sh -c 'ip link set lo up && exec "$@"' sh \
	$PY "$DIR/$SCRIPT" --family "${XTCP_FAMILY:-xtcp}" "$@"
