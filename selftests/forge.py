#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A remote attacker's flood, for harden.py: COUNT TCP SYNs or UDP
datagrams to DST:DPORT, each from a forged source address in
10.100.0.0/16 and a random source port, with valid checksums, so that
every one looks like the first packet of a new flow. With tcp+ack, each
SYN is followed by an ACK of the same forged tuple (a guessed
acknowledgment number), as if completing the handshake. With udp+udp,
each datagram is sent twice, so that each forged flow is a confirmed
one (netctx confirms a UDP flow by its second datagram).

With RATE, at most RATE tuples a second.

usage: forge.py {tcp|tcp+ack|udp|udp+udp} DST DPORT COUNT [RATE]"""
import random
import socket
import struct
import sys
import time


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def packet(proto, src, dst, sport, dport, flags=0x02, seq=0, ack=0):
    if not proto.startswith("udp"):
        l4 = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4,
                         flags, 64240, 0, 0)
        num = socket.IPPROTO_TCP
    else:
        payload = b"forged"
        l4 = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + \
            payload
        num = socket.IPPROTO_UDP
    pseudo = src + dst + struct.pack("!BBH", 0, num, len(l4))
    c = csum(pseudo + l4)
    off = 6 if num == socket.IPPROTO_UDP else 16
    l4 = l4[:off] + struct.pack("!H", c or 0xffff) + l4[off + 2:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4),
                     random.getrandbits(16), 0, 64, num, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return ip + l4


def main():
    proto, dst, dport, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), \
        int(sys.argv[4])
    rate = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    start = time.monotonic()
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    daddr = socket.inet_aton(dst)
    sent = 0
    for i in range(count):
        if rate and i % 100 == 0:
            ahead = start + i / rate - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)
        src = bytes([10, 100, (i >> 8) & 255, i & 255])
        sport = random.randrange(1024, 65536)
        seq = random.getrandbits(32)
        pkts = [packet(proto, src, daddr, sport, dport, seq=seq)]
        if proto == "tcp+ack":
            pkts.append(packet(proto, src, daddr, sport, dport, 0x10,
                               seq + 1, random.getrandbits(32)))
        elif proto == "udp+udp":
            pkts.append(pkts[0])
        try:
            for pkt in pkts:
                s.sendto(pkt, (dst, 0))
            sent += 1
        except OSError:
            pass
    print(sent)


if __name__ == "__main__":
    main()
