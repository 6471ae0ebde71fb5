// SPDX-License-Identifier: GPL-2.0
/*
 * ncctl helpers: error reporting, word matching, argument parsers and the
 * conversions between command line strings and netlink values.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "utils.h"

unsigned int nc_lineno;

const char *const nc_match_names[__NETCTX_MATCH_MAX] = {
	[NETCTX_MATCH_LOCAL]		= "local",
	[NETCTX_MATCH_REMOTE]		= "remote",
};

const char *const nc_hash_names[__NETCTX_HASH_MAX] = {
	[NETCTX_HASH_DEFAULT]		= "default",
	[NETCTX_HASH_TOEPLITZ]		= "toeplitz",
	[NETCTX_HASH_REMOTE_ADDR]	= "remote-addr",
	[NETCTX_HASH_ROUND_ROBIN]	= "round-robin",
	[NETCTX_HASH_LEAST_LOADED]	= "least-loaded",
	[NETCTX_HASH_BPF]		= "bpf",
};

const char *const nc_origin_names[__NETCTX_ORIGIN_MAX] = {
	[NETCTX_ORIGIN_HASH]		= "hash",
	[NETCTX_ORIGIN_ASSIGNED]	= "assigned",
	[NETCTX_ORIGIN_MIGRATED]	= "migrated",
	[NETCTX_ORIGIN_BALANCED]	= "balanced",
};

const char *const nc_state_names[__NETCTX_STATE_MAX] = {
	[NETCTX_STATE_ASSIGNED]		= "assigned",
	[NETCTX_STATE_ACTIVE]		= "active",
	[NETCTX_STATE_CLOSING]		= "closing",
	[NETCTX_STATE_MIGRATING]	= "migrating",
};

const char *const nc_event_names[__NETCTX_EVENT_MAX] = {
	[NETCTX_EVENT_CONN_NEW]		= "conn-new",
	[NETCTX_EVENT_CONN_CLOSE]	= "conn-close",
	[NETCTX_EVENT_CONN_ASSIGN]	= "conn-assign",
	[NETCTX_EVENT_CONN_MIGRATE]	= "conn-migrate",
	[NETCTX_EVENT_PORT_ADD]		= "port-add",
	[NETCTX_EVENT_PORT_DEL]		= "port-del",
	[NETCTX_EVENT_CONN_MIGRATE_FAIL] = "conn-migrate-fail",
};

static void nc_vmsg(const char *kind, const char *fmt, va_list ap)
{
	fflush(stdout);
	fputs("ncctl: ", stderr);
	if (nc_lineno)
		fprintf(stderr, "line %u: ", nc_lineno);
	fputs(kind, stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void nc_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	nc_vmsg("", fmt, ap);
	va_end(ap);
}

void nc_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	nc_vmsg("warning: ", fmt, ap);
	va_end(ap);
}

static const char *nc_entry_name(const void *table, size_t i, size_t stride)
{
	return *(const char *const *)((const char *)table + i * stride);
}

int nc_match(const char *arg, const void *table, size_t n, size_t stride,
	     const char *what)
{
	size_t len = strlen(arg), i, used = 0;
	char list[256] = "";
	int found = -1, count = 0;

	for (i = 0; i < n; i++) {
		if (!strcmp(nc_entry_name(table, i, stride), arg))
			return i;
	}
	for (i = 0; len && i < n; i++) {
		const char *name = nc_entry_name(table, i, stride);
		int w;

		if (strncmp(name, arg, len))
			continue;
		found = i;
		count++;
		w = snprintf(list + used, sizeof(list) - used, "%s%s",
			     count > 1 ? ", " : "", name);
		if (w > 0 && (size_t)w < sizeof(list) - used)
			used += w;
	}
	if (count == 1)
		return found;
	if (count)
		nc_err("ambiguous %s \"%s\": %s", what, arg, list);
	else
		nc_err("unknown %s \"%s\"", what, arg);
	return -1;
}

int nc_opt_lookup(const char *word, const struct nc_opt *opts, size_t n,
		  char *list, size_t len)
{
	size_t wlen = strlen(word), i, j, used = 0;
	int found = -1, count = 0, w;

	if (len)
		list[0] = '\0';
	if (!wlen)
		return -1;
	for (i = 0; i < n; i++) {
		if ((wlen == 1 && opts[i].letter == word[0]) ||
		    !strcmp(opts[i].name, word))
			return i;
	}
	for (i = 0; i < n; i++) {
		if (strncmp(opts[i].name, word, wlen))
			continue;
		/* An alias of an earlier candidate adds nothing. */
		for (j = 0; j < i; j++) {
			if (opts[j].id == opts[i].id &&
			    !strncmp(opts[j].name, word, wlen))
				break;
		}
		if (j < i)
			continue;
		if (!count++)
			found = i;
		if (used < len) {
			w = snprintf(list + used, len - used, "%s-%s",
				     used ? ", " : "", opts[i].name);
			used += w > 0 ? (size_t)w : 0;
		}
	}
	if (count > 1)
		return -2;
	if (len)
		list[0] = '\0';
	return found;
}

int nc_dispatch(const struct nc_cmd *cmds, size_t n, int argc, char **argv,
		const char *dflt)
{
	char *none[] = { NULL };
	int i;

	if (!argc) {
		if (!dflt) {
			nc_err("missing command (try \"help\")");
			return -1;
		}
		i = nc_match(dflt, cmds, n, sizeof(*cmds), "command");
		return i < 0 ? -1 : cmds[i].fn(0, none);
	}
	i = nc_match(argv[0], cmds, n, sizeof(*cmds), "command");
	if (i < 0)
		return -1;
	return cmds[i].fn(argc - 1, argv + 1);
}

int nc_match_kw(const char *arg, const char *const *words, size_t n,
		unsigned int *seen)
{
	int kw = nc_match(arg, words, n, sizeof(words[0]), "keyword");

	if (kw < 0)
		return -1;
	if (*seen & 1U << kw) {
		nc_err("duplicate keyword \"%s\"", words[kw]);
		return -1;
	}
	*seen |= 1U << kw;
	return kw;
}

const char *nc_next_arg(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc) {
		nc_err("missing argument after \"%s\"", argv[*i]);
		return NULL;
	}
	return argv[++*i];
}

int nc_parse_u32(const char *s, uint32_t max, uint32_t *v)
{
	unsigned long long n;
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno || *end || n > max)
		return -1;
	*v = n;
	return 0;
}

int nc_parse_port(const char *s, uint16_t *port)
{
	uint32_t v;

	if (nc_parse_u32(s, 65535, &v) || !v)
		return -1;
	*port = v;
	return 0;
}

int nc_parse_proto(const char *s, uint8_t *proto)
{
	static const char *const names[] = { "tcp", "udp" };
	static const uint8_t nums[] = { IPPROTO_TCP, IPPROTO_UDP };
	int i = nc_match_word(s, names, "protocol");

	if (i < 0)
		return -1;
	*proto = nums[i];
	return 0;
}

int nc_parse_on_off(const char *s, bool *on)
{
	size_t len = strlen(s);

	if (!strcmp(s, "on")) {
		*on = true;
		return 0;
	}
	/* "o" is a prefix of both. */
	if (len >= 2 && !strncmp("off", s, len)) {
		*on = false;
		return 0;
	}
	return -1;
}

const char *nc_proto_name(unsigned int proto, char *buf, size_t len)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	default:
		snprintf(buf, len, "%u", proto);
		return buf;
	}
}

const char *nc_errno_name(unsigned int err, char *buf, size_t len)
{
#define NC_ERRNO(e)	[e] = #e
	/* Those netctx requests and migrations end with, and a few more. */
	static const char *const names[] = {
		NC_ERRNO(EPERM), NC_ERRNO(ENOENT), NC_ERRNO(ESRCH),
		NC_ERRNO(EINTR), NC_ERRNO(EIO), NC_ERRNO(E2BIG),
		NC_ERRNO(EAGAIN), NC_ERRNO(ENOMEM), NC_ERRNO(EACCES),
		NC_ERRNO(EBUSY), NC_ERRNO(EEXIST), NC_ERRNO(ENODEV),
		NC_ERRNO(EINVAL), NC_ERRNO(ENOSPC), NC_ERRNO(ERANGE),
		NC_ERRNO(EPROTONOSUPPORT), NC_ERRNO(EOPNOTSUPP),
		NC_ERRNO(EAFNOSUPPORT), NC_ERRNO(ETIMEDOUT),
	};
#undef NC_ERRNO

	return nc_enum_name(names, ARRAY_SIZE(names), err, buf, len);
}

const char *nc_enum_name(const char *const *names, size_t n, unsigned int v,
			 char *buf, size_t len)
{
	if (v < n && names[v])
		return names[v];
	snprintf(buf, len, "%u", v);
	return buf;
}

/*
 * [::ffff:a.b.c.d]:p is how tcp_probe and ss print the IPv4 connection of
 * a dual-stack socket: the kernel knows it as IPv4.
 */
static void nc_unmap_v4(struct nc_endpoint *ep)
{
	struct in_addr v4;

	if (ep->family != AF_INET6 || !IN6_IS_ADDR_V4MAPPED(&ep->addr.v6))
		return;
	memcpy(&v4, &ep->addr.v6.s6_addr[12], sizeof(v4));
	memset(&ep->addr, 0, sizeof(ep->addr));
	ep->addr.v4 = v4;
	ep->family = AF_INET;
}

int nc_parse_endpoint(const char *s, bool wildcard_ok, struct nc_endpoint *ep,
		      const char **why)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon, *h = s;
	size_t hlen;

	memset(ep, 0, sizeof(*ep));
	if (*s == '[') {
		const char *close = strchr(s, ']');

		if (!close) {
			*why = "missing \"]\"";
			return -1;
		}
		if (close[1] != ':') {
			*why = "expected [ADDR]:PORT";
			return -1;
		}
		h = s + 1;
		hlen = close - h;
		colon = close + 1;
		ep->family = AF_INET6;
	} else {
		colon = strrchr(s, ':');
		if (!colon) {
			*why = "expected ADDR:PORT";
			return -1;
		}
		if (memchr(s, ':', colon - s)) {
			*why = "an IPv6 address needs brackets: [ADDR]:PORT";
			return -1;
		}
		hlen = colon - s;
		ep->family = AF_INET;
	}
	if (nc_parse_port(colon + 1, &ep->port)) {
		*why = "invalid port";
		return -1;
	}
	if (ep->family == AF_INET && hlen == 1 && *s == '*') {
		if (!wildcard_ok) {
			*why = "\"*\" is not allowed here";
			return -1;
		}
		ep->family = AF_UNSPEC;
		return 0;
	}
	if (hlen >= sizeof(host)) {
		*why = "invalid address";
		return -1;
	}
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	if (inet_pton(ep->family, host, &ep->addr) != 1) {
		*why = ep->family == AF_INET6 ? "invalid IPv6 address" :
						"invalid IPv4 address";
		return -1;
	}
	nc_unmap_v4(ep);
	return 0;
}

int nc_parse_addr(const char *s, struct nc_endpoint *ep, const char **why)
{
	char host[INET6_ADDRSTRLEN + 2];
	struct nc_endpoint with_port;
	const char *ignored;
	size_t len = strlen(s);

	memset(ep, 0, sizeof(*ep));
	if (!nc_parse_endpoint(s, true, &with_port, &ignored)) {
		*why = "expected an address without port";
		return -1;
	}
	if (*s == '[') {
		if (len < 2 || s[len - 1] != ']') {
			*why = "missing \"]\"";
			return -1;
		}
		s++;
		len -= 2;
		ep->family = AF_INET6;
	} else {
		ep->family = memchr(s, ':', len) ? AF_INET6 : AF_INET;
	}
	if (len >= sizeof(host)) {
		*why = "invalid address";
		return -1;
	}
	memcpy(host, s, len);
	host[len] = '\0';
	if (inet_pton(ep->family, host, &ep->addr) != 1) {
		*why = ep->family == AF_INET6 ? "invalid IPv6 address" :
						"invalid IPv4 address";
		return -1;
	}
	nc_unmap_v4(ep);
	return 0;
}

size_t nc_addr_len(int family)
{
	switch (family) {
	case AF_INET:
		return sizeof(struct in_addr);
	case AF_INET6:
		return sizeof(struct in6_addr);
	default:
		return 0;
	}
}

void nc_format_endpoint(int family, const void *addr, uint16_t port,
			char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (!addr || !nc_addr_len(family))
		snprintf(buf, len, "*:%u", port);
	else if (!inet_ntop(family, addr, a, sizeof(a)))
		snprintf(buf, len, "?:%u", port);
	else if (family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", a, port);
	else
		snprintf(buf, len, "%s:%u", a, port);
}

static bool nc_bit_test(const uint64_t *bits, unsigned int i)
{
	return bits[i / 64] & (1ULL << (i % 64));
}

/* A context id: decimal below @nbits; *end is left after it. */
static int nc_cpulist_id(const char *s, char **end, unsigned int nbits,
			 unsigned int *id)
{
	unsigned long v;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoul(s, end, 10);
	if (errno || v >= nbits)
		return -1;
	*id = v;
	return 0;
}

int nc_cpulist_parse(const char *s, uint64_t *bits, unsigned int nbits)
{
	unsigned int a, b, i;
	char *end;

	memset(bits, 0, (nbits + 63) / 64 * sizeof(*bits));
	for (;;) {
		if (nc_cpulist_id(s, &end, nbits, &a))
			return -1;
		b = a;
		if (*end == '-' &&
		    (nc_cpulist_id(end + 1, &end, nbits, &b) || b < a))
			return -1;
		for (i = a; i <= b; i++)
			bits[i / 64] |= 1ULL << (i % 64);
		if (!*end)
			return 0;
		if (*end != ',')
			return -1;
		s = end + 1;
	}
}

int nc_cpulist_format(const uint64_t *bits, unsigned int nbits, char *buf,
		      size_t len)
{
	unsigned int i = 0, start;
	size_t used = 0;
	int w;

	if (!len)
		return -1;
	buf[0] = '\0';
	while (i < nbits) {
		if (!nc_bit_test(bits, i)) {
			i++;
			continue;
		}
		start = i;
		while (i + 1 < nbits && nc_bit_test(bits, i + 1))
			i++;
		if (start == i)
			w = snprintf(buf + used, len - used, "%s%u",
				     used ? "," : "", start);
		else
			w = snprintf(buf + used, len - used, "%s%u-%u",
				     used ? "," : "", start, i);
		if (w < 0 || (size_t)w >= len - used)
			return -1;
		used += w;
		i++;
	}
	return 0;
}

static int nc_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int nc_hexkey_parse(const char *s, uint8_t *key, size_t len)
{
	size_t i;
	int hi, lo;

	if (strchr(s, ':')) {
		for (i = 0; i < len; i++) {
			hi = nc_hexval(*s++);
			if (hi < 0)
				return -1;
			lo = nc_hexval(*s);
			if (lo >= 0) {
				hi = hi << 4 | lo;
				s++;
			}
			key[i] = hi;
			if (*s != (i + 1 < len ? ':' : '\0'))
				return -1;
			s++;
		}
		return 0;
	}
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	if (strlen(s) != 2 * len)
		return -1;
	for (i = 0; i < len; i++) {
		hi = nc_hexval(s[2 * i]);
		lo = nc_hexval(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		key[i] = hi << 4 | lo;
	}
	return 0;
}

void nc_hexkey_format(const uint8_t *key, size_t len, char *buf,
		      size_t buflen)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	if (!buflen)
		return;
	if (buflen < 3 * len) {
		buf[0] = '\0';
		return;
	}
	for (i = 0; i < len; i++) {
		buf[3 * i] = hex[key[i] >> 4];
		buf[3 * i + 1] = hex[key[i] & 15];
		buf[3 * i + 2] = ':';
	}
	buf[len ? 3 * len - 1 : 0] = '\0';
}

int nc_split_line(char *line, char **argv, int max, const char **why)
{
	char *r = line, *w = line;
	int argc = 0;

	for (;;) {
		char quote = 0;

		while (isspace((unsigned char)*r))
			r++;
		if (!*r || *r == '#')
			return argc;
		if (argc == max) {
			*why = "too many arguments";
			return -1;
		}
		argv[argc++] = w;
		while (*r && (quote || !isspace((unsigned char)*r))) {
			if (quote && *r == quote) {
				quote = 0;
				r++;
			} else if (!quote && (*r == '"' || *r == '\'')) {
				quote = *r++;
			} else if (*r == '\\' && quote != '\'' && r[1]) {
				*w++ = r[1];
				r += 2;
			} else {
				*w++ = *r++;
			}
		}
		if (quote) {
			*why = "unterminated quote";
			return -1;
		}
		/* w never passes r: the terminator may overwrite a blank. */
		if (*r)
			r++;
		*w++ = '\0';
	}
}
