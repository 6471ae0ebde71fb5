// SPDX-License-Identifier: GPL-2.0
/*
 * Rebalancing by load.
 *
 * Every balance_ms a work item reads each context's packet counter (the
 * contexts count what they deliver) and keeps the rate as the context's
 * load, which "ncctl ctx show" prints. While some port has a policy with
 * NETCTX_F_BALANCE, it also compares the busiest context with the
 * idlest: when the first carries more than balance_pct percent of the
 * second (and at least balance_min_pps) for balance_hold periods in a
 * row, one unit moves from the busiest to the idlest: the session group,
 * or the lone connection, of a balanced port whose rate is the largest
 * not above half the difference (else the lightest, if it is below the
 * difference: the gap still narrows). A group moves whole (migrate.c). At
 * most one move per period, and the count of periods starts again after
 * it: that is the hysteresis and the rate limit. Each move is an
 * ordinary migration, with its CONN_MIGRATE events, origin "balanced".
 */
#include "balance.h"
#include "context.h"
#include "migrate.h"
#include "pcb.h"
#include "policy.h"

#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>

#include "../uapi/linux/netctx.h"

static unsigned int netctx_balance_ms = 500;
module_param_named(balance_ms, netctx_balance_ms, uint, 0444);
MODULE_PARM_DESC(balance_ms, "Load sampling and rebalancing period (ms)");

static unsigned int netctx_balance_pct = 200;
module_param_named(balance_pct, netctx_balance_pct, uint, 0644);
MODULE_PARM_DESC(balance_pct, "Rebalance when the busiest context's load exceeds this percentage of the idlest's");

static unsigned int netctx_balance_hold = 2;
module_param_named(balance_hold, netctx_balance_hold, uint, 0644);
MODULE_PARM_DESC(balance_hold, "Periods an imbalance must last before a move");

static unsigned int netctx_balance_min_pps = 100;
module_param_named(balance_min_pps, netctx_balance_min_pps, uint, 0644);
MODULE_PARM_DESC(balance_min_pps, "Below this load (packets/s) a context is never unloaded");

/* Candidates of one decision: a group, or a connection alone. */
#define NETCTX_BALANCE_UNITS	64

struct netctx_unit {
	struct net *net;
	u32 group;			/* 0: the connection t alone */
	struct netctx_tuple t;
	u64 rate;			/* packets/s on the busiest context */
};

static struct {
	struct delayed_work work;
	u64 *prev;			/* each context's packets, last period */
	unsigned long last;		/* jiffies of the last period */
	unsigned long scanned;		/* jiffies of the last units scan */
	unsigned int hold;		/* periods the imbalance has lasted */
	struct netctx_unit units[NETCTX_BALANCE_UNITS];
} netctx_bal;

/* The rate of each context over the period just ended. */
static void netctx_balance_sample(unsigned long elapsed)
{
	struct netctx_context *ctx;
	unsigned int i;
	u64 now, rate;

	for (i = 0; i < netctx_nr_contexts; i++) {
		ctx = netctx_context(i);
		now = READ_ONCE(ctx->own.packets);
		rate = div64_u64((now - netctx_bal.prev[i]) * HZ, elapsed);
		WRITE_ONCE(ctx->shared.load_pps, rate);
		netctx_bal.prev[i] = now;
	}
}

static struct netctx_unit *netctx_unit_find(unsigned int *n,
					    const struct netctx_pcb *pcb)
{
	struct net *net = netctx_pcb_net(pcb);
	u32 group = READ_ONCE(pcb->group);
	struct netctx_unit *u;
	unsigned int i;

	for (i = 0; group && i < *n; i++) {
		u = &netctx_bal.units[i];
		if (u->group == group && net_eq(u->net, net))
			return u;
	}
	if (*n == NETCTX_BALANCE_UNITS)
		return NULL;
	u = &netctx_bal.units[(*n)++];
	u->net = net;
	u->group = group;
	u->t = pcb->tuple;
	u->rate = 0;
	return u;
}

/*
 * The units of balanced ports on busy, with their rates since the last
 * scan; none with busy NULL, which only takes the baseline. Every PCB's
 * packet count at that scan is kept in bal_packets, written by this
 * work alone.
 */
static unsigned int netctx_balance_units(struct netctx_context *busy)
{
	unsigned long now = jiffies;
	unsigned long elapsed = max(now - netctx_bal.scanned, 1UL);
	struct netctx_unit *u;
	struct netctx_pcb *pcb;
	unsigned int b, n = 0;
	u64 packets, rate;
	u32 delta;

	rcu_read_lock();
	for (b = 0; b < netctx_dir_buckets(); b++) {
		hlist_for_each_entry_rcu(pcb, netctx_dir_bucket(b), dir_node) {
			if (!READ_ONCE(pcb->balance) || pcb->wild)
				continue;
			packets = READ_ONCE(pcb->packets);
			/* Scans are a period or two apart: no wrap. */
			delta = (u32)packets - pcb->bal_packets;
			rate = div64_u64((u64)delta * HZ, elapsed);
			pcb->bal_packets = packets;
			if (!busy || READ_ONCE(pcb->ctx) != busy ||
			    netctx_pcb_moving(pcb))
				continue;
			u = netctx_unit_find(&n, pcb);
			if (u)
				u->rate += rate;
		}
	}
	rcu_read_unlock();
	netctx_bal.scanned = now;
	return n;
}

static void netctx_balance_move(struct netctx_context *busy,
				struct netctx_context *idle, u64 want)
{
	struct netctx_unit *best = NULL, *u;
	struct netctx_select sel = {};
	unsigned int i, n;
	struct net *net;

	n = netctx_balance_units(busy);
	for (i = 0; i < n; i++) {
		u = &netctx_bal.units[i];
		if (u->rate && u->rate <= want && (!best || u->rate > best->rate))
			best = u;
	}
	/* Else the lightest, if moving it still narrows the gap. */
	for (i = 0; !best && i < n; i++) {
		u = &netctx_bal.units[i];
		if (u->rate && u->rate < 2 * want &&
		    (!best || u->rate < best->rate))
			best = u;
	}
	if (!best)
		return;
	/* Its netns must not go while the move is under way. */
	rcu_read_lock();
	net = maybe_get_net(best->net);
	rcu_read_unlock();
	if (!net)
		return;
	if (best->group) {
		sel.group = best->group;
		netctx_sess_migrate(net, &sel, idle, NETCTX_MIG_BALANCE, NULL);
	} else {
		netctx_conn_migrate(net, &best->t, idle, NETCTX_MIG_BALANCE,
				    NULL);
	}
	put_net(net);
}

static void netctx_balance_decide(unsigned long elapsed)
{
	struct netctx_context *busy = NULL, *idle = NULL, *ctx;
	unsigned int i;

	for (i = 0; i < netctx_nr_contexts; i++) {
		ctx = netctx_context(i);
		if (!busy || ctx->shared.load_pps > busy->shared.load_pps)
			busy = ctx;
		if (!idle || ctx->shared.load_pps < idle->shared.load_pps)
			idle = ctx;
	}
	if (busy == idle || busy->shared.load_pps < netctx_balance_min_pps ||
	    busy->shared.load_pps * 100 <= (u64)idle->shared.load_pps * netctx_balance_pct) {
		netctx_bal.hold = 0;
		return;
	}
	/*
	 * The units' rates are counted since the last scan of the
	 * directory: take it a period before the move. One older than two
	 * periods (balance_hold below 2) is a baseline only, and the move
	 * waits a period for rates of now.
	 */
	if (++netctx_bal.hold + 1 == netctx_balance_hold)
		netctx_balance_units(NULL);
	if (netctx_bal.hold < netctx_balance_hold)
		return;
	if (time_after(jiffies, netctx_bal.scanned + 2 * elapsed)) {
		netctx_balance_units(NULL);
		netctx_bal.hold--;
		return;
	}
	netctx_bal.hold = 0;
	netctx_balance_move(busy, idle, (busy->shared.load_pps - idle->shared.load_pps) / 2);
}

static void netctx_balance_work(struct work_struct *work)
{
	unsigned long now = jiffies;
	unsigned long elapsed = max(now - netctx_bal.last, 1UL);

	netctx_bal.last = now;
	netctx_balance_sample(elapsed);
	if (atomic_read(&netctx_policies_balanced))
		netctx_balance_decide(elapsed);
	queue_delayed_work(system_unbound_wq, &netctx_bal.work,
			   msecs_to_jiffies(netctx_balance_ms ?: 500));
}

/* After the contexts exist; a failed allocation only disables it. */
void netctx_balance_init(void)
{
	netctx_bal.prev = kcalloc(netctx_nr_contexts, sizeof(u64),
				  GFP_KERNEL);
	if (!netctx_bal.prev)
		return;
	netctx_bal.last = jiffies;
	netctx_bal.scanned = jiffies;
	INIT_DELAYED_WORK(&netctx_bal.work, netctx_balance_work);
	queue_delayed_work(system_unbound_wq, &netctx_bal.work,
			   msecs_to_jiffies(netctx_balance_ms ?: 500));
}

/* Before every netns and the contexts go. */
void netctx_balance_uninit(void)
{
	if (!netctx_bal.prev)
		return;
	cancel_delayed_work_sync(&netctx_bal.work);
	kfree(netctx_bal.prev);
	netctx_bal.prev = NULL;
}
