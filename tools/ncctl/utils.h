/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ncctl helpers: error reporting, word matching, argument parsers and the
 * conversions between command line strings and netlink values.
 *
 * Parsers return 0 on success and -1 on failure. Unless a comment says
 * otherwise they print nothing: the caller knows which argument failed and
 * reports it with nc_err().
 */
#ifndef NCCTL_UTILS_H
#define NCCTL_UTILS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <linux/netctx.h>

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

/* Words of NETCTX_A_CONTEXTS: one bit per context. */
#define NC_CONTEXT_WORDS	(NETCTX_MAX_CONTEXTS / 64)
/* Longest cpulist of NETCTX_MAX_CONTEXTS bits ("0,2,4,...,1022") + NUL. */
#define NC_CPULIST_MAX		4096
/* "6d:5a:...:fa" + NUL. */
#define NC_HEXKEY_MAX		(3 * NETCTX_TOEPLITZ_KEY_LEN)
/* "[ffff:...:255.255.255.255]:65535" + NUL. */
#define NC_ENDPOINT_MAX		(INET6_ADDRSTRLEN + 8)
/* Buffer for an enum value without a name. */
#define NC_NAME_MAX		16

_Static_assert(NETCTX_MAX_CONTEXTS % 64 == 0,
	       "NETCTX_A_CONTEXTS is an array of whole __u64 words");

/* Batch line being executed (1-based), 0 outside batch mode. */
extern unsigned int nc_lineno;

/* "ncctl: [line N: ]<message>\n" on stderr. */
void nc_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "ncctl: [line N: ]warning: <message>\n" on stderr. */
void nc_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Unique-prefix match of @arg against the names of @n table entries of
 * @stride bytes whose first member is a "const char *name". An exact match
 * always wins. Returns the index, or -1 after printing
 * 'unknown WHAT "ARG"' or 'ambiguous WHAT "ARG": a, b'.
 */
int nc_match(const char *arg, const void *table, size_t n, size_t stride,
	     const char *what);
#define nc_match_word(arg, words, what) \
	nc_match(arg, words, ARRAY_SIZE(words), sizeof((words)[0]), what)

/*
 * A command's keyword: nc_match() of @arg against @n words, each allowed
 * once; bit i of *@seen records word i. Returns its index, or -1 after
 * printing why (unknown, ambiguous, 'duplicate keyword "KW"').
 */
int nc_match_kw(const char *arg, const char *const *words, size_t n,
		unsigned int *seen);
#define nc_match_keyword(arg, words, seen) \
	nc_match_kw(arg, words, ARRAY_SIZE(words), seen)

/*
 * A global option, iproute2 style: "-NAME" or any unique prefix of it,
 * "--NAME" as well, or "-L" for its letter.
 */
struct nc_opt {
	const char *name;	/* without the dash */
	char letter;		/* "-L" (0: none), wins over prefixes */
	int id;			/* entries of the same id are aliases */
	const char *arg;	/* name of its argument, NULL: none */
};

/*
 * Look up @word, an option without its leading dash: a letter or a name
 * first, then a prefix of the names; aliases count once. Returns the index
 * in @opts, -1 if unknown, -2 if ambiguous with the candidates
 * ("-a, -b") in @list.
 */
int nc_opt_lookup(const char *word, const struct nc_opt *opts, size_t n,
		  char *list, size_t len);

/* One command of an object: argv[0] is the first argument after it. */
struct nc_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
};

/*
 * Run the command named by argv[0] (or @dflt when argc is 0 and @dflt is
 * not NULL). Prints its own errors. Returns the command's result.
 */
int nc_dispatch(const struct nc_cmd *cmds, size_t n, int argc, char **argv,
		const char *dflt);

/*
 * Fetch the argument of keyword argv[*i] and advance *i; prints
 * 'missing argument after "KW"' and returns NULL if there is none.
 */
const char *nc_next_arg(int argc, char **argv, int *i);

/* Decimal number 0..max, no sign, no blanks. */
int nc_parse_u32(const char *s, uint32_t max, uint32_t *v);
/* Port 1..65535. */
int nc_parse_port(const char *s, uint16_t *port);
/* "tcp" or "udp" (unique prefix); prints its error. */
int nc_parse_proto(const char *s, uint8_t *proto);
/* "on" or "off" ("of" too: a unique prefix of two letters at least). */
int nc_parse_on_off(const char *s, bool *on);

/* An ADDR:PORT argument. */
struct nc_endpoint {
	int family;		/* AF_INET, AF_INET6; AF_UNSPEC for "*" */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} addr;
	uint16_t port;		/* host order */
};

/*
 * Parse "A.B.C.D:PORT", "[IPV6]:PORT" or, if @wildcard_ok, "*:PORT".
 * On failure *why says what is wrong.
 */
int nc_parse_endpoint(const char *s, bool wildcard_ok, struct nc_endpoint *ep,
		      const char **why);
/*
 * Parse an address without port, "A.B.C.D", "IPV6" or "[IPV6]", into @ep
 * (port 0); "::ffff:A.B.C.D" is IPv4, as in nc_parse_endpoint(). On
 * failure *why says what is wrong.
 */
int nc_parse_addr(const char *s, struct nc_endpoint *ep, const char **why);
/* Size in bytes of an address of @family (4, 16), 0 if unknown. */
size_t nc_addr_len(int family);
/*
 * Format @addr (NULL: wildcard "*") of @family and @port the way
 * nc_parse_endpoint() reads it.
 */
void nc_format_endpoint(int family, const void *addr, uint16_t port,
			char *buf, size_t len);

/*
 * cpulist "0-3,6" <-> bitmap of @nbits bits in 64-bit words (bit i is bit
 * i % 64 of word i / 64, as in NETCTX_A_CONTEXTS). Parsing clears the whole
 * bitmap first and rejects empty lists, ids >= @nbits and reversed ranges.
 * Formatting writes "" for an empty set and fails if @len is too small.
 */
int nc_cpulist_parse(const char *s, uint64_t *bits, unsigned int nbits);
int nc_cpulist_format(const uint64_t *bits, unsigned int nbits, char *buf,
		      size_t len);

/*
 * A key of exactly @len bytes: "6d:5a:..." (1 or 2 hex digits per byte) or
 * 2 * @len hex digits with an optional "0x" prefix.
 */
int nc_hexkey_parse(const char *s, uint8_t *key, size_t len);
/* "6d:5a:..." lowercase; @buflen must be at least 3 * @len. */
void nc_hexkey_format(const uint8_t *key, size_t len, char *buf,
		      size_t buflen);

/*
 * Split a batch line in place into at most @max words. Blanks separate
 * words, "..." and '...' quote, a backslash escapes the next character
 * outside single quotes, and a word starting with '#' starts a comment.
 * Returns the number of words or -1 with *why set.
 */
int nc_split_line(char *line, char **argv, int max, const char **why);

/* Names of enum values, indexed by value. */
extern const char *const nc_match_names[__NETCTX_MATCH_MAX];
extern const char *const nc_hash_names[__NETCTX_HASH_MAX];
extern const char *const nc_origin_names[__NETCTX_ORIGIN_MAX];
extern const char *const nc_state_names[__NETCTX_STATE_MAX];
extern const char *const nc_event_names[__NETCTX_EVENT_MAX];

/* names[v], or v in decimal (in @buf) for a value without a name. */
const char *nc_enum_name(const char *const *names, size_t n, unsigned int v,
			 char *buf, size_t len);
#define nc_name(names, v, buf) \
	nc_enum_name(names, ARRAY_SIZE(names), v, buf, sizeof(buf))
/* "tcp", "udp" or the number in @buf. */
const char *nc_proto_name(unsigned int proto, char *buf, size_t len);
/*
 * The symbolic name of a positive errno ("EBUSY"), the same on every
 * architecture unlike the number; the number in @buf if it has none here.
 */
const char *nc_errno_name(unsigned int err, char *buf, size_t len);

#endif /* NCCTL_UTILS_H */
