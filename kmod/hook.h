/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NETCTX_HOOK_H
#define _NETCTX_HOOK_H

#include "pcb.h"

#include <net/tcp.h>

/* What the classifier notes about a packet for its owner (TCP flags). */
#define NETCTX_META_FIN		TCPHDR_FIN
#define NETCTX_META_SYN		TCPHDR_SYN
#define NETCTX_META_RST		TCPHDR_RST

int netctx_hook_register(struct net *net);
void netctx_hook_unregister(struct net *net);
bool netctx_hook_reinject(struct net *net, struct sk_buff *skb,
			  netctx_okfn_t okfn);
unsigned int netctx_hook_meta(const struct sk_buff *skb, u8 family);

#endif /* _NETCTX_HOOK_H */
