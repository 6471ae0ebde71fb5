#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Round-trip latency through a managed port, run by tools/bench.sh in a
# 2-vCPU guest after pps.sh: what a context's scheduling policy costs a
# request when its CPU is busy with something else.
#
#   CPU 0: ncbench rtt (nb-cli) and ncbench echo (nb-srv), the softirq
#          that classifies the request
#   CPU 1: netctx/1, the port's only context, re-injects the request;
#          with "hog", a busy loop shares the CPU with it
#
# Setups: none (no module), then normal and batch (chrt -b on netctx/1),
# each idle and beside the hog, BENCH_RTT_COUNT ping-pongs each.
#
# usage: latency.sh OUTDIR     writes OUTDIR/latency.jsonl
set -eu
cd "$(dirname "$0")/../.."
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
OUT=${1:?usage: latency.sh OUTDIR}
NCCTL=$PWD/tools/ncctl/ncctl
BENCH=$PWD/tools/bench/ncbench
KO=$PWD/netctx.ko
COUNT=${BENCH_RTT_COUNT:-2000}
PORT=7000
HOG=

# shellcheck source=tools/bench/lib.sh
. tools/bench/lib.sh
cleanup() {
	[[ -z $HOG ]] || kill "$HOG" 2>/dev/null || true
	ip netns del nb-cli 2>/dev/null || true
	ip netns del nb-srv 2>/dev/null || true
	rmmod netctx 2>/dev/null || true
}
trap cleanup EXIT

if [[ $(nproc) -lt 2 ]]; then
	echo "latency.sh: needs 2 vCPUs, skipped" >&2
	exit 0
fi
nb_topo

one() { # SETUP LOAD: one run, one JSON line
	local out
	# Not through srv(): $! must be the server itself, to kill it.
	ip netns exec nb-srv taskset -c 0 "$BENCH" echo 10.88.0.2 $PORT 600 \
		>/tmp/nb.echo &
	local echo=$!
	while ! grep -q ready /tmp/nb.echo 2>/dev/null; do sleep 0.05; done
	if [[ $2 == hog ]]; then
		taskset -c 1 sh -c 'while :; do :; done' &
		HOG=$!
	fi
	out=$(cli taskset -c 0 "$BENCH" rtt 10.88.0.2 $PORT "$COUNT")
	if [[ -n $HOG ]]; then
		kill "$HOG"
		wait "$HOG" 2>/dev/null || true
		HOG=
	fi
	kill "$echo"
	wait "$echo" 2>/dev/null || true
	printf '{"setup": "%s", "load": "%s", "count": %d, "rtt": %s, "ctx": %s}\n' \
		"$1" "$2" "$COUNT" "$out" "$(ctxjson)"
}


: >"$OUT/latency.jsonl"
echo "# latency: UDP ping-pong, $COUNT round trips per run, context on CPU 1"
for load in idle hog; do
	one none $load | tee -a "$OUT/latency.jsonl"
done
insmod "$KO" nr_contexts=2
srv "$NCCTL" port add udp $PORT contexts 1
for load in idle hog; do
	one normal $load | tee -a "$OUT/latency.jsonl"
done
chrt -b -p 0 "$(pgrep -x netctx/1)"
for load in idle hog; do
	one batch $load | tee -a "$OUT/latency.jsonl"
done
rmmod netctx
