#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The TCP connection lifecycle against a scripted peer over a tun device:
# handshakes, every close order, TIME_WAIT, RFC 5961 challenge ACKs, RSTs,
# reassembly, windows and timers.  lifecycle.py does the work, in a private
# network namespace (unshare -n) with lo up.
#
# Environment: XTCP_FAMILY xtcp (default) or inet (Linux TCP, to check the
# tests); XTCP_TIME_SCALE stretches the time limits.  Arguments are passed
# on (names of tests to run).

exec "$(dirname "$0")/py_test.sh" lifecycle.py --tun "$@"
