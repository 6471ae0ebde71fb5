#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# debug-kernel.sh DIR [JOBS]
#
# Build the netctx debug kernel (KASAN, lockdep, kmemleak, debugobjects,
# fault injection; see tools/vm/debug.config) from Debian's linux-source-6.1
# in DIR (outside the tree: ~2 GB, and it takes 25-70 minutes to build):
#
#   DIR/linux-source-6.1/   the extracted source
#   DIR/build/              O= build dir; also the KDIR for netctx.ko
#   DIR/build/arch/x86/boot/bzImage  booted by tools/vm/run --kernel-dir
#
# The config is allnoconfig + tools/vm/debug.config; every option the
# fragment sets must survive olddefconfig, or this fails (Kconfig silently
# drops options whose dependencies are missing).  The kernel's modules
# metadata (modules.builtin, modules.dep: everything is built in) goes to
# /lib/modules/KVER on this host, KVER ending in -netctx-debug, so that
# modprobe in the guest (whose root is the host's /) finds the built-ins.
# The host never boots or loads anything of it.
#
# Incremental: does nothing when DIR/build/.netctx-debug-stamp is newer
# than the fragment, this script and the source tarball.
set -euo pipefail

[[ $# -ge 1 && $# -le 2 ]] || { echo "usage: $0 DIR [JOBS]" >&2; exit 2; }
dir=$1
jobs=${2:-2}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
fragment=$here/debug.config
tarball=${KSRC_TAR:-/usr/src/linux-source-6.1.tar.xz}
src=$dir/linux-source-6.1
build=$dir/build
stamp=$build/.netctx-debug-stamp

[[ -r $tarball ]] || { echo "$0: no $tarball (apt-get install linux-source-6.1)" >&2; exit 1; }

if [[ -f $stamp && $stamp -nt $fragment && $stamp -nt ${BASH_SOURCE[0]} &&
	$stamp -nt $tarball && -f $build/vmlinux ]]; then
	echo "debug kernel up to date: $build ($(cat "$build/include/config/kernel.release"))"
	exit 0
fi

mkdir -p "$dir" "$build"
if [[ ! -f $src/.netctx-extracted || $src/.netctx-extracted -ot $tarball ]]; then
	echo "extracting $tarball into $dir"
	rm -rf "$src"
	tar -C "$dir" -xJf "$tarball"
	touch "$src/.netctx-extracted"
fi

# allnoconfig with the fragment's values forced, then olddefconfig.  A
# changed fragment regenerates .config; kbuild then rebuilds only what the
# changed options touch.
make -s -C "$src" O="$build" allnoconfig KCONFIG_ALLCONFIG="$fragment"
make -s -C "$src" O="$build" olddefconfig

missing=0
while IFS= read -r line; do
	grep -qxF -- "$line" "$build/.config" && continue
	have=$(grep -E "^(# )?${line%%=*}[= ]" "$build/.config" || echo "undefined")
	echo "$0: $line did not make it into .config (have: $have)" >&2
	missing=1
done < <(grep -E '^CONFIG_[A-Z0-9_]+=' "$fragment")
while IFS= read -r line; do
	sym=${line#\# }
	sym=${sym%% *}
	grep -qx "$sym=y" "$build/.config" || continue
	echo "$0: $sym is set although the fragment says \"$line\"" >&2
	missing=1
done < <(grep -E '^# CONFIG_[A-Z0-9_]+ is not set' "$fragment")
[[ $missing -eq 0 ]] || { echo "$0: fix $fragment" >&2; exit 1; }

start=$SECONDS
make -C "$build" -j"$jobs" all
kver=$(cat "$build/include/config/kernel.release")
[[ $kver == *-netctx-debug ]] || { echo "$0: unexpected kernel release $kver" >&2; exit 1; }
# Only metadata (modules.builtin*, modules.dep...): there are no modules.
make -C "$build" -s modules_install INSTALL_MOD_STRIP=1
echo "debug kernel $kver built in $((SECONDS - start))s: $build/vmlinux"
touch "$stamp"
