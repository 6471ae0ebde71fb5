/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NETCTX_MIGRATE_H
#define _NETCTX_MIGRATE_H

#include "pcb.h"

struct netctx_context;
struct netlink_ext_ack;
struct sock;

int netctx_conn_assign(struct net *net, const struct netctx_tuple *t,
		       struct netctx_context *ctx, unsigned int timeout_ms,
		       struct sock *owner, struct netlink_ext_ack *extack);
int netctx_conn_migrate(struct net *net, const struct netctx_tuple *t,
			struct netctx_context *to,
			struct netlink_ext_ack *extack);
bool netctx_float_push(struct netctx_pcb *pcb, struct sk_buff *skb,
		       unsigned int *verdict);
struct netctx_pcb *netctx_wild_claim(struct net *net,
				     const struct netctx_tuple *t, int dif,
				     netctx_okfn_t okfn);

#endif /* _NETCTX_MIGRATE_H */
