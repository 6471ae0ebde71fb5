/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NETCTX_PERNET_H
#define _NETCTX_PERNET_H

int netctx_netns_init(void);
void netctx_netns_uninit(void);

#endif /* _NETCTX_PERNET_H */
