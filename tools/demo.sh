#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: a guided tour of netctx, run inside the test VM.
#
#   client netns  veth0 10.66.0.1 ------ veth1 10.66.0.2  server netns
#                                         (netctx policies live here)
set -eu
cd "$(dirname "$0")/.."
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
N=tools/ncctl/ncctl
SESSION=tools/lib/examples/session

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }
cli() { ip netns exec demo-cli "$@"; }
srv() { ip netns exec demo-srv "$@"; }

cleanup() {
	kill $(jobs -p) 2>/dev/null || true
	ip netns del demo-cli 2>/dev/null || true
	ip netns del demo-srv 2>/dev/null || true
	rmmod netctx 2>/dev/null || true
}
trap cleanup EXIT

modprobe veth
ip netns add demo-cli
ip netns add demo-srv
ip link add veth0 netns demo-cli type veth peer name veth1 netns demo-srv
cli ip addr add 10.66.0.1/24 dev veth0
srv ip addr add 10.66.0.2/24 dev veth1
for ns in demo-cli demo-srv; do
	ip -n $ns link set lo up
done
cli ip link set veth0 up
srv ip link set veth1 up

say "Load netctx: one context thread per CPU"
run insmod netctx.ko nr_contexts=4
run $N ctx show
ps -eo pid,psr,comm | grep 'netctx/' | sed 's/^/    /'

say "Policies in the server netns: NFS-like port spreads clients by address,"
say "a CIFS-like port keeps to its own contexts 2-3"
run srv $N port add tcp 2049 hash remote-addr
run srv $N port add tcp 445 hash default contexts 2-3
run srv $N port show

srv python3 selftests/traffic.py server --proto tcp --addr 10.66.0.2 \
	--port 445 --conns 8 >/dev/null &
sleep 1
say "8 SMB-like connections land on contexts 2-3 only"
cli python3 selftests/traffic.py client --proto tcp --addr 10.66.0.2 \
	--port 445 --conns 8 --bytes 100000 >/dev/null
wait
run srv $N -s conn show port 445

say "Pre-assign a connection that does not exist yet to context 1"
srv python3 -c "
import socket, sys
s = socket.socket(); s.setsockopt(1, 2, 1)
s.bind(('10.66.0.2', 2049)); s.listen(8); print('ready', flush=True)
c, _ = s.accept()
while c.recv(65536): pass
" >/dev/null &
sleep 1
run srv $N conn assign tcp '*:2049' 10.66.0.1:40000 ctx 1
run srv $N -s conn show port 2049
mkfifo /tmp/demo.fifo
cli python3 -c "
import socket, time
s = socket.socket(); s.bind(('10.66.0.1', 40000))
s.connect(('10.66.0.2', 2049))
for i in range(300):
    s.sendall(b'x' * 8000); time.sleep(0.01)
" &
sleep 1
say "Its very first packet (the SYN) was processed on context 1 (first-ctx)"
run srv $N -s conn show port 2049

say "Migrate it, live, while it transfers: 1 -> 3 -> 0"
run srv $N conn migrate tcp 10.66.0.2:2049 10.66.0.1:40000 ctx 3
sleep 0.5
run srv $N conn migrate tcp 10.66.0.2:2049 10.66.0.1:40000 ctx 0
run srv $N -s conn show port 2049
wait %3 2>/dev/null || true

say "An application keeps its whole session on context 2 (libnetctx)"
cli python3 -c "
import socket, sys
s = socket.socket(); s.setsockopt(1, 2, 1)
s.bind(('10.66.0.1', 6000)); s.listen(8); print('ready', flush=True)
sys.stdin.read()
" </tmp/demo.fifo >/dev/null &
exec 9>/tmp/demo.fifo
sleep 1
srv $SESSION 10.66.0.1 6000 4 2 </dev/null &
sleep 2
run srv $N -s conn show port 6000
exec 9>&-

say "Per-context statistics"
run $N -s ctx show
run $N -j -p ctx show | head -14
