#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The family under test against Linux TCP (AF_INET), both ways round:
# XTCP client -> Linux server and Linux client -> XTCP server, with echo
# and 1 MiB bulk transfers in each direction, across two namespaces
# (veth) and over loopback.

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

tap_plan 10
require_env
ns_setup || tap_bail "namespace setup failed"
diag "$FAM <-> $OTHER (Linux TCP)"

X=$FAM
L=$OTHER
echo_test "echo: $X client -> $L server, veth" \
	"$NS1" "$L" $ADDR1 "$NS2" "$X" $ADDR1 1 0 -s 64K -n 4
echo_test "echo: $L client -> $X server, veth" \
	"$NS1" "$X" $ADDR1 "$NS2" "$L" $ADDR1 1 0 -s 64K -n 4
for dir in c2s s2c both; do
	bulk_test "bulk 1 MiB $dir: $X client -> $L server, veth" \
		"$NS1" "$L" $ADDR1 "$NS2" "$X" $ADDR1 "$dir" -s 1M -S "$PORT"
done
for dir in c2s s2c both; do
	bulk_test "bulk 1 MiB $dir: $L client -> $X server, veth" \
		"$NS1" "$X" $ADDR1 "$NS2" "$L" $ADDR1 "$dir" -s 1M -S "$PORT"
done
echo_test "echo: $X client -> $L server, $LO" \
	"$LNS" "$L" $LO "$LNS" "$X" $LO 1 0 -s 64K -n 4 -m poll
echo_test "echo: $L client -> $X server, $LO" \
	"$LNS" "$X" $LO "$LNS" "$L" $LO 1 0 -s 64K -n 4 -m poll

tap_finish
