#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The socket API of the family under test against Linux TCP on loopback:
# connect variants, EAGAIN, MSG_PEEK, MSG_WAITALL, SIOCINQ/SIOCOUTQ, poll
# events, resets, EPIPE/SIGPIPE, buffer sizes, SO_ERROR.  sockapi.py does
# the work, in a private network namespace (unshare -n) with lo up.
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
# shellcheck disable=SC2016
exec unshare -n sh -c 'ip link set lo up && exec "$@"' sh \
	$PY "$DIR/sockapi.py" --family "${XTCP_FAMILY:-xtcp}" "$@"
