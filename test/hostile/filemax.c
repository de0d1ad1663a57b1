/*
 * Fills the sandbox's table of open file descriptions (FILE_MAX,
 * vfs/file_description.ts) with one kind of object from several processes
 * at once: each raises its RLIMIT_NOFILE to the hard limit and makes
 * objects until it fails. The processes' limits add up past the
 * sandbox's bound, so each ends with ENFILE, or with EMFILE if it reached
 * its own limit before the table was full; the Sentry must live, and once
 * they are gone the kind can be made again.
 *
 *   filemax KIND NPROC [HOLD]   KIND: socketpair epoll eventfd timerfd signalfd
 * HOLD: seconds to hold them all before letting go (to measure the Sentry).
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
#include <sys/wait.h>

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

int main(int argc, char **argv)
{
	const char *kind = argc > 1 ? argv[1] : "eventfd";
	int nproc = argc > 2 ? atoi(argv[2]) : 4;
	int hold = argc > 3 ? atoi(argv[3]) : 0;
	int report[2], go[2];
	if (pipe(report) < 0 || pipe(go) < 0) return 2;
	for (int p = 0; p < nproc; p++) {
		if (fork() == 0) {
			close(report[0]);
			close(go[1]);
			struct rlimit rl;
			getrlimit(RLIMIT_NOFILE, &rl);
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
			long n = 0;
			int k;
			while ((k = make(kind)) > 0) n += k;
			long msg[2] = { n, errno };
			if (write(report[1], msg, sizeof msg) != sizeof msg) _exit(2);
			char c;
			(void)!read(go[0], &c, 1);
			_exit(0);
		}
	}
	close(report[1]);
	close(go[0]);
	long sum = 0;
	int enfile = 0, emfile = 0;
	for (int p = 0; p < nproc; p++) {
		long msg[2];
		if (read(report[0], msg, sizeof msg) != sizeof msg) return 2;
		sum += msg[0];
		if (msg[1] == ENFILE) enfile++;
		else if (msg[1] == EMFILE) emfile++;
		else printf("error: %s\n", errname((int)msg[1]));
	}
	printf("made: %ld\n", sum);
	printf("enfile: %d\n", enfile);
	printf("emfile: %d\n", emfile);
	fflush(stdout);
	if (hold) sleep(hold);
	close(go[1]);
	while (wait(NULL) > 0) {}
	show_ok("after", make(kind));
	return 0;
}
