#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Debian packages of `make deb` (build/deb/*.deb), end to end, in the
# test VM: installed with dpkg into a scratch root (an overlay with a
# tmpfs upper over the read-only /, in a private mount namespace), DKMS
# builds netctx.ko for the running kernel into updates/dkms, modprobe
# loads that one, netctx.service's ExecStart lines (systemd is not PID 1
# here) apply an /etc/netctx.conf, and a TCP connection into the port it
# names is steered. Then the packages are purged and all is torn down.
#
# Without packages it prints a SKIP: make check builds them (make deb)
# before the VM run, and fails before it if they cannot be built;
# NETCTX_REQUIRE_DEBS=1 turns the SKIP into a failure.
set -u
cd "$(dirname "$0")/.."
TOP=$PWD
DEBS=$TOP/build/deb
PORT=5201
NS=ncpkg-cli
# Polls of 0.2 s in 10 s, scaled like every deadline of the tests.
TRIES=$(awk -v f="${NETCTX_TIMEOUT_FACTOR:-1}" 'BEGIN { printf "%d", 50 * f }')

if [ -z "${NCPKG_INNER:-}" ]; then
	exec unshare -m --propagation private env NCPKG_INNER=1 "$0" "$@"
fi

echo "KTAP version 1"
shopt -s nullglob
debs=("$DEBS"/netctx-dkms_*_all.deb "$DEBS"/netctx-tools_*.deb \
      "$DEBS"/libnetctx0_*.deb "$DEBS"/libnetctx-dev_*.deb)
if [ ${#debs[@]} -ne 4 ]; then
	if [ "${NETCTX_REQUIRE_DEBS:-0}" = 1 ]; then
		echo "1..1"
		echo "# want 4 packages in $DEBS, found ${#debs[@]}: run make deb"
		echo "not ok 1 packages built"
		exit 1
	fi
	echo "1..0 # SKIP no packages in $DEBS (run make deb first)"
	exit 0
fi

N=0
FAILED=0
LOG=$(mktemp)
exec 3>&1	# a case's live progress, past its captured output
ok() { # ok NAME CMD...: one TAP case, its output as diagnostics
	local name=$1 rc
	shift
	N=$((N + 1))
	# In this shell (not $(...)): a case may start background processes.
	"$@" >"$LOG" 2>&1 </dev/null
	rc=$?
	sed 's/^/# /' "$LOG"
	if [ "$rc" -eq 0 ]; then
		echo "ok $N $name"
	else
		echo "not ok $N $name"
		FAILED=$((FAILED + 1))
	fi
}

KVER=$(uname -r)
SCRATCH=$(mktemp -d /tmp/ncpkg.XXXXXX)
R=$SCRATCH/root
# Runs a bash command in the scratch root, with a clean environment.
in_root() {
	chroot "$R" /usr/bin/env -i HOME=/tmp LANG=C.UTF-8 TMPDIR=/tmp \
		PATH=/usr/sbin:/usr/bin:/sbin:/bin /bin/bash -c "$1"
}

# The same, replacing this shell (for "( bg_root CMD ) &": $! is CMD).
bg_root() {
	exec chroot "$R" /usr/bin/env -i HOME=/tmp LANG=C.UTF-8 TMPDIR=/tmp \
		PATH=/usr/sbin:/usr/bin:/sbin:/bin /bin/bash -c "exec $1"
}

cleanup() {
	[ -n "${SRV_PID:-}" ] && kill "$SRV_PID" 2>/dev/null
	[ -n "${CLI_PID:-}" ] && kill "$CLI_PID" 2>/dev/null
	wait 2>/dev/null
	if mountpoint -q "$R"; then
		in_root "ip link del ncpkg0" 2>/dev/null
		in_root "ip netns del $NS" 2>/dev/null
	fi
	[ -e /sys/module/netctx ] && rmmod netctx
	umount -R "$R" 2>/dev/null
	umount -R "$SCRATCH" 2>/dev/null
	rmdir "$SCRATCH" 2>/dev/null
	rm -f "$LOG"
}
trap cleanup EXIT

echo "1..12"

ok "versions agree (VERSION, dkms.conf, MODULE_VERSION, changelog)" \
	debian/check-version

scratch_root() {
	# Autoload cannot reach modprobe from here, and the scratch root's
	# module tree is trimmed (below): load what the test needs first.
	modprobe overlay && modprobe veth || return 1
	mount -t tmpfs -o size=1500m ncpkg "$SCRATCH" || return 1
	mkdir -p "$SCRATCH/upper" "$SCRATCH/work" "$R" || return 1
	mount -t overlay ncpkg -o \
		"lowerdir=/,upperdir=$SCRATCH/upper,workdir=$SCRATCH/work" "$R" ||
		return 1
	mount -t proc proc "$R/proc" && mount --rbind /sys "$R/sys" &&
		mount --rbind /dev "$R/dev" && mount -t tmpfs tmp "$R/tmp" &&
		mount -t tmpfs run "$R/run" || return 1
	mkdir -p "$R/tmp/debs" && cp "${debs[@]}" "$R/tmp/debs/" || return 1
	# man-db's trigger would index every manual page, for minutes.
	rm -f "$R/var/lib/man-db/auto-update"
	# DKMS runs depmod -a after install and after removal; over the
	# kernel's 4000 modules (390 MB through 9p) that took 200 s of TCG
	# each time. The scratch root shows depmod the tree without kernel/
	# (netctx needs no other module); NETCTX_PKG_FULL_TREE=1 keeps it.
	if [ "${NETCTX_PKG_FULL_TREE:-0}" != 1 ]; then
		mount -t tmpfs kmods "$R/lib/modules/$KVER/kernel" || return 1
	fi
	# The guest must not see the host's packages as installed already.
	in_root '! dpkg -s netctx-dkms >/dev/null 2>&1 && ! test -e /usr/src/netctx-*/dkms.conf'
}
ok "scratch root: overlay on /, tmpfs upper, private mounts" scratch_root

install_debs() {
	local t0=$SECONDS rc l
	# Live, each line with the seconds elapsed: where the time goes.
	in_root 'dpkg -i /tmp/debs/*.deb' 2>&1 | while IFS= read -r l; do
		printf '# [%4ds] %s\n' $((SECONDS - t0)) "$l" >&3
	done
	rc=${PIPESTATUS[0]}
	echo "dpkg -i with the DKMS build for $KVER took $((SECONDS - t0)) s"
	return "$rc"
}
ok "dpkg -i netctx-dkms netctx-tools libnetctx0 libnetctx-dev" install_debs

dkms_built() {
	local v
	v=$(cat VERSION)
	in_root "dkms status netctx/$v -k $KVER" | tee /dev/stderr |
		grep -q ": installed" || return 1
	in_root "test -f /lib/modules/$KVER/updates/dkms/netctx.ko" || return 1
	[ "$(in_root "modinfo -k $KVER -F version netctx")" = "$v" ] || return 1
	in_root "modinfo -k $KVER -n netctx" | grep -qx "/lib/modules/$KVER/updates/dkms/netctx.ko"
}
ok "DKMS built and installed netctx.ko in updates/dkms for $KVER" dkms_built

signed() {
	in_root 'test -f /var/lib/dkms/mok.key && test -f /var/lib/dkms/mok.pub' ||
		{ echo "no DKMS MOK key"; return 1; }
	in_root "modinfo -k $KVER -F signer netctx" | tee /dev/stderr |
		grep -q "DKMS module signing key"
}
ok "module signed with DKMS's MOK key (/var/lib/dkms/mok.key)" signed

ok "systemd-analyze verify netctx.service" \
	in_root 'systemd-analyze verify /lib/systemd/system/netctx.service'

devlib() {
	local flags
	flags=$(in_root 'pkg-config --cflags --libs netctx') || return 1
	echo "pkg-config: $flags"
	[ "$(echo $flags)" = "-I/usr/include/netctx -lnetctx" ] || return 1
	in_root 'printf "%s\n" "#include <errno.h>" "#include <netctx.h>" \
		"#include <linux/netctx.h>" \
		"int main(void) { return !(netctx_migrate(-1, 0) < 0 && errno == EBADF); }" \
		> /tmp/t.c && cc -o /tmp/t /tmp/t.c $(pkg-config --cflags --libs netctx) &&
		/tmp/t && ldd /tmp/t' | tee /dev/stderr |
		grep -q "libnetctx.so.0 => /.*x86_64-linux-gnu/libnetctx.so.0"
}
ok "libnetctx-dev: pkg-config flags, a program built and run against libnetctx.so.0" devlib

# What systemd would run: the unit's ExecStart lines, in order.
exec_start() {
	local cmds
	cmds=$(in_root 'sed -n "s/^ExecStart=[-@:+!]*//p" /lib/systemd/system/netctx.service')
	[ "$(wc -l <<<"$cmds")" -ge 2 ] || return 1
	while read -r c; do
		echo "+ $c"
		in_root "$c" || return 1
	done <<<"$cmds"
}
apply_config() {
	in_root "cat > /etc/netctx.conf" <<-EOF
		# package.sh: one port, as an admin would write it
		port add tcp $PORT hash round-robin replace
	EOF
	exec_start || return 1
	[ "$(cat /sys/module/netctx/version)" = "$(cat VERSION)" ] || return 1
	# The loaded module is the DKMS one, not a build tree's.
	[ "$(cat /sys/module/netctx/srcversion)" = \
	  "$(in_root "modinfo -k $KVER -F srcversion netctx")" ] || return 1
	in_root "ncctl -j port show" | tee /dev/stderr |
		grep -q "\"port\": *$PORT"
}
ok "netctx.service ExecStart: modprobe netctx (DKMS), /etc/netctx.conf applied" \
	apply_config

again() {
	exec_start || return 1
	[ "$(in_root "ncctl -j port show" | grep -o "\"port\": *$PORT" | wc -l)" = 1 ]
}
ok "ExecStart again: idempotent, one policy" again

# Until the steer server listens on PORT.
listening() {
	local i
	for i in $(seq "$TRIES"); do
		ss -Htln "sport = :$PORT" | grep -q LISTEN && return 0
		sleep 0.2
	done
	echo "nothing listens on $PORT" >&2
	return 1
}

steer() {
	in_root "ip link add ncpkg0 type veth peer name ncpkg1" || return 1
	in_root "ip netns add $NS && ip link set ncpkg1 netns $NS" || return 1
	in_root "ip addr add 10.78.0.1/24 dev ncpkg0 && ip link set ncpkg0 up" || return 1
	in_root "ip -n $NS addr add 10.78.0.2/24 dev ncpkg1 &&
		 ip -n $NS link set ncpkg1 up && ip -n $NS link set lo up" || return 1
	( bg_root "python3 -c '
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((\"10.78.0.1\", $PORT)); s.listen(8)
c, _ = s.accept()
while c.recv(65536): pass
time.sleep(120)'" ) &
	SRV_PID=$!
	listening || return 1
	( bg_root "ip netns exec $NS python3 -c '
import socket, time
s = socket.create_connection((\"10.78.0.1\", $PORT), timeout=30)
s.sendall(b\"x\" * 200000); time.sleep(120)'" ) &
	CLI_PID=$!
	local i out
	for i in $(seq "$TRIES"); do
		out=$(in_root "ncctl -j conn show port $PORT")
		python3 -c '
import json, sys
pcbs = [p for p in json.loads(sys.argv[1])
        if p["local"].endswith(":%s" % sys.argv[2]) and p["packets"] > 0]
print(json.dumps(pcbs))
sys.exit(0 if pcbs and all("ctx" in p for p in pcbs) else 1)' \
			"$out" "$PORT" && return 0
		sleep 0.2
	done
	echo "$out"
	return 1
}
ok "a TCP connection to port $PORT is steered (ncctl -j conn show)" steer

teardown() {
	kill "$SRV_PID" "$CLI_PID" 2>/dev/null
	wait 2>/dev/null
	SRV_PID= CLI_PID=
	in_root "ip link del ncpkg0 && ip netns del $NS" || return 1
	if in_root "ip netns list" | grep -qw "$NS"; then
		echo "netns $NS still listed"
		return 1
	fi
	rmmod netctx || return 1
	[ ! -e /sys/module/netctx ] || { echo "netctx still loaded"; return 1; }
}
ok "teardown: netns deleted, rmmod netctx" teardown

purge() {
	in_root 'dpkg --purge netctx-dkms netctx-tools libnetctx-dev libnetctx0' ||
		return 1
	in_root "! test -e /lib/modules/$KVER/updates/dkms/netctx.ko &&
		 ! test -e /var/lib/dkms/netctx && ! test -e /usr/src/netctx-$(cat VERSION)"
}
ok "dpkg --purge: DKMS module and sources removed" purge

echo "# Totals: pass:$((N - FAILED)) fail:$FAILED xfail:0 xpass:0 skip:0 error:0"
[ "$FAILED" -eq 0 ]
