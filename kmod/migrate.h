/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NETCTX_MIGRATE_H
#define _NETCTX_MIGRATE_H

#include "pcb.h"

#include <linux/bits.h>

struct netctx_context;
struct netctx_migration;
struct netlink_ext_ack;
struct sock;

/* Internal migration flag: a move of the balancer (origin BALANCED). */
#define NETCTX_MIG_BALANCE	BIT(31)

/* Which connections a session migration moves: a group, or a peer. */
struct netctx_select {
	u32 group;		/* 0: by peer address */
	u8 family;
	u8 proto;		/* 0: TCP and UDP */
	struct in6_addr raddr;
};

int netctx_conn_assign(struct net *net, const struct netctx_tuple *t,
		       struct netctx_context *ctx, unsigned int timeout_ms,
		       u32 group, struct sock *owner,
		       struct netlink_ext_ack *extack);
int netctx_conn_migrate(struct net *net, const struct netctx_tuple *t,
			struct netctx_context *to, u32 flags,
			struct netlink_ext_ack *extack);
int netctx_sess_migrate(struct net *net, const struct netctx_select *sel,
			struct netctx_context *to, u32 flags,
			struct netlink_ext_ack *extack);
int netctx_conn_set_group(struct net *net, const struct netctx_tuple *t,
			  u32 group, struct netlink_ext_ack *extack);
void netctx_sess_flush(struct net *net);
struct netctx_migration *netctx_mig_alloc(unsigned int nr);
void netctx_mig_set(struct netctx_migration *mig, unsigned int i,
		    const struct netctx_tuple *t);
int netctx_mig_submit(struct net *net, struct netctx_migration *mig,
		      struct netctx_context *to, u32 flags,
		      struct netlink_ext_ack *extack);

#endif /* _NETCTX_MIGRATE_H */
