#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Pre-assigns two peers from a bound UDP socket, then steps on each
line of stdin (harden.py user_assignment_dies_with_socket)."""
import errno
import socket
import struct
import sys

peer, port, ctx = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", port))
for pport in (7000, 7001):
    sa = struct.pack("=HH4s8x", socket.AF_INET, socket.htons(pport),
                     socket.inet_aton(peer))
    s.setsockopt(0, 3600, struct.pack("=IIII", ctx, 0, 0, 0) + sa +
                 bytes(28 - len(sa)) + bytes(4))
print("assigned", flush=True)
sys.stdin.readline()
s.close()
print("closed", flush=True)
sys.stdin.readline()
