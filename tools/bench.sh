#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: UDP packet rate received through a port, in three setups in
# one VM run, reported as ratios to the first:
#
#   baseline   netctx not loaded
#   unmanaged  netctx loaded, a policy on another port (the hook's cost)
#   managed    the port has a policy: every packet is stolen, queued to a
#              context and re-injected there (one context per vCPU)
#   managed-1  the same with a single context
#
#   cli netns  veth0 10.88.0.1 ---- veth1 10.88.0.2  srv netns
#   ncbench flood (FLOWS source ports)    ncbench sink :PORT
set -eu
cd "$(dirname "$0")/.."
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
NCCTL=tools/ncctl/ncctl
BENCH=tools/bench/ncbench
SECONDS_RUN=${BENCH_SECONDS:-6}
FLOWS=${BENCH_FLOWS:-16}
SIZE=${BENCH_SIZE:-64}
PORT=7000

cli() { ip netns exec nb-cli "$@"; }
srv() { ip netns exec nb-srv "$@"; }

cleanup() {
	ip netns del nb-cli 2>/dev/null || true
	ip netns del nb-srv 2>/dev/null || true
	rmmod netctx 2>/dev/null || true
}
trap cleanup EXIT

modprobe veth
ip netns add nb-cli
ip netns add nb-srv
ip link add veth0 netns nb-cli type veth peer name veth1 netns nb-srv
cli ip addr add 10.88.0.1/24 dev veth0
srv ip addr add 10.88.0.2/24 dev veth1
cli ip link set veth0 up
srv ip link set veth1 up
cli ip link set lo up
srv ip link set lo up

run() {
	local out pps
	srv "$BENCH" sink 10.88.0.2 $PORT $((SECONDS_RUN + 2)) >/tmp/nb.sink &
	sleep 0.5
	cli "$BENCH" flood 10.88.0.2 $PORT "$SECONDS_RUN" "$FLOWS" "$SIZE" \
		>/dev/null
	wait
	out=$(tail -n 1 /tmp/nb.sink)
	pps=$(sed -n 's/.*"pps": \([0-9]*\).*/\1/p' <<<"$out")
	echo "$pps"
}

echo "# UDP, $FLOWS flows, $SIZE-byte payloads, ${SECONDS_RUN}s each, $(nproc) vCPUs"
base=$(run)
insmod netctx.ko
srv "$NCCTL" port add udp $((PORT + 1))
unmanaged=$(run)
srv "$NCCTL" port add udp $PORT
managed=$(run)
"$NCCTL" ctx show
rmmod netctx
# One context: the cost of the hand-off itself, without several contexts
# contending for the one receiving socket.
insmod netctx.ko nr_contexts=1
srv "$NCCTL" port add udp $PORT
managed1=$(run)
"$NCCTL" ctx show
rmmod netctx

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b ? a / b : 0 }'; }
printf '%-10s %12s %8s\n' setup pps ratio
printf '%-10s %12s %8s\n' baseline "$base" 1.00
printf '%-10s %12s %8s\n' unmanaged "$unmanaged" "$(ratio "$unmanaged" "$base")"
printf '%-10s %12s %8s\n' managed "$managed" "$(ratio "$managed" "$base")"
printf '%-10s %12s %8s\n' managed-1 "$managed1" "$(ratio "$managed1" "$base")"
