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
 * Migration moves live PCBs (one connection, or a session group) from
 * their contexts A to a context B. Invariant: every packet of a connection
 * is delivered exactly once, in arrival order. A migration is a request
 * object handed from thread to thread (netctx_ctx_post()); no caller sleeps
 * across a grace period and no lock is shared between migrations:
 *
 *   1. freeze+release (in A)  for each member A owns: cancel its timer,
 *                      keeping its expiry, and make mig_seq odd: from now
 *                      on the classifier parks its packets in pcb->floatq.
 *                      A producer re-reads mig_seq after claiming its ring
 *                      slot (a fully ordered cmpxchg) and leaves a hole if
 *                      it changed, so after a full barrier every packet
 *                      queued to A for it lies below A's tail: A delivers
 *                      up to there, takes the members off its table and
 *                      sets pcb->ctx to B. Members owned by another
 *                      context are handled there next (the request hops);
 *   2. adopt (in B)    B takes the PCBs and their timers, then, under the
 *                      float queue's lock, takes the parked packets and
 *                      makes mig_seq even, and delivers them before
 *                      anything queued to B after that.
 *
 * Dumps walk the flow directory, not the contexts' tables, so a PCB may
 * leave one table and join another at once. A member already moving
 * (mig_seq odd) fails the request with -EBUSY. The float queue is bounded
 * (float_len): a packet beyond it is dropped and counted; if that happens
 * before A releases, the request is abandoned (-EBUSY): every member goes
 * back to the context it left, its parked packets after those it had
 * queued. Either every member moves or none does.
 */
#include "migrate.h"
#include "context.h"
#include "hook.h"
#include "params.h"
#include "event.h"
#include "netns.h"
#include "owner.h"
#define CREATE_TRACE_POINTS
#include "trace.h"

#include <linux/jhash.h>
#include <linux/refcount.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/netfilter.h>
#include <net/ipv6.h>
#include <net/netlink.h>

#include "../uapi/linux/netctx.h"

/*
 * owner: the unprivileged socket asking, NULL for an administrator. Its
 * pre-assignment counts against its uid's quota (netns.c) and serves only
 * a flow delivered to that socket (owner.c).
 */
int netctx_conn_assign(struct net *net, const struct netctx_tuple *t,
		       struct netctx_context *ctx, unsigned int timeout_ms,
		       u32 group, struct sock *owner,
		       struct netlink_ext_ack *extack)
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
			       "connection table full (max_conns, or this netns's netns_share_pct or netns_max_conns)");
		return -ENOSPC;
	}
	/* Only a request that will publish a PCB turns the hooks on. */
	ret = netctx_hook_enable(net);
	if (ret) {
		if (user)
			netctx_uquota_put(nn, uid);
		netctx_pcb_free(pcb);
		return ret;
	}
	pcb->user = user;
	if (user) {
		pcb->uid = uid;
		netctx_owner_save(pcb, owner);
	}
	pcb->ctx = ctx;
	pcb->group = group;
	pcb->origin = NETCTX_ORIGIN_ASSIGNED;
	pcb->placed_by = NETCTX_ORIGIN_ASSIGNED;
	pcb->state = NETCTX_STATE_ASSIGNED;
	pcb->wild = ipv6_addr_any(&t->laddr);
	pcb->assign_timeout = min_t(unsigned long, U32_MAX,
				    msecs_to_jiffies(timeout_ms ?:
						     netctx_assign_timeout_ms));
	/* Once published, only RCU keeps it from its owner's graveyard. */
	rcu_read_lock();
	old = netctx_pcb_insert(pcb);
	if (old) {
		rcu_read_unlock();
		if (user)
			netctx_uquota_put(nn, uid);
		netctx_pcb_free(pcb);
		NL_SET_ERR_MSG(extack,
			       "connection already managed (migrate it instead)");
		return -EEXIST;
	}
	netctx_ctx_adopt(ctx, pcb);
	netctx_event_conn(pcb, NETCTX_EVENT_CONN_ASSIGN);
	rcu_read_unlock();
	return 0;
}

/* One connection of a migration. */
struct netctx_member {
	struct netctx_tuple t;
	struct netctx_pcb *pcb;		/* once frozen */
	struct netctx_context *from;	/* the owner it left */
	unsigned long expires;		/* its timer when frozen, 0 if none */
	u8 state;			/* its state before the move */
	u8 step;			/* enum netctx_member_step */
};

enum netctx_member_step {
	NETCTX_MEMBER_TODO,	/* still with its owner */
	NETCTX_MEMBER_AWAY,	/* released by its owner, parked */
	NETCTX_MEMBER_DONE,	/* adopted, or already on the target */
};

enum netctx_mig_phase {
	NETCTX_MIG_RELEASE,	/* visiting the members' owners */
	NETCTX_MIG_ADOPT,	/* at the target */
	NETCTX_MIG_ROLLBACK,	/* giving members back to their owners */
};

/*
 * A request, handed from context to context. Its two references are the
 * requester's and the journey's: either may end first (a killed waiter,
 * or NETCTX_F_NOWAIT, leaves it to the contexts).
 */
struct netctx_migration {
	struct netctx_work work;
	refcount_t ref;
	struct net *net;
	struct netctx_context *to;
	struct completion done;
	u64 start;			/* ktime_get_ns() of the request */
	int ret;
	const char *why;		/* extack message of a failure */
	u8 phase;			/* enum netctx_mig_phase */
	bool nowait;
	u8 origin;			/* MIGRATED, or BALANCED */
	unsigned int hops;
	unsigned int nr;
	struct netctx_member m[];
};

static void netctx_mig_put(struct netctx_migration *mig)
{
	if (refcount_dec_and_test(&mig->ref))
		kfree(mig);
}

/* The journey ends: wake the requester, let the netns go. */
static void netctx_mig_finish(struct netctx_migration *mig, int ret)
{
	struct netctx_net *nn = netctx_net(mig->net);

	mig->ret = ret;
	trace_migrate_done(mig->to->id, mig->nr, ret,
			   ktime_get_ns() - mig->start);
	if (ret && mig->nowait)
		netctx_event_fail(mig->net, &mig->m[0].t, ret);
	complete(&mig->done);
	if (atomic_dec_and_test(&nn->moves))
		wake_up_var(&nn->moves);
	netctx_mig_put(mig);
}

static void netctx_mig_post(struct netctx_context *ctx,
			    struct netctx_migration *mig)
{
	netctx_ctx_post(ctx, &mig->work);
}

/* Takes the parked packets and makes mig_seq even: the move is over. */
static bool netctx_mig_unpark(struct netctx_pcb *pcb,
			      struct sk_buff_head *parked)
{
	bool full;

	spin_lock_bh(&pcb->floatq.lock);
	skb_queue_splice_init(&pcb->floatq, parked);
	full = pcb->float_full;
	pcb->float_full = false;
	/* Pairs with smp_load_acquire() in the classifier. */
	smp_store_release(&pcb->mig_seq, pcb->mig_seq + 1);
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
 * In the context taking a member: the target, or the owner it left when
 * the request is given up. The timer keeps the expiry it had, unless a
 * FIN or RST came on the way (CLOSING).
 */
static void netctx_mig_land(struct netctx_context *ctx,
			    struct netctx_migration *mig,
			    struct netctx_member *mb, bool back)
{
	struct netctx_pcb *pcb = mb->pcb;
	struct sk_buff_head parked;
	unsigned long expires = 0;

	__skb_queue_head_init(&parked);
	atomic_inc(&ctx->shared.load);
	WRITE_ONCE(pcb->ctx, ctx);
	if (pcb->state == NETCTX_STATE_MIGRATING) {
		WRITE_ONCE(pcb->state, mb->state);
		expires = mb->expires;
	}
	if (!back) {
		WRITE_ONCE(pcb->origin, mig->origin);
		WRITE_ONCE(ctx->own.migrations_in,
			   ctx->own.migrations_in + 1);
		pcb->mig_start = mig->start;
	}
	netctx_ctx_attach_at(ctx, pcb, expires);
	/* Too late to give up: an overflow now only cost its drops. */
	netctx_mig_unpark(pcb, &parked);
	netctx_mig_deliver(ctx, pcb, &parked);
	if (!back)
		/* Here, while we own it: our timer may bury it later. */
		netctx_event_conn(pcb, NETCTX_EVENT_CONN_MIGRATE);
	mb->step = NETCTX_MEMBER_DONE;
}

/* Step 1 failed after the freeze: the members stay with this owner. */
static void netctx_mig_thaw(struct netctx_context *ctx,
			    struct netctx_migration *mig)
{
	struct netctx_member *mb;
	unsigned int i;

	for (i = 0; i < mig->nr; i++) {
		mb = &mig->m[i];
		if (mb->step != NETCTX_MEMBER_TODO || mb->from != ctx)
			continue;
		/* Still attached: netctx_mig_land() must not attach again. */
		netctx_ctx_detach(ctx, mb->pcb);
		netctx_mig_land(ctx, mig, mb, true);
		mb->step = NETCTX_MEMBER_TODO;
		mb->from = NULL;
	}
}

/*
 * Members this context owns, checked all before any is frozen. Returns
 * how many, or an errno that fails the whole request.
 */
static int netctx_mig_collect(struct netctx_context *ctx,
			      struct netctx_migration *mig)
{
	struct netctx_member *mb;
	struct netctx_pcb *pcb;
	unsigned int i;
	int n = 0;

	rcu_read_lock();
	for (i = 0; i < mig->nr; i++) {
		mb = &mig->m[i];
		if (mb->step != NETCTX_MEMBER_TODO)
			continue;
		pcb = netctx_pcb_lookup(mig->net, &mb->t,
					netctx_tuple_hash(mig->net, &mb->t));
		if (!pcb || pcb->wild) {
			n = -ENOENT;
			break;
		}
		if (READ_ONCE(pcb->ctx) != ctx)
			continue;	/* another owner's: a later hop */
		/* On its way to us, or being moved already. */
		if (netctx_pcb_moving(pcb) || !pcb->attached) {
			mig->why = "connection already moving";
			n = -EBUSY;
			break;
		}
		/*
		 * Attached by a packet before its creator handed it over:
		 * leaving now, it would land on our adopt list later, and be
		 * attached twice or freed while on it.
		 */
		if (pcb->adopting) {
			mig->why = "connection being created";
			n = -EBUSY;
			break;
		}
		/* Ours: only this thread may free it from now on. */
		mb->pcb = pcb;
		mb->from = ctx;
		if (ctx == mig->to)
			mb->step = NETCTX_MEMBER_DONE;
		else
			n++;
	}
	rcu_read_unlock();
	if (n < 0) {
		for (i = 0; i < mig->nr; i++) {
			mb = &mig->m[i];
			if (mb->step == NETCTX_MEMBER_TODO && mb->from == ctx)
				mb->from = NULL;
		}
	}
	return n;
}

/* Step 1 for the members this context owns. */
static int netctx_mig_release(struct netctx_context *ctx,
			      struct netctx_migration *mig)
{
	struct netctx_member *mb;
	struct netctx_pcb *pcb;
	bool full = false;
	unsigned int i;
	int n;

	/* A PCB handed to us may still wait in the adopt list. */
	netctx_ctx_adopt_all(ctx);
	n = netctx_mig_collect(ctx, mig);
	if (n <= 0)
		return n;
	for (i = 0; i < mig->nr; i++) {
		mb = &mig->m[i];
		if (mb->step != NETCTX_MEMBER_TODO || mb->from != ctx)
			continue;
		pcb = mb->pcb;
		mb->expires = netctx_timer_pending(&pcb->timer) ?
			      pcb->timer.expires : 0;
		/* No timer may bury it while it travels. */
		netctx_timer_cancel(&ctx->own.wheel, &pcb->timer);
		mb->state = pcb->state;
		WRITE_ONCE(pcb->state, NETCTX_STATE_MIGRATING);
		spin_lock_bh(&pcb->floatq.lock);
		WRITE_ONCE(pcb->mig_seq, pcb->mig_seq + 1);
		spin_unlock_bh(&pcb->floatq.lock);
	}
	/*
	 * Pairs with the producer's fully ordered ring claim: a producer
	 * that did not see mig_seq odd claimed below the tail read here.
	 */
	smp_mb();
	netctx_ctx_drain(ctx);
	for (i = 0; i < mig->nr; i++) {
		mb = &mig->m[i];
		if (mb->step == NETCTX_MEMBER_TODO && mb->from == ctx)
			full |= READ_ONCE(mb->pcb->float_full);
	}
	if (full) {
		netctx_mig_thaw(ctx, mig);
		mig->why = "migration aborted: float queue overflowed (float_len)";
		return -EBUSY;
	}
	for (i = 0; i < mig->nr; i++) {
		mb = &mig->m[i];
		if (mb->step != NETCTX_MEMBER_TODO || mb->from != ctx)
			continue;
		netctx_ctx_detach(ctx, mb->pcb);
		WRITE_ONCE(ctx->own.migrations_out,
			   ctx->own.migrations_out + 1);
		WRITE_ONCE(mb->pcb->ctx, mig->to);
		mb->step = NETCTX_MEMBER_AWAY;
	}
	return n;
}

/* The owner of the first member not yet released, or NULL if none. */
static struct netctx_context *
netctx_mig_next_owner(struct netctx_migration *mig, int *err)
{
	struct netctx_context *owner = NULL;
	struct netctx_member *mb;
	struct netctx_pcb *pcb;
	unsigned int i;

	rcu_read_lock();
	for (i = 0; i < mig->nr; i++) {
		mb = &mig->m[i];
		if (mb->step != NETCTX_MEMBER_TODO)
			continue;
		pcb = netctx_pcb_lookup(mig->net, &mb->t,
					netctx_tuple_hash(mig->net, &mb->t));
		owner = pcb ? READ_ONCE(pcb->ctx) : NULL;
		if (!owner)
			*err = -ENOENT;
		break;
	}
	rcu_read_unlock();
	return owner;
}

/* The first member's owner to give back to, or NULL if none. */
static struct netctx_context *
netctx_mig_next_home(struct netctx_migration *mig)
{
	unsigned int i;

	for (i = 0; i < mig->nr; i++) {
		if (mig->m[i].step == NETCTX_MEMBER_AWAY)
			return mig->m[i].from;
	}
	return NULL;
}

static void netctx_mig_rollback(struct netctx_migration *mig, int err)
{
	struct netctx_context *home = netctx_mig_next_home(mig);

	mig->ret = err;
	if (!home) {
		netctx_mig_finish(mig, err);
		return;
	}
	mig->phase = NETCTX_MIG_ROLLBACK;
	netctx_mig_post(home, mig);
}

/* The request's next stop, after a release in ctx succeeded. */
static void netctx_mig_forward(struct netctx_migration *mig)
{
	struct netctx_context *owner;
	int err = 0;
	unsigned int i;

	owner = netctx_mig_next_owner(mig, &err);
	if (!err && owner && ++mig->hops > 2 * mig->nr + 4) {
		mig->why = "connections kept moving away: gave up";
		err = -EBUSY;
	}
	if (err) {
		netctx_mig_rollback(mig, err);
		return;
	}
	if (owner) {
		netctx_mig_post(owner, mig);
		return;
	}
	for (i = 0; i < mig->nr; i++) {
		if (mig->m[i].step == NETCTX_MEMBER_AWAY) {
			mig->phase = NETCTX_MIG_ADOPT;
			netctx_mig_post(mig->to, mig);
			return;
		}
	}
	netctx_mig_finish(mig, 0);	/* all were on the target already */
}

/* A step of the journey, in the context the request was posted to. */
static void netctx_mig_run(struct netctx_context *ctx,
			   struct netctx_work *work)
{
	struct netctx_migration *mig;
	struct netctx_member *mb;
	unsigned int i;
	int ret;

	mig = container_of(work, struct netctx_migration, work);
	switch (mig->phase) {
	case NETCTX_MIG_RELEASE:
		ret = netctx_mig_release(ctx, mig);
		if (ret < 0)
			netctx_mig_rollback(mig, ret);
		else
			netctx_mig_forward(mig);
		break;
	case NETCTX_MIG_ADOPT:
		for (i = 0; i < mig->nr; i++) {
			mb = &mig->m[i];
			if (mb->step == NETCTX_MEMBER_AWAY)
				netctx_mig_land(ctx, mig, mb, false);
		}
		netctx_mig_finish(mig, 0);
		break;
	case NETCTX_MIG_ROLLBACK:
		for (i = 0; i < mig->nr; i++) {
			mb = &mig->m[i];
			if (mb->step == NETCTX_MEMBER_AWAY && mb->from == ctx)
				netctx_mig_land(ctx, mig, mb, true);
		}
		netctx_mig_rollback(mig, mig->ret);
		break;
	}
}

struct netctx_migration *netctx_mig_alloc(unsigned int nr)
{
	struct netctx_migration *mig;

	mig = kzalloc(struct_size(mig, m, nr), GFP_KERNEL_ACCOUNT);
	if (mig)
		mig->nr = nr;
	return mig;
}

void netctx_mig_set(struct netctx_migration *mig, unsigned int i,
		    const struct netctx_tuple *t)
{
	mig->m[i].t = *t;
}

/*
 * Starts a request filled by netctx_mig_set() and, unless
 * NETCTX_F_NOWAIT, waits killably for its end. Consumes mig.
 */
int netctx_mig_submit(struct net *net, struct netctx_migration *mig,
		      struct netctx_context *to, u32 flags,
		      struct netlink_ext_ack *extack)
{
	struct netctx_net *nn = netctx_net(net);
	struct netctx_context *owner;
	int ret = 0;

	mig->work.fn = netctx_mig_run;
	mig->net = net;
	mig->to = to;
	mig->nowait = flags & NETCTX_F_NOWAIT;
	mig->origin = flags & NETCTX_MIG_BALANCE ? NETCTX_ORIGIN_BALANCED :
						   NETCTX_ORIGIN_MIGRATED;
	mig->start = ktime_get_ns();
	/*
	 * A waiting request holds its caller; one that does not wait holds
	 * only memory, as many as asked: bound them per netns. Racy by
	 * design: concurrent requests may pass the bound by a few.
	 */
	if (mig->nowait && atomic_read(&nn->moves) >= netctx_netns_max_moves) {
		kfree(mig);
		NL_SET_ERR_MSG(extack,
			       "too many migrations under way in this netns (netns_max_moves)");
		return -EBUSY;
	}
	init_completion(&mig->done);
	owner = netctx_mig_next_owner(mig, &ret);
	if (!owner) {
		kfree(mig);
		NL_SET_ERR_MSG(extack, "no such managed connection");
		return -ENOENT;
	}
	trace_migrate_start(&mig->m[0].t, owner->id, to->id, mig->nr);
	refcount_set(&mig->ref, 2);
	/* netns exit waits for the journeys of its PCBs (netns.c). */
	atomic_inc(&nn->moves);
	netctx_mig_post(owner, mig);
	if (mig->nowait) {
		netctx_mig_put(mig);
		return 0;
	}
	if (wait_for_completion_killable(&mig->done)) {
		/* It goes on without us. */
		netctx_mig_put(mig);
		return -EINTR;
	}
	ret = mig->ret;
	if (ret == -ENOENT)
		NL_SET_ERR_MSG(extack, "no such managed connection");
	else if (ret == -EBUSY && extack)
		/* why is a string literal, as NL_SET_ERR_MSG() needs. */
		extack->_msg = mig->why;
	netctx_mig_put(mig);
	return ret;
}

int netctx_conn_migrate(struct net *net, const struct netctx_tuple *t,
			struct netctx_context *to, u32 flags,
			struct netlink_ext_ack *extack)
{
	struct netctx_migration *mig = netctx_mig_alloc(1);

	if (!mig)
		return -ENOMEM;
	netctx_mig_set(mig, 0, t);
	return netctx_mig_submit(net, mig, to, flags, extack);
}

static bool netctx_sess_match(const struct net *net,
			      const struct netctx_select *sel,
			      const struct netctx_pcb *pcb)
{
	if (pcb->wild || !net_eq(netctx_pcb_net(pcb), net))
		return false;
	if (sel->group)
		return READ_ONCE(pcb->group) == sel->group;
	return pcb->tuple.family == sel->family &&
	       (!sel->proto || pcb->tuple.proto == sel->proto) &&
	       ipv6_addr_equal(&pcb->tuple.raddr, &sel->raddr);
}

/* Fills mig (if not NULL) up to max members; returns how many match. */
static unsigned int netctx_sess_collect(struct net *net,
					const struct netctx_select *sel,
					struct netctx_migration *mig,
					unsigned int max)
{
	struct netctx_pcb *pcb;
	unsigned int b, n = 0;

	rcu_read_lock();
	for (b = 0; b < netctx_dir_buckets(); b++) {
		hlist_for_each_entry_rcu(pcb, netctx_dir_bucket(b), dir_node) {
			if (!netctx_sess_match(net, sel, pcb))
				continue;
			if (mig && n < max)
				netctx_mig_set(mig, n, &pcb->tuple);
			n++;
		}
	}
	rcu_read_unlock();
	return n;
}

/* A peer's session moved to ctx: its next connections go there too. */
static void netctx_sess_note(struct net *net, const struct in6_addr *raddr,
			     struct netctx_context *ctx)
{
	struct netctx_net *nn = netctx_net(net);
	unsigned int slot = netctx_sess_slot(raddr);
	struct netctx_sess *s, *old;

	s = kmalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);
	if (!s)
		return;
	s->raddr = *raddr;
	s->ctx = ctx;
	mutex_lock(&nn->lock);
	old = rcu_replace_pointer(nn->sess[slot], s,
				  lockdep_is_held(&nn->lock));
	if (!old)
		atomic_inc(&nn->nr_sess);
	mutex_unlock(&nn->lock);
	if (old)
		kfree_rcu(old, rcu);
}

/* netns exit, no classifier left. */
void netctx_sess_flush(struct net *net)
{
	struct netctx_net *nn = netctx_net(net);
	struct netctx_sess *s;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(nn->sess); i++) {
		s = rcu_replace_pointer(nn->sess[i], NULL, true);
		if (s)
			kfree_rcu(s, rcu);
	}
	atomic_set(&nn->nr_sess, 0);
}

/* Every connection of a session group, or of a peer, moves as one. */
int netctx_sess_migrate(struct net *net, const struct netctx_select *sel,
			struct netctx_context *to, u32 flags,
			struct netlink_ext_ack *extack)
{
	struct netctx_migration *mig;
	unsigned int n;
	int ret;

	n = netctx_sess_collect(net, sel, NULL, 0);
	if (!n) {
		NL_SET_ERR_MSG(extack, "no managed connection in this session");
		return -ENOENT;
	}
	if (n > NETCTX_MAX_GROUP_CONNS) {
		NL_SET_ERR_MSG(extack,
			       "session has more than NETCTX_MAX_GROUP_CONNS connections");
		return -E2BIG;
	}
	mig = netctx_mig_alloc(n);
	if (!mig)
		return -ENOMEM;
	/* Connections that came or went meanwhile: as of now. */
	mig->nr = min(n, netctx_sess_collect(net, sel, mig, n));
	if (!mig->nr) {
		kfree(mig);
		NL_SET_ERR_MSG(extack, "no managed connection in this session");
		return -ENOENT;
	}
	ret = netctx_mig_submit(net, mig, to, flags, extack);
	/* Only a move known to be done: a NOWAIT one may still fail. */
	if (!ret && !sel->group && !(flags & NETCTX_F_NOWAIT))
		netctx_sess_note(net, &sel->raddr, to);
	return ret;
}

int netctx_conn_set_group(struct net *net, const struct netctx_tuple *t,
			  u32 group, struct netlink_ext_ack *extack)
{
	struct netctx_pcb *pcb;

	rcu_read_lock();
	pcb = netctx_pcb_lookup(net, t, netctx_tuple_hash(net, t));
	if (pcb)
		WRITE_ONCE(pcb->group, group);
	rcu_read_unlock();
	if (!pcb) {
		NL_SET_ERR_MSG(extack, "no such managed connection");
		return -ENOENT;
	}
	return 0;
}
