#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""From one bound socket, pre-assigns (NETCTX_SO_ASSIGN) a connection to
PEER for each remote port 1000 .. 1000 + N - 1 on context CTX; prints as
JSON each try's outcome, "ok" or the errno's name (control.py
unprivileged_assign_quota, harden.py user_quota_per_uid).

    preassign_many.py tcp|udp BIND_ADDR PEER N CTX
"""
import errno
import json
import socket
import struct
import sys

kind = socket.SOCK_STREAM if sys.argv[1] == "tcp" else socket.SOCK_DGRAM
s = socket.socket(socket.AF_INET, kind)
s.bind((sys.argv[2], 0))
out = []
for pport in range(1000, 1000 + int(sys.argv[4])):
    sa = struct.pack("=HH4s8x", socket.AF_INET, socket.htons(pport),
                     socket.inet_aton(sys.argv[3]))
    try:
        s.setsockopt(0, 3600, struct.pack("=IIII", int(sys.argv[5]), 0, 0,
                                          0) + sa + bytes(28 - len(sa)) +
                     bytes(4))
        out.append("ok")
    except OSError as e:
        out.append(errno.errorcode[e.errno])
print(json.dumps(out))
