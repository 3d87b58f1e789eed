// SPDX-License-Identifier: MIT
/*
 * rtnetlink for XDP: attach, detach and query the program on a device with
 * RTM_SETLINK / RTM_GETLINK and a nested IFLA_XDP. This is the path for
 * kernels without BPF links (before 5.9), the path a caller can force, and
 * the only way to ask which programs a device carries in which mode.
 *
 * Every request asks for an acknowledgement (NLM_F_ACK) and for the kernel's
 * extended ack (NETLINK_EXT_ACK), whose message often says exactly why an
 * attach was refused ("native and generic XDP can't be active at the same
 * time", "MTU too large", ...).
 */
#include "gnu.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "internal.h"

#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif
#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NLM_F_CAPPED
#define NLM_F_CAPPED 0x100
#endif
#ifndef NLM_F_ACK_TLVS
#define NLM_F_ACK_TLVS 0x200
#endif
#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* Big enough for one RTM_NEWLINK of a device with its statistics skipped. */
#define NL_BUFSZ 32768

struct nl_req {
	struct nlmsghdr nh;
	struct ifinfomsg ifi;
	char attrs[64];
};

/* @msg: a whole request (header, then room for attributes) */
static struct rtattr *nl_put(void *msg, unsigned short type, const void *data,
			     unsigned short len)
{
	struct nlmsghdr *nh = msg;
	struct rtattr *rta =
		(struct rtattr *)(void *)((char *)nh +
					  NLMSG_ALIGN(nh->nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(rta), data, len);
	nh->nlmsg_len = NLMSG_ALIGN(nh->nlmsg_len) + RTA_ALIGN(rta->rta_len);
	return rta;
}

static void nl_nest_end(void *msg, struct rtattr *nest)
{
	struct nlmsghdr *nh = msg;

	nest->rta_len =
		(unsigned short)((char *)nh + nh->nlmsg_len - (char *)nest);
}

static void nl_init(struct nl_req *req, uint16_t type, uint16_t flags,
		    uint32_t ifindex)
{
	memset(req, 0, sizeof(*req));
	req->nh.nlmsg_len = NLMSG_LENGTH(sizeof(req->ifi));
	req->nh.nlmsg_type = type;
	req->nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	req->nh.nlmsg_seq = 1;
	req->ifi.ifi_family = AF_UNSPEC;
	req->ifi.ifi_index = (int)ifindex;
}

/* The kernel's own words from an extended ack, if it sent any. */
static void nl_ext_ack(const struct nlmsghdr *nh, char *why, size_t whylen)
{
	const struct nlmsgerr *e = NLMSG_DATA(nh);
	size_t off = sizeof(*e), total;
	const struct rtattr *rta;

	if (!why || !whylen || !(nh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(e->msg);
	total = nh->nlmsg_len - NLMSG_HDRLEN;
	if (off > total)
		return;
	rta = (const struct rtattr *)(const void *)((const char *)e + off);
	total -= off;
	for (; RTA_OK(rta, total); rta = RTA_NEXT(rta, total)) {
		size_t n = RTA_PAYLOAD(rta);

		if (rta->rta_type != NLMSGERR_ATTR_MSG || !n)
			continue;
		n = strnlen(RTA_DATA(rta), n);
		if (n >= whylen)
			n = whylen - 1;
		memcpy(why, RTA_DATA(rta), n);
		why[n] = '\0';
		return;
	}
}

typedef void (*nl_reply_fn)(const struct nlmsghdr *nh, void *arg);

/*
 * Send one request and read until its acknowledgement, handing any other
 * message that answers it to @cb. Returns the ack's (negative) error.
 */
static int nl_talk(int proto, void *request, nl_reply_fn cb, void *arg,
		   char *why, size_t whylen, enum xsk__nl_state *state)
{
	struct nlmsghdr *req = request;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct iovec iov = { .iov_base = req, .iov_len = req->nlmsg_len };
	struct msghdr msg = {
		.msg_name = &kernel,
		.msg_namelen = sizeof(kernel),
		.msg_iov = &iov,
		.msg_iovlen = 1,
	};
	int one = 1, fd, n, err;
	struct nlmsghdr *nh;
	unsigned int left;
	char *buf;

	if (why && whylen)
		why[0] = '\0';
	buf = malloc(NL_BUFSZ);
	if (!buf)
		return -ENOMEM;
	fd = xsk__sys_socket(AF_NETLINK, SOCK_RAW, proto);
	if (fd < 0) {
		err = fd;
		goto out_free;
	}
	/* Both are optional: kernels before 4.12 and 4.3 just say less. */
	xsk__sys_setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one,
			    sizeof(one));
	xsk__sys_setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one,
			    sizeof(one));

	n = xsk__sys_sendmsg(fd, &msg, 0);
	if (n < 0) {
		err = n;
		goto out_close;
	}
	/* Sent: until the answer is read, the kernel may have done it. */
	if (state)
		*state = XSK_NL_UNANSWERED;
	for (;;) {
		iov.iov_base = buf;
		iov.iov_len = NL_BUFSZ;
		msg.msg_flags = 0;
		msg.msg_namelen = sizeof(kernel);
		n = xsk__sys_recvmsg(fd, &msg, 0);
		if (n < 0) {
			err = n;
			goto out_close;
		}
		if (msg.msg_flags & MSG_TRUNC) {
			err = -EMSGSIZE;
			goto out_close;
		}
		left = (unsigned int)n;
		for (nh = (struct nlmsghdr *)(void *)buf; NLMSG_OK(nh, left);
		     nh = NLMSG_NEXT(nh, left)) {
			if (nh->nlmsg_seq != req->nlmsg_seq)
				continue;
			if (nh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(nh);

				if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*e))) {
					err = -EBADMSG;
					goto out_close;
				}
				err = e->error;
				if (state)
					*state = XSK_NL_ANSWERED;
				if (err)
					nl_ext_ack(nh, why, whylen);
				goto out_close;
			}
			if (nh->nlmsg_type == NLMSG_DONE) {
				err = 0;
				if (state)
					*state = XSK_NL_ANSWERED;
				goto out_close;
			}
			if (cb)
				cb(nh, arg);
		}
	}
out_close:
	xsk__sys_close(fd);
out_free:
	free(buf);
	return err;
}

int xsk__nl_set_xdp(uint32_t ifindex, int prog_fd, int expected_fd,
		    uint32_t flags, char *why, size_t whylen,
		    enum xsk__nl_state *state)
{
	struct rtattr *nest;
	struct nl_req req;
	int32_t fd = prog_fd, exp = expected_fd;

	nl_init(&req, RTM_SETLINK, 0, ifindex);
	nest = nl_put(&req, IFLA_XDP | NLA_F_NESTED, NULL, 0);
	nl_put(&req, IFLA_XDP_FD, &fd, sizeof(fd));
	if (flags)
		nl_put(&req, IFLA_XDP_FLAGS, &flags, sizeof(flags));
	if (expected_fd >= 0)
		nl_put(&req, IFLA_XDP_EXPECTED_FD, &exp, sizeof(exp));
	nl_nest_end(&req, nest);
	if (state)
		*state = XSK_NL_UNSENT;
	return nl_talk(NETLINK_ROUTE, &req, NULL, NULL, why, whylen, state);
}

static uint32_t rta_u32(const struct rtattr *rta)
{
	uint32_t v = 0;

	if (RTA_PAYLOAD(rta) >= sizeof(v))
		memcpy(&v, RTA_DATA(rta), sizeof(v));
	return v;
}

static void parse_link(const struct nlmsghdr *nh, void *arg)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(nh);
	struct xsk__xdp_query *q = arg;
	const struct rtattr *rta, *x;
	unsigned int len, xlen;
	uint32_t single = 0;

	if (nh->nlmsg_type != RTM_NEWLINK ||
	    nh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
		return;
	len = nh->nlmsg_len - NLMSG_LENGTH(sizeof(*ifi));
	rta = (const struct rtattr *)(const void *)((const char *)ifi +
						    NLMSG_ALIGN(sizeof(*ifi)));
	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if ((rta->rta_type & NLA_TYPE_MASK) != IFLA_XDP)
			continue;
		xlen = RTA_PAYLOAD(rta);
		for (x = RTA_DATA(rta); RTA_OK(x, xlen);
		     x = RTA_NEXT(x, xlen)) {
			switch (x->rta_type) {
			case IFLA_XDP_ATTACHED:
				if (RTA_PAYLOAD(x) >= 1)
					q->attached =
						*(const uint8_t *)RTA_DATA(x);
				break;
			case IFLA_XDP_PROG_ID:
				single = rta_u32(x);
				break;
			case IFLA_XDP_DRV_PROG_ID:
				q->drv_id = rta_u32(x);
				break;
			case IFLA_XDP_SKB_PROG_ID:
				q->skb_id = rta_u32(x);
				break;
			case IFLA_XDP_HW_PROG_ID:
				q->hw_id = rta_u32(x);
				break;
			}
		}
	}
	/* Kernels before 4.19 report one id and the mode it is in. */
	if (single && !q->drv_id && !q->skb_id && !q->hw_id) {
		if (q->attached == XDP_ATTACHED_DRV)
			q->drv_id = single;
		else if (q->attached == XDP_ATTACHED_SKB)
			q->skb_id = single;
		else if (q->attached == XDP_ATTACHED_HW)
			q->hw_id = single;
	}
}

int xsk__nl_query_xdp(uint32_t ifindex, struct xsk__xdp_query *q)
{
	uint32_t mask = RTEXT_FILTER_SKIP_STATS;
	struct xsk__xdp_query r;
	struct nl_req req;
	int err;

	memset(&r, 0, sizeof(r));
	nl_init(&req, RTM_GETLINK, 0, ifindex);
	nl_put(&req, IFLA_EXT_MASK, &mask, sizeof(mask));
	err = nl_talk(NETLINK_ROUTE, &req, parse_link, &r, NULL, 0, NULL);
	if (err)
		return err;
	*q = r;
	return 0;
}

/* ----------------------------------- generic netlink: the netdev family */

/*
 * The netdev family (Linux 6.3, include/uapi/linux/netdev.h, which older
 * UAPI headers lack) says per device which RX metadata kfuncs its driver
 * implements (xdp-rx-metadata-features, 6.8). A driver that lacks one
 * still takes a program calling it: the kernel quietly calls a stub that
 * fails on every frame, so this is the only way to say so up front.
 */
#include <linux/genetlink.h>

#define NETDEV_GENL_NAME "netdev"
#define NETDEV_GENL_CMD_DEV_GET 1
#define NETDEV_GENL_A_DEV_IFINDEX 1
#define NETDEV_GENL_A_DEV_XDP_RX_METADATA_FEATURES 5
/* enum netdev_xdp_rx_metadata */
#define NETDEV_GENL_RX_META_TIMESTAMP (1u << 0)
#define NETDEV_GENL_RX_META_HASH (1u << 1)
#define NETDEV_GENL_RX_META_VLAN_TAG (1u << 2)

struct genl_req {
	struct nlmsghdr nh;
	struct genlmsghdr g;
	char attrs[64];
};

static void genl_init(struct genl_req *req, uint16_t family, uint8_t cmd)
{
	memset(req, 0, sizeof(*req));
	req->nh.nlmsg_len = NLMSG_LENGTH(sizeof(req->g));
	req->nh.nlmsg_type = family;
	req->nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req->nh.nlmsg_seq = 1;
	req->g.cmd = cmd;
	req->g.version = 1;
}

struct genl_answer {
	uint16_t family;
	bool have_meta;
	uint64_t meta;
	bool have_queue; /* queue-get answered with attributes */
	bool queue_xsk;
};

/* Hand each top-level attribute of a generic netlink answer to @fn. */
static void genl_attrs(const struct nlmsghdr *nh,
		       void (*fn)(const struct rtattr *rta,
				  struct genl_answer *a),
		       struct genl_answer *a)
{
	const struct rtattr *rta;
	unsigned int len;

	if (nh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN))
		return;
	len = nh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
	rta = (const struct rtattr *)(const void *)((const char *)NLMSG_DATA(
							    nh) +
						    GENL_HDRLEN);
	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
		fn(rta, a);
}

static void family_attr(const struct rtattr *rta, struct genl_answer *a)
{
	if (rta->rta_type == CTRL_ATTR_FAMILY_ID &&
	    RTA_PAYLOAD(rta) >= sizeof(a->family))
		memcpy(&a->family, RTA_DATA(rta), sizeof(a->family));
}

static void parse_family(const struct nlmsghdr *nh, void *arg)
{
	if (nh->nlmsg_type == GENL_ID_CTRL)
		genl_attrs(nh, family_attr, arg);
}

static void dev_attr(const struct rtattr *rta, struct genl_answer *a)
{
	if ((rta->rta_type & NLA_TYPE_MASK) ==
		    NETDEV_GENL_A_DEV_XDP_RX_METADATA_FEATURES &&
	    RTA_PAYLOAD(rta) >= sizeof(a->meta)) {
		memcpy(&a->meta, RTA_DATA(rta), sizeof(a->meta));
		a->have_meta = true;
	}
}

static void parse_dev(const struct nlmsghdr *nh, void *arg)
{
	struct genl_answer *a = arg;

	if (nh->nlmsg_type == a->family)
		genl_attrs(nh, dev_attr, a);
}

/* The id of generic netlink family @name: 0, or -ENOENT if the kernel has
 * none (the netdev family: before 6.3), or another negative errno value. */
static int genl_family(const char *name, struct genl_answer *a)
{
	struct genl_req req;
	int err;

	genl_init(&req, GENL_ID_CTRL, CTRL_CMD_GETFAMILY);
	nl_put(&req, CTRL_ATTR_FAMILY_NAME, name,
	       (unsigned short)(strlen(name) + 1));
	err = nl_talk(NETLINK_GENERIC, &req, parse_family, a, NULL, 0, NULL);
	if (err)
		return err;
	return a->family ? 0 : -ENOENT;
}

/* A request @cmd to the netdev family, its id resolved into @a. */
static int netdev_req(struct genl_answer *a, struct genl_req *req, uint8_t cmd)
{
	int err;

	memset(a, 0, sizeof(*a));
	err = genl_family(NETDEV_GENL_NAME, a);
	if (!err)
		genl_init(req, a->family, cmd);
	return err;
}

int xsk__nl_rx_metadata(uint32_t ifindex, uint32_t *hints)
{
	struct genl_answer a;
	struct genl_req req;
	int err;

	err = netdev_req(&a, &req, NETDEV_GENL_CMD_DEV_GET);
	if (err)
		return err;
	nl_put(&req, NETDEV_GENL_A_DEV_IFINDEX, &ifindex, sizeof(ifindex));
	err = nl_talk(NETLINK_GENERIC, &req, parse_dev, &a, NULL, 0, NULL);
	if (err)
		return err;
	if (!a.have_meta)
		return -ENODATA;
	*hints = (a.meta & NETDEV_GENL_RX_META_TIMESTAMP ? XSK_HINT_TIMESTAMP :
							   0) |
		 (a.meta & NETDEV_GENL_RX_META_HASH ? XSK_HINT_HASH : 0) |
		 (a.meta & NETDEV_GENL_RX_META_VLAN_TAG ? XSK_HINT_VLAN : 0);
	return 0;
}

/*
 * A queue's information (queue-get, Linux 6.8) carries an empty nest,
 * NETDEV_A_QUEUE_XSK, while an AF_XDP socket holds the queue (Linux 6.15;
 * in copy mode too). Older kernels leave it out, so its absence proves
 * nothing.
 */
#define NETDEV_GENL_CMD_QUEUE_GET 10
#define NETDEV_GENL_A_QUEUE_ID 1
#define NETDEV_GENL_A_QUEUE_IFINDEX 2
#define NETDEV_GENL_A_QUEUE_TYPE 3
#define NETDEV_GENL_A_QUEUE_XSK 7
#define NETDEV_GENL_QUEUE_TYPE_RX 0

static void queue_attr(const struct rtattr *rta, struct genl_answer *a)
{
	a->have_queue = true;
	if ((rta->rta_type & NLA_TYPE_MASK) == NETDEV_GENL_A_QUEUE_XSK)
		a->queue_xsk = true;
}

static void parse_queue(const struct nlmsghdr *nh, void *arg)
{
	struct genl_answer *a = arg;

	if (nh->nlmsg_type == a->family)
		genl_attrs(nh, queue_attr, a);
}

int xsk__nl_queue_xsk(uint32_t ifindex, uint32_t queue_id, bool *held)
{
	uint32_t type = NETDEV_GENL_QUEUE_TYPE_RX;
	struct genl_answer a;
	struct genl_req req;
	int err;

	err = netdev_req(&a, &req, NETDEV_GENL_CMD_QUEUE_GET);
	if (err)
		return err;
	nl_put(&req, NETDEV_GENL_A_QUEUE_IFINDEX, &ifindex, sizeof(ifindex));
	nl_put(&req, NETDEV_GENL_A_QUEUE_TYPE, &type, sizeof(type));
	nl_put(&req, NETDEV_GENL_A_QUEUE_ID, &queue_id, sizeof(queue_id));
	err = nl_talk(NETLINK_GENERIC, &req, parse_queue, &a, NULL, 0, NULL);
	if (err)
		return err;
	if (!a.have_queue)
		return -ENODATA;
	*held = a.queue_xsk;
	return 0;
}

/* ------------------------------------ AF_XDP socket diagnostics (5.1) */

/*
 * NETLINK_SOCK_DIAG for AF_XDP (<linux/xdp_diag.h>, spelled out here for
 * older headers): a dump of the sockets of this network namespace, each
 * with its inode and, with XDP_SHOW_INFO, the device and queue it is bound
 * to. The kernel answers ENOENT unless built with CONFIG_XDP_SOCKETS_DIAG
 * (or the xsk_diag module loads).
 */
#ifndef SOCK_DIAG_BY_FAMILY
#define SOCK_DIAG_BY_FAMILY 20
#endif
#define XSK_XDP_SHOW_INFO 1u
#define XSK_XDP_DIAG_INFO 1

struct xsk_diag_req {
	uint8_t family;
	uint8_t protocol;
	uint16_t pad;
	uint32_t ino;
	uint32_t show;
	uint32_t cookie[2];
};

struct xsk_diag_msg {
	uint8_t family;
	uint8_t type;
	uint16_t pad;
	uint32_t ino;
	uint32_t cookie[2];
};

struct diag_answer {
	uint32_t ifindex, queue_id;
	uint32_t ino; /* of the socket bound there; 0: none seen */
};

static void parse_diag(const struct nlmsghdr *nh, void *arg)
{
	const struct xsk_diag_msg *m = NLMSG_DATA(nh);
	struct diag_answer *a = arg;
	const struct rtattr *rta;
	unsigned int len;
	uint32_t info[2];

	if (nh->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
	    nh->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
		return;
	len = nh->nlmsg_len - NLMSG_LENGTH(sizeof(*m));
	rta = (const struct rtattr *)(const void *)((const char *)m +
						    NLMSG_ALIGN(sizeof(*m)));
	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type != XSK_XDP_DIAG_INFO ||
		    RTA_PAYLOAD(rta) < sizeof(info))
			continue;
		memcpy(info, RTA_DATA(rta), sizeof(info));
		if (info[0] == a->ifindex && info[1] == a->queue_id && !a->ino)
			a->ino = m->ino;
	}
}

int xsk__nl_xsk_diag(uint32_t ifindex, uint32_t queue_id, uint32_t *ino)
{
	struct {
		struct nlmsghdr nh;
		struct xsk_diag_req r;
	} req;
	struct diag_answer a = { .ifindex = ifindex, .queue_id = queue_id };
	int err;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = sizeof(req);
	req.nh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nh.nlmsg_seq = 1;
	req.r.family = AF_XDP;
	req.r.show = XSK_XDP_SHOW_INFO;
	err = nl_talk(NETLINK_SOCK_DIAG, &req, parse_diag, &a, NULL, 0, NULL);
	if (err)
		return err;
	*ino = a.ino;
	return 0;
}
