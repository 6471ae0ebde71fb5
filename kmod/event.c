// SPDX-License-Identifier: GPL-2.0
/* The event slot (event.h). */
#include "event.h"

const struct netctx_event_ops __rcu *netctx_event_ops;

void netctx_events_register(const struct netctx_event_ops *ops)
{
	rcu_assign_pointer(netctx_event_ops, ops);
}

/* On return no caller is inside a callback any more. */
void netctx_events_unregister(void)
{
	RCU_INIT_POINTER(netctx_event_ops, NULL);
	synchronize_rcu();
}
