/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/netctx.yaml */
/* by tools/nlspec/nlspec.py: kernel policies and ops */

#ifndef _NETCTX_NETLINK_GEN_H
#define _NETCTX_NETLINK_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include "../uapi/linux/netctx.h"

extern const struct genl_ops netctx_nl_ops[8];

int netctx_nl_get_ctx_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int netctx_nl_add_port_doit(struct sk_buff *skb, struct genl_info *info);
int netctx_nl_del_port_doit(struct sk_buff *skb, struct genl_info *info);
int netctx_nl_get_port_start(struct netlink_callback *cb);
int netctx_nl_get_port_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int netctx_nl_get_port_done(struct netlink_callback *cb);
int netctx_nl_get_conn_start(struct netlink_callback *cb);
int netctx_nl_get_conn_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int netctx_nl_assign_conn_doit(struct sk_buff *skb, struct genl_info *info);
int netctx_nl_migrate_conn_doit(struct sk_buff *skb, struct genl_info *info);
int netctx_nl_set_conn_doit(struct sk_buff *skb, struct genl_info *info);

#endif /* _NETCTX_NETLINK_GEN_H */
