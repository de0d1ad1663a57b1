/*
 * Regressions from a review of the Sentry: each check is something that
 * once broke under tsvisor while Linux got it right.
 *   - a signal made deliverable by pselect/ppoll's temporary mask interrupts
 *     them at once (it must not be slept through);
 *   - alarm() and nanosleep() beyond 2^31 ms neither fire early nor spin;
 *   - a handler's first system call does not inherit the state of the
 *     call it interrupted (a restarted futex wait);
 *   - nanosleep writes the time left to rem when a handler interrupts it;
 *   - the legacy vsyscall page works;
 *   - a signal frame that does not fit on the alternate stack kills the
 *     process with SIGSEGV (last, so the exit status is 139).
 */
#define _GNU_SOURCE
#include "common.h"
#include <poll.h>
#include <signal.h>
#include <sys/select.h>
#include <sys/time.h>
#include <time.h>
#include <linux/futex.h>

static volatile sig_atomic_t got;
static void on_usr1(int s) { (void)s; got++; }

static volatile long handler_poll;
static void on_alrm_poll(int s)
{
	(void)s;
	/* The first call in the handler: must behave as a fresh poll. */
	handler_poll = SYS(SYS_poll, NULL, 0, 10);
}

static void on_alrm(int s) { (void)s; got++; }

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	sigset_t block, empty;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &empty);

	SYS(SYS_kill, SYS(SYS_getpid), SIGUSR1);
	alarm(5); /* a hang would end here, visibly */
	int r = pselect(0, NULL, NULL, NULL, NULL, &empty);
	printf("pselect_pending: %d %s got=%d\n", r, r < 0 ? errname(errno) : "-", (int)got);
	SYS(SYS_kill, SYS(SYS_getpid), SIGUSR1);
	r = ppoll(NULL, 0, NULL, &empty);
	printf("ppoll_pending: %d %s got=%d\n", r, r < 0 ? errname(errno) : "-", (int)got);
	alarm(0);

	/* Long timers: 2500000 s is past Node's longest timer. */
	show("alarm_long", alarm(2500000));
	{
		struct timespec ts = {0, 50 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	show_bool("alarm_long_still_pending", alarm(0) > 2400000);

	/* A futex wait restarted after a handler (SA_RESTART) whose first call is poll. */
	{
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_alrm_poll;
		sa.sa_flags = SA_RESTART;
		sigaction(SIGALRM, &sa, NULL);
		static int word;
		struct timespec to = {0, 300 * 1000 * 1000};
		struct itimerval it = {{0, 0}, {0, 50000}};
		setitimer(ITIMER_REAL, &it, NULL);
		long fr = SYS(SYS_futex, &word, FUTEX_WAIT, 0, &to, NULL, 0);
		printf("futex_timed_interrupted: %ld %s\n", fr, fr < 0 ? errname(errno) : "-");
		show("handler_poll", handler_poll);
	}

	/* nanosleep's rem after a handler. */
	{
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_alrm;
		sigaction(SIGALRM, &sa, NULL);
		struct itimerval it = {{0, 0}, {0, 50000}};
		setitimer(ITIMER_REAL, &it, NULL);
		struct timespec req = {2, 0}, rem = {0, 0};
		long nr = SYS(SYS_nanosleep, &req, &rem);
		printf("nanosleep_interrupted: %ld %s\n", nr, nr < 0 ? errname(errno) : "-");
		show_bool("nanosleep_rem_written", rem.tv_sec == 1 && rem.tv_nsec > 0);
	}

	/* The vsyscall page's time(). */
	{
		time_t (*vt)(time_t *) = (time_t (*)(time_t *))0xffffffffff600400UL;
		show_bool("vsyscall_time", vt(NULL) > 1000000000);
	}

	/* A frame too big for a tiny alternate stack: SIGSEGV. */
	{
		static char alt[2048] __attribute__((aligned(16)));
		stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt, .ss_flags = 0};
		show("sigaltstack_small", sigaltstack(&ss, NULL));
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_usr1;
		sa.sa_flags = SA_ONSTACK;
		sigaction(SIGUSR2, &sa, NULL);
		printf("raising\n");
		raise(SIGUSR2);
		printf("survived the frame overflow\n");
	}
	return 0;
}
