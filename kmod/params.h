/* SPDX-License-Identifier: GPL-2.0 */
/* Module-wide settings, from module parameters read once at load. */
#ifndef _NETCTX_PARAMS_H
#define _NETCTX_PARAMS_H

extern unsigned int netctx_max_conns;
extern unsigned int netctx_tcp_timeout_ms;
extern unsigned int netctx_udp_timeout_ms;
extern unsigned int netctx_linger_ms;
extern unsigned int netctx_assign_timeout_ms;
extern unsigned int netctx_float_len;
extern unsigned int netctx_user_assign_max;
extern unsigned int netctx_netns_max_conns;
extern unsigned int netctx_netns_share_pct;
extern unsigned int netctx_new_timeout_ms;
extern unsigned int netctx_netns_max_new;
extern unsigned int netctx_netns_max_ports;
extern unsigned int netctx_netns_max_moves;

#endif /* _NETCTX_PARAMS_H */
