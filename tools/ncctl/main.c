// SPDX-License-Identifier: GPL-2.0
/*
 * ncctl: control netctx, the application-controlled steering of received
 * packets to per-CPU network contexts.
 *
 *   ncctl [-j] [-p] [-s] [-n NETNS] [-force] [-b FILE] OBJECT COMMAND ARGS
 *
 * Global options (iproute2 style), the network namespace switch, the
 * object table and batch mode live here; each object has its own file
 * (ctx.c, port.c, conn.c, monitor.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ncctl.h"
#include "nl.h"
#include "print.h"
#include "utils.h"

#ifndef NCCTL_VERSION
#define NCCTL_VERSION	"0.1"
#endif

/* Most words on one batch line. */
#define NC_BATCH_MAX_ARGS	64

/* Where "ip netns add NAME" puts its namespaces. */
#define NC_NETNS_RUN_DIR	"/run/netns"

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
	      "       ncctl [OPTIONS] [-force] -b[atch] FILE\n"
	      "       ncctl { -V[ersion] | -h[elp] }\n"
	      "where  OBJECT  := { ctx | port | conn | monitor | help }\n"
	      "       OPTIONS := { -j[son] | -p[retty] | -s[tatistics] |\n"
	      "                    -n[etns] NETNS }\n",
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

/*
 * One command per line; '#' comments and blank lines are skipped. A line
 * that fails is followed by "Command failed FILE:LINE", as in ip -batch;
 * with @force the next lines still run.
 */
static int nc_batch(const char *path, bool force)
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
		if (n < 0)
			nc_err("%s", why);
		if (n < 0 || (n && nc_run(n, args))) {
			fflush(stdout);
			fprintf(stderr, "Command failed %s:%u\n", path,
				nc_lineno);
			ret = -1;
			if (!force)
				break;
		}
	}
	nc_lineno = 0;
	if (ferror(f)) {
		nc_err("reading \"%s\": %s", path, strerror(errno));
		ret = -1;
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return ret;
}

/*
 * Like ip -n: enter network namespace @name, /run/netns/NAME (or an
 * absolute path such as /proc/PID/ns/net), before the netlink socket is
 * opened. ncctl
 * reads nothing from sysfs, so the mount namespace stays as it is.
 */
static int nc_netns_switch(const char *name)
{
	char path[4096];
	int fd;

	if (name[0] == '/') {
		snprintf(path, sizeof(path), "%s", name);
	} else if (!*name || strchr(name, '/') || !strcmp(name, ".") ||
		   !strcmp(name, "..")) {
		nc_err("invalid network namespace name \"%s\"", name);
		return -1;
	} else if (snprintf(path, sizeof(path), "%s/%s", NC_NETNS_RUN_DIR,
			    name) >= (int)sizeof(path)) {
		nc_err("network namespace name too long");
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		nc_err("cannot open network namespace \"%s\": %s", name,
		       strerror(errno));
		return -1;
	}
	if (setns(fd, CLONE_NEWNET)) {
		nc_err("setting the network namespace \"%s\" failed: %s", name,
		       strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

enum {
	OPT_JSON, OPT_PRETTY, OPT_STATS, OPT_NETNS, OPT_BATCH, OPT_FORCE,
	OPT_VERSION, OPT_HELP,
};

/*
 * As ip(8) takes them: "-json", any unique prefix ("-js"), the letter
 * ("-j"), the GNU forms ("--json", "--batch=FILE") and bundled letters
 * ("-jp").
 */
static const struct nc_opt nc_opts[] = {
	{ "json",	'j',	OPT_JSON,	NULL },
	{ "pretty",	'p',	OPT_PRETTY,	NULL },
	{ "stats",	's',	OPT_STATS,	NULL },
	{ "statistics",	0,	OPT_STATS,	NULL },
	{ "netns",	'n',	OPT_NETNS,	"NETNS" },
	{ "batch",	'b',	OPT_BATCH,	"FILE" },
	{ "force",	0,	OPT_FORCE,	NULL },
	{ "Version",	'V',	OPT_VERSION,	NULL },
	{ "version",	0,	OPT_VERSION,	NULL },
	{ "help",	'h',	OPT_HELP,	NULL },
};

struct nc_cmdline {
	bool json, pretty, force;
	unsigned int stats;
	const char *netns, *batch;
};

/* Letters of a bundle like "-jp"; only the last may take an argument. */
static int nc_opt_bundle(const char *word)
{
	size_t i, j;

	for (i = 1; word[i]; i++) {
		for (j = 0; j < ARRAY_SIZE(nc_opts); j++) {
			if (nc_opts[j].letter == word[i])
				break;
		}
		if (j == ARRAY_SIZE(nc_opts) || (nc_opts[j].arg && word[i + 1]))
			return -1;
	}
	return 0;
}

static void nc_opt_unknown(const char *word)
{
	nc_err("option \"%s\" is unknown, try \"ncctl -help\"", word);
}

/*
 * Apply option @o given as @word; @val is its argument or NULL. Returns 0,
 * 1 to exit with success (-V, -h), -1 on error.
 */
static int nc_opt_apply(const struct nc_opt *o, const char *word,
			const char *val, struct nc_cmdline *cl)
{
	if (o->arg && !val) {
		nc_err("option \"%s\" needs a %s", word, o->arg);
		return -1;
	}
	switch (o->id) {
	case OPT_JSON:
		cl->json = true;
		break;
	case OPT_PRETTY:
		cl->pretty = true;
		break;
	case OPT_STATS:
		cl->stats++;
		break;
	case OPT_NETNS:
		cl->netns = val;
		break;
	case OPT_BATCH:
		cl->batch = val;
		break;
	case OPT_FORCE:
		cl->force = true;
		break;
	case OPT_VERSION:
		printf("ncctl %s (netctx genl version %d)\n", NCCTL_VERSION,
		       NETCTX_GENL_VERSION);
		return 1;
	case OPT_HELP:
		usage(stdout);
		return 1;
	}
	return 0;
}

/*
 * The options before OBJECT; *next is set to the index of OBJECT. Returns
 * as nc_opt_apply().
 */
static int nc_parse_opts(int argc, char **argv, struct nc_cmdline *cl,
			 int *next)
{
	char list[256], name[64];
	const char *word, *val;
	int i, k, ret;
	size_t j;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		word = argv[i];
		if (!strcmp(word, "--")) {
			i++;
			break;
		}
		/* "--name" is "-name"; only it may say "--name=VALUE". */
		val = NULL;
		snprintf(name, sizeof(name), "%s", word + 1 + (word[1] == '-'));
		if (word[1] == '-' && strchr(name, '=')) {
			val = strchr(word, '=') + 1;
			*strchr(name, '=') = '\0';
		}
		k = nc_opt_lookup(name, nc_opts, ARRAY_SIZE(nc_opts), list,
				  sizeof(list));
		if (k == -2) {
			nc_err("option \"%s\" is ambiguous (%s), try \"ncctl -help\"",
			       word, list);
			return -1;
		}
		if (k >= 0) {
			if (val && !nc_opts[k].arg) {
				nc_err("option \"%s\" takes no value", word);
				return -1;
			}
			if (!val && nc_opts[k].arg && i + 1 < argc)
				val = argv[++i];
			ret = nc_opt_apply(&nc_opts[k], word, val, cl);
			if (ret)
				return ret;
			continue;
		}
		if (word[1] == '-' || nc_opt_bundle(word)) {
			nc_opt_unknown(word);
			return -1;
		}
		for (j = 1; word[j]; j++) {
			char letter[3] = { '-', word[j], '\0' };

			k = nc_opt_lookup(letter + 1, nc_opts,
					  ARRAY_SIZE(nc_opts), NULL, 0);
			val = NULL;
			if (nc_opts[k].arg && i + 1 < argc)
				val = argv[++i];
			ret = nc_opt_apply(&nc_opts[k], letter, val, cl);
			if (ret)
				return ret;
		}
	}
	*next = i;
	return 0;
}

int main(int argc, char **argv)
{
	struct nc_cmdline cl = { 0 };
	int first, ret;

	ret = nc_parse_opts(argc, argv, &cl, &first);
	if (ret)
		return ret > 0 && !out_flush() ? 0 : 1;
	if (cl.batch && first < argc) {
		nc_err("-b FILE takes no OBJECT on the command line");
		return 1;
	}
	if (!cl.batch && first == argc) {
		nc_err("missing OBJECT (try \"ncctl help\")");
		return 1;
	}
	if (cl.netns && nc_netns_switch(cl.netns))
		return 1;
	out_init(cl.json, cl.pretty, cl.stats);

	if (cl.batch)
		ret = nc_batch(cl.batch, cl.force);
	else
		ret = nc_run(argc - first, argv + first);
	nc_nl_close();
	if (out_flush())
		ret = -1;
	return ret ? 1 : 0;
}
