# SPDX-License-Identifier: GPL-2.0
# XTCP: top-level make targets.  "make help" lists them.

ifneq ($(KERNELRELEASE),)
include $(src)/Kbuild
else

SHELL := /bin/bash
TOP := $(abspath .)
# The running kernel's build dir if present, else the newest Debian -amd64 headers.
KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
	  $(lastword $(sort $(wildcard /usr/src/linux-headers-*-amd64))))
BUILD := $(TOP)/build
SRC_FILES := Kbuild $(wildcard module/*.[ch] kunit/*.[ch] uapi/linux/*.h)

.PHONY: all modules clean deps help stock debug kunit-kernel kunit selftests \
	harness test demo bench dkms-test checkpatch sparse print-kdir

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(TOP) modules

# Out-of-tree builds for one kernel each, in build/<name>/ (a copy of the sources).
define build_for
	@mkdir -p $(BUILD)/$(1)
	@rsync -a --delete --exclude '*.o' --exclude '*.ko' --exclude '.*.cmd' \
		--exclude '*.mod*' $(SRC_FILES) --relative $(BUILD)/$(1)/ >/dev/null
	@cp Makefile $(BUILD)/$(1)/Makefile
	$(MAKE) -C $(2) M=$(BUILD)/$(1) W=1 modules
endef

stock:
	$(call build_for,stock,$(KDIR))

debug: kunit-kernel
	$(call build_for,debug,$(shell tools/kernel/build-debug-kernel --print-dir))

deps:
	@tools/deps.sh

kunit-kernel: deps
	@tools/kernel/build-debug-kernel

kunit: debug
	@tools/run-kunit build/debug

harness: debug
	@tools/harness/selftest

selftests: stock debug
	@$(MAKE) -s -C selftests
	@tools/run-selftests stock build/stock/xtcp.ko
	@tools/run-selftests debug build/debug/xtcp.ko

test: deps
	@tools/run-all-tests

demo: deps stock
	@tools/demo

bench: deps stock
	@tools/bench

dkms-test: deps
	@tools/dkms-test

print-kdir:
	@echo $(KDIR)

sparse:
	$(MAKE) -C $(KDIR) M=$(TOP) C=2 W=1 modules

checkpatch:
	@tools/checkpatch-all

clean:
	$(MAKE) -C $(KDIR) M=$(TOP) clean
	rm -rf $(BUILD)
	$(MAKE) -s -C selftests clean

help:
	@echo "make            build xtcp.ko against KDIR (default: $(KDIR))"
	@echo "make deps       install (apt) everything build and tests need"
	@echo "make demo       boot the stock kernel in QEMU and show a handshake and teardown"
	@echo "make test       everything: KUnit on the debug kernel, selftests on both kernels, dkms"
	@echo "make bench      XTCP against Linux TCP in one stock-kernel guest: throughput, CPU,"
	@echo "                latency, connection rate, memory; medians and ratios (build/logs/bench.txt)"
	@echo "make kunit      KUnit suites on the debug kernel"
	@echo "make harness    the harness's self-test: a canary module's leak, WARN and KUnit"
	@echo "                failures must fail the KUnit and selftest runners"
	@echo "make selftests  selftests on the stock and the debug kernel"
	@echo "make kunit-kernel  build (or reuse) the cached debug kernel"
	@echo "make sparse     build with sparse (C=2) and W=1"
	@echo "make dkms-test  dkms add, build, install, uninstall, remove against the newest headers"
endif
