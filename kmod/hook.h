/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NETCTX_HOOK_H
#define _NETCTX_HOOK_H

#include "pcb.h"

struct netctx_pcb;

int netctx_hook_enable(struct net *net);
void netctx_hook_disable(struct net *net);
unsigned int netctx_hook_meta(const struct sk_buff *skb, u8 family);

#endif /* _NETCTX_HOOK_H */
