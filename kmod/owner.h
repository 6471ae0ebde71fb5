/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NETCTX_OWNER_H
#define _NETCTX_OWNER_H

#include "pcb.h"

#include <net/sock.h>

bool netctx_owner_delivers(struct sock *sk, const struct netctx_tuple *t);
bool netctx_owner_port_own(struct sock *sk);

#endif /* _NETCTX_OWNER_H */
