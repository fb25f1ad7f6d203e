// SPDX-License-Identifier: GPL-2.0
/*
 * The one place XTCP's tracepoints are instantiated (module/trace.h).
 */
#include "xtcp.h"

#define CREATE_TRACE_POINTS
#include "trace.h"
