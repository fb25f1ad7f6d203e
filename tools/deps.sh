#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/deps.sh: install with apt everything XTCP's build and tests need.
# Idempotent and quiet when everything is already installed.
set -eu

PKGS=(
	# build the module against the stock kernel, and sparse/dkms checks
	build-essential linux-headers-amd64 sparse dkms kmod
	# the stock kernel to boot, and the source of the debug kernel
	linux-image-amd64 linux-source
	bc bison flex libelf-dev libssl-dev dwarves cpio rsync xz-utils zstd
	# the VM runner and the guest's userland
	qemu-system-x86 busybox-static iproute2 python3 procps tcpdump ethtool
	util-linux coreutils
	# the SYN flood of selftests/synflood.sh
	hping3
	# tracepoint consumers (selftests/observe.sh), the man page lint
	trace-cmd linux-perf bpftrace mandoc groff-base
	# unmodified programs over XTCP (selftests/xtcprun.sh)
	iperf3 socat nginx-light curl
	# routed paths, NAT and stateful firewalls (selftests/realnet.sh)
	iptables nftables conntrack
)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}"
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
echo "deps: done"
