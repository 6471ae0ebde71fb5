#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A TCP server that moves its own accepted connection to context 3
with NETCTX_SO_MIGRATE, then reads it to the end; prints the context and
origin before and after (NETCTX_SO_GET) and the bytes read (migrate.py
sockopt_migration).

    self_migrate.py ADDR PORT NETCTX_SO_GET NETCTX_SO_MIGRATE
"""
import socket
import struct
import sys

SOL_IP = 0
addr, port = sys.argv[1], int(sys.argv[2])
so_get, so_migrate = int(sys.argv[3]), int(sys.argv[4])
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((addr, port))
s.listen(4)
print('ready', flush=True)
c, _ = s.accept()


def get():
    return struct.unpack('=III', c.getsockopt(SOL_IP, so_get, 48)[:12])


before = get()
c.setsockopt(SOL_IP, so_migrate, struct.pack('=IIII28sI', 3, 0, 0, 0, b'', 0))
after = get()
n = 0
while True:
    data = c.recv(65536)
    if not data:
        break
    n += len(data)
print(before[0], before[1], after[0], after[1], n, flush=True)
