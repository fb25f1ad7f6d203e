#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The TCP connection lifecycle against a scripted peer over a tun device:
# handshakes, every close order, TIME_WAIT, RFC 5961 challenge ACKs, RSTs,
# reassembly and windows.  lifecycle.py does the work, in a private
# network namespace (unshare -n) with lo up.
#
# Environment: XTCP_FAMILY xtcp (default) or inet (Linux TCP, to check the
# tests); XTCP_TIME_SCALE stretches the time limits.  Arguments are passed
# on (names of tests to run).

DIR=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
export PYTHONDONTWRITEBYTECODE=1

if [ "$(id -u)" != 0 ]; then
	echo "TAP version 13"
	echo "1..0 # SKIP must be run as root"
	exit 4
fi
if [ ! -x $PY ] || ! command -v unshare >/dev/null; then
	echo "TAP version 13"
	echo "1..0 # SKIP needs $PY and unshare"
	exit 4
fi
# the scripted peer needs /dev/net/tun (a module on the stock kernel)
[ -e /dev/net/tun ] || modprobe tun 2>/dev/null
if [ ! -e /dev/net/tun ]; then
	mkdir -p /dev/net && mknod /dev/net/tun c 10 200 2>/dev/null
fi
# shellcheck disable=SC2016
exec unshare -n sh -c 'ip link set lo up && exec "$@"' sh \
	$PY "$DIR/lifecycle.py" --family "${XTCP_FAMILY:-xtcp}" "$@"
