// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of ncctl's parsers and JSON writer; no kernel needed.
 * Prints "ok N - what" / "not ok N - what" and "N passed, N failed";
 * exits 1 if anything failed.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "json.h"
#include "bpf.h"
#include "utils.h"

static unsigned int passed, failed;

static void check(int cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void check(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %u - ", cond ? "" : "not ", passed + failed + 1);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (cond)
		passed++;
	else
		failed++;
}

/* @s with control characters as \\n, \\r, \\t, for one-line messages. */
static const char *visible(const char *s)
{
	static char buf[256];
	size_t n = 0;

	for (; *s && n < sizeof(buf) - 3; s++) {
		const char *e = *s == '\n' ? "\\n" : *s == '\r' ? "\\r" :
				*s == '\t' ? "\\t" : NULL;

		if (e) {
			memcpy(buf + n, e, 2);
			n += 2;
		} else {
			buf[n++] = *s;
		}
	}
	buf[n] = '\0';
	return buf;
}

/* nc_parse_endpoint() then nc_format_endpoint() gives back @expect. */
static void endpoint_ok(const char *s, bool wildcard_ok, int family,
			const char *expect)
{
	char buf[NC_ENDPOINT_MAX] = "";
	struct nc_endpoint ep;
	const char *why = NULL;
	int ret;

	ret = nc_parse_endpoint(s, wildcard_ok, &ep, &why);
	if (!ret)
		nc_format_endpoint(ep.family,
				   ep.family == AF_UNSPEC ? NULL : &ep.addr,
				   ep.port, buf, sizeof(buf));
	check(!ret && ep.family == family && !strcmp(buf, expect),
	      "endpoint \"%s\" -> %s (got %s)", s, expect, ret ? why : buf);
}

static void endpoint_bad(const char *s, bool wildcard_ok)
{
	struct nc_endpoint ep;
	const char *why = NULL;
	int ret = nc_parse_endpoint(s, wildcard_ok, &ep, &why);

	check(ret && why, "endpoint \"%s\" rejected (%s)", s,
	      why ? why : "accepted");
}

static void test_endpoints(void)
{
	struct nc_endpoint ep;
	const char *why;

	endpoint_ok("10.0.0.1:5000", false, AF_INET, "10.0.0.1:5000");
	endpoint_ok("0.0.0.0:1", false, AF_INET, "0.0.0.0:1");
	endpoint_ok("255.255.255.255:65535", false, AF_INET,
		    "255.255.255.255:65535");
	endpoint_ok("[2001:db8::1]:443", false, AF_INET6, "[2001:db8::1]:443");
	endpoint_ok("[::1]:80", false, AF_INET6, "[::1]:80");
	endpoint_ok("[2001:0db8:0:0:0:0:0:1]:80", false, AF_INET6,
		    "[2001:db8::1]:80");
	/* The dual-stack form of an IPv4 connection is that connection. */
	endpoint_ok("[::ffff:10.1.2.3]:7", false, AF_INET, "10.1.2.3:7");
	endpoint_ok("[::FFFF:0a01:0203]:7", false, AF_INET, "10.1.2.3:7");
	endpoint_ok("[::10.1.2.3]:7", false, AF_INET6, "[::10.1.2.3]:7");
	endpoint_ok("*:8080", true, AF_UNSPEC, "*:8080");
	endpoint_bad("*:8080", false);
	endpoint_bad("10.0.0.1", false);
	endpoint_bad("10.0.0.1:", false);
	endpoint_bad("10.0.0.1:0", false);
	endpoint_bad("10.0.0.1:65536", false);
	endpoint_bad("10.0.0.1:70000", false);
	endpoint_bad("10.0.0.1:-1", false);
	endpoint_bad("10.0.0.1:+80", false);
	endpoint_bad("10.0.0.1: 80", false);
	endpoint_bad("10.0.0.1:80x", false);
	endpoint_bad("10.0.0:80", false);
	endpoint_bad("10.0.0.256:80", false);
	endpoint_bad("host.example:80", false);
	endpoint_bad(":80", false);
	endpoint_bad("::1:80", false);
	endpoint_bad("[::1]", false);
	endpoint_bad("[::1]80", false);
	endpoint_bad("[::1:80", false);
	endpoint_bad("[10.0.0.1]:80", false);
	endpoint_bad("[*]:80", true);
	endpoint_bad("*:0", true);
	endpoint_bad("", false);

	check(!nc_parse_endpoint("192.0.2.1:258", false, &ep, &why) &&
	      ep.addr.v4.s_addr == htonl(0xc0000201) && ep.port == 258,
	      "IPv4 address in network order, port in host order");
}

/* nc_parse_addr() then nc_format_endpoint() gives back "@expect:0". */
static void addr_ok(const char *s, int family, const char *expect)
{
	char buf[NC_ENDPOINT_MAX] = "", want[NC_ENDPOINT_MAX];
	struct nc_endpoint ep;
	const char *why = NULL;
	int ret;

	ret = nc_parse_addr(s, &ep, &why);
	if (!ret)
		nc_format_endpoint(ep.family, &ep.addr, ep.port, buf,
				   sizeof(buf));
	snprintf(want, sizeof(want), "%s:0", expect);
	check(!ret && ep.family == family && !strcmp(buf, want),
	      "address \"%s\" -> %s (got %s)", s, want, ret ? why : buf);
}

static void addr_bad(const char *s, const char *reason)
{
	struct nc_endpoint ep;
	const char *why = NULL;
	int ret = nc_parse_addr(s, &ep, &why);

	check(ret && why && !strcmp(why, reason),
	      "address \"%s\" rejected: %s (got %s)", s, reason,
	      ret ? why : "accepted");
}

static void test_addrs(void)
{
	struct nc_endpoint ep;
	const char *why;

	addr_ok("10.0.0.7", AF_INET, "10.0.0.7");
	addr_ok("2001:db8::7", AF_INET6, "[2001:db8::7]");
	addr_ok("[2001:db8::7]", AF_INET6, "[2001:db8::7]");
	addr_ok("::1", AF_INET6, "[::1]");
	addr_ok("[::ffff:10.1.2.3]", AF_INET, "10.1.2.3");
	addr_ok("::ffff:10.1.2.3", AF_INET, "10.1.2.3");
	addr_ok("fe80::1:80", AF_INET6, "[fe80::1:80]");
	addr_bad("10.0.0.7:40000", "expected an address without port");
	addr_bad("[2001:db8::7]:40000", "expected an address without port");
	addr_bad("*:80", "expected an address without port");
	addr_bad("*", "invalid IPv4 address");
	addr_bad("10.0.0.256", "invalid IPv4 address");
	addr_bad("host.example", "invalid IPv4 address");
	addr_bad("[10.0.0.7]", "invalid IPv6 address");
	addr_bad("2001:db8::g", "invalid IPv6 address");
	addr_bad("[2001:db8::7", "missing \"]\"");
	addr_bad("[", "missing \"]\"");
	addr_bad("", "invalid IPv4 address");
	check(!nc_parse_addr("192.0.2.1", &ep, &why) &&
	      ep.addr.v4.s_addr == htonl(0xc0000201) && !ep.port,
	      "address in network order, port 0");
}

static void cpulist_ok(const char *s, const char *expect)
{
	uint64_t bits[NC_CONTEXT_WORDS];
	char buf[NC_CPULIST_MAX] = "";
	int ret;

	ret = nc_cpulist_parse(s, bits, NETCTX_MAX_CONTEXTS);
	if (!ret)
		ret = nc_cpulist_format(bits, NETCTX_MAX_CONTEXTS, buf,
					sizeof(buf));
	check(!ret && !strcmp(buf, expect), "cpulist \"%s\" -> \"%s\" (got \"%s\")",
	      s, expect, buf);
}

static void cpulist_bad(const char *s)
{
	uint64_t bits[NC_CONTEXT_WORDS];

	check(nc_cpulist_parse(s, bits, NETCTX_MAX_CONTEXTS),
	      "cpulist \"%s\" rejected", s);
}

static void test_cpulist(void)
{
	uint64_t bits[NC_CONTEXT_WORDS], all[NC_CONTEXT_WORDS];
	char buf[NC_CPULIST_MAX], small[4];
	unsigned int i;
	bool ok;

	cpulist_ok("0-3,6", "0-3,6");
	cpulist_ok("0", "0");
	cpulist_ok("0-1", "0-1");
	cpulist_ok("6,0-3", "0-3,6");
	cpulist_ok("5,3,4", "3-5");
	cpulist_ok("2-2", "2");
	cpulist_ok("0-3,2-5", "0-5");
	cpulist_ok("63,64", "63-64");
	cpulist_ok("1023", "1023");
	cpulist_ok("0-1023", "0-1023");
	cpulist_ok("007", "7");
	cpulist_bad("");
	cpulist_bad("1024");
	cpulist_bad("0-1024");
	cpulist_bad("3-1");
	cpulist_bad("1,,2");
	cpulist_bad("1,");
	cpulist_bad(",1");
	cpulist_bad("-1");
	cpulist_bad("1-");
	cpulist_bad("a");
	cpulist_bad("1 ,2");
	cpulist_bad("99999999999999999999999");

	nc_cpulist_parse("0-3,6,64,1023", bits, NETCTX_MAX_CONTEXTS);
	check(bits[0] == 0x4f && bits[1] == 1 && bits[15] == 1ULL << 63,
	      "cpulist bits: bit i is bit i %% 64 of word i / 64");

	/* Every other context: the longest list fits NC_CPULIST_MAX. */
	memset(all, 0, sizeof(all));
	for (i = 0; i < NETCTX_MAX_CONTEXTS; i += 2)
		all[i / 64] |= 1ULL << (i % 64);
	ok = !nc_cpulist_format(all, NETCTX_MAX_CONTEXTS, buf, sizeof(buf)) &&
	     !nc_cpulist_parse(buf, bits, NETCTX_MAX_CONTEXTS) &&
	     !memcmp(bits, all, sizeof(all));
	check(ok, "cpulist round trip of 512 single contexts (%zu chars)",
	      strlen(buf));

	memset(bits, 0, sizeof(bits));
	check(!nc_cpulist_format(bits, NETCTX_MAX_CONTEXTS, buf, sizeof(buf)) &&
	      !buf[0], "cpulist of an empty set is \"\"");
	nc_cpulist_parse("100-200", bits, NETCTX_MAX_CONTEXTS);
	check(nc_cpulist_format(bits, NETCTX_MAX_CONTEXTS, small,
				sizeof(small)), "cpulist format too small fails");
}

/* The Microsoft RSS key. */
static const uint8_t ms_key[NETCTX_TOEPLITZ_KEY_LEN] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2,
	0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
	0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4,
	0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
	0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

static const char ms_key_colons[] =
	"6d:5a:56:da:25:5b:0e:c2:41:67:25:3d:43:a3:8f:b0:"
	"d0:ca:2b:cb:ae:7b:30:b4:77:cb:2d:a3:80:30:f2:0c:"
	"6a:42:b7:3b:be:ac:01:fa";

static void test_hexkey(void)
{
	static const char plain[] =
		"6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b4"
		"77cb2da38030f20c6a42b73bbeac01fa";
	uint8_t key[NETCTX_TOEPLITZ_KEY_LEN];
	char buf[NC_HEXKEY_MAX], s[256];

	check(!nc_hexkey_parse(ms_key_colons, key, sizeof(key)) &&
	      !memcmp(key, ms_key, sizeof(key)), "hex key with colons");
	check(!nc_hexkey_parse(plain, key, sizeof(key)) &&
	      !memcmp(key, ms_key, sizeof(key)), "hex key plain");
	snprintf(s, sizeof(s), "0x%s", plain);
	check(!nc_hexkey_parse(s, key, sizeof(key)) &&
	      !memcmp(key, ms_key, sizeof(key)), "hex key 0x prefix");
	snprintf(s, sizeof(s), "%s", ms_key_colons);
	for (char *p = s; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p -= 'a' - 'A';
	check(!nc_hexkey_parse(s, key, sizeof(key)) &&
	      !memcmp(key, ms_key, sizeof(key)), "hex key upper case");
	check(!nc_hexkey_parse("1:2:3:4:5:6:7:8:9:a:b:c:d:e:f:0:1:2:3:4:"
			       "5:6:7:8:9:a:b:c:d:e:f:0:1:2:3:4:5:6:7:8",
			       key, sizeof(key)) && key[0] == 1 &&
	      key[9] == 0xa && key[39] == 8, "hex key one digit per byte");

	nc_hexkey_format(ms_key, sizeof(ms_key), buf, sizeof(buf));
	check(!strcmp(buf, ms_key_colons), "hex key format");

	check(nc_hexkey_parse("6d:5a", key, sizeof(key)), "short key rejected");
	check(nc_hexkey_parse(plain + 2, key, sizeof(key)),
	      "39-byte plain key rejected");
	snprintf(s, sizeof(s), "%s:00", ms_key_colons);
	check(nc_hexkey_parse(s, key, sizeof(key)), "41-byte key rejected");
	snprintf(s, sizeof(s), "%s0", plain);
	check(nc_hexkey_parse(s, key, sizeof(key)), "odd digits rejected");
	snprintf(s, sizeof(s), "%s", ms_key_colons);
	s[4] = 'g';
	check(nc_hexkey_parse(s, key, sizeof(key)), "non-hex rejected");
	snprintf(s, sizeof(s), "%s", ms_key_colons);
	s[2] = '-';
	check(nc_hexkey_parse(s, key, sizeof(key)), "bad separator rejected");
	check(nc_hexkey_parse("6d5:a", key, sizeof(key)),
	      "three-digit group rejected");
	check(nc_hexkey_parse("", key, sizeof(key)), "empty key rejected");
}

/* tcpdump -i lo -ddd tcp dst port 80 (IPv4 part) */
static const struct sock_filter bpf_expect[] = {
	{ 0x28, 0, 0, 0x0000000c },
	{ 0x15, 0, 3, 0x00000800 },
	{ 0x30, 0, 0, 0x00000017 },
	{ 0x15, 0, 1, 0x00000006 },
	{ 0x6, 0, 0, 0xffffffff },
	{ 0x6, 0, 0, 0x00000000 },
};

static bool bpf_same(const struct sock_filter *p, unsigned int n)
{
	return n == ARRAY_SIZE(bpf_expect) &&
	       !memcmp(p, bpf_expect, sizeof(bpf_expect));
}

static void bpf_ok(const char *what, const char *text)
{
	struct sock_filter *prog = NULL;
	unsigned int n = 0;
	char err[128] = "";
	int ret;

	ret = nc_bpf_parse(text, &prog, &n, err, sizeof(err));
	check(!ret && bpf_same(prog, n), "bpf %s (%s)", what,
	      ret ? err : "parsed");
	free(prog);
}

static void bpf_bad(const char *what, const char *text, const char *errpart)
{
	struct sock_filter *prog = NULL;
	unsigned int n = 0;
	char err[128] = "";
	int ret;

	ret = nc_bpf_parse(text, &prog, &n, err, sizeof(err));
	check(ret && strstr(err, errpart), "bpf %s rejected (%s)", what, err);
	if (!ret)
		free(prog);
}

static void test_bpf(void)
{
	static const char ddd[] =
		"6\n40 0 0 12\n21 0 3 2048\n48 0 0 23\n21 0 1 6\n"
		"6 0 0 4294967295\n6 0 0 0\n";
	static const char asm_default[] =
		"6,40 0 0 12,21 0 3 2048,48 0 0 23,21 0 1 6,"
		"6 0 0 4294967295,6 0 0 0,";
	static const char c_form[] =
		"{ 0x28,  0,  0, 0x0000000c },\n"
		"{ 0x15,  0,  3, 0x00000800 },\n"
		"{ 0x30,  0,  0, 0x00000017 },\n"
		"{ 0x15,  0,  1, 0x00000006 },\n"
		"{ 0x06,  0,  0, 0xffffffff },\n"
		"{ 0x06,  0,  0, 0000000000 },\n";
	static const char commented[] =
		"# tcp dst port 80\n6\n40 0 0 12 # ldh [12]\n"
		"21 0 3 2048\n\n48 0 0 23\n21 0 1 6\r\n"
		"6 0 0 0xffffffff\n6 0 0 0";
	struct sock_filter *prog = NULL;
	char path[] = "/tmp/ncctl-test-XXXXXX", err[128] = "";
	unsigned int n = 0;
	FILE *f;
	int fd, ret;

	bpf_ok("tcpdump -ddd", ddd);
	bpf_ok("bpf_asm", asm_default);
	bpf_ok("bpf_asm -c", c_form);
	bpf_ok("with comments and hex", commented);

	bpf_bad("empty", "", "count");
	bpf_bad("zero count", "0\n", "count");
	bpf_bad("count too large", "4097\n", "count");
	bpf_bad("count above actual", "2\n6 0 0 0\n", "2 instructions announced, 1 found");
	bpf_bad("count below actual", "1\n6 0 0 0\n6 0 0 0\n", "line 3: unexpected");
	bpf_bad("three fields", "1\n6 0 0\n", "end of file: missing k");
	bpf_bad("bad word", "1\n6 0 0 zz\n", "line 2: invalid k \"zz\"");
	bpf_bad("code > 0xffff", "1\n65536 0 0 0\n", "line 2: invalid code");
	bpf_bad("jt > 255", "1\n6 256 0 0\n", "invalid jt");
	bpf_bad("jf > 255", "1\n6 0 256 0\n", "invalid jf");
	bpf_bad("k > 2^32-1", "1\n6 0 0 4294967296\n", "invalid k");
	bpf_bad("negative", "1\n6 0 0 -1\n", "invalid k");
	bpf_bad("garbage", "1\n6 0 0 0x\n", "invalid k");
	bpf_bad("word", "1\nret #0\n", "invalid code");
	bpf_bad("C form unclosed", "{ 6, 0, 0, 0 ", "expected \"}\"");
	bpf_bad("C form short", "{ 6, 0, 0 }", "invalid k");
	bpf_bad("C form trailing", "{ 6, 0, 0, 0 }, x", "unexpected");

	/* 4096 instructions pass, 4097 do not. */
	{
		size_t cap = 32 * (NETCTX_BPF_MAX_INSNS + 2), len;
		char *big = malloc(cap);
		unsigned int i;

		len = snprintf(big, cap, "%d\n", NETCTX_BPF_MAX_INSNS);
		for (i = 0; i < NETCTX_BPF_MAX_INSNS; i++)
			len += snprintf(big + len, cap - len, "6 0 0 %u\n", i);
		ret = nc_bpf_parse(big, &prog, &n, err, sizeof(err));
		check(!ret && n == NETCTX_BPF_MAX_INSNS &&
		      prog[NETCTX_BPF_MAX_INSNS - 1].k ==
		      NETCTX_BPF_MAX_INSNS - 1, "bpf of %d instructions",
		      NETCTX_BPF_MAX_INSNS);
		if (!ret)
			free(prog);
		len = 0;
		for (i = 0; i <= NETCTX_BPF_MAX_INSNS; i++)
			len += snprintf(big + len, cap - len,
					"{ 6, 0, 0, %u },\n", i);
		ret = nc_bpf_parse(big, &prog, &n, err, sizeof(err));
		check(ret && strstr(err, "more than"),
		      "bpf C form of %d instructions rejected (%s)",
		      NETCTX_BPF_MAX_INSNS + 1, err);
		if (!ret)
			free(prog);
		free(big);
	}

	/* From a file. */
	fd = mkstemp(path);
	f = fd < 0 ? NULL : fdopen(fd, "w");
	if (f) {
		fputs(ddd, f);
		fclose(f);
	}
	ret = nc_bpf_load(path, &prog, &n, err, sizeof(err));
	check(f && !ret && bpf_same(prog, n), "bpf file %s (%s)", path,
	      ret ? err : "loaded");
	if (!ret)
		free(prog);
	unlink(path);
	ret = nc_bpf_load(path, &prog, &n, err, sizeof(err));
	check(ret && strstr(err, "No such file"), "bpf missing file (%s)",
	      err);
}

static void test_numbers(void)
{
	uint16_t port;
	uint32_t v;
	bool on;

	check(!nc_parse_u32("0", 10, &v) && v == 0, "u32 0");
	check(!nc_parse_u32("4294967295", UINT32_MAX, &v) && v == UINT32_MAX,
	      "u32 max");
	check(nc_parse_u32("4294967296", UINT32_MAX, &v), "u32 overflow");
	check(nc_parse_u32("11", 10, &v), "u32 above max");
	check(nc_parse_u32("-1", 10, &v), "u32 negative");
	check(nc_parse_u32(" 1", 10, &v), "u32 leading blank");
	check(nc_parse_u32("1 ", 10, &v), "u32 trailing blank");
	check(nc_parse_u32("", 10, &v), "u32 empty");
	check(nc_parse_u32("0x1", 10, &v), "u32 hex rejected");
	check(!nc_parse_port("65535", &port) && port == 65535, "port 65535");
	check(nc_parse_port("0", &port), "port 0 rejected");
	check(nc_parse_port("70000", &port), "port 70000 rejected");
	check(nc_parse_port("99999", &port), "port 99999 rejected");
	on = false;
	check(!nc_parse_on_off("on", &on) && on, "on");
	check(!nc_parse_on_off("off", &on) && !on, "off");
	on = true;
	check(!nc_parse_on_off("of", &on) && !on, "of is off");
	check(nc_parse_on_off("o", &on), "o is ambiguous");
	check(nc_parse_on_off("", &on), "on/off empty");
	check(nc_parse_on_off("offf", &on) && nc_parse_on_off("onn", &on),
	      "on/off with trailing letters");
	check(nc_parse_on_off("ON", &on) && nc_parse_on_off("yes", &on) &&
	      nc_parse_on_off("1", &on), "ON, yes, 1 rejected");
}

static void test_match(void)
{
	static const char *const words[] = { "ctx", "conn", "port", "help" };
	FILE *saved = stderr;
	unsigned int seen;
	char *msg = NULL;
	size_t len = 0;
	int i;

	check(nc_match_word("port", words, "object") == 2, "match exact");
	check(nc_match_word("p", words, "object") == 2, "match prefix");
	check(nc_match_word("ct", words, "object") == 0, "match ctx by ct");
	check(nc_match_word("toe", nc_hash_names, "hash") ==
	      NETCTX_HASH_TOEPLITZ, "match hash toe");
	check(nc_match_word("re", nc_hash_names, "hash") ==
	      NETCTX_HASH_REMOTE_ADDR, "match hash re");
	check(nc_match_word("ro", nc_hash_names, "hash") ==
	      NETCTX_HASH_ROUND_ROBIN, "match hash ro");
	check(nc_match_word("bpf", nc_hash_names, "hash") == NETCTX_HASH_BPF,
	      "match hash bpf");
	check(nc_match_word("least-loaded", nc_hash_names, "hash") ==
	      NETCTX_HASH_LEAST_LOADED, "match hash least-loaded");

	stderr = open_memstream(&msg, &len);
	i = nc_match_word("c", words, "object");
	fclose(stderr);
	stderr = saved;
	check(i < 0 && !strcmp(msg, "ncctl: ambiguous object \"c\": ctx, conn\n"),
	      "ambiguous prefix names candidates: %s", visible(msg));
	free(msg);

	stderr = open_memstream(&msg, &len);
	i = nc_match_word("bogus", words, "object");
	nc_lineno = 3;
	nc_err("x");
	nc_lineno = 0;
	fclose(stderr);
	stderr = saved;
	check(i < 0 && !strcmp(msg, "ncctl: unknown object \"bogus\"\n"
			       "ncctl: line 3: x\n"),
	      "unknown word and batch line prefix");
	free(msg);

	seen = 0;
	check(nc_match_keyword("po", words, &seen) == 2 && seen == 1U << 2,
	      "keyword by prefix, recorded");
	check(nc_match_keyword("help", words, &seen) == 3 &&
	      seen == (1U << 2 | 1U << 3), "second keyword recorded");
	stderr = open_memstream(&msg, &len);
	i = nc_match_keyword("port", words, &seen);
	fclose(stderr);
	stderr = saved;
	check(i < 0 && !strcmp(msg, "ncctl: duplicate keyword \"port\"\n"),
	      "keyword given twice: %s", visible(msg));
	free(msg);
}

/* iproute2-style global options: letters, names, prefixes, aliases. */
static void test_opts(void)
{
	static const struct nc_opt opts[] = {
		{ "json",	'j',	0,	NULL },
		{ "stats",	's',	1,	NULL },
		{ "statistics",	0,	1,	NULL },
		{ "batch",	'b',	2,	"FILE" },
		{ "force",	0,	3,	NULL },
		{ "family",	0,	4,	"FAMILY" },
		{ "Version",	'V',	5,	NULL },
	};
	char list[64];

#define LOOKUP(w)	nc_opt_lookup(w, opts, ARRAY_SIZE(opts), list, \
				      sizeof(list))
	check(LOOKUP("j") == 0 && LOOKUP("json") == 0 && LOOKUP("js") == 0,
	      "option by letter, name and prefix");
	check(LOOKUP("jsonx") == -1 && LOOKUP("x") == -1 && LOOKUP("") == -1,
	      "unknown options");
	check(LOOKUP("s") == 1 && LOOKUP("stat") == 1 && LOOKUP("stati") == 2 &&
	      LOOKUP("statistics") == 2, "aliases are not ambiguous");
	check(LOOKUP("fo") == 4 && LOOKUP("fa") == 5, "unique prefixes");
	check(LOOKUP("f") == -2 && !strcmp(list, "-force, -family"),
	      "ambiguous prefix names candidates: %s", list);
	check(LOOKUP("V") == 6 && LOOKUP("Ver") == 6 && LOOKUP("v") == -1,
	      "option names are case sensitive");
	check(nc_opt_lookup("f", opts, ARRAY_SIZE(opts), NULL, 0) == -2,
	      "ambiguous without a candidate buffer");
#undef LOOKUP
}

static void test_names(void)
{
#define ALL_NAMED(t) ({ bool _ok = true; \
	for (size_t _i = 0; _i < ARRAY_SIZE(t); _i++) \
		_ok &= t[_i] != NULL; \
	_ok; })
	char buf[NC_NAME_MAX], num[NC_NAME_MAX];

	check(ALL_NAMED(nc_match_names), "every match has a name");
	check(ALL_NAMED(nc_hash_names), "every hash has a name");
	check(ALL_NAMED(nc_origin_names), "every origin has a name");
	check(ALL_NAMED(nc_state_names), "every state has a name");
	check(ALL_NAMED(nc_event_names), "every event has a name");
	check(!strcmp(nc_name(nc_hash_names, NETCTX_HASH_REMOTE_ADDR, buf),
		      "remote-addr"), "hash name");
	check(!strcmp(nc_name(nc_state_names, 200, buf), "200"),
	      "unknown value printed as a number");
	check(!strcmp(nc_proto_name(IPPROTO_UDP, buf, sizeof(buf)), "udp") &&
	      !strcmp(nc_proto_name(132, buf, sizeof(buf)), "132"),
	      "protocol names");
	check(!strcmp(nc_errno_name(EBUSY, buf, sizeof(buf)), "EBUSY") &&
	      !strcmp(nc_errno_name(E2BIG, buf, sizeof(buf)), "E2BIG") &&
	      !strcmp(nc_errno_name(EINTR, buf, sizeof(buf)), "EINTR") &&
	      !strcmp(nc_errno_name(ENOENT, buf, sizeof(buf)), "ENOENT"),
	      "errno names");
	snprintf(num, sizeof(num), "%d", EDOM);
	check(!strcmp(nc_errno_name(0, buf, sizeof(buf)), "0") &&
	      !strcmp(nc_errno_name(EDOM, buf, sizeof(buf)), num) &&
	      !strcmp(nc_errno_name(4000, buf, sizeof(buf)), "4000"),
	      "errno without a name printed as a number");
}

static void split_ok(const char *line, int n, const char *joined)
{
	char buf[256], out[256] = "", *argv[8];
	const char *why = "";
	int i, got;

	snprintf(buf, sizeof(buf), "%s", line);
	got = nc_split_line(buf, argv, ARRAY_SIZE(argv), &why);
	for (i = 0; i < got; i++) {
		strcat(out, i ? "|" : "");
		strcat(out, argv[i]);
	}
	check(got == n && !strcmp(out, joined),
	      "split \"%s\" -> %d [%s] (got %d [%s] %s)", visible(line), n,
	      joined, got, out, got < 0 ? why : "");
}

static void test_split(void)
{
	char buf[64], *argv[4];
	const char *why = NULL;

	split_ok("port add tcp 80\n", 4, "port|add|tcp|80");
	split_ok("  port\tshow  ", 2, "port|show");
	split_ok("\n", 0, "");
	split_ok("", 0, "");
	split_ok("# a comment", 0, "");
	split_ok("   # indented comment", 0, "");
	split_ok("ctx show # trailing comment", 2, "ctx|show");
	split_ok("port add tcp 80 bpf \"my prog.bpf\"", 6,
		 "port|add|tcp|80|bpf|my prog.bpf");
	split_ok("a 'b c' d", 3, "a|b c|d");
	split_ok("a \"b'c\" 'd\"e'", 3, "a|b'c|d\"e");
	split_ok("a\\ b c", 2, "a b|c");
	split_ok("a 'x\\y'", 2, "a|x\\y");
	split_ok("a\"\"b \"\"", 2, "ab|");
	split_ok("a#b", 1, "a#b");
	split_ok("ctx show\r\n", 2, "ctx|show");

	snprintf(buf, sizeof(buf), "a \"b c");
	check(nc_split_line(buf, argv, ARRAY_SIZE(argv), &why) < 0 && why,
	      "unterminated quote rejected (%s)", why);
	why = NULL;
	snprintf(buf, sizeof(buf), "1 2 3 4 5");
	check(nc_split_line(buf, argv, ARRAY_SIZE(argv), &why) < 0 && why,
	      "too many words rejected (%s)", why);
}

static char *json_capture(bool pretty, void (*fn)(struct json_writer *))
{
	struct json_writer w;
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);

	json_init(&w, f, pretty);
	fn(&w);
	fclose(f);
	return s;
}

static void json_doc(struct json_writer *w)
{
	json_arr_open(w);
	json_obj_open(w);
	json_key(w, "id");
	json_uint(w, 0);
	json_key(w, "big");
	json_uint(w, UINT64_MAX);
	json_key(w, "neg");
	json_int(w, -5);
	json_key(w, "s");
	json_str(w, "a\"b\\c\n\t\x01\x7f/\xc3\xa9");
	json_key(w, "empty");
	json_arr_open(w);
	json_arr_close(w);
	json_key(w, "t");
	json_bool(w, true);
	json_key(w, "n");
	json_null(w);
	json_obj_close(w);
	json_obj_open(w);
	json_obj_close(w);
	json_arr_close(w);
}

static void json_lines(struct json_writer *w)
{
	json_obj_open(w);
	json_key(w, "event");
	json_str(w, "port-add");
	json_obj_close(w);
	json_obj_open(w);
	json_key(w, "event");
	json_str(w, "port-del");
	json_obj_close(w);
}

static void json_empty(struct json_writer *w)
{
	json_arr_open(w);
	json_arr_close(w);
}

static void test_json(void)
{
	static const char compact[] =
		"[{\"id\":0,\"big\":18446744073709551615,\"neg\":-5,"
		"\"s\":\"a\\\"b\\\\c\\n\\t\\u0001\\u007f/\xc3\xa9\","
		"\"empty\":[],\"t\":true,\"n\":null},{}]\n";
	static const char pretty[] =
		"[\n"
		"  {\n"
		"    \"id\": 0,\n"
		"    \"big\": 18446744073709551615,\n"
		"    \"neg\": -5,\n"
		"    \"s\": \"a\\\"b\\\\c\\n\\t\\u0001\\u007f/\xc3\xa9\",\n"
		"    \"empty\": [],\n"
		"    \"t\": true,\n"
		"    \"n\": null\n"
		"  },\n"
		"  {}\n"
		"]\n";
	char *s;

	s = json_capture(false, json_doc);
	check(!strcmp(s, compact), "json compact: %s", visible(s));
	free(s);
	s = json_capture(true, json_doc);
	check(!strcmp(s, pretty), "json pretty");
	free(s);
	s = json_capture(false, json_lines);
	check(!strcmp(s, "{\"event\":\"port-add\"}\n{\"event\":\"port-del\"}\n"),
	      "json lines");
	free(s);
	s = json_capture(true, json_empty);
	check(!strcmp(s, "[]\n"), "json empty array pretty");
	free(s);
}

int main(void)
{
	test_numbers();
	test_endpoints();
	test_addrs();
	test_cpulist();
	test_hexkey();
	test_bpf();
	test_match();
	test_opts();
	test_names();
	test_split();
	test_json();
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
