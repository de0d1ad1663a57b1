/*
 * Hostile: random datagrams to a NETLINK_ROUTE socket (lengths that lie,
 * every message type, dump and ack flags, truncated attributes), random
 * addresses to bind, connect and sendto, random option values and
 * lengths, and reads with odd buffers and flags, seeded so a failure can
 * be replayed. The Sentry must answer every one and survive; the program
 * prints "survived" and how many replies it read.
 *
 *   netlink_fuzz [ITERATIONS] [SEED]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static unsigned long long state;

static unsigned rnd(void)
{
	state = state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)(state >> 33);
}

int main(int argc, char **argv)
{
	int iterations = argc > 1 ? atoi(argv[1]) : 20000;
	state = argc > 2 ? strtoull(argv[2], NULL, 0) : 42;
	int fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	if (fd < 0) {
		perror("socket");
		return 1;
	}
	static unsigned char buf[70000];
	long replies = 0;
	for (int i = 0; i < iterations; i++) {
		switch (rnd() % 8) {
		case 0: case 1: case 2: {
			/* A datagram of messages with plausible headers and random bodies. */
			size_t len = rnd() % 1200, off = 0;
			for (size_t k = 0; k < len; k++)
				buf[k] = (unsigned char)rnd();
			while (off + sizeof(struct nlmsghdr) <= len) {
				struct nlmsghdr *h = (struct nlmsghdr *)(buf + off);
				unsigned l = rnd() % 4 == 0 ? rnd() : 16 + rnd() % 200;
				h->nlmsg_len = l;
				h->nlmsg_type = rnd() % 4 == 0 ? (unsigned short)rnd() : 16 + rnd() % 120;
				h->nlmsg_flags = (unsigned short)((rnd() % 2 ? NLM_F_REQUEST : 0) | (rnd() % 2 ? NLM_F_DUMP : 0) | (rnd() % 3 ? 0 : NLM_F_ACK) | (rnd() & 0xf0f0));
				if (l < 16 || l > len - off)
					break;
				off += NLMSG_ALIGN(l);
			}
			struct sockaddr_nl k = {.nl_family = AF_NETLINK, .nl_pid = rnd() % 8 == 0 ? rnd() : 0, .nl_groups = rnd() % 8 == 0 ? rnd() : 0};
			sendto(fd, buf, len, MSG_DONTWAIT | (rnd() % 2 ? MSG_NOSIGNAL : 0), rnd() % 4 ? (struct sockaddr *)&k : NULL, rnd() % 6 ? sizeof k : rnd() % 64);
			break;
		}
		case 3: case 4: {
			size_t room = rnd() % 3 == 0 ? rnd() % 32 : rnd() % sizeof buf;
			int flags = MSG_DONTWAIT | (rnd() % 3 == 0 ? MSG_PEEK : 0) | (rnd() % 3 == 0 ? MSG_TRUNC : 0);
			if (recv(fd, buf, room, flags) >= 0)
				replies++;
			break;
		}
		case 5: {
			int v = (int)rnd();
			socklen_t l = rnd() % 8;
			int level = rnd() % 2 ? SOL_NETLINK : SOL_SOCKET;
			int name = rnd() % 40;
			if (rnd() % 2)
				setsockopt(fd, level, name, &v, l);
			else
				getsockopt(fd, level, name, buf, &l);
			break;
		}
		case 6: {
			struct sockaddr_nl a = {.nl_family = rnd() % 4 ? AF_NETLINK : (unsigned short)rnd(), .nl_pid = rnd() % 2 ? 0 : rnd(), .nl_groups = rnd()};
			if (rnd() % 2)
				bind(fd, (struct sockaddr *)&a, rnd() % 20);
			else
				connect(fd, (struct sockaddr *)&a, rnd() % 20);
			break;
		}
		default: {
			/* A fresh socket now and then, so binds and port ids start over. */
			if (rnd() % 50 == 0) {
				close(fd);
				fd = socket(AF_NETLINK, rnd() % 2 ? SOCK_RAW : SOCK_DGRAM, NETLINK_ROUTE);
				if (fd < 0)
					return 1;
			}
			break;
		}
		}
	}
	printf("survived, %s\n", replies > 0 ? "with replies" : "without a reply");
	return 0;
}
