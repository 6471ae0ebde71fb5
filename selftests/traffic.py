#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Traffic generator and checker for the netctx selftests.

server: accepts TCP connections (or UDP datagrams) and checks every byte
        against the pattern the client sends; prints one JSON report.
client: opens N TCP connections (or N UDP flows) and sends a pattern.

Each TCP connection starts with an 8-byte header (connection index, length);
each UDP datagram carries (flow index, sequence number) and a pattern, so
the server can prove bytes intact and, for UDP, per-flow order kept.
"""
import argparse
import ctypes
import json
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


PERIOD = 251  # prime: a shifted, lost or repeated chunk shows
BASE = bytes(i % PERIOD for i in range(PERIOD + 65536))


def pattern(index, offset, length):
    """Deterministic bytes for connection `index` at stream `offset`."""
    start = (offset + 31 * index) % PERIOD
    return BASE[start:start + length]


def family_of(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


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
            ok = ok and total == length
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
    for i, s in enumerate(socks):
        s.sendall(struct.pack("!II", i, args.bytes))
    chunk = args.chunk
    while any(n < args.bytes for n in sent):
        for i, s in enumerate(socks):
            if sent[i] < args.bytes:
                n = min(chunk, args.bytes - sent[i])
                s.sendall(pattern(i, sent[i], n))
                sent[i] += n
                if args.pace:
                    time.sleep(args.pace)
    ok = True
    for s in socks:
        ok = ok and s.recv(1) == b"K"
        if not args.linger:
            s.close()
    if args.linger:
        time.sleep(args.linger)
        for s in socks:
            s.close()
    json.dump({"ports": ports, "ok": ok}, sys.stdout)
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
    for seq in range(args.packets):
        for i, s in enumerate(socks):
            s.send(struct.pack("!II", i, seq) + pattern(i, seq, args.chunk))
        if args.pace:
            time.sleep(args.pace)
    json.dump({"ports": ports, "ok": True}, sys.stdout)
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
    p.add_argument("--timeout", type=float, default=60.0)
    p.add_argument("--idle", type=float, default=2.0)
    p.add_argument("--comm", default="")
    p.add_argument("--rcvbuf", type=int, default=16, help="MiB, UDP")
    args = p.parse_args()
    if args.comm:
        set_comm(args.comm)
    fn = {("server", "tcp"): tcp_serve, ("client", "tcp"): tcp_client,
          ("server", "udp"): udp_serve, ("client", "udp"): udp_client}
    return fn[(args.role, args.proto)](args)


if __name__ == "__main__":
    sys.exit(main())
