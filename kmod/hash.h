/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NETCTX_HASH_H
#define _NETCTX_HASH_H

#include "pcb.h"

#include <linux/siphash.h>

struct netctx_policy;

extern const u8 netctx_toeplitz_default_key[];

void netctx_hash_init(const siphash_key_t *key);
struct netctx_context *netctx_policy_pick(struct netctx_policy *p,
					  const struct netctx_tuple *t,
					  struct sk_buff *skb, u32 *flow_hash);

#endif /* _NETCTX_HASH_H */
