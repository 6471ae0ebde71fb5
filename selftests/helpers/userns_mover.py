#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""As the root of a user namespace with its own netns (unshare -Urn):
manages TCP port 7100 there, opens a connection to it over lo and moves
it from context to context with MIGRATE_CONN, each move awaited, until
stdin closes; prints "looping" once moving, then the counts as JSON
(harden.py other_families_answer).

usage: userns_mover.py NCCTL CONTEXTS"""
import json
import os
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
from nclib import Mover  # noqa: E402 (after the path)

ncctl, contexts = sys.argv[1], int(sys.argv[2])
PORT = 7100
subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
subprocess.run([ncctl, "port", "add", "tcp", str(PORT)], check=True)
srv = socket.create_server(("127.0.0.1", PORT))
cli = socket.create_connection(("127.0.0.1", PORT))
conn, _ = srv.accept()
cli.sendall(b"x")
conn.recv(1)
pcb = None
for _ in range(1000):
    out = subprocess.run([ncctl, "-j", "conn", "show", "port", str(PORT)],
                         check=True, capture_output=True, text=True).stdout
    pcbs = json.loads(out)
    if pcbs:
        pcb = pcbs[0]
        break
    time.sleep(0.01)
if pcb is None:
    raise SystemExit("no PCB for the connection")
mv = Mover()
counts = {"ok": 0, "busy": 0, "other": 0}
print("looping", flush=True)
os.set_blocking(0, False)
ctx = pcb["ctx"]
while True:
    try:
        if os.read(0, 1) == b"":
            break
    except BlockingIOError:
        pass
    ctx = (ctx + 1) % contexts
    err = mv.migrate(ctx, pcb=pcb)
    counts["ok" if err == 0 else "busy" if err == 16 else "other"] += 1
print(json.dumps(counts), flush=True)
