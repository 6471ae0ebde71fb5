// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink transport of ncctl (libmnl): family resolution, requests
 * with acks, dumps, the event group, and extended ack reporting.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <linux/filter.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "nl.h"
#include "nl-gen.h"
#include "utils.h"

/* Largest request: ADD_PORT with a program of NETCTX_BPF_MAX_INSNS. */
#define NC_NL_SEND_SIZE	(NETCTX_BPF_MAX_INSNS * sizeof(struct sock_filter) + \
			 4096)
/* The kernel sizes dump skbs after our buffer, up to 32 KiB. */
#define NC_NL_RECV_SIZE	32768
/* Receive buffer of the monitor socket, so bursts of events fit. */
#define NC_NL_MONITOR_RCVBUF	(1 << 20)

_Static_assert(NETCTX_BPF_MAX_INSNS * sizeof(struct sock_filter) +
	       sizeof(struct nlattr) <= UINT16_MAX,
	       "NETCTX_A_BPF must fit in one netlink attribute");

static struct {
	struct mnl_socket *sk;
	unsigned int portid;
	unsigned int seq;
	uint16_t family;
	uint32_t mcgrp;		/* id of NETCTX_MCGRP_EVENTS */
	bool have_mcgrp;
} nl;

static union {
	struct nlmsghdr nlh;
	char buf[NC_NL_SEND_SIZE];
} nc_sendbuf;

static union {
	struct nlmsghdr nlh;
	char buf[NC_NL_RECV_SIZE];
} nc_recvbuf;

/* State of one exchange: the request, the callback, how it failed. */
struct nc_nl_talk {
	const char *what;
	const struct nlmsghdr *req;
	const struct nc_nl_hint *hints;
	nc_nl_cb cb;
	void *data;
	int err;		/* positive errno */
	bool reported;		/* error already printed */
	char msg[256];		/* NLMSGERR_ATTR_MSG */
	bool has_offs;
	uint32_t offs;		/* NLMSGERR_ATTR_OFFS */
	bool has_miss;
	uint32_t miss_type;	/* NLMSGERR_ATTR_MISS_TYPE */
	bool intr;		/* a dump reply had NLM_F_DUMP_INTR */
};

static const char *nc_attr_name(unsigned int type)
{
	return type < ARRAY_SIZE(nc_attr_specs) ? nc_attr_specs[type].name : NULL;
}

/*
 * Does the payload length of a reply attribute match the spec (nl-gen.h)?
 * Arrays and addresses have a shape the spec's bounds do not say.
 */
static bool nc_attr_valid(const struct nlattr *a)
{
	uint16_t len = mnl_attr_get_payload_len(a);
	uint16_t type = mnl_attr_get_type(a);

	if (type >= ARRAY_SIZE(nc_attr_specs))
		return true;	/* newer than this header */
	if (len < nc_attr_specs[type].min_len ||
	    len > nc_attr_specs[type].max_len)
		return false;
	switch (type) {
	case NETCTX_A_BPF:
		return len % sizeof(struct sock_filter) == 0;
	case NETCTX_A_CONTEXTS:
		return len % sizeof(uint64_t) == 0;
	case NETCTX_A_LADDR:
	case NETCTX_A_RADDR:
		return len == sizeof(struct in_addr) ||
		       len == sizeof(struct in6_addr);
	default:
		return true;
	}
}

static void nc_nl_parse_extack(struct nc_nl_talk *t,
			       const struct nlmsghdr *nlh, unsigned int off)
{
	const struct nlattr *a;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) ||
	    off > mnl_nlmsg_get_payload_len(nlh))
		return;
	mnl_attr_for_each(a, nlh, off) {
		switch (mnl_attr_get_type(a)) {
		case NLMSGERR_ATTR_MSG:
			if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
				snprintf(t->msg, sizeof(t->msg), "%s",
					 mnl_attr_get_str(a));
			break;
		case NLMSGERR_ATTR_OFFS:
			if (mnl_attr_validate(a, MNL_TYPE_U32) >= 0) {
				t->offs = mnl_attr_get_u32(a);
				t->has_offs = true;
			}
			break;
		case NLMSGERR_ATTR_MISS_TYPE:
			if (mnl_attr_validate(a, MNL_TYPE_U32) >= 0) {
				t->miss_type = mnl_attr_get_u32(a);
				t->has_miss = true;
			}
			break;
		}
	}
}

static int nc_nl_error_cb(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	struct nc_nl_talk *t = arg;
	unsigned int off = sizeof(*e);

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e)) {
		t->err = EBADMSG;
		return MNL_CB_ERROR;
	}
	/* Unless capped, the request is echoed before the TLVs. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) &&
	    e->msg.nlmsg_len >= sizeof(struct nlmsghdr))
		off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	nc_nl_parse_extack(t, nlh, off);
	if (!e->error) {
		if (t->msg[0])
			nc_warn("%s: %s", t->what, t->msg);
		return MNL_CB_STOP;
	}
	t->err = e->error < 0 ? -e->error : e->error;
	return MNL_CB_ERROR;
}

/* NLMSG_DONE of a dump: an error that ended the dump, with its extack. */
static int nc_nl_done_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct nc_nl_talk *t = arg;
	int err = 0;

	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(err))
		memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	nc_nl_parse_extack(t, nlh, sizeof(err));
	if (err < 0) {
		t->err = -err;
		return MNL_CB_ERROR;
	}
	return MNL_CB_STOP;
}

/* A netctx message: validate its attributes and pass them to t->cb. */
static int nc_nl_data_cb(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr *tb[NETCTX_A_MAX + 1] = { NULL };
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	struct nc_nl_talk *t = arg;
	const struct nlattr *a;

	if (nlh->nlmsg_type != nl.family)
		return MNL_CB_OK;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*genl)) {
		t->err = EBADMSG;
		return MNL_CB_ERROR;
	}
	mnl_attr_for_each(a, nlh, sizeof(*genl)) {
		uint16_t type = mnl_attr_get_type(a);

		if (type > NETCTX_A_MAX)
			continue;
		if (!nc_attr_valid(a)) {
			nc_err("%s: kernel sent %s of %u bytes", t->what,
			       nc_attr_name(type),
			       mnl_attr_get_payload_len(a));
			t->err = EPROTO;
			t->reported = true;
			return MNL_CB_ERROR;
		}
		tb[type] = a;
	}
	if (t->cb && t->cb(tb, genl->cmd, t->data) < 0) {
		t->err = ECANCELED;
		t->reported = true;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

static mnl_cb_t nc_nl_ctl_cbs[NLMSG_MIN_TYPE] = {
	[NLMSG_ERROR]	= nc_nl_error_cb,
	[NLMSG_DONE]	= nc_nl_done_cb,
};

/* Name of the request attribute at byte @off of @req, if any. */
static const char *nc_nl_attr_at(const struct nlmsghdr *req, uint32_t off)
{
	const struct nlattr *a;

	if (!req || off % NLA_ALIGNTO ||
	    off < MNL_NLMSG_HDRLEN + GENL_HDRLEN ||
	    off + sizeof(*a) > req->nlmsg_len)
		return NULL;
	a = (const struct nlattr *)((const char *)req + off);
	return nc_attr_name(a->nla_type & NLA_TYPE_MASK);
}

static void nc_nl_report(const struct nc_nl_talk *t)
{
	const char *attr = NULL, *miss = "", *msg = t->msg;
	const struct nc_nl_hint *h;
	char detail[320] = "";

	if (t->reported)
		return;
	/* The kernel's own words first. */
	for (h = t->hints; !msg[0] && h && h->err; h++) {
		if (h->err == t->err)
			msg = h->msg;
	}
	if (t->has_offs)
		attr = nc_nl_attr_at(t->req, t->offs);
	if (!attr && t->has_miss) {
		attr = nc_attr_name(t->miss_type);
		miss = "missing ";
	}
	if (msg[0] && attr)
		snprintf(detail, sizeof(detail), "%s (%s%s): ", msg, miss,
			 attr);
	else if (msg[0])
		snprintf(detail, sizeof(detail), "%s: ", msg);
	else if (attr)
		snprintf(detail, sizeof(detail), "%s%s: ",
			 *miss ? miss : "invalid ", attr);
	nc_err("%s: %s%s", t->what, detail, strerror(t->err));
}

/*
 * Send @nlh and process the replies until the ack, NLMSG_DONE or an
 * error. @data_cb handles the data messages.
 */
static int nc_nl_talk(struct nlmsghdr *nlh, mnl_cb_t data_cb,
		      struct nc_nl_talk *t)
{
	unsigned int seq;
	ssize_t n;
	int ret;

	nlh->nlmsg_seq = seq = ++nl.seq;
	t->req = nlh;
	if (mnl_socket_sendto(nl.sk, nlh, nlh->nlmsg_len) < 0) {
		t->err = errno;
		return -1;
	}
	for (;;) {
		n = mnl_socket_recvfrom(nl.sk, nc_recvbuf.buf,
					sizeof(nc_recvbuf.buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			t->err = errno;
			return -1;
		}
		errno = 0;
		ret = mnl_cb_run2(nc_recvbuf.buf, n, seq, nl.portid, data_cb,
				  t, nc_nl_ctl_cbs, ARRAY_SIZE(nc_nl_ctl_cbs));
		if (ret == MNL_CB_ERROR) {
			/*
			 * libmnl stops at a message with NLM_F_DUMP_INTR (the
			 * kernel's dump saw a change between two of its parts)
			 * with EINTR; a kernel error set t->err already.
			 */
			if (!t->err) {
				t->err = errno ? errno : EPROTO;
				t->intr = t->err == EINTR;
			}
			return -1;
		}
		if (ret == MNL_CB_STOP)
			return 0;
	}
}

static void nc_nl_ctrl_groups(const struct nlattr *groups)
{
	const struct nlattr *grp, *a;

	mnl_attr_for_each_nested(grp, groups) {
		const char *name = NULL;
		bool have_id = false;
		uint32_t id = 0;

		mnl_attr_for_each_nested(a, grp) {
			switch (mnl_attr_get_type(a)) {
			case CTRL_ATTR_MCAST_GRP_NAME:
				if (mnl_attr_validate(a,
						MNL_TYPE_NUL_STRING) >= 0)
					name = mnl_attr_get_str(a);
				break;
			case CTRL_ATTR_MCAST_GRP_ID:
				if (mnl_attr_validate(a, MNL_TYPE_U32) >= 0) {
					id = mnl_attr_get_u32(a);
					have_id = true;
				}
				break;
			}
		}
		if (name && have_id && !strcmp(name, NETCTX_MCGRP_EVENTS)) {
			nl.mcgrp = id;
			nl.have_mcgrp = true;
		}
	}
}

/* CTRL_CMD_GETFAMILY reply: family id and multicast groups. */
static int nc_nl_ctrl_cb(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr *a;

	(void)arg;
	if (nlh->nlmsg_type != GENL_ID_CTRL)
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		switch (mnl_attr_get_type(a)) {
		case CTRL_ATTR_FAMILY_ID:
			if (mnl_attr_validate(a, MNL_TYPE_U16) >= 0)
				nl.family = mnl_attr_get_u16(a);
			break;
		case CTRL_ATTR_MCAST_GROUPS:
			if (mnl_attr_validate(a, MNL_TYPE_NESTED) >= 0)
				nc_nl_ctrl_groups(a);
			break;
		}
	}
	return MNL_CB_OK;
}

static int nc_nl_resolve(void)
{
	struct nc_nl_talk t = { .what = "resolving genl family \"netctx\"" };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nc_sendbuf.buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = CTRL_CMD_GETFAMILY;
	genl->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, NETCTX_GENL_NAME);

	nl.family = 0;
	nl.have_mcgrp = false;
	if (nc_nl_talk(nlh, nc_nl_ctrl_cb, &t) < 0) {
		if (t.err == ENOENT)
			nc_err("netctx module not loaded (genl family \"%s\" not found)",
			       NETCTX_GENL_NAME);
		else
			nc_nl_report(&t);
		return -1;
	}
	if (!nl.family) {
		t.err = EPROTO;
		nc_nl_report(&t);
		return -1;
	}
	return 0;
}

void nc_nl_close(void)
{
	if (nl.sk)
		mnl_socket_close(nl.sk);
	nl.sk = NULL;
}

static int nc_nl_open(void)
{
	int one = 1;

	if (nl.sk)
		return 0;
	nl.sk = mnl_socket_open(NETLINK_GENERIC);
	if (!nl.sk) {
		nc_err("opening netlink socket: %s", strerror(errno));
		return -1;
	}
	if (mnl_socket_bind(nl.sk, 0, MNL_SOCKET_AUTOPID) < 0) {
		nc_err("binding netlink socket: %s", strerror(errno));
		goto err_close;
	}
	/* Best effort: kernels without them still work, less verbosely. */
	mnl_socket_setsockopt(nl.sk, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl.sk, NETLINK_CAP_ACK, &one, sizeof(one));
	nl.portid = mnl_socket_get_portid(nl.sk);
	nl.seq = time(NULL);
	if (nc_nl_resolve() < 0)
		goto err_close;
	return 0;

err_close:
	nc_nl_close();
	return -1;
}

struct nlmsghdr *nc_nl_new(uint8_t cmd)
{
	struct genlmsghdr *genl;
	struct nlmsghdr *nlh;

	if (nc_nl_open() < 0)
		return NULL;
	nlh = mnl_nlmsg_put_header(nc_sendbuf.buf);
	nlh->nlmsg_type = nl.family;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = NETCTX_GENL_VERSION;
	return nlh;
}

static int nc_nl_run(struct nlmsghdr *nlh, nc_nl_cb cb, void *data,
		     const char *what, const struct nc_nl_hint *hints)
{
	struct nc_nl_talk t = {
		.what = what, .cb = cb, .data = data, .hints = hints,
	};

	if (nc_nl_talk(nlh, nc_nl_data_cb, &t) < 0) {
		if (t.intr)
			nc_err("%s: the dump was interrupted by a change and may miss or repeat an entry, run it again: %s",
			       what, strerror(EINTR));
		else
			nc_nl_report(&t);
		/* Replies of the failed exchange may still be queued. */
		nc_nl_close();
		return -1;
	}
	return 0;
}

int nc_nl_do_hints(struct nlmsghdr *nlh, const char *what,
		   const struct nc_nl_hint *hints)
{
	nlh->nlmsg_flags |= NLM_F_ACK;
	return nc_nl_run(nlh, NULL, NULL, what, hints);
}

int nc_nl_do(struct nlmsghdr *nlh, const char *what)
{
	return nc_nl_do_hints(nlh, what, NULL);
}

int nc_nl_dump(struct nlmsghdr *nlh, nc_nl_cb cb, void *data,
	       const char *what)
{
	nlh->nlmsg_flags |= NLM_F_DUMP;
	return nc_nl_run(nlh, cb, data, what, NULL);
}

int nc_nl_monitor(nc_nl_cb cb, void *data)
{
	struct nc_nl_talk t = { .what = "monitor", .cb = cb, .data = data };
	int rcvbuf = NC_NL_MONITOR_RCVBUF;
	ssize_t n;
	int grp;

	if (nc_nl_open() < 0)
		return -1;
	if (!nl.have_mcgrp) {
		nc_err("monitor: genl family \"%s\" has no \"%s\" multicast group",
		       NETCTX_GENL_NAME, NETCTX_MCGRP_EVENTS);
		return -1;
	}
	grp = nl.mcgrp;
	if (mnl_socket_setsockopt(nl.sk, NETLINK_ADD_MEMBERSHIP, &grp,
				  sizeof(grp)) < 0) {
		nc_err("monitor: joining group \"%s\": %s",
		       NETCTX_MCGRP_EVENTS, strerror(errno));
		return -1;
	}
	setsockopt(mnl_socket_get_fd(nl.sk), SOL_SOCKET, SO_RCVBUF, &rcvbuf,
		   sizeof(rcvbuf));
	for (;;) {
		n = mnl_socket_recvfrom(nl.sk, nc_recvbuf.buf,
					sizeof(nc_recvbuf.buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				nc_warn("monitor: events lost (receive buffer overrun)");
				continue;
			}
			nc_err("monitor: %s", strerror(errno));
			return -1;
		}
		errno = 0;
		if (mnl_cb_run2(nc_recvbuf.buf, n, 0, 0, nc_nl_data_cb, &t,
				nc_nl_ctl_cbs, ARRAY_SIZE(nc_nl_ctl_cbs)) ==
		    MNL_CB_ERROR) {
			if (!t.err)
				t.err = errno ? errno : EPROTO;
			nc_nl_report(&t);
			return -1;
		}
	}
}
