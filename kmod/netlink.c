// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "netctx". The attribute tree of every command
 * is documented in uapi/linux/netctx.h; Documentation/netlink/specs/netctx.yaml
 * describes the same in the kernel's spec format, and netlink-gen.c, made
 * from it, holds each command's policy and the ops table: the handlers
 * here see only what their command's policy let through.
 */
#include "context.h"
#include "event.h"
#include "hash.h"
#include "hook.h"
#include "params.h"
#include "migrate.h"
#include "netlink.h"
#include "netlink-gen.h"
#include "netns.h"
#include "pcb.h"
#include "policy.h"

#include <linux/bsearch.h>
#include <linux/filter.h>
#include <linux/in.h>
#include <linux/sort.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <net/sock.h>

#include "../uapi/linux/netctx.h"

/*
 * PROTO and FAMILY take a few values out of a range. The policy checks
 * the range and these the exact set: a policy dump (CTRL_CMD_GETPOLICY)
 * cannot describe an NLA_POLICY_VALIDATE_FN() integer (6.1 warns in
 * nla_get_range_unsigned()), and any user may ask for one.
 */
static int netctx_nl_check_proto(const struct nlattr *attr,
				 struct netlink_ext_ack *extack)
{
	u8 proto;

	if (!attr)
		return 0;
	proto = nla_get_u8(attr);
	if (proto == IPPROTO_TCP || proto == IPPROTO_UDP)
		return 0;
	NL_SET_ERR_MSG_ATTR(extack, attr, "protocol must be TCP or UDP");
	return -EPROTONOSUPPORT;
}

static int netctx_nl_check_family(const struct nlattr *attr,
				  struct netlink_ext_ack *extack)
{
	u8 family;

	if (!attr)
		return 0;
	family = nla_get_u8(attr);
	if (family == AF_INET || family == AF_INET6)
		return 0;
	NL_SET_ERR_MSG_ATTR(extack, attr, "family must be AF_INET or AF_INET6");
	return -EAFNOSUPPORT;
}

static struct genl_family netctx_genl_family;

enum netctx_mcgrp {
	NETCTX_MCGRP_EVENTS_ID,
};

static const struct genl_multicast_group netctx_mcgrps[] = {
	/* Events show every connection's flow hash: for admins only. */
	[NETCTX_MCGRP_EVENTS_ID] = {
		.name	= NETCTX_MCGRP_EVENTS,
		.flags	= GENL_MCAST_CAP_NET_ADMIN,
	},
};

static void *netctx_msg_start(struct sk_buff *skb,
			      struct netlink_callback *cb, u8 cmd)
{
	return genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
			   cb->nlh->nlmsg_seq, &netctx_genl_family,
			   NLM_F_MULTI, cmd);
}

/* ---- contexts ---- */

/*
 * What a reader who is not init_net's admin sees of a context: what it
 * did for the reader's netns, and nothing of the others' (their packets,
 * queue, drops and moves tell of their traffic).
 */
static int netctx_fill_ctx_netns(struct sk_buff *skb,
				 struct netctx_context *ctx, struct net *net)
{
	const struct netctx_net *nn = netctx_net(net);
	/* Pairs with the release of hooked: stats are set before it. */
	const struct netctx_ctx_stats *st = smp_load_acquire(&nn->hooked) ?
					    &nn->stats[ctx->id] : NULL;

	if (nla_put_u32(skb, NETCTX_A_CTX_ID, ctx->id) ||
	    nla_put_u32(skb, NETCTX_A_CTX_CPU, netctx_ctx_cpu(ctx)) ||
	    nla_put_u32(skb, NETCTX_A_CTX_CONNS, st ? READ_ONCE(st->conns) : 0) ||
	    nla_put_u64_64bit(skb, NETCTX_A_CTX_PACKETS,
			      st ? READ_ONCE(st->packets) : 0, NETCTX_A_PAD) ||
	    nla_put_u64_64bit(skb, NETCTX_A_CTX_BYTES,
			      st ? READ_ONCE(st->bytes) : 0, NETCTX_A_PAD))
		return -EMSGSIZE;
	return 0;
}

static int netctx_fill_ctx(struct sk_buff *skb, struct netctx_context *ctx)
{
	if (nla_put_u32(skb, NETCTX_A_CTX_ID, ctx->id) ||
	    nla_put_u32(skb, NETCTX_A_CTX_CPU, netctx_ctx_cpu(ctx)) ||
	    nla_put_u32(skb, NETCTX_A_CTX_CONNS, READ_ONCE(ctx->own.nr_pcbs)) ||
	    nla_put_u32(skb, NETCTX_A_CTX_QUEUED,
			netctx_queue_len(&ctx->queue)) ||
	    nla_put_u64_64bit(skb, NETCTX_A_CTX_PACKETS,
			      READ_ONCE(ctx->own.packets), NETCTX_A_PAD) ||
	    nla_put_u64_64bit(skb, NETCTX_A_CTX_BYTES,
			      READ_ONCE(ctx->own.bytes), NETCTX_A_PAD) ||
	    nla_put_u64_64bit(skb, NETCTX_A_CTX_DROPS,
			      atomic_long_read(&ctx->shared.drops),
			      NETCTX_A_PAD) ||
	    nla_put_u64_64bit(skb, NETCTX_A_CTX_MIGRATIONS_IN,
			      READ_ONCE(ctx->own.migrations_in),
			      NETCTX_A_PAD) ||
	    nla_put_u64_64bit(skb, NETCTX_A_CTX_MIGRATIONS_OUT,
			      READ_ONCE(ctx->own.migrations_out),
			      NETCTX_A_PAD) ||
	    nla_put_u64_64bit(skb, NETCTX_A_CTX_TIMERS_FIRED,
			      READ_ONCE(ctx->own.timers_fired),
			      NETCTX_A_PAD) ||
	    nla_put_u64_64bit(skb, NETCTX_A_CTX_OVERFLOWS,
			      atomic_long_read(&ctx->shared.overflows),
			      NETCTX_A_PAD) ||
	    nla_put_u64_64bit(skb, NETCTX_A_CTX_LOAD,
			      READ_ONCE(ctx->shared.load_pps), NETCTX_A_PAD))
		return -EMSGSIZE;
	return 0;
}

int netctx_nl_get_ctx_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct net *net = sock_net(cb->skb->sk);
	bool global = net_eq(net, &init_net) &&
		      netlink_net_capable(cb->skb, CAP_NET_ADMIN);
	unsigned int i;
	void *hdr;
	int ret;

	for (i = cb->args[0]; i < netctx_nr_contexts; i++) {
		hdr = netctx_msg_start(skb, cb, NETCTX_CMD_GET_CTX);
		if (!hdr)
			break;
		ret = global ? netctx_fill_ctx(skb, netctx_context(i)) :
			       netctx_fill_ctx_netns(skb, netctx_context(i), net);
		if (ret) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	cb->args[0] = i;
	return skb->len;
}

/* ---- port policies ---- */

static int netctx_fill_contexts(struct sk_buff *skb,
				const unsigned long *mask)
{
	unsigned int nwords = DIV_ROUND_UP(netctx_nr_contexts, 64);
	u64 words[NETCTX_MAX_CONTEXTS / 64];

	bitmap_to_arr64(words, mask, netctx_nr_contexts);
	return nla_put(skb, NETCTX_A_CONTEXTS, nwords * sizeof(u64), words);
}

/*
 * A port dump counts the PCBs of every policy in one walk of the flow
 * directory, at its start, rather than one walk per policy: the counts,
 * sorted by key, live until the dump is done.
 */
struct netctx_port_counts {
	unsigned int nr;
	struct netctx_port_count {
		u32 key;
		u32 conns;
	} ent[];
};

static u32 netctx_port_key(u8 proto, u8 match, u16 port)
{
	return (u32)proto << 24 | (u32)match << 16 | port;
}

static int netctx_port_count_cmp(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

static struct netctx_port_count *
netctx_port_count_find(struct netctx_port_counts *pc, u8 proto, u8 match,
		       u16 port)
{
	u32 key = netctx_port_key(proto, match, port);

	return bsearch(&key, pc->ent, pc->nr, sizeof(pc->ent[0]),
		       netctx_port_count_cmp);
}

static void netctx_port_count_pcb(struct netctx_port_counts *pc,
				  const struct netctx_tuple *t)
{
	struct netctx_port_count *c;

	c = netctx_port_count_find(pc, t->proto, NETCTX_MATCH_LOCAL,
				   ntohs(t->lport));
	if (c)
		c->conns++;
	c = netctx_port_count_find(pc, t->proto, NETCTX_MATCH_REMOTE,
				   ntohs(t->rport));
	if (c)
		c->conns++;
}

static void netctx_port_count_all(struct net *net,
				  struct netctx_port_counts *pc)
{
	struct netctx_pcb *pcb;
	unsigned int i;

	rcu_read_lock();
	for (i = 0; i < netctx_dir_buckets(); i++) {
		hlist_for_each_entry_rcu(pcb, netctx_dir_bucket(i), dir_node)
			if (net_eq(netctx_pcb_net(pcb), net))
				netctx_port_count_pcb(pc, &pcb->tuple);
		if (need_resched()) {
			rcu_read_unlock();
			cond_resched();
			rcu_read_lock();
		}
	}
	rcu_read_unlock();
}

/* pc: the dump's counts, or NULL (an event: no count). */
static int netctx_fill_port(struct sk_buff *skb, const struct netctx_policy *p,
			    struct netctx_port_counts *pc)
{
	struct netctx_port_count *c;

	if (nla_put_u8(skb, NETCTX_A_PROTO, p->proto) ||
	    nla_put_u16(skb, NETCTX_A_PORT, p->port) ||
	    nla_put_u8(skb, NETCTX_A_MATCH, p->match) ||
	    nla_put_u8(skb, NETCTX_A_HASH, p->hash) ||
	    netctx_fill_contexts(skb, p->ctxmask))
		return -EMSGSIZE;
	if (p->hash == NETCTX_HASH_TOEPLITZ &&
	    nla_put(skb, NETCTX_A_HASH_KEY, sizeof(p->key), p->key))
		return -EMSGSIZE;
	if (p->balance && nla_put_u32(skb, NETCTX_A_FLAGS, NETCTX_F_BALANCE))
		return -EMSGSIZE;
	if (!pc)
		return 0;
	/* None for a policy added since the dump started. */
	c = netctx_port_count_find(pc, p->proto, p->match, p->port);
	if (nla_put_u32(skb, NETCTX_A_CONNS, c ? c->conns : 0))
		return -EMSGSIZE;
	return 0;
}

static struct sk_buff *netctx_event_new(u8 event, void **hdr, gfp_t gfp)
{
	struct sk_buff *skb = genlmsg_new(NLMSG_GOODSIZE, gfp);

	if (!skb)
		return NULL;
	*hdr = genlmsg_put(skb, 0, 0, &netctx_genl_family, 0,
			   NETCTX_CMD_EVENT);
	if (!*hdr || nla_put_u8(skb, NETCTX_A_EVENT, event)) {
		nlmsg_free(skb);
		return NULL;
	}
	return skb;
}

/*
 * A port event, made while the caller alone holds the policy: once it is
 * published, a parallel replace or delete may free it (parallel_ops).
 * NULL when nobody listens or on failure.
 */
static struct sk_buff *netctx_port_event(struct net *net,
					 const struct netctx_policy *p,
					 u8 event)
{
	struct sk_buff *skb;
	void *hdr;

	if (!genl_has_listeners(&netctx_genl_family, net,
				NETCTX_MCGRP_EVENTS_ID))
		return NULL;
	skb = netctx_event_new(event, &hdr, GFP_KERNEL);
	if (!skb)
		return NULL;
	if (netctx_fill_port(skb, p, NULL)) {
		nlmsg_free(skb);
		return NULL;
	}
	genlmsg_end(skb, hdr);
	return skb;
}

static void netctx_event_send(struct net *net, struct sk_buff *skb)
{
	if (skb)
		genlmsg_multicast_netns(&netctx_genl_family, net, skb, 0,
					NETCTX_MCGRP_EVENTS_ID, GFP_KERNEL);
}

static int netctx_parse_contexts(struct genl_info *info,
				 unsigned long *mask)
{
	struct nlattr *attr = info->attrs[NETCTX_A_CONTEXTS];
	u64 words[NETCTX_MAX_CONTEXTS / 64] = {};
	unsigned int bits;

	if (!attr) {
		bitmap_set(mask, 0, netctx_nr_contexts);
		return 0;
	}
	if (nla_len(attr) % sizeof(u64)) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "context set must be whole 64-bit words");
		return -EINVAL;
	}
	memcpy(words, nla_data(attr), nla_len(attr));
	bits = nla_len(attr) * BITS_PER_BYTE;
	bitmap_from_arr64(mask, words, bits);
	if (find_next_bit(mask, bits, netctx_nr_contexts) < bits) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "context set names a context that does not exist");
		return -ERANGE;
	}
	if (bitmap_empty(mask, netctx_nr_contexts)) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "context set is empty");
		return -EINVAL;
	}
	return 0;
}

static int netctx_parse_bpf(struct genl_info *info, struct netctx_policy *p)
{
	struct nlattr *attr = info->attrs[NETCTX_A_BPF];
	struct sock_fprog_kern fprog;
	int ret;

	if (p->hash != NETCTX_HASH_BPF) {
		if (attr) {
			NL_SET_ERR_MSG_ATTR(info->extack, attr,
					    "a BPF program needs hash bpf");
			return -EINVAL;
		}
		return 0;
	}
	if (!attr) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[NETCTX_A_HASH],
				    "hash bpf needs a BPF program");
		return -EINVAL;
	}
	if (nla_len(attr) % sizeof(struct sock_filter)) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "BPF program is not whole instructions");
		return -EINVAL;
	}
	fprog.len = nla_len(attr) / sizeof(struct sock_filter);
	fprog.filter = nla_data(attr);
	/* bpf_prog_create() copies the program and runs the checker. */
	ret = bpf_prog_create(&p->prog, &fprog);
	if (ret)
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "BPF program rejected by the checker");
	return ret;
}

static int netctx_parse_key(struct genl_info *info, struct netctx_policy *p)
{
	struct nlattr *attr = info->attrs[NETCTX_A_HASH_KEY];

	if (attr && p->hash != NETCTX_HASH_TOEPLITZ) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "a hash key needs hash toeplitz");
		return -EINVAL;
	}
	if (attr)
		nla_memcpy(p->key, attr, sizeof(p->key));
	else
		memcpy(p->key, netctx_toeplitz_default_key, sizeof(p->key));
	return 0;
}

int netctx_nl_add_port_doit(struct sk_buff *skb, struct genl_info *info)
{
	DECLARE_BITMAP(mask, NETCTX_MAX_CONTEXTS) = {};
	struct net *net = genl_info_net(info);
	struct netctx_policy *p;
	struct sk_buff *event;
	u32 flags = 0;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, NETCTX_A_PROTO) ||
	    GENL_REQ_ATTR_CHECK(info, NETCTX_A_PORT))
		return -EINVAL;
	ret = netctx_nl_check_proto(info->attrs[NETCTX_A_PROTO], info->extack);
	if (ret)
		return ret;
	ret = netctx_parse_contexts(info, mask);
	if (ret)
		return ret;
	p = netctx_policy_alloc(mask);
	if (!p)
		return -ENOMEM;
	p->proto = nla_get_u8(info->attrs[NETCTX_A_PROTO]);
	p->port = nla_get_u16(info->attrs[NETCTX_A_PORT]);
	if (info->attrs[NETCTX_A_MATCH])
		p->match = nla_get_u8(info->attrs[NETCTX_A_MATCH]);
	if (info->attrs[NETCTX_A_HASH])
		p->hash = nla_get_u8(info->attrs[NETCTX_A_HASH]);
	if (info->attrs[NETCTX_A_FLAGS])
		flags = nla_get_u32(info->attrs[NETCTX_A_FLAGS]);
	if (flags & ~(NETCTX_F_REPLACE | NETCTX_F_BALANCE)) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[NETCTX_A_FLAGS],
				    "only NETCTX_F_REPLACE and NETCTX_F_BALANCE apply to a port");
		netctx_policy_free(p);
		return -EINVAL;
	}
	p->balance = flags & NETCTX_F_BALANCE;
	ret = netctx_parse_key(info, p);
	if (!ret)
		ret = netctx_parse_bpf(info, p);
	if (!ret)
		ret = netctx_hook_enable(net);
	if (ret) {
		netctx_policy_free(p);
		return ret;
	}
	event = netctx_port_event(net, p, NETCTX_EVENT_PORT_ADD);
	ret = netctx_policy_add(netctx_net(net), p, flags & NETCTX_F_REPLACE);
	if (ret == -EEXIST)
		NL_SET_ERR_MSG(info->extack,
			       "port already has a policy (use replace)");
	if (ret == -ENOSPC)
		NL_SET_ERR_MSG(info->extack,
			       "too many port policies in this netns (netns_max_ports)");
	if (ret) {
		nlmsg_free(event);
		netctx_policy_free(p);
		return ret;
	}
	netctx_event_send(net, event);
	return 0;
}

int netctx_nl_del_port_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct netctx_policy *p;
	u8 match = NETCTX_MATCH_LOCAL;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, NETCTX_A_PROTO) ||
	    GENL_REQ_ATTR_CHECK(info, NETCTX_A_PORT))
		return -EINVAL;
	ret = netctx_nl_check_proto(info->attrs[NETCTX_A_PROTO], info->extack);
	if (ret)
		return ret;
	if (info->attrs[NETCTX_A_MATCH])
		match = nla_get_u8(info->attrs[NETCTX_A_MATCH]);
	p = netctx_policy_del(netctx_net(net),
			      nla_get_u8(info->attrs[NETCTX_A_PROTO]), match,
			      nla_get_u16(info->attrs[NETCTX_A_PORT]));
	if (!p) {
		NL_SET_ERR_MSG(info->extack, "no policy on this port");
		return -ENOENT;
	}
	/* Unpublished: ours until released. */
	netctx_event_send(net, netctx_port_event(net, p, NETCTX_EVENT_PORT_DEL));
	netctx_policy_release(p);
	return 0;
}

int netctx_nl_get_port_start(struct netlink_callback *cb)
{
	struct net *net = sock_net(cb->skb->sk);
	struct netctx_net *nn = netctx_net(net);
	struct netctx_port_counts *pc;
	struct netctx_policy *p;
	unsigned int b, max;

	/*
	 * The generation the counts are of: a part of the dump that sees
	 * another sets NLM_F_DUMP_INTR (genl_dump_check_consistent()).
	 */
	cb->prev_seq = READ_ONCE(nn->policy_gen);
	/* A policy added meanwhile is not counted: netns_max_ports bounds. */
	max = READ_ONCE(nn->nr_policies);
	pc = kvzalloc(struct_size(pc, ent, max), GFP_KERNEL);
	if (!pc)
		return -ENOMEM;
	rcu_read_lock();
	for (b = 0; b < ARRAY_SIZE(nn->policies); b++)
		hlist_for_each_entry_rcu(p, &nn->policies[b], node)
			if (pc->nr < max)
				pc->ent[pc->nr++].key =
					netctx_port_key(p->proto, p->match,
							p->port);
	rcu_read_unlock();
	sort(pc->ent, pc->nr, sizeof(pc->ent[0]), netctx_port_count_cmp,
	     NULL);
	if (pc->nr && atomic_read(&nn->nr_pcbs))
		netctx_port_count_all(net, pc);
	cb->args[2] = (unsigned long)pc;
	return 0;
}

int netctx_nl_get_port_done(struct netlink_callback *cb)
{
	kvfree((void *)cb->args[2]);
	return 0;
}

int netctx_nl_get_port_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct netctx_port_counts *pc = (void *)cb->args[2];
	struct net *net = sock_net(skb->sk);
	struct netctx_net *nn = netctx_net(net);
	unsigned int b, i, skip = cb->args[1];
	struct netctx_policy *p;
	void *hdr;

	/* A part that sees another generation than the last flags it. */
	cb->seq = READ_ONCE(nn->policy_gen);
	rcu_read_lock();
	for (b = cb->args[0]; b < ARRAY_SIZE(nn->policies); b++, skip = 0) {
		i = 0;
		hlist_for_each_entry_rcu(p, &nn->policies[b], node) {
			if (i++ < skip)
				continue;
			hdr = netctx_msg_start(skb, cb, NETCTX_CMD_GET_PORT);
			if (!hdr)
				goto out;
			genl_dump_check_consistent(cb, hdr);
			if (netctx_fill_port(skb, p, pc)) {
				genlmsg_cancel(skb, hdr);
				goto out;
			}
			genlmsg_end(skb, hdr);
			skip = i;
		}
	}
out:
	rcu_read_unlock();
	cb->args[0] = b;
	cb->args[1] = skip;
	return skb->len;
}

/* ---- connections ---- */

static int netctx_put_addr(struct sk_buff *skb, int attr,
			   const struct netctx_tuple *t,
			   const struct in6_addr *addr)
{
	if (t->family == AF_INET)
		return nla_put_in_addr(skb, attr, addr->s6_addr32[3]);
	return nla_put_in6_addr(skb, attr, addr);
}

/* hash: whether the reader may see the flow hash (CAP_NET_ADMIN). */
static int netctx_fill_conn(struct sk_buff *skb, const struct netctx_pcb *pcb,
			    bool hash)
{
	const struct netctx_tuple *t = &pcb->tuple;
	s32 first = READ_ONCE(pcb->first_ctx);

	if (nla_put_u8(skb, NETCTX_A_PROTO, t->proto) ||
	    nla_put_u8(skb, NETCTX_A_FAMILY, t->family) ||
	    (!pcb->wild && netctx_put_addr(skb, NETCTX_A_LADDR, t, &t->laddr)) ||
	    nla_put_u16(skb, NETCTX_A_LPORT, ntohs(t->lport)) ||
	    netctx_put_addr(skb, NETCTX_A_RADDR, t, &t->raddr) ||
	    nla_put_u16(skb, NETCTX_A_RPORT, ntohs(t->rport)) ||
	    nla_put_u32(skb, NETCTX_A_CTX_ID, READ_ONCE(pcb->ctx)->id) ||
	    nla_put_u8(skb, NETCTX_A_ORIGIN, READ_ONCE(pcb->origin)) ||
	    nla_put_u8(skb, NETCTX_A_PLACED_BY, pcb->placed_by) ||
	    (hash && nla_put_u32(skb, NETCTX_A_FLOW_HASH, pcb->flow_hash)) ||
	    nla_put_u64_64bit(skb, NETCTX_A_PACKETS, READ_ONCE(pcb->packets),
			      NETCTX_A_PAD) ||
	    nla_put_u64_64bit(skb, NETCTX_A_BYTES, READ_ONCE(pcb->bytes),
			      NETCTX_A_PAD) ||
	    nla_put_u8(skb, NETCTX_A_STATE, READ_ONCE(pcb->state)))
		return -EMSGSIZE;
	if (first >= 0 && nla_put_u32(skb, NETCTX_A_FIRST_CTX, first))
		return -EMSGSIZE;
	if (READ_ONCE(pcb->group) &&
	    nla_put_u32(skb, NETCTX_A_GROUP, READ_ONCE(pcb->group)))
		return -EMSGSIZE;
	return 0;
}

struct netctx_conn_filter {
	struct net *net;
	s64 ctx;		/* -1: any */
	u8 proto;		/* 0: any */
	__be16 port;		/* 0: any */
};

static bool netctx_conn_match(const struct netctx_conn_filter *f,
			      const struct netctx_pcb *pcb)
{
	if (pcb->wild && atomic_read(&pcb->claimed))
		return false;	/* replaced by the connection's own PCB */
	return net_eq(netctx_pcb_net(pcb), f->net) &&
	       (f->ctx < 0 || READ_ONCE(pcb->ctx)->id == f->ctx) &&
	       (!f->proto || pcb->tuple.proto == f->proto) &&
	       (!f->port || pcb->tuple.lport == f->port ||
		pcb->tuple.rport == f->port);
}

/*
 * Refuses a filter naming no protocol netctx manages, and notes in
 * args[2] whether the reader may see flow hashes: an unprivileged one
 * does not get others' (SO_GET gives it its own sockets').
 */
int netctx_nl_get_conn_start(struct netlink_callback *cb)
{
	struct nlattr **attrs = genl_dumpit_info(cb)->attrs;

	cb->args[2] = netlink_net_capable(cb->skb, CAP_NET_ADMIN);
	return netctx_nl_check_proto(attrs[NETCTX_A_PROTO], cb->extack);
}

/*
 * The dump walks the flow directory, bucket by bucket: a PCB keeps its
 * bucket for life, so a connection that migrates meanwhile is seen once.
 * A bucket is sent whole, in one message batch, unless it alone does not
 * fit; the cursor is the bucket (and, then only, a position in it).
 */
int netctx_nl_get_conn_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nlattr **attrs = genl_dumpit_info(cb)->attrs;
	struct netctx_conn_filter f = { .net = sock_net(skb->sk), .ctx = -1 };
	unsigned int b, n, len, skip = cb->args[1];
	struct netctx_pcb *pcb;
	void *hdr;

	if (attrs[NETCTX_A_CTX_ID])
		f.ctx = nla_get_u32(attrs[NETCTX_A_CTX_ID]);
	if (attrs[NETCTX_A_PROTO])
		f.proto = nla_get_u8(attrs[NETCTX_A_PROTO]);
	if (attrs[NETCTX_A_PORT])
		f.port = htons(nla_get_u16(attrs[NETCTX_A_PORT]));

	rcu_read_lock();
	for (b = cb->args[0]; b < netctx_dir_buckets(); b++, skip = 0) {
		len = skb->len;
		n = 0;
		hlist_for_each_entry_rcu(pcb, netctx_dir_bucket(b), dir_node) {
			if (n++ < skip || !netctx_conn_match(&f, pcb))
				continue;
			hdr = netctx_msg_start(skb, cb, NETCTX_CMD_GET_CONN);
			if (!hdr)
				goto full;
			if (netctx_fill_conn(skb, pcb, cb->args[2])) {
				genlmsg_cancel(skb, hdr);
				goto full;
			}
			genlmsg_end(skb, hdr);
		}
	}
	skip = 0;
	goto out;
full:
	if (len) {
		/* Again from this bucket's start, in the next batch. */
		skb_trim(skb, len);
		skip = 0;
	} else {
		skip = n - 1;
	}
out:
	rcu_read_unlock();
	cb->args[0] = b;
	cb->args[1] = skip;
	return skb->len;
}

/*
 * The event slot's callbacks (event.h): from an owner's thread (possibly
 * bottom halves off) or the control path, under RCU. The slot is set
 * only while the family is registered.
 */
static void netctx_nl_notify_conn(const struct netctx_pcb *pcb, u8 event)
{
	struct net *net = netctx_pcb_net(pcb);
	struct sk_buff *skb;
	void *hdr;

	rcu_read_lock();
	if (!genl_has_listeners(&netctx_genl_family, net,
				NETCTX_MCGRP_EVENTS_ID))
		goto out;
	skb = netctx_event_new(event, &hdr, GFP_ATOMIC);
	if (!skb)
		goto out;
	if (netctx_fill_conn(skb, pcb, true)) {
		nlmsg_free(skb);
		goto out;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&netctx_genl_family, net, skb, 0,
				NETCTX_MCGRP_EVENTS_ID, GFP_ATOMIC);
out:
	rcu_read_unlock();
}

/* A migration asked not to wait failed: tell the listeners. */
static void netctx_nl_notify_fail(struct net *net,
				  const struct netctx_tuple *t, int err)
{
	struct sk_buff *skb;
	void *hdr;

	rcu_read_lock();
	if (!genl_has_listeners(&netctx_genl_family, net,
				NETCTX_MCGRP_EVENTS_ID))
		goto out;
	skb = netctx_event_new(NETCTX_EVENT_CONN_MIGRATE_FAIL, &hdr,
			       GFP_ATOMIC);
	if (!skb)
		goto out;
	if (nla_put_u8(skb, NETCTX_A_PROTO, t->proto) ||
	    nla_put_u8(skb, NETCTX_A_FAMILY, t->family) ||
	    netctx_put_addr(skb, NETCTX_A_LADDR, t, &t->laddr) ||
	    nla_put_u16(skb, NETCTX_A_LPORT, ntohs(t->lport)) ||
	    netctx_put_addr(skb, NETCTX_A_RADDR, t, &t->raddr) ||
	    nla_put_u16(skb, NETCTX_A_RPORT, ntohs(t->rport)) ||
	    nla_put_u32(skb, NETCTX_A_ERROR, -err)) {
		nlmsg_free(skb);
		goto out;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&netctx_genl_family, net, skb, 0,
				NETCTX_MCGRP_EVENTS_ID, GFP_ATOMIC);
out:
	rcu_read_unlock();
}

static int netctx_parse_addr(struct genl_info *info, int attr, u8 family,
			     struct in6_addr *addr)
{
	struct nlattr *a = info->attrs[attr];
	unsigned int len = family == AF_INET ? 4 : 16;

	if (nla_len(a) != len) {
		NL_SET_ERR_MSG_ATTR(info->extack, a,
				    "address length does not match the family");
		return -EINVAL;
	}
	if (family == AF_INET)
		ipv6_addr_set_v4mapped(nla_get_in_addr(a), addr);
	else
		*addr = nla_get_in6_addr(a);
	if (ipv6_addr_any(addr) || (family == AF_INET6 &&
				    ipv6_addr_v4mapped(addr))) {
		NL_SET_ERR_MSG_ATTR(info->extack, a, "invalid address");
		return -EINVAL;
	}
	return 0;
}

/* The connection named by a request; laddr may be absent iff wild_ok. */
static int netctx_parse_tuple(struct genl_info *info, bool wild_ok,
			      struct netctx_tuple *t)
{
	static const int required[] = {
		NETCTX_A_PROTO, NETCTX_A_FAMILY, NETCTX_A_LPORT,
		NETCTX_A_RADDR, NETCTX_A_RPORT,
	};
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(required); i++)
		if (GENL_REQ_ATTR_CHECK(info, required[i]))
			return -EINVAL;
	if (!wild_ok && GENL_REQ_ATTR_CHECK(info, NETCTX_A_LADDR))
		return -EINVAL;
	ret = netctx_nl_check_proto(info->attrs[NETCTX_A_PROTO], info->extack);
	if (!ret)
		ret = netctx_nl_check_family(info->attrs[NETCTX_A_FAMILY],
					     info->extack);
	if (ret)
		return ret;
	memset(t, 0, sizeof(*t));
	t->proto = nla_get_u8(info->attrs[NETCTX_A_PROTO]);
	t->family = nla_get_u8(info->attrs[NETCTX_A_FAMILY]);
	t->lport = htons(nla_get_u16(info->attrs[NETCTX_A_LPORT]));
	t->rport = htons(nla_get_u16(info->attrs[NETCTX_A_RPORT]));
	ret = netctx_parse_addr(info, NETCTX_A_RADDR, t->family, &t->raddr);
	if (!ret && info->attrs[NETCTX_A_LADDR])
		ret = netctx_parse_addr(info, NETCTX_A_LADDR, t->family,
					&t->laddr);
	return ret;
}

static struct netctx_context *netctx_parse_ctx(struct genl_info *info)
{
	u32 id = nla_get_u32(info->attrs[NETCTX_A_CTX_ID]);

	if (id >= netctx_nr_contexts) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[NETCTX_A_CTX_ID],
				    "no such context");
		return NULL;
	}
	return netctx_context(id);
}

int netctx_nl_assign_conn_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct netctx_context *ctx;
	struct netctx_tuple t;
	u32 timeout = 0, group = 0;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, NETCTX_A_CTX_ID))
		return -EINVAL;
	ret = netctx_parse_tuple(info, true, &t);
	if (ret)
		return ret;
	ctx = netctx_parse_ctx(info);
	if (!ctx)
		return -ERANGE;
	if (info->attrs[NETCTX_A_TIMEOUT_MS])
		timeout = nla_get_u32(info->attrs[NETCTX_A_TIMEOUT_MS]);
	/* The root of a user namespace holds the table no longer than apps. */
	if (genl_info_net(info)->user_ns != &init_user_ns &&
	    timeout > netctx_assign_timeout_ms) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[NETCTX_A_TIMEOUT_MS],
				    "timeout above assign_timeout_ms in a user namespace");
		return -ERANGE;
	}
	if (info->attrs[NETCTX_A_GROUP])
		group = nla_get_u32(info->attrs[NETCTX_A_GROUP]);
	return netctx_conn_assign(genl_info_net(info), &t, ctx, timeout,
				  group, NULL, info->extack);
}

/* The session form of MIGRATE_CONN: a group, or a remote host. */
static int netctx_parse_select(struct genl_info *info,
			       struct netctx_select *sel)
{
	int ret;

	memset(sel, 0, sizeof(*sel));
	if (info->attrs[NETCTX_A_GROUP]) {
		sel->group = nla_get_u32(info->attrs[NETCTX_A_GROUP]);
		if (!sel->group) {
			NL_SET_ERR_MSG_ATTR(info->extack,
					    info->attrs[NETCTX_A_GROUP],
					    "group 0 is no group");
			return -EINVAL;
		}
		return 0;
	}
	if (GENL_REQ_ATTR_CHECK(info, NETCTX_A_FAMILY) ||
	    GENL_REQ_ATTR_CHECK(info, NETCTX_A_RADDR))
		return -EINVAL;
	ret = netctx_nl_check_family(info->attrs[NETCTX_A_FAMILY],
				     info->extack);
	if (!ret)
		ret = netctx_nl_check_proto(info->attrs[NETCTX_A_PROTO],
					    info->extack);
	if (ret)
		return ret;
	sel->family = nla_get_u8(info->attrs[NETCTX_A_FAMILY]);
	if (info->attrs[NETCTX_A_PROTO])
		sel->proto = nla_get_u8(info->attrs[NETCTX_A_PROTO]);
	return netctx_parse_addr(info, NETCTX_A_RADDR, sel->family,
				 &sel->raddr);
}

int netctx_nl_migrate_conn_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct netctx_context *ctx;
	struct netctx_select sel;
	struct netctx_tuple t;
	u32 flags = 0;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, NETCTX_A_CTX_ID))
		return -EINVAL;
	ctx = netctx_parse_ctx(info);
	if (!ctx)
		return -ERANGE;
	if (info->attrs[NETCTX_A_FLAGS])
		flags = nla_get_u32(info->attrs[NETCTX_A_FLAGS]);
	if (flags & ~NETCTX_F_NOWAIT) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[NETCTX_A_FLAGS],
				    "only NETCTX_F_NOWAIT applies to a migration");
		return -EINVAL;
	}
	if (info->attrs[NETCTX_A_GROUP] &&
	    (info->attrs[NETCTX_A_RADDR] || info->attrs[NETCTX_A_LADDR] ||
	     info->attrs[NETCTX_A_LPORT] || info->attrs[NETCTX_A_RPORT])) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[NETCTX_A_GROUP],
				    "a group, or a connection, or a peer: not two");
		return -EINVAL;
	}
	if (!info->attrs[NETCTX_A_LPORT] && !info->attrs[NETCTX_A_RPORT] &&
	    info->attrs[NETCTX_A_LADDR]) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[NETCTX_A_LADDR],
				    "a peer's session has no local address");
		return -EINVAL;
	}
	if (info->attrs[NETCTX_A_GROUP] ||
	    (!info->attrs[NETCTX_A_LPORT] && !info->attrs[NETCTX_A_RPORT])) {
		ret = netctx_parse_select(info, &sel);
		if (ret)
			return ret;
		return netctx_sess_migrate(net, &sel, ctx, flags,
					   info->extack);
	}
	ret = netctx_parse_tuple(info, false, &t);
	if (ret)
		return ret;
	return netctx_conn_migrate(net, &t, ctx, flags, info->extack);
}

int netctx_nl_set_conn_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct netctx_tuple t;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, NETCTX_A_GROUP))
		return -EINVAL;
	ret = netctx_parse_tuple(info, true, &t);
	if (ret)
		return ret;
	return netctx_conn_set_group(genl_info_net(info), &t,
				     nla_get_u32(info->attrs[NETCTX_A_GROUP]),
				     info->extack);
}

static struct genl_family netctx_genl_family __ro_after_init = {
	.name		= NETCTX_GENL_NAME,
	.version	= NETCTX_GENL_VERSION,
	/* Each op has its policy (netlink-gen.c); none: no attribute. */
	.maxattr	= NETCTX_A_MAX,
	.netnsok	= true,
	/*
	 * No genl_mutex: policies have their netns' mutex, migrations no
	 * lock at all, and dumps RCU.
	 */
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.ops		= netctx_nl_ops,
	.n_ops		= ARRAY_SIZE(netctx_nl_ops),
	.mcgrps		= netctx_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(netctx_mcgrps),
};

static const struct netctx_event_ops netctx_nl_events = {
	.conn	= netctx_nl_notify_conn,
	.fail	= netctx_nl_notify_fail,
};

int __init netctx_genl_init(void)
{
	int ret = genl_register_family(&netctx_genl_family);

	if (!ret)
		netctx_events_register(&netctx_nl_events);
	return ret;
}

void netctx_genl_uninit(void)
{
	/* No context thread is inside a callback any more. */
	netctx_events_unregister();
	genl_unregister_family(&netctx_genl_family);
}
