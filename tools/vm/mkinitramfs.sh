#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs.sh OUT.cpio.gz KVER [--force]
#
# Build the tiny initramfs used by tools/vm/run: a static busybox, the
# virtio-pci + 9p modules of kernel KVER (with their dependencies, in load
# order) and tools/vm/init as /init.  The guest mounts the host's / over 9p
# and enters it, so nothing else needs to be in here.
#
# Make-friendly: does nothing when OUT exists and is newer than this script,
# tools/vm/init, the busybox binary and KVER's modules.dep.
#
# NETCTX_VM_MODDIR overrides the module directory (default /lib/modules/KVER):
# for a kernel built from source it may be the build dir, where only
# modules.builtin exists.  Drivers built into the kernel are not loaded
# (an image with all of them built in carries no modules at all).
set -euo pipefail

usage() {
	echo "usage: $0 OUT.cpio.gz KVER [--force]" >&2
	exit 2
}

[[ $# -ge 2 && $# -le 3 ]] || usage
out=$1
kver=$2
force=0
if [[ $# -eq 3 ]]; then
	[[ $3 == --force ]] || usage
	force=1
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
init_src=$here/init
busybox=${BUSYBOX:-/bin/busybox}
moddir=${NETCTX_VM_MODDIR:-/lib/modules/$kver}

# Modules needed to reach the host root over virtio-9p.  Their dependencies
# (virtio, virtio_ring, virtio_pci_{modern,legacy}_dev, netfs, fscache,
# 9pnet, ...) are resolved by modprobe below, so only the leaves are listed.
wanted=(virtio_pci 9pnet_virtio 9p)

# Without modules.dep (a build dir, not modules_install'ed), only built-in
# drivers can work: modules.builtin must list them all.
dep=$moddir/modules.dep
[[ -f $dep ]] || dep=$moddir/modules.builtin
[[ -f $dep ]] || { echo "$0: no $moddir/modules.dep or modules.builtin" >&2; exit 1; }
[[ -x $busybox ]] || { echo "$0: no busybox at $busybox" >&2; exit 1; }
# A dynamically linked busybox would need its libc inside the initramfs.
if command -v file >/dev/null && ! file -L "$busybox" | grep -q 'statically linked'; then
	echo "$0: $busybox is not statically linked (install busybox-static)" >&2
	exit 1
fi

up_to_date() {
	local f
	[[ -f $out ]] || return 1
	for f in "${BASH_SOURCE[0]}" "$init_src" "$busybox" "$dep"; do
		[[ $out -nt $f ]] || return 1
	done
}
if [[ $force -eq 0 ]] && up_to_date; then
	exit 0
fi

staging=$(mktemp -d "${TMPDIR:-/tmp}/netctx-initramfs.XXXXXX")
trap 'rm -rf "$staging"' EXIT
mkdir -p "$staging"/{bin,sbin,dev,proc,sys,mnt/root,modules,tmp}

# busybox plus applet symlinks, so /init can use plain command names.
cp "$busybox" "$staging/bin/busybox"
for applet in $("$busybox" --list); do
	[[ $applet == busybox ]] && continue
	ln -sf busybox "$staging/bin/$applet"
done

# The kernel opens /dev/console for init's stdio before /init runs; the
# kernel's built-in initramfs normally provides it, but be explicit when we
# can (mknod needs root; /init also remounts devtmpfs and reopens it).
mknod -m 600 "$staging/dev/console" c 5 1 2>/dev/null || true
mknod -m 666 "$staging/dev/null" c 1 3 2>/dev/null || true

# Resolve module dependencies in load order.  "modprobe --show-depends"
# prints "insmod PATH" lines (deps first) and "builtin NAME" for built-ins.
declare -A seen=()
order=()
# modprobe wants the root that holds lib/modules/KVER.
modbase=${moddir%/lib/modules/"$kver"}
[[ $modbase != "$moddir" ]] || modbase=/
builtin_mod() {
	# modules.builtin lists kernel/net/9p/9pnet_virtio.ko; modprobe
	# treats - and _ alike.
	grep -q "/${1//[-_]/[-_]}\.ko\$" "$moddir/modules.builtin" 2>/dev/null
}
for m in "${wanted[@]}"; do
	if [[ ! -f $moddir/modules.dep ]]; then
		builtin_mod "$m" || { echo "$0: $m is not built into $kver and there is no $moddir/modules.dep" >&2; exit 1; }
		continue
	fi
	found=0
	while read -r kind path _; do
		case $kind in
		builtin) found=1; continue ;;
		insmod) found=1 ;;
		*) continue ;;
		esac
		[[ -n ${seen[$path]:-} ]] && continue
		seen[$path]=1
		order+=("$path")
	done < <(modprobe -S "$kver" -d "$modbase" --show-depends "$m")
	[[ $found -eq 1 ]] || { echo "$0: could not resolve module $m for $kver" >&2; exit 1; }
done

# Copy modules flat into /modules, decompressing: busybox insmod cannot be
# relied on to handle .ko.xz/.ko.zst/.ko.gz.  /modules/order gives load order.
: >"$staging/modules/order"
for path in "${order[@]}"; do
	base=$(basename "$path")
	case $base in
	*.ko.xz) xz -dc "$path" >"$staging/modules/${base%.xz}"; base=${base%.xz} ;;
	*.ko.zst) zstd -qdc "$path" >"$staging/modules/${base%.zst}"; base=${base%.zst} ;;
	*.ko.gz) gzip -dc "$path" >"$staging/modules/${base%.gz}"; base=${base%.gz} ;;
	*) cp "$path" "$staging/modules/$base" ;;
	esac
	echo "$base" >>"$staging/modules/order"
done

install -m 755 "$init_src" "$staging/init"

# Write atomically so a concurrent run never sees a half-written image.
mkdir -p "$(dirname "$out")"
tmp_out=$(mktemp "$out.XXXXXX")
(cd "$staging" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc --quiet --owner 0:0) | gzip -1 >"$tmp_out"
chmod 644 "$tmp_out"
mv -f "$tmp_out" "$out"
