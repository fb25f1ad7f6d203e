#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ECN (RFC 3168) across two namespaces joined by a veth, with Linux TCP as
# the other end where it says so:
#  - the negotiation matrix: each side's ecn sysctl (net.xtcp.ecn or
#    net.ipv4.tcp_ecn) 0, 1, 2 against the other's, for XTCP <-> XTCP,
#    XTCP client -> Linux server, Linux client -> XTCP server, and Linux
#    <-> Linux as the reference (not a subtest, see below); ECN is agreed
#    when the client has 1 and the server 1 or 2, and both ends must say
#    the same (TCP_INFO);
#  - the wire (tcpdump at the receiver): ECN-setup SYN (ECE, CWR) and
#    SYN-ACK (ECE), ECT(0) on every data segment, Not-ECT on SYNs and pure
#    ACKs; when ECT packets are dropped (netem loss 2% on ECT packets
#    only, no GSO) the retransmissions arrive, Not-ECT;
#  - congestion without loss: a qdisc marks CE on 3% of the ECT packets
#    (netem "loss 3% ecn", ECT packets only, so nothing is dropped); the
#    receiver echoes, the sender reduces its window, and no segment is
#    retransmitted, with XTCP and with Linux as sender and as receiver.
#    The sender's veth takes one segment per GSO packet (gso_max_segs 1):
#    netem marks whole skbs, and 4 MiB in 64 KiB GSO packets are some 64
#    skbs, of which 3% is none one run in seven.  XTCP_ECN_CE_SIZE sets
#    the size of these transfers (4M).  Linux's CUBIC leaves
#    slow start on its own (HyStart), which lowers ssthresh without any
#    ECE: HyStart is off for these runs, and so are Linux's tail loss
#    probes (resends without loss).  Linux with Linux is the reference:
#    its resends are shown, not judged.
#
# The Linux <-> Linux runs test no XTCP code: they are references, shown
# as "# reference:" lines with their figures, not subtests.  One that fails
# (a failed transfer, a wrong matrix, no CE mark, no window reduction)
# means the environment is broken: one "not ok" past the plan.
#
# Needs tc and tcpdump: without them the subtests skip, or fail under make
# test or in CI (XTCP_REQUIRE_DEPS=1 or CI=true), since make deps installs
# them.

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

tap_plan 8
require_env
need_or_bail tc tcpdump
ns_setup || tap_bail "namespace setup failed"
X=$FAM
L=$OTHER
diag "$X <-> $L (Linux TCP), $NS1 ($ADDR1) <-veth-> $NS2 ($ADDR2)"

# set_ecn NS FAM VALUE [FALLBACK]: the ECN sysctl of FAM in NS
set_ecn()
{
	local ns=$1 fam=$2 val=$3 knob

	if [ "$fam" = xtcp ]; then
		knob=net.xtcp.ecn
	else
		knob=net.ipv4.tcp_ecn
	fi
	in_ns "$ns" sysctl -qw "$knob=$val"
}

# info_of LOG ROLE FIELD: a field of the "ROLE: tcp_info ..." line of LOG
info_of()
{
	awk -v r="$2:" -v f="$3" \
		'$1 == r && $2 == "tcp_info" {
			for (i = 3; i < NF; i += 2) if ($i == f) v = $(i + 1)
		 }
		 END { print (v == "" ? "?" : v) }' "$1"
}

# xctr NS NAME: an XTCP counter (TcpExt or Tcp) of NS, or "" without one
xctr()
{
	in_ns "$1" awk -v n="$2" '
		/^(Tcp|TcpExt):/ && !h[$1]++ { for (i = 2; i <= NF; i++) k[$1, i] = $i; next }
		/^(Tcp|TcpExt):/ { for (i = 2; i <= NF; i++) if (k[$1, i] == n) print $i }' \
		/proc/net/xtcp_snmp 2>/dev/null
}

# matrix CLIENT_FAM SERVER_FAM: the nine settings, one transfer each;
# prints the table, returns 1 on a wrong or one-sided result
matrix()
{
	local cf=$1 sf=$2 c s want ce se row bad=0

	diag "ECN agreed, $cf client (rows: its ecn) -> $sf server (columns)"
	diag "          0  1  2"
	for c in 0 1 2; do
		row="     $c   "
		for s in 0 1 2; do
			set_ecn "$NS1" "$cf" $c
			set_ecn "$NS2" "$sf" $s
			want=0
			[ $c = 1 ] && [ $s != 0 ] && want=1
			if ! bulk_run "$NS2" "$sf" $ADDR2 "$NS1" "$cf" $ADDR2 \
				c2s -s 64K; then
				diag "transfer failed (client ecn $c, server ecn $s)"
				diag_file "$SLOG"
				diag_file "$CLOG"
				return 1
			fi
			ce=$(info_of "$CLOG" client ecn)
			se=$(info_of "$SLOG" server ecn)
			if [ "$ce" != "$se" ] || [ "$ce" != $want ]; then
				bad=1
				row+=" $ce/$se!"
			elif [ "$ce" = 1 ]; then
				row+="  E"
			else
				row+="  -"
			fi
		done
		diag "$row"
	done
	diag "(E: ECN on both ends, -: on neither; a/b! client/server said" \
		"a/b where the RFC 3168 result is another)"
	return $bad
}

# the last, Linux with Linux, is the reference (with XTCP_FAMILY=inet all
# four are Linux with Linux: the first three are then the tests' own test)
for pair in "$X $X" "$X $L" "$L $X" "$L $L ref"; do
	read -r cf sf ref <<<"$pair"
	matrix "$cf" "$sf"
	rc=$?
	if [ -n "$ref" ]; then
		reference $rc "negotiation matrix: $cf client -> $sf server" \
			"the table above"
	else
		tap_result $rc "negotiation matrix: $cf client -> $sf server"
	fi
done
set_ecn "$NS1" "$X" 1
set_ecn "$NS1" "$L" 1
set_ecn "$NS2" "$X" 2
set_ecn "$NS2" "$L" 2

# ect_qdisc NETEM...: on NS1's veth1, netem with these options for the
# ECT(0) packets only (a u32 filter on the IP ECN field); the others pass
ect_qdisc()
{
	in_ns "$NS1" tc qdisc add dev veth1 root handle 1: prio bands 3 \
		priomap 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 &&
	in_ns "$NS1" tc qdisc add dev veth1 parent 1:1 handle 10: netem "$@" &&
	in_ns "$NS1" tc filter add dev veth1 parent 1: protocol ip prio 1 u32 \
		match ip tos 0x02 0x03 flowid 1:1
}

# count_pkts FILE FILTER: packets of the capture FILE matching FILTER
count_pkts()
{
	tcpdump -nn -r "$1" "$2" 2>/dev/null | wc -l
}

PAYLOAD='(ip[2:2] - ((ip[0] & 0xf) << 2) - ((tcp[12] & 0xf0) >> 2))'

# wire_test NAME SIZE NETEM: an XTCP c2s transfer of SIZE with ECN,
# captured at the receiver; NETEM: netem options for the sender's ECT
# packets, or ""
wire_test()
{
	local name=$1 size=$2 netem=$3 cap=$TMP_DIR/ecn-$PORT.pcap pid ok=1
	local syn synack data_ect data_not pure_ect syn_ect retrans i

	# shellcheck disable=SC2086
	[ -z "$netem" ] || ect_qdisc $netem || ok=0
	in_ns "$NS2" tcpdump -nn -U -s 96 -i veth2 -w "$cap" tcp 2>"$cap.err" &
	pid=$!
	BG_PIDS+=("$pid")
	# the capture must see the SYN: wait until tcpdump listens
	for i in $(seq 100); do
		grep -q "listening on" "$cap.err" 2>/dev/null && break
		sleep 0.1
	done
	if ! bulk_run "$NS2" "$X" $ADDR2 "$NS1" "$X" $ADDR2 c2s -s "$size"; then
		diag_file "$SLOG"
		diag_file "$CLOG"
		ok=0
	fi
	sleep 0.5
	kill "$pid"
	wait "$pid" 2>/dev/null
	[ -z "$netem" ] || in_ns "$NS1" tc qdisc del dev veth1 root
	syn=$(count_pkts "$cap" "src $ADDR1 and tcp[13] & 0xd2 == 0xc2")
	synack=$(count_pkts "$cap" "src $ADDR2 and tcp[13] & 0xd2 == 0x52")
	syn_ect=$(count_pkts "$cap" "tcp[13] & 2 != 0 and ip[1] & 3 != 0")
	data_ect=$(count_pkts "$cap" "src $ADDR1 and $PAYLOAD > 0 and ip[1] & 3 == 2")
	data_not=$(count_pkts "$cap" "src $ADDR1 and $PAYLOAD > 0 and ip[1] & 3 == 0")
	pure_ect=$(count_pkts "$cap" "$PAYLOAD == 0 and ip[1] & 3 != 0")
	retrans=$(info_of "$CLOG" client total_retrans)
	diag "$name: ECN-setup SYNs $syn, SYN-ACKs with ECE $synack;" \
		"data ECT(0) $data_ect, Not-ECT $data_not (client retransmitted" \
		"$retrans); ECT on SYNs $syn_ect, on pure ACKs $pure_ect"
	[ "$syn" -ge 1 ] && [ "$synack" -ge 1 ] || ok=0
	[ "$syn_ect" = 0 ] && [ "$pure_ect" = 0 ] && [ "$data_ect" -gt 0 ] ||
		ok=0
	if [ -z "$netem" ]; then
		[ "$data_not" = 0 ] || ok=0
	else
		# only ECT packets were dropped: the retransmissions arrive, and
		# every Not-ECT data packet is one
		[ "$retrans" != "?" ] && [ "$retrans" -gt 0 ] &&
			[ "$data_not" -ge 1 ] && [ "$data_not" -le "$retrans" ] ||
			ok=0
	fi
	[ $ok = 1 ]
}

# a Linux sender's tail loss probes resend without any loss: off here (the
# senders of NS1 are Linux's with XTCP_FAMILY=inet, and in the CE runs), so
# that a resend means recovery
early_retrans=$(in_ns "$NS1" sysctl -n net.ipv4.tcp_early_retrans)
in_ns "$NS1" sysctl -qw net.ipv4.tcp_early_retrans=0
if wire_test "no loss" 2M ""; then
	tap_ok "wire: ECN-setup SYN and SYN-ACK, ECT(0) on data only"
else
	tap_not_ok "wire: ECN-setup SYN and SYN-ACK, ECT(0) on data only"
fi
# without GSO 2 MiB go in some 1400 ECT packets: at 2% some are lost
in_ns "$NS1" ethtool -K veth1 tso off gso off >/dev/null 2>&1
if wire_test "netem loss 2% of ECT packets, no GSO" 2M "loss 2%"; then
	tap_ok "wire: retransmissions are Not-ECT (netem loss 2% of ECT)"
else
	tap_not_ok "wire: retransmissions are Not-ECT (netem loss 2% of ECT)"
fi
in_ns "$NS1" ethtool -K veth1 tso on gso on >/dev/null 2>&1

# ce_run SENDER_FAM RECEIVER_FAM: a c2s transfer of XTCP_ECN_CE_SIZE
# (default 4M; 1M is still some 700 packets) through a qdisc
# that marks CE on 3% of the ECT packets; sets CE_OUT to "retrans ssthresh
# ecn ce" (not a subshell: bulk_run takes a new port each time)
ce_run()
{
	local sf=$1 rf=$2 ce0 ce1

	ce0=$(xctr "$NS2" TCPECNCeRecv)
	bulk_run "$NS2" "$rf" $ADDR2 "$NS1" "$sf" $ADDR2 c2s \
		-s "${XTCP_ECN_CE_SIZE:-4M}" || {
		diag_file "$SLOG"
		diag_file "$CLOG"
		return 1
	}
	ce1=$(xctr "$NS2" TCPECNCeRecv)
	CE_OUT="$(info_of "$CLOG" client total_retrans)"
	CE_OUT+=" $(info_of "$CLOG" client snd_ssthresh)"
	CE_OUT+=" $(info_of "$CLOG" client ecn)"
	if [ -n "$ce0" ] && [ -n "$ce1" ]; then
		CE_OUT+=" $((ce1 - ce0))"
	else
		CE_OUT+=" -"
	fi
}

# netem_stats: "PACKETS MARKED" of NS1's netem (a CE mark counts as a drop)
netem_stats()
{
	in_ns "$NS1" tc -s qdisc show dev veth1 |
		awk '/netem/ { f = 1 } f && /Sent/ {
			gsub(/[(),]/, " "); print $4, $7; exit }'
}

HYSTART=/sys/module/tcp_cubic/parameters/hystart
hystart=
if [ -w "$HYSTART" ]; then
	hystart=$(cat "$HYSTART")
	echo 0 >"$HYSTART"
fi
in_ns "$NS1" ip link set dev veth1 gso_max_segs 1
ect_qdisc loss 3% ecn || diag "cannot set up the CE-marking qdisc"
for pair in "$L $L ref" "$X $X" "$X $L" "$L $X"; do
	read -r sf rf ref <<<"$pair"
	name="CE marks, no loss: $sf sender -> $rf receiver"
	read -r pkts0 marks0 <<<"$(netem_stats)"
	if ! ce_run "$sf" "$rf"; then
		if [ -n "$ref" ]; then
			reference 1 "$name" "the transfer failed"
		else
			tap_not_ok "$name"
		fi
		continue
	fi
	read -r retrans ssth ecn ce <<<"$CE_OUT"
	read -r pkts1 marks1 <<<"$(netem_stats)"
	pkts=$((${pkts1:-0} - ${pkts0:-0}))
	marks=$((${marks1:-0} - ${marks0:-0}))
	diag "$name: ECN $ecn, retransmitted $retrans, ssthresh $ssth;" \
		"netem passed $pkts ECT packets and marked $marks CE;" \
		"CE-marked segments received ${ce} (XTCP receivers count them)"
	# ssthresh starts "infinite": it comes down only on ECE; Linux with
	# Linux is the reference, its resends are shown, not judged
	[ "$sf$rf" != "$L$L" ] || [ "$retrans" = "?" ] || retrans=0
	rc=1
	if [ "$ecn" = 1 ] && [ "$retrans" = 0 ] && [ "$marks" -gt 0 ] &&
	   [ "$ssth" != "?" ] && [ "$ssth" -lt 100000 ] &&
	   { [ "$rf" != xtcp ] || [ "$ce" != 0 ]; }
	then
		rc=0
	fi
	if [ -n "$ref" ]; then
		reference $rc "$name" "ECN $ecn, ssthresh $ssth, $marks CE marks"
	else
		tap_result $rc "$name"
	fi
done
in_ns "$NS1" tc qdisc del dev veth1 root
in_ns "$NS1" ip link set dev veth1 gso_max_segs 65535
in_ns "$NS1" sysctl -qw net.ipv4.tcp_early_retrans="$early_retrans"
[ -z "$hystart" ] || echo "$hystart" >"$HYSTART"

tap_finish
