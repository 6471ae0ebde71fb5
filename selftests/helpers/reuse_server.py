#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A UDP socket on port 5001 with SO_REUSEADDR, held until stdin EOF
(harden.py udp_flow_of_another_user)."""
import socket
import sys

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 5001))
print("ready", flush=True)
sys.stdin.read()
