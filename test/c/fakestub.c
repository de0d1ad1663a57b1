/*
 * Not a test: the launcher that test/lib/fake-tsvisor.js (the suite's
 * self-check mode, TSVISOR_TEST_SELFCHECK=1) runs programs through, so that
 * the process-tree tests can be checked natively. It is exec'd through a
 * link named "tsvisor-stub", so its comm is that of a real stub.
 *
 *   tsvisor-stub ROOT CWD PROG ARGV0 [ARGS...]
 *
 * Dies with its parent (PR_SET_PDEATHSIG), forks, and in the child chroots
 * to ROOT (unless "-"), chdirs to CWD, and execs PROG with ARGV0 ARGS. The
 * program itself gets no parent-death signal (it would see it through
 * PR_GET_PDEATHSIG, which tsvisor's programs do not). Exits with the
 * child's status, or 128+signal.
 */
#include "common.h"
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: tsvisor-stub ROOT CWD PROG ARGV0 [ARGS...]\n");
		return 2;
	}
	pid_t parent = getppid();
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		return 137;
	pid_t child = fork();
	if (child < 0) {
		perror("fork");
		return 126;
	}
	if (child == 0) {
		if (strcmp(argv[1], "-") != 0 && chroot(argv[1]) != 0) {
			perror(argv[1]);
			_exit(126);
		}
		if (chdir(argv[2]) != 0) {
			perror(argv[2]);
			_exit(126);
		}
		execv(argv[3], argv + 4);
		fprintf(stderr, "tsvisor: %s: %s\n", argv[3], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	int st;
	while (waitpid(child, &st, 0) < 0)
		if (errno != EINTR)
			return 126;
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}
