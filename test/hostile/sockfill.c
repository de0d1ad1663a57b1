/*
 * Fills the Sentry's buffer budget (kernel/buffers.ts) with socket
 * messages from several processes: each makes datagram socket pairs and
 * sends 4 KiB messages, each carrying a descriptor in flight (SCM_RIGHTS),
 * into one pair after another without reading them. A pair that is full
 * says EAGAIN after its queue's worth; once the budget is spent, a fresh
 * pair says EAGAIN at its first message. Every process must reach that
 * point, and the Sentry must live: once one pair is drained, sending
 * works again.
 *
 *   sockfill NPROC   Prints "budget spent: K" (processes that saw it),
 *                    then "after: ok".
 */
#include "../c/common.h"
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/wait.h>

static char payload[4096];

static int send_one(int via, int fd)
{
	struct iovec iov = { .iov_base = payload, .iov_len = sizeof payload };
	union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
	memset(&u, 0, sizeof u);
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
		.msg_controllen = sizeof u.buf };
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof fd);
	return sendmsg(via, &mh, MSG_DONTWAIT) < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	int nproc = argc > 1 ? atoi(argv[1]) : 4;
	int report[2], go[2];
	if (pipe(report) < 0 || pipe(go) < 0) return 2;
	for (int p = 0; p < nproc; p++) {
		if (fork() == 0) {
			close(report[0]);
			close(go[1]);
			int ev = eventfd(0, 0);
			int spent = 0, first[2] = { -1, -1 };
			for (int pairs = 0; pairs < 20000 && !spent; pairs++) {
				int sv[2];
				if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) < 0) break;
				if (first[0] < 0) first[0] = sv[0], first[1] = sv[1];
				int n = 0;
				while (send_one(sv[0], ev) == 0) n++;
				if (errno != EAGAIN) break;
				if (n == 0) spent = 1;
			}
			int msg = spent;
			if (write(report[1], &msg, sizeof msg) != sizeof msg) _exit(2);
			char c;
			(void)!read(go[0], &c, 1);
			_exit(0);
		}
	}
	close(report[1]);
	close(go[0]);
	int spent = 0;
	for (int p = 0; p < nproc; p++) {
		int msg;
		if (read(report[0], &msg, sizeof msg) != sizeof msg) return 2;
		spent += msg;
	}
	printf("budget spent: %d\n", spent);
	close(go[1]);
	while (wait(NULL) > 0) {}
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) < 0) return 2;
	show_ok("after", send_one(sv[0], sv[1]));
	return 0;
}
