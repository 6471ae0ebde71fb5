// SPDX-License-Identifier: GPL-2.0
/*
 * PCBs and the flow directory.
 *
 * A received packet must reach the context owning its connection from
 * whatever CPU the packet arrived on, without knowing that context first.
 * The flow directory is that index: one RCU hash table of every PCB,
 * keyed by netns + tuple. Only a PCB's birth and death write it, under a
 * per-bucket spinlock; the classifier's lookup per packet takes no lock.
 * Everything that changes while a connection lives (its owner, counters,
 * state, timer) sits in the PCB and is written by the owner alone.
 *
 * The number of PCBs is capped by max_conns: beyond it new flows are not
 * managed (the classifier counts them) rather than exhausting memory.
 * One netns holds at most netns_share_pct of them, so that the flows a
 * remote sender makes there (a datagram from a forged source, sent
 * twice, is a confirmed flow) leave the rest to every other netns; one
 * owned by a user namespace other than the initial one, whose root is
 * anyone's, at most netns_max_conns too, so that no such root takes
 * everyone's share by its own pre-assignments.
 */
#include "pcb.h"
#include "params.h"
#include "netns.h"

#include <linux/jhash.h>
#include <linux/log2.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>
#include <net/netns/hash.h>

#define NETCTX_DIR_LOCKS	1024

static struct kmem_cache *netctx_pcb_cache;
static struct hlist_head *netctx_dir;
static unsigned int netctx_dir_mask;
static spinlock_t netctx_dir_locks[NETCTX_DIR_LOCKS];
static unsigned int netctx_pcb_max;
static atomic_t netctx_pcb_nr = ATOMIC_INIT(0);
static u32 netctx_dir_seed __read_mostly;

int netctx_pcb_init(unsigned int max_conns)
{
	unsigned int i, buckets;

	buckets = roundup_pow_of_two(max(max_conns / 2, 64U));
	netctx_dir = kvmalloc_array(buckets, sizeof(*netctx_dir), GFP_KERNEL);
	if (!netctx_dir)
		return -ENOMEM;
	for (i = 0; i < buckets; i++)
		INIT_HLIST_HEAD(&netctx_dir[i]);
	for (i = 0; i < NETCTX_DIR_LOCKS; i++)
		spin_lock_init(&netctx_dir_locks[i]);
	netctx_dir_mask = buckets - 1;
	netctx_pcb_max = max_conns;
	netctx_dir_seed = get_random_u32();

	netctx_pcb_cache = KMEM_CACHE(netctx_pcb, SLAB_HWCACHE_ALIGN);
	if (!netctx_pcb_cache) {
		kvfree(netctx_dir);
		return -ENOMEM;
	}
	return 0;
}

/* Called once every context has freed its PCBs. */
void netctx_pcb_uninit(void)
{
	WARN_ON(atomic_read(&netctx_pcb_nr));
	kmem_cache_destroy(netctx_pcb_cache);
	kvfree(netctx_dir);
}

u32 netctx_tuple_hash(const struct net *net, const struct netctx_tuple *t)
{
	BUILD_BUG_ON(sizeof(*t) % sizeof(u32));
	return jhash2((const u32 *)t, sizeof(*t) / sizeof(u32),
		      netctx_dir_seed ^ net_hash_mix(net));
}

/* Walking the directory: dumps and session groups, under RCU. */
unsigned int netctx_dir_buckets(void)
{
	return netctx_dir_mask + 1;
}

struct hlist_head *netctx_dir_bucket(unsigned int i)
{
	return &netctx_dir[i];
}

/* One lock per bucket, or per group of buckets: never two per bucket. */
static spinlock_t *netctx_dir_lock(u32 hash)
{
	return &netctx_dir_locks[hash & netctx_dir_mask &
				 (NETCTX_DIR_LOCKS - 1)];
}

static bool netctx_tuple_equal(const struct netctx_tuple *a,
			       const struct netctx_tuple *b)
{
	return !memcmp(a, b, sizeof(*a));
}

/* Caller holds rcu_read_lock() or the bucket lock. */
struct netctx_pcb *netctx_pcb_lookup(const struct net *net,
				     const struct netctx_tuple *t, u32 hash)
{
	struct hlist_head *head = &netctx_dir[hash & netctx_dir_mask];
	struct netctx_pcb *pcb;

	hlist_for_each_entry_rcu(pcb, head, dir_node,
				 lockdep_is_held(netctx_dir_lock(hash))) {
		if (pcb->dir_hash == hash &&
		    net_eq(netctx_pcb_net(pcb), net) &&
		    netctx_tuple_equal(&pcb->tuple, t))
			return pcb;
	}
	return NULL;
}

unsigned int netctx_pcb_netns_max(const struct net *net)
{
	unsigned int max = div_u64((u64)netctx_pcb_max * netctx_netns_share_pct,
				   100) ?: 1;

	if (net->user_ns != &init_user_ns)
		max = min(max, netctx_netns_max_conns);
	return max;
}

/* Returns NULL when the netns's or the module's bound is reached. */
struct netctx_pcb *netctx_pcb_alloc(struct net *net,
				    const struct netctx_tuple *t, u32 hash,
				    gfp_t gfp)
{
	struct netctx_net *nn = netctx_net(net);
	struct netctx_pcb *pcb;

	/* Checked before insertion: may exceed by the racing inserts. */
	if (atomic_read(&nn->nr_pcbs) >= nn->max_pcbs)
		return NULL;
	if (atomic_inc_return(&netctx_pcb_nr) > netctx_pcb_max)
		goto overflow;
	pcb = kmem_cache_zalloc(netctx_pcb_cache, gfp);
	if (!pcb)
		goto overflow;
	INIT_HLIST_NODE(&pcb->dir_node);
	INIT_LIST_HEAD(&pcb->ctx_node);
	netctx_timer_init(&pcb->timer);
	skb_queue_head_init(&pcb->floatq);
	pcb->tuple = *t;
	write_pnet(&pcb->net, net);
	pcb->dir_hash = hash;
	pcb->first_ctx = -1;
	pcb->adopting = true;
	return pcb;

overflow:
	atomic_dec(&netctx_pcb_nr);
	return NULL;
}

/* The PCB must be unlinked and no longer reachable by any reader. */
void netctx_pcb_free(struct netctx_pcb *pcb)
{
	WARN_ON_ONCE(!skb_queue_empty(&pcb->floatq));
	kmem_cache_free(netctx_pcb_cache, pcb);
	atomic_dec(&netctx_pcb_nr);
}

/*
 * Publishes a PCB in the directory. Returns NULL on success, or the PCB
 * that already holds this tuple (another CPU created it first).
 */
struct netctx_pcb *netctx_pcb_insert(struct netctx_pcb *pcb)
{
	struct net *net = netctx_pcb_net(pcb);
	spinlock_t *lock = netctx_dir_lock(pcb->dir_hash);
	struct netctx_pcb *old;

	spin_lock_bh(lock);
	old = netctx_pcb_lookup(net, &pcb->tuple, pcb->dir_hash);
	if (!old) {
		atomic_inc(netctx_port_count(netctx_net(net), pcb->tuple.proto,
					     false, pcb->tuple.lport));
		/* Before it is seen: the classifier reads nr_wild first. */
		if (pcb->wild)
			atomic_inc(&netctx_net(net)->nr_wild);
		hlist_add_head_rcu(&pcb->dir_node,
				   &netctx_dir[pcb->dir_hash & netctx_dir_mask]);
		atomic_inc(&netctx_net(net)->nr_pcbs);
		if (pcb->unconfirmed)
			atomic_inc(&netctx_net(net)->nr_new);
	}
	spin_unlock_bh(lock);
	return old;
}

/* Owner only: the flow's second packet came (classify.c, context.c). */
void netctx_pcb_confirm(struct netctx_pcb *pcb)
{
	pcb->unconfirmed = false;
	atomic_dec(&netctx_net(netctx_pcb_net(pcb))->nr_new);
}

/*
 * After this, new lookups miss the PCB; running ones may still see it.
 * The netns count drops here, not at free time: a PCB may outlive its
 * netns in a context's graveyard, but never in the directory.
 */
void netctx_pcb_unlink(struct netctx_pcb *pcb)
{
	struct netctx_net *nn = netctx_net(netctx_pcb_net(pcb));
	spinlock_t *lock = netctx_dir_lock(pcb->dir_hash);

	spin_lock_bh(lock);
	hlist_del_init_rcu(&pcb->dir_node);
	atomic_dec(&nn->nr_pcbs);
	atomic_dec(netctx_port_count(nn, pcb->tuple.proto, false,
				     pcb->tuple.lport));
	if (pcb->wild)
		atomic_dec(&nn->nr_wild);
	if (pcb->unconfirmed)
		atomic_dec(&nn->nr_new);
	if (pcb->user)
		netctx_uquota_put(nn, pcb->uid);
	spin_unlock_bh(lock);
}
