#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# py_test.sh SCRIPT.py [--tun] [ARG...]: run one of the Python selftests
# (lifecycle.py, recovery.py, closeorders.py, sockapi.py) the way run.sh
# expects: as root, with /usr/bin/python3, in a private network namespace
# (unshare -n) with lo up, family from XTCP_FAMILY (xtcp by default, inet for Linux TCP).
# --tun first makes sure /dev/net/tun exists (a module on the stock kernel).
# Prints a TAP SKIP and exits 4 when it cannot run: not root, or without
# /usr/bin/python3 or unshare, which make deps installs: under make test or
# in CI (XTCP_REQUIRE_DEPS=1 or CI=true) their absence is a failure.

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

DIR=$SELFTEST_DIR
PY=/usr/bin/python3
export PYTHONDONTWRITEBYTECODE=1
SCRIPT=${1:?usage: $0 SCRIPT.py [--tun] [ARG...]}
shift

if [ "$(id -u)" != 0 ]; then
	echo "TAP version 13"
	echo "1..0 # SKIP must be run as root"
	exit 4
fi
need_or_exit $PY unshare
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
