#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Sends 500-byte UDP datagrams to ADDR:PORT as fast as it can for
SECONDS, ignoring send errors (the netns may go away meanwhile:
disrupt.py).

    udp_flood.py ADDR PORT SECONDS
"""
import socket
import sys
import time

dst = (sys.argv[1], int(sys.argv[2]))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
end = time.time() + float(sys.argv[3])
while time.time() < end:
    try:
        s.sendto(b'x' * 500, dst)
    except OSError:
        pass
