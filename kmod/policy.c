// SPDX-License-Identifier: GPL-2.0
/*
 * Port policies of one netns: an RCU hash keyed by (proto, match, port).
 * The classifier reads them locklessly; changes are serialised by the
 * netns mutex and never modify a published policy in place: a replace
 * publishes a new one and frees the old after a grace period.
 */
#include "policy.h"
#include "netns.h"
#include "params.h"

#include <linux/filter.h>
#include <linux/hash.h>
#include <linux/slab.h>

#include "context.h"

static struct hlist_head *netctx_policy_bucket(struct netctx_net *nn,
					       u8 proto, u8 match, u16 port)
{
	u32 key = (u32)port << 16 | (u32)proto << 8 | match;

	return &nn->policies[hash_32(key, NETCTX_POLICY_BITS)];
}

/* Published policies with balance on, in every netns (balance.c). */
atomic_t netctx_policies_balanced = ATOMIC_INIT(0);

struct netctx_policy *netctx_policy_alloc(const unsigned long *ctxmask)
{
	unsigned int nr = bitmap_weight(ctxmask, netctx_nr_contexts);
	struct netctx_policy *p;
	unsigned int id, i = 0;

	if (!nr)
		return NULL;
	p = kzalloc(struct_size(p, ctx_ids, nr), GFP_KERNEL_ACCOUNT);
	if (!p)
		return NULL;
	bitmap_copy(p->ctxmask, ctxmask, netctx_nr_contexts);
	for_each_set_bit(id, ctxmask, netctx_nr_contexts)
		p->ctx_ids[i++] = id;
	p->nr_ctx = nr;
	return p;
}

void netctx_policy_free(struct netctx_policy *p)
{
	if (p->published && p->balance)
		atomic_dec(&netctx_policies_balanced);
	if (p->prog)
		bpf_prog_destroy(p->prog);
	kfree(p);
}

static void netctx_policy_free_rcu(struct rcu_head *head)
{
	netctx_policy_free(container_of(head, struct netctx_policy, rcu));
}

/* Caller holds rcu_read_lock() or nn->lock. */
/* The hook's count of policies for the policy's port (netns.h). */
static atomic_t *netctx_policy_ports(struct netctx_net *nn,
				     const struct netctx_policy *p)
{
	return netctx_port_count(nn, p->proto, p->match == NETCTX_MATCH_REMOTE,
				 htons(p->port));
}

struct netctx_policy *netctx_policy_lookup(struct netctx_net *nn, u8 proto,
					   u8 match, u16 port)
{
	struct netctx_policy *p;

	hlist_for_each_entry_rcu(p, netctx_policy_bucket(nn, proto, match,
							 port),
				 node, lockdep_is_held(&nn->lock)) {
		if (p->port == port && p->proto == proto && p->match == match)
			return p;
	}
	return NULL;
}

/* Under nn->lock, after a change: a port dump under way will say so. */
static void netctx_policy_changed(struct netctx_net *nn)
{
	unsigned int gen = nn->policy_gen + 1;

	WRITE_ONCE(nn->policy_gen, gen ?: 1);
}

int netctx_policy_add(struct netctx_net *nn, struct netctx_policy *p,
		      bool replace)
{
	struct netctx_policy *old;

	mutex_lock(&nn->lock);
	old = netctx_policy_lookup(nn, p->proto, p->match, p->port);
	if (old && !replace) {
		mutex_unlock(&nn->lock);
		return -EEXIST;
	}
	/* Any user namespace's root may add them: their memory is bounded. */
	if (!old && nn->nr_policies >= netctx_netns_max_ports) {
		mutex_unlock(&nn->lock);
		return -ENOSPC;
	}
	if (old) {
		hlist_replace_rcu(&old->node, &p->node);
		call_rcu(&old->rcu, netctx_policy_free_rcu);
	} else {
		atomic_inc(netctx_policy_ports(nn, p));
		hlist_add_head_rcu(&p->node,
				   netctx_policy_bucket(nn, p->proto,
							p->match, p->port));
		WRITE_ONCE(nn->nr_policies, nn->nr_policies + 1);
	}
	p->published = true;
	if (p->balance)
		atomic_inc(&netctx_policies_balanced);
	netctx_policy_changed(nn);
	mutex_unlock(&nn->lock);
	return 0;
}

/*
 * Unpublishes a policy and returns it, or NULL if there is none; the
 * caller may still read it, then hands it to netctx_policy_release().
 */
struct netctx_policy *netctx_policy_del(struct netctx_net *nn, u8 proto,
					u8 match, u16 port)
{
	struct netctx_policy *p;

	mutex_lock(&nn->lock);
	p = netctx_policy_lookup(nn, proto, match, port);
	if (p) {
		hlist_del_rcu(&p->node);
		atomic_dec(netctx_policy_ports(nn, p));
		WRITE_ONCE(nn->nr_policies, nn->nr_policies - 1);
		netctx_policy_changed(nn);
	}
	mutex_unlock(&nn->lock);
	return p;
}

/* Frees an unpublished policy once no classifier can hold it. */
void netctx_policy_release(struct netctx_policy *p)
{
	call_rcu(&p->rcu, netctx_policy_free_rcu);
}

/* The netns is going away: its hooks are already unregistered. */
void netctx_policy_flush(struct netctx_net *nn)
{
	struct netctx_policy *p;
	struct hlist_node *tmp;
	unsigned int i;

	mutex_lock(&nn->lock);
	for (i = 0; i < ARRAY_SIZE(nn->policies); i++) {
		hlist_for_each_entry_safe(p, tmp, &nn->policies[i], node) {
			hlist_del_rcu(&p->node);
			atomic_dec(netctx_policy_ports(nn, p));
			call_rcu(&p->rcu, netctx_policy_free_rcu);
		}
	}
	WRITE_ONCE(nn->nr_policies, 0);
	netctx_policy_changed(nn);
	mutex_unlock(&nn->lock);
}
