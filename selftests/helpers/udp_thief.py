#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Tries every socket option on a UDP port another user's socket also
has bound; prints each errno (harden.py udp_flow_of_another_user)."""
import errno
import json
import socket
import struct
import sys

peer, pport, ctx = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])


def req(remote=None):
    sa = b""
    if remote:
        sa = struct.pack("=HH4s8x", socket.AF_INET, socket.htons(remote[1]),
                         socket.inet_aton(remote[0]))
    return struct.pack("=IIII", ctx, 0, 0, 0) + sa + bytes(28 - len(sa)) + \
        bytes(4)


def sock(connect):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", 5001))
    if connect:
        s.connect((peer, pport))
    return s


def err(fn):
    try:
        fn()
        return "ok"
    except OSError as e:
        return errno.errorcode[e.errno]


c, u = sock(True), sock(False)
print(json.dumps({
    "get": err(lambda: c.getsockopt(0, 3600, 48)),
    "migrate": err(lambda: c.setsockopt(0, 3601, req())),
    "assign": err(lambda: c.setsockopt(0, 3600, req())),
    "preassign": err(lambda: u.setsockopt(0, 3600, req((peer, pport + 1)))),
}))
