/*
 * Fills the sandbox's epoll watch limit (Linux's max_user_watches; the
 * Sentry's kernel/limits.ts) from several processes at once: each makes
 * 64 eventfds and epoll instances, and watches every eventfd from every
 * instance until EPOLL_CTL_ADD fails. Each must fail with ENOSPC (not
 * ENOMEM, not a dead Sentry); the watches of all of them add up to the
 * limit; when they exit, their watches are free again.
 *
 *   epollwatch NPROC MAX   (MAX: at most this many watches per process)
 * Prints: "watches: N" (the sum), "enospc: K" (processes that met ENOSPC),
 * then "after: ok" when a new watch can be added once they are gone.
 */
#include "../c/common.h"
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/wait.h>

#define NFILES 64

static long fill(long max, int *err)
{
	int files[NFILES];
	for (int i = 0; i < NFILES; i++) {
		files[i] = eventfd(0, 0);
		if (files[i] < 0) { *err = errno; return 0; }
	}
	long n = 0;
	while (n < max) {
		int ep = epoll_create1(0);
		if (ep < 0) { *err = errno; return n; }
		for (int i = 0; i < NFILES && n < max; i++) {
			struct epoll_event ev = { .events = EPOLLIN, .data.u64 = n };
			if (epoll_ctl(ep, EPOLL_CTL_ADD, files[i], &ev) < 0) { *err = errno; return n; }
			n++;
		}
	}
	*err = 0;
	return n;
}

int main(int argc, char **argv)
{
	int nproc = argc > 1 ? atoi(argv[1]) : 4;
	long max = argc > 2 ? atol(argv[2]) : 1 << 22;
	int report[2], go[2];
	if (pipe(report) < 0 || pipe(go) < 0) return 2;
	for (int p = 0; p < nproc; p++) {
		if (fork() == 0) {
			close(report[0]);
			close(go[1]);
			int err;
			long n = fill(max, &err);
			long msg[2] = { n, err };
			if (write(report[1], msg, sizeof msg) != sizeof msg) _exit(2);
			char c;
			(void)!read(go[0], &c, 1); /* hold the watches until every process is full */
			_exit(0);
		}
	}
	close(report[1]);
	close(go[0]);
	long sum = 0;
	int enospc = 0, other = 0;
	for (int p = 0; p < nproc; p++) {
		long msg[2];
		if (read(report[0], msg, sizeof msg) != sizeof msg) return 2;
		sum += msg[0];
		if (msg[1] == ENOSPC) enospc++;
		else if (msg[1] != 0) { other++; printf("error: %s\n", errname((int)msg[1])); }
	}
	printf("watches: %ld\n", sum);
	printf("enospc: %d\n", enospc);
	close(go[1]);
	while (wait(NULL) > 0) {}
	int ep = epoll_create1(0), e = eventfd(0, 0);
	struct epoll_event ev = { .events = EPOLLIN };
	show_ok("after", epoll_ctl(ep, EPOLL_CTL_ADD, e, &ev));
	return other ? 1 : 0;
}
