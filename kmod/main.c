// SPDX-License-Identifier: GPL-2.0
/*
 * netctx: application-controlled steering of received packets to per-CPU
 * network contexts. See uapi/linux/netctx.h for the interface.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "balance.h"
#include "context.h"
#include "hash.h"
#include "params.h"
#include "netlink.h"
#include "pcb.h"
#include "pernet.h"
#include "sockopt.h"

#include <linux/cpumask.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/siphash.h>
#include <linux/string.h>
#include <asm/unaligned.h>
#include <net/genetlink.h>

#include "../uapi/linux/netctx.h"

static unsigned int nr_contexts;
module_param(nr_contexts, uint, 0444);
MODULE_PARM_DESC(nr_contexts, "Number of network contexts (default: online CPUs)");

static unsigned int queue_len = 4096;
module_param(queue_len, uint, 0444);
MODULE_PARM_DESC(queue_len, "Packets queued per context before drops (rounded up to a power of 2)");

unsigned int netctx_max_conns = 65536;
module_param_named(max_conns, netctx_max_conns, uint, 0444);
MODULE_PARM_DESC(max_conns, "Maximum number of PCBs; new flows beyond it are not managed");

unsigned int netctx_tcp_timeout_ms = 600000;
module_param_named(tcp_timeout_ms, netctx_tcp_timeout_ms, uint, 0444);
MODULE_PARM_DESC(tcp_timeout_ms, "Idle time after which a TCP PCB without socket is freed");

unsigned int netctx_udp_timeout_ms = 30000;
module_param_named(udp_timeout_ms, netctx_udp_timeout_ms, uint, 0444);
MODULE_PARM_DESC(udp_timeout_ms, "Idle time after which a UDP PCB is freed");

unsigned int netctx_linger_ms = 2000;
module_param_named(linger_ms, netctx_linger_ms, uint, 0444);
MODULE_PARM_DESC(linger_ms, "Time a TCP PCB lingers after a received FIN or RST");

unsigned int netctx_assign_timeout_ms = 60000;
module_param_named(assign_timeout_ms, netctx_assign_timeout_ms, uint, 0444);
MODULE_PARM_DESC(assign_timeout_ms, "Default lifetime of a pre-assignment that sees no packet");

unsigned int netctx_float_len = 1024;
module_param_named(float_len, netctx_float_len, uint, 0444);
MODULE_PARM_DESC(float_len, "Packets a migrating connection may park before drops");

unsigned int netctx_user_assign_max = 4096;
module_param_named(user_assign_max, netctx_user_assign_max, uint, 0444);
MODULE_PARM_DESC(user_assign_max, "Pre-assignments the unprivileged sockets of one uid may hold per netns");

unsigned int netctx_netns_max_conns = 4096;
module_param_named(netns_max_conns, netctx_netns_max_conns, uint, 0444);
MODULE_PARM_DESC(netns_max_conns, "PCBs a netns owned by a user namespace other than the initial one may hold");

unsigned int netctx_netns_share_pct = 50;
module_param_named(netns_share_pct, netctx_netns_share_pct, uint, 0444);
MODULE_PARM_DESC(netns_share_pct, "Percentage of max_conns one netns, whoever owns it, may hold");

unsigned int netctx_new_timeout_ms = 3000;
module_param_named(new_timeout_ms, netctx_new_timeout_ms, uint, 0444);
MODULE_PARM_DESC(new_timeout_ms, "Life of a flow's PCB until its second packet (TCP: the handshake's ACK)");

unsigned int netctx_netns_max_ports = 1024;
module_param_named(netns_max_ports, netctx_netns_max_ports, uint, 0444);
MODULE_PARM_DESC(netns_max_ports, "Port policies one netns may hold");

unsigned int netctx_netns_max_moves = 1024;
module_param_named(netns_max_moves, netctx_netns_max_moves, uint, 0444);
MODULE_PARM_DESC(netns_max_moves, "Migrations one netns may have under way when it asks for one more not to wait (NETCTX_F_NOWAIT)");

unsigned int netctx_netns_max_new = 4096;
module_param_named(netns_max_new, netctx_netns_max_new, uint, 0444);
MODULE_PARM_DESC(netns_max_new, "PCBs of flows without a second packet yet one netns may hold");

/* 32 hex digits: the SipHash key, bytes in order (words little endian). */
static char hash_key[2 * sizeof(siphash_key_t) + 1];
module_param_string(hash_key, hash_key, sizeof(hash_key), 0400);
MODULE_PARM_DESC(hash_key, "SipHash key of the default and remote-addr hashes, 32 hex digits (empty: random; the key in use is shown here, to root only)");

static siphash_key_t netctx_key;

/* The key given, or a random one, which hash_key then shows to root. */
static int netctx_parse_key(void)
{
	u8 bytes[sizeof(siphash_key_t)];

	if (!hash_key[0]) {
		get_random_bytes(bytes, sizeof(bytes));
		bin2hex(hash_key, bytes, sizeof(bytes));
	} else if (strlen(hash_key) != 2 * sizeof(bytes) ||
		   hex2bin(bytes, hash_key, sizeof(bytes))) {
		return -EINVAL;
	}
	netctx_key.key[0] = get_unaligned_le64(bytes);
	netctx_key.key[1] = get_unaligned_le64(bytes + 8);
	memzero_explicit(bytes, sizeof(bytes));
	return 0;
}

static int netctx_check_params(void)
{
	/* A PCB's first_ctx holds a context id in 16 bits. */
	BUILD_BUG_ON(NETCTX_MAX_CONTEXTS > S16_MAX);
	if (!nr_contexts)
		nr_contexts = num_online_cpus();
	if (nr_contexts > NETCTX_MAX_CONTEXTS ||
	    queue_len < 2 || queue_len > (1U << 20) ||
	    !netctx_max_conns || netctx_max_conns > (1U << 24) ||
	    !netctx_tcp_timeout_ms || !netctx_udp_timeout_ms ||
	    !netctx_assign_timeout_ms || !netctx_linger_ms ||
	    !netctx_new_timeout_ms || !netctx_float_len ||
	    !netctx_netns_max_new || !netctx_netns_max_ports ||
	    !netctx_netns_max_moves ||
	    !netctx_netns_share_pct || netctx_netns_share_pct > 100)
		return -EINVAL;
	return netctx_parse_key();
}

static int __init netctx_mod_init(void)
{
	int ret;

	ret = netctx_check_params();
	if (ret) {
		pr_err("invalid module parameters\n");
		return ret;
	}
	netctx_hash_init(&netctx_key);

	ret = netctx_pcb_init(netctx_max_conns);
	if (ret)
		return ret;
	ret = netctx_contexts_init(nr_contexts, queue_len);
	if (ret)
		goto err_pcb;
	ret = netctx_netns_init();
	if (ret)
		goto err_contexts;
	ret = netctx_sockopt_init();
	if (ret)
		goto err_netns;
	/*
	 * Last: a dump opened on the family holds a module reference that a
	 * failed init would not wait for.
	 */
	ret = netctx_genl_init();
	if (ret)
		goto err_sockopt;
	netctx_balance_init();

	pr_info("%u contexts, queue %u, max %u connections\n",
		netctx_nr_contexts, queue_len, netctx_max_conns);
	return 0;

err_sockopt:
	netctx_sockopt_uninit();
err_netns:
	netctx_netns_uninit();
err_contexts:
	netctx_contexts_uninit();
err_pcb:
	rcu_barrier();
	netctx_pcb_uninit();
	return ret;
}

/* Control first, then ingress, then the threads drain and stop. */
static void __exit netctx_mod_exit(void)
{
	netctx_balance_uninit();
	netctx_genl_uninit();
	netctx_sockopt_uninit();
	netctx_netns_uninit();
	netctx_contexts_uninit();
	/* Policies are freed by call_rcu(). */
	rcu_barrier();
	netctx_pcb_uninit();
}

module_init(netctx_mod_init);
module_exit(netctx_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Application-controlled steering of received packets to per-CPU network contexts");
MODULE_AUTHOR("netctx developers");
/* = the top-level VERSION file (make deb checks that they agree). */
MODULE_VERSION("0.1");
MODULE_ALIAS_GENL_FAMILY(NETCTX_GENL_NAME);
