#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tools/xtcpstat on known sockets; xtcpstat.py does the work (XTCP_FAMILY).
exec "$(dirname "$0")/py_test.sh" xtcpstat.py "$@"
