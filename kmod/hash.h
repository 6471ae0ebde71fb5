/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NETCTX_HASH_H
#define _NETCTX_HASH_H

#include "pcb.h"

struct netctx_policy;

extern const u8 netctx_toeplitz_default_key[];

void netctx_hash_init(u32 seed);
u32 netctx_hash_default(const struct netctx_tuple *t);
u32 netctx_hash_remote_addr(const struct netctx_tuple *t);
u32 netctx_hash_toeplitz(const u8 *key, const struct netctx_tuple *t);
struct netctx_context *netctx_policy_pick(struct netctx_policy *p,
					  const struct netctx_tuple *t,
					  struct sk_buff *skb, u32 *flow_hash);

#endif /* _NETCTX_HASH_H */
