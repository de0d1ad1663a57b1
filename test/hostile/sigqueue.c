/*
 * Queued signals are bounded (kernel/limits.ts): per user by
 * RLIMIT_SIGPENDING, as Linux, and for the whole sandbox.
 *
 *   sigqueue user     compared with Linux: as an unprivileged user with
 *                     RLIMIT_SIGPENDING 100, realtime signals queued by
 *                     sigqueue(3) past it fail with EAGAIN; kill(2) of a
 *                     realtime signal and sigqueue of a standard one still
 *                     make it pending (once, their information lost).
 *   sigqueue fill N   N processes, each as a user of its own, queue
 *                     realtime signals to themselves until EAGAIN. Prints
 *                     the sum ("queued: N", the sandbox's bound) and how
 *                     many met EAGAIN, then "after: ok" once they are gone.
 */
#include "../c/common.h"
#include <signal.h>
#include <sys/resource.h>
#include "fill.h"

static pid_t self;

static int queue(int sig, int v)
{
	union sigval sv = { .sival_int = v };
	return sigqueue(self, sig, sv);
}

static void block_all(void)
{
	sigset_t all;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
}

/* Takes every pending instance of sig: the count, and the last one's si_code. */
static int drain(int sig, int *code)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, sig);
	struct timespec zero = { 0, 0 };
	siginfo_t si;
	int n = 0;
	while (sigtimedwait(&s, &si, &zero) == sig) {
		n++;
		*code = si.si_code;
	}
	return n;
}

static int user(void)
{
	struct rlimit rl = { 100, 100 };
	if (setrlimit(RLIMIT_SIGPENDING, &rl) < 0 || setgid(4242) < 0 || setuid(4242) < 0) return 2;
	self = getpid();
	block_all();
	int n = 0;
	while (n < 1000 && queue(SIGRTMIN, n) == 0) n++;
	printf("sigqueue rt: %d, then %s\n", n, errname(errno));
	show("kill rt", kill(getpid(), SIGRTMIN + 1));
	show("kill rt again", kill(getpid(), SIGRTMIN + 1));
	show("sigqueue standard", queue(SIGUSR1, 7));
	show("sigqueue rt", queue(SIGRTMIN + 2, 7));
	int code = 99;
	printf("pending rt: %d\n", drain(SIGRTMIN, &code));
	int k = drain(SIGRTMIN + 1, &code);
	printf("pending kill rt: %d code %d\n", k, code);
	printf("pending standard: %d\n", drain(SIGUSR1, &code));
	show("sigqueue rt after", queue(SIGRTMIN + 2, 7));
	return 0;
}

static long fill_one(int p, int *err)
{
	if (setuid(5000 + p) < 0) { *err = errno; return 0; }
	self = getpid();
	block_all();
	long n = 0;
	int sig = SIGRTMIN;
	while (queue(sig, (int)n) == 0) {
		n++;
		sig = sig == SIGRTMAX ? SIGRTMIN : sig + 1;
	}
	*err = errno;
	return n;
}

static int fill(int nproc)
{
	int errs[FILL_MAX_ERRNO];
	long sum = fill_procs(nproc, fill_one, errs);
	printf("queued: %ld\n", sum);
	printf("eagain: %d\n", errs[EAGAIN]);
	block_all();
	self = getpid();
	show_ok("after", queue(SIGRTMIN, 1));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "fill") == 0) return fill(argc > 2 ? atoi(argv[2]) : 4);
	pid_t pid = fork();
	if (pid == 0) {
		int r = user();
		fflush(stdout);
		_exit(r);
	}
	int st;
	waitpid(pid, &st, 0);
	printf("child: %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	return 0;
}
