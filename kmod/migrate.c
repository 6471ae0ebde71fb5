// SPDX-License-Identifier: GPL-2.0
/*
 * Placing connections by hand: pre-assignment and live migration.
 *
 * Pre-assignment creates the PCB of a connection that does not exist yet,
 * in state ASSIGNED, owned by the chosen context, so that the classifier's
 * exact lookup steers its very first packet there. An assignment without a
 * local address is "wild": the first packet of a matching connection
 * claims it and gets an exact PCB on the same context.
 *
 * Migration moves a live PCB from context A to context B. Invariant: every
 * packet of the connection is delivered exactly once, in arrival order.
 *
 *   1. freeze (in A)   stop A's timer for it, set pcb->migrating: from now
 *                      on the classifier parks its packets in pcb->floatq;
 *   2. grace period    every classifier that saw migrating clear has
 *                      finished queueing to A;
 *   3. release (in A)  A delivers its queue up to now, so all the packets
 *                      queued before the freeze; it leaves A's table and
 *                      pcb->ctx becomes B;
 *   4. grace period    dump readers have left A's table;
 *   5. adopt (in B)    B takes the PCB and its timer, then, under the float
 *                      queue's lock, takes the parked packets and clears
 *                      migrating, and delivers them before anything queued
 *                      to B after that.
 *
 * Steps 1, 3 and 5 run in the owners' threads (netctx_ctx_call()), so the
 * ownership rule holds throughout. Migrations are serialised by a mutex;
 * the packet path takes no lock except the float queue's, and only while
 * its connection migrates. The float queue is bounded (float_len): a
 * packet beyond it is dropped and counted. If that happens before step 3,
 * the migration is abandoned there (-EBUSY): A keeps the PCB, delivers
 * what was parked after what it had queued, and the connection goes on,
 * consistent, on A.
 */
#include "migrate.h"
#include "classify.h"
#include "context.h"
#include "hook.h"
#include "main.h"
#include "netlink.h"
#include "netns.h"
#include "owner.h"

#include <linux/delay.h>
#include <linux/mutex.h>
#include <linux/netfilter.h>
#include <net/ipv6.h>
#include <net/netlink.h>

#include "../uapi/linux/netctx.h"

static DEFINE_MUTEX(netctx_migrate_lock);

/* Classifier, softirq: park a packet of a migrating PCB. */
bool netctx_float_push(struct netctx_pcb *pcb, struct sk_buff *skb,
		       unsigned int *verdict)
{
	bool parked = false;

	spin_lock(&pcb->floatq.lock);
	if (pcb->migrating) {
		parked = true;
		if (skb_queue_len(&pcb->floatq) >= netctx_float_len) {
			atomic_long_inc(&READ_ONCE(pcb->ctx)->shared.drops);
			pcb->float_full = true;
			*verdict = NF_DROP;
		} else {
			dev_hold(skb->dev);
			__skb_queue_tail(&pcb->floatq, skb);
			*verdict = NF_STOLEN;
		}
	}
	spin_unlock(&pcb->floatq.lock);
	return parked;
}

/*
 * Classifier, softirq: a first packet matching a wild pre-assignment
 * gets an exact PCB on the assignment's context.
 */
struct netctx_pcb *netctx_wild_claim(struct net *net,
				     const struct netctx_tuple *t, int dif,
				     netctx_okfn_t okfn)
{
	struct netctx_tuple wt = *t;
	struct netctx_pcb *wild, *pcb;

	memset(&wt.laddr, 0, sizeof(wt.laddr));
	wild = netctx_pcb_lookup(net, &wt, netctx_tuple_hash(net, &wt));
	/* One connection only may take it; a user's, only its socket's. */
	if (!wild || !netctx_owner_match(net, wild, t, dif) ||
	    atomic_cmpxchg(&wild->claimed, 0, 1))
		return NULL;
	pcb = netctx_classify_spawn(net, t, netctx_tuple_hash(net, t),
				    READ_ONCE(wild->ctx),
				    NETCTX_ORIGIN_ASSIGNED, 0, okfn);
	if (!pcb)
		atomic_set(&wild->claimed, 0);
	return pcb;
}

/*
 * owner: the unprivileged socket asking, NULL for an administrator. Its
 * pre-assignment counts against its uid's quota (netns.c) and serves only
 * a flow delivered to that socket (owner.c).
 */
int netctx_conn_assign(struct net *net, const struct netctx_tuple *t,
		       struct netctx_context *ctx, unsigned int timeout_ms,
		       struct sock *owner, struct netlink_ext_ack *extack)
{
	struct netctx_net *nn = netctx_net(net);
	u32 hash = netctx_tuple_hash(net, t);
	struct netctx_pcb *pcb, *old;
	bool user = owner;
	kuid_t uid;
	int ret;

	if (user) {
		uid = sock_i_uid(owner);
		ret = netctx_uquota_take(nn, uid);
		if (ret)
			return ret;
	}

	/* Charged to the requester: an application's own memory cgroup. */
	pcb = netctx_pcb_alloc(net, t, hash, GFP_KERNEL_ACCOUNT);
	if (!pcb) {
		if (user)
			netctx_uquota_put(nn, uid);
		NL_SET_ERR_MSG(extack,
			       "connection table full (max_conns, or netns_max_conns in a user namespace)");
		return -ENOSPC;
	}
	pcb->user = user;
	if (user) {
		pcb->uid = uid;
		netctx_owner_save(pcb, owner);
	}
	pcb->ctx = ctx;
	pcb->origin = NETCTX_ORIGIN_ASSIGNED;
	pcb->placed_by = NETCTX_ORIGIN_ASSIGNED;
	pcb->state = NETCTX_STATE_ASSIGNED;
	pcb->wild = ipv6_addr_any(&t->laddr);
	pcb->assign_timeout = msecs_to_jiffies(timeout_ms ?:
					       netctx_assign_timeout_ms);
	if (pcb->wild)
		atomic_inc(&netctx_net(net)->nr_wild);
	/* Once published, only RCU keeps it from its owner's graveyard. */
	rcu_read_lock();
	old = netctx_pcb_insert(pcb);
	if (old) {
		rcu_read_unlock();
		if (pcb->wild)
			atomic_dec(&netctx_net(net)->nr_wild);
		if (user)
			netctx_uquota_put(nn, uid);
		netctx_pcb_free(pcb);
		NL_SET_ERR_MSG(extack,
			       "connection already managed (migrate it instead)");
		return -EEXIST;
	}
	netctx_ctx_adopt(ctx, pcb);
	netctx_nl_notify_conn(pcb, NETCTX_EVENT_CONN_ASSIGN);
	rcu_read_unlock();
	return 0;
}

struct netctx_migration {
	struct net *net;
	const struct netctx_tuple *t;
	struct netctx_pcb *pcb;
	struct netctx_context *to;
	u8 state;		/* the PCB's state before the move */
};

/* Step 1, in the owner. */
static int netctx_mig_freeze(struct netctx_context *ctx, void *arg)
{
	struct netctx_migration *m = arg;
	struct netctx_pcb *pcb;

	/* A PCB handed to us may still wait in the adopt list. */
	netctx_ctx_adopt_all(ctx);
	rcu_read_lock();
	pcb = netctx_pcb_lookup(m->net, m->t, netctx_tuple_hash(m->net, m->t));
	if (!pcb || pcb->wild) {
		rcu_read_unlock();
		return -ENOENT;
	}
	/* Another owner's, or still on its way to us: try again. */
	if (READ_ONCE(pcb->ctx) != ctx || !pcb->attached || pcb->dead) {
		rcu_read_unlock();
		return -EAGAIN;
	}
	/* Ours: only this thread may free it from now on. */
	rcu_read_unlock();
	/* No timer may bury it while it travels. */
	netctx_timer_cancel(&ctx->own.wheel, &pcb->timer);
	m->state = pcb->state;
	WRITE_ONCE(pcb->state, NETCTX_STATE_MIGRATING);
	spin_lock_bh(&pcb->floatq.lock);
	/* Pairs with smp_load_acquire() in the classifier. */
	smp_store_release(&pcb->migrating, true);
	spin_unlock_bh(&pcb->floatq.lock);
	m->pcb = pcb;
	return 0;
}

/* Step 3, in the old owner. */
/*
 * Takes the parked packets and ends the handshake; the caller delivers
 * them. Returns whether the float queue overflowed meanwhile.
 */
static bool netctx_mig_unpark(struct netctx_pcb *pcb,
			      struct sk_buff_head *parked)
{
	bool full;

	spin_lock_bh(&pcb->floatq.lock);
	skb_queue_splice_init(&pcb->floatq, parked);
	full = pcb->float_full;
	pcb->float_full = false;
	/* Pairs with smp_load_acquire() in the classifier. */
	smp_store_release(&pcb->migrating, false);
	spin_unlock_bh(&pcb->floatq.lock);
	return full;
}

/* In the owner, bottom halves on: deliver parked packets, in order. */
static void netctx_mig_deliver(struct netctx_context *ctx,
			       struct netctx_pcb *pcb,
			       struct sk_buff_head *parked)
{
	struct sk_buff *skb;

	local_bh_disable();
	rcu_read_lock();
	while ((skb = __skb_dequeue(parked)))
		netctx_ctx_deliver(ctx, skb, pcb,
				   netctx_hook_meta(skb, pcb->tuple.family));
	rcu_read_unlock();
	local_bh_enable();
}

/*
 * Step 3 gives up if the float queue overflowed: the old owner keeps the
 * PCB and delivers, after everything it had queued, what was parked.
 */
static int netctx_mig_abort(struct netctx_context *ctx,
			    struct netctx_migration *m)
{
	struct netctx_pcb *pcb = m->pcb;
	struct sk_buff_head parked;

	if (!READ_ONCE(pcb->float_full))
		return 0;
	__skb_queue_head_init(&parked);
	netctx_mig_unpark(pcb, &parked);
	if (pcb->state == NETCTX_STATE_MIGRATING)
		WRITE_ONCE(pcb->state, m->state);
	netctx_ctx_arm(ctx, pcb);
	netctx_mig_deliver(ctx, pcb, &parked);
	return -EBUSY;
}

static int netctx_mig_release(struct netctx_context *ctx, void *arg)
{
	struct netctx_migration *m = arg;

	WARN_ON_ONCE(m->pcb->dead || m->pcb->ctx != ctx);

	netctx_ctx_drain(ctx);
	if (netctx_mig_abort(ctx, m))
		return -EBUSY;
	netctx_ctx_detach(ctx, m->pcb);
	WRITE_ONCE(ctx->own.migrations_out, ctx->own.migrations_out + 1);
	WRITE_ONCE(m->pcb->ctx, m->to);
	return 0;
}

/* Step 5, in the new owner. */
static int netctx_mig_adopt(struct netctx_context *ctx, void *arg)
{
	struct netctx_migration *m = arg;
	struct netctx_pcb *pcb = m->pcb;
	struct sk_buff_head parked;

	__skb_queue_head_init(&parked);
	atomic_inc(&ctx->shared.load);
	WRITE_ONCE(pcb->origin, NETCTX_ORIGIN_MIGRATED);
	/* Unless a FIN or RST came on the way (CLOSING), as it was. */
	if (pcb->state == NETCTX_STATE_MIGRATING)
		WRITE_ONCE(pcb->state, m->state);
	netctx_ctx_attach(ctx, pcb);
	WRITE_ONCE(ctx->own.migrations_in, ctx->own.migrations_in + 1);
	/* Too late to give up: an overflow now only cost its drops. */
	netctx_mig_unpark(pcb, &parked);
	netctx_mig_deliver(ctx, pcb, &parked);
	/* Here, while we own it: our timer could bury it once we return. */
	netctx_nl_notify_conn(pcb, NETCTX_EVENT_CONN_MIGRATE);
	return 0;
}

int netctx_conn_migrate(struct net *net, const struct netctx_tuple *t,
			struct netctx_context *to,
			struct netlink_ext_ack *extack)
{
	struct netctx_migration m = { .net = net, .t = t, .to = to };
	struct netctx_context *from;
	struct netctx_pcb *pcb;
	int ret, tries = 0;

	mutex_lock(&netctx_migrate_lock);
	do {
		rcu_read_lock();
		pcb = netctx_pcb_lookup(net, t, netctx_tuple_hash(net, t));
		from = pcb ? READ_ONCE(pcb->ctx) : NULL;
		rcu_read_unlock();
		if (!from) {
			ret = -ENOENT;
			break;
		}
		if (from == to) {
			ret = 0;
			goto out;
		}
		ret = netctx_ctx_call(from, netctx_mig_freeze, &m);
		if (ret == -EAGAIN)
			usleep_range(100, 1000);
	} while (ret == -EAGAIN && ++tries < 10);
	if (ret) {
		NL_SET_ERR_MSG(extack, "no such managed connection");
		goto out;
	}
	synchronize_net();
	ret = netctx_ctx_call(from, netctx_mig_release, &m);
	if (ret) {
		NL_SET_ERR_MSG(extack,
			       "migration aborted: float queue overflowed (float_len)");
		goto out;
	}
	synchronize_net();
	netctx_ctx_call(to, netctx_mig_adopt, &m);
out:
	mutex_unlock(&netctx_migrate_lock);
	return ret;
}
