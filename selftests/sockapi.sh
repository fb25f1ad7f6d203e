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

exec "$(dirname "$0")/py_test.sh" sockapi.py "$@"
