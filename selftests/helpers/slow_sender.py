#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Connects and sends COUNT chunks of SIZE bytes, 10 ms apart, then
closes (migrate.py: data flowing while a connection moves).

    slow_sender.py ADDR PORT COUNT SIZE
"""
import socket
import sys
import time

s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
for _ in range(int(sys.argv[3])):
    s.sendall(b'y' * int(sys.argv[4]))
    time.sleep(0.01)
s.close()
