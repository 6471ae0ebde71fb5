# SPDX-License-Identifier: GPL-2.0
#
# netctx: make            build the module, ncctl, the library and the tests
#         make deps       install the Debian packages needed (apt-get)
#         make check      deps + build + lint + unit tests + selftests in a VM
#         make demo       deps + build + a guided tour in a VM
#         make bench      throughput with and without netctx, in a VM
#         make lint       checkpatch --strict and sparse (W=1 C=1)

# Debian's kernel, as installed by `make deps` (the host may run another).
KVER	?= $(shell ls /lib/modules 2>/dev/null | grep -- '-amd64$$' | sort -V | tail -n 1)
KDIR	?= /lib/modules/$(KVER)/build
KSRC_TAR ?= /usr/src/linux-source-6.1.tar.xz
CACHE	:= $(CURDIR)/.cache
KSRC	:= $(CACHE)/linux-source-6.1
VM	:= tools/vm/run --kver $(KVER)

DEB_PKGS := linux-image-amd64 linux-headers-amd64 linux-source-6.1 \
	    qemu-system-x86 busybox-static kmod cpio xz-utils \
	    libmnl-dev pkg-config sparse gcc make perl python3 \
	    iproute2 nftables procps ethtool bc

.PHONY: all module tools selftests deps ksrc lint unit check demo bench clean

all: module tools selftests

module:
	@test -d "$(KDIR)" || { echo "no kernel headers in $(KDIR): run make deps" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

tools:
	$(MAKE) -C tools/bench
	$(MAKE) -C tools/ncctl
	$(MAKE) -C tools/lib


selftests:
	$(MAKE) -C selftests KSFT_DIR=$(KSRC)/tools/testing/selftests

# Installs only what is missing, without prompts (CI has no stdin).
deps:
	@missing=$$(for p in $(DEB_PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
		grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -q && \
		apt-get install -y -q --no-install-recommends $$missing </dev/null; \
	fi
	@$(MAKE) --no-print-directory ksrc

# kselftest headers and checkpatch come from Debian's kernel source.
ksrc: $(KSRC)/.extracted
$(KSRC)/.extracted: $(KSRC_TAR)
	mkdir -p $(CACHE)
	tar -C $(CACHE) -xJf $(KSRC_TAR) linux-source-6.1/scripts \
		linux-source-6.1/tools/testing/selftests/kselftest.h \
		linux-source-6.1/tools/testing/selftests/kselftest_harness.h \
		linux-source-6.1/tools/testing/selftests/kselftest
	touch $@

lint: module
	@perl $(KSRC)/scripts/checkpatch.pl --strict --no-tree --terse \
		-f kmod/*.c kmod/*.h uapi/linux/netctx.h | \
		grep -E 'ERROR|WARNING|CHECK' && \
		{ echo "checkpatch --strict not clean" >&2; exit 1; } || true
	@touch kmod/*.c
	@$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 C=1 modules 2>&1 | tee $(CACHE)/sparse.log | \
		grep -E 'warning|error' && { echo "W=1 C=1 not clean" >&2; exit 1; } || true
	@echo "lint: checkpatch and sparse clean"

unit: tools
	$(MAKE) -C tools/ncctl test
	$(MAKE) -C selftests unit

check: deps
	$(MAKE) all
	$(MAKE) lint
	$(MAKE) unit
	$(VM) --timeout 1500 -- selftests/run.sh

demo: deps
	$(MAKE) all
	$(VM) --timeout 900 -- tools/demo.sh

bench: deps
	$(MAKE) all
	$(VM) --timeout 1500 -- tools/bench.sh

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	$(MAKE) -C tools/ncctl clean
	$(MAKE) -C tools/bench clean
	$(MAKE) -C tools/lib clean

	$(MAKE) -C selftests clean
