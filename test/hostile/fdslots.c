/*
 * Descriptor slots are bounded for the whole sandbox (kernel/limits.ts):
 * a process fills its table to RLIMIT_NOFILE (raised to the hard limit)
 * with dup(2), then forks, each fork copying the table, until fork fails.
 * It must fail with ENOMEM (the table cannot be copied, as Linux's dup_fd
 * when memory runs out), not with the task limit's EAGAIN and not with a
 * dead Sentry; once the children are gone, fork works again.
 *
 * Prints "dups: ok" when the table is full (EMFILE), "fork: ENOMEM", then
 * "after: ok".
 */
#include "../c/common.h"
#include <sys/resource.h>
#include <sys/wait.h>

int main(void)
{
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	int go[2];
	if (pipe(go) < 0) return 2;
	long n = 0;
	while (dup(0) >= 0) n++;
	show_bool("dups full", errno == EMFILE && n > 1000);
	int forks = 0;
	for (;;) {
		pid_t p = fork();
		if (p < 0) break;
		if (p == 0) {
			char c;
			close(go[1]);
			(void)!read(go[0], &c, 1);
			_exit(0);
		}
		forks++;
	}
	printf("fork: %s\n", errname(errno));
	show_bool("forked some", forks > 0);
	close(go[1]);
	while (wait(NULL) > 0) {}
	pid_t p = fork();
	if (p == 0) _exit(0);
	show_ok("after", p);
	waitpid(p, NULL, 0);
	return 0;
}
