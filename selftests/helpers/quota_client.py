#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Pre-assigns from one bound TCP socket until refused; prints the errno
of each try (control.py unprivileged_assign_quota)."""
import errno
import socket
import struct
import sys

s = socket.socket()
s.bind((sys.argv[1], 0))
out = []
for port in range(1000, 1000 + int(sys.argv[3])):
    sa = struct.pack('=HH4s8x', socket.AF_INET, socket.htons(port),
                     socket.inet_aton(sys.argv[2]))
    try:
        s.setsockopt(0, 3600, struct.pack('=IIII', 1, 0, 0, 0) + sa +
                     bytes(28 - len(sa)) + bytes(4))
        out.append('ok')
    except OSError as e:
        out.append(errno.errorcode[e.errno])
print(' '.join(out))
