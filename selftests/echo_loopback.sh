#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Echo over 127.0.0.1, family under test on both sides (XTCP <-> XTCP).
# Runs in a private network namespace unless XTCP_INIT_NS=1.

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

tap_plan 8
require_env
ns_setup || tap_bail "namespace setup failed"
diag "family $FAM <-> $FAM over $LO${LNS:+ (netns $LNS)}"

F=$FAM
# t NAME CONNS PARALLEL CLIENT_OPTS...
t()
{
	echo_test "$1" "$LNS" "$F" $LO "$LNS" "$F" $LO "${@:2}"
}

t "echo 1000 bytes" 1 0 -s 1000
t "echo 100 rounds of 1 byte" 1 0 -s 1 -n 100
t "echo 1 MiB, blocking I/O" 1 0 -s 1M
t "echo 2 x 1 MiB, poll() full duplex" 1 0 -s 1M -n 2 -m poll
t "echo, client bound to $LO first" 1 0 -s 5000 -b $LO
t "echo, 10 sequential connections" 10 0 -s 20000 -n 3
t "echo, 8 parallel connections" 8 1 -s 100000 -n 3
echo_test "echo, server on 0.0.0.0" \
	"$LNS" "$F" 0.0.0.0 "$LNS" "$F" $LO 1 0 -s 3000 -n 2

tap_finish
