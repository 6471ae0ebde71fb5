#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Instructions per received packet, run by tools/bench.sh in a 1-vCPU guest
# under `-icount shift=0` (tools/vm/run --icount 0): there, the guest's
# clock advances one nanosecond per executed instruction, so the elapsed
# time pktgen measures around its run of N packets, divided by N, is the
# number of guest instructions per packet.  See
# Documentation/performance.rst for what is and is not counted.
#
#   pktgen (kpktgend_0, xmit_mode netif_receive, dev veth1) -> ip_rcv ->
#   routing -> [netctx LOCAL_IN hook] -> udp_rcv -> socket 10.88.0.2:7000
#   (ncbench hold: not read during the run, drained and checked after it)
#
# usage: cost.sh OUTDIR     writes OUTDIR/cost.jsonl, OUTDIR/scale.jsonl
set -eu
cd "$(dirname "$0")/../.."
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
OUT=${1:?usage: cost.sh OUTDIR}
NCCTL=$PWD/tools/ncctl/ncctl
HOLD=$PWD/tools/bench/ncbench
KO=$PWD/netctx.ko
N=${BENCH_COST_PACKETS:-20000}
RUNS=${BENCH_COST_RUNS:-2}
SCALE=${BENCH_SCALE:-1000 10000 100000 1000000}
FLOWS=256
PORT=7000
PG=/proc/net/pktgen

# shellcheck source=tools/bench/lib.sh
. tools/bench/lib.sh
cleanup() {
	ip netns del nb-srv 2>/dev/null || true
	ip netns del nb-cli 2>/dev/null || true
	rmmod netctx 2>/dev/null || true
}
trap cleanup EXIT

[[ $(nproc) -eq 1 ]] || echo "cost.sh: warning: $(nproc) vCPUs, want 1" >&2
modprobe veth
modprobe pktgen
# The held packets stay queued on the socket until the run ends.
sysctl -qw net.ipv4.udp_mem="4000000 4000000 4000000"
ip netns add nb-cli
ip netns add nb-srv
ip link add veth0 netns nb-cli type veth peer name veth1 netns nb-srv
ip -n nb-cli addr add 10.88.0.1/24 dev veth0
ip -n nb-srv addr add 10.88.0.2/24 dev veth1
ip -n nb-cli link set veth0 up
ip -n nb-srv link set veth1 up
ip -n nb-srv link set lo up
ip -n nb-srv route add 10.96.0.0/12 dev veth1
MAC=$(cat /sys/class/net/veth1/address 2>/dev/null ||
	srv cat /sys/class/net/veth1/address)

pgset() { # FILE CMD...: one pktgen command, checked
	local f=$1
	shift
	srv sh -c "echo '$*' > $PG/$f"
	if [[ $f == veth1 ]] && ! srv grep -q '^Result: OK' $PG/veth1; then
		echo "pktgen: $* : $(srv grep '^Result' $PG/veth1)" >&2
		exit 1
	fi
}

# pktgen_setup COUNT SRC_MIN SRC_MAX DPORT SPORT_MIN SPORT_MAX
pktgen_setup() {
	pgset kpktgend_0 rem_device_all
	pgset kpktgend_0 add_device veth1
	pgset veth1 xmit_mode netif_receive
	pgset veth1 count "$1"
	pgset veth1 pkt_size 64
	pgset veth1 clone_skb 0
	pgset veth1 burst 1
	pgset veth1 delay 0
	pgset veth1 dst_mac "$MAC"
	pgset veth1 dst 10.88.0.2
	pgset veth1 src_min "$2"
	pgset veth1 src_max "$3"
	pgset veth1 udp_dst_min "$4"
	pgset veth1 udp_dst_max "$4"
	pgset veth1 udp_src_min "$5"
	pgset veth1 udp_src_max "$6"
}

ctxt() { awk '$1 == "ctxt" { print $2 }' /proc/stat; }

# run COUNT SRC_MIN SRC_MAX DPORT SPORT_MIN SPORT_MAX: prints "usec
# switches sink-json" after pktgen sent COUNT packets into a held socket
# (switches: the guest's context switches while pktgen ran).
run() {
	local fifo=/tmp/nb.fifo usec res sink c0
	pktgen_setup "$@"
	rm -f $fifo
	mkfifo $fifo
	srv "$HOLD" hold 10.88.0.2 "$4" <$fifo >/tmp/nb.hold &
	exec 9>$fifo
	while ! grep -q ready /tmp/nb.hold 2>/dev/null; do sleep 0.05; done
	c0=$(ctxt)
	srv sh -c "echo start > $PG/pgctrl"
	c0=$(($(ctxt) - c0))
	res=$(srv grep -A1 '^Result' $PG/veth1)
	echo go >&9
	exec 9>&-
	wait $! || { echo "sink check failed: $(tail -n 1 /tmp/nb.hold)" >&2; exit 1; }
	sink=$(tail -n 1 /tmp/nb.hold)
	usec=$(sed -n 's/^Result: OK: \([0-9]*\)(.*/\1/p' <<<"$res")
	[[ -n $usec ]] || { echo "pktgen: $res" >&2; exit 1; }
	echo "$usec $c0 $sink"
}

# measure ROW RUN [COUNT]: COUNT (default N) packets of 256 flows to
# PORT, one JSON line.
measure() {
	local row=$1 i=$2 n=${3:-$N} usec sw sink got
	read -r usec sw sink < <(run "$n" 10.88.0.1 10.88.0.1 $PORT 10000 $((10000 + FLOWS)))
	got=$(sed -n 's/.*"packets": \([0-9]*\).*/\1/p' <<<"$sink")
	[[ $got -eq $n ]] || echo "cost.sh: $row: $got of $n packets reached the socket" >&2
	printf '{"row": "%s", "run": %d, "packets": %d, "ns": %d, "switches": %d, "ins_per_pkt": %s, "sink": %s, "ctx": %s}\n' \
		"$row" "$i" "$n" $((usec * 1000)) "$sw" \
		"$(awk -v u="$usec" -v n="$n" 'BEGIN { printf "%.1f", u * 1000 / n }')" \
		"$sink" "$(ctxjson)"
}
# row NAME [2N]: a warm-up run (PCBs, route and neighbour caches,
# first-use allocations), then RUNS measured runs, appended to
# cost.jsonl; with 2N, one more of twice the length: its cost per packet
# must be the same, else what happens around pktgen's window (a backlog
# left on the context at its end) is not negligible (report.py flags
# it).  Only the managed row leaves work behind pktgen's last packet.
row() {
	run 1024 10.88.0.1 10.88.0.1 $PORT 10000 $((10000 + FLOWS)) >/dev/null
	for ((r = 1; r <= RUNS; r++)); do
		measure "$1" "$r" | tee -a "$OUT/cost.jsonl"
	done
	[[ ${2:-} != 2N ]] || measure "$1" 0 $((2 * N)) | tee -a "$OUT/cost.jsonl"
}

: >"$OUT/cost.jsonl"
: >"$OUT/scale.jsonl"
echo "# cost: $N packets x $RUNS runs per row, 64-byte UDP, $FLOWS flows, $(nproc) vCPU"
row plain
srv sh -c 'echo 1 > /sys/class/net/veth1/queues/rx-0/rps_cpus'
row rps
srv sh -c 'echo 0 > /sys/class/net/veth1/queues/rx-0/rps_cpus'
# The guest clock jumps while it idles (icount sleep=off), so PCBs would
# time out between runs: keep them for the whole benchmark, also the
# single-packet flows of the scale rows (unconfirmed: new_timeout_ms,
# netns_max_new), all in one netns (netns_share_pct).
LIVE="udp_timeout_ms=86400000 new_timeout_ms=86400000 netns_max_new=16777216 netns_share_pct=100"
insmod "$KO" $LIVE
row loaded
srv "$NCCTL" port add udp $((PORT + 1))
row policy-other-port
srv "$NCCTL" port add udp $PORT
row managed 2N
# The same with the context SCHED_BATCH (chrt -b): woken, it no longer
# preempts pktgen after each packet, it runs at the end of its slice.
chrt -b -p 0 "$(pgrep -x netctx/0)"
row managed-batch 2N
chrt -o -p 0 "$(pgrep -x netctx/0)"
rmmod netctx

# Scale: the same managed row with more live PCBs in the table, created
# by single-packet UDP flows from 10.96.0.0/12 to another managed port
# (7002, no socket there).
# slub_nomerge (see tools/bench.sh) keeps the netctx_pcb cache unshared.
slab() { cut -d" " -f1 /sys/kernel/slab/netctx_pcb/"$1"; }
meminfo() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }
# 2M possible PCBs: a directory of 1M buckets, 8 MiB.
insmod "$KO" max_conns=2097152 $LIVE
srv "$NCCTL" port add udp $PORT
srv "$NCCTL" port add udp $((PORT + 2))
run 1024 10.88.0.1 10.88.0.1 $PORT 10000 $((10000 + FLOWS)) >/dev/null
ip4() { echo "10.$((96 + ($1 >> 16))).$(($1 >> 8 & 255)).$(($1 & 255))"; }
filled=0
slab0=$(meminfo Slab)
objs0=$(slab objects)
for target in $SCALE; do
	while ((filled < target)); do
		k=$((target - filled))
		((k > 60000)) && k=60000
		a=$((filled)) b=$((filled + k - 1))
		# No socket on that port: each packet creates its PCB, is
		# re-injected and dropped (ICMP rate-limited), nothing queues.
		pktgen_setup "$k" "$(ip4 $a)" "$(ip4 $b)" $((PORT + 2)) 20000 20000
		srv sh -c "echo start > $PG/pgctrl"
		filled=$((filled + k))
	done
	conns=$("$NCCTL" -j ctx show | sed -n 's/.*"conns": *\([0-9]*\).*/\1/p' | head -n 1)
	objs=$(slab objects)
	slabkb=$(meminfo Slab)
	m=$(measure managed 1)
	printf '{"extra_pcbs": %d, "conns": %s, "pcb_objects": %d, "pcb_slab_size": %d, "slab_kb_delta": %d, "pcb_objects_delta": %d, "measure": %s}\n' \
		"$filled" "${conns:-0}" "$objs" "$(slab slab_size)" $((slabkb - slab0)) \
		$((objs - objs0)) "$m" | tee -a "$OUT/scale.jsonl"
done
rmmod netctx
