#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A selftest script for the harness self-test only (tools/harness/selftest
# hands it to selftests/run.sh by path): loads the canary module with
# fault=$XTCP_CANARY_FAULT and unloads it.  It passes by itself; whatever
# the fault leaves behind (a leak, a WARN) must make the run fail.
echo "TAP version 13"
echo "1..1"
ko=${XTCP_CANARY_KO:?XTCP_CANARY_KO not set}
fault=${XTCP_CANARY_FAULT:-none}
if insmod "$ko" fault="$fault" && rmmod xtcp_canary; then
	echo "ok 1 - xtcp_canary loaded and unloaded (fault=$fault)"
	exit 0
fi
echo "not ok 1 - xtcp_canary (fault=$fault) did not load and unload"
exit 1
