/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints, for perf and bpftrace:
 *
 *   netctx:migrate_start    a migration request leaves its requester
 *   netctx:migrate_done     it ended (ret 0: every member moved), with the
 *                           nanoseconds since the request
 *   netctx:migrate_deliver  the new owner delivered the first packet of a
 *                           moved connection, nanoseconds since the request
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM netctx

#if !defined(_NETCTX_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _NETCTX_TRACE_H

#include <linux/tracepoint.h>

#include "pcb.h"

DECLARE_EVENT_CLASS(netctx_tuple_class,
		    TP_PROTO(const struct netctx_tuple *t, u32 from, u32 to,
			     u64 ns),
		    TP_ARGS(t, from, to, ns),
		    TP_STRUCT__entry(__array(u8, laddr, 16)
				     __array(u8, raddr, 16)
				     __field(u16, lport)
				     __field(u16, rport)
				     __field(u8, proto)
				     __field(u32, from)
				     __field(u32, to)
				     __field(u64, ns)),
		    TP_fast_assign(memcpy(__entry->laddr, &t->laddr, 16);
				   memcpy(__entry->raddr, &t->raddr, 16);
				   __entry->lport = ntohs(t->lport);
				   __entry->rport = ntohs(t->rport);
				   __entry->proto = t->proto;
				   __entry->from = from;
				   __entry->to = to;
				   __entry->ns = ns;),
		    TP_printk("proto=%u local=[%pI6c]:%u remote=[%pI6c]:%u from=%u to=%u ns=%llu",
			      __entry->proto, __entry->laddr, __entry->lport,
			      __entry->raddr, __entry->rport, __entry->from,
			      __entry->to, __entry->ns));

/* The first connection asked for; ns is here how many were. */
DEFINE_EVENT_PRINT(netctx_tuple_class, migrate_start,
		   TP_PROTO(const struct netctx_tuple *t, u32 from, u32 to,
			    u64 ns),
		   TP_ARGS(t, from, to, ns),
		   TP_printk("proto=%u local=[%pI6c]:%u remote=[%pI6c]:%u from=%u to=%u conns=%llu",
			     __entry->proto, __entry->laddr, __entry->lport,
			     __entry->raddr, __entry->rport, __entry->from,
			     __entry->to, __entry->ns));

/* from is the context that delivered its first packet: to. */
DEFINE_EVENT(netctx_tuple_class, migrate_deliver,
	     TP_PROTO(const struct netctx_tuple *t, u32 from, u32 to, u64 ns),
	     TP_ARGS(t, from, to, ns));

TRACE_EVENT(migrate_done,
	    TP_PROTO(u32 to, u32 nr, int ret, u64 ns),
	    TP_ARGS(to, nr, ret, ns),
	    TP_STRUCT__entry(__field(u32, to)
			     __field(u32, nr)
			     __field(int, ret)
			     __field(u64, ns)),
	    TP_fast_assign(__entry->to = to;
			   __entry->nr = nr;
			   __entry->ret = ret;
			   __entry->ns = ns;),
	    TP_printk("to=%u conns=%u ret=%d ns=%llu", __entry->to,
		      __entry->nr, __entry->ret, __entry->ns));

#endif /* _NETCTX_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
