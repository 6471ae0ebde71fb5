/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NETCTX_BALANCE_H
#define _NETCTX_BALANCE_H

#include <linux/atomic.h>

/* Policies with NETCTX_F_BALANCE, in every netns. */
extern atomic_t netctx_balance_ports;

void netctx_balance_init(void);
void netctx_balance_uninit(void);

#endif /* _NETCTX_BALANCE_H */
