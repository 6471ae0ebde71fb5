#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A TCP echo server on a port, in another netns or beside a moved
device: what it receives shows where packets went (correct.py)."""
import select
import socket
import sys

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('0.0.0.0', int(sys.argv[1])))
print('ready', flush=True)
n = 0
while True:
    r, _, _ = select.select([s, sys.stdin], [], [])
    if s in r:
        s.recv(65536)
        n += 1
    if sys.stdin in r:
        break
print(n, flush=True)
