/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Generic netlink transport of ncctl (libmnl).
 *
 * The socket is opened and the family "netctx" resolved on first use, and
 * kept for the rest of the process (batch mode). Every function here
 * reports its own errors in one line on stderr:
 *   ncctl: WHAT: [EXTACK MESSAGE [(NETCTX_A_X)]: ]STRERROR
 * (without an extack message, the request's hint for the errno, if any)
 * and returns -1. After an error the socket is closed, so a later request
 * starts on a clean one.
 */
#ifndef NCCTL_NL_H
#define NCCTL_NL_H

#include <stdint.h>
#include <libmnl/libmnl.h>
#include <linux/netctx.h>

/*
 * Called for each netctx message of a dump or of the event group. @tb is
 * indexed by enum netctx_attr; attributes are present only if their length
 * matched their type, so the mnl_attr_get_*() of the type are safe. Return
 * 0 to go on, -1 (after printing the error) to stop with an error.
 */
typedef int (*nc_nl_cb)(const struct nlattr *const *tb, uint8_t cmd,
			void *data);

/*
 * Start a request @cmd (NETCTX_CMD_*) in the send buffer, which holds any
 * valid request (including a NETCTX_BPF_MAX_INSNS program). NULL if the
 * family cannot be resolved.
 */
struct nlmsghdr *nc_nl_new(uint8_t cmd);

/* Send a request built by nc_nl_new() with NLM_F_ACK; wait for the ack. */
int nc_nl_do(struct nlmsghdr *nlh, const char *what);

/*
 * What an errno means for a request, printed in place of the extack
 * message when the kernel sent none (an older kernel, an error found
 * where no extack is at hand, -EINTR). A list ends with err 0.
 */
struct nc_nl_hint {
	int err;		/* positive errno */
	const char *msg;
};

/* nc_nl_do() with @hints for the errors of this request. */
int nc_nl_do_hints(struct nlmsghdr *nlh, const char *what,
		   const struct nc_nl_hint *hints);

/* Send a request built by nc_nl_new() with NLM_F_DUMP; @cb per reply. */
int nc_nl_dump(struct nlmsghdr *nlh, nc_nl_cb cb, void *data,
	       const char *what);

/* Join the NETCTX_MCGRP_EVENTS group, call @cb for each event, forever. */
int nc_nl_monitor(nc_nl_cb cb, void *data);

void nc_nl_close(void);

#endif /* NCCTL_NL_H */
