// SPDX-License-Identifier: GPL-2.0
/*
 * ncctl monitor: print the events of the NETCTX_MCGRP_EVENTS group.
 */
#include <string.h>

#include "ncctl.h"
#include "nl.h"
#include "print.h"
#include "utils.h"

void monitor_help(FILE *f)
{
	fputs("Usage: ncctl monitor\n"
	      "       ncctl monitor help\n"
	      "Prints one line per event until interrupted; with -j one JSON\n"
	      "object per line, with \"event\" one of conn-new, conn-close,\n"
	      "conn-assign, conn-migrate, conn-migrate-fail (with \"error\",\n"
	      "such as EBUSY), port-add, port-del.\n", f);
}

static int monitor_cb(const struct nlattr *const *tb, uint8_t cmd,
		      void *data)
{
	char buf[NC_NAME_MAX];
	const char *name = "unknown";
	int ev = -1;

	(void)data;
	if (cmd != NETCTX_CMD_EVENT)
		return 0;
	if (tb[NETCTX_A_EVENT]) {
		ev = mnl_attr_get_u8(tb[NETCTX_A_EVENT]);
		if (ev < (int)ARRAY_SIZE(nc_event_names)) {
			name = nc_event_names[ev];
		} else {
			snprintf(buf, sizeof(buf), "event-%d", ev);
			name = buf;
		}
	}
	switch (ev) {
	case NETCTX_EVENT_PORT_ADD:
	case NETCTX_EVENT_PORT_DEL:
		port_print(tb, name);
		break;
	case NETCTX_EVENT_CONN_NEW:
	case NETCTX_EVENT_CONN_CLOSE:
	case NETCTX_EVENT_CONN_ASSIGN:
	case NETCTX_EVENT_CONN_MIGRATE:
	case NETCTX_EVENT_CONN_MIGRATE_FAIL:
		conn_print(tb, name);
		break;
	default:
		/* An event newer than this ncctl: guess by its attributes. */
		if (tb[NETCTX_A_RPORT])
			conn_print(tb, name);
		else
			port_print(tb, name);
	}
	return out_flush();
}

int do_monitor(int argc, char **argv)
{
	static const char *const kws[] = { "help" };

	if (argc) {
		if (nc_match_word(argv[0], kws, "keyword") < 0)
			return -1;
		monitor_help(stdout);
		return 0;
	}
	out_lines();
	return nc_nl_monitor(monitor_cb, NULL);
}
