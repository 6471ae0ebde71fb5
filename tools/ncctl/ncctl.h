/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ncctl objects. Each do_*() gets the arguments after the object name,
 * reports its own errors with nc_err() and returns 0 or -1; each *_help()
 * prints the object's grammar.
 */
#ifndef NCCTL_H
#define NCCTL_H

#include <stdio.h>

struct nlattr;

int do_ctx(int argc, char **argv);
void ctx_help(FILE *f);

int do_port(int argc, char **argv);
void port_help(FILE *f);
/* One policy (NETCTX_CMD_GET_PORT reply or port event; @event or NULL). */
void port_print(const struct nlattr *const *tb, const char *event);

int do_conn(int argc, char **argv);
void conn_help(FILE *f);
/* One PCB (NETCTX_CMD_GET_CONN reply or conn event; @event or NULL). */
void conn_print(const struct nlattr *const *tb, const char *event);

int do_monitor(int argc, char **argv);
void monitor_help(FILE *f);

#endif /* NCCTL_H */
