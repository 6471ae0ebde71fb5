#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Opens n connections at once (non-blocking connects, all in flight
together), then has each echo a message; prints the local ports, then
on each line of stdin one more round trip on every connection
(correct.py)."""
import select
import socket
import sys
import time

addr, port, n, tmo = (sys.argv[1], int(sys.argv[2]), int(sys.argv[3]),
                      float(sys.argv[4]))
dev = sys.argv[5] if len(sys.argv) > 5 else ''
fam = socket.AF_INET6 if ':' in addr else socket.AF_INET
socks = []
for i in range(n):
    s = socket.socket(fam, socket.SOCK_STREAM)
    if dev:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, dev.encode())
    s.setblocking(False)
    s.connect_ex((addr, port))
    socks.append(s)
end = time.time() + tmo
pending = list(socks)
while pending and time.time() < end:
    _, w, _ = select.select([], pending, [], 0.2)
    for s in w:
        pending.remove(s)
if pending:
    print('connect timeout', flush=True)
    sys.exit(1)
for s in socks:
    s.setblocking(True)
    s.settimeout(tmo)
def round_trip(tag):
    for i, s in enumerate(socks):
        msg = ('%s-%d;' % (tag, i)).encode() * 50
        s.sendall(msg)
        got = b''
        while len(got) < len(msg):
            d = s.recv(65536)
            if not d:
                break
            got += d
        if got != msg:
            print('bad echo on', s.getsockname()[1], flush=True)
            sys.exit(1)
try:
    round_trip('first')
except OSError as e:
    print('error', e, flush=True)
    sys.exit(1)
print(' '.join(str(s.getsockname()[1]) for s in socks), flush=True)
for line in sys.stdin:
    round_trip(line.strip())
    print('ok', flush=True)
