#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The listen path: request socks, SYN-ACK retransmission and expiry, the
# SYN queue limit with and without SYN cookies, cookies always on, forged
# cookies, a full accept queue, clients beyond the backlog, SO_REUSEPORT.
# listen.py does the work, in a private network namespace with lo up.
#
# Environment: XTCP_FAMILY xtcp (default) or inet (Linux TCP, to check the
# tests); XTCP_TIME_SCALE stretches the time limits.  Arguments are passed
# on (names of tests to run).

exec "$(dirname "$0")/py_test.sh" listen.py --tun "$@"
