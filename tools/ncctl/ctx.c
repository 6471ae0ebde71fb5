// SPDX-License-Identifier: GPL-2.0
/*
 * ncctl ctx: the network contexts and their counters.
 */
#include <string.h>

#include "ncctl.h"
#include "nl.h"
#include "print.h"
#include "utils.h"

void ctx_help(FILE *f)
{
	fputs("Usage: ncctl ctx show\n"
	      "       ncctl ctx help\n"
	      "Prints each context's id, CPU, connections, queued work items and\n"
	      "load (packets/s over the module's last balance_ms period, if the\n"
	      "kernel reports it); with -s also its counters.\n", f);
}

static int ctx_help_cmd(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	ctx_help(stdout);
	return 0;
}

/* Counters of NETCTX_CMD_GET_CTX replies, in output order. */
static const struct {
	uint16_t type;
	const char *key;
	const char *label;
	bool stat;		/* plain text: only with -s */
} ctx_fields[] = {
	{ NETCTX_A_CTX_ID,		"id",		"ctx",		false },
	{ NETCTX_A_CTX_CPU,		"cpu",		"cpu",		false },
	{ NETCTX_A_CTX_CONNS,		"conns",	"conns",	false },
	{ NETCTX_A_CTX_QUEUED,		"queued",	"queued",	false },
	/* A rate, not a counter: shown without -s. Older kernels lack it. */
	{ NETCTX_A_CTX_LOAD,		"load",		"load",		false },
	{ NETCTX_A_CTX_PACKETS,		"packets",	"packets",	true },
	{ NETCTX_A_CTX_BYTES,		"bytes",	"bytes",	true },
	{ NETCTX_A_CTX_DROPS,		"drops",	"drops",	true },
	{ NETCTX_A_CTX_MIGRATIONS_IN,	"migrations_in", "migrations in",
	  true },
	{ NETCTX_A_CTX_MIGRATIONS_OUT,	"migrations_out", "out",	true },
	{ NETCTX_A_CTX_TIMERS_FIRED,	"timers_fired",	"timers",	true },
	{ NETCTX_A_CTX_OVERFLOWS,	"overflows",	"overflows",	true },
};

static int ctx_show_cb(const struct nlattr *const *tb, uint8_t cmd,
		       void *data)
{
	const struct nlattr *a;
	uint64_t v;
	size_t i;

	(void)cmd;
	(void)data;
	out_obj_start();
	for (i = 0; i < ARRAY_SIZE(ctx_fields); i++) {
		a = tb[ctx_fields[i].type];
		if (!a)
			continue;
		/* nc_nl_dump() checked the length: 4 or 8 bytes. */
		v = mnl_attr_get_payload_len(a) == sizeof(uint64_t) ?
		    mnl_attr_get_u64(a) : mnl_attr_get_u32(a);
		if (ctx_fields[i].stat)
			out_stat(ctx_fields[i].key, ctx_fields[i].label, v);
		else
			out_uint(ctx_fields[i].key, ctx_fields[i].label, v);
	}
	out_obj_end();
	return 0;
}

static int ctx_show(int argc, char **argv)
{
	struct nlmsghdr *nlh;
	int ret;

	if (argc) {
		if (!strcmp(argv[0], "help"))
			return ctx_help_cmd(0, NULL);
		nc_err("unknown keyword \"%s\"", argv[0]);
		return -1;
	}
	nlh = nc_nl_new(NETCTX_CMD_GET_CTX);
	if (!nlh)
		return -1;
	out_list_start();
	ret = nc_nl_dump(nlh, ctx_show_cb, NULL, "ctx show");
	out_list_end();
	return ret;
}

static const struct nc_cmd ctx_cmds[] = {
	{ "show",	ctx_show },
	{ "help",	ctx_help_cmd },
};

int do_ctx(int argc, char **argv)
{
	return nc_dispatch(ctx_cmds, ARRAY_SIZE(ctx_cmds), argc, argv, "show");
}
