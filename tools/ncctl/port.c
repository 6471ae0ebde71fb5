// SPDX-License-Identifier: GPL-2.0
/*
 * ncctl port: per-port steering policies.
 */
#include <stdlib.h>
#include <string.h>

#include "ncctl.h"
#include "nl.h"
#include "print.h"
#include "bpf.h"
#include "utils.h"

void port_help(FILE *f)
{
	fputs("Usage: ncctl port add {tcp|udp} PORT [match {local|remote}] [hash NAME]\n"
	      "                      [key HEX] [bpf FILE] [contexts LIST] [replace]\n"
	      "                      [balance {on|off}]\n"
	      "       ncctl port del {tcp|udp} PORT [match {local|remote}]\n"
	      "       ncctl port show\n"
	      "       ncctl port help\n"
	      "where  NAME := {default|toeplitz|remote-addr|round-robin|least-loaded|bpf}\n"
	      "       HEX  := 40-byte Toeplitz key, 6d:5a:56:... or 80 hex digits\n"
	      "               (hash toeplitz only)\n"
	      "       FILE := classic BPF program, tcpdump -ddd or bpf_asm output\n"
	      "               (required by and only for hash bpf)\n"
	      "       LIST := contexts, like 0-3,6 (default: all)\n"
	      "       balance on: the module may move the port's connections\n"
	      "               between contexts by load (default: off)\n", f);
}

static int port_help_cmd(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	port_help(stdout);
	return 0;
}

/* "{tcp|udp} PORT": the two positional arguments of add and del. */
static int port_parse_key(int argc, char **argv, uint8_t *proto,
			  uint16_t *port)
{
	if (argc < 1) {
		nc_err("missing protocol (tcp or udp)");
		return -1;
	}
	if (nc_parse_proto(argv[0], proto))
		return -1;
	if (argc < 2) {
		nc_err("missing PORT");
		return -1;
	}
	if (nc_parse_port(argv[1], port)) {
		nc_err("invalid port \"%s\"", argv[1]);
		return -1;
	}
	return 0;
}

static int port_parse_match(const char *s, uint8_t *match)
{
	int i = nc_match_word(s, nc_match_names, "match");

	if (i < 0)
		return -1;
	*match = i;
	return 0;
}

enum {
	KW_MATCH, KW_HASH, KW_KEY, KW_BPF, KW_CONTEXTS, KW_REPLACE,
	KW_BALANCE,
};

static const char *const port_add_kws[] = {
	[KW_MATCH]	= "match",
	[KW_HASH]	= "hash",
	[KW_KEY]	= "key",
	[KW_BPF]	= "bpf",
	[KW_CONTEXTS]	= "contexts",
	[KW_REPLACE]	= "replace",
	[KW_BALANCE]	= "balance",
};

struct port_add_req {
	unsigned int seen;		/* 1 << KW_* */
	uint8_t proto;
	uint16_t port;
	uint8_t match;
	uint8_t hash;
	uint8_t key[NETCTX_TOEPLITZ_KEY_LEN];
	struct sock_filter *bpf;
	unsigned int bpf_len;
	uint64_t contexts[NC_CONTEXT_WORDS];
	bool balance;
};

/* The keyword arguments of port add; 1 if "help" was among them. */
static int port_add_parse(int argc, char **argv, struct port_add_req *r)
{
	const char *v, *bpf_path = NULL;
	char err[128];
	int i, kw;

	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "help"))
			return 1;
		kw = nc_match_keyword(argv[i], port_add_kws, &r->seen);
		if (kw < 0)
			return -1;
		if (kw == KW_REPLACE)
			continue;
		v = nc_next_arg(argc, argv, &i);
		if (!v)
			return -1;
		switch (kw) {
		case KW_MATCH:
			if (port_parse_match(v, &r->match))
				return -1;
			break;
		case KW_HASH:
			kw = nc_match_word(v, nc_hash_names, "hash");
			if (kw < 0)
				return -1;
			r->hash = kw;
			break;
		case KW_KEY:
			if (nc_hexkey_parse(v, r->key, sizeof(r->key))) {
				nc_err("invalid key \"%s\": expected %d hex bytes",
				       v, NETCTX_TOEPLITZ_KEY_LEN);
				return -1;
			}
			break;
		case KW_BPF:
			bpf_path = v;	/* read once the keywords agree */
			break;
		case KW_CONTEXTS:
			if (nc_cpulist_parse(v, r->contexts,
					     NETCTX_MAX_CONTEXTS)) {
				nc_err("invalid context list \"%s\"", v);
				return -1;
			}
			break;
		case KW_BALANCE:
			if (nc_parse_on_off(v, &r->balance)) {
				nc_err("invalid balance \"%s\": expected on or off",
				       v);
				return -1;
			}
			break;
		}
	}
	if ((r->seen & 1U << KW_KEY) &&
	    (!(r->seen & 1U << KW_HASH) || r->hash != NETCTX_HASH_TOEPLITZ)) {
		nc_err("key requires hash toeplitz");
		return -1;
	}
	if ((r->seen & 1U << KW_HASH) && r->hash == NETCTX_HASH_BPF &&
	    !(r->seen & 1U << KW_BPF)) {
		nc_err("hash bpf requires bpf FILE");
		return -1;
	}
	if ((r->seen & 1U << KW_BPF) &&
	    (!(r->seen & 1U << KW_HASH) || r->hash != NETCTX_HASH_BPF)) {
		nc_err("bpf FILE requires hash bpf");
		return -1;
	}
	if (bpf_path &&
	    nc_bpf_load(bpf_path, &r->bpf, &r->bpf_len, err, sizeof(err))) {
		nc_err("invalid bpf program \"%s\": %s", bpf_path, err);
		return -1;
	}
	return 0;
}

static int port_add(int argc, char **argv)
{
	struct port_add_req r = { 0 };
	struct nlmsghdr *nlh;
	uint32_t flags = 0;
	int ret = -1;

	if (argc && !strcmp(argv[0], "help"))
		return port_help_cmd(0, NULL);
	if (port_parse_key(argc, argv, &r.proto, &r.port))
		return -1;
	ret = port_add_parse(argc, argv, &r);
	if (ret) {
		if (ret > 0)
			ret = port_help_cmd(0, NULL);
		goto out;
	}
	ret = -1;
	nlh = nc_nl_new(NETCTX_CMD_ADD_PORT);
	if (!nlh)
		goto out;
	mnl_attr_put_u8(nlh, NETCTX_A_PROTO, r.proto);
	mnl_attr_put_u16(nlh, NETCTX_A_PORT, r.port);
	if (r.seen & 1U << KW_MATCH)
		mnl_attr_put_u8(nlh, NETCTX_A_MATCH, r.match);
	if (r.seen & 1U << KW_HASH)
		mnl_attr_put_u8(nlh, NETCTX_A_HASH, r.hash);
	if (r.seen & 1U << KW_KEY)
		mnl_attr_put(nlh, NETCTX_A_HASH_KEY, sizeof(r.key), r.key);
	if (r.bpf)
		mnl_attr_put(nlh, NETCTX_A_BPF, r.bpf_len * sizeof(*r.bpf),
			     r.bpf);
	if (r.seen & 1U << KW_CONTEXTS)
		mnl_attr_put(nlh, NETCTX_A_CONTEXTS, sizeof(r.contexts),
			     r.contexts);
	if (r.seen & 1U << KW_REPLACE)
		flags |= NETCTX_F_REPLACE;
	if (r.balance)
		flags |= NETCTX_F_BALANCE;
	/* "balance off" said explicitly: the kernel gets it, as 0. */
	if (r.seen & (1U << KW_REPLACE | 1U << KW_BALANCE))
		mnl_attr_put_u32(nlh, NETCTX_A_FLAGS, flags);
	ret = nc_nl_do(nlh, "port add");
out:
	free(r.bpf);
	return ret;
}

static int port_del(int argc, char **argv)
{
	static const char *const kws[] = { "match" };
	struct nlmsghdr *nlh;
	unsigned int seen = 0;
	uint16_t port;
	uint8_t proto, match = 0;
	const char *v;
	int i;

	if (argc && !strcmp(argv[0], "help"))
		return port_help_cmd(0, NULL);
	if (port_parse_key(argc, argv, &proto, &port))
		return -1;
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "help"))
			return port_help_cmd(0, NULL);
		if (nc_match_keyword(argv[i], kws, &seen) < 0)
			return -1;
		v = nc_next_arg(argc, argv, &i);
		if (!v || port_parse_match(v, &match))
			return -1;
	}
	nlh = nc_nl_new(NETCTX_CMD_DEL_PORT);
	if (!nlh)
		return -1;
	mnl_attr_put_u8(nlh, NETCTX_A_PROTO, proto);
	mnl_attr_put_u16(nlh, NETCTX_A_PORT, port);
	if (seen)
		mnl_attr_put_u8(nlh, NETCTX_A_MATCH, match);
	return nc_nl_do(nlh, "port del");
}

void port_print(const struct nlattr *const *tb, const char *event)
{
	char name[NC_NAME_MAX], buf[NC_CPULIST_MAX];
	const struct nlattr *a;

	out_obj_start();
	if (event)
		out_str("event", NULL, event);
	if (tb[NETCTX_A_PROTO])
		out_str("proto", NULL,
			nc_proto_name(mnl_attr_get_u8(tb[NETCTX_A_PROTO]),
				      name, sizeof(name)));
	if (tb[NETCTX_A_PORT])
		out_uint("port", NULL, mnl_attr_get_u16(tb[NETCTX_A_PORT]));
	if (tb[NETCTX_A_MATCH])
		out_str("match", "match",
			nc_name(nc_match_names,
				mnl_attr_get_u8(tb[NETCTX_A_MATCH]), name));
	if (tb[NETCTX_A_HASH])
		out_str("hash", "hash",
			nc_name(nc_hash_names,
				mnl_attr_get_u8(tb[NETCTX_A_HASH]), name));
	a = tb[NETCTX_A_HASH_KEY];
	if (a) {
		nc_hexkey_format(mnl_attr_get_payload(a),
				 mnl_attr_get_payload_len(a), buf, sizeof(buf));
		out_str("key", "key", buf);
	}
	a = tb[NETCTX_A_CONTEXTS];
	if (a) {
		uint64_t bits[NC_CONTEXT_WORDS] = { 0 };
		size_t len = mnl_attr_get_payload_len(a);

		/* Host-order words; bits past NETCTX_MAX_CONTEXTS ignored. */
		memcpy(bits, mnl_attr_get_payload(a),
		       len < sizeof(bits) ? len : sizeof(bits));
		out_idset("contexts", "contexts", bits, NETCTX_MAX_CONTEXTS);
	}
	/* The kernel sends NETCTX_A_FLAGS only with a flag set. */
	out_flag("balance", "balance", tb[NETCTX_A_FLAGS] &&
		 mnl_attr_get_u32(tb[NETCTX_A_FLAGS]) & NETCTX_F_BALANCE);
	if (tb[NETCTX_A_CONNS])
		out_uint("conns", "conns", mnl_attr_get_u32(tb[NETCTX_A_CONNS]));
	out_obj_end();
}

static int port_show_cb(const struct nlattr *const *tb, uint8_t cmd,
			void *data)
{
	(void)cmd;
	(void)data;
	port_print(tb, NULL);
	return 0;
}

static int port_show(int argc, char **argv)
{
	struct nlmsghdr *nlh;
	int ret;

	if (argc) {
		if (!strcmp(argv[0], "help"))
			return port_help_cmd(0, NULL);
		nc_err("unknown keyword \"%s\"", argv[0]);
		return -1;
	}
	nlh = nc_nl_new(NETCTX_CMD_GET_PORT);
	if (!nlh)
		return -1;
	out_list_start();
	ret = nc_nl_dump(nlh, port_show_cb, NULL, "port show");
	out_list_end();
	return ret;
}

static const struct nc_cmd port_cmds[] = {
	{ "add",	port_add },
	{ "del",	port_del },
	{ "show",	port_show },
	{ "help",	port_help_cmd },
};

int do_port(int argc, char **argv)
{
	return nc_dispatch(port_cmds, ARRAY_SIZE(port_cmds), argc, argv,
			   "show");
}
