#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The socket options about the path, on the family under test against
# Linux TCP on loopback: IP_RECVERR and MSG_ERRQUEUE (ICMP errors from a
# REJECT rule), IP_MTU, IP_MTU_DISCOVER (values, DF on the wire),
# TCP_MAXSEG (range, the MSS announced and the one used to send), a local
# link's MTU lowered under a connection, and
# SO_BINDTODEVICE on a listener, also with a VRF (tcp_l3mdev_accept; a
# second namespace over veth).  pathopts.py does the work, in a private
# network namespace (unshare -n) with lo up.
#
# Environment: XTCP_FAMILY xtcp (default) or inet (Linux TCP, to check the
# tests); XTCP_TIME_SCALE stretches the time limits.  Arguments are passed
# on (names of tests to run).

exec "$(dirname "$0")/py_test.sh" pathopts.py "$@"
