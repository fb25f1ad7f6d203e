#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Echo across two network namespaces joined by veth: server in ns1
# (192.0.2.1), client in ns2 (192.0.2.2), family under test on both sides.

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

tap_plan 8
require_env
ns_setup || tap_bail "namespace setup failed"
diag "family $FAM <-> $FAM, $NS1 ($ADDR1) <-veth-> $NS2 ($ADDR2)"

F=$FAM
# t NAME CONNS PARALLEL CLIENT_OPTS...: server in ns1, client in ns2
t()
{
	echo_test "$1" "$NS1" "$F" $ADDR1 "$NS2" "$F" $ADDR1 "${@:2}"
}

t "echo 1000 bytes" 1 0 -s 1000
t "echo 100 rounds of 1 byte" 1 0 -s 1 -n 100
t "echo 1 MiB, blocking I/O" 1 0 -s 1M
t "echo 2 x 1 MiB, poll() full duplex" 1 0 -s 1M -n 2 -m poll
t "echo, client bound to $ADDR2 first" 1 0 -s 5000 -b $ADDR2
t "echo, 10 sequential connections" 10 0 -s 20000 -n 3
t "echo, 8 parallel connections" 8 1 -s 100000 -n 3
echo_test "echo, server in ns2 on 0.0.0.0, client in ns1" \
	"$NS2" "$F" 0.0.0.0 "$NS1" "$F" $ADDR2 1 0 -s 3000 -n 2

tap_finish
