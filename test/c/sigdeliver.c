/*
 * Signal delivery (beyond signals.c, which delivers nothing): handlers run
 * with the right siginfo for raise/kill/faults/traps, blocked signals stay
 * pending until unblocked, SIG_IGN discards, SA_RESETHAND, SA_NODEFER, the
 * handler mask, sigaltstack, and sigreturn restoring the interrupted state.
 */
#include "common.h"
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <ucontext.h>

static volatile sig_atomic_t count, nested_seen, depth, max_depth;
static volatile int last_signo, last_code;
static volatile long last_pid;
static void *volatile last_addr;
static volatile uintptr_t handler_stack_addr;
static sigjmp_buf jb;

static void on_info(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	int local;
	handler_stack_addr = (uintptr_t)&local;
	count++;
	last_signo = si->si_signo;
	last_code = si->si_code;
	last_pid = si->si_pid;
	last_addr = si->si_addr;
	(void)sig;
}

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	on_info(sig, si, uc);
	siglongjmp(jb, 1);
}

static void on_nested(int sig)
{
	depth++;
	if (depth > max_depth)
		max_depth = depth;
	if (count++ == 0)
		raise(sig); /* deferred unless SA_NODEFER */
	depth--;
}

static void on_usr2_during_usr1(int sig)
{
	(void)sig;
	nested_seen = count;
}

static void set(int sig, void (*h)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = h;
	sa.sa_flags = SA_SIGINFO | flags;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static void reset(void)
{
	count = 0;
	last_signo = last_code = 0;
	last_pid = 0;
	last_addr = NULL;
}

int main(void)
{
	long pid = SYS(SYS_getpid);
	sigset_t s;

	/* raise -> tgkill: SI_TKILL */
	set(SIGUSR1, on_info, 0);
	reset();
	show("raise_usr1", raise(SIGUSR1));
	show("raise_count", count);
	show("raise_signo", last_signo);
	printf("raise_code: %d\n", last_code);
	show_bool("raise_pid_is_self", last_pid == pid);

	/* kill: SI_USER */
	reset();
	show("kill_usr1", SYS(SYS_kill, pid, SIGUSR1));
	show("kill_count", count);
	printf("kill_code: %d\n", last_code);
	show_bool("kill_pid_is_self", last_pid == pid);

	/* rt_sigqueueinfo with our own code and value */
	{
		siginfo_t si;
		memset(&si, 0, sizeof si);
		si.si_signo = SIGUSR1;
		si.si_code = SI_QUEUE;
		si.si_pid = pid;
		si.si_uid = SYS(SYS_getuid);
		si.si_value.sival_int = 1234;
		reset();
		show("sigqueueinfo", SYS(SYS_rt_sigqueueinfo, pid, SIGUSR1, &si));
		show("sigqueueinfo_count", count);
		printf("sigqueueinfo_code: %d\n", last_code);
		/* a non-negative si_code may be forged only when signalling oneself */
		si.si_code = SI_USER;
		show("sigqueueinfo_si_user_self", SYS(SYS_rt_sigqueueinfo, pid, SIGUSR1, &si));
	}

	/* blocked: pending until unblocked, delivered once (standard signals
	 * do not queue) */
	reset();
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigprocmask(SIG_BLOCK, &s, NULL);
	raise(SIGUSR1);
	raise(SIGUSR1);
	show("blocked_count", count);
	{
		sigset_t p;
		sigpending(&p);
		show_bool("blocked_pending", sigismember(&p, SIGUSR1));
	}
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	show("unblocked_count", count);
	{
		sigset_t p;
		sigpending(&p);
		show_bool("unblocked_not_pending", !sigismember(&p, SIGUSR1));
	}

	/* realtime signals queue */
	set(SIGRTMIN + 1, on_info, 0);
	reset();
	sigemptyset(&s);
	sigaddset(&s, SIGRTMIN + 1);
	sigprocmask(SIG_BLOCK, &s, NULL);
	raise(SIGRTMIN + 1);
	raise(SIGRTMIN + 1);
	raise(SIGRTMIN + 1);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	show("rt_signal_queued_count", count);

	/* SIG_IGN discards, also a pending one when ignored */
	signal(SIGUSR2, SIG_IGN);
	show("ignored_raise", raise(SIGUSR2));
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigprocmask(SIG_BLOCK, &s, NULL);
	reset();
	raise(SIGUSR1);
	signal(SIGUSR1, SIG_IGN);
	{
		sigset_t p;
		sigpending(&p);
		show_bool("ignore_discards_pending", !sigismember(&p, SIGUSR1));
	}
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	show("ignore_discards_count", count);

	/* SA_RESETHAND: one delivery, then SIG_DFL */
	set(SIGUSR1, on_info, SA_RESETHAND);
	reset();
	raise(SIGUSR1);
	{
		struct sigaction got;
		sigaction(SIGUSR1, NULL, &got);
		show_bool("resethand_now_default", got.sa_handler == SIG_DFL);
	}
	show("resethand_count", count);

	/* handler runs with its own signal blocked unless SA_NODEFER */
	signal(SIGUSR1, on_nested);
	count = depth = max_depth = 0;
	raise(SIGUSR1);
	show("nodefer_off_count", count);
	show("nodefer_off_max_depth", max_depth);
	{
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_nested;
		sa.sa_flags = SA_NODEFER;
		sigaction(SIGUSR1, &sa, NULL);
	}
	count = depth = max_depth = 0;
	raise(SIGUSR1);
	show("nodefer_on_count", count);
	show("nodefer_on_max_depth", max_depth);

	/* sa_mask blocks another signal while the handler runs */
	{
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_usr2_during_usr1;
		sigaction(SIGUSR2, &sa, NULL);
		memset(&sa, 0, sizeof sa);
		sa.sa_sigaction = on_info;
		sa.sa_flags = SA_SIGINFO;
		sigemptyset(&sa.sa_mask);
		sigaddset(&sa.sa_mask, SIGUSR2);
		sigaction(SIGUSR1, &sa, NULL);
		reset();
		nested_seen = -1;
		sigemptyset(&s);
		sigaddset(&s, SIGUSR1);
		sigaddset(&s, SIGUSR2);
		sigprocmask(SIG_BLOCK, &s, NULL);
		raise(SIGUSR2);
		raise(SIGUSR1);
		sigprocmask(SIG_UNBLOCK, &s, NULL);
		show("both_delivered_usr1_count", count);
		/* lowest number first: USR1 (10) runs, its sa_mask holds USR2 (12)
		 * off, then USR2 runs and sees USR1's count */
		printf("usr2_ran_after_usr1_count: %d\n", (int)nested_seen);
	}

	/* sigaltstack: SA_ONSTACK handler runs on the alternate stack */
	{
		static char alt[65536] __attribute__((aligned(16)));
		stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt, .ss_flags = 0};
		sigaltstack(&ss, NULL);
		set(SIGUSR1, on_info, SA_ONSTACK);
		reset();
		raise(SIGUSR1);
		show_bool("onstack_handler_on_altstack",
			  handler_stack_addr >= (uintptr_t)alt && handler_stack_addr < (uintptr_t)alt + sizeof alt);
		set(SIGUSR1, on_info, 0);
		reset();
		raise(SIGUSR1);
		show_bool("no_onstack_handler_on_main_stack",
			  !(handler_stack_addr >= (uintptr_t)alt && handler_stack_addr < (uintptr_t)alt + sizeof alt));
	}

	/* faults */
	{
		long pg = 4096;
		char *p = mmap(NULL, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		set(SIGSEGV, on_fault, SA_NODEFER);
		reset();
		if (sigsetjmp(jb, 1) == 0) {
			*(volatile char *)p = 1;
			printf("segv_accerr: no fault\n");
		} else {
			show("segv_accerr_signo", last_signo);
			printf("segv_accerr_code: %d\n", last_code);
			show_bool("segv_accerr_addr", last_addr == p);
		}
		munmap(p, pg);
		reset();
		if (sigsetjmp(jb, 1) == 0) {
			(void)*(volatile char *)(p + 100);
			printf("segv_maperr: no fault\n");
		} else {
			printf("segv_maperr_code: %d\n", last_code);
			show_bool("segv_maperr_addr", last_addr == p + 100);
		}
		reset();
		if (sigsetjmp(jb, 1) == 0) {
			(void)*(volatile int *)0;
			printf("segv_null: no fault\n");
		} else {
			printf("segv_null_code: %d\n", last_code);
			show_bool("segv_null_addr", last_addr == NULL);
		}
		/* the handler ran with SIGSEGV unblocked again after siglongjmp */
		sigset_t cur;
		sigprocmask(SIG_BLOCK, NULL, &cur);
		show_bool("segv_unblocked_after_longjmp", !sigismember(&cur, SIGSEGV));

		set(SIGFPE, on_fault, 0);
		reset();
		if (sigsetjmp(jb, 1) == 0) {
			volatile int zero = 0, one = 1;
			volatile int r = one / zero;
			(void)r;
			printf("fpe: no fault\n");
		} else {
			show("fpe_signo", last_signo);
			printf("fpe_code: %d\n", last_code);
		}
		set(SIGILL, on_fault, 0);
		reset();
		if (sigsetjmp(jb, 1) == 0) {
			__asm__ volatile("ud2");
			printf("ill: no fault\n");
		} else {
			show("ill_signo", last_signo);
			printf("ill_code: %d\n", last_code);
		}
		set(SIGTRAP, on_fault, 0);
		reset();
		if (sigsetjmp(jb, 1) == 0) {
			__asm__ volatile("int3");
			printf("trap: no fault\n");
		} else {
			show("trap_signo", last_signo);
			printf("trap_code: %d\n", last_code);
		}
	}

	/* the interrupted state is restored: a handler that clobbers
	 * callee-saved registers does not disturb the loop around raise() */
	{
		set(SIGUSR1, on_info, 0);
		long sum = 0;
		reset();
		for (int i = 0; i < 100; i++) {
			raise(SIGUSR1);
			sum += i;
		}
		show("sigreturn_loop_sum", sum);
		show("sigreturn_loop_count", count);
	}

	printf("done\n");
	return 0;
}
