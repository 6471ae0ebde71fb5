/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NETCTX_CLASSIFY_H
#define _NETCTX_CLASSIFY_H

#include "pcb.h"

struct netctx_net;

struct netctx_pcb *netctx_classify(struct net *net, struct netctx_net *nn,
				   struct sk_buff *skb,
				   const struct netctx_tuple *t,
				   unsigned int meta, netctx_okfn_t okfn);

#endif /* _NETCTX_CLASSIFY_H */
