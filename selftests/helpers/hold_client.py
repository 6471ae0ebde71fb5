#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Opens n TCP connections (from the given local addresses), prints
their local ports and holds them until stdin EOF (nclib.connections)."""
import socket
import sys

addr, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
binds = sys.argv[4:]
fam = socket.AF_INET6 if ':' in addr else socket.AF_INET
conns = []
for i in range(n):
    s = socket.socket(fam, socket.SOCK_STREAM)
    if binds:
        a, p = binds[i].rsplit(':', 1)
        s.bind((a.strip('[]'), int(p)))
    s.connect((addr, port))
    conns.append(s)
print(' '.join(str(s.getsockname()[1]) for s in conns), flush=True)
sys.stdin.read()
