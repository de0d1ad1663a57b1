/*
 * untraced: children made with CLONE_UNTRACED or CLONE_PTRACE (processes,
 * threads, and grandchildren of such children) are still the sandbox's:
 * each makes system calls (getpid/getppid agree with the parent, write
 * reaches stdout, a pipe carries data back, an exit status arrives) exactly
 * as natively. A child that escaped the Sentry would run on the bare stub,
 * whose host seccomp filter kills it at its first call (SIGSYS, status 159).
 */
#include "../c/common.h"
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>

#define CLONE_UNTRACED_ 0x00800000
#define CLONE_PTRACE_ 0x00002000

static long rawfork(unsigned long flags)
{
	return syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
}

static void report(const char *name, int st)
{
	if (WIFEXITED(st))
		printf("%s: exit %d\n", name, WEXITSTATUS(st));
	else
		printf("%s: signal %d\n", name, WTERMSIG(st));
}

/* What a child does: proves its calls reach the Sentry. */
static int child_work(int parent, int wfd, unsigned long gflags)
{
	char line[64];
	int n = snprintf(line, sizeof line, "ppid-ok=%d\n", getppid() == parent);
	if (write(wfd, line, n) != n)
		return 10;
	if (gflags) {
		/* a grandchild with the same flags */
		int me = getpid();
		long g = rawfork(gflags);
		if (g == 0) {
			n = snprintf(line, sizeof line, "grand-ppid-ok=%d\n", getppid() == me);
			_exit(write(wfd, line, n) == n ? 6 : 11);
		}
		if (g < 0)
			return 12;
		int st;
		if (waitpid(g, &st, 0) != g)
			return 13;
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 6)
			return 14;
	}
	return 7;
}

static void one(const char *name, unsigned long flags, unsigned long gflags)
{
	int p[2];
	if (pipe(p) < 0) {
		perror("pipe");
		exit(2);
	}
	fflush(stdout);
	int parent = getpid();
	long c = rawfork(flags);
	if (c == 0) {
		close(p[0]);
		_exit(child_work(parent, p[1], gflags));
	}
	close(p[1]);
	if (c < 0) {
		show(name, c);
		close(p[0]);
		return;
	}
	int st;
	if (waitpid(c, &st, 0) != c)
		printf("%s: waitpid failed\n", name);
	else
		report(name, st);
	char buf[256];
	ssize_t n, tot = 0;
	while ((n = read(p[0], buf + tot, sizeof buf - 1 - tot)) > 0)
		tot += n;
	buf[tot] = 0;
	printf("%s: child said: %s", name, tot ? buf : "(nothing)\n");
	close(p[0]);
}

static int tpipe[2];
static int thread_fn(void *arg)
{
	(void)arg;
	char c = getpid() == getppid() ? 'x' : 'T';
	/* a thread of the same process: getpid is the caller's */
	ssize_t r = write(tpipe[1], &c, 1);
	syscall(SYS_exit, r == 1 ? 0 : 1);
	return 0;
}

int main(void)
{
	one("fork untraced", CLONE_UNTRACED_, 0);
	one("fork ptrace", CLONE_PTRACE_, 0);
	one("fork untraced|ptrace", CLONE_UNTRACED_ | CLONE_PTRACE_, 0);
	one("fork untraced, grandchild untraced", CLONE_UNTRACED_, CLONE_UNTRACED_);
	one("fork ptrace, grandchild untraced|ptrace", CLONE_PTRACE_, CLONE_UNTRACED_ | CLONE_PTRACE_);

	/* threads with the same flags */
	if (pipe(tpipe) < 0)
		return 2;
	static const unsigned long tflags[] = { CLONE_UNTRACED_, CLONE_PTRACE_, CLONE_UNTRACED_ | CLONE_PTRACE_ };
	for (int i = 0; i < 3; i++) {
		static char stacks[3][65536] __attribute__((aligned(16)));
		int r = clone(thread_fn, stacks[i] + sizeof stacks[i],
			      CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
				      CLONE_SYSVSEM | tflags[i], NULL);
		if (r < 0) {
			show("thread", r);
			continue;
		}
		char c = '?';
		ssize_t n = read(tpipe[0], &c, 1);
		printf("thread %d: %zd %c\n", i, n, c);
	}
	printf("untraced done\n");
	return 0;
}
