#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every order of closing a connection between the family under test and
# Linux TCP on loopback, the SUT as client and as server, checked segment
# by segment on a capture of lo.  closeorders.py does the work, in a
# private network namespace (unshare -n) with lo up.
#
# Environment: XTCP_FAMILY xtcp (default) or inet (Linux TCP, to check the
# tests); XTCP_TIME_SCALE stretches the time limits.  Arguments are passed
# on (names of tests to run).

exec "$(dirname "$0")/py_test.sh" closeorders.py "$@"
