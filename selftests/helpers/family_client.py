#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""NETCTX_SO_ASSIGN on IPv4, IPv6 and dual-stack sockets, each with every
address family of peer (control.py sockopt_families)."""
import errno
import socket
import struct
import sys

SOL_IP, SOL_IPV6, ASSIGN = 0, 41, 3600


def req(ctx, sa):
    return struct.pack('=IIII', ctx, 0, 0, 0) + sa + bytes(28 - len(sa)) + \
        bytes(4)


def sin(addr, port):
    return struct.pack('=HH4s8x', socket.AF_INET, socket.htons(port),
                       socket.inet_aton(addr))


def sin6(addr, port):
    return struct.pack('=HHI16sI', socket.AF_INET6, socket.htons(port), 0,
                       socket.inet_pton(socket.AF_INET6, addr), 0)


out = []
# An IPv4 socket cannot pre-assign an IPv6 peer.
s4 = socket.socket(socket.AF_INET)
s4.bind(('0.0.0.0', 0))
try:
    s4.setsockopt(SOL_IP, ASSIGN, req(1, sin6(sys.argv[2], 6003)))
    out.append('ok')
except OSError as e:
    out.append(errno.errorcode[e.errno])
# A dual-stack IPv6 socket pre-assigns an IPv4 peer, then connects to it.
s6 = socket.socket(socket.AF_INET6)
s6.bind(('::', 0))
s6.setsockopt(SOL_IPV6, ASSIGN, req(3, sin(sys.argv[1], 6003)))
s6.connect(('::ffff:' + sys.argv[1], 6003))
out.append(str(s6.getsockname()[1]))
print(' '.join(out), flush=True)
sys.stdin.read()
