/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A bounded multi-producer single-consumer ring of received packets.
 *
 * Producers are the classifier running in softirq on any CPU; the consumer
 * is the context thread. Each slot carries a sequence number (Vyukov's
 * bounded queue): a producer claims a position with one cmpxchg on the tail
 * and publishes the slot with a release store; the consumer needs no atomic
 * operation at all. No lock and no allocation per packet.
 */
#ifndef _NETCTX_QUEUE_H
#define _NETCTX_QUEUE_H

#include <linux/atomic.h>
#include <linux/cache.h>
#include <linux/types.h>

struct sk_buff;
struct netctx_pcb;

/* What the classifier notes in slot.meta for the owner: TCP flags. */
#define NETCTX_META_FIN		0x01	/* TCPHDR_FIN */
#define NETCTX_META_SYN		0x02	/* TCPHDR_SYN */
#define NETCTX_META_RST		0x04	/* TCPHDR_RST */
#define NETCTX_META_ACK		0x10	/* TCPHDR_ACK */

struct netctx_slot {
	unsigned long seq;
	struct sk_buff *skb;
	struct netctx_pcb *pcb;
	unsigned int meta;	/* classifier's note, e.g. TCP flags */
};

struct netctx_queue {
	/* read-mostly */
	struct netctx_slot *slots;
	unsigned long mask;
	/* written by every producer */
	atomic_long_t tail ____cacheline_aligned_in_smp;
	/* written by the consumer only */
	unsigned long head ____cacheline_aligned_in_smp;
};

int netctx_queue_init(struct netctx_queue *q, unsigned int len, int node);
void netctx_queue_uninit(struct netctx_queue *q);

/*
 * Claims the next slot for pos; returns NULL when the ring is full. The
 * claim is fully ordered: a load after it cannot pass it (migrate.c).
 * The slot must then be published, with a packet or as a hole (NULL skb).
 */
static inline struct netctx_slot *netctx_queue_claim(struct netctx_queue *q,
						     unsigned long *posp)
{
	unsigned long pos = atomic_long_read(&q->tail);
	struct netctx_slot *slot;
	long diff;

	for (;;) {
		slot = &q->slots[pos & q->mask];
		/* Pairs with the consumer's release in netctx_queue_pop(). */
		diff = (long)(smp_load_acquire(&slot->seq) - pos);
		if (diff < 0)
			return NULL;	/* the consumer has not freed it yet */
		if (diff == 0 &&
		    atomic_long_try_cmpxchg(&q->tail, (long *)&pos, pos + 1))
			break;
		if (diff > 0)	/* another producer took it: catch up */
			pos = atomic_long_read(&q->tail);
	}
	*posp = pos;
	return slot;
}

static inline void netctx_queue_publish(struct netctx_slot *slot,
					unsigned long pos, struct sk_buff *skb,
					struct netctx_pcb *pcb,
					unsigned int meta)
{
	slot->skb = skb;
	slot->pcb = pcb;
	slot->meta = meta;
	/* Publish the slot: pairs with netctx_queue_peek(). */
	smp_store_release(&slot->seq, pos + 1);
}

/* Returns false when the ring is full. */
static inline bool netctx_queue_push(struct netctx_queue *q,
				     struct sk_buff *skb,
				     struct netctx_pcb *pcb, unsigned int meta)
{
	struct netctx_slot *slot;
	unsigned long pos;

	slot = netctx_queue_claim(q, &pos);
	if (!slot)
		return false;
	netctx_queue_publish(slot, pos, skb, pcb, meta);
	return true;
}

/*
 * Consumer only. Returns NULL when the ring is empty or the next slot is
 * still being written by its producer (which then wakes the consumer).
 */
static inline struct netctx_slot *netctx_queue_peek(struct netctx_queue *q)
{
	struct netctx_slot *slot = &q->slots[q->head & q->mask];

	/* Pairs with the producer's release in netctx_queue_push(). */
	if (smp_load_acquire(&slot->seq) != q->head + 1)
		return NULL;
	return slot;
}

/* Consumer only: release the slot returned by netctx_queue_peek(). */
static inline void netctx_queue_pop(struct netctx_queue *q,
				    struct netctx_slot *slot)
{
	/* Hand the slot to the producer one lap ahead, after our reads. */
	smp_store_release(&slot->seq, q->head + q->mask + 1);
	WRITE_ONCE(q->head, q->head + 1);
}

/* Approximate number of queued packets, for statistics. */
static inline unsigned long netctx_queue_len(const struct netctx_queue *q)
{
	long n = atomic_long_read(&q->tail) - READ_ONCE(q->head);

	return n > 0 ? n : 0;
}

#endif /* _NETCTX_QUEUE_H */
