/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NETCTX_POLICY_H
#define _NETCTX_POLICY_H

#include "../uapi/linux/netctx.h"

#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/types.h>

struct bpf_prog;
struct netctx_net;

/* A port's steering policy. Immutable once published, except rr. */
struct netctx_policy {
	struct hlist_node node;
	struct rcu_head rcu;
	u16 port;		/* host order */
	u8 proto;
	u8 match;		/* enum netctx_match */
	u8 hash;		/* enum netctx_hash */
	bool balance;		/* NETCTX_F_BALANCE: rebalanced by load */
	bool published;		/* counted in netctx_policies_balanced */
	u8 key[NETCTX_TOEPLITZ_KEY_LEN];
	atomic_t rr;		/* round-robin cursor */
	struct bpf_prog *prog;
	DECLARE_BITMAP(ctxmask, NETCTX_MAX_CONTEXTS);
	unsigned int nr_ctx;
	u16 ctx_ids[];		/* the set, ascending */
};

extern atomic_t netctx_policies_balanced;

struct netctx_policy *netctx_policy_alloc(const unsigned long *ctxmask);
void netctx_policy_free(struct netctx_policy *p);
struct netctx_policy *netctx_policy_lookup(struct netctx_net *nn, u8 proto,
					   u8 match, u16 port);
int netctx_policy_add(struct netctx_net *nn, struct netctx_policy *p,
		      bool replace);
struct netctx_policy *netctx_policy_del(struct netctx_net *nn, u8 proto,
					u8 match, u16 port);
void netctx_policy_release(struct netctx_policy *p);
void netctx_policy_flush(struct netctx_net *nn);

#endif /* _NETCTX_POLICY_H */
