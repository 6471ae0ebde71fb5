#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Real applications through a managed port against the same without the
# module, run by tools/bench.sh in the multi-vCPU guest after pps.sh.
# Setups alternate, RUNS rounds of
#
#   none     netctx not loaded
#   managed  a policy on the application's port, one context per vCPU
#
# for each of
#
#   iperf3   8 TCP streams, nb-cli -> nb-srv:5201, SECONDS_RUN each:
#            the receiver's rate and the sender's retransmits
#   nginx    wrk, 2 threads, 64 keep-alive connections, a 4 KiB static
#            file, SECONDS_RUN each: requests per second; wrk's Lua
#            compares every response body with the file
#
# usage: apps.sh OUTDIR     writes OUTDIR/apps.jsonl
set -eu
cd "$(dirname "$0")/../.."
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
OUT=${1:?usage: apps.sh OUTDIR}
NCCTL=$PWD/tools/ncctl/ncctl
KO=$PWD/netctx.ko
SECONDS_RUN=${BENCH_SECONDS:-4}
RUNS=${BENCH_APPS_RUNS:-3}
IPERF_PORT=5201
HTTP_PORT=80
W=
NGINX=

# shellcheck source=tools/bench/lib.sh
. tools/bench/lib.sh
cleanup() {
	[[ -z $NGINX ]] || kill "$NGINX" 2>/dev/null || true
	[[ -z $NGINX ]] || wait "$NGINX" 2>/dev/null || true
	ip netns del nb-cli 2>/dev/null || true
	ip netns del nb-srv 2>/dev/null || true
	rmmod netctx 2>/dev/null || true
	[[ -z $W ]] || rm -rf "$W"
}
trap cleanup EXIT

for p in iperf3 nginx wrk; do
	if ! command -v $p >/dev/null; then
		echo "apps.sh: $p is not installed (make deps), skipped" >&2
		exit 0
	fi
done
nb_topo
W=$(mktemp -d)
mkdir -p "$W/www" "$W/tmp"
head -c 4096 /dev/urandom >"$W/www/file"
sed -e "s|@DIR@|$W|g" -e 's|@ADDR@|10.88.0.2|g' -e "s|@PORT@|$HTTP_PORT|g" \
	selftests/helpers/nginx.conf >"$W/nginx.conf"

listens() { # PORT: whether nb-srv listens on it
	srv ss -Htln "sport = :$1" | grep -q LISTEN
}

listening() { # PORT
	waitfor listens "$1" || { cat "$W/error.log" >&2; exit 1; }
}

iperf() { # SETUP ROUND
	local out server
	srv iperf3 -s -1 -p $IPERF_PORT >/dev/null &
	server=$!
	listening $IPERF_PORT
	out=$(cli iperf3 -c 10.88.0.2 -p $IPERF_PORT -P 8 -t "$SECONDS_RUN" -J)
	wait "$server"
	python3 -c '
import json, sys
r = json.load(sys.stdin)
e = r["end"]
print(json.dumps({"app": "iperf3", "setup": sys.argv[1],
                  "round": int(sys.argv[2]), "streams": 8,
                  "error": r.get("error"),
                  "bps": e["sum_received"]["bits_per_second"],
                  "retransmits": e["sum_sent"].get("retransmits", 0)}))
' "$1" "$2" <<<"$out"
}

nginx_wrk() { # SETUP ROUND
	local out req good bad
	out=$(cli wrk -t 2 -c 64 -d "${SECONDS_RUN}s" \
		-s selftests/helpers/wrk_check.lua \
		"http://10.88.0.2:$HTTP_PORT/file" -- "$W/www/file")
	req=$(sed -n 's/^Requests\/sec: *//p' <<<"$out")
	good=$(sed -n 's/^CHECK good=\([0-9]*\).*/\1/p' <<<"$out")
	bad=$(sed -n 's/^CHECK .*bad=\([0-9]*\)/\1/p' <<<"$out")
	printf '{"app": "nginx", "setup": "%s", "round": %d, "conns": 64, "rps": %s, "good": %d, "bad": %d, "errors": %s}\n' \
		"$1" "$2" "${req:-0}" "${good:-0}" "${bad:-0}" \
		"$(grep -qE 'Socket errors|Non-2xx' <<<"$out" && echo true || echo false)"
}

setup() {
	rmmod netctx 2>/dev/null || true
	if [[ $1 == managed ]]; then
		insmod "$KO"
		srv "$NCCTL" port add tcp $IPERF_PORT
		srv "$NCCTL" port add tcp $HTTP_PORT
	fi
}

: >"$OUT/apps.jsonl"
echo "# apps: iperf3 8 TCP streams, nginx + wrk 64 connections, ${SECONDS_RUN}s per run, $RUNS rounds, $(nproc) vCPUs"
srv nginx -p "$W" -c "$W/nginx.conf" -e "$W/error.log" &
NGINX=$!
listening $HTTP_PORT
for ((r = 1; r <= RUNS; r++)); do
	for s in none managed; do
		setup $s
		iperf $s $r | tee -a "$OUT/apps.jsonl"
		nginx_wrk $s $r | tee -a "$OUT/apps.jsonl"
	done
done
rmmod netctx 2>/dev/null || true
