#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bind()/connect() error cases of the family under test, alone and
# against Linux TCP (xtcp_bind -f FAM -g inet), on 127.0.0.1 and on the
# veth address 192.0.2.1 of a private namespace.

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

n=$("$BIN/xtcp_bind" -N 2>/dev/null) || n=15
tap_plan $((2 * n))
require_env
ns_setup || tap_bail "namespace setup failed"

off=0
for a in "$LO:$LNS" "$ADDR1:$NS1"; do
	addr=${a%%:*}
	ns=${a#*:}
	diag "xtcp_bind -f $FAM -g $OTHER -a $addr${ns:+ (netns $ns)}"
	in_ns "$ns" "$BIN/xtcp_bind" -f "$FAM" -g "$OTHER" -a "$addr" -t 5 \
		-o $off 2>&1 | tee "$TMP_DIR/bind.$off"
	# the program printed the TAP lines: count them for tap_finish
	TAP_NUM=$((TAP_NUM + $(grep -cE '^(not )?ok ' "$TMP_DIR/bind.$off")))
	TAP_FAIL=$((TAP_FAIL + $(grep -c '^not ok ' "$TMP_DIR/bind.$off")))
	TAP_SKIP=$((TAP_SKIP + $(grep -cE '^ok .*# SKIP' "$TMP_DIR/bind.$off")))
	TAP_PASS=$((TAP_PASS + $(grep -E '^ok ' "$TMP_DIR/bind.$off" |
		grep -vc '# SKIP')))
	off=$((off + n))
	while [ "$TAP_NUM" -lt "$off" ]; do
		tap_not_ok "(xtcp_bind -a $addr did not report)"
	done
done

tap_finish
