/*
 * AF_NETLINK NETLINK_ROUTE as `ip`, glibc's getifaddrs and Go's
 * net.Interfaces use it: socket kinds, bind and autobind, names, the
 * dumps of links, addresses and routes (what they hold, printed as `ip`
 * would), a link by index and by name, acks and errors, truncation and
 * peeking, readiness, options, timeouts, unicast between two sockets, and
 * the calls netlink has not. Run natively in a fresh network namespace
 * (lo up) and under tsvisor --network=none, and compared.
 *
 *   netlink          the comparison
 *   netlink uevent   NETLINK_KOBJECT_UEVENT's socket(2) alone (tsvisor: EPROTONOSUPPORT)
 *   netlink ifaddrs  glibc's getifaddrs(3) and if_nameindex(3), printed
 */
#include "common.h"
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <linux/capability.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>

static unsigned seq = 100;

static int nl_socket(void)
{
	return socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
}

/* Sends a request of type with a payload of len bytes (a family first); the seq used. */
static unsigned request(int fd, int type, int flags, const void *payload, size_t len)
{
	char buf[512];
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	memset(buf, 0, sizeof buf);
	h->nlmsg_len = NLMSG_LENGTH(len);
	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST | flags;
	h->nlmsg_seq = ++seq;
	memcpy(NLMSG_DATA(h), payload, len);
	struct sockaddr_nl k = {.nl_family = AF_NETLINK};
	if (sendto(fd, buf, h->nlmsg_len, 0, (struct sockaddr *)&k, sizeof k) < 0)
		printf("sendto: -1 %s\n", errname(errno));
	return seq;
}

static char rx[65536];

/* Reads one datagram; its length, and the sender's port id in *from. */
static ssize_t receive(int fd, int *from)
{
	struct sockaddr_nl a;
	socklen_t al = sizeof a;
	ssize_t n = recvfrom(fd, rx, sizeof rx, 0, (struct sockaddr *)&a, &al);
	if (from != NULL)
		*from = n >= 0 && al == sizeof a && a.nl_family == AF_NETLINK ? (int)a.nl_pid : -1;
	return n;
}

static void print_attr_addr(const char *what, int family, const void *p)
{
	char s[64];
	inet_ntop(family, p, s, sizeof s);
	printf(" %s %s", what, s);
}

/* Prints a dump's objects as lines, and checks its framing: every message's seq and port id, NLM_F_MULTI, one NLMSG_DONE. */
static void dump(int fd, int type, int family, const char *name, unsigned portid)
{
	struct rtgenmsg g = {.rtgen_family = family};
	unsigned s = request(fd, type, NLM_F_DUMP, &g, sizeof g);
	int done = 0, framing = 1, objects = 0, from = 0, kernel = 1;
	while (!done) {
		ssize_t n = receive(fd, &from);
		if (n <= 0) {
			printf("%s recv: -1 %s\n", name, errname(errno));
			return;
		}
		if (from != 0)
			kernel = 0;
		for (struct nlmsghdr *h = (struct nlmsghdr *)rx; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != s || h->nlmsg_pid != portid || !(h->nlmsg_flags & NLM_F_MULTI))
				framing = 0;
			if (h->nlmsg_type == NLMSG_DONE) {
				done = 1;
				break;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				printf("%s: error %d\n", name, ((struct nlmsgerr *)NLMSG_DATA(h))->error);
				return;
			}
			objects++;
			if (type == RTM_GETLINK) {
				struct ifinfomsg *i = NLMSG_DATA(h);
				printf("%s: index %d type %d flags 0x%x", name, i->ifi_index, i->ifi_type, i->ifi_flags);
				int len = IFLA_PAYLOAD(h);
				for (struct rtattr *a = IFLA_RTA(i); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
					if (a->rta_type == IFLA_IFNAME)
						printf(" name %s", (char *)RTA_DATA(a));
					if (a->rta_type == IFLA_MTU)
						printf(" mtu %u", *(unsigned *)RTA_DATA(a));
				}
				printf("\n");
			} else if (type == RTM_GETADDR) {
				struct ifaddrmsg *i = NLMSG_DATA(h);
				printf("%s: family %d prefix %d scope %d index %d", name, i->ifa_family, i->ifa_prefixlen, i->ifa_scope, i->ifa_index);
				int len = IFA_PAYLOAD(h);
				for (struct rtattr *a = IFA_RTA(i); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
					if (a->rta_type == IFA_ADDRESS)
						print_attr_addr("address", i->ifa_family, RTA_DATA(a));
					if (a->rta_type == IFA_LABEL)
						printf(" label %s", (char *)RTA_DATA(a));
				}
				printf("\n");
			} else if (type == RTM_GETROUTE) {
				struct rtmsg *r = NLMSG_DATA(h);
				printf("%s: family %d table %d type %d scope %d dst_len %d", name, r->rtm_family, r->rtm_table, r->rtm_type, r->rtm_scope, r->rtm_dst_len);
				int len = RTM_PAYLOAD(h);
				for (struct rtattr *a = RTM_RTA(r); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
					if (a->rta_type == RTA_DST)
						print_attr_addr("dst", r->rtm_family, RTA_DATA(a));
					if (a->rta_type == RTA_OIF)
						printf(" oif %d", *(int *)RTA_DATA(a));
				}
				printf("\n");
			}
		}
	}
	show_bool("dump framed (seq, port id, multi, done)", framing);
	show_bool("dump came from the kernel (port 0)", kernel);
	printf("%s objects: %d\n", name, objects);
}

/* Reads one reply and prints what it is: a link, an error (with its errno), or another type. */
static void one_reply(int fd, const char *what)
{
	ssize_t n = receive(fd, NULL);
	if (n < 0) {
		printf("%s: recv -1 %s\n", what, errname(errno));
		return;
	}
	struct nlmsghdr *h = (struct nlmsghdr *)rx;
	if (!NLMSG_OK(h, (size_t)n)) {
		printf("%s: short %zd\n", what, n);
		return;
	}
	if (h->nlmsg_type == NLMSG_ERROR) {
		struct nlmsgerr *e = NLMSG_DATA(h);
		printf("%s: error %s (echoed type %d seq ok %d)\n", what, e->error == 0 ? "0" : errname(-e->error), e->msg.nlmsg_type, e->msg.nlmsg_seq == seq);
	} else if (h->nlmsg_type == RTM_NEWLINK) {
		struct ifinfomsg *i = NLMSG_DATA(h);
		printf("%s: link %d multi %d\n", what, i->ifi_index, (h->nlmsg_flags & NLM_F_MULTI) != 0);
	} else {
		printf("%s: type %d\n", what, h->nlmsg_type);
	}
}

static void drop_net_admin(void)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct data[2];
	syscall(SYS_capget, &hdr, data);
	data[0].effective &= ~(1u << CAP_NET_ADMIN);
	show("capset drops CAP_NET_ADMIN", syscall(SYS_capset, &hdr, data));
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "ifaddrs") == 0) {
		struct ifaddrs *ifs;
		if (show("getifaddrs", getifaddrs(&ifs)) < 0)
			return 1;
		for (struct ifaddrs *i = ifs; i != NULL; i = i->ifa_next) {
			printf("%s flags 0x%x family %d", i->ifa_name, i->ifa_flags, i->ifa_addr == NULL ? -1 : i->ifa_addr->sa_family);
			if (i->ifa_addr != NULL && (i->ifa_addr->sa_family == AF_INET || i->ifa_addr->sa_family == AF_INET6)) {
				char s[64];
				const void *p = i->ifa_addr->sa_family == AF_INET ? (const void *)&((struct sockaddr_in *)i->ifa_addr)->sin_addr
										   : (const void *)&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
				printf(" %s", inet_ntop(i->ifa_addr->sa_family, p, s, sizeof s));
			}
			printf("\n");
		}
		freeifaddrs(ifs);
		struct if_nameindex *ni = if_nameindex();
		for (struct if_nameindex *x = ni; x != NULL && x->if_index != 0; x++)
			printf("if_nameindex %u %s\n", x->if_index, x->if_name);
		if_freenameindex(ni);
		printf("if_nametoindex lo %u\n", if_nametoindex("lo"));
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "uevent") == 0) {
		show_ok("socket NETLINK_KOBJECT_UEVENT", socket(AF_NETLINK, SOCK_DGRAM, NETLINK_KOBJECT_UEVENT));
		return 0;
	}
	/* Kinds. */
	int fd = show_ok("socket raw", nl_socket());
	close(show_ok("socket dgram", socket(AF_NETLINK, SOCK_DGRAM, NETLINK_ROUTE)));
	show("socket stream", socket(AF_NETLINK, SOCK_STREAM, NETLINK_ROUTE));
	show("socket seqpacket", socket(AF_NETLINK, SOCK_SEQPACKET, NETLINK_ROUTE));
	show("socket protocol 31", socket(AF_NETLINK, SOCK_RAW, 31));
	show("socket protocol 32", socket(AF_NETLINK, SOCK_RAW, 32));
	show("socket protocol -1", socket(AF_NETLINK, SOCK_RAW, -1));
	int sv[2];
	show("socketpair", socketpair(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE, sv));

	/* Names: bind, autobind, getsockname, getpeername. */
	struct sockaddr_nl a = {.nl_family = AF_NETLINK};
	show("bind short", bind(fd, (struct sockaddr *)&a, 8));
	struct sockaddr_nl wrong = {.nl_family = AF_INET};
	show("bind wrong family", bind(fd, (struct sockaddr *)&wrong, sizeof wrong));
	show("bind autobind", bind(fd, (struct sockaddr *)&a, sizeof a));
	struct sockaddr_nl got;
	socklen_t gl = sizeof got;
	show("getsockname", getsockname(fd, (struct sockaddr *)&got, &gl));
	printf("getsockname len %u family %d\n", gl, got.nl_family);
	show_bool("port id is the pid", got.nl_pid == (unsigned)getpid());
	unsigned portid = got.nl_pid;
	int fd2 = nl_socket();
	show("second autobind", bind(fd2, (struct sockaddr *)&a, sizeof a));
	gl = sizeof got;
	getsockname(fd2, (struct sockaddr *)&got, &gl);
	show_bool("second port id is negative", (int)got.nl_pid < 0);
	int fd3 = nl_socket();
	struct sockaddr_nl mine = {.nl_family = AF_NETLINK, .nl_pid = 424242};
	show("bind 424242", bind(fd3, (struct sockaddr *)&mine, sizeof mine));
	int fd4 = nl_socket();
	show("bind 424242 again", bind(fd4, (struct sockaddr *)&mine, sizeof mine));
	show("rebind fd3 to another id", bind(fd3, (struct sockaddr *)&a, sizeof a) == 0 ? 0 : -1);
	struct sockaddr_nl other = {.nl_family = AF_NETLINK, .nl_pid = 5};
	show("rebind fd3 to 5", bind(fd3, (struct sockaddr *)&other, sizeof other));
	gl = sizeof got;
	show("getpeername", getpeername(fd, (struct sockaddr *)&got, &gl));
	printf("getpeername len %u family %d pid %u\n", gl, got.nl_family, got.nl_pid);

	/* Options. */
	int v = 0;
	socklen_t vl = sizeof v;
	getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &vl);
	printf("SO_TYPE %d\n", v);
	getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &v, &vl);
	printf("SO_PROTOCOL %d\n", v);
	getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &vl);
	printf("SO_DOMAIN %d\n", v);
	v = 32768;
	show("SO_RCVBUF set", setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof v));
	vl = sizeof v;
	getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, &vl);
	printf("SO_RCVBUF %d\n", v);
	v = 1;
	show("NETLINK_EXT_ACK", setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &v, sizeof v));
	vl = sizeof v;
	v = 0;
	getsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &v, &vl);
	printf("NETLINK_EXT_ACK %d\n", v);
	v = RTNLGRP_LINK;
	show("NETLINK_ADD_MEMBERSHIP", setsockopt(fd2, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &v, sizeof v));
	v = 0;
	show("NETLINK_ADD_MEMBERSHIP 0", setsockopt(fd2, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &v, sizeof v));
	unsigned groups[4] = {0};
	vl = sizeof groups;
	show("NETLINK_LIST_MEMBERSHIPS", getsockopt(fd2, SOL_NETLINK, NETLINK_LIST_MEMBERSHIPS, groups, &vl));
	printf("memberships 0x%x\n", groups[0]);
	show("getsockopt SOL_NETLINK 99", getsockopt(fd, SOL_NETLINK, 99, &v, &vl));
	char small = 0;
	vl = 1;
	show("NETLINK_EXT_ACK optlen 1", getsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &small, &vl));

	/* The dumps. */
	dump(fd, RTM_GETLINK, AF_UNSPEC, "link", portid);
	dump(fd, RTM_GETADDR, AF_INET, "addr4", portid);
	dump(fd, RTM_GETADDR, AF_INET6, "addr6", portid);
	dump(fd, RTM_GETADDR, AF_UNSPEC, "addr", portid);
	dump(fd, RTM_GETROUTE, AF_INET, "route4", portid);
	dump(fd, RTM_GETNEIGH, AF_UNSPEC, "neigh", portid);

	/* One link; acks; errors. */
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = 1};
	request(fd, RTM_GETLINK, 0, &ifi, sizeof ifi);
	one_reply(fd, "getlink 1");
	request(fd, RTM_GETLINK, NLM_F_ACK, &ifi, sizeof ifi);
	one_reply(fd, "getlink 1 with ack");
	one_reply(fd, "its ack");
	ifi.ifi_index = 999;
	request(fd, RTM_GETLINK, 0, &ifi, sizeof ifi);
	one_reply(fd, "getlink 999");
	struct {
		struct ifinfomsg i;
		struct rtattr a;
		char name[4];
	} byname = {.i = {.ifi_family = AF_UNSPEC}, .a = {.rta_len = RTA_LENGTH(3), .rta_type = IFLA_IFNAME}, .name = "lo"};
	request(fd, RTM_GETLINK, 0, &byname, sizeof byname);
	one_reply(fd, "getlink lo by name");
	struct rtgenmsg g = {.rtgen_family = AF_UNSPEC};
	request(fd, 200, 0, &g, sizeof g);
	one_reply(fd, "type 200");
	request(fd, NLMSG_NOOP, NLM_F_ACK, &g, sizeof g);
	one_reply(fd, "noop with ack");
	v = 1;
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &v, sizeof v);
	ifi.ifi_index = 998;
	request(fd, RTM_GETLINK, 0, &ifi, sizeof ifi);
	ssize_t n = receive(fd, NULL);
	printf("capped error length %zd flags 0x%x\n", n, ((struct nlmsghdr *)rx)->nlmsg_flags);

	/* Unicast between two sockets of the program (CAP_NET_ADMIN: route's NL_CFG_F_NONROOT_SEND is not set). */
	struct sockaddr_nl to3 = {.nl_family = AF_NETLINK, .nl_pid = 424242};
	show("sendto another socket", sendto(fd2, "hello", 5, 0, (struct sockaddr *)&to3, sizeof to3));
	int from = 0;
	struct sockaddr_nl sa;
	socklen_t sl = sizeof sa;
	n = recvfrom(fd3, rx, sizeof rx, MSG_DONTWAIT, (struct sockaddr *)&sa, &sl);
	from = (int)sa.nl_pid;
	show("its recv", n);
	show_bool("it is hello", n == 5 && memcmp(rx, "hello", 5) == 0);
	gl = sizeof got;
	getsockname(fd2, (struct sockaddr *)&got, &gl);
	show_bool("from the sender's port id", from == (int)got.nl_pid);
	struct sockaddr_nl nobody = {.nl_family = AF_NETLINK, .nl_pid = 777777};
	show("sendto a port nobody has", sendto(fd, "x", 1, 0, (struct sockaddr *)&nobody, sizeof nobody));

	/* Changes, without CAP_NET_ADMIN. */
	drop_net_admin();
	struct {
		struct ifaddrmsg i;
		struct rtattr a;
		struct in_addr addr;
	} add = {.i = {.ifa_family = AF_INET, .ifa_prefixlen = 8, .ifa_index = 1}, .a = {.rta_len = RTA_LENGTH(4), .rta_type = IFA_LOCAL}};
	inet_pton(AF_INET, "10.9.9.9", &add.addr);
	request(fd, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK, &add, sizeof add);
	one_reply(fd, "newaddr without CAP_NET_ADMIN");
	struct sockaddr_nl group = {.nl_family = AF_NETLINK, .nl_groups = 1};
	show("sendto a group without CAP_NET_ADMIN", sendto(fd, &g, sizeof g, 0, (struct sockaddr *)&group, sizeof group));

	/* Truncation, peeking, readiness, FIONREAD. */
	request(fd, RTM_GETLINK, NLM_F_DUMP, &g, sizeof g);
	struct pollfd p = {.fd = fd, .events = POLLIN | POLLOUT};
	show("poll with a dump queued", poll(&p, 1, 0));
	printf("revents 0x%x\n", p.revents);
	int queued = 0;
	show("ioctl FIONREAD", ioctl(fd, FIONREAD, &queued));
	char tiny[20];
	struct iovec iov = {.iov_base = tiny, .iov_len = sizeof tiny};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
	n = recvmsg(fd, &m, MSG_PEEK | MSG_TRUNC);
	show_bool("peek|trunc gives the whole length", n > (ssize_t)sizeof tiny);
	show_bool("peek sets MSG_TRUNC", (m.msg_flags & MSG_TRUNC) != 0);
	n = recvmsg(fd, &m, 0);
	show("truncated read", n);
	show_bool("read sets MSG_TRUNC", (m.msg_flags & MSG_TRUNC) != 0);
	/* The rest of that dump. */
	for (;;) {
		n = recv(fd, rx, sizeof rx, MSG_DONTWAIT);
		if (n <= 0)
			break;
		int last = 0;
		for (struct nlmsghdr *h = (struct nlmsghdr *)rx; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n))
			if (h->nlmsg_type == NLMSG_DONE)
				last = 1;
		if (last)
			break;
	}
	show("recv empty, MSG_DONTWAIT", recv(fd, rx, sizeof rx, MSG_DONTWAIT));
	p.revents = 0;
	show("poll drained", poll(&p, 1, 0));
	printf("revents 0x%x\n", p.revents);
	struct timeval badtv = {.tv_usec = 1000000};
	show("SO_RCVTIMEO with tv_usec 10^6", setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &badtv, sizeof badtv));
	struct timeval tv = {.tv_usec = 100000};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	show("recv with SO_RCVTIMEO", recv(fd, rx, sizeof rx, 0));
	request(fd, RTM_GETLINK, NLM_F_DUMP, &g, sizeof g);
	request(fd, RTM_GETADDR, NLM_F_DUMP, &g, sizeof g);
	int busy = 0;
	for (;;) {
		n = recv(fd, rx, sizeof rx, MSG_DONTWAIT);
		if (n <= 0)
			break;
		for (struct nlmsghdr *h = (struct nlmsghdr *)rx; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n))
			if (h->nlmsg_type == NLMSG_ERROR && ((struct nlmsgerr *)NLMSG_DATA(h))->error == -EBUSY)
				busy = 1;
	}
	show_bool("a second dump while one runs is EBUSY", busy);

	/* Bad destinations. */
	struct sockaddr_nl bad = {.nl_family = AF_NETLINK};
	show("sendto short address", sendto(fd, &g, sizeof g, 0, (struct sockaddr *)&bad, 4));
	struct sockaddr_in in = {.sin_family = AF_INET};
	show("sendto inet address", sendto(fd, &g, sizeof g, 0, (struct sockaddr *)&in, sizeof in));
	show("sendto another socket without CAP_NET_ADMIN", sendto(fd2, "x", 1, 0, (struct sockaddr *)&to3, sizeof to3));
	show("connect to another socket without CAP_NET_ADMIN", connect(fd2, (struct sockaddr *)&to3, sizeof to3));

	/* What netlink has not. */
	show("listen", listen(fd, 1));
	show("accept", accept(fd, NULL, NULL));
	show("shutdown", shutdown(fd, SHUT_RDWR));
	struct sockaddr_nl k = {.nl_family = AF_NETLINK};
	show("connect to the kernel", connect(fd2, (struct sockaddr *)&k, sizeof k));
	struct sockaddr_nl unspec = {.nl_family = AF_UNSPEC};
	show("connect AF_UNSPEC", connect(fd2, (struct sockaddr *)&unspec, sizeof unspec));
	show("write a request", write(fd2, "", 0));
	return 0;
}
