/*
 * Catching the faults a hostile program provokes on purpose: catch_faults()
 * installs a handler for SIGSEGV, SIGBUS and SIGILL that records the signal
 * and its si_code and jumps back to the last sigsetjmp(fault_jb, 1).
 */
#ifndef TSVISOR_HOSTILE_CATCH_H
#define TSVISOR_HOSTILE_CATCH_H

#include <setjmp.h>
#include <signal.h>
#include <string.h>

static sigjmp_buf fault_jb;
static volatile int got_sig, got_code;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got_sig = sig;
	got_code = si->si_code;
	siglongjmp(fault_jb, 1);
}

static __attribute__((unused)) void catch_faults(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
}

#endif
