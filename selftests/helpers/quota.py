#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Pre-assigns from one UDP socket until refused; prints the errnos
(harden.py user_quota_per_uid)."""
import errno
import json
import socket
import struct
import sys

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 0))
out = []
for pport in range(1000, 1000 + int(sys.argv[2])):
    sa = struct.pack("=HH4s8x", socket.AF_INET, socket.htons(pport),
                     socket.inet_aton(sys.argv[1]))
    try:
        s.setsockopt(0, 3600, struct.pack("=IIII", 0, 0, 0, 0) + sa +
                     bytes(28 - len(sa)) + bytes(4))
        out.append("ok")
    except OSError as e:
        out.append(errno.errorcode[e.errno])
print(json.dumps(out))
