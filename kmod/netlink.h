/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NETCTX_NETLINK_H
#define _NETCTX_NETLINK_H

int netctx_genl_init(void);
void netctx_genl_uninit(void);

#endif /* _NETCTX_NETLINK_H */
