#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""An unprivileged TCP server that migrates its own connection with
NETCTX_SO_MIGRATE in a loop while data flows (migrate.py)."""
import json
import os
import socket
import struct
import sys
import time

addr, port = sys.argv[1], int(sys.argv[2])
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind((addr, port))
srv.listen(4)
print('ready', flush=True)
c, _ = srv.accept()
r, w = os.pipe()
kids = []
for k in range(4):
    pid = os.fork()
    if pid == 0:
        os.close(w)
        counts = {'ok': 0, 'busy': 0, 'other': 0}
        i, t0 = k, time.monotonic()
        os.set_blocking(r, False)
        while True:
            try:
                if os.read(r, 1) == b'':
                    break
            except BlockingIOError:
                pass
            i += 1
            req = struct.pack('=IIII28sI', i % 4, 0, 0, 0, b'', 0)
            try:
                c.setsockopt(0, 3601, req)
                counts['ok'] += 1
            except OSError as e:
                counts['busy' if e.errno == 16 else 'other'] += 1
        counts['seconds'] = time.monotonic() - t0
        # One write, shorter than PIPE_BUF: the children's lines never mix.
        os.write(1, (json.dumps(counts) + '\n').encode())
        os._exit(0)
    kids.append(pid)
os.close(r)
print('looping', flush=True)
sys.stdin.readline()
os.close(w)
for pid in kids:
    os.waitpid(pid, 0)
