#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A TCP server that accepts n connections, then echoes whichever is
readable until all are closed: connections steered to different
contexts may finish their handshakes, so be accepted, in another order
than the client opened them (lifecycle.py).

    select_echo.py FAMILY ADDR PORT N
"""
import select
import socket
import sys

family, addr, port, n = (int(sys.argv[1]), sys.argv[2], int(sys.argv[3]),
                         int(sys.argv[4]))
s = socket.socket(family)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((addr, port))
s.listen(64)
print('ready', flush=True)
conns = [s.accept()[0] for _ in range(n)]
while conns:
    for c in select.select(conns, [], [])[0]:
        data = c.recv(65536)
        if data:
            c.sendall(data)
        else:
            conns.remove(c)
