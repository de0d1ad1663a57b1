/*
 * Random arguments to the socket calls (inet and Unix): sockfuzz SEED COUNT.
 * A pool of sockets of every kind the sandbox serves (raw inet and AF_PACKET
 * ones too when it has --net-raw; EPERM, so not in the pool, without), and
 * calls to socket,
 * socketpair, bind, connect, listen, accept4, getsockname, getpeername,
 * sendto, recvfrom, sendmsg, recvmsg, sendmmsg, recvmmsg, shutdown,
 * setsockopt, getsockopt, ioctl, read, write and close with random
 * descriptors, pointers (into a scratch buffer, NULL, unmapped, kernel),
 * lengths, levels (SOL_RAW, SOL_PACKET and SOL_ICMPV6 among them), options
 * and flags, and buffers of random bytes (so addresses, sockaddr_ll ones
 * among them, msghdrs, iovecs and control messages are random too). Every
 * socket is non-blocking and every send and receive has MSG_DONTWAIT, so
 * nothing waits. Run only under tsvisor (its network is a namespace of its
 * own); it must end with "done" and the Sentry alive.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "xorshift.h"

#define POOL 24
static int pool[POOL];
static unsigned char *buf;
#define BUFSZ 8192

static long pick_fd(void)
{
	switch (rnd() % 8) {
	case 0: return (long)(int)rnd();
	case 1: return -1;
	default: return pool[rnd() % POOL];
	}
}

static long pick_ptr(void)
{
	switch (rnd() % 10) {
	case 0: return 0;
	case 1: return 1;
	case 2: return (long)0xffff800000000000UL;
	case 3: return (long)(buf + BUFSZ - (rnd() % 16));
	default: return (long)(buf + rnd() % (BUFSZ - 256));
	}
}

static long pick_len(void)
{
	switch (rnd() % 8) {
	case 0: return -1;
	case 1: return (long)rnd();
	case 2: return 0;
	case 3: return 16 + rnd() % 16;
	default: return rnd() % 300;
	}
}

static int pick_family(void)
{
	static const int f[] = {AF_INET, AF_INET6, AF_UNIX, AF_UNSPEC, AF_NETLINK, AF_PACKET, 99};
	return rnd() % 4 == 0 ? (int)rnd() : f[rnd() % 7];
}

/* A random socket address of an inet family pointing at loopback, or random bytes. */
static void scribble(void)
{
	for (int i = 0; i < 512; i++)
		buf[rnd() % BUFSZ] = (unsigned char)rnd();
	if (rnd() % 2) {
		unsigned char *p = buf + rnd() % (BUFSZ - 256);
		struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(rnd() % 4 ? 40000 + rnd() % 8 : rnd()),
					.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
		memcpy(p, &a, sizeof a);
	}
	if (rnd() % 4 == 0) {
		/* A sockaddr_ll on lo (ifindex 1) or another, of some protocol. */
		unsigned char *p = buf + rnd() % (BUFSZ - 256);
		struct sockaddr_ll a = {.sll_family = rnd() % 8 ? AF_PACKET : (unsigned short)rnd(),
					.sll_protocol = rnd() % 2 ? htons(ETH_P_IP) : (unsigned short)rnd(),
					.sll_ifindex = rnd() % 4 ? 1 : (int)rnd(), .sll_halen = (unsigned char)(rnd() % 4 ? 6 : rnd())};
		memcpy(p, &a, sizeof a);
	}
}

static void refill(int i)
{
	static const int kinds[][3] = {
		{AF_INET, SOCK_STREAM, 0}, {AF_INET, SOCK_DGRAM, 0}, {AF_INET6, SOCK_STREAM, 0},
		{AF_INET6, SOCK_DGRAM, 0}, {AF_UNIX, SOCK_STREAM, 0}, {AF_UNIX, SOCK_DGRAM, 0},
		{AF_INET, SOCK_RAW, IPPROTO_ICMP}, {AF_INET, SOCK_RAW, IPPROTO_RAW}, {AF_INET6, SOCK_RAW, IPPROTO_ICMPV6},
		{AF_PACKET, SOCK_RAW, 0x0300 /* htons(ETH_P_ALL) */}, {AF_PACKET, SOCK_DGRAM, 0x0008 /* htons(ETH_P_IP) */},
	};
	const int *k = kinds[rnd() % 11];
	pool[i] = socket(k[0], k[1] | SOCK_NONBLOCK, k[2]);
	if (k[0] == AF_INET && rnd() % 2) {
		struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(40000 + rnd() % 8),
					.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
		bind(pool[i], (void *)&a, sizeof a);
		if (k[1] == SOCK_STREAM)
			listen(pool[i], 4);
	}
}

int main(int argc, char **argv)
{
	rng = argc > 1 ? strtoull(argv[1], NULL, 0) * 2654435761u + 1 : 1;
	long count = argc > 2 ? atol(argv[2]) : 20000;
	signal(SIGPIPE, SIG_IGN);
	buf = mmap(NULL, BUFSZ + 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(buf + BUFSZ, 4096);
	for (int i = 0; i < POOL; i++)
		refill(i);
	for (long n = 0; n < count; n++) {
		scribble();
		long fd = pick_fd(), p1 = pick_ptr(), p2 = pick_ptr(), l1 = pick_len();
		long flags = (long)(rnd() & 0x7fffffff) | MSG_DONTWAIT;
		int opt = rnd() % 3 ? (int)(rnd() % 70) : (int)rnd();
		int level = (int[]){SOL_SOCKET, IPPROTO_TCP, IPPROTO_IP, IPPROTO_IPV6, IPPROTO_UDP, 255 /* SOL_RAW */,
				    SOL_PACKET, IPPROTO_ICMPV6, (int)rnd()}[rnd() % 9];
		long r = 0;
		switch (rnd() % 21) {
		case 0: {
			int s = syscall(SYS_socket, pick_family(), (int)(rnd() % 12) | SOCK_NONBLOCK | (rnd() % 2 ? SOCK_CLOEXEC : 0),
					rnd() % 3 ? (int)(rnd() % 20) : (int)rnd());
			if (s >= 0) {
				int i = rnd() % POOL;
				close(pool[i]);
				pool[i] = s;
			}
			break;
		}
		case 1: r = syscall(SYS_socketpair, pick_family(), (int)(rnd() % 6) | SOCK_NONBLOCK, 0, p1); break;
		case 2: r = syscall(SYS_bind, fd, p1, l1); break;
		case 3: r = syscall(SYS_connect, fd, p1, l1); break;
		case 4: r = syscall(SYS_listen, fd, (int)rnd()); break;
		case 5: {
			r = syscall(SYS_accept4, fd, p1, p2, (rnd() % 4 ? SOCK_NONBLOCK : (int)rnd()));
			if (r >= 0) {
				int i = rnd() % POOL;
				close(pool[i]);
				pool[i] = r;
				fcntl(r, F_SETFL, O_NONBLOCK);
			}
			break;
		}
		case 6: r = syscall(SYS_getsockname, fd, p1, p2); break;
		case 7: r = syscall(SYS_getpeername, fd, p1, p2); break;
		case 8: r = syscall(SYS_sendto, fd, p1, l1, flags, p2, pick_len()); break;
		case 9: r = syscall(SYS_recvfrom, fd, p1, l1, flags, p2, pick_ptr()); break;
		case 10: r = syscall(SYS_sendmsg, fd, p1, flags); break;
		case 11: r = syscall(SYS_recvmsg, fd, p1, flags); break;
		case 12: r = syscall(SYS_sendmmsg, fd, p1, rnd() % 8, flags); break;
		case 13: r = syscall(SYS_recvmmsg, fd, p1, rnd() % 8, flags, rnd() % 2 ? 0 : p2); break;
		case 14: r = syscall(SYS_shutdown, fd, (int)(rnd() % 4)); break;
		case 15: r = syscall(SYS_setsockopt, fd, level, opt, p1, l1); break;
		case 16: r = syscall(SYS_getsockopt, fd, level, opt, p1, p2); break;
		case 17: r = syscall(SYS_ioctl, fd, rnd() % 2 ? 0x541b : (rnd() % 2 ? 0x5411 : (long)(rnd() & 0xffffffff)), p1); break;
		case 18: r = syscall(SYS_read, fd, p1, l1 & 0xffff); break;
		case 19: r = syscall(SYS_write, fd, p1, l1 & 0xffff); break;
		case 20: {
			int i = rnd() % POOL;
			close(pool[i]);
			refill(i);
			break;
		}
		}
		(void)r;
	}
	printf("done\n");
	return 0;
}
