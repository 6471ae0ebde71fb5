#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Opens n TCP connections, prints their local ports, then for each line
of stdin sends it on every connection, waits for the echo and prints
"ok" (lifecycle.py, with select_echo.py).

    echo_conns.py ADDR PORT N
"""
import socket
import sys

addr, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
conns = [socket.create_connection((addr, port)) for _ in range(n)]
print(' '.join(str(c.getsockname()[1]) for c in conns), flush=True)
for line in sys.stdin:
    for c in conns:
        c.sendall(line.encode())
        assert c.recv(100)
    print('ok', flush=True)
