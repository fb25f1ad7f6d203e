#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# net.xtcp.* against the "Sysctls" table of Documentation/xtcp.rst, so the
# documentation stays true.  For every row of the table and every file in
# /proc/sys/net/xtcp/:
#   - the file exists, and every file has a row;
#   - in a fresh network namespace the value is the documented default;
#   - integers: the documented min and max are accepted and read back;
#     min - 1 and max + 1 are refused with EINVAL (a write to the file and
#     "sysctl -w" both fail) and leave the value as it was;
#   - a value set in one namespace is not seen in another;
#   - congestion_control: "reno" and "newreno" (read back as reno) are
#     accepted, an unknown name is refused with ENOENT;
#     available_congestion_control is read-only.
# Only namespaces this test makes are written to.  With XTCP_FAMILY=inet
# the test is skipped: Linux TCP has no net.xtcp.
#
# XTCP_DOC overrides the path of xtcp.rst; "sysctl.sh --parse" prints the
# parsed table (name default range) and exits, which needs no module.

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

export LC_ALL=C			# error messages are matched below
DOC=${XTCP_DOC:-$REPO_DIR/Documentation/xtcp.rst}
SYSDIR=${XTCP_SYSDIR:-/proc/sys/net/xtcp}	# another path only to test the test

# parse_table: the Sysctls table of $DOC as lines "name<TAB>default<TAB>range".
# The columns are cut where the "====" rule under the header line puts them.
parse_table()
{
	awk '
	function trim(s) { gsub(/^ +| +$/, "", s); gsub(/`/, "", s); return s }
	/^name \(``net\.xtcp\.``\)/ { hdr = 1; next }
	hdr == 1 && /^=+( +=+)+ *$/ {
		# column starts from the rule line
		n = 0; line = $0
		for (i = 1; i <= length(line); i++)
			if (substr(line, i, 1) == "=" &&
			    (i == 1 || substr(line, i - 1, 1) == " "))
				start[++n] = i
		hdr = 2; next
	}
	hdr == 2 && /^=+( +=+)+ *$/ { exit }
	hdr == 2 && /^``/ {
		name = trim(substr($0, start[1], start[2] - start[1]))
		def = trim(substr($0, start[2], start[3] - start[2]))
		range = trim(substr($0, start[3], start[4] - start[3]))
		printf "%s\t%s\t%s\n", name, def, range
	}' "$DOC"
}

if [ "${1:-}" = --parse ]; then
	parse_table
	exit
fi

if [ "$FAM" = inet ]; then
	tap_plan 1
	tap_skip "net.xtcp sysctls" "XTCP_FAMILY=inet: Linux TCP has no net.xtcp"
	tap_finish
fi

# (no process substitution: the guest may have no /dev/fd)
ROWS=()
table=$(parse_table)
[ -z "$table" ] || mapfile -t ROWS <<<"$table"
NUM=()		# integer rows: "name default min max"
STR=()		# other rows: "name<TAB>default<TAB>range"
for r in "${ROWS[@]}"; do
	IFS=$'\t' read -r name def range <<<"$r"
	if [[ $def =~ ^-?[0-9]+$ && $range =~ ^(-?[0-9]+)\.\.(-?[0-9]+)$ ]]; then
		NUM+=("$name $def ${BASH_REMATCH[1]} ${BASH_REMATCH[2]}")
	else
		STR+=("$r")
	fi
done

# 2 coverage checks; per integer row: default, min+max, min-1, max+1,
# namespaces; congestion_control: default, reno/newreno, unknown name,
# namespaces; available_congestion_control: value, read-only.
tap_plan $((2 + 5 * ${#NUM[@]} + 6))
[ ${#NUM[@]} -gt 0 ] || tap_bail "no Sysctls table in $DOC"
[ "$(id -u)" = 0 ] || tap_bail -s "must be run as root"
need_or_bail ip
# sysctl (procps): without it only the writes to the files are checked,
# unless make deps must have installed it (XTCP_REQUIRE_DEPS=1, CI=true)
SYSCTL=1
if ! need_cmd sysctl; then
	deps_required && tap_bail "$NEED_WHY"
	diag "$NEED_WHY: sysctl -w is not checked"
	SYSCTL=0
fi
[ -d "$SYSDIR" ] || tap_bail "$SYSDIR missing (module not loaded?)"

prefix=${XTCP_NS_PREFIX:-xtcp-st}
NS1=$prefix-$$-1
NS2=$prefix-$$-2
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
TMP_DIR=$(mktemp -d "${TMPDIR:-/tmp}/xtcp-sysctl.XXXXXX") ||
	tap_bail "mktemp failed"
if ! ip netns add "$NS1" || ! ip netns add "$NS2"; then
	tap_bail "cannot create network namespaces"
fi

# One shell per namespace reads our commands from a FIFO: a read or a
# write in a namespace then starts no process (under KASAN in an emulated
# guest, "ip netns exec" costs a second or so each time).  Its helpers:
#   r NAME        print the value, tabs and runs of spaces as one space
#   w NAME VALUE  write it; the error message, if any, on stdout
# Each command's output ends with a line "__rc=STATUS".
# shellcheck disable=SC2016 # the inner shell's variables
INNER='
cd "$1" || exit 1
r() { local v; v=$(<"$1") || return 1; v=${v//$'"'"'\t'"'"'/ }
      while [[ $v == *"  "* ]]; do v=${v//  / }; done; printf "%s\n" "$v"; }
w() { { printf "%s\n" "$2" >"$1"; } 2>&1; }
while IFS= read -r cmd; do eval "$cmd"; echo "__rc=$?"; done
'
mkfifo "$TMP_DIR/in1" "$TMP_DIR/out1" "$TMP_DIR/in2" "$TMP_DIR/out2" ||
	tap_bail "mkfifo failed"
ip netns exec "$NS1" bash -c "$INNER" _ "$SYSDIR" <"$TMP_DIR/in1" \
	>"$TMP_DIR/out1" 2>/dev/null &
BG_PIDS+=($!)
exec 7>"$TMP_DIR/in1" 8<"$TMP_DIR/out1"
ip netns exec "$NS2" bash -c "$INNER" _ "$SYSDIR" <"$TMP_DIR/in2" \
	>"$TMP_DIR/out2" 2>/dev/null &
BG_PIDS+=($!)
exec 5>"$TMP_DIR/in2" 6<"$TMP_DIR/out2"

# insh NS CMD: run CMD in NS's shell; its output in OUT, its status returned.
insh()
{
	local wfd=7 rfd=8 line rc=1

	[ "$1" = "$NS2" ] && wfd=5 rfd=6
	printf '%s\n' "$2" >&"$wfd"
	OUT=
	while IFS= read -r -t 60 line <&"$rfd"; do
		if [[ $line == __rc=* ]]; then
			rc=${line#__rc=}
			break
		fi
		OUT+=${OUT:+$'\n'}$line
	done
	return "$rc"
}

# rd NS NAME: the value (whitespace squeezed) in NS.
rd()
{
	insh "$1" "r $(printf %q "$2")" && printf '%s\n' "$OUT"
}

# wr NS NAME VALUE: write VALUE to the file in NS; status of the write,
# its error message in ERR.
wr()
{
	insh "$1" "w $(printf %q "$2") $(printf %q "$3")"
	local rc=$?

	ERR=$OUT
	return $rc
}

# sysctl_w NS NAME VALUE: the same with sysctl -w; true if it worked.
# procps' sysctl exits 0 on some refusals (a read-only key), so a
# complaint on stderr counts too.
sysctl_w()
{
	insh "$1" "sysctl -w net.xtcp.$2=$(printf %q "$3") 2>&1 >/dev/null" &&
		[ -z "$OUT" ]
}

# refused NS NAME VALUE ERRNO_TEXT: VALUE is refused with that error both
# ways and the value stays; diagnostics on failure.
refused()
{
	local ns=$1 name=$2 val=$3 text=$4 before after rc=0

	before=$(rd "$ns" "$name")
	if wr "$ns" "$name" "$val"; then
		diag "$name: writing $val succeeded"
		rc=1
	elif [[ $ERR != *"$text"* ]]; then
		diag "$name: writing $val: '$ERR', expected '$text'"
		rc=1
	fi
	if [ $SYSCTL = 1 ] && sysctl_w "$ns" "$name" "$val"; then
		diag "$name: sysctl -w net.xtcp.$name=$val succeeded"
		rc=1
	fi
	after=$(rd "$ns" "$name")
	if [ "$after" != "$before" ]; then
		diag "$name: was '$before', is '$after' after the refused write"
		rc=1
	fi
	return $rc
}

# --- coverage: documented and present are the same set
for r in "${ROWS[@]}"; do echo "${r%%$'\t'*}"; done | sort >"$TMP_DIR/doc"
insh "$NS1" "ls" && sort <<<"$OUT" >"$TMP_DIR/files"
missing=$(comm -23 "$TMP_DIR/doc" "$TMP_DIR/files" | tr '\n' ' ')
[ -z "$missing" ] || diag "documented, not in $SYSDIR: $missing"
[ -z "$missing" ]
tap_result $? "every documented sysctl exists"
extra=$(comm -13 "$TMP_DIR/doc" "$TMP_DIR/files" | tr '\n' ' ')
[ -z "$extra" ] || diag "in $SYSDIR, not in the table: $extra"
[ -z "$extra" ]
tap_result $? "every sysctl is documented"

# --- defaults first, while both namespaces are fresh
for r in "${NUM[@]}"; do
	read -r name def min max <<<"$r"
	v=$(rd "$NS1" "$name")
	[ "$v" = "$def" ] || diag "$name: '$v' in a fresh namespace"
	[ "$v" = "$def" ]
	tap_result $? "$name: default $def"
done

# --- ranges, in NS1
for r in "${NUM[@]}"; do
	read -r name def min max <<<"$r"
	rc=0
	for v in "$min" "$max"; do
		if ! wr "$NS1" "$name" "$v"; then
			diag "$name: writing $v failed: $ERR"
			rc=1
		elif [ "$(rd "$NS1" "$name")" != "$v" ]; then
			diag "$name: wrote $v, read '$(rd "$NS1" "$name")'"
			rc=1
		fi
	done
	tap_result $rc "$name: $min and $max accepted"
	# from a value inside the range, so "unchanged" means something
	wr "$NS1" "$name" "$def"
	refused "$NS1" "$name" $((min - 1)) "Invalid argument"
	tap_result $? "$name: $((min - 1)) refused with EINVAL, value kept"
	refused "$NS1" "$name" $((max + 1)) "Invalid argument"
	tap_result $? "$name: $((max + 1)) refused with EINVAL, value kept"
done

# --- namespaces: a value set in NS1 is not seen in NS2 (nor NS2's in NS1)
for r in "${NUM[@]}"; do
	read -r name def min max <<<"$r"
	v=$max
	[ "$v" != "$def" ] || v=$min
	rc=0
	wr "$NS1" "$name" "$v" || { diag "$name: writing $v: $ERR"; rc=1; }
	a=$(rd "$NS1" "$name")
	b=$(rd "$NS2" "$name")
	if [ "$a" != "$v" ] || [ "$b" != "$def" ]; then
		diag "$name: set to $v in $NS1: reads '$a' there, '$b' in $NS2"
		rc=1
	fi
	tap_result $rc "$name: a value set in one namespace is not seen in another"
done

# --- the string sysctls
row()
{
	local r

	for r in "${STR[@]}"; do
		[ "${r%%$'\t'*}" = "$1" ] && { echo "$r"; return; }
	done
}

IFS=$'\t' read -r _ cc_def _ <<<"$(row congestion_control)"
v=$(rd "$NS2" congestion_control)
rc=0
if [ -z "$cc_def" ] || [ "$v" != "$cc_def" ]; then
	diag "congestion_control: '$v', documented '$cc_def'"
	rc=1
fi
tap_result $rc "congestion_control: default ${cc_def:-(not documented)}"

rc=0
for v in reno:reno newreno:reno cubic:cubic; do
	if ! wr "$NS1" congestion_control "${v%%:*}"; then
		diag "congestion_control: writing ${v%%:*}: $ERR"
		rc=1
	elif [ "$(rd "$NS1" congestion_control)" != "${v#*:}" ]; then
		diag "congestion_control: wrote ${v%%:*}, read '$(rd "$NS1" congestion_control)'"
		rc=1
	fi
done
tap_result $rc "congestion_control: reno, newreno (reads reno), cubic accepted"

refused "$NS1" congestion_control no-such-cc "No such file or directory"
tap_result $? "congestion_control: an unknown name refused with ENOENT, value kept"

rc=0
wr "$NS1" congestion_control reno || rc=1
a=$(rd "$NS1" congestion_control)
b=$(rd "$NS2" congestion_control)
if [ $rc != 0 ] || [ "$a" != reno ] || [ "$b" != "$cc_def" ]; then
	diag "congestion_control: set to reno in $NS1: '$a' there, '$b' in $NS2"
	rc=1
fi
tap_result $rc "congestion_control: a value set in one namespace is not seen in another"

IFS=$'\t' read -r _ av_def av_range <<<"$(row available_congestion_control)"
v=$(rd "$NS2" available_congestion_control)
rc=0
if [ -z "$av_def" ] || [ "$v" != "$av_def" ]; then
	diag "available_congestion_control: '$v', documented '$av_def'"
	rc=1
fi
tap_result $rc "available_congestion_control: ${av_def:-(not documented)}"

rc=0
[ "$av_range" = read-only ] || {
	diag "available_congestion_control: documented as '$av_range'"
	rc=1
}
refused "$NS1" available_congestion_control reno "Permission denied" || rc=1
tap_result $rc "available_congestion_control: read-only (EACCES), value kept"

tap_finish
