# SPDX-License-Identifier: GPL-2.0
"""The module's hash functions, recomputed in userspace so that tests can
predict the context of a flow (see kmod/hash.c): SipHash-2-4 with the
module's key for default and remote-addr, Toeplitz for toeplitz."""
import ipaddress
import struct

MS_KEY = bytes.fromhex("6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b4"
                       "77cb2da38030f20c6a42b73bbeac01fa")
M32 = 0xFFFFFFFF
M64 = (1 << 64) - 1


def rol64(x, r):
    return ((x << r) | (x >> (64 - r))) & M64


def siphash(data, key):
    """SipHash-2-4 of bytes data with a 16-byte key, as lib/siphash.c
    (key words little endian, as the module loads hash_key)."""
    k0, k1 = struct.unpack("<QQ", key)
    v = [k0 ^ 0x736F6D6570736575, k1 ^ 0x646F72616E646F6D,
         k0 ^ 0x6C7967656E657261, k1 ^ 0x7465646279746573]

    def rounds(n):
        for _ in range(n):
            v[0] = (v[0] + v[1]) & M64; v[1] = rol64(v[1], 13)
            v[1] ^= v[0]; v[0] = rol64(v[0], 32)
            v[2] = (v[2] + v[3]) & M64; v[3] = rol64(v[3], 16)
            v[3] ^= v[2]
            v[0] = (v[0] + v[3]) & M64; v[3] = rol64(v[3], 21)
            v[3] ^= v[0]
            v[2] = (v[2] + v[1]) & M64; v[1] = rol64(v[1], 17)
            v[1] ^= v[2]; v[2] = rol64(v[2], 32)

    tail = len(data) % 8
    for i in range(0, len(data) - tail, 8):
        m = struct.unpack("<Q", data[i:i + 8])[0]
        v[3] ^= m
        rounds(2)
        v[0] ^= m
    b = (len(data) & 0xFF) << 56
    b |= int.from_bytes(data[len(data) - tail:], "little")
    v[3] ^= b
    rounds(2)
    v[0] ^= b
    v[2] ^= 0xFF
    rounds(4)
    return v[0] ^ v[1] ^ v[2] ^ v[3]


def _mapped(addr):
    """The module's 16-byte form: IPv4 v4-mapped."""
    ip = ipaddress.ip_address(addr)
    if ip.version == 4:
        return b"\0" * 10 + b"\xff\xff" + ip.packed
    return ip.packed


def hash_default(raddr, rport, lport, key):
    """The module's 32 bits of SipHash over the remote address, then
    rport << 16 | lport as a host-order (little endian) u32."""
    data = _mapped(raddr) + struct.pack("<I", (rport << 16) | lport)
    return siphash(data, key) & M32


def hash_remote_addr(raddr, key):
    return siphash(_mapped(raddr), key) & M32


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


SIPHASH_VECTORS = [
    0x726fdb47dd0e0e31, 0x74f839c593dc67fd, 0x0d6c8009d9a94f5a,
    0x85676696d7fb7e2d, 0xcf2794e0277187b7, 0x18765564cd99a68d,
    0xcbc9466e58fee3ce, 0xab0200f58b01d137, 0x93f5f5799a932462,
    0x9e0082df0ba9e4b0, 0x7a5dbbc594ddb9f3, 0xf4b32f46226bada7,
    0x751e8fbc860ee5fb, 0x14ea5627c0843d90, 0xf723ca908e7af2ee,
    0xa129ca6149be45e5, 0x3f2acc7f57c29bdb, 0x699ae9f52cbe4794,
    0x4bc1b3f0968dd39c, 0xbb6dc91da77961bd, 0xbed65cf21aa2ee98,
    0xd0f2cbb02e3b67c7, 0x93536795e3a33e88, 0xa80c038ccd5ccec8,
    0xb8ad50c6f649af94, 0xbce192de8a85b8ea, 0x17d835b85bbb15f3,
    0x2f2e6163076bcfad, 0xde4daaaca71dc9a5, 0xa6a2506687956571,
    0xad87a3535c49ef28, 0x32d892fad841c342, 0x7127512f72f27cce,
    0xa7f32346f95978e3, 0x12e0b01abb051238, 0x15e034d40fa197ae,
    0x314dffbe0815a3b4, 0x027990f029623981, 0xcadcd4e59ef40c4d,
    0x9abfd8766a33735c, 0x0e3ea96b5304a7d0, 0xad0c42d6fc585992,
    0x187306c89bc215a9, 0xd4a60abcf3792b95, 0xf935451de4f21df2,
    0xa9538f0419755787, 0xdb9acddff56ca510, 0xd06c98cd5c0975eb,
    0xe612a3cb9ecba951, 0xc766e62cfcadaf96, 0xee64435a9752fe72,
    0xa192d576b245165a, 0x0a8787bf8ecb74b2, 0x81b3e73d20b49b6f,
    0x7fa8220ba3b2ecea, 0x245731c13ca42499, 0xb78dbfaf3a8d83bd,
    0xea1ad565322a1a0b, 0x60e61c23a3795013, 0x6606d7e446282b93,
    0x6ca4ecb15c5f91e1, 0x9f626da15c9625f3, 0xe51b38608ef25f57,
    0x958a324ceb064572]


if __name__ == "__main__":
    # Microsoft's RSS verification values, also checked in C by hash_test.
    cases = [("66.9.149.187", 2794, "161.142.100.80", 1766, 0x51ccc178),
             ("199.92.111.2", 14230, "65.69.140.83", 4739, 0xc626b0ea),
             ("3ffe:2501:200:1fff::7", 2794, "3ffe:2501:200:3::1", 1766,
              0x40207d3d)]
    fails = 0
    print("TAP version 13")
    print("1..%d" % (len(cases) + 1 + len(SIPHASH_VECTORS)))
    for i, (s, sp, d, dp, want) in enumerate(cases, 1):
        got = hash_toeplitz(s, sp, d, dp)
        ok = got == want
        fails += not ok
        print("%sok %d python toeplitz %s -> %08x" % ("" if ok else "not ",
                                                     i, s, got))
    # lib/test_siphash.c: key 00..0f, input the first i of 00..3f.
    n = len(cases)
    for i, want in enumerate(SIPHASH_VECTORS):
        ok = siphash(bytes(range(i)), bytes(range(16))) == want
        fails += not ok
        n += 1
        print("%sok %d python siphash of %d bytes" % ("" if ok else "not ",
                                                      n, i))
    # SipHash-2-4 with the module's word order: the ports in the last
    # 4 bytes, little endian, change the result.
    n += 1
    ok = (hash_default("10.0.0.1", 1, 2, bytes(16)) !=
          hash_default("10.0.0.1", 2, 1, bytes(16)))
    fails += not ok
    print("%sok %d python hash_default uses the ports" %
          ("" if ok else "not ", n))
    raise SystemExit(1 if fails else 0)
