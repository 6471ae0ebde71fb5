#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Migration latency and rate, run by tools/bench.sh in the multi-vCPU
# guest after latency.sh. Two managed UDP ports, every context:
#
#   7001  one flow sent as fast as ncbench can: the connection moved in
#         the one-at-a-time runs (a packet always arrives soon, so "first
#         packet delivered by the new context" is the move, not a wait)
#   7000  64 flows: the flood of the "flood" runs, and the connections
#         moved in the parallel runs
#
# Runs, each writing one JSON line:
#   serial   idle   ncmove moves the 7001 flow MOVES times, one at a time
#   serial   flood  the same while 64 flows flood 7000
#   parallel idle   THREADS ncmove threads move the 64 idle flows of 7000
#                   (each connection had a packet, none flows now)
#   parallel flood  the same while those 64 flows stream
#
# Latency in the guest's clock, from the module's tracepoints:
# netctx:migrate_deliver (request to the first packet the new context
# delivers) and netctx:migrate_done (request to the end of the move, what
# a waiting caller waits in the kernel); ncmove adds what the caller
# waits around the netlink call. Ordering: the sinks check every flow's
# sequence numbers; any datagram that arrives out of order is counted.
#
# usage: migrate.sh OUTDIR     writes OUTDIR/migrate.jsonl
set -eu
cd "$(dirname "$0")/../.."
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
OUT=${1:?usage: migrate.sh OUTDIR}
NCCTL=$PWD/tools/ncctl/ncctl
BENCH=$PWD/tools/bench/ncbench
MOVE=$PWD/tools/bench/ncmove
KO=$PWD/netctx.ko
SECS=${BENCH_MIGRATE_SECONDS:-5}
MOVES=${BENCH_MIGRATE_MOVES:-1000}
THREADS=${BENCH_MIGRATE_THREADS:-4}
T=/sys/kernel/tracing
PIDS=()
SINKS=()

# shellcheck source=tools/bench/lib.sh
. tools/bench/lib.sh
cleanup() {
	for p in "${PIDS[@]}" "${SINKS[@]}"; do kill "$p" 2>/dev/null || true; done
	echo 0 >$T/events/netctx/enable 2>/dev/null || true
	ip netns del nb-cli 2>/dev/null || true
	ip netns del nb-srv 2>/dev/null || true
	rmmod netctx 2>/dev/null || true
}
trap cleanup EXIT

if [[ $(nproc) -lt 2 ]]; then
	echo "migrate.sh: needs 2 vCPUs, skipped" >&2
	exit 0
fi
mountpoint -q $T || mount -t tracefs nodev $T
nb_topo
NCTX=$(nproc)
insmod "$KO" nr_contexts="$NCTX"
srv "$NCCTL" port add udp 7000
srv "$NCCTL" port add udp 7001
echo 32768 >$T/buffer_size_kb

# Not through srv()/cli(): $! must be the program itself, to signal it.
sink() { # PORT FILE: start a sink, wait until it listens
	ip netns exec nb-srv "$BENCH" sink 10.88.0.2 "$1" 600 >"$2" &
	SINKS+=($!)
	while ! grep -q ready "$2" 2>/dev/null; do sleep 0.05; done
}

# Pinned: a sender that changes CPU leaves a flow's earlier packets in
# the old CPU's backlog, and the two softirqs may pass them on in either
# order, netctx or not (veth has no RPS flow table to prevent it).
flood() { # PORT FLOWS CPU
	ip netns exec nb-cli taskset -c "$3" "$BENCH" flood 10.88.0.2 "$1" 600 \
		"$2" 64 >/dev/null &
	PIDS+=($!)
}

pcbs() { # PORT: managed connections of the port
	srv "$NCCTL" -j conn show port "$1" | python3 -c \
		'import json, sys; print(len(json.load(sys.stdin)))'
}

wait_pcbs() { # PORT N
	local i
	for i in $(seq 600); do
		[[ $(pcbs "$1") -ge $2 ]] && return 0
		sleep 0.05
	done
	echo "migrate.sh: port $1 has no $2 connections" >&2
	exit 1
}

# Percentiles of the tracepoints' ns= fields, in microseconds; a failed
# move's migrate_done (ret != 0) is not counted.
trace_stats() {
	python3 - "$T/trace" <<'EOF'
import json, re, sys
lat = {"deliver": [], "done": []}
lost = 0
for line in open(sys.argv[1]):
    e = re.search(r"entries-in-buffer/entries-written: (\d+)/(\d+)", line)
    if e:
        lost = int(e.group(2)) - int(e.group(1))
    m = re.search(r" migrate_(deliver|done): .* ns=(\d+)", line)
    if m and (m.group(1) == "deliver" or " ret=0 " in line):
        lat[m.group(1)].append(int(m.group(2)) / 1000)
out = {"lost_events": lost}
for k, v in lat.items():
    v.sort()
    n = len(v)
    out[k + "_us"] = {"n": n} if not n else {
        "n": n, "p50": round(v[n // 2], 1),
        "p99": round(v[min(n - 1, int(n * 0.99))], 1),
        "max": round(v[-1], 1)}
print(json.dumps(out))
EOF
}

reordered() { # FILE...: each sink's reordered count, as JSON
	python3 - "$@" <<'EOF'
import json, sys
print(json.dumps({f.rsplit(".", 1)[1]:
                  json.loads(open(f).read().splitlines()[-1])["reordered"]
                  for f in sys.argv[1:]}))
EOF
}

run() { # MODE LOAD
	local mode=$1 load=$2 move port threads limit files=()
	echo >$T/trace
	if [[ $mode == serial ]]; then
		port=7001 threads=1 limit="60 $MOVES"
		sink 7001 /tmp/nm.7001
		files+=(/tmp/nm.7001)
		# Its own vCPU: beside the 64 flows' sender it would wait for
		# that one's time slice, and so would the first packet after a
		# move (that wait, not the move's, would be measured).
		flood 7001 1 $((NCTX - 1))
		wait_pcbs 7001 1
	else
		port=7000 threads=$THREADS limit=
	fi
	if [[ $load == flood || $mode == parallel ]]; then
		sink 7000 /tmp/nm.7000
		files+=(/tmp/nm.7000)
		if [[ $load == idle ]]; then
			# One burst: 64 connections, then nothing flows.
			cli taskset -c 0 "$BENCH" flood 10.88.0.2 7000 0.3 64 64 \
				>/dev/null
		else
			flood 7000 64 0
		fi
		wait_pcbs 7000 64
	fi
	echo 1 >$T/events/netctx/migrate_deliver/enable
	echo 1 >$T/events/netctx/migrate_done/enable
	move=$(srv "$MOVE" "$port" "$NCTX" "$threads" ${limit:-$SECS})
	echo 0 >$T/events/netctx/enable
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${SINKS[@]}"; do kill -TERM "$p"; done
	wait
	PIDS=() SINKS=()
	printf '{"mode": "%s", "load": "%s", "move": %s, "trace": %s, "reordered": %s, "ctx": %s}\n' \
		"$mode" "$load" "$move" "$(trace_stats)" \
		"$(reordered "${files[@]}")" "$(ctxjson)"
	# A clean module for the next run: no PCB of this one left.
	rmmod netctx
	insmod "$KO" nr_contexts="$NCTX"
	srv "$NCCTL" port add udp 7000
	srv "$NCCTL" port add udp 7001
}

: >"$OUT/migrate.jsonl"
echo "# migrate: $NCTX contexts; serial: $MOVES moves; parallel: $THREADS threads, ${SECS}s"
for r in ${BENCH_MIGRATE_RUNS:-serial:idle serial:flood parallel:idle parallel:flood}; do
	run "${r%:*}" "${r#*:}" | tee -a "$OUT/migrate.jsonl"
done
