// SPDX-License-Identifier: GPL-2.0
/*
 * Per network namespace state that outlives a request: the quota of
 * unprivileged pre-assignments. The netns's lifecycle is pernet.c's.
 */
#include "netns.h"
#include "params.h"

#include <linux/hash.h>
#include <linux/mm.h>
#include <linux/slab.h>

/*
 * Before the hooks of a netns are registered, so that every PCB of the
 * netns finds them; freed when it exits, after its PCBs left the
 * contexts.
 */
int netctx_stats_alloc(struct netctx_net *nn, unsigned int nr_contexts)
{
	nn->stats = kvcalloc(nr_contexts, sizeof(*nn->stats),
			     GFP_KERNEL_ACCOUNT);
	return nn->stats ? 0 : -ENOMEM;
}

void netctx_stats_free(struct netctx_net *nn)
{
	kvfree(nn->stats);
	nn->stats = NULL;
}

/*
 * Pre-assignments of unprivileged sockets count against user_assign_max
 * per uid and netns, so that no user fills the shared table (max_conns)
 * or uses up the others' share. A uid also has at most one migration
 * under way, so that its loop delays another user's move by one move at
 * most. An entry lives while it counts something: there are never more
 * entries than such PCBs and migrations.
 */
struct netctx_uquota {
	struct hlist_node node;
	kuid_t uid;
	unsigned int count;
	bool moving;
};

static struct netctx_uquota *netctx_uquota_find(struct netctx_net *nn,
						kuid_t uid,
						struct hlist_head **head)
{
	struct netctx_uquota *q;

	*head = &nn->uquota[hash_32(__kuid_val(uid), NETCTX_UQUOTA_BITS)];
	hlist_for_each_entry(q, *head, node)
		if (uid_eq(q->uid, uid))
			return q;
	return NULL;
}

/* Returns 0, or -ENOSPC when uid holds user_assign_max already. */
int netctx_uquota_take(struct netctx_net *nn, kuid_t uid)
{
	struct netctx_uquota *q, *new;
	struct hlist_head *head;
	int ret = 0;

	new = kzalloc(sizeof(*new), GFP_KERNEL_ACCOUNT);
	spin_lock_bh(&nn->uquota_lock);
	q = netctx_uquota_find(nn, uid, &head);
	if (!q && !new) {
		ret = -ENOMEM;
	} else if (q && q->count >= netctx_user_assign_max) {
		ret = -ENOSPC;
	} else if (!q && !netctx_user_assign_max) {
		ret = -ENOSPC;
	} else {
		if (!q) {
			q = new;
			new = NULL;
			q->uid = uid;
			hlist_add_head(&q->node, head);
		}
		q->count++;
	}
	spin_unlock_bh(&nn->uquota_lock);
	kfree(new);
	return ret;
}

/* Any context, also under a directory lock. */
void netctx_uquota_put(struct netctx_net *nn, kuid_t uid)
{
	struct netctx_uquota *q;
	struct hlist_head *head;

	spin_lock_bh(&nn->uquota_lock);
	q = netctx_uquota_find(nn, uid, &head);
	if (!WARN_ON_ONCE(!q || !q->count) && !--q->count && !q->moving) {
		hlist_del(&q->node);
		kfree(q);
	}
	spin_unlock_bh(&nn->uquota_lock);
}

/* Returns 0, or -EBUSY while another migration of uid is under way. */
int netctx_umove_take(struct netctx_net *nn, kuid_t uid)
{
	struct netctx_uquota *q, *new;
	struct hlist_head *head;
	int ret = 0;

	new = kzalloc(sizeof(*new), GFP_KERNEL_ACCOUNT);
	spin_lock_bh(&nn->uquota_lock);
	q = netctx_uquota_find(nn, uid, &head);
	if (q && q->moving) {
		ret = -EBUSY;
	} else if (!q && !new) {
		ret = -ENOMEM;
	} else {
		if (!q) {
			q = new;
			new = NULL;
			q->uid = uid;
			hlist_add_head(&q->node, head);
		}
		q->moving = true;
	}
	spin_unlock_bh(&nn->uquota_lock);
	kfree(new);
	return ret;
}

void netctx_umove_put(struct netctx_net *nn, kuid_t uid)
{
	struct netctx_uquota *q;
	struct hlist_head *head;

	spin_lock_bh(&nn->uquota_lock);
	q = netctx_uquota_find(nn, uid, &head);
	if (!WARN_ON_ONCE(!q || !q->moving)) {
		q->moving = false;
		if (!q->count) {
			hlist_del(&q->node);
			kfree(q);
		}
	}
	spin_unlock_bh(&nn->uquota_lock);
}
