#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A bound UDP socket, held until stdin EOF (harden.py floods)."""
import socket
import sys

fam = socket.AF_INET6 if ':' in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
print("ready", flush=True)
sys.stdin.read()
