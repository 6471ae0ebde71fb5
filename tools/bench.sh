#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: netctx's cost against the kernel's own receive path and RPS,
# in two guest boots, then the report.  Runs on the host.
#
#   1. tools/bench/cost.sh in a 1-vCPU guest under -icount shift=0:
#      instructions per received packet (deterministic), and with 1k, 10k,
#      100k and 1M live PCBs, and the kernel memory per PCB
#   2. tools/bench/pps.sh in a BENCH_CPUS-vCPU guest (default 2): packet
#      rates, setups alternated over BENCH_PPS_RUNS rounds; then
#      tools/bench/latency.sh in the same guest: UDP round trips through a
#      managed port, the context idle or beside a busy loop, SCHED_NORMAL
#      and SCHED_BATCH; then tools/bench/migrate.sh: migration latency
#      (tracepoints) and rate, one at a time and in parallel, idle and
#      under a flood, every flow's order checked; then tools/bench/
#      apps.sh: iperf3 (8 TCP streams) and nginx + wrk (64 connections)
#      through a managed port against no module
#   3. tools/bench/report.py: bench/results/{results.md,results.json,*.png}
#
# Method and figures: Documentation/performance.rst.  Knobs (environment):
# BENCH_RESULTS (output directory), BENCH_CPUS, BENCH_COST_PACKETS,
# BENCH_COST_RUNS, BENCH_SCALE, BENCH_PPS_RUNS, BENCH_SECONDS, BENCH_FLOWS,
# BENCH_MIGRATE_SECONDS, BENCH_MIGRATE_MOVES, BENCH_MIGRATE_THREADS,
# BENCH_APPS_RUNS, VM (the tools/vm/run command line, e.g. with --kver).
set -eu
cd "$(dirname "$0")/.."
RES=${BENCH_RESULTS:-bench/results}
VM=${VM:-tools/vm/run}
mkdir -p "$RES"
RES=$(cd "$RES" && pwd -P)
rm -rf "$RES/raw"
mkdir -p "$RES/raw"
envs=()
for v in BENCH_COST_PACKETS BENCH_COST_RUNS BENCH_SCALE BENCH_PPS_RUNS \
	BENCH_SECONDS BENCH_FLOWS BENCH_SIZE BENCH_RTT_COUNT BENCH_PPS_SETUPS \
	BENCH_MIGRATE_SECONDS BENCH_MIGRATE_MOVES BENCH_MIGRATE_THREADS \
	BENCH_APPS_RUNS; do
	[[ -n ${!v:-} ]] && envs+=(--env "$v=${!v}")
done
start=$SECONDS
# shellcheck disable=SC2086 # VM is a command line
$VM --cpus 1 --icount 0 --append slub_nomerge --loglevel 1 --timeout 1500 \
	--out "$RES/raw" "${envs[@]}" -- tools/bench/cost.sh "$RES/raw"
t_cost=$((SECONDS - start))
# shellcheck disable=SC2086
$VM --cpus "${BENCH_CPUS:-2}" --loglevel 1 --timeout 1500 \
	--out "$RES/raw" "${envs[@]}" -- \
	bash -c 'tools/bench/pps.sh "$1" && tools/bench/latency.sh "$1" &&
		 tools/bench/migrate.sh "$1" && tools/bench/apps.sh "$1"' \
	bench "$RES/raw"
t_pps=$((SECONDS - start - t_cost))
python3 tools/bench/report.py "$RES" --seconds "$t_cost,$t_pps"
