/*
 * seccomp strict mode (SECCOMP_SET_MODE_STRICT, PR_SET_SECCOMP 1): only
 * read, write, exit and rt_sigreturn; any other call kills the thread
 * with SIGKILL. Each case runs in a child, which writes with write(2)
 * alone once strict and ends with exit(2) (exit_group is not allowed).
 */
#include "seccomp.h"
#include <sys/time.h>

static void say(const char *s)
{
	SYS(SYS_write, 1, s, strlen(s));
}

static void strict_write_exit(void)
{
	if (SYS(SYS_seccomp, SECCOMP_SET_MODE_STRICT, 0, 0) != 0)
		return;
	say("strict: writes\n");
	char c;
	/* read is allowed too: fd 0 is empty (EOF) or bad, either way a return. */
	SYS(SYS_read, 0, &c, 0);
	say("strict: read returned\n");
	SYS(SYS_exit, 3);
}

static void strict_getpid(void)
{
	if (SYS(SYS_prctl, PR_SET_SECCOMP, SECCOMP_MODE_STRICT, 0, 0, 0) != 0)
		return;
	say("prctl strict: set\n");
	SYS(SYS_getpid);
	say("prctl strict: not killed\n");
	SYS(SYS_exit, 4);
}

static void strict_exit_group(void)
{
	SYS(SYS_seccomp, SECCOMP_SET_MODE_STRICT, 0, 0);
	SYS(SYS_exit_group, 5);
}

static void strict_get_seccomp(void)
{
	SYS(SYS_seccomp, SECCOMP_SET_MODE_STRICT, 0, 0);
	SYS(SYS_prctl, PR_GET_SECCOMP, 0, 0, 0, 0);
	SYS(SYS_exit, 6);
}

static void strict_twice(void)
{
	SYS(SYS_seccomp, SECCOMP_SET_MODE_STRICT, 0, 0);
	SYS(SYS_seccomp, SECCOMP_SET_MODE_STRICT, 0, 0);
	SYS(SYS_exit, 7);
}

static volatile sig_atomic_t alarmed;
static void on_alarm(int sig)
{
	(void)sig;
	say("strict: handler ran\n");
	alarmed = 1;
}

/* A handler runs and returns through rt_sigreturn, which strict mode allows. */
static void strict_sigreturn(void)
{
	signal(SIGALRM, on_alarm);
	struct itimerval it = { { 0, 0 }, { 0, 20000 } };
	setitimer(ITIMER_REAL, &it, NULL);
	SYS(SYS_seccomp, SECCOMP_SET_MODE_STRICT, 0, 0);
	while (!alarmed)
		;
	say("strict: back from the handler\n");
	SYS(SYS_exit, 8);
}

static void filter_then_strict(void)
{
	show("filter", install_magic(SECCOMP_RET_ERRNO | 1, 0));
	show("then strict", SYS(SYS_seccomp, SECCOMP_SET_MODE_STRICT, 0, 0));
	show("then prctl strict", SYS(SYS_prctl, PR_SET_SECCOMP, SECCOMP_MODE_STRICT, 0, 0, 0));
	show("mode", SYS(SYS_prctl, PR_GET_SECCOMP, 0, 0, 0, 0));
}

int main(void)
{
	show("get_seccomp", SYS(SYS_prctl, PR_GET_SECCOMP, 0, 0, 0, 0));
	show("strict flags", SYS(SYS_seccomp, SECCOMP_SET_MODE_STRICT, 1, 0));
	show("strict uargs", SYS(SYS_seccomp, SECCOMP_SET_MODE_STRICT, 0, 8));
	show("prctl mode 0", SYS(SYS_prctl, PR_SET_SECCOMP, 0, 0, 0, 0));
	show("prctl mode 3", SYS(SYS_prctl, PR_SET_SECCOMP, 3, 0, 0, 0));
	show("prctl mode high", SYS(SYS_prctl, PR_SET_SECCOMP, 0x100000001L, 0, 0, 0));
	show("still disabled", SYS(SYS_prctl, PR_GET_SECCOMP, 0, 0, 0, 0));
	in_child("strict write read exit", strict_write_exit);
	in_child("prctl strict getpid", strict_getpid);
	in_child("strict exit_group", strict_exit_group);
	in_child("strict PR_GET_SECCOMP", strict_get_seccomp);
	in_child("strict twice", strict_twice);
	in_child("strict sigreturn", strict_sigreturn);
	in_child("filter then strict", filter_then_strict);
	printf("done\n");
	return 0;
}
