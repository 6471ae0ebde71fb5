# SPDX-License-Identifier: GPL-2.0
#
# netctx: make            build the module, ncctl, the library and the tests
#         make deps       install the Debian packages needed (apt-get)
#         make check      deps + build + lint + unit tests + selftests in a VM
#         make demo       deps + build + a guided tour in a VM
#         make bench      netctx's cost vs the kernel's receive path and RPS:
#                         instructions/packet, pps; bench/results/
#         make lint       checkpatch --strict, sparse (W=1 C=1), include graph
#         make spec       regenerate the files made from the netlink spec
#         make debug-kernel  build the KASAN/lockdep/kmemleak kernel (once,
#                         cached in DEBUG_KERNEL_CACHE; 25-70 min)
#         make check-debug   selftests on the debug kernel, any checker
#                         report fails them (not part of make check)
#         make install    module (updates/), ncctl, libnetctx, man pages,
#                         completion, systemd unit [DESTDIR= PREFIX=/usr/local]
#         make deb        Debian packages (DKMS module, tools, library) in build/deb

# Debian's kernel, as installed by `make deps` (the host may run another).
# Recursively expanded on purpose: `make check` on a fresh machine installs
# the kernel after make has started, so KVER is looked up when used.
KVER	?= $(shell ls /lib/modules 2>/dev/null | grep -- '-amd64$$' | sort -V | tail -n 1)
KDIR	?= /lib/modules/$(KVER)/build
KSRC_TAR ?= /usr/src/linux-source-6.1.tar.xz
CACHE	:= $(CURDIR)/.cache
KSRC	:= $(CACHE)/linux-source-6.1
VM	= tools/vm/run --kver $(KVER)

DEB_PKGS := linux-image-amd64 linux-headers-amd64 linux-source-6.1 \
	    qemu-system-x86 busybox-static kmod cpio xz-utils \
	    libmnl-dev pkg-config sparse gcc libc6-dev make perl python3 \
	    python3-yaml \
	    iproute2 nftables procps ethtool bc \
	    build-essential dpkg-dev debhelper dh-dkms dkms fakeroot lintian \
	    openssl systemd
# The applications selftests/apps.py runs in the VM: servers and clients
# no one here wrote. Their packages start and enable daemons (nfsd, smbd,
# nginx, tgtd, iscsid, rpcbind) that the tests do not want on the host:
# the guest starts its own, inside netns. So they are installed under a
# policy-rc.d that denies every start (honoured by invoke-rc.d and
# deb-systemd-invoke; the postinsts then succeed even in a chroot without
# systemd), and the units that the install enabled are disabled again.
APPS_DEB_PKGS := nfs-kernel-server nfs-common tgt open-iscsi samba \
	    cifs-utils nginx wrk iperf3

# Only for debug-kernel/check-debug: building a kernel from source.
DEBUG_DEB_PKGS := linux-source-6.1 bc bison flex libelf-dev libssl-dev cpio \
	    xz-utils gcc make

# Only make bench needs these (its plots, the XDP cpumap baseline); make
# check does not install them.
BENCH_DEB_PKGS := gnuplot-nox xdp-tools

.PHONY: all module tools selftests deps bench-deps ksrc lint spec unit check demo \
	bench clean vm-check vm-demo vm-bench have-kver debug-deps debug-kernel \
	debug-module check-debug vm-check-debug soak vm-soak

all: module tools selftests

module:
	@test -d "$(KDIR)" || { echo "no kernel headers in $(KDIR): run make deps" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

tools:
	$(MAKE) -C tools/bench
	$(MAKE) -C tools/ncctl
	$(MAKE) -C tools/lib

# Like a distribution would: the module through the kernel's
# modules_install (INSTALL_MOD_DIR=updates, depmod run), then the tools'
# and the library's own install targets, which honour DESTDIR and PREFIX.
.PHONY: install deb
INSTALL_MOD_DIR ?= updates
install: module tools
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_PATH=$(DESTDIR) \
		INSTALL_MOD_DIR=$(INSTALL_MOD_DIR) modules_install
	$(MAKE) -C tools/ncctl install
	$(MAKE) -C tools/lib install
	$(MAKE) -C tools/systemd install

# netctx-dkms, netctx-tools, libnetctx0, libnetctx-dev in build/deb/,
# built by dpkg-buildpackage from a copy of the tree's sources (tracked
# and new files, not build products), then checked by lintian.
DEB_DIR := build/deb
deb:
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/netctx-$$(cat VERSION)
	git ls-files -z --cached --others --exclude-standard | \
		xargs -0 sh -c 'for f; do [ -e "$$f" ] && printf "%s\0" "$$f"; done' sh | \
		cpio -0pdm --quiet $(DEB_DIR)/netctx-$$(cat VERSION)
	cd $(DEB_DIR)/netctx-$$(cat VERSION) && \
		DEB_BUILD_OPTIONS="$(DEB_BUILD_OPTIONS) noautodbgsym" \
		dpkg-buildpackage -b -us -uc
	lintian --fail-on error,warning --display-info $(DEB_DIR)/*.changes
	@ls $(DEB_DIR)/*.deb


selftests: ksrc
	$(MAKE) -C selftests KSFT_DIR=$(KSRC)/tools/testing/selftests

# Installs only what is missing, without prompts (CI has no stdin).
define install-missing
	@missing=$$(for p in $(1); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
		grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -q && \
		apt-get install -y -q --no-install-recommends $$missing </dev/null; \
	fi
endef
# Like install-missing, but no daemon started and none left enabled.
define install-missing-quiet
	@missing=$$(for p in $(1); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
		grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing, no service started:" $$missing; \
		export DEBIAN_FRONTEND=noninteractive; \
		policy=/usr/sbin/policy-rc.d; before=$$(mktemp); \
		trap 'exit 130' INT TERM; \
		if [ ! -e $$policy ]; then \
			trap 'rm -f $$policy $$before' EXIT; \
			printf '#!/bin/sh\nexit 101\n' >$$policy; \
			chmod 755 $$policy; \
		else \
			trap 'rm -f $$before' EXIT; \
		fi; \
		units() { systemctl list-unit-files --state=enabled \
			--no-legend 2>/dev/null | cut -d' ' -f1 | sort; }; \
		units >$$before; \
		apt-get update -q && \
		apt-get install -y -q --no-install-recommends $$missing </dev/null; \
		rc=$$?; \
		new=$$(units | comm -13 $$before -); \
		[ -z "$$new" ] || { echo "disabling:" $$new; \
			systemctl disable --quiet $$new; }; \
		exit $$rc; \
	fi
endef
deps:
	$(call install-missing,$(DEB_PKGS))
	$(call install-missing-quiet,$(APPS_DEB_PKGS))
	@$(MAKE) --no-print-directory ksrc
debug-deps:
	$(call install-missing,$(DEBUG_DEB_PKGS))
bench-deps:
	$(call install-missing,$(BENCH_DEB_PKGS))

# kselftest headers and checkpatch come from Debian's kernel source.
ksrc: $(KSRC)/.extracted
$(KSRC)/.extracted: $(KSRC_TAR)
	mkdir -p $(CACHE)
	tar -C $(CACHE) -xJf $(KSRC_TAR) linux-source-6.1/scripts \
		linux-source-6.1/tools/testing/selftests/kselftest.h \
		linux-source-6.1/tools/testing/selftests/kselftest_harness.h \
		linux-source-6.1/tools/testing/selftests/kselftest
	touch $@

$(KSRC_TAR):
	@echo "no $(KSRC_TAR): run make deps (it installs linux-source-6.1)" >&2
	@exit 1

# The files made from the netlink spec (tools/nlspec/nlspec.py): after a
# change to Documentation/netlink/specs/netctx.yaml, make spec, then commit
# the spec and the files together (make unit fails when they disagree).
spec:
	python3 tools/nlspec/nlspec.py gen

lint: module ksrc
	@perl $(KSRC)/scripts/checkpatch.pl --strict --no-tree --terse \
		-f kmod/*.c kmod/*.h uapi/linux/netctx.h | \
		grep -E 'ERROR|WARNING|CHECK' && \
		{ echo "checkpatch --strict not clean" >&2; exit 1; } || true
	@touch kmod/*.c
	@$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 C=1 modules 2>&1 | tee $(CACHE)/sparse.log | \
		grep -E 'warning|error' && { echo "W=1 C=1 not clean" >&2; exit 1; } || true
	@python3 tools/lint/includes.py
	@echo "lint: checkpatch and sparse clean, no include cycle"

unit: tools
	python3 tools/nlspec/nlspec.py check
	$(MAKE) -C tools/ncctl test
	$(MAKE) -C selftests unit

# After deps, a new make: what deps installed (the kernel, so KVER) is seen.
check: deps
	$(MAKE) all
	$(MAKE) deb
	$(MAKE) lint
	$(MAKE) unit
	$(MAKE) vm-check

demo: deps
	$(MAKE) all
	$(MAKE) vm-demo

bench: deps
	$(MAKE) bench-deps
	$(MAKE) all
	$(MAKE) vm-bench

vm-check vm-demo vm-bench: have-kver
have-kver:
	@test -n "$(KVER)" || { echo "no Debian kernel in /lib/modules: run make deps" >&2; exit 1; }
vm-check:
	$(VM) --timeout 3600 -- selftests/run.sh
vm-demo:
	$(VM) --timeout 900 -- tools/demo.sh
# On the host: boots two guests (tools/bench.sh), writes bench/results/.
vm-bench:
	VM="$(VM)" tools/bench.sh

# The debug kernel: Debian's linux-source-6.1, allnoconfig +
# tools/vm/debug.config (KASAN, lockdep, PROVE_RCU, kmemleak, debugobjects,
# fault injection; every driver the VM and tests use built in), built once
# in DEBUG_KERNEL_CACHE, outside the tree (source + objects are ~2 GB).
# Its build dir is the KDIR of the debug netctx.ko, built from a copy of
# the module sources in DEBUG_KO_DIR (kbuild builds in the source dir, and
# the stock build's objects must not be clobbered), with DEBUG=1
# (-DNETCTX_DEBUG module assertions).
DEBUG_KERNEL_CACHE ?= /var/cache/netctx/debug-kernel
DEBUG_KDIR	:= $(DEBUG_KERNEL_CACHE)/build
DEBUG_KO_DIR	?= $(CURDIR)/build/debug-ko
DEBUG_JOBS	?= 2
# TCG + KASAN + lockdep is slow: every deadline of the run scaled by this.
DEBUG_TIMEOUT_FACTOR ?= 4
DEBUG_VM	= tools/vm/run --kernel-dir $(DEBUG_KDIR) --mem 3072

debug-kernel: debug-deps
	KSRC_TAR=$(KSRC_TAR) tools/vm/debug-kernel.sh $(DEBUG_KERNEL_CACHE) $(DEBUG_JOBS)

debug-module:
	@test -f $(DEBUG_KDIR)/vmlinux || { echo "no debug kernel in $(DEBUG_KDIR): run make debug-kernel" >&2; exit 1; }
	mkdir -p $(DEBUG_KO_DIR)/kmod $(DEBUG_KO_DIR)/uapi/linux
	cp -p Kbuild $(DEBUG_KO_DIR)/
	cp -p kmod/*.[ch] $(DEBUG_KO_DIR)/kmod/
	cp -p uapi/linux/*.h $(DEBUG_KO_DIR)/uapi/linux/
	$(MAKE) -C $(DEBUG_KDIR) M=$(DEBUG_KO_DIR) DEBUG=1 modules

check-debug: deps
	$(MAKE) debug-kernel
	$(MAKE) tools selftests debug-module
	$(MAKE) vm-check-debug

# run.sh fails a test program on any checker report in the kernel log and
# the run on any kmemleak suspect after the last test.  KASAN reports
# every bug, not just the first; no panic_on_warn, so that one run shows
# all the reports (each one fails it all the same).
vm-check-debug:
	NETCTX_TIMEOUT_FACTOR=$(DEBUG_TIMEOUT_FACTOR) $(DEBUG_VM) --timeout 3600 \
		--append "kasan_multi_shot" \
		--env NETCTX_KO=$(DEBUG_KO_DIR)/netctx.ko -- selftests/run.sh

# selftests/soak.py on the debug kernel: SOAK_SECONDS of everything at
# once, then run.sh's kernel log and kmemleak checks.
SOAK_SECONDS ?= 600
soak: deps
	$(MAKE) debug-kernel
	$(MAKE) tools selftests debug-module
	$(MAKE) vm-soak

vm-soak:
	NETCTX_TIMEOUT_FACTOR=$(DEBUG_TIMEOUT_FACTOR) $(DEBUG_VM) \
		--timeout $$(( $(SOAK_SECONDS) + 1800 )) --append "kasan_multi_shot" \
		--env NETCTX_KO=$(DEBUG_KO_DIR)/netctx.ko \
		--env NETCTX_SOAK_SECONDS=$(SOAK_SECONDS) -- selftests/run.sh soak.py

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	$(MAKE) -C tools/ncctl clean
	$(MAKE) -C tools/bench clean
	$(MAKE) -C tools/lib clean

	$(MAKE) -C selftests clean
