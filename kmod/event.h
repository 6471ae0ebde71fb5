/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Connection events go up through one slot: the data path and the
 * control plane report them here, and netlink.c, the only listener,
 * registers its callbacks once its family exists and clears them before
 * it goes (as conntrack's nf_conntrack_register_notifier() does). So
 * nothing below netlink.c calls into it.
 */
#ifndef _NETCTX_EVENT_H
#define _NETCTX_EVENT_H

#include <linux/rcupdate.h>
#include <linux/types.h>

struct net;
struct netctx_pcb;
struct netctx_tuple;

struct netctx_event_ops {
	/* enum netctx_event, about a PCB its caller owns or holds */
	void (*conn)(const struct netctx_pcb *pcb, u8 event);
	/* a migration asked not to wait failed with errno err */
	void (*fail)(struct net *net, const struct netctx_tuple *t, int err);
};

extern const struct netctx_event_ops __rcu *netctx_event_ops;

void netctx_events_register(const struct netctx_event_ops *ops);
void netctx_events_unregister(void);

/* Any context: process, or bottom halves off. */
static inline void netctx_event_conn(const struct netctx_pcb *pcb, u8 event)
{
	const struct netctx_event_ops *ops;

	rcu_read_lock();
	ops = rcu_dereference(netctx_event_ops);
	if (ops)
		ops->conn(pcb, event);
	rcu_read_unlock();
}

static inline void netctx_event_fail(struct net *net,
				     const struct netctx_tuple *t, int err)
{
	const struct netctx_event_ops *ops;

	rcu_read_lock();
	ops = rcu_dereference(netctx_event_ops);
	if (ops)
		ops->fail(net, t, err);
	rcu_read_unlock();
}

#endif /* _NETCTX_EVENT_H */
