#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A UDP socket that prints the source port of each datagram
(harden.py user_assignment_dies_with_socket)."""
import socket
import sys

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", int(sys.argv[1])))
print("ready", flush=True)
while True:
    data, peer = s.recvfrom(100)
    print("got %d" % peer[1], flush=True)
