#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The throughput of one established TCP connection, measured again and
again (harden.py pktgen_flood: before, during and after a flood).

tput.py server ADDR PORT: accepts one connection; for each 8-byte length
  it reads that many bytes, checks them (byte i is i % 251) and answers
  one byte (1: intact, 0: not); prints "ready" once listening.
tput.py client ADDR PORT: connects, prints "ready"; for each line N on
  stdin sends N bytes and prints the MB/s until the answer, or "bad"."""
import socket
import struct
import sys
import time

BLOCK = bytes(i % 251 for i in range(251 * 256))


def server(s):
    c, _ = s.accept()
    while True:
        head = c.recv(8, socket.MSG_WAITALL)
        if len(head) < 8:
            return
        left, = struct.unpack("!Q", head)
        off, ok = 0, True
        while left:
            data = c.recv(min(left, 1 << 20))
            if not data:
                return
            start = off % 251
            if data != (BLOCK * (len(data) // len(BLOCK) + 2))[
                    start:start + len(data)]:
                ok = False
            off += len(data)
            left -= len(data)
        c.sendall(b"\1" if ok else b"\0")


def client(c):
    for line in sys.stdin:
        n = int(line)
        t0 = time.monotonic()
        c.sendall(struct.pack("!Q", n))
        sent = 0
        while sent < n:
            chunk = BLOCK[:min(n - sent, len(BLOCK))]
            c.sendall(chunk)
            sent += len(chunk)
        ok = c.recv(1) == b"\1"
        secs = time.monotonic() - t0
        print("%.3f" % (n / secs / 1e6) if ok else "bad", flush=True)


def main():
    role, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    if role == "server":
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((addr, port))
        s.listen(1)
        print("ready", flush=True)
        server(s)
    else:
        s.connect((addr, port))
        print("ready", flush=True)
        client(s)


if __name__ == "__main__":
    main()
