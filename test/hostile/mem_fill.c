/*
 * mem_fill: fills memory until it is stopped (issue 5, finding 4: nothing
 * bounded sandbox memory). Run under `tsvisor do --total-memory` smaller
 * than what it would fill.
 *   mem_fill child   touches 1 MiB at a time, without end: the sandbox's
 *                    OOM killer must SIGKILL it (status 137).
 *   mem_fill         (parent) forks "child" work, waits, prints how the
 *                    child ended ("child: killed by 9"), then shows that it
 *                    itself goes on: allocates and touches 1 MiB ("after: ok"),
 *                    exit 0.
 */
#include "../c/common.h"
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

static void fill(void)
{
	for (;;) {
		char *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			printf("fill: mmap -1 %s\n", errname(errno));
			fflush(stdout);
			_exit(3);
		}
		for (int i = 0; i < (1 << 20); i += 4096)
			p[i] = 1;
	}
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "child") == 0)
		fill();
	pid_t pid = fork();
	if (pid < 0) {
		printf("fork: -1 %s\n", errname(errno));
		return 2;
	}
	if (pid == 0)
		fill();
	int st;
	if (waitpid(pid, &st, 0) != pid)
		return 4;
	if (WIFSIGNALED(st))
		printf("child: killed by %d\n", WTERMSIG(st));
	else
		printf("child: exited %d\n", WEXITSTATUS(st));
	char *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 5;
	memset(p, 1, 1 << 20);
	printf("after: ok\n");
	return 0;
}
