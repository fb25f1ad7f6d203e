#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 1 MiB bulk transfers, family under test on both sides: client to
# server, server to client and both at once, over loopback and across
# two namespaces.  Every byte and a SHA-256 of the stream are checked.

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

tap_plan 7
require_env
ns_setup || tap_bail "namespace setup failed"
diag "family $FAM <-> $FAM"

F=$FAM
for dir in c2s s2c both; do
	bulk_test "bulk 1 MiB $dir over $LO" "$LNS" "$F" $LO "$LNS" "$F" $LO \
		"$dir" -s 1M -S "$PORT"
done
for dir in c2s s2c both; do
	bulk_test "bulk 1 MiB $dir across namespaces" "$NS1" "$F" $ADDR1 \
		"$NS2" "$F" $ADDR1 "$dir" -s 1M -S "$PORT"
done
bulk_test "bulk 1 MiB both across namespaces, 1000-byte writes" \
	"$NS1" "$F" $ADDR1 "$NS2" "$F" $ADDR1 both -s 1M -w 1000 -S "$PORT"

tap_finish
