// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace unit test of the context ring (kmod/queue.[ch]): many
 * producers, one consumer, as in the module (producers are softirqs on
 * any CPU, the consumer is the context thread). Built twice by the
 * Makefile, plain and under -fsanitize=thread: ThreadSanitizer reports a
 * slot read before its producer published it, or written before the
 * consumer released it.
 *
 * Each producer pushes a numbered stream; the consumer checks that every
 * item of every stream arrives exactly once and in its producer's order,
 * and that a full ring refuses a push instead of overwriting a slot.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>

#include "kselftest_harness.h"

#include "../../kmod/queue.h"

#define ITEMS	50000UL

/* The ring carries opaque pointers: encode (producer, sequence) in them. */
#define ENCODE(p, i)	((struct sk_buff *)(((i) << 8 | (p)) + 1))
#define PRODUCER(v)	((((unsigned long)(v)) - 1) & 0xff)
#define SEQUENCE(v)	((((unsigned long)(v)) - 1) >> 8)

struct ring_run {
	struct netctx_queue q;
	unsigned long full;	/* pushes refused by a full ring */
	unsigned int producers;
	unsigned int id;	/* for the producer threads */
	pthread_mutex_t lock;
};

static void *producer(void *arg)
{
	struct ring_run *run = arg;
	unsigned long i, full = 0;
	unsigned int me;

	pthread_mutex_lock(&run->lock);
	me = run->id++;
	pthread_mutex_unlock(&run->lock);
	for (i = 0; i < ITEMS; i++) {
		while (!netctx_queue_push(&run->q, ENCODE(me, i),
					  (struct netctx_pcb *)run, me)) {
			full++;
			sched_yield();
		}
	}
	__atomic_fetch_add(&run->full, full, __ATOMIC_RELAXED);
	return NULL;
}

FIXTURE(ring) {
	struct ring_run run;
};

FIXTURE_VARIANT(ring) {
	unsigned int producers;
	unsigned int len;
};

FIXTURE_VARIANT_ADD(ring, one_producer) { .producers = 1, .len = 64 };
FIXTURE_VARIANT_ADD(ring, four_producers) { .producers = 4, .len = 64 };
FIXTURE_VARIANT_ADD(ring, eight_producers_tiny) { .producers = 8, .len = 2 };
FIXTURE_VARIANT_ADD(ring, eight_producers_big) { .producers = 8, .len = 4096 };

FIXTURE_SETUP(ring)
{
	memset(&self->run, 0, sizeof(self->run));
	pthread_mutex_init(&self->run.lock, NULL);
	self->run.producers = variant->producers;
	ASSERT_EQ(0, netctx_queue_init(&self->run.q, variant->len, 0));
	/* A length is rounded up to a power of two. */
	ASSERT_EQ(roundup_pow_of_two(variant->len) - 1, self->run.q.mask);
}

FIXTURE_TEARDOWN(ring)
{
	netctx_queue_uninit(&self->run.q);
}

TEST_F(ring, every_item_once_in_order)
{
	unsigned long next[256] = { 0 }, got = 0, total;
	pthread_t threads[256];
	struct netctx_slot *slot;
	unsigned int p;

	total = ITEMS * variant->producers;
	for (p = 0; p < variant->producers; p++)
		ASSERT_EQ(0, pthread_create(&threads[p], NULL, producer,
					    &self->run));
	while (got < total) {
		slot = netctx_queue_peek(&self->run.q);
		if (!slot) {
			sched_yield();
			continue;
		}
		p = PRODUCER(slot->skb);
		ASSERT_LT(p, variant->producers);
		ASSERT_EQ(next[p], SEQUENCE(slot->skb));
		ASSERT_EQ(p, slot->meta);
		ASSERT_EQ((void *)&self->run, (void *)slot->pcb);
		next[p]++;
		got++;
		netctx_queue_pop(&self->run.q, slot);
		ASSERT_LE(netctx_queue_len(&self->run.q), self->run.q.mask + 1);
	}
	for (p = 0; p < variant->producers; p++)
		ASSERT_EQ(0, pthread_join(threads[p], NULL));
	EXPECT_EQ(NULL, netctx_queue_peek(&self->run.q));
	EXPECT_EQ(0UL, netctx_queue_len(&self->run.q));
	TH_LOG("%lu items, %lu pushes refused by a full ring", got,
	       self->run.full);
}

TEST_F(ring, full_ring_refuses)
{
	unsigned long len = self->run.q.mask + 1, i;
	struct netctx_slot *slot;

	for (i = 0; i < len; i++)
		ASSERT_TRUE(netctx_queue_push(&self->run.q, ENCODE(0, i),
					      NULL, 0));
	ASSERT_FALSE(netctx_queue_push(&self->run.q, ENCODE(0, len), NULL, 0));
	ASSERT_EQ(len, netctx_queue_len(&self->run.q));
	/* One pop frees one slot, and the next push lands after the rest. */
	slot = netctx_queue_peek(&self->run.q);
	ASSERT_NE(NULL, slot);
	ASSERT_EQ(0UL, SEQUENCE(slot->skb));
	netctx_queue_pop(&self->run.q, slot);
	ASSERT_TRUE(netctx_queue_push(&self->run.q, ENCODE(0, len), NULL, 0));
	for (i = 1; i <= len; i++) {
		slot = netctx_queue_peek(&self->run.q);
		ASSERT_NE(NULL, slot);
		ASSERT_EQ(i, SEQUENCE(slot->skb));
		netctx_queue_pop(&self->run.q, slot);
	}
	ASSERT_EQ(NULL, netctx_queue_peek(&self->run.q));
}

TEST_HARNESS_MAIN
