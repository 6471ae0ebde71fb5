// SPDX-License-Identifier: GPL-2.0
/*
 * Per-context timer wheel. Every PCB has exactly one timer, armed only by
 * the context that owns the PCB and fired in that context's thread:
 *
 *   idle      armed when a PCB joins its context, at last packet + the
 *             protocol's idle timeout; on expiry the PCB is re-armed if a
 *             packet came since, otherwise it is freed.
 *   linger    replaces the idle timer when a TCP FIN or RST is received;
 *             on expiry the PCB is freed.
 *   assign    a pre-assigned PCB that has seen no packet expires.
 *
 * The wheel has one slot per jiffy; a timer further away than one turn
 * sits in its slot for several turns and is checked each time. A bitmap
 * of the slots that hold timers tells the thread how long it may sleep
 * without looking at empty slots: a bit is set when a timer joins its
 * slot and cleared when the slot is found empty. Because
 * only the owner thread touches a wheel, no locking is needed, and a PCB
 * changing context takes its timer along by cancel + arm.
 */
#include "timer.h"

#include <linux/jiffies.h>
#include <linux/sched.h>

void netctx_wheel_init(struct netctx_wheel *wheel)
{
	unsigned int i;

	for (i = 0; i < NETCTX_WHEEL_SLOTS; i++)
		INIT_HLIST_HEAD(&wheel->slots[i]);
	bitmap_zero(wheel->busy, NETCTX_WHEEL_SLOTS);
	wheel->clk = jiffies;
	wheel->armed = 0;
}

void netctx_timer_init(struct netctx_timer *timer)
{
	INIT_HLIST_NODE(&timer->node);
	timer->expires = 0;
}

void netctx_timer_arm(struct netctx_wheel *wheel, struct netctx_timer *timer,
		      unsigned long expires)
{
	unsigned long slot = expires;

	if (netctx_timer_pending(timer))
		hlist_del_init(&timer->node);
	else
		wheel->armed++;
	/* A timer in the past fires at the next run. */
	if (time_before(slot, wheel->clk))
		slot = wheel->clk;
	timer->expires = expires;
	slot &= NETCTX_WHEEL_SLOTS - 1;
	hlist_add_head(&timer->node, &wheel->slots[slot]);
	__set_bit(slot, wheel->busy);
}

void netctx_timer_cancel(struct netctx_wheel *wheel,
			 struct netctx_timer *timer)
{
	if (!netctx_timer_pending(timer))
		return;
	hlist_del_init(&timer->node);
	wheel->armed--;
}

static unsigned int netctx_wheel_run_slot(struct netctx_wheel *wheel,
					  unsigned int idx, unsigned long now,
					  netctx_timer_fn fn, void *arg)
{
	struct netctx_timer *timer;
	struct hlist_node *tmp;
	unsigned int fired = 0;

	hlist_for_each_entry_safe(timer, tmp, &wheel->slots[idx], node) {
		if (time_after(timer->expires, now))
			continue;
		hlist_del_init(&timer->node);
		wheel->armed--;
		fired++;
		/* fn may re-arm or free this timer, nothing else. */
		fn(timer, arg);
	}
	if (hlist_empty(&wheel->slots[idx]))
		__clear_bit(idx, wheel->busy);
	return fired;
}

/* Fires every due timer; returns how many fired. */
unsigned int netctx_wheel_run(struct netctx_wheel *wheel, netctx_timer_fn fn,
			      void *arg)
{
	unsigned long now = jiffies;
	unsigned int fired = 0, i;

	if (!wheel->armed) {
		wheel->clk = now + 1;
		return 0;
	}
	/*
	 * clk moves past a slot before the slot runs, so a timer re-armed
	 * from fn for a due time lands in a slot still ahead of us.
	 */
	if (time_after_eq(now, wheel->clk + NETCTX_WHEEL_SLOTS)) {
		/* Fell behind by a full turn: every slot may hold due timers. */
		wheel->clk = now + 1;
		for (i = 0; i < NETCTX_WHEEL_SLOTS; i++)
			fired += netctx_wheel_run_slot(wheel, i, now, fn, arg);
		return fired;
	}
	while (time_before_eq(wheel->clk, now)) {
		i = wheel->clk++ & (NETCTX_WHEEL_SLOTS - 1);
		fired += netctx_wheel_run_slot(wheel, i, now, fn, arg);
	}
	return fired;
}

/* How long the owner may sleep before the wheel needs to run again. */
long netctx_wheel_timeout(struct netctx_wheel *wheel)
{
	unsigned long now = jiffies, from, i;

	if (!wheel->armed)
		return MAX_SCHEDULE_TIMEOUT;
	if (time_before_eq(wheel->clk, now))
		return 0;
	from = wheel->clk & (NETCTX_WHEEL_SLOTS - 1);
	for (;;) {
		/* The first busy slot at or after clk's, round the turn. */
		i = find_next_bit(wheel->busy, NETCTX_WHEEL_SLOTS, from);
		if (i == NETCTX_WHEEL_SLOTS)
			i = find_first_bit(wheel->busy, NETCTX_WHEEL_SLOTS);
		/* Cannot be: armed means some slot holds a timer. */
		if (i == NETCTX_WHEEL_SLOTS)
			return NETCTX_WHEEL_SLOTS;
		if (!hlist_empty(&wheel->slots[i]))
			break;
		__clear_bit(i, wheel->busy);
	}
	return ((i - from) & (NETCTX_WHEEL_SLOTS - 1)) + wheel->clk - now;
}
