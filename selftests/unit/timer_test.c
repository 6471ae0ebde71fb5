// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace unit test of the per-context timer wheel (kmod/timer.c)
 * against a model: random arms, cancels, re-arms from the callback and
 * clock jumps (small steps, and more than a turn of the wheel at once).
 * After every run of the wheel, no pending timer is due (each timer fires
 * at the first run at or after its expiry, never before; one armed when
 * already due, at the first run of a later jiffy), the armed count
 * matches, and netctx_wheel_timeout() never lets the owner sleep past a
 * due timer.
 */
#include <stdio.h>

#include "kselftest_harness.h"

#include "../../kmod/timer.h"

unsigned long jiffies;

#define NR_TIMERS	512

struct model {
	struct netctx_timer timer;
	bool armed;
	unsigned long expires;
	unsigned int fired;
	/*
	 * The first jiffy at which a run must fire it: its expiry, or for
	 * one armed already due, the next jiffy the wheel has not run yet.
	 */
	unsigned long eligible;
};

static struct model timers[NR_TIMERS];
static struct netctx_wheel wheel;
static unsigned int rearm_percent;
static unsigned long rng;
static int errors;

static unsigned long next_rand(void)
{
	rng = rng * 6364136223846793005UL + 1442695040888963407UL;
	return rng >> 33;
}

static void arm(struct model *m, unsigned long expires)
{
	netctx_timer_arm(&wheel, &m->timer, expires);
	m->armed = true;
	m->expires = expires;
	m->eligible = time_before(expires, wheel.clk) ? wheel.clk : expires;
}

static void on_fire(struct netctx_timer *timer, void *arg)
{
	struct model *m = container_of(timer, struct model, timer);

	(void)arg;
	if (!m->armed || time_after(m->expires, jiffies)) {
		fprintf(stderr, "timer %ld fired early or unarmed\n",
			(long)(m - timers));
		errors++;
	}
	m->armed = false;
	m->fired++;
	/* The PCB timer functions re-arm for a later idle check. */
	if (next_rand() % 100 < rearm_percent)
		arm(m, jiffies + next_rand() % 3000);
}

/* What the owner may sleep, by looking at every slot in turn. */
static long slot_scan(void)
{
	unsigned int i;

	if (!wheel.armed)
		return MAX_SCHEDULE_TIMEOUT;
	if (time_before_eq(wheel.clk, jiffies))
		return 0;
	for (i = 0; i < NETCTX_WHEEL_SLOTS; i++)
		if (!hlist_empty(&wheel.slots[(wheel.clk + i) &
					      (NETCTX_WHEEL_SLOTS - 1)]))
			return wheel.clk + i - jiffies;
	return -1;
}

static void check(struct __test_metadata *_metadata)
{
	unsigned int i, armed = 0;
	long timeout, until = MAX_SCHEDULE_TIMEOUT;

	for (i = 0; i < NR_TIMERS; i++) {
		if (!timers[i].armed)
			continue;
		armed++;
		ASSERT_TRUE(netctx_timer_pending(&timers[i].timer));
		/* Nothing due is left after a run. */
		ASSERT_TRUE(time_after(timers[i].eligible, jiffies));
		if ((long)(timers[i].eligible - jiffies) < until)
			until = timers[i].eligible - jiffies;
	}
	ASSERT_EQ(armed, wheel.armed);
	timeout = netctx_wheel_timeout(&wheel);
	ASSERT_GE(timeout, 0);
	ASSERT_LE(timeout, until);
	/* And no shorter than the first slot that holds a timer. */
	ASSERT_EQ(timeout, slot_scan());
	ASSERT_EQ(0, errors);
}

FIXTURE(wheel) {
	int unused;
};

FIXTURE_VARIANT(wheel) {
	unsigned long start;	/* jiffies starts near a wrap, as in Linux */
	unsigned int max_step;
	unsigned int rearm_percent;
};

FIXTURE_VARIANT_ADD(wheel, small_steps) {
	.start = -300000UL, .max_step = 8, .rearm_percent = 30,
};
FIXTURE_VARIANT_ADD(wheel, turn_jumps) {
	.start = 12345, .max_step = 1500, .rearm_percent = 50,
};
FIXTURE_VARIANT_ADD(wheel, no_rearm) {
	.start = 0, .max_step = 64, .rearm_percent = 0,
};

FIXTURE_SETUP(wheel)
{
	unsigned int i;

	jiffies = variant->start;
	rng = variant->start + variant->max_step;
	rearm_percent = variant->rearm_percent;
	errors = 0;
	netctx_wheel_init(&wheel);
	for (i = 0; i < NR_TIMERS; i++) {
		memset(&timers[i], 0, sizeof(timers[i]));
		netctx_timer_init(&timers[i].timer);
	}
}

FIXTURE_TEARDOWN(wheel)
{
}

TEST_F(wheel, model)
{
	unsigned long steps, fired = 0;
	unsigned int i, n;
	long timeout;

	for (steps = 0; steps < 200000; steps++) {
		struct model *m = &timers[next_rand() % NR_TIMERS];

		switch (next_rand() % 4) {
		case 0:	/* arm or re-arm, up to a few turns ahead */
			arm(m, jiffies + next_rand() % 2000);
			break;
		case 1:	/* a timer in the past fires at the next run */
			arm(m, jiffies - next_rand() % 100);
			break;
		case 2:
			netctx_timer_cancel(&wheel, &m->timer);
			m->armed = false;
			break;
		default:
			/* Sleep as the owner would, or get woken early. */
			timeout = netctx_wheel_timeout(&wheel);
			n = next_rand() % (variant->max_step + 1);
			if (timeout >= 0 && timeout < (long)n &&
			    next_rand() % 2)
				n = timeout;
			jiffies += n;
			fired += netctx_wheel_run(&wheel, on_fire, NULL);
			check(_metadata);
		}
	}
	for (i = 0; i < NR_TIMERS; i++)
		netctx_timer_cancel(&wheel, &timers[i].timer);
	ASSERT_EQ(0U, wheel.armed);
	TH_LOG("%lu timers fired", fired);
}

TEST_HARNESS_MAIN
