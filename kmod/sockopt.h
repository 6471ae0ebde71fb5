/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NETCTX_SOCKOPT_H
#define _NETCTX_SOCKOPT_H

int netctx_sockopt_init(void);
void netctx_sockopt_uninit(void);

#endif /* _NETCTX_SOCKOPT_H */
