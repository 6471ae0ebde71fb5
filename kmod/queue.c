// SPDX-License-Identifier: GPL-2.0
#include "queue.h"

#include <linux/log2.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

int netctx_queue_init(struct netctx_queue *q, unsigned int len, int node)
{
	unsigned long i;

	len = roundup_pow_of_two(len);
	q->slots = kvzalloc_node(array_size(len, sizeof(*q->slots)),
				 GFP_KERNEL, node);
	if (!q->slots)
		return -ENOMEM;
	for (i = 0; i < len; i++)
		q->slots[i].seq = i;
	q->mask = len - 1;
	atomic_long_set(&q->tail, 0);
	q->head = 0;
	return 0;
}

void netctx_queue_uninit(struct netctx_queue *q)
{
	kvfree(q->slots);
	q->slots = NULL;
}
