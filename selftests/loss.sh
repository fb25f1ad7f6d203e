#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Transfers across two namespaces whose veth pair drops 2 % of the packets
# in each direction (netem): the data must arrive whole and in order, by
# fast retransmit and recovery (or a timeout) on XTCP's side and by Linux's
# own recovery when Linux sends.  Family under test on one or both sides;
# every byte and a SHA-256 of the stream are checked.  Without tc or
# netem the subtests skip, or fail under make test or in CI
# (XTCP_REQUIRE_DEPS=1 or CI=true).

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

tap_plan 4
require_env
ns_setup || tap_bail "namespace setup failed"
need_or_bail tc
if ! ip netns exec "$NS1" tc qdisc add dev veth1 root netem loss 2% ||
   ! ip netns exec "$NS2" tc qdisc add dev veth2 root netem loss 2%; then
	# both kernels of make test have sch_netem
	deps_required && tap_bail "tc cannot add a netem qdisc"
	tap_bail -s "this kernel has no netem qdisc (sch_netem)"
fi
# segment in software before netem, so it drops MTU-sized packets, not
# whole 64 KiB GSO packets
if ! in_ns "$NS1" ethtool -K veth1 tso off gso off gro off >/dev/null ||
   ! in_ns "$NS2" ethtool -K veth2 tso off gso off gro off >/dev/null; then
	tap_bail "ethtool cannot turn off TSO/GSO/GRO on the veth"
fi
diag "netem loss 2% on both ends of the veth, no TSO/GSO/GRO; family $FAM"
PROG_TIMEOUT=${XTCP_PROG_TIMEOUT:-120}

F=$FAM
L=inet
bulk_test "256 KiB c2s under 2% loss, $F <-> $F" \
	"$NS1" "$F" $ADDR1 "$NS2" "$F" $ADDR1 c2s -s 256K -S "$PORT"
bulk_test "256 KiB both ways at once under 2% loss, $F <-> $F" \
	"$NS1" "$F" $ADDR1 "$NS2" "$F" $ADDR1 both -s 256K -S "$PORT"
bulk_test "256 KiB both ways under 2% loss: $F client -> $L server" \
	"$NS1" "$L" $ADDR1 "$NS2" "$F" $ADDR1 both -s 256K -S "$PORT"
bulk_test "256 KiB both ways under 2% loss: $L client -> $F server" \
	"$NS1" "$F" $ADDR1 "$NS2" "$L" $ADDR1 both -s 256K -S "$PORT"

diag_leftover_sockets

tap_finish
