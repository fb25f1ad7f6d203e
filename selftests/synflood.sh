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
# flood fills a smaller SYN queue).

PY=/usr/bin/python3
skip()
{
	echo "TAP version 13"
	echo "1..0 # SKIP $1"
	exit 4
}

[ "$(id -u)" = 0 ] || skip "must be run as root"
command -v hping3 >/dev/null || skip "hping3 not installed (make deps)"
[ -x $PY ] || skip "needs $PY"
export PYTHONDONTWRITEBYTECODE=1
fam=${XTCP_FAMILY:-xtcp}
phases=${XTCP_SYNFLOOD_PHASES:-cookies,nocookies,linux}
[ "$fam" = inet ] && phases=${XTCP_SYNFLOOD_PHASES:-cookies,nocookies}
exec $PY "$(dirname "$0")/synflood.py" --family "$fam" \
	--secs "${XTCP_SYNFLOOD_SECS:-20}" \
	--conns "${XTCP_SYNFLOOD_CONNS:-200}" --phases "$phases" \
	--backlog "${XTCP_SYNFLOOD_BACKLOG:-128}"
