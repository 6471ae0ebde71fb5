// SPDX-License-Identifier: GPL-2.0
/*
 * Network contexts.
 *
 * Ownership rule: a context's PCB table (own.pcbs), timer wheel, graveyard
 * and counters are written only by its own thread, netctx/<id>. Other CPUs
 * reach a context through three lock-free doors:
 *
 *   queue         the classifier pushes stolen packets (softirq, any CPU);
 *   shared.adopt  a PCB created elsewhere is handed over to join the table;
 *   shared.calls  the control plane runs a function in the thread and
 *                 waits for it (netns flush, and later assign/migrate).
 *
 *   shared.works  steps of control requests, e.g. of a migration's journey.
 *
 * Readers outside the thread (netlink dumps) walk the flow directory
 * under RCU, never own.pcbs, and READ_ONCE the counters. A PCB leaves the
 * flow directory first, then waits in the graveyard for an RCU grace
 * period, after which every packet that a classifier queued for it sits
 * in the queue ahead of the current tail: the thread delivers those
 * before freeing the PCB.
 */
#include "context.h"
#include "netns.h"
#include "params.h"
#include "event.h"
#include "pcb.h"
#include "trace.h"

#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/kthread.h>
#include <linux/netdevice.h>
#include <linux/slab.h>
#include <linux/tcp.h>
#include <net/inet6_hashtables.h>
#include <net/inet_hashtables.h>
#include <net/ip.h>
#include <net/route.h>

#include "../uapi/linux/netctx.h"

/* Packets delivered per bottom-half section. */
#define NETCTX_BATCH	64

struct netctx_context **netctx_contexts;
unsigned int netctx_nr_contexts;
static enum cpuhp_state netctx_cpuhp;

struct netctx_call {
	struct llist_node node;
	int (*fn)(struct netctx_context *ctx, void *arg);
	void *arg;
	int ret;
	struct completion done;
};

unsigned int netctx_ctx_cpu(const struct netctx_context *ctx)
{
	return task_cpu(ctx->task);
}

/*
 * The ownership rule, checked in a debug build (make DEBUG=1, used by
 * make check-debug): only the context's thread touches its table, wheel
 * and graveyard.
 */
#ifdef NETCTX_DEBUG
#define netctx_assert_owner(ctx)	WARN_ON_ONCE(current != (ctx)->task)
#else
#define netctx_assert_owner(ctx)	do { } while (0)
#endif

static unsigned long netctx_pcb_idle(const struct netctx_pcb *pcb)
{
	if (pcb->unconfirmed)
		return msecs_to_jiffies(netctx_new_timeout_ms);
	return msecs_to_jiffies(pcb->tuple.proto == IPPROTO_TCP ?
				netctx_tcp_timeout_ms :
				netctx_udp_timeout_ms);
}

static void netctx_ctx_retire_wild(struct netctx_context *ctx,
				   struct netctx_pcb *pcb);

/*
 * Owner only: the PCB joins this context's table and wheel, its timer set
 * to expires, or (0) to what its state asks from now on.
 */
void netctx_ctx_attach_at(struct netctx_context *ctx, struct netctx_pcb *pcb,
			  unsigned long expires)
{
	struct netctx_ctx_stats *stats;

	netctx_assert_owner(ctx);
	pcb->attached = true;
	list_add_tail(&pcb->ctx_node, &ctx->own.pcbs);
	WRITE_ONCE(ctx->own.nr_pcbs, ctx->own.nr_pcbs + 1);
	stats = netctx_stats(netctx_pcb_net(pcb), ctx->id);
	WRITE_ONCE(stats->conns, stats->conns + 1);
	if (expires) {
		pcb->expiring = false;
		netctx_timer_arm(&ctx->own.wheel, &pcb->timer, expires);
	} else {
		netctx_ctx_arm(ctx, pcb);
	}
	if (unlikely(pcb->from_wild)) {
		pcb->from_wild = false;
		netctx_ctx_retire_wild(ctx, pcb);
	}
}

void netctx_ctx_attach(struct netctx_context *ctx, struct netctx_pcb *pcb)
{
	netctx_ctx_attach_at(ctx, pcb, 0);
}

/* Owner only: (re)arm the PCB's one timer for its state. */
void netctx_ctx_arm(struct netctx_context *ctx, struct netctx_pcb *pcb)
{
	unsigned long expires;

	netctx_assert_owner(ctx);
	pcb->expiring = false;
	switch (pcb->state) {
	case NETCTX_STATE_ASSIGNED:
		expires = jiffies + pcb->assign_timeout;
		break;
	case NETCTX_STATE_CLOSING:
		expires = jiffies + msecs_to_jiffies(netctx_linger_ms);
		break;
	default:
		pcb->last_seen = jiffies;
		expires = jiffies + netctx_pcb_idle(pcb);
		break;
	}
	netctx_timer_arm(&ctx->own.wheel, &pcb->timer, expires);
}

/* Owner only: the PCB leaves this context's table and wheel. */
void netctx_ctx_detach(struct netctx_context *ctx, struct netctx_pcb *pcb)
{
	netctx_assert_owner(ctx);
	netctx_timer_cancel(&ctx->own.wheel, &pcb->timer);
	if (pcb->attached) {
		struct netctx_ctx_stats *stats =
			netctx_stats(netctx_pcb_net(pcb), ctx->id);

		list_del(&pcb->ctx_node);
		WRITE_ONCE(ctx->own.nr_pcbs, ctx->own.nr_pcbs - 1);
		WRITE_ONCE(stats->conns, stats->conns - 1);
	}
	pcb->attached = false;
	atomic_dec(&ctx->shared.load);
}

/*
 * Take a PCB out of service; it is freed from the graveyard later.
 * notify is false when its netns is going away.
 */
static void netctx_ctx_bury(struct netctx_context *ctx,
			    struct netctx_pcb *pcb, bool notify)
{
	netctx_assert_owner(ctx);
	netctx_pcb_unlink(pcb);
	netctx_ctx_detach(ctx, pcb);
	pcb->dead = true;
	pcb->expiring = false;	/* expire_tail becomes grave_cookie */
	if (notify && !pcb->wild)
		netctx_event_conn(pcb, NETCTX_EVENT_CONN_CLOSE);
	pcb->grave_cookie = start_poll_synchronize_rcu();
	list_add_tail(&pcb->grave_node, &ctx->own.graveyard);
}

/* A wild assignment claimed by this PCB has served: retire it now. */
static void netctx_ctx_retire_wild(struct netctx_context *ctx,
				   struct netctx_pcb *pcb)
{
	struct netctx_tuple wt = pcb->tuple;
	struct net *net = netctx_pcb_net(pcb);
	struct netctx_pcb *wild;

	memset(&wt.laddr, 0, sizeof(wt.laddr));
	rcu_read_lock();
	wild = netctx_pcb_lookup(net, &wt, netctx_tuple_hash(net, &wt));
	rcu_read_unlock();
	/* Ours, and only ours to bury: same context, owner thread. */
	if (wild && wild->ctx == ctx && wild->attached && !wild->dead &&
	    atomic_read(&wild->claimed))
		netctx_ctx_bury(ctx, wild, false);
}

/*
 * Whether the local TCP socket of an idle connection still lives: an NFS
 * mount may stay silent for hours and must keep its context. The lookup
 * is TCP's own, with the interfaces its first packet came in on, so that
 * a socket bound to a device (SO_BINDTODEVICE) or in a VRF is found.
 * With past_handshake, only a socket that is through its handshake
 * counts, not the request socket a forged SYN leaves behind.
 */
static bool netctx_pcb_tcp_alive(const struct netctx_pcb *pcb,
				 bool past_handshake)
{
	struct net *net = netctx_pcb_net(pcb);
	struct inet_hashinfo *hinfo = net->ipv4.tcp_death_row.hashinfo;
	const struct netctx_tuple *t = &pcb->tuple;
	struct sock *sk;
	bool alive;

	rcu_read_lock();
	if (t->family == AF_INET)
		sk = __inet_lookup_established(net, hinfo,
					       t->raddr.s6_addr32[3], t->rport,
					       t->laddr.s6_addr32[3],
					       ntohs(t->lport), pcb->dif,
					       pcb->sdif);
	else
		sk = __inet6_lookup_established(net, hinfo, &t->raddr,
						t->rport, &t->laddr,
						ntohs(t->lport), pcb->dif,
						pcb->sdif);
	rcu_read_unlock();
	if (!sk)
		return false;
	alive = sk->sk_state != TCP_TIME_WAIT && sk->sk_state != TCP_CLOSE;
	if (past_handshake)
		alive &= sk->sk_state != TCP_NEW_SYN_RECV &&
			 sk->sk_state != TCP_SYN_RECV &&
			 sk->sk_state != TCP_SYN_SENT;
	sock_gen_put(sk);
	return alive;
}

/*
 * Owner, after re-injecting a packet of an unconfirmed PCB (classify.c).
 * TCP header flags prove nothing, a forger sets them too: what the stack
 * did with the segment does. After one with ACK and no SYN, a socket of
 * the tuple through its handshake (the handshake's ACK just made it)
 * confirms the flow. UDP has no handshake to check: a second datagram
 * confirms it, which only doubles a forger's cost (see classify.c). The
 * timer, armed for new_timeout_ms, finds the full idle timeout then.
 */
static void netctx_ctx_confirm(struct netctx_pcb *pcb, unsigned int meta)
{
	bool ok;

	if (pcb->tuple.proto == IPPROTO_TCP)
		ok = (meta & (NETCTX_META_ACK | NETCTX_META_SYN)) ==
		     NETCTX_META_ACK && netctx_pcb_tcp_alive(pcb, true);
	else
		ok = pcb->packets > 0;
	if (ok)
		netctx_pcb_confirm(pcb);
}

/*
 * Before a PCB is buried, packets that its flow queued to us until it
 * was found expired must have been delivered: they would refresh it, and
 * a flow whose next packet got a new PCB, maybe on another context, would
 * overtake them. True while such packets may still wait in our ring.
 */
static bool netctx_ctx_pending(struct netctx_context *ctx,
			       struct netctx_pcb *pcb)
{
	if (!pcb->expiring) {
		pcb->expiring = true;
		pcb->expire_tail = atomic_long_read(&ctx->queue.tail);
	}
	if ((long)(pcb->expire_tail - ctx->queue.head) > 0)
		return true;
	pcb->expiring = false;
	return false;
}

static void netctx_ctx_timer(struct netctx_timer *timer, void *arg)
{
	struct netctx_pcb *pcb = container_of(timer, struct netctx_pcb, timer);
	struct netctx_context *ctx = arg;
	unsigned long idle = netctx_pcb_idle(pcb);
	unsigned long expires;

	/* Travelling: the new owner arms its timer again on arrival. */
	if (netctx_pcb_moving(pcb))
		return;
	if (pcb->state == NETCTX_STATE_ACTIVE && !pcb->wild) {
		expires = pcb->last_seen + idle;
		if (time_after(expires, jiffies)) {
			pcb->expiring = false;
			netctx_timer_arm(&ctx->own.wheel, timer, expires);
			return;
		}
		/*
		 * An unconfirmed one whose socket is past the handshake (a
		 * connection of ours whose peer fell silent after its
		 * SYN-ACK) is confirmed by that socket.
		 */
		if (pcb->tuple.proto == IPPROTO_TCP &&
		    netctx_pcb_tcp_alive(pcb, pcb->unconfirmed)) {
			if (pcb->unconfirmed) {
				netctx_pcb_confirm(pcb);
				idle = netctx_pcb_idle(pcb);
			}
			pcb->expiring = false;
			netctx_timer_arm(&ctx->own.wheel, timer,
					 jiffies + idle);
			return;
		}
	}
	/*
	 * A FIN is only a half-close and an RST may be forged: the PCB
	 * stays while its socket does, data may still flow.
	 */
	if (pcb->state == NETCTX_STATE_CLOSING &&
	    pcb->tuple.proto == IPPROTO_TCP &&
	    netctx_pcb_tcp_alive(pcb, pcb->unconfirmed)) {
		pcb->expiring = false;
		netctx_timer_arm(&ctx->own.wheel, timer, jiffies +
				 msecs_to_jiffies(netctx_linger_ms));
		return;
	}
	/* The thread delivers NETCTX_BATCH at a time: look again soon. */
	if (netctx_ctx_pending(ctx, pcb)) {
		netctx_timer_arm(&ctx->own.wheel, timer, jiffies + 1);
		return;
	}
	netctx_ctx_bury(ctx, pcb, true);
}

/*
 * In the owning context's thread, bottom halves disabled, RCU held. net is
 * the netns whose hook stole the packet: a device that left it since, or
 * is going away, gets its packet dropped (false) rather than delivered in
 * another netns or after its unregistration began.
 */
static bool netctx_ctx_reinject(struct net *net, struct sk_buff *skb,
				netctx_okfn_t okfn)
{
	/* okfn consumes skb: put the device we held after it. */
	struct net_device *dev = skb->dev;
	bool ok;

	ok = READ_ONCE(dev->reg_state) == NETREG_REGISTERED &&
	     net_eq(dev_net(dev), net);
	if (likely(ok))
		okfn(net, NULL, skb);
	else
		kfree_skb(skb);
	dev_put(dev);
	return ok;
}

/* The interfaces TCP's socket lookup will use for this packet. */
static void netctx_pcb_learn_ifs(struct netctx_pcb *pcb,
				 const struct sk_buff *skb)
{
	if (pcb->tuple.family == AF_INET) {
		pcb->dif = inet_iif(skb);
		pcb->sdif = inet_sdif(skb);
	} else {
		pcb->dif = inet6_iif(skb);
		pcb->sdif = inet6_sdif(skb);
	}
}

/*
 * Per packet, in the owner's thread, bottom halves off, RCU held. A packet
 * whose device left the PCB's netns or is being unregistered is dropped,
 * and counted as a drop of this context.
 */
void netctx_ctx_deliver(struct netctx_context *ctx, struct sk_buff *skb,
			struct netctx_pcb *pcb, unsigned int meta)
{
	unsigned int len = skb->len;
	struct netctx_ctx_stats *stats;

	if (unlikely(pcb->first_ctx < 0))
		netctx_pcb_learn_ifs(pcb, skb);
	if (unlikely(!netctx_ctx_reinject(netctx_pcb_net(pcb), skb,
					  pcb->okfn))) {
		atomic_long_inc(&ctx->shared.drops);
		return;
	}
	WRITE_ONCE(ctx->own.packets, ctx->own.packets + 1);
	WRITE_ONCE(ctx->own.bytes, ctx->own.bytes + len);
	/* A dead PCB's netns may be gone, and its figures with it. */
	if (unlikely(pcb->dead))
		return;
	stats = netctx_stats(netctx_pcb_net(pcb), ctx->id);
	WRITE_ONCE(stats->packets, stats->packets + 1);
	WRITE_ONCE(stats->bytes, stats->bytes + len);
	if (unlikely(!pcb->attached))
		netctx_ctx_attach(ctx, pcb);
	if (unlikely(pcb->unconfirmed))
		netctx_ctx_confirm(pcb, meta);
	if (unlikely(pcb->mig_start)) {
		trace_migrate_deliver(&pcb->tuple, ctx->id, ctx->id,
				      ktime_get_ns() - pcb->mig_start);
		pcb->mig_start = 0;
	}
	WRITE_ONCE(pcb->packets, pcb->packets + 1);
	WRITE_ONCE(pcb->bytes, pcb->bytes + len);
	pcb->last_seen = jiffies;
	if (unlikely(pcb->first_ctx < 0)) {
		WRITE_ONCE(pcb->first_ctx, ctx->id);
		WRITE_ONCE(pcb->state, NETCTX_STATE_ACTIVE);
		netctx_event_conn(pcb, NETCTX_EVENT_CONN_NEW);
	}
	if (unlikely(meta & (NETCTX_META_FIN | NETCTX_META_RST)) &&
	    pcb->state != NETCTX_STATE_CLOSING) {
		WRITE_ONCE(pcb->state, NETCTX_STATE_CLOSING);
		/* A migrating PCB gets its linger timer on arrival. */
		if (!netctx_pcb_moving(pcb))
			netctx_timer_arm(&ctx->own.wheel, &pcb->timer,
					 jiffies +
					 msecs_to_jiffies(netctx_linger_ms));
	}
}

/* Delivers up to NETCTX_BATCH packets; returns how many. */
static unsigned int netctx_ctx_rx(struct netctx_context *ctx)
{
	struct netctx_queue *q = &ctx->queue;
	struct netctx_slot *slot;
	struct netctx_pcb *pcb;
	struct sk_buff *skb;
	unsigned int n, meta;

	local_bh_disable();
	rcu_read_lock();
	for (n = 0; n < NETCTX_BATCH; n++) {
		slot = netctx_queue_peek(q);
		if (!slot)
			break;
		skb = slot->skb;
		pcb = slot->pcb;
		meta = slot->meta;
		netctx_queue_pop(q, slot);
		/* A hole: its producer took the packet elsewhere. */
		if (likely(skb))
			netctx_ctx_deliver(ctx, skb, pcb, meta);
	}
	rcu_read_unlock();
	local_bh_enable();
	return n;
}

/* Deliver everything queued up to now, waiting for producers mid-push. */
static void netctx_ctx_rx_until(struct netctx_context *ctx,
				unsigned long tail)
{
	while ((long)(tail - READ_ONCE(ctx->queue.head)) > 0) {
		if (!netctx_ctx_rx(ctx))
			cond_resched();
	}
}

static void netctx_ctx_reap(struct netctx_context *ctx)
{
	struct netctx_pcb *pcb, *tmp;
	LIST_HEAD(ready);

	/* Cookies are taken in burial order: stop at the first not ready. */
	list_for_each_entry_safe(pcb, tmp, &ctx->own.graveyard, grave_node) {
		if (!poll_state_synchronize_rcu(pcb->grave_cookie))
			break;
		list_move_tail(&pcb->grave_node, &ready);
	}
	if (list_empty(&ready))
		return;
	/*
	 * A classifier that spawned one of them has also handed it over by
	 * now: take it off the adopt list before freeing it.
	 */
	netctx_ctx_adopt_all(ctx);
	netctx_ctx_rx_until(ctx, atomic_long_read(&ctx->queue.tail));
	list_for_each_entry_safe(pcb, tmp, &ready, grave_node)
		netctx_pcb_free(pcb);
}

/* Owner only: deliver every packet queued so far. */
void netctx_ctx_drain(struct netctx_context *ctx)
{
	netctx_ctx_rx_until(ctx, atomic_long_read(&ctx->queue.tail));
}

/*
 * Oldest first: a wild pre-assignment joins before the connection that
 * claimed it, whose arrival then retires it.
 */
void netctx_ctx_adopt_all(struct netctx_context *ctx)
{
	struct llist_node *list = llist_del_all(&ctx->shared.adopt);
	struct netctx_pcb *pcb, *tmp;

	list = llist_reverse_order(list);
	llist_for_each_entry_safe(pcb, tmp, list, adopt_node) {
		pcb->adopting = false;
		if (!pcb->attached && !pcb->dead && pcb->ctx == ctx)
			netctx_ctx_attach(ctx, pcb);
	}
}

static void netctx_ctx_run_calls(struct netctx_context *ctx)
{
	struct llist_node *list = llist_del_all(&ctx->shared.calls);
	struct netctx_call *call, *tmp;

	list = llist_reverse_order(list);
	/* _safe: the caller's stack frame may vanish after complete(). */
	llist_for_each_entry_safe(call, tmp, list, node) {
		call->ret = call->fn(ctx, call->arg);
		complete(&call->done);
	}
}

/* Work posted to us, oldest first. */
static void netctx_ctx_run_works(struct netctx_context *ctx)
{
	struct llist_node *list = llist_del_all(&ctx->shared.works);
	struct netctx_work *work, *next;

	list = llist_reverse_order(list);
	/* _safe: a step may post its work on, or free it. */
	llist_for_each_entry_safe(work, next, list, node)
		work->fn(ctx, work);
}

static bool netctx_ctx_busy(struct netctx_context *ctx)
{
	return netctx_queue_peek(&ctx->queue) ||
	       !llist_empty(&ctx->shared.adopt) ||
	       !llist_empty(&ctx->shared.works) ||
	       !llist_empty(&ctx->shared.calls) || kthread_should_stop();
}

static void netctx_ctx_sleep(struct netctx_context *ctx)
{
	long timeout = netctx_wheel_timeout(&ctx->own.wheel);

	/* Poll the grace periods the graveyard waits for. */
	if (!list_empty(&ctx->own.graveyard))
		timeout = min(timeout, 1L);
	if (!timeout)
		return;
	set_current_state(TASK_INTERRUPTIBLE);
	WRITE_ONCE(ctx->idle, true);
	/* Pairs with the barrier in netctx_ctx_kick(). */
	smp_mb();
	if (!netctx_ctx_busy(ctx))
		schedule_timeout(timeout);
	WRITE_ONCE(ctx->idle, false);
	__set_current_state(TASK_RUNNING);
}

/* Module unload: the hooks are gone and every netns was flushed. */
static void netctx_ctx_shutdown(struct netctx_context *ctx)
{
	struct netctx_pcb *pcb, *tmp;

	netctx_ctx_run_calls(ctx);
	netctx_ctx_adopt_all(ctx);
	list_for_each_entry_safe(pcb, tmp, &ctx->own.pcbs, ctx_node)
		netctx_ctx_bury(ctx, pcb, false);
	synchronize_rcu();
	while (netctx_ctx_rx(ctx))
		;
	list_for_each_entry_safe(pcb, tmp, &ctx->own.graveyard, grave_node)
		netctx_pcb_free(pcb);
	INIT_LIST_HEAD(&ctx->own.graveyard);
}

static int netctx_ctx_thread(void *arg)
{
	struct netctx_context *ctx = arg;
	unsigned int fired, n;

	while (!kthread_should_stop()) {
		netctx_ctx_run_calls(ctx);
		netctx_ctx_run_works(ctx);
		netctx_ctx_adopt_all(ctx);
		n = netctx_ctx_rx(ctx);
		fired = netctx_wheel_run(&ctx->own.wheel, netctx_ctx_timer, ctx);
		if (fired)
			WRITE_ONCE(ctx->own.timers_fired,
				   ctx->own.timers_fired + fired);
		netctx_ctx_reap(ctx);
		if (n)
			cond_resched();
		else
			netctx_ctx_sleep(ctx);
	}
	netctx_ctx_shutdown(ctx);
	return 0;
}

/* Hands a PCB created outside the thread (classifier, netlink) to it. */
void netctx_ctx_adopt(struct netctx_context *ctx, struct netctx_pcb *pcb)
{
	atomic_inc(&ctx->shared.load);
	llist_add(&pcb->adopt_node, &ctx->shared.adopt);
	wake_up_process(ctx->task);
}

/* Hands work to the context's thread. */
void netctx_ctx_post(struct netctx_context *ctx, struct netctx_work *work)
{
	llist_add(&work->node, &ctx->shared.works);
	wake_up_process(ctx->task);
}

/* Runs fn(ctx, arg) in the context's thread and returns its result. */
int netctx_ctx_call(struct netctx_context *ctx,
		    int (*fn)(struct netctx_context *ctx, void *arg),
		    void *arg)
{
	struct netctx_call call = { .fn = fn, .arg = arg };

	init_completion(&call.done);
	llist_add(&call.node, &ctx->shared.calls);
	wake_up_process(ctx->task);
	wait_for_completion(&call.done);
	return call.ret;
}

static int netctx_ctx_flush_net_fn(struct netctx_context *ctx, void *arg)
{
	struct netctx_pcb *pcb, *tmp;
	struct net *net = arg;

	netctx_ctx_adopt_all(ctx);
	list_for_each_entry_safe(pcb, tmp, &ctx->own.pcbs, ctx_node) {
		if (net_eq(netctx_pcb_net(pcb), net))
			netctx_ctx_bury(ctx, pcb, false);
	}
	/*
	 * The hooks are gone a grace period ago: the ring holds every
	 * packet of the netns there will be. Deliver them now, while its
	 * devices may still be up (module unload), not after it is freed.
	 */
	netctx_ctx_drain(ctx);
	return 0;
}

/* Bury every PCB of a netns whose hooks are already unregistered. */
void netctx_ctx_flush_net(struct net *net)
{
	unsigned int i;

	for (i = 0; i < netctx_nr_contexts; i++)
		netctx_ctx_call(netctx_contexts[i], netctx_ctx_flush_net_fn,
				net);
}

/*
 * A sleeping thread only changes CPU when it wakes: wake every context
 * homed on or last run on this CPU, so that it moves now and
 * "ncctl ctx show" tells where it really runs.
 */
static void netctx_ctx_rebind(unsigned int cpu, const struct cpumask *mask)
{
	struct netctx_context *ctx;
	unsigned int i;

	for (i = 0; i < netctx_nr_contexts; i++) {
		ctx = netctx_contexts[i];
		if (ctx->cpu == cpu)
			set_cpus_allowed_ptr(ctx->task, mask);
		if (ctx->cpu == cpu || task_cpu(ctx->task) == cpu)
			wake_up_process(ctx->task);
	}
}

static int netctx_cpu_online(unsigned int cpu)
{
	netctx_ctx_rebind(cpu, cpumask_of(cpu));
	return 0;
}

/* Let the scheduler run the context elsewhere until its CPU returns. */
static int netctx_cpu_offline(unsigned int cpu)
{
	netctx_ctx_rebind(cpu, cpu_possible_mask);
	return 0;
}

static struct netctx_context *netctx_ctx_create(unsigned int id,
						unsigned int cpu,
						unsigned int queue_len)
{
	int node = cpu_to_node(cpu);
	struct netctx_context *ctx;

	ctx = kzalloc_node(sizeof(*ctx), GFP_KERNEL, node);
	if (!ctx)
		return ERR_PTR(-ENOMEM);
	ctx->id = id;
	ctx->cpu = cpu;
	init_llist_head(&ctx->shared.adopt);
	init_llist_head(&ctx->shared.calls);
	init_llist_head(&ctx->shared.works);
	INIT_LIST_HEAD(&ctx->own.pcbs);
	INIT_LIST_HEAD(&ctx->own.graveyard);
	netctx_wheel_init(&ctx->own.wheel);
	if (netctx_queue_init(&ctx->queue, queue_len, node)) {
		kfree(ctx);
		return ERR_PTR(-ENOMEM);
	}
	ctx->task = kthread_create_on_node(netctx_ctx_thread, ctx, node,
					   "netctx/%u", id);
	if (IS_ERR(ctx->task)) {
		struct task_struct *task = ctx->task;

		netctx_queue_uninit(&ctx->queue);
		kfree(ctx);
		return ERR_CAST(task);
	}
	kthread_bind(ctx->task, cpu);
	return ctx;
}

static void netctx_ctx_destroy(struct netctx_context *ctx)
{
	kthread_stop(ctx->task);
	netctx_queue_uninit(&ctx->queue);
	kfree(ctx);
}

/* Context i is homed on the i-th online CPU, wrapping around. */
int netctx_contexts_init(unsigned int nr, unsigned int queue_len)
{
	struct netctx_context *ctx;
	unsigned int i, cpu;
	int ret;

	netctx_contexts = kcalloc(nr, sizeof(*netctx_contexts), GFP_KERNEL);
	if (!netctx_contexts)
		return -ENOMEM;

	cpus_read_lock();
	cpu = cpumask_first(cpu_online_mask);
	for (i = 0; i < nr; i++) {
		ctx = netctx_ctx_create(i, cpu, queue_len);
		if (IS_ERR(ctx)) {
			ret = PTR_ERR(ctx);
			goto err_unlock;
		}
		netctx_contexts[i] = ctx;
		netctx_nr_contexts = i + 1;
		cpu = cpumask_next(cpu, cpu_online_mask);
		if (cpu >= nr_cpu_ids)
			cpu = cpumask_first(cpu_online_mask);
	}
	ret = cpuhp_setup_state_nocalls_cpuslocked(CPUHP_AP_ONLINE_DYN,
						   "net/netctx:online",
						   netctx_cpu_online,
						   netctx_cpu_offline);
	if (ret < 0)
		goto err_unlock;
	netctx_cpuhp = ret;
	cpus_read_unlock();

	for (i = 0; i < nr; i++)
		wake_up_process(netctx_contexts[i]->task);
	return 0;

err_unlock:
	cpus_read_unlock();
	netctx_contexts_uninit();
	return ret;
}

/* Hooks, netlink and every netns are gone: drain and stop the threads. */
void netctx_contexts_uninit(void)
{
	unsigned int i;

	if (netctx_cpuhp > 0)
		cpuhp_remove_state_nocalls(netctx_cpuhp);
	netctx_cpuhp = 0;
	for (i = 0; i < netctx_nr_contexts; i++)
		netctx_ctx_destroy(netctx_contexts[i]);
	netctx_nr_contexts = 0;
	kfree(netctx_contexts);
	netctx_contexts = NULL;
}
