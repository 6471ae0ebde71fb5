// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/netctx.yaml */
/* by tools/nlspec/nlspec.py: kernel policies and ops */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "netlink-gen.h"

static struct netlink_range_validation netctx_timeout_ms_range = {
	.min	= 1ULL,
	.max	= 86400000ULL,
};

/* NETCTX_CMD_ADD_PORT */
static const struct nla_policy netctx_add_port_nl_policy[NETCTX_A_FLAGS + 1] = {
	[NETCTX_A_PROTO] = NLA_POLICY_RANGE(NLA_U8, 6, 17),
	[NETCTX_A_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[NETCTX_A_MATCH] = NLA_POLICY_MAX(NLA_U8, 1),
	[NETCTX_A_HASH] = NLA_POLICY_MAX(NLA_U8, 5),
	[NETCTX_A_HASH_KEY] = NLA_POLICY_EXACT_LEN(40),
	[NETCTX_A_BPF] = { .type = NLA_BINARY, .len = 32768, },
	[NETCTX_A_CONTEXTS] = NLA_POLICY_RANGE(NLA_BINARY, 8, 128),
	[NETCTX_A_FLAGS] = NLA_POLICY_MASK(NLA_U32, 0x7),
};

/* NETCTX_CMD_DEL_PORT */
static const struct nla_policy netctx_del_port_nl_policy[NETCTX_A_MATCH + 1] = {
	[NETCTX_A_PROTO] = NLA_POLICY_RANGE(NLA_U8, 6, 17),
	[NETCTX_A_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[NETCTX_A_MATCH] = NLA_POLICY_MAX(NLA_U8, 1),
};

/* NETCTX_CMD_GET_CONN */
static const struct nla_policy netctx_get_conn_nl_policy[NETCTX_A_PORT + 1] = {
	[NETCTX_A_CTX_ID] = NLA_POLICY_MAX(NLA_U32, 1023),
	[NETCTX_A_PROTO] = NLA_POLICY_RANGE(NLA_U8, 6, 17),
	[NETCTX_A_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
};

/* NETCTX_CMD_ASSIGN_CONN */
static const struct nla_policy netctx_assign_conn_nl_policy[NETCTX_A_GROUP + 1] = {
	[NETCTX_A_CTX_ID] = NLA_POLICY_MAX(NLA_U32, 1023),
	[NETCTX_A_PROTO] = NLA_POLICY_RANGE(NLA_U8, 6, 17),
	[NETCTX_A_FAMILY] = NLA_POLICY_RANGE(NLA_U8, 2, 10),
	[NETCTX_A_LADDR] = NLA_POLICY_RANGE(NLA_BINARY, 4, 16),
	[NETCTX_A_LPORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[NETCTX_A_RADDR] = NLA_POLICY_RANGE(NLA_BINARY, 4, 16),
	[NETCTX_A_RPORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[NETCTX_A_TIMEOUT_MS] = NLA_POLICY_FULL_RANGE(NLA_U32, &netctx_timeout_ms_range),
	[NETCTX_A_GROUP] = { .type = NLA_U32, },
};

/* NETCTX_CMD_MIGRATE_CONN */
static const struct nla_policy netctx_migrate_conn_nl_policy[NETCTX_A_GROUP + 1] = {
	[NETCTX_A_CTX_ID] = NLA_POLICY_MAX(NLA_U32, 1023),
	[NETCTX_A_PROTO] = NLA_POLICY_RANGE(NLA_U8, 6, 17),
	[NETCTX_A_FLAGS] = NLA_POLICY_MASK(NLA_U32, 0x7),
	[NETCTX_A_FAMILY] = NLA_POLICY_RANGE(NLA_U8, 2, 10),
	[NETCTX_A_LADDR] = NLA_POLICY_RANGE(NLA_BINARY, 4, 16),
	[NETCTX_A_LPORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[NETCTX_A_RADDR] = NLA_POLICY_RANGE(NLA_BINARY, 4, 16),
	[NETCTX_A_RPORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[NETCTX_A_GROUP] = { .type = NLA_U32, },
};

/* NETCTX_CMD_SET_CONN */
static const struct nla_policy netctx_set_conn_nl_policy[NETCTX_A_GROUP + 1] = {
	[NETCTX_A_PROTO] = NLA_POLICY_RANGE(NLA_U8, 6, 17),
	[NETCTX_A_FAMILY] = NLA_POLICY_RANGE(NLA_U8, 2, 10),
	[NETCTX_A_LADDR] = NLA_POLICY_RANGE(NLA_BINARY, 4, 16),
	[NETCTX_A_LPORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[NETCTX_A_RADDR] = NLA_POLICY_RANGE(NLA_BINARY, 4, 16),
	[NETCTX_A_RPORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[NETCTX_A_GROUP] = { .type = NLA_U32, },
};

/* Ops table for netctx */
const struct genl_ops netctx_nl_ops[8] = {
	{
		.cmd		= NETCTX_CMD_GET_CTX,
		.dumpit		= netctx_nl_get_ctx_dumpit,
	},
	{
		.cmd		= NETCTX_CMD_ADD_PORT,
		.doit		= netctx_nl_add_port_doit,
		.policy		= netctx_add_port_nl_policy,
		.maxattr	= NETCTX_A_FLAGS,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= NETCTX_CMD_DEL_PORT,
		.doit		= netctx_nl_del_port_doit,
		.policy		= netctx_del_port_nl_policy,
		.maxattr	= NETCTX_A_MATCH,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= NETCTX_CMD_GET_PORT,
		.start		= netctx_nl_get_port_start,
		.dumpit		= netctx_nl_get_port_dumpit,
		.done		= netctx_nl_get_port_done,
	},
	{
		.cmd		= NETCTX_CMD_GET_CONN,
		.start		= netctx_nl_get_conn_start,
		.dumpit		= netctx_nl_get_conn_dumpit,
		.policy		= netctx_get_conn_nl_policy,
		.maxattr	= NETCTX_A_PORT,
	},
	{
		.cmd		= NETCTX_CMD_ASSIGN_CONN,
		.doit		= netctx_nl_assign_conn_doit,
		.policy		= netctx_assign_conn_nl_policy,
		.maxattr	= NETCTX_A_GROUP,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= NETCTX_CMD_MIGRATE_CONN,
		.doit		= netctx_nl_migrate_conn_doit,
		.policy		= netctx_migrate_conn_nl_policy,
		.maxattr	= NETCTX_A_GROUP,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= NETCTX_CMD_SET_CONN,
		.doit		= netctx_nl_set_conn_doit,
		.policy		= netctx_set_conn_nl_policy,
		.maxattr	= NETCTX_A_GROUP,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
};
