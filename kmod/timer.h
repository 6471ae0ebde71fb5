/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NETCTX_TIMER_H
#define _NETCTX_TIMER_H

#include <linux/bitmap.h>
#include <linux/bits.h>
#include <linux/list.h>
#include <linux/types.h>

#define NETCTX_WHEEL_BITS	9
#define NETCTX_WHEEL_SLOTS	BIT(NETCTX_WHEEL_BITS)

struct netctx_timer {
	struct hlist_node node;
	unsigned long expires;	/* jiffies */
};

/*
 * A context's private timer wheel: one slot per jiffy. A slot's bit in
 * busy is set while it holds a timer (and may stay set a while after).
 */
struct netctx_wheel {
	struct hlist_head slots[NETCTX_WHEEL_SLOTS];
	DECLARE_BITMAP(busy, NETCTX_WHEEL_SLOTS);
	unsigned long clk;	/* next jiffy to process */
	unsigned int armed;
};

typedef void (*netctx_timer_fn)(struct netctx_timer *timer, void *arg);

void netctx_wheel_init(struct netctx_wheel *wheel);
void netctx_timer_init(struct netctx_timer *timer);
void netctx_timer_arm(struct netctx_wheel *wheel, struct netctx_timer *timer,
		      unsigned long expires);
void netctx_timer_cancel(struct netctx_wheel *wheel,
			 struct netctx_timer *timer);
unsigned int netctx_wheel_run(struct netctx_wheel *wheel, netctx_timer_fn fn,
			      void *arg);
long netctx_wheel_timeout(struct netctx_wheel *wheel);

static inline bool netctx_timer_pending(const struct netctx_timer *timer)
{
	return !hlist_unhashed(&timer->node);
}

#endif /* _NETCTX_TIMER_H */
