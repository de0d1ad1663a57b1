/*
 * sendmmsg(2) and recvmmsg(2) on blocking sockets wait for every message,
 * as Linux's do: recvmmsg for vlen datagrams (or until MSG_WAITFORONE's
 * first, or SO_RCVTIMEO's end of a later one), its timeout looked at only
 * after a datagram (the BUGS of recvmmsg(2)); sendmmsg for each message to
 * go whole; a signal after the first message ends the call with the count
 * so far, with or without SA_RESTART; before it, EINTR or a restart. On a
 * Unix datagram socketpair, UDP over 127.0.0.1, a Unix stream socketpair
 * and TCP over 127.0.0.1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void msleep(int ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void show(const char *what, long r)
{
	if (r < 0)
		printf("%s: -1 %s\n", what, strerrorname_np(errno));
	else
		printf("%s: %ld\n", what, r);
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void handle_alarm(int restart)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sa.sa_flags = restart ? SA_RESTART : 0;
	sigaction(SIGALRM, &sa, NULL);
}

static void alarm_ms(int ms)
{
	struct itimerval it = {{0, 0}, {ms / 1000, (ms % 1000) * 1000}};
	setitimer(ITIMER_REAL, &it, NULL);
}

/* A pair of connected datagram sockets: Unix, or UDP over 127.0.0.1. */
static void dgram_pair(int inet, int sv[2])
{
	if (!inet) {
		if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) < 0) {
			perror("socketpair");
			exit(1);
		}
		return;
	}
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof a;
	sv[1] = socket(AF_INET, SOCK_DGRAM, 0);
	sv[0] = socket(AF_INET, SOCK_DGRAM, 0);
	if (bind(sv[1], (struct sockaddr *)&a, sizeof a) < 0 || getsockname(sv[1], (struct sockaddr *)&a, &len) < 0 ||
	    connect(sv[0], (struct sockaddr *)&a, sizeof a) < 0) {
		perror("udp pair");
		exit(1);
	}
}

/* A pair of connected stream sockets: Unix, or TCP over 127.0.0.1. */
static void stream_pair(int inet, int sv[2])
{
	if (!inet) {
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
			perror("socketpair");
			exit(1);
		}
		return;
	}
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof a;
	int l = socket(AF_INET, SOCK_STREAM, 0);
	sv[0] = socket(AF_INET, SOCK_STREAM, 0);
	if (bind(l, (struct sockaddr *)&a, sizeof a) < 0 || listen(l, 1) < 0 ||
	    getsockname(l, (struct sockaddr *)&a, &len) < 0 || connect(sv[0], (struct sockaddr *)&a, sizeof a) < 0 ||
	    (sv[1] = accept(l, NULL, NULL)) < 0) {
		perror("tcp pair");
		exit(1);
	}
	close(l);
}

/* A child that sends n datagrams of "dN" on fd, the first after first_ms, the others gap_ms apart. */
static pid_t sender(int fd, int n, int first_ms, int gap_ms)
{
	pid_t pid = fork();
	if (pid == 0) {
		for (int i = 0; i < n; i++) {
			char b[8];
			msleep(i == 0 ? first_ms : gap_ms);
			int len = snprintf(b, sizeof b, "d%d", i);
			if (send(fd, b, len, 0) != len)
				_exit(1);
		}
		_exit(0);
	}
	return pid;
}

static void reap(pid_t pid)
{
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		printf("child failed: %#x\n", st);
}

#define VLEN 3
static struct mmsghdr mm[VLEN];
static struct iovec iov[VLEN];
static char bufs[VLEN][16];

static void reset_rx(void)
{
	memset(mm, 0, sizeof mm);
	memset(bufs, 0, sizeof bufs);
	for (int i = 0; i < VLEN; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = sizeof bufs[i];
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
		mm[i].msg_len = 77;
	}
}

static void show_rx(const char *tag, const char *what, int r)
{
	char name[96];
	snprintf(name, sizeof name, "%s %s", tag, what);
	show(name, r);
	printf("%s %s got:", tag, what);
	for (int i = 0; i < VLEN; i++)
		printf(" [%u %s]", mm[i].msg_len, bufs[i]);
	printf("\n");
}

/* A fresh pair for each case: a signal after the first datagram leaves Linux's socket an error for the next call. */
static void recv_cases(int inet)
{
	const char *tag = inet ? "udp" : "unix dgram";
	int sv[2];
	pid_t pid;

	/* Three datagrams, 40 ms apart: the call takes all three. */
	dgram_pair(inet, sv);
	reset_rx();
	pid = sender(sv[0], 3, 40, 40);
	show_rx(tag, "blocking, three come late", recvmmsg(sv[1], mm, VLEN, 0, NULL));
	reap(pid);

	/* MSG_WAITFORONE: the first, then what is there (nothing yet). */
	reset_rx();
	pid = sender(sv[0], 2, 40, 80);
	show_rx(tag, "MSG_WAITFORONE", recvmmsg(sv[1], mm, VLEN, MSG_WAITFORONE, NULL));
	reap(pid);
	reset_rx();
	show_rx(tag, "the one after", recvmmsg(sv[1], mm, VLEN, MSG_DONTWAIT, NULL));

	/* A 50 ms timeout, a datagram at 20 ms and one at 140: the timeout is looked at after each. */
	struct timespec tmo = {0, 50 * 1000000L};
	reset_rx();
	pid = sender(sv[0], 2, 20, 120);
	show_rx(tag, "timeout after the second", recvmmsg(sv[1], mm, VLEN, 0, &tmo));
	printf("%s timeout left: %ld %ld\n", tag, (long)tmo.tv_sec, tmo.tv_nsec);
	reap(pid);
	/* A 100 ms timeout, a datagram at 150: one. */
	tmo.tv_nsec = 100 * 1000000L;
	reset_rx();
	pid = sender(sv[0], 1, 150, 0);
	show_rx(tag, "timeout before the first", recvmmsg(sv[1], mm, VLEN, 0, &tmo));
	printf("%s timeout left: %ld %ld\n", tag, (long)tmo.tv_sec, tmo.tv_nsec);
	reap(pid);
	tmo.tv_nsec = 1000000000L;
	show(inet ? "udp bad timeout" : "unix dgram bad timeout", recvmmsg(sv[1], mm, VLEN, 0, &tmo));
	show(inet ? "udp unreadable timeout" : "unix dgram unreadable timeout", recvmmsg(sv[1], mm, VLEN, 0, (void *)8));

	/* SO_RCVTIMEO ends the wait for the second: one. */
	struct timeval tv = {0, 100 * 1000};
	setsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	reset_rx();
	pid = sender(sv[0], 1, 20, 0);
	show_rx(tag, "SO_RCVTIMEO after one", recvmmsg(sv[1], mm, VLEN, 0, NULL));
	reap(pid);
	reset_rx();
	show_rx(tag, "SO_RCVTIMEO, none", recvmmsg(sv[1], mm, VLEN, 0, NULL));
	close(sv[0]);
	close(sv[1]);

	/* A signal after the first datagram: the count so far, with and without SA_RESTART. */
	for (int restart = 0; restart < 2; restart++) {
		dgram_pair(inet, sv);
		reset_rx();
		handle_alarm(restart);
		pid = sender(sv[0], 1, 20, 0);
		alarm_ms(150);
		show_rx(tag, restart ? "signal after one (SA_RESTART)" : "signal after one", recvmmsg(sv[1], mm, VLEN, 0, NULL));
		reap(pid);
		close(sv[0]);
		close(sv[1]);
	}
	/* A signal before any: EINTR without SA_RESTART. */
	dgram_pair(inet, sv);
	reset_rx();
	handle_alarm(0);
	alarm_ms(50);
	show_rx(tag, "signal before any", recvmmsg(sv[1], mm, VLEN, 0, NULL));
	close(sv[0]);
	close(sv[1]);
}

#define BIG (3 << 20)
static char big[VLEN][BIG];

/* A child that reads everything from fd, slowly at first, and reports the total on its exit status pipe. */
static pid_t drainer(int fd, int out)
{
	pid_t pid = fork();
	if (pid == 0) {
		static char b[65536];
		long total = 0;
		ssize_t n;
		msleep(60);
		while ((n = read(fd, b, sizeof b)) > 0)
			total += n;
		if (write(out, &total, sizeof total) != sizeof total)
			_exit(1);
		_exit(0);
	}
	return pid;
}

static void send_cases(int inet)
{
	const char *tag = inet ? "tcp" : "unix stream";
	int sv[2], p[2];
	char name[96];
	struct mmsghdr sm[VLEN];
	struct iovec siov[VLEN];

	stream_pair(inet, sv);
	int sz = 65536;
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
	if (pipe(p) < 0)
		exit(1);
	memset(sm, 0, sizeof sm);
	for (int i = 0; i < VLEN; i++) {
		memset(big[i], 'a' + i, BIG);
		siov[i].iov_base = big[i];
		siov[i].iov_len = BIG;
		sm[i].msg_hdr.msg_iov = &siov[i];
		sm[i].msg_hdr.msg_iovlen = 1;
	}
	pid_t pid = drainer(sv[1], p[1]);
	/* Three 3 MiB messages into a 64 KiB buffer: each goes whole, waiting for the reader. */
	snprintf(name, sizeof name, "%s sendmmsg of three 3 MiB messages", tag);
	show(name, sendmmsg(sv[0], sm, VLEN, 0));
	printf("%s lens: %u %u %u\n", tag, sm[0].msg_len, sm[1].msg_len, sm[2].msg_len);
	shutdown(sv[0], SHUT_WR);
	long total = 0;
	if (read(p[0], &total, sizeof total) != sizeof total)
		total = -1;
	printf("%s the reader got %ld bytes\n", tag, total);
	reap(pid);
	close(sv[0]);
	close(sv[1]);
	close(p[0]);
	close(p[1]);

	/* Nobody reads: a signal ends the first message part way, which counts (its msg_len the bytes that went). */
	for (int restart = 0; restart < 2; restart++) {
		stream_pair(inet, sv);
		setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
		memset(sm, 0, sizeof sm);
		for (int i = 0; i < VLEN; i++) {
			siov[i].iov_base = big[i];
			siov[i].iov_len = BIG;
			sm[i].msg_hdr.msg_iov = &siov[i];
			sm[i].msg_hdr.msg_iovlen = 1;
		}
		handle_alarm(restart);
		alarm_ms(100);
		snprintf(name, sizeof name, "%s sendmmsg nobody reads, a signal%s", tag, restart ? " (SA_RESTART)" : "");
		show(name, sendmmsg(sv[0], sm, VLEN, 0));
		printf("%s first message part way: %d, the others untouched: %u %u\n", tag,
		       sm[0].msg_len > 0 && sm[0].msg_len < BIG, sm[1].msg_len, sm[2].msg_len);
		close(sv[0]);
		close(sv[1]);
	}
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	recv_cases(0);
	recv_cases(1);
	send_cases(0);
	send_cases(1);
	printf("done\n");
	return 0;
}
