#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Received UDP packet rate, run by tools/bench.sh in a multi-vCPU guest
# (no icount: wall-clock rates).  The setups alternate, RUNS rounds of
#
#   none       netctx not loaded
#   unmanaged  netctx loaded, a policy on another port (the hook's cost
#              for traffic it does not manage)
#   managed    the port has a policy: one context per vCPU
#   rps        no netctx; RPS of veth1's rx queue over the same vCPUs
#   cpumap     no netctx; an XDP program on veth1 redirects each packet
#              through a BPF cpumap to one of the same vCPUs by its
#              L4 hash, where it becomes an skb (xdp-bench redirect-cpu
#              -r pass, from Debian's xdp-tools; skipped without it)
#
# so that a slow phase of a shared host hits every setup alike; tools/
# bench/report.py takes the median and the spread per setup.
#
#   cli netns  veth0 10.88.0.1 ---- veth1 10.88.0.2  srv netns
#   ncbench flood (FLOWS source ports)    ncbench sink :PORT
#
# The sink counts the datagrams and checks each flow's sequence numbers.
#
# usage: pps.sh OUTDIR     writes OUTDIR/pps.jsonl
set -eu
cd "$(dirname "$0")/../.."
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
OUT=${1:?usage: pps.sh OUTDIR}
NCCTL=$PWD/tools/ncctl/ncctl
BENCH=$PWD/tools/bench/ncbench
KO=$PWD/netctx.ko
SECONDS_RUN=${BENCH_SECONDS:-4}
RUNS=${BENCH_PPS_RUNS:-5}
FLOWS=${BENCH_FLOWS:-16}
SIZE=${BENCH_SIZE:-64}
PORT=7000
CPUS=$(nproc)
XDP=
SETUPS="none unmanaged managed rps"
command -v xdp-bench >/dev/null && SETUPS+=" cpumap"
SETUPS=${BENCH_PPS_SETUPS:-$SETUPS}

# shellcheck source=tools/bench/lib.sh
. tools/bench/lib.sh
cleanup() {
	nocpumap
	ip netns del nb-cli 2>/dev/null || true
	ip netns del nb-srv 2>/dev/null || true
	rmmod netctx 2>/dev/null || true
}
trap cleanup EXIT

nb_topo
# An XDP program sees veth0's frames before their checksums exist
# (CHECKSUM_PARTIAL); the skb that cpumap builds on the far CPU would
# carry none. So veth0 computes them, in every setup alike.
cli ethtool -K veth0 tx off >/dev/null

one() { # SETUP ROUND: one run, one JSON line
	local out sink
	srv "$BENCH" sink 10.88.0.2 $PORT $((SECONDS_RUN + 2)) >/tmp/nb.sink &
	sink=$!
	while ! grep -q ready /tmp/nb.sink 2>/dev/null; do sleep 0.05; done
	cli "$BENCH" flood 10.88.0.2 $PORT "$SECONDS_RUN" "$FLOWS" "$SIZE" \
		>/tmp/nb.flood
	wait "$sink"
	out=$(tail -n 1 /tmp/nb.sink)
	printf '{"setup": "%s", "round": %d, "cpus": %d, "flows": %d, "size": %d, "sink": %s, "flood": %s}\n' \
		"$1" "$2" "$CPUS" "$FLOWS" "$SIZE" "$out" "$(tail -n 1 /tmp/nb.flood)"
}

xdp_attached() {
	kill -0 "$XDP" 2>/dev/null || return 1
	srv ip link show veth1 | grep -q xdp
}

nocpumap() {
	[[ -n $XDP ]] || return 0
	# On SIGTERM xdp-bench detaches its program and drops its lock.
	kill -TERM "$XDP" 2>/dev/null || true
	wait "$XDP" 2>/dev/null || true
	XDP=
}

setup() {
	nocpumap
	rmmod netctx 2>/dev/null || true
	srv sh -c 'echo 0 > /sys/class/net/veth1/queues/rx-0/rps_cpus'
	case $1 in
	unmanaged)
		insmod "$KO"
		srv "$NCCTL" port add udp $((PORT + 1)) ;;
	managed)
		insmod "$KO"
		srv "$NCCTL" port add udp $PORT ;;
	rps)
		srv sh -c "printf %x $(((1 << CPUS) - 1)) > /sys/class/net/veth1/queues/rx-0/rps_cpus" ;;
	cpumap)
		local cpus=() c
		for ((c = 0; c < CPUS; c++)); do cpus+=(-c "$c"); done
		# Not through srv(): $! must be xdp-bench itself, to stop it.
		ip netns exec nb-srv xdp-bench redirect-cpu "${cpus[@]}" \
			-p l4-hash -r pass -i 3600 veth1 >/tmp/nb.xdp 2>&1 &
		XDP=$!
		waitfor xdp_attached || { cat /tmp/nb.xdp >&2; return 1; } ;;
	esac
}

: >"$OUT/pps.jsonl"
echo "# pps: UDP, $FLOWS flows, $SIZE-byte payloads, ${SECONDS_RUN}s per run, $RUNS rounds, $CPUS vCPUs"
for ((r = 1; r <= RUNS; r++)); do
	for s in $SETUPS; do
		setup $s
		one $s $r | tee -a "$OUT/pps.jsonl"
	done
done
setup none
