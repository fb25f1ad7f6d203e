#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What XTCP shows of itself: XTCP_INFO and TCP_INFO, /proc/net/xtcp
# columns, counters over a scripted exchange, tracepoints (once per
# transition, resets, cookies, drops, retransmissions, TIME_WAIT) and
# trace-cmd, perf and bpftrace reading them.  observe.py does the work, in a
# private network namespace (unshare -n) with lo up.
#
# Environment: XTCP_FAMILY xtcp (default) or inet (Linux TCP, to check the
# tests); XTCP_TIME_SCALE stretches the time limits.  Arguments are passed
# on (names of tests to run).

exec "$(dirname "$0")/py_test.sh" observe.py "$@"
