#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# SYN flood: hping3 floods a listener with spoofed SYNs from one network
# namespace while a real client in another opens 200 connections; with
# SYN cookies all must succeed and the request socks stay bounded;
# without, the counters show the drops; Linux TCP's listener gets the
# same flood for comparison.  synflood.py does the work.
#
# Environment: XTCP_FAMILY xtcp (default) or inet; XTCP_SYNFLOOD_SECS
# (flood length, default 20), XTCP_SYNFLOOD_CONNS (default 200),
# XTCP_SYNFLOOD_PHASES (default cookies,nocookies,linux; see synflood.py),
# XTCP_SYNFLOOD_BACKLOG (the server's listen() backlog, default 128: a slow
# flood fills a smaller SYN queue).  The Linux phase is a reference
# ("# reference:" lines), not subtests.
#
# Without hping3 or /usr/bin/python3 the test skips, or fails under make
# test or in CI (XTCP_REQUIRE_DEPS=1 or CI=true): make deps installs them.

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
if [ "$(id -u)" != 0 ]; then
	echo "TAP version 13"
	echo "1..0 # SKIP must be run as root"
	exit 4
fi
need_or_exit hping3 $PY
export PYTHONDONTWRITEBYTECODE=1
fam=${XTCP_FAMILY:-xtcp}
phases=${XTCP_SYNFLOOD_PHASES:-cookies,nocookies,linux}
[ "$fam" = inet ] && phases=${XTCP_SYNFLOOD_PHASES:-cookies,nocookies}
exec $PY "$(dirname "$0")/synflood.py" --family "$fam" \
	--secs "${XTCP_SYNFLOOD_SECS:-20}" \
	--conns "${XTCP_SYNFLOOD_CONNS:-200}" --phases "$phases" \
	--backlog "${XTCP_SYNFLOOD_BACKLOG:-128}"
