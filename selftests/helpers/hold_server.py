#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A TCP listener held until stdin EOF (nclib.listener)."""
import socket
import sys

fam = socket.AF_INET6 if ':' in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(1024)
print('ready', flush=True)
sys.stdin.read()
