/*
 * Fills the sandbox's table of open file descriptions (FILE_MAX,
 * vfs/file_description.ts) with one kind of object from several processes
 * at once: each raises its RLIMIT_NOFILE to the hard limit and makes
 * objects until it fails. The processes' limits add up past the
 * sandbox's bound, so each ends with ENFILE, or with EMFILE if it reached
 * its own limit before the table was full; the Sentry must live, and once
 * they are gone the kind can be made again.
 *
 *   filemax KIND NPROC   KIND: socketpair epoll eventfd timerfd signalfd
 * Prints "made: N" (the sum), "enfile: K", "emfile: M", then "after: ok".
 */
#include "../c/common.h"
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include "fill.h"

static int make(const char *kind)
{
	if (strcmp(kind, "socketpair") == 0) {
		int sv[2];
		return socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0 ? -1 : 2;
	}
	if (strcmp(kind, "epoll") == 0) return epoll_create1(0) < 0 ? -1 : 1;
	if (strcmp(kind, "eventfd") == 0) return eventfd(0, 0) < 0 ? -1 : 1;
	if (strcmp(kind, "timerfd") == 0) {
		int fd = timerfd_create(CLOCK_MONOTONIC, 0);
		if (fd < 0) return -1;
		/* Armed, an hour away: the costliest kind of timer. */
		struct itimerspec its = { .it_value = { 3600, 0 } };
		return timerfd_settime(fd, 0, &its, NULL) < 0 ? -1 : 1;
	}
	if (strcmp(kind, "signalfd") == 0) {
		sigset_t s;
		sigemptyset(&s);
		sigaddset(&s, SIGUSR1);
		return signalfd(-1, &s, 0) < 0 ? -1 : 1;
	}
	errno = EINVAL;
	return -1;
}

static const char *kind;

static long fill(int p, int *err)
{
	(void)p;
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	long n = 0;
	int k;
	while ((k = make(kind)) > 0) n += k;
	*err = errno;
	return n;
}

int main(int argc, char **argv)
{
	kind = argc > 1 ? argv[1] : "eventfd";
	int nproc = argc > 2 ? atoi(argv[2]) : 4;
	int errs[FILL_MAX_ERRNO];
	long sum = fill_procs(nproc, fill, errs);
	printf("made: %ld\n", sum);
	printf("enfile: %d\n", errs[ENFILE]);
	printf("emfile: %d\n", errs[EMFILE]);
	show_ok("after", make(kind));
	return 0;
}
