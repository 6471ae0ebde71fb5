/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NETCTX_OWNER_H
#define _NETCTX_OWNER_H

#include "pcb.h"

#include <net/sock.h>

bool netctx_owner_delivers(struct sock *sk, const struct netctx_tuple *t);
bool netctx_owner_port_own(struct sock *sk);
void netctx_owner_save(struct netctx_pcb *pcb, struct sock *sk);
bool netctx_owner_match(struct net *net, const struct netctx_pcb *pcb,
			const struct netctx_tuple *t, int dif);

#endif /* _NETCTX_OWNER_H */
