// SPDX-License-Identifier: GPL-2.0
/*
 * ncctl: control netctx, the application-controlled steering of received
 * packets to per-CPU network contexts.
 *
 *   ncctl [-j] [-p] [-b FILE] OBJECT COMMAND ARGS
 *
 * Global options, the object table and batch mode live here; each object
 * has its own file (ctx.c, port.c, conn.c, monitor.c).
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ncctl.h"
#include "nl.h"
#include "print.h"
#include "utils.h"

#ifndef NCCTL_VERSION
#define NCCTL_VERSION	"0.1"
#endif

/* Most words on one batch line. */
#define NC_BATCH_MAX_ARGS	64

static int do_help(int argc, char **argv);

static const struct nc_object {
	const char *name;
	int (*handler)(int argc, char **argv);
	void (*help)(FILE *f);
} nc_objects[] = {
	{ "ctx",	do_ctx,		ctx_help },
	{ "port",	do_port,	port_help },
	{ "conn",	do_conn,	conn_help },
	{ "monitor",	do_monitor,	monitor_help },
	{ "help",	do_help,	NULL },
};

static void usage(FILE *f)
{
	size_t i;

	fputs("Usage: ncctl [OPTIONS] OBJECT { COMMAND | help }\n"
	      "       ncctl [OPTIONS] -b FILE\n"
	      "       ncctl { -V | --version | -h | --help }\n"
	      "where  OBJECT  := { ctx | port | conn | monitor | help }\n"
	      "       OPTIONS := { -j[son] | -p[retty] | -b[atch] FILE }\n",
	      f);
	for (i = 0; i < ARRAY_SIZE(nc_objects); i++) {
		if (nc_objects[i].help) {
			fputc('\n', f);
			nc_objects[i].help(f);
		}
	}
}

/* "ncctl help [OBJECT]" */
static int do_help(int argc, char **argv)
{
	int i;

	if (!argc) {
		usage(stdout);
		return 0;
	}
	i = nc_match(argv[0], nc_objects, ARRAY_SIZE(nc_objects),
		     sizeof(nc_objects[0]), "object");
	if (i < 0)
		return -1;
	if (nc_objects[i].help)
		nc_objects[i].help(stdout);
	else
		usage(stdout);
	return 0;
}

/* One command: OBJECT COMMAND ARGS. */
static int nc_run(int argc, char **argv)
{
	int i;

	i = nc_match(argv[0], nc_objects, ARRAY_SIZE(nc_objects),
		     sizeof(nc_objects[0]), "object");
	if (i < 0)
		return -1;
	return nc_objects[i].handler(argc - 1, argv + 1);
}

/* One command per line; '#' comments and blank lines are skipped. */
static int nc_batch(const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char *args[NC_BATCH_MAX_ARGS];
	const char *why;
	char *line = NULL;
	size_t cap = 0;
	int n, ret = 0;

	if (!f) {
		nc_err("cannot open \"%s\": %s", path, strerror(errno));
		return -1;
	}
	while (getline(&line, &cap, f) >= 0) {
		nc_lineno++;
		n = nc_split_line(line, args, ARRAY_SIZE(args), &why);
		if (n < 0) {
			nc_err("%s", why);
			ret = -1;
			break;
		}
		if (n && nc_run(n, args)) {
			ret = -1;
			break;
		}
	}
	nc_lineno = 0;
	if (!ret && ferror(f)) {
		nc_err("reading \"%s\": %s", path, strerror(errno));
		ret = -1;
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json",	no_argument,		NULL, 'j' },
		{ "pretty",	no_argument,		NULL, 'p' },
		{ "batch",	required_argument,	NULL, 'b' },
		{ "version",	no_argument,		NULL, 'V' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL,		0,			NULL, 0 },
	};
	bool json = false, pretty = false;
	const char *batch = NULL;
	int c, ret;

	opterr = 0;
	/* '+': options end at OBJECT, so "port add tcp -1" stays an arg. */
	while ((c = getopt_long(argc, argv, "+jpb:Vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'p':
			pretty = true;
			break;
		case 'b':
			batch = optarg;
			break;
		case 'V':
			printf("ncctl %s (netctx genl version %d)\n",
			       NCCTL_VERSION, NETCTX_GENL_VERSION);
			return out_flush() ? 1 : 0;
		case 'h':
			usage(stdout);
			return out_flush() ? 1 : 0;
		default:
			if (optopt == 'b')
				nc_err("option \"-b\" needs a FILE");
			else if (optopt)
				nc_err("unknown option \"-%c\"", optopt);
			else
				nc_err("unknown option \"%s\"",
				       argv[optind - 1]);
			return 1;
		}
	}
	out_init(json, pretty);

	if (batch) {
		if (optind < argc) {
			nc_err("-b FILE takes no OBJECT on the command line");
			return 1;
		}
		ret = nc_batch(batch);
	} else if (optind == argc) {
		nc_err("missing OBJECT (try \"ncctl help\")");
		ret = -1;
	} else {
		ret = nc_run(argc - optind, argv + optind);
	}
	nc_nl_close();
	if (out_flush())
		ret = -1;
	return ret ? 1 : 0;
}
