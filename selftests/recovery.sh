#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# TCP options, ACKs and loss recovery against a scripted peer over a tun
# device: SYN/SYN-ACK option layout, timestamps and PAWS, SACK and D-SACK
# blocks, delayed ACKs, fast retransmit, Nagle/TCP_NODELAY/TCP_CORK/
# MSG_MORE, TCP_CONGESTION and the initial window; ECN (RFC 3168) segment
# by segment.  recovery.py does the
# work, in a private network namespace (unshare -n) with lo up.
#
# Environment: XTCP_FAMILY xtcp (default) or inet (Linux TCP, to check the
# tests); XTCP_TIME_SCALE stretches the time limits.  Arguments are passed
# on (names of tests to run).

exec "$(dirname "$0")/py_test.sh" recovery.py --tun "$@"
