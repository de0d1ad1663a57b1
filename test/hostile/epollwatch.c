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
#include "fill.h"

#define NFILES 64

static long max;

static long fill(int p, int *err)
{
	(void)p;
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
	return n;
}

int main(int argc, char **argv)
{
	int nproc = argc > 1 ? atoi(argv[1]) : 4;
	max = argc > 2 ? atol(argv[2]) : 1 << 22;
	int errs[FILL_MAX_ERRNO];
	long sum = fill_procs(nproc, fill, errs);
	printf("watches: %ld\n", sum);
	printf("enospc: %d\n", errs[ENOSPC]);
	int other = nproc - errs[ENOSPC] - errs[0];
	if (other) printf("other errors: %d\n", other);
	int ep = epoll_create1(0), e = eventfd(0, 0);
	struct epoll_event ev = { .events = EPOLLIN };
	show_ok("after", epoll_ctl(ep, EPOLL_CTL_ADD, e, &ev));
	return other ? 1 : 0;
}
