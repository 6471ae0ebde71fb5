// SPDX-License-Identifier: GPL-2.0
/*
 * The lifecycle of a network namespace's netctx state: the hooks (added by
 * its first policy or pre-assignment, hook.c), the port policies, the
 * PCBs. Registered as a pernet subsystem, so a dying netns
 * reaches us after its virtual devices were unregistered, which waited for
 * every packet we held a device reference on. (A physical NIC goes back to
 * init_net instead; packets queued from it are dropped at delivery.)
 */
#include "pernet.h"
#include "context.h"
#include "hook.h"
#include "migrate.h"
#include "netns.h"
#include "pcb.h"
#include "policy.h"

#include <linux/wait_bit.h>

unsigned int netctx_net_id __read_mostly;

static int __net_init netctx_net_init(struct net *net)
{
	struct netctx_net *nn = netctx_net(net);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(nn->policies); i++)
		INIT_HLIST_HEAD(&nn->policies[i]);
	mutex_init(&nn->lock);
	nn->max_pcbs = netctx_pcb_netns_max(net);
	atomic_set(&nn->nr_pcbs, 0);
	atomic_set(&nn->nr_wild, 0);
	atomic_set(&nn->nr_new, 0);
	nn->policy_gen = 1;
	atomic_set(&nn->moves, 0);
	atomic_set(&nn->nr_sess, 0);
	/* atomic_t is an int: zero is zero. */
	memset(nn->lports, 0, sizeof(nn->lports));
	memset(nn->rports, 0, sizeof(nn->rports));
	for (i = 0; i < ARRAY_SIZE(nn->sess); i++)
		RCU_INIT_POINTER(nn->sess[i], NULL);
	spin_lock_init(&nn->uquota_lock);
	for (i = 0; i < ARRAY_SIZE(nn->uquota); i++)
		INIT_HLIST_HEAD(&nn->uquota[i]);
	nn->hooked = false;
	nn->stats = NULL;
	return 0;
}

/*
 * nf_unregister_net_hooks() does not wait for CPUs still in the hook:
 * the grace period between pre_exit and exit does.
 */
static void __net_exit netctx_net_pre_exit(struct net *net)
{
	netctx_hook_disable(net);
}

static void __net_exit netctx_net_exit(struct net *net)
{
	struct netctx_net *nn = netctx_net(net);
	unsigned int i;

	netctx_policy_flush(nn);
	/*
	 * A request whose requester was killed may still travel between
	 * contexts with PCBs of ours: let it land first (migrate.c).
	 */
	wait_var_event(&nn->moves, !atomic_read(&nn->moves));
	netctx_sess_flush(net);
	netctx_ctx_flush_net(net);
	WARN_ON(atomic_read(&nn->nr_pcbs));
	for (i = 0; i < ARRAY_SIZE(nn->uquota); i++)
		WARN_ON(!hlist_empty(&nn->uquota[i]));
	netctx_stats_free(nn);
}

static struct pernet_operations netctx_net_ops = {
	.init = netctx_net_init,
	.pre_exit = netctx_net_pre_exit,
	.exit = netctx_net_exit,
	.id   = &netctx_net_id,
	.size = sizeof(struct netctx_net),
};

int netctx_netns_init(void)
{
	return register_pernet_subsys(&netctx_net_ops);
}

void netctx_netns_uninit(void)
{
	unregister_pernet_subsys(&netctx_net_ops);
}
