#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Sends numbered datagrams in traffic.py's format from named sockets: a
line "NAME N" sends N more from socket NAME (created on first use; a
numeric NAME is the source port to bind) (correct.py)."""
import socket
import struct
import sys

sys.path.insert(0, sys.argv[3])
from traffic import pattern
addr, port = sys.argv[1], int(sys.argv[2])
fam = socket.AF_INET6 if ':' in addr else socket.AF_INET
socks, seqs = {}, {}
print('ready', flush=True)
for line in sys.stdin:
    name, n = line.split()
    if name not in socks:
        # Unconnected: an ICMP error must not fail the next send.
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.bind(('::' if fam == socket.AF_INET6 else '0.0.0.0',
                int(name) if name.isdigit() else 0))
        socks[name], seqs[name] = s, 0
    s, i = socks[name], sorted(socks).index(name)
    for _ in range(int(n)):
        seq = seqs[name]
        s.sendto(struct.pack('!II', i, seq) + pattern(i, seq, 200),
                 (addr, port))
        seqs[name] = seq + 1
    print(s.getsockname()[1], flush=True)
