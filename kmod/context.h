/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NETCTX_CONTEXT_H
#define _NETCTX_CONTEXT_H

#include "queue.h"
#include "timer.h"

#include <linux/cache.h>
#include <linux/llist.h>
#include <linux/sched.h>

struct net;
struct netctx_pcb;

/*
 * A network context: one kernel thread, its packet queue, its PCBs and its
 * timer wheel. Fields are grouped by who writes them so that producers on
 * other CPUs never share a cache line with the owner's hot state.
 */
struct netctx_context {
	/* read-mostly */
	struct task_struct *task;
	unsigned int id;
	unsigned int cpu;		/* home CPU */
	bool idle;			/* thread asleep or about to sleep */
	struct netctx_queue queue;

	/* written from any CPU: classifier and control plane */
	struct {
		atomic_long_t drops;	/* packets refused: queue full */
		atomic_long_t overflows;	/* flows refused: max_conns */
		atomic_t load;		/* PCBs owned or on their way */
		struct llist_head adopt;	/* PCBs handed to us */
		struct llist_head calls;	/* control requests */
		struct llist_head works;	/* struct netctx_work */
		u64 load_pps;		/* packets/s, by balance.c */
	} shared ____cacheline_aligned_in_smp;

	/* written by the thread only; others READ_ONCE the counters */
	struct {
		struct list_head pcbs;	/* the private table */
		unsigned int nr_pcbs;
		struct list_head graveyard;	/* unlinked, awaiting RCU */
		struct netctx_wheel wheel;
		u64 packets;
		u64 bytes;
		u64 migrations_in;
		u64 migrations_out;
		u64 timers_fired;
	} own ____cacheline_aligned_in_smp;
};

/*
 * A step of a control request that must run in a context's thread, such
 * as a migration's (migrate.c): fn runs there, and may post it on.
 */
struct netctx_work {
	struct llist_node node;
	void (*fn)(struct netctx_context *ctx, struct netctx_work *work);
};

extern struct netctx_context **netctx_contexts;
extern unsigned int netctx_nr_contexts;

int netctx_contexts_init(unsigned int nr, unsigned int queue_len);
void netctx_contexts_uninit(void);

static inline struct netctx_context *netctx_context(unsigned int id)
{
	return netctx_contexts[id];
}

/*
 * After a packet was published in ctx's queue, from any CPU. Only the
 * producer that finds the thread idle and clears the flag wakes it: the
 * others, until it sleeps again, know it will see their packets.
 */
static inline void netctx_ctx_kick(struct netctx_context *ctx)
{
	/* Pairs with the barrier in netctx_ctx_sleep(). */
	smp_mb();
	if (READ_ONCE(ctx->idle) && xchg(&ctx->idle, false))
		wake_up_process(ctx->task);
}

void netctx_ctx_adopt(struct netctx_context *ctx, struct netctx_pcb *pcb);
void netctx_ctx_adopt_all(struct netctx_context *ctx);
void netctx_ctx_attach(struct netctx_context *ctx, struct netctx_pcb *pcb);
void netctx_ctx_attach_at(struct netctx_context *ctx, struct netctx_pcb *pcb,
			  unsigned long expires);
void netctx_ctx_post(struct netctx_context *ctx, struct netctx_work *work);
void netctx_ctx_arm(struct netctx_context *ctx, struct netctx_pcb *pcb);
void netctx_ctx_detach(struct netctx_context *ctx, struct netctx_pcb *pcb);
void netctx_ctx_deliver(struct netctx_context *ctx, struct sk_buff *skb,
			struct netctx_pcb *pcb, unsigned int meta);
void netctx_ctx_drain(struct netctx_context *ctx);
int netctx_ctx_call(struct netctx_context *ctx,
		    int (*fn)(struct netctx_context *ctx, void *arg),
		    void *arg);
void netctx_ctx_flush_net(struct net *net);
unsigned int netctx_ctx_cpu(const struct netctx_context *ctx);

#endif /* _NETCTX_CONTEXT_H */
