/*
 * What the collector of sockets in flight (Linux's unix_gc) may and may not
 * free, compared with Linux: a socket in flight that a descriptor still
 * reaches is never collected, even after its own descriptors are closed;
 * one that only its own queue holds is, even while a socket it was
 * connected to lives on. And Linux's per-user in-flight limit: a user
 * without privilege who has more descriptions in flight than its
 * RLIMIT_NOFILE gets ETOOMANYREFS.
 *
 * Linux collects in a worker, after close returns: the program waits a
 * little and then sends descriptions (which waits for a collection in
 * progress) before it looks.
 */
#include "../c/common.h"
#include <fcntl.h>
#include <sys/resource.h>
#include "scm.h"
#include <sys/wait.h>

static int send_fd(int via, int fd)
{
	return send_fds(via, &fd, 1, NULL, 0, MSG_NOSIGNAL);
}

/* Makes a garbage cycle and lets the collector run (and finish). */
static void collect(void)
{
	int sv[2], t[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) exit(2);
	send_fd(sv[0], sv[0]);
	send_fd(sv[1], sv[1]);
	close(sv[0]);
	close(sv[1]);
	usleep(200000);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, t) < 0) exit(2);
	send_fd(t[0], t[1]); /* waits for a collection in progress */
	close(t[0]);
	close(t[1]);
	usleep(100000);
}

static void echo(const char *name, int from, int to)
{
	char buf[8] = { 0 };
	long w = send(from, "hi", 2, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (w < 0) { printf("%s: send -1 %s\n", name, errname(errno)); return; }
	long r = recv(to, buf, sizeof buf, MSG_DONTWAIT);
	if (r < 0) printf("%s: recv -1 %s\n", name, errname(errno));
	else printf("%s: %ld \"%s\"\n", name, r, buf);
}

int main(void)
{
	/* 1: a sent over itself (into b's queue) and closed; b stays open. */
	int a, b;
	{
		int sv[2];
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) return 2;
		a = sv[0], b = sv[1];
	}
	show_ok("1 send a over a", send_fd(a, a));
	close(a);
	collect();
	int a2 = recv_fd(b);
	show_bool("1 a received from b", a2 >= 0);
	if (a2 >= 0) echo("1 a to b", a2, b);
	close(a2);
	close(b);

	/* 2: a and b sent over each other and closed; a is also in y's queue. */
	int x, y;
	{
		int sv[2];
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) return 2;
		x = sv[0], y = sv[1];
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) return 2;
		a = sv[0], b = sv[1];
	}
	show_ok("2 send b over a", send_fd(a, b)); /* b in b's queue */
	show_ok("2 send a over b", send_fd(b, a)); /* a in a's queue */
	show_ok("2 send a over x", send_fd(x, a)); /* a in y's queue */
	close(a);
	close(b);
	collect();
	a2 = recv_fd(y);
	show_bool("2 a received from y", a2 >= 0);
	int a3 = recv_fd(a2);
	show_bool("2 a received from a", a3 >= 0);
	/* b, held only by its own queue, was collected: a's peer is gone. */
	char c;
	printf("2 read a: %ld\n", (long)recv(a2, &c, 1, MSG_DONTWAIT));
	show_ok("2 write a", (int)send(a2, "hi", 2, MSG_NOSIGNAL | MSG_DONTWAIT));
	close(a2);
	close(a3);
	close(x);
	close(y);

	/* 3: ETOOMANYREFS for a user without privilege, past its RLIMIT_NOFILE. */
	pid_t pid = fork();
	if (pid == 0) {
		struct rlimit rl = { 16, 16 };
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0 || setgid(4242) < 0 || setuid(4242) < 0) _exit(2);
		int sv[2];
		if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) < 0) _exit(2);
		int n = 0;
		while (n < 100 && send_fd(sv[0], sv[0]) == 0) n++;
		printf("3 sent: %d, then %s\n", n, errname(errno));
		int got = recv_fd(sv[1]);
		show_bool("3 received one", got >= 0);
		close(got);
		show_ok("3 send again", send_fd(sv[0], sv[0]));
		show_ok("3 send once more", send_fd(sv[0], sv[0]));
		fflush(stdout);
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	printf("3 child: %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	return 0;
}
