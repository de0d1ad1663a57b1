/*
 * Hostile: sockets that push the Sentry's waiting paths. A peer that
 * never reads: a non-blocking sender fills the connection until EAGAIN,
 * a blocking one is ended by SO_SNDTIMEO (EAGAIN) and by a signal (EINTR,
 * or the bytes sent so far); every socket family there is asked for, from
 * 0 to 45, with each type, and gets a socket only for the ones the sandbox
 * serves (AF_PACKET's only with --net-raw, which also lets it hold a raw
 * and a packet socket). Prints one line per check, the same on every run, then holds its
 * sockets open for the test to look at the Sentry from the host, and
 * exits when its stdin ends.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static void on_alarm(int s) { (void)s; }

int main(void)
{
	int l = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t al = sizeof a;
	if (bind(l, (struct sockaddr *)&a, sizeof a) < 0 || listen(l, 1) < 0 || getsockname(l, (struct sockaddr *)&a, &al) < 0) {
		perror("listen");
		return 1;
	}
	int c = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(c, (struct sockaddr *)&a, sizeof a) < 0) {
		perror("connect");
		return 1;
	}
	int peer = accept(l, NULL, NULL); /* never read */
	static char buf[65536];
	long total = 0;
	fcntl(c, F_SETFL, O_NONBLOCK);
	for (;;) {
		ssize_t n = send(c, buf, sizeof buf, 0);
		if (n < 0) {
			printf("non-blocking sender stops: %s\n", errno == EAGAIN ? "EAGAIN" : strerror(errno));
			break;
		}
		total += n;
	}
	printf("some bytes queued: %d\n", total > 0);
	fcntl(c, F_SETFL, 0);
	struct timeval tv = {.tv_usec = 200000};
	setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	ssize_t n = send(c, buf, sizeof buf, 0);
	printf("blocking send with SO_SNDTIMEO: %s\n", n < 0 && errno == EAGAIN ? "EAGAIN" : n < 0 ? strerror(errno) : "partial");
	struct timeval none = {0};
	setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &none, sizeof none);
	struct sigaction sa = {.sa_handler = on_alarm};
	sigaction(SIGALRM, &sa, NULL);
	alarm(1);
	n = send(c, buf, sizeof buf, 0);
	printf("blocking send, then a signal: %s\n", n < 0 && errno == EINTR ? "EINTR" : n < 0 ? strerror(errno) : "partial");
	/* Every family, every type: nothing but what the sandbox serves. */
	int made = 0, odd = 0, packet_types = 0;
	for (int fam = 0; fam <= 45; fam++)
		for (int type = 1; type <= 10; type++) {
			int s = socket(fam, type | SOCK_CLOEXEC, 0);
			if (s < 0)
				continue;
			made++;
			if (fam == AF_PACKET)
				packet_types |= 1 << type;
			else if (fam != AF_UNIX && fam != AF_INET && fam != AF_INET6 && fam != AF_NETLINK)
				odd++, printf("a socket of family %d type %d\n", fam, type);
			close(s);
		}
	printf("sockets made: some %d, of other families %d\n", made > 0, odd);
	/* AF_PACKET's, with --net-raw: SOCK_DGRAM and SOCK_RAW (bits 2 and 3). */
	printf("packet types: %x\n", packet_types);
	/* Held (with --net-raw) with the others: raw and packet sockets are the namespace's too. */
	int raw = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP), pkt = socket(AF_PACKET, SOCK_RAW, 0x0300);
	printf("raw and packet held: %d %d\n", raw >= 0, pkt >= 0);
	printf("holding\n");
	fflush(stdout);
	char x;
	while (read(0, &x, 1) > 0)
		;
	close(peer);
	return 0;
}
