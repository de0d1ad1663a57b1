/*
 * vma_fork: about 60,000 mappings, then fork until fork fails (issue 5,
 * finding 3: every VMA is a JavaScript object and fork copies them all, so
 * about 300 forks ran the Sentry out of V8 heap). The per-process caps
 * (65,530 VMAs, 1,024 tasks) do not bound their product; the sandbox's VMA
 * budget must. Each child waits on a pipe, holding its copy of the address
 * space; at the end all are killed and reaped.
 * Must get (under tsvisor): "fork: -1 ENOMEM" or "fork: -1 EAGAIN" (or
 * "mmap: -1 ENOMEM" first), then "reaped N" with N the number of children
 * and "done", exit 0, and a Sentry that did not crash.
 * Not run natively: a thousand copies of 60,000 VMAs is gigabytes of kernel
 * memory on the host.
 */
#include "../c/common.h"
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

#define MAPS 60000
#define MAX_CHILDREN 2000

static pid_t kids[MAX_CHILDREN];

int main(void)
{
	int maps = 0;
	for (; maps < MAPS; maps++) {
		void *p = mmap(NULL, 4096, (maps & 1) ? PROT_READ : PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			printf("mmap: -1 %s\n", errname(errno));
			break;
		}
	}
	printf("mapped %s\n", maps == MAPS ? "all" : "some");
	int fds[2];
	if (pipe(fds) < 0)
		return 2;
	int n = 0;
	for (; n < MAX_CHILDREN; n++) {
		pid_t pid = fork();
		if (pid < 0) {
			printf("fork: -1 %s\n", errname(errno));
			break;
		}
		if (pid == 0) {
			char c;
			close(fds[1]);
			read(fds[0], &c, 1); /* until the parent goes */
			_exit(0);
		}
		kids[n] = pid;
	}
	if (n == MAX_CHILDREN)
		printf("fork: never failed\n");
	for (int i = 0; i < n; i++)
		kill(kids[i], SIGKILL);
	int reaped = 0;
	while (wait(NULL) > 0)
		reaped++;
	printf("reaped %s\n", reaped == n ? "all" : "some");
	printf("done\n");
	return 0;
}
