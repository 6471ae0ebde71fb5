/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NETCTX_NETLINK_H
#define _NETCTX_NETLINK_H

int netctx_genl_init(void);
void netctx_genl_uninit(void);

#include <linux/types.h>

struct net;
struct netctx_pcb;
struct netctx_tuple;
void netctx_nl_notify_conn(const struct netctx_pcb *pcb, u8 event);
void netctx_nl_notify_fail(struct net *net, const struct netctx_tuple *t,
			   int err);

#endif /* _NETCTX_NETLINK_H */
