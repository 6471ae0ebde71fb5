#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A TCP server that pre-assigns its peer's connection through libnetctx
(ctypes), then echoes (control.py preassign_library_server)."""
import ctypes
import socket
import struct
import sys

lib = ctypes.CDLL(sys.argv[1])
addr, port, peer, pport, ctx = (sys.argv[2], int(sys.argv[3]), sys.argv[4],
                                 int(sys.argv[5]), int(sys.argv[6]))
fam = socket.AF_INET6 if ':' in addr else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((addr, port))
if fam == socket.AF_INET:
    sa = struct.pack('=HH4s8x', fam, socket.htons(pport),
                     socket.inet_pton(fam, peer))
else:
    sa = struct.pack('=HHI16sI', fam, socket.htons(pport), 0,
                     socket.inet_pton(fam, peer), 0)
if lib.netctx_assign(s.fileno(), sa, len(sa), ctx):
    sys.exit('netctx_assign: errno %d' % ctypes.get_errno())
s.listen(8)
print('ready', flush=True)
sys.stdin.read()
