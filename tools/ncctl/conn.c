// SPDX-License-Identifier: GPL-2.0
/*
 * ncctl conn: connections (PCBs), pre-assignment and migration.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "ncctl.h"
#include "nl.h"
#include "print.h"
#include "utils.h"

void conn_help(FILE *f)
{
	fputs("Usage: ncctl conn show [ctx N] [proto {tcp|udp}] [port PORT] [group ID]\n"
	      "       ncctl conn assign {tcp|udp} LOCAL REMOTE ctx N [timeout MS] [group ID]\n"
	      "       ncctl conn migrate {tcp|udp} LOCAL REMOTE ctx N [nowait]\n"
	      "       ncctl conn migrate remote ADDR [proto {tcp|udp}] ctx N [nowait]\n"
	      "       ncctl conn migrate group ID ctx N [nowait]\n"
	      "       ncctl conn set {tcp|udp} LOCAL REMOTE group ID\n"
	      "       ncctl conn help\n"
	      "where  LOCAL  := {ADDR:PORT|[ADDR6]:PORT|*:PORT} (\"*\": assign, set)\n"
	      "       REMOTE := {ADDR:PORT|[ADDR6]:PORT}\n"
	      "       ADDR   := {A.B.C.D|ADDR6}\n"
	      "       ID     := session group, 1..4294967295\n"
	      "                 (assign, set: also 0 or none, no group)\n"
	      "       port PORT matches the local or the remote port\n"
	      "       remote ADDR: every connection with that peer, group ID: every one\n"
	      "       of the group, moved as one: all of them or none\n"
	      "       nowait: return at once, the result comes as events (monitor)\n",
	      f);
}

static int conn_help_cmd(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	conn_help(stdout);
	return 0;
}

static int conn_parse_ctx(const char *s, uint32_t *ctx)
{
	if (nc_parse_u32(s, NETCTX_MAX_CONTEXTS - 1, ctx)) {
		nc_err("invalid context \"%s\"", s);
		return -1;
	}
	return 0;
}

/* A session group ID; 0 ("none" too) only if @none_ok: no group. */
static int conn_parse_group(const char *s, bool none_ok, uint32_t *group)
{
	if (none_ok && !strcmp(s, "none")) {
		*group = 0;
		return 0;
	}
	if (nc_parse_u32(s, UINT32_MAX, group) || (!*group && !none_ok)) {
		nc_err("invalid group \"%s\"", s);
		return -1;
	}
	return 0;
}

/* "ADDR:PORT" of @tb's address @addr_type and port @port_type. */
static void conn_endpoint(const struct nlattr *const *tb, int family,
			  uint16_t addr_type, uint16_t port_type, char *buf,
			  size_t len)
{
	const struct nlattr *a = tb[addr_type];
	uint16_t port = 0;

	if (tb[port_type])
		port = mnl_attr_get_u16(tb[port_type]);
	if (a && nc_addr_len(family) != mnl_attr_get_payload_len(a))
		a = NULL;
	nc_format_endpoint(family, a ? mnl_attr_get_payload(a) : NULL, port,
			   buf, len);
}

void conn_print(const struct nlattr *const *tb, const char *event)
{
	char name[NC_NAME_MAX], ep[NC_ENDPOINT_MAX];
	const struct nlattr *a;
	int family = AF_UNSPEC;

	out_obj_start();
	if (event)
		out_str("event", NULL, event);
	if (tb[NETCTX_A_PROTO])
		out_str("proto", NULL,
			nc_proto_name(mnl_attr_get_u8(tb[NETCTX_A_PROTO]),
				      name, sizeof(name)));
	/* The address length tells the family if NETCTX_A_FAMILY is absent. */
	a = tb[NETCTX_A_LADDR] ? tb[NETCTX_A_LADDR] : tb[NETCTX_A_RADDR];
	if (tb[NETCTX_A_FAMILY])
		family = mnl_attr_get_u8(tb[NETCTX_A_FAMILY]);
	else if (a)
		family = mnl_attr_get_payload_len(a) == 4 ? AF_INET : AF_INET6;
	conn_endpoint(tb, family, NETCTX_A_LADDR, NETCTX_A_LPORT, ep,
		      sizeof(ep));
	out_str("local", NULL, ep);
	conn_endpoint(tb, family, NETCTX_A_RADDR, NETCTX_A_RPORT, ep,
		      sizeof(ep));
	out_str("remote", NULL, ep);
	if (tb[NETCTX_A_CTX_ID])
		out_uint("ctx", "ctx", mnl_attr_get_u32(tb[NETCTX_A_CTX_ID]));
	if (tb[NETCTX_A_ORIGIN])
		out_str("origin", "origin",
			nc_name(nc_origin_names,
				mnl_attr_get_u8(tb[NETCTX_A_ORIGIN]), name));
	if (tb[NETCTX_A_PLACED_BY])
		out_str("placed_by", "placed-by",
			nc_name(nc_origin_names,
				mnl_attr_get_u8(tb[NETCTX_A_PLACED_BY]), name));
	if (tb[NETCTX_A_FLOW_HASH])
		out_hex("hash", "hash",
			mnl_attr_get_u32(tb[NETCTX_A_FLOW_HASH]));
	if (tb[NETCTX_A_PACKETS])
		out_stat("packets", "packets",
			 mnl_attr_get_u64(tb[NETCTX_A_PACKETS]));
	if (tb[NETCTX_A_BYTES])
		out_stat("bytes", "bytes",
			 mnl_attr_get_u64(tb[NETCTX_A_BYTES]));
	if (tb[NETCTX_A_STATE])
		out_str("state", "state",
			nc_name(nc_state_names,
				mnl_attr_get_u8(tb[NETCTX_A_STATE]), name));
	if (tb[NETCTX_A_FIRST_CTX])
		out_uint("first_ctx", "first-ctx",
			 mnl_attr_get_u32(tb[NETCTX_A_FIRST_CTX]));
	/* CONN_MIGRATE_FAIL: why the migration failed. */
	if (tb[NETCTX_A_ERROR])
		out_str("error", "error",
			nc_errno_name(mnl_attr_get_u32(tb[NETCTX_A_ERROR]),
				      name, sizeof(name)));
	/* Only connections in a session group carry one. */
	if (tb[NETCTX_A_GROUP])
		out_uint("group", "group",
			 mnl_attr_get_u32(tb[NETCTX_A_GROUP]));
	out_obj_end();
}

/* Filters of conn show; the kernel applies them too, but group. */
struct conn_filter {
	bool has_ctx, has_proto, has_port, has_group;
	uint32_t ctx;
	uint8_t proto;
	uint16_t port;
	uint32_t group;
};

static bool conn_filter_match(const struct conn_filter *f,
			      const struct nlattr *const *tb)
{
	if (f->has_ctx && (!tb[NETCTX_A_CTX_ID] ||
			   mnl_attr_get_u32(tb[NETCTX_A_CTX_ID]) != f->ctx))
		return false;
	if (f->has_proto && (!tb[NETCTX_A_PROTO] ||
			     mnl_attr_get_u8(tb[NETCTX_A_PROTO]) != f->proto))
		return false;
	if (f->has_port &&
	    !(tb[NETCTX_A_LPORT] &&
	      mnl_attr_get_u16(tb[NETCTX_A_LPORT]) == f->port) &&
	    !(tb[NETCTX_A_RPORT] &&
	      mnl_attr_get_u16(tb[NETCTX_A_RPORT]) == f->port))
		return false;
	if (f->has_group && (!tb[NETCTX_A_GROUP] ||
			     mnl_attr_get_u32(tb[NETCTX_A_GROUP]) != f->group))
		return false;
	return true;
}

static int conn_show_cb(const struct nlattr *const *tb, uint8_t cmd,
			void *data)
{
	(void)cmd;
	if (conn_filter_match(data, tb))
		conn_print(tb, NULL);
	return 0;
}

static int conn_show(int argc, char **argv)
{
	static const char *const kws[] = { "ctx", "proto", "port", "group" };
	struct conn_filter f = { 0 };
	unsigned int seen = 0;
	struct nlmsghdr *nlh;
	const char *v;
	int i, kw, ret;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "help"))
			return conn_help_cmd(0, NULL);
		kw = nc_match_keyword(argv[i], kws, &seen);
		if (kw < 0)
			return -1;
		v = nc_next_arg(argc, argv, &i);
		if (!v)
			return -1;
		switch (kw) {
		case 0:
			if (conn_parse_ctx(v, &f.ctx))
				return -1;
			f.has_ctx = true;
			break;
		case 1:
			if (nc_parse_proto(v, &f.proto))
				return -1;
			f.has_proto = true;
			break;
		case 2:
			if (nc_parse_port(v, &f.port)) {
				nc_err("invalid port \"%s\"", v);
				return -1;
			}
			f.has_port = true;
			break;
		case 3:
			if (conn_parse_group(v, false, &f.group))
				return -1;
			f.has_group = true;
			break;
		}
	}
	nlh = nc_nl_new(NETCTX_CMD_GET_CONN);
	if (!nlh)
		return -1;
	if (f.has_ctx)
		mnl_attr_put_u32(nlh, NETCTX_A_CTX_ID, f.ctx);
	if (f.has_proto)
		mnl_attr_put_u8(nlh, NETCTX_A_PROTO, f.proto);
	if (f.has_port)
		mnl_attr_put_u16(nlh, NETCTX_A_PORT, f.port);
	out_list_start();
	ret = nc_nl_dump(nlh, conn_show_cb, &f, "conn show");
	out_list_end();
	return ret;
}

/* The commands that name connections, and their names in errors. */
enum conn_op { CONN_ASSIGN, CONN_MIGRATE, CONN_SET };

static const char *const conn_op_names[] = {
	[CONN_ASSIGN]	= "conn assign",
	[CONN_MIGRATE]	= "conn migrate",
	[CONN_SET]	= "conn set",
};

/*
 * Which connections a request names: one by its tuple, or (conn migrate)
 * every one of a peer address or of a session group.
 */
enum conn_sel { CONN_ONE, CONN_REMOTE, CONN_GROUP };

/* The keywords after the connection; nowait alone takes no value. */
enum {
	CONN_KW_CTX, CONN_KW_TIMEOUT, CONN_KW_GROUP, CONN_KW_NOWAIT,
	CONN_KW_PROTO,
};

/* A parsed conn assign / migrate / set. */
struct conn_req {
	enum conn_op op;
	enum conn_sel sel;
	uint8_t proto;
	struct nc_endpoint local, remote;	/* CONN_REMOTE: remote only */
	bool has_ctx, has_timeout, has_group, nowait, has_proto;
	uint32_t ctx;
	uint32_t timeout;
	uint32_t group;
};

static int conn_parse_endpoint(const char *what, const char *s,
			       bool wildcard_ok, struct nc_endpoint *ep)
{
	const char *why;

	if (nc_parse_endpoint(s, wildcard_ok, ep, &why)) {
		nc_err("invalid %s \"%s\": %s", what, s, why);
		return -1;
	}
	return 0;
}

/* NULL if @r's command takes keyword @kw, else why not. */
static const char *conn_kw_refused(const struct conn_req *r, int kw)
{
	switch (kw) {
	case CONN_KW_CTX:
		if (r->op == CONN_SET)
			return "ctx is only valid for conn assign and conn migrate";
		break;
	case CONN_KW_TIMEOUT:
		if (r->op != CONN_ASSIGN)
			return "timeout is only valid for conn assign";
		break;
	case CONN_KW_GROUP:
		if (r->op == CONN_MIGRATE)
			return "group is only valid for conn assign and conn set";
		break;
	case CONN_KW_NOWAIT:
		if (r->op != CONN_MIGRATE)
			return "nowait is only valid for conn migrate";
		break;
	case CONN_KW_PROTO:
		if (r->sel != CONN_REMOTE)
			return "proto is only valid for conn migrate remote";
		break;
	}
	return NULL;
}

/* "{tcp|udp} LOCAL REMOTE"; argv[0] is the protocol. */
static int conn_parse_tuple(int argc, char **argv, struct conn_req *r)
{
	if (argc < 1) {
		nc_err("missing protocol (tcp or udp)");
		return -1;
	}
	if (nc_parse_proto(argv[0], &r->proto))
		return -1;
	if (argc < 2) {
		nc_err("missing LOCAL");
		return -1;
	}
	/* A pre-assignment may have no local address: "*:PORT". */
	if (conn_parse_endpoint("LOCAL", argv[1], r->op != CONN_MIGRATE,
				&r->local))
		return -1;
	if (argc < 3) {
		nc_err("missing REMOTE");
		return -1;
	}
	if (conn_parse_endpoint("REMOTE", argv[2], false, &r->remote))
		return -1;
	if (r->local.family != AF_UNSPEC &&
	    r->local.family != r->remote.family) {
		nc_err("LOCAL and REMOTE address families differ");
		return -1;
	}
	return 0;
}

/* Is @word a prefix of @name, as nc_match() takes it? */
static bool conn_abbrev(const char *word, const char *name)
{
	size_t len = strlen(word);

	return len && !strncmp(name, word, len);
}

/*
 * What conn migrate moves: "remote ADDR", "group ID", or else one
 * connection, "{tcp|udp} LOCAL REMOTE". Returns how many words it took,
 * -1 on error. ("remote" and "group" share no prefix with tcp and udp.)
 */
static int conn_parse_sel(int argc, char **argv, struct conn_req *r)
{
	const char *why;

	if (r->op != CONN_MIGRATE || !argc ||
	    (!conn_abbrev(argv[0], "remote") &&
	     !conn_abbrev(argv[0], "group")))
		return conn_parse_tuple(argc, argv, r) ? -1 : 3;
	if (conn_abbrev(argv[0], "group")) {
		r->sel = CONN_GROUP;
		if (argc < 2) {
			nc_err("missing group ID");
			return -1;
		}
		if (conn_parse_group(argv[1], false, &r->group))
			return -1;
		r->has_group = true;
		return 2;
	}
	r->sel = CONN_REMOTE;
	if (argc < 2) {
		nc_err("missing ADDR");
		return -1;
	}
	if (nc_parse_addr(argv[1], &r->remote, &why)) {
		nc_err("invalid ADDR \"%s\": %s", argv[1], why);
		return -1;
	}
	return 2;
}

/*
 * The arguments of conn assign, migrate or set (see conn_help()) into @r,
 * whose op is set. Returns 0, 1 if "help" was asked, -1 on error.
 */
static int conn_parse_req(int argc, char **argv, struct conn_req *r)
{
	static const char *const kws[] = {
		[CONN_KW_CTX]		= "ctx",
		[CONN_KW_TIMEOUT]	= "timeout",
		[CONN_KW_GROUP]		= "group",
		[CONN_KW_NOWAIT]	= "nowait",
		[CONN_KW_PROTO]		= "proto",
	};
	bool *seen[] = {
		[CONN_KW_CTX]		= &r->has_ctx,
		[CONN_KW_TIMEOUT]	= &r->has_timeout,
		[CONN_KW_GROUP]		= &r->has_group,
		[CONN_KW_NOWAIT]	= &r->nowait,
		[CONN_KW_PROTO]		= &r->has_proto,
	};
	const char *v, *why;
	int i, kw;

	if (argc && !strcmp(argv[0], "help"))
		return 1;
	i = conn_parse_sel(argc, argv, r);
	if (i < 0)
		return -1;
	for (; i < argc; i++) {
		if (!strcmp(argv[i], "help"))
			return 1;
		kw = nc_match_word(argv[i], kws, "keyword");
		if (kw < 0)
			return -1;
		/* First: "conn migrate group 1 ... group 2" says duplicate. */
		if (*seen[kw]) {
			nc_err("duplicate keyword \"%s\"", kws[kw]);
			return -1;
		}
		why = conn_kw_refused(r, kw);
		if (why) {
			nc_err("%s", why);
			return -1;
		}
		*seen[kw] = true;
		if (kw == CONN_KW_NOWAIT)
			continue;
		v = nc_next_arg(argc, argv, &i);
		if (!v)
			return -1;
		switch (kw) {
		case CONN_KW_CTX:
			if (conn_parse_ctx(v, &r->ctx))
				return -1;
			break;
		case CONN_KW_TIMEOUT:
			if (nc_parse_u32(v, UINT32_MAX, &r->timeout)) {
				nc_err("invalid timeout \"%s\"", v);
				return -1;
			}
			break;
		case CONN_KW_GROUP:
			if (conn_parse_group(v, true, &r->group))
				return -1;
			break;
		case CONN_KW_PROTO:
			if (nc_parse_proto(v, &r->proto))
				return -1;
			break;
		}
	}
	if (r->op == CONN_SET && !r->has_group) {
		nc_err("missing group ID");
		return -1;
	}
	if (r->op != CONN_SET && !r->has_ctx) {
		nc_err("missing ctx N");
		return -1;
	}
	return 0;
}

/* The connection's tuple; a wildcard LOCAL leaves NETCTX_A_LADDR out. */
static void conn_put_tuple(struct nlmsghdr *nlh, const struct conn_req *r)
{
	size_t alen = nc_addr_len(r->remote.family);

	mnl_attr_put_u8(nlh, NETCTX_A_PROTO, r->proto);
	mnl_attr_put_u8(nlh, NETCTX_A_FAMILY, r->remote.family);
	if (r->local.family != AF_UNSPEC)
		mnl_attr_put(nlh, NETCTX_A_LADDR, alen, &r->local.addr);
	mnl_attr_put_u16(nlh, NETCTX_A_LPORT, r->local.port);
	mnl_attr_put(nlh, NETCTX_A_RADDR, alen, &r->remote.addr);
	mnl_attr_put_u16(nlh, NETCTX_A_RPORT, r->remote.port);
}

#define CONN_STR(x)	#x
#define CONN_XSTR(x)	CONN_STR(x)

/*
 * The errors of a migration, when the kernel did not say more: nothing
 * moved (EBUSY, E2BIG), or the wait ended but not the move (EINTR).
 */
static const struct nc_nl_hint conn_migrate_hints[] = {
	{ EBUSY, "a connection is already moving, or its float queue "
		 "overflowed (float_len): nothing moved" },
	{ E2BIG, "more than NETCTX_MAX_GROUP_CONNS ("
		 CONN_XSTR(NETCTX_MAX_GROUP_CONNS) ") connections: nothing "
		 "moved" },
	{ EINTR, "interrupted while waiting: the migration goes on "
		 "(see conn show, monitor)" },
	{ 0, NULL },
};

static int conn_request(int argc, char **argv, enum conn_op op)
{
	static const uint8_t cmds[] = {
		[CONN_ASSIGN]	= NETCTX_CMD_ASSIGN_CONN,
		[CONN_MIGRATE]	= NETCTX_CMD_MIGRATE_CONN,
		[CONN_SET]	= NETCTX_CMD_SET_CONN,
	};
	struct conn_req r = { .op = op };
	struct nlmsghdr *nlh;
	int ret;

	ret = conn_parse_req(argc, argv, &r);
	if (ret)
		return ret > 0 ? conn_help_cmd(0, NULL) : -1;
	nlh = nc_nl_new(cmds[op]);
	if (!nlh)
		return -1;
	switch (r.sel) {
	case CONN_ONE:
		conn_put_tuple(nlh, &r);
		break;
	case CONN_REMOTE:
		/* No ports: the kernel moves every connection of the peer. */
		if (r.has_proto)
			mnl_attr_put_u8(nlh, NETCTX_A_PROTO, r.proto);
		mnl_attr_put_u8(nlh, NETCTX_A_FAMILY, r.remote.family);
		mnl_attr_put(nlh, NETCTX_A_RADDR,
			     nc_addr_len(r.remote.family), &r.remote.addr);
		break;
	case CONN_GROUP:
		mnl_attr_put_u32(nlh, NETCTX_A_GROUP, r.group);
		break;
	}
	if (r.has_ctx)
		mnl_attr_put_u32(nlh, NETCTX_A_CTX_ID, r.ctx);
	if (r.has_timeout)
		mnl_attr_put_u32(nlh, NETCTX_A_TIMEOUT_MS, r.timeout);
	if (r.has_group && r.sel != CONN_GROUP)
		mnl_attr_put_u32(nlh, NETCTX_A_GROUP, r.group);
	/* The kernel answers at once; the result comes as events. */
	if (r.nowait)
		mnl_attr_put_u32(nlh, NETCTX_A_FLAGS, NETCTX_F_NOWAIT);
	return nc_nl_do_hints(nlh, conn_op_names[op],
			      op == CONN_MIGRATE ? conn_migrate_hints : NULL);
}

static int conn_assign(int argc, char **argv)
{
	return conn_request(argc, argv, CONN_ASSIGN);
}

static int conn_migrate(int argc, char **argv)
{
	return conn_request(argc, argv, CONN_MIGRATE);
}

static int conn_set(int argc, char **argv)
{
	return conn_request(argc, argv, CONN_SET);
}

static const struct nc_cmd conn_cmds[] = {
	{ "show",	conn_show },
	{ "assign",	conn_assign },
	{ "migrate",	conn_migrate },
	{ "set",	conn_set },
	{ "help",	conn_help_cmd },
};

int do_conn(int argc, char **argv)
{
	return nc_dispatch(conn_cmds, ARRAY_SIZE(conn_cmds), argc, argv,
			   "show");
}
