// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace unit test of the module's Toeplitz hash (kmod/toeplitz.h)
 * against the verification values Microsoft publishes for RSS.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

#include "kselftest.h"

typedef uint8_t u8;
typedef uint32_t u32;
#include "../kmod/toeplitz.h"

static const u8 ms_key[40] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2,
	0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
	0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4,
	0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
	0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

struct vector {
	int family;
	const char *dst, *src;
	uint16_t dport, sport;
	u32 with_ports, addrs_only;
};

static const struct vector vectors[] = {
	{ AF_INET, "161.142.100.80", "66.9.149.187", 1766, 2794,
	  0x51ccc178, 0x323e8fc2 },
	{ AF_INET, "65.69.140.83", "199.92.111.2", 4739, 14230,
	  0xc626b0ea, 0xd718262a },
	{ AF_INET, "12.22.207.184", "24.19.198.95", 38024, 12898,
	  0x5c2b394a, 0xd2d0a5de },
	{ AF_INET, "209.142.163.6", "38.27.205.30", 2217, 48228,
	  0xafc7327f, 0x82989176 },
	{ AF_INET, "202.188.127.2", "153.39.163.191", 1303, 44251,
	  0x10e828a2, 0x5d1809c5 },
	{ AF_INET6, "3ffe:2501:200:3::1", "3ffe:2501:200:1fff::7", 1766, 2794,
	  0x40207d3d, 0x2cc18cd5 },
	{ AF_INET6, "ff02::1", "3ffe:501:8::260:97ff:fe40:efab", 4739, 14230,
	  0xdde51bbf, 0x0f0c461c },
	{ AF_INET6, "fe80::200:f8ff:fe21:67cf",
	  "3ffe:1900:4545:3:200:f8ff:fe21:67cf", 38024, 44251,
	  0x02d1feef, 0x4b61e985 },
};

/* RSS input: source address, destination address, source, dest port. */
static unsigned int rss_input(const struct vector *v, u8 *in, int ports)
{
	unsigned int alen = v->family == AF_INET ? 4 : 16;
	uint16_t sport = htons(v->sport), dport = htons(v->dport);

	inet_pton(v->family, v->src, in);
	inet_pton(v->family, v->dst, in + alen);
	if (!ports)
		return 2 * alen;
	memcpy(in + 2 * alen, &sport, 2);
	memcpy(in + 2 * alen + 2, &dport, 2);
	return 2 * alen + 4;
}

int main(void)
{
	unsigned int i, n = sizeof(vectors) / sizeof(vectors[0]);
	u8 in[36];
	u32 got;

	ksft_print_header();
	ksft_set_plan(2 * n);
	for (i = 0; i < n; i++) {
		const struct vector *v = &vectors[i];

		got = netctx_toeplitz(ms_key, in, rss_input(v, in, 1));
		ksft_test_result(got == v->with_ports,
				 "toeplitz %s %s:%u ports: %08x want %08x\n",
				 v->family == AF_INET ? "ipv4" : "ipv6",
				 v->src, v->sport, got, v->with_ports);
		got = netctx_toeplitz(ms_key, in, rss_input(v, in, 0));
		ksft_test_result(got == v->addrs_only,
				 "toeplitz %s %s addrs: %08x want %08x\n",
				 v->family == AF_INET ? "ipv4" : "ipv6",
				 v->src, got, v->addrs_only);
	}
	ksft_finished();
}
