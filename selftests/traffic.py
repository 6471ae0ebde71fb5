#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Traffic generator and checker for the netctx selftests.

server: accepts TCP connections (or UDP datagrams) and checks every byte
        against the pattern the client sends; prints one JSON report.
client: opens N TCP connections (or N UDP flows) and sends a pattern,
        either a fixed amount or, with --until-eof, until its standard
        input is closed (a test ends the stream when it has done what it
        meant to do during it, instead of guessing how long that takes).

Each TCP connection starts with an 8-byte header (connection index, length;
STREAM for "until the connection is shut down"); each UDP datagram carries
(flow index, sequence number) and a pattern, so the server can prove bytes
intact and, for UDP, per-flow order kept. The client's report says what it
sent, so the test can compare it with what the server received.
"""
import argparse
import ctypes
import json
import os
import select
import socket
import struct
import sys
import threading
import time

PR_SET_NAME = 15
SO_RCVBUFFORCE = 33


def set_comm(name):
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_NAME, name.encode(), 0, 0, 0)


STREAM = 0xFFFFFFFF  # TCP length header: until EOF
PERIOD = 251  # prime: a shifted, lost or repeated chunk shows
BASE = bytes(i % PERIOD for i in range(PERIOD + 65536))


def pattern(index, offset, length):
    """Deterministic bytes for connection `index` at stream `offset`."""
    start = (offset + 31 * index) % PERIOD
    return BASE[start:start + length]


def family_of(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


class Stopper:
    """True once the client should stop: its fixed amount is sent, or
    with --until-eof, its standard input has reached EOF."""

    def __init__(self, until_eof):
        self.until_eof = until_eof
        self.stopped = False

    def __call__(self):
        if self.until_eof and not self.stopped:
            r, _, _ = select.select([sys.stdin], [], [], 0)
            if r and not sys.stdin.buffer.read1(4096):
                self.stopped = True
        return self.stopped


def tcp_serve(args):
    srv = socket.socket(family_of(args.addr), socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((args.addr, args.port))
    srv.listen(1024)
    print("ready", flush=True)
    results = {}
    lock = threading.Lock()

    def handle(conn, peer):
        ok, total, index = True, 0, -1
        try:
            hdr = b""
            while len(hdr) < 8:
                chunk = conn.recv(8 - len(hdr))
                if not chunk:
                    break
                hdr += chunk
            index, length = struct.unpack("!II", hdr)
            while total < length:
                chunk = conn.recv(min(65536, length - total))
                if not chunk:
                    break
                if chunk != pattern(index, total, len(chunk)):
                    ok = False
                total += len(chunk)
            ok = ok and (total == length or length == STREAM)
            conn.sendall(b"K" if ok else b"F")
        except (OSError, struct.error):
            ok = False
        with lock:
            results[peer[1]] = {"index": index, "bytes": total, "ok": ok}
        conn.close()

    threads = []
    srv.settimeout(args.timeout)
    try:
        for _ in range(args.conns):
            conn, peer = srv.accept()
            conn.settimeout(args.timeout)
            t = threading.Thread(target=handle, args=(conn, peer))
            t.start()
            threads.append(t)
    except socket.timeout:
        pass
    for t in threads:
        t.join()
    json.dump({str(k): v for k, v in results.items()}, sys.stdout)
    print(flush=True)
    return 0 if len(results) == args.conns and all(
        r["ok"] for r in results.values()) else 1


def tcp_client(args):
    socks = []
    for i in range(args.conns):
        s = socket.socket(family_of(args.addr), socket.SOCK_STREAM)
        s.settimeout(args.timeout)
        s.connect((args.addr, args.port))
        socks.append(s)
    ports = [s.getsockname()[1] for s in socks]
    # Interleave the connections so that they are all live at once.
    sent = [0] * args.conns
    total = STREAM if args.until_eof else args.bytes
    for i, s in enumerate(socks):
        s.sendall(struct.pack("!II", i, total))
    chunk = args.chunk
    stop = Stopper(args.until_eof)
    while any(n < total for n in sent) and not stop():
        for i, s in enumerate(socks):
            if sent[i] < total:
                n = min(chunk, total - sent[i])
                s.sendall(pattern(i, sent[i], n))
                sent[i] += n
                if args.pace:
                    time.sleep(args.pace)
    ok = True
    for s in socks:
        if args.until_eof:
            s.shutdown(socket.SHUT_WR)
        ok = ok and s.recv(1) == b"K"
        if not args.linger:
            s.close()
    if args.linger:
        time.sleep(args.linger)
        for s in socks:
            s.close()
    json.dump({"ports": ports, "ok": ok,
               "sent": dict(zip(map(str, ports), sent))}, sys.stdout)
    print(flush=True)
    return 0 if ok else 1


def udp_serve(args):
    srv = socket.socket(family_of(args.addr), socket.SOCK_DGRAM)
    # FORCE: past rmem_max, so that a slow checker does not drop.
    srv.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE,
                   args.rcvbuf << 20)
    srv.bind((args.addr, args.port))
    print("ready", flush=True)
    flows = {}
    deadline = time.time() + args.timeout
    while time.time() < deadline:
        r, _, _ = select.select([srv], [], [], args.idle)
        if not r:
            if flows:
                break
            continue
        data, peer = srv.recvfrom(65536)
        index, seq = struct.unpack("!II", data[:8])
        f = flows.setdefault(peer[1], {"index": index, "packets": 0,
                                       "bytes": 0, "ok": True,
                                       "ordered": True, "last": -1})
        if data[8:] != pattern(index, seq, len(data) - 8):
            f["ok"] = False
        if seq <= f["last"]:
            f["ordered"] = False
        f["last"] = seq
        f["packets"] += 1
        f["bytes"] += len(data)
    json.dump({str(k): v for k, v in flows.items()}, sys.stdout)
    print(flush=True)
    return 0


def udp_client(args):
    socks = []
    for _ in range(args.conns):
        s = socket.socket(family_of(args.addr), socket.SOCK_DGRAM)
        s.connect((args.addr, args.port))
        socks.append(s)
    ports = [s.getsockname()[1] for s in socks]
    seq = 0
    stop = Stopper(args.until_eof)
    while (args.until_eof or seq < args.packets) and not stop():
        for i, s in enumerate(socks):
            s.send(struct.pack("!II", i, seq) + pattern(i, seq, args.chunk))
        seq += 1
        if args.pace:
            time.sleep(args.pace)
    json.dump({"ports": ports, "ok": True,
               "sent": {str(p): seq for p in ports}}, sys.stdout)
    print(flush=True)
    return 0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("role", choices=["server", "client"])
    p.add_argument("--proto", choices=["tcp", "udp"], default="tcp")
    p.add_argument("--addr", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--conns", type=int, default=1)
    p.add_argument("--bytes", type=int, default=65536)
    p.add_argument("--packets", type=int, default=10)
    p.add_argument("--chunk", type=int, default=1000)
    p.add_argument("--pace", type=float, default=0.0)
    p.add_argument("--linger", type=float, default=0.0)
    p.add_argument("--until-eof", action="store_true",
                   help="client: send until stdin is closed")
    p.add_argument("--timeout", type=float, default=60.0)
    p.add_argument("--idle", type=float, default=2.0)
    p.add_argument("--comm", default="")
    p.add_argument("--rcvbuf", type=int, default=16, help="MiB, UDP")
    args = p.parse_args()
    # Deadlines scale like the tests' own (nclib.FACTOR).
    factor = float(os.environ.get("NETCTX_TIMEOUT_FACTOR") or 1)
    args.timeout *= factor
    args.idle *= factor
    if args.comm:
        set_comm(args.comm)
    fn = {("server", "tcp"): tcp_serve, ("client", "tcp"): tcp_client,
          ("server", "udp"): udp_serve, ("client", "udp"): udp_client}
    return fn[(args.role, args.proto)](args)


if __name__ == "__main__":
    sys.exit(main())
