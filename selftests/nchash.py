# SPDX-License-Identifier: GPL-2.0
"""The module's hash functions, recomputed in userspace so that tests can
predict the context of a flow (see kmod/hash.c)."""
import ipaddress
import struct

MS_KEY = bytes.fromhex("6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b4"
                       "77cb2da38030f20c6a42b73bbeac01fa")
M32 = 0xFFFFFFFF


def rol32(x, r):
    return ((x << r) | (x >> (32 - r))) & M32


def jhash2(words, initval):
    """linux/jhash.h jhash2() over 32-bit words."""
    a = b = c = (0xDEADBEEF + (len(words) << 2) + initval) & M32
    k = list(words)
    while len(k) > 3:
        a = (a + k[0]) & M32
        b = (b + k[1]) & M32
        c = (c + k[2]) & M32
        a = (a - c) & M32; a ^= rol32(c, 4); c = (c + b) & M32
        b = (b - a) & M32; b ^= rol32(a, 6); a = (a + c) & M32
        c = (c - b) & M32; c ^= rol32(b, 8); b = (b + a) & M32
        a = (a - c) & M32; a ^= rol32(c, 16); c = (c + b) & M32
        b = (b - a) & M32; b ^= rol32(a, 19); a = (a + c) & M32
        c = (c - b) & M32; c ^= rol32(b, 4); b = (b + a) & M32
        k = k[3:]
    if not k:
        return c
    if len(k) == 3:
        c = (c + k[2]) & M32
    if len(k) >= 2:
        b = (b + k[1]) & M32
    a = (a + k[0]) & M32
    c ^= b; c = (c - rol32(b, 14)) & M32
    a ^= c; a = (a - rol32(c, 11)) & M32
    b ^= a; b = (b - rol32(a, 25)) & M32
    c ^= b; c = (c - rol32(b, 16)) & M32
    a ^= c; a = (a - rol32(c, 4)) & M32
    b ^= a; b = (b - rol32(a, 14)) & M32
    c ^= b; c = (c - rol32(b, 24)) & M32
    return c


def _mapped(addr):
    """The module's 16-byte form: IPv4 v4-mapped."""
    ip = ipaddress.ip_address(addr)
    if ip.version == 4:
        return b"\0" * 10 + b"\xff\xff" + ip.packed
    return ip.packed


def _words(raw):
    """Bytes as the module's u32 words (host order, little endian)."""
    return list(struct.unpack("<%dI" % (len(raw) // 4), raw))


def hash_default(raddr, rport, lport, seed):
    return jhash2(_words(_mapped(raddr)) + [(rport << 16) | lport], seed)


def hash_remote_addr(raddr, seed):
    return jhash2(_words(_mapped(raddr)), seed)


def toeplitz(key, data):
    result, window = 0, int.from_bytes(key[:4], "big")
    for i, byte in enumerate(data):
        for bit in range(8):
            if byte & (0x80 >> bit):
                result ^= window
            window = (window << 1) & M32
            if key[i + 4] & (0x80 >> bit):
                window |= 1
    return result


def hash_toeplitz(raddr, rport, laddr, lport, key=MS_KEY):
    """RSS input of a received packet: src addr, dst addr, ports."""
    data = (ipaddress.ip_address(raddr).packed +
            ipaddress.ip_address(laddr).packed +
            struct.pack("!HH", rport, lport))
    return toeplitz(key, data)


if __name__ == "__main__":
    # Microsoft's RSS verification values, also checked in C by hash_test.
    cases = [("66.9.149.187", 2794, "161.142.100.80", 1766, 0x51ccc178),
             ("199.92.111.2", 14230, "65.69.140.83", 4739, 0xc626b0ea),
             ("3ffe:2501:200:1fff::7", 2794, "3ffe:2501:200:3::1", 1766,
              0x40207d3d)]
    fails = 0
    print("TAP version 13")
    print("1..%d" % (len(cases) + 1))
    for i, (s, sp, d, dp, want) in enumerate(cases, 1):
        got = hash_toeplitz(s, sp, d, dp)
        ok = got == want
        fails += not ok
        print("%sok %d python toeplitz %s -> %08x" % ("" if ok else "not ",
                                                     i, s, got))
    # jhash2 of the empty key is its initial value (linux/jhash.h).
    ok = jhash2([], 7) == (0xDEADBEEF + 7) & M32
    fails += not ok
    print("%sok %d python jhash2 init" % ("" if ok else "not ",
                                          len(cases) + 1))
    raise SystemExit(1 if fails else 0)
