/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NETCTX_BALANCE_H
#define _NETCTX_BALANCE_H

void netctx_balance_init(void);
void netctx_balance_uninit(void);

#endif /* _NETCTX_BALANCE_H */
