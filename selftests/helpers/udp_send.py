#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Sends COUNT one-byte UDP datagrams to ADDR:PORT from one socket,
bound to source port SPORT if not 0 (harden.py: a flow's first datagram
alone makes a PCB that lives new_timeout_ms; a second confirms it).

    udp_send.py ADDR PORT COUNT [SPORT]
"""
import socket
import sys

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
if len(sys.argv) > 4:
    s.bind(('', int(sys.argv[4])))
for _ in range(int(sys.argv[3])):
    s.sendto(b'x', (sys.argv[1], int(sys.argv[2])))
