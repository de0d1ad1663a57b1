/*
 * What each action does to a filtered call (getpid(MAGIC), see seccomp.h):
 * ERRNO with data 0, 1, 4095, 4096 and 0xffff (clamped to MAX_ERRNO);
 * TRAP, with a SIGSYS handler that prints the siginfo (si_code,
 * si_syscall, si_arch, si_errno, si_call_addr against the context's rip)
 * and the registers it sees, and returns (the call returns its own number)
 * or sets rax; TRAP with SIGSYS blocked or ignored; KILL_THREAD of a second
 * thread (the process goes on) and of the last one; KILL_PROCESS from a
 * second thread; an unknown action; TRACE and USER_NOTIF (ENOSYS: no
 * tracer, no listener); LOG and ALLOW (the call runs); precedence among
 * stacked filters.
 */
#include "seccomp.h"
#include <pthread.h>
#include <ucontext.h>

static void errno_data(void)
{
	static const unsigned data[] = { 1, 0, 13, 4095, 4096, 0xffff };
	for (unsigned i = 0; i < LEN(data); i++) {
		char what[64];
		if (fork() == 0) {
			install_magic(SECCOMP_RET_ERRNO | data[i], 0);
			snprintf(what, sizeof what, "errno data %u", data[i]);
			show_magic(what);
			fflush(stdout);
			_exit(0);
		}
		wait(NULL);
	}
}

static volatile int set_rax;
static void on_sigsys(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	greg_t *g = uc->uc_mcontext.gregs;
	printf("sigsys: signo %d code %d syscall %d arch %#x errno %d\n", sig, si->si_code, si->si_syscall,
	       si->si_arch, si->si_errno);
	printf("sigsys: call_addr is rip %d, rax %lld, rdi %#llx\n", si->si_call_addr == (void *)g[REG_RIP],
	       (long long)g[REG_RAX], (long long)g[REG_RDI]);
	if (set_rax)
		g[REG_RAX] = 42;
}

static void catch_sigsys(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSYS, &sa, NULL);
}

static void trap(void)
{
	catch_sigsys();
	show("install trap", install_magic(SECCOMP_RET_TRAP | 0x1234, 0));
	show("trap: returns", SYS(SYS_getpid, MAGIC));
	set_rax = 1;
	show("trap: handler set rax", SYS(SYS_getpid, MAGIC));
	show_bool("trap: getpid without MAGIC runs", SYS(SYS_getpid) > 0);
}

static void trap_blocked(void)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGSYS);
	sigprocmask(SIG_BLOCK, &s, NULL);
	install_magic(SECCOMP_RET_TRAP, 0);
	SYS(SYS_getpid, MAGIC);
	printf("trap blocked: not killed\n");
}

static void trap_ignored(void)
{
	signal(SIGSYS, SIG_IGN);
	install_magic(SECCOMP_RET_TRAP, 0);
	SYS(SYS_getpid, MAGIC);
	printf("trap ignored: not killed\n");
}

/* A thread that installs a filter of its own (no TSYNC: it binds this thread alone) with the action given, then calls. */
static void *filter_and_call(void *action)
{
	install_magic((unsigned)(unsigned long)action, 0);
	SYS(SYS_getpid, MAGIC);
	printf("second thread: not killed\n");
	return NULL;
}

static void in_thread(unsigned action)
{
	pthread_t th;
	pthread_create(&th, NULL, filter_and_call, (void *)(unsigned long)action);
	pthread_join(th, NULL);
	printf("main: joined\n");
}

static void kill_thread(void)
{
	in_thread(SECCOMP_RET_KILL_THREAD);
	show_magic("kill thread: main unfiltered");
	show_status("kill thread: main status", "/proc/self/status");
}

static void kill_last_thread(void)
{
	install_magic(SECCOMP_RET_KILL_THREAD, 0);
	SYS(SYS_getpid, MAGIC);
	printf("kill last thread: not killed\n");
}

static void kill_process(void)
{
	in_thread(SECCOMP_RET_KILL_PROCESS);
}

static void unknown_action(void)
{
	install_magic(0x00010000, 0);
	SYS(SYS_getpid, MAGIC);
	printf("unknown action: not killed\n");
}

static void unknown_high_action(void)
{
	install_magic(0x7ffd0000, 0);
	SYS(SYS_getpid, MAGIC);
	printf("unknown high action: not killed\n");
}

static void trace(void)
{
	install_magic(SECCOMP_RET_TRACE | 7, 0);
	show_magic("trace without a tracer");
}

static void user_notif(void)
{
	install_magic(SECCOMP_RET_USER_NOTIF, 0);
	show_magic("user_notif without a listener");
}

static void log_allow(void)
{
	install_magic(SECCOMP_RET_LOG, 0);
	show_magic("log");
	install_magic(SECCOMP_RET_ALLOW, SECCOMP_FILTER_FLAG_LOG);
	show_magic("log and allow");
}

/* Stacked filters: the action first in Linux's order wins, whatever the order of installation. */
static void precedence(void)
{
	show("allow", install_magic(SECCOMP_RET_ALLOW, 0));
	show_magic("precedence: allow");
	show("log", install_magic(SECCOMP_RET_LOG, 0));
	show_magic("precedence: log over allow");
	show("trace", install_magic(SECCOMP_RET_TRACE, 0));
	show_magic("precedence: trace over log");
	show("errno 3", install_magic(SECCOMP_RET_ERRNO | 3, 0));
	show_magic("precedence: errno over trace");
	show("errno 7", install_magic(SECCOMP_RET_ERRNO | 7, 0));
	show_magic("precedence: the newer errno");
	show("user_notif", install_magic(SECCOMP_RET_USER_NOTIF, 0));
	show_magic("precedence: errno over user_notif");
	show("errno 9 again", install_magic(SECCOMP_RET_ERRNO | 9, 0));
	show_magic("precedence: the newest errno");
	show("allow again", install_magic(SECCOMP_RET_ALLOW, 0));
	show_magic("precedence: a newer allow changes nothing");
	catch_sigsys();
	show("trap", install_magic(SECCOMP_RET_TRAP | 5, 0));
	show("precedence: trap over errno", SYS(SYS_getpid, MAGIC));
	show("kill thread", install_magic(SECCOMP_RET_KILL_THREAD, 0));
	show("kill process", install_magic(SECCOMP_RET_KILL_PROCESS, 0));
	show_status("precedence: status", "/proc/self/status");
	SYS(SYS_getpid, MAGIC);
	printf("precedence: not killed\n");
}

int main(void)
{
	errno_data();
	in_child("trap", trap);
	in_child("trap blocked", trap_blocked);
	in_child("trap ignored", trap_ignored);
	in_child("kill thread", kill_thread);
	in_child("kill last thread", kill_last_thread);
	in_child("kill process", kill_process);
	in_child("unknown action", unknown_action);
	in_child("unknown high action", unknown_high_action);
	in_child("trace", trace);
	in_child("user_notif", user_notif);
	in_child("log", log_allow);
	in_child("precedence", precedence);
	printf("done\n");
	return 0;
}
