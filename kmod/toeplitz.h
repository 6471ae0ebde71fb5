/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Toeplitz hash of receive side scaling, in plain C so that the
 * userspace unit test (selftests/hash_test.c) checks this very code
 * against Microsoft's published verification values.
 */
#ifndef _NETCTX_TOEPLITZ_H
#define _NETCTX_TOEPLITZ_H

/* key must hold at least len + 4 bytes. */
static inline u32 netctx_toeplitz(const u8 *key, const u8 *data,
				  unsigned int len)
{
	u32 window = (u32)key[0] << 24 | (u32)key[1] << 16 |
		     (u32)key[2] << 8 | key[3];
	unsigned int i, bit;
	u32 hash = 0;

	/* The 32-bit window slides over the key one bit per input bit. */
	for (i = 0; i < len; i++) {
		for (bit = 0; bit < 8; bit++) {
			if (data[i] & (0x80 >> bit))
				hash ^= window;
			window <<= 1;
			if (key[i + 4] & (0x80 >> bit))
				window |= 1;
		}
	}
	return hash;
}

#endif /* _NETCTX_TOEPLITZ_H */
