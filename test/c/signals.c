/*
 * Signals, without delivering any: rt_sigprocmask, rt_sigaction,
 * rt_sigpending, sigaltstack, kill/tkill/tgkill with signal 0, and their
 * error cases.
 */
#include "common.h"
#include <signal.h>
#include <sys/mman.h>

/* The kernel's struct sigaction for rt_sigaction. */
struct ksigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	unsigned long mask;
};

static void handler(int sig)
{
	(void)sig;
}

static unsigned long getmask(void)
{
	unsigned long m = 0xdeadbeef;
	SYS(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &m, 8);
	return m;
}

#define BIT(s) (1UL << ((s) - 1))
#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif

int main(void)
{
	unsigned long set, old;

	/* --- rt_sigprocmask -------------------------------------------- */
	printf("initial_mask: 0x%lx\n", getmask());
	set = BIT(SIGUSR1);
	show("sigprocmask_block", SYS(SYS_rt_sigprocmask, SIG_BLOCK, &set, &old, 8));
	printf("sigprocmask_block_old: 0x%lx\n", old);
	printf("mask_after_block: 0x%lx\n", getmask());
	set = BIT(SIGUSR2) | BIT(SIGTERM);
	SYS(SYS_rt_sigprocmask, SIG_BLOCK, &set, NULL, 8);
	printf("mask_after_block2: 0x%lx\n", getmask());
	set = BIT(SIGUSR1);
	show("sigprocmask_unblock", SYS(SYS_rt_sigprocmask, SIG_UNBLOCK, &set, NULL, 8));
	printf("mask_after_unblock: 0x%lx\n", getmask());
	set = BIT(SIGKILL) | BIT(SIGSTOP) | BIT(SIGHUP);
	show("sigprocmask_block_kill_stop", SYS(SYS_rt_sigprocmask, SIG_SETMASK, &set, NULL, 8));
	printf("mask_kill_stop_ignored: 0x%lx\n", getmask());
	set = ~0UL;
	SYS(SYS_rt_sigprocmask, SIG_SETMASK, &set, NULL, 8);
	printf("mask_all: 0x%lx\n", getmask());
	set = 0;
	SYS(SYS_rt_sigprocmask, SIG_SETMASK, &set, NULL, 8);
	printf("mask_none: 0x%lx\n", getmask());
	show("sigprocmask_badhow", SYS(SYS_rt_sigprocmask, 99, &set, NULL, 8));
	show("sigprocmask_badhow_null_set", SYS(SYS_rt_sigprocmask, 99, NULL, &old, 8));
	show("sigprocmask_badsize", SYS(SYS_rt_sigprocmask, SIG_BLOCK, &set, NULL, 4));
	show("sigprocmask_badsize_16", SYS(SYS_rt_sigprocmask, SIG_BLOCK, &set, NULL, 16));
	show("sigprocmask_set_efault", SYS(SYS_rt_sigprocmask, SIG_BLOCK, BADPTR1, NULL, 8));
	show("sigprocmask_old_efault", SYS(SYS_rt_sigprocmask, SIG_BLOCK, NULL, KADDR, 8));
	show("sigprocmask_null_null", SYS(SYS_rt_sigprocmask, SIG_BLOCK, NULL, NULL, 8));
	printf("mask_after_errors: 0x%lx\n", getmask());
	{
		sigset_t s, o;
		sigemptyset(&s);
		sigaddset(&s, SIGALRM);
		show("glibc_sigprocmask", sigprocmask(SIG_BLOCK, &s, &o));
		show_bool("glibc_sigprocmask_blocked", sigprocmask(SIG_BLOCK, NULL, &o) == 0 && sigismember(&o, SIGALRM));
		sigprocmask(SIG_UNBLOCK, &s, NULL);
	}

	/* --- rt_sigaction ---------------------------------------------- */
	{
		int dfl = 1;
		for (int s = 1; s < 32; s++) {
			struct ksigaction k;
			memset(&k, 0xff, sizeof k);
			if (SYS(SYS_rt_sigaction, s, NULL, &k, 8) != 0 || k.handler != SIG_DFL)
				dfl = 0;
		}
		show_bool("initial_dispositions_default", dfl);
	}
	{
		struct sigaction sa, got;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = handler;
		sa.sa_flags = SA_RESTART;
		sigemptyset(&sa.sa_mask);
		sigaddset(&sa.sa_mask, SIGUSR2);
		show("sigaction_set", sigaction(SIGUSR1, &sa, NULL));
		memset(&got, 0, sizeof got);
		show("sigaction_get", sigaction(SIGUSR1, NULL, &got));
		show_bool("sigaction_get_handler", got.sa_handler == handler);
		show_bool("sigaction_get_restart", (got.sa_flags & SA_RESTART) != 0);
		show_bool("sigaction_get_mask_usr2", sigismember(&got.sa_mask, SIGUSR2));
		show_bool("sigaction_get_mask_not_usr1", !sigismember(&got.sa_mask, SIGUSR1));
		struct ksigaction k;
		memset(&k, 0, sizeof k);
		show("rt_sigaction_get_raw", SYS(SYS_rt_sigaction, SIGUSR1, NULL, &k, 8));
		printf("rt_sigaction_raw_flags: 0x%lx\n", k.flags);
		printf("rt_sigaction_raw_mask: 0x%lx\n", k.mask);
		show_bool("rt_sigaction_raw_restorer_set", k.restorer != NULL);

		/* set via raw call with old returned in the same call */
		struct ksigaction n, o;
		memset(&n, 0, sizeof n);
		n.handler = SIG_IGN;
		n.flags = SA_RESTORER;
		n.restorer = k.restorer;
		n.mask = BIT(SIGKILL) | BIT(SIGINT);
		memset(&o, 0, sizeof o);
		show("rt_sigaction_swap", SYS(SYS_rt_sigaction, SIGUSR1, &n, &o, 8));
		show_bool("rt_sigaction_swap_old_handler", o.handler == handler);
		memset(&o, 0, sizeof o);
		SYS(SYS_rt_sigaction, SIGUSR1, NULL, &o, 8);
		show_bool("rt_sigaction_now_ign", o.handler == SIG_IGN);
		printf("rt_sigaction_mask_kill_dropped: 0x%lx\n", o.mask);
		n.handler = SIG_DFL;
		SYS(SYS_rt_sigaction, SIGUSR1, &n, NULL, 8);

		show("rt_sigaction_sigkill_set", SYS(SYS_rt_sigaction, SIGKILL, &n, NULL, 8));
		show("rt_sigaction_sigstop_set", SYS(SYS_rt_sigaction, SIGSTOP, &n, NULL, 8));
		show("rt_sigaction_sigkill_query", SYS(SYS_rt_sigaction, SIGKILL, NULL, &o, 8));
		show("rt_sigaction_sig0", SYS(SYS_rt_sigaction, 0, &n, NULL, 8));
		show("rt_sigaction_sig65", SYS(SYS_rt_sigaction, 65, &n, NULL, 8));
		show("rt_sigaction_sig64_ok", SYS(SYS_rt_sigaction, 64, NULL, &o, 8));
		show("rt_sigaction_signeg", SYS(SYS_rt_sigaction, -1, NULL, &o, 8));
		show("rt_sigaction_badsize", SYS(SYS_rt_sigaction, SIGUSR1, &n, NULL, 4));
		show("rt_sigaction_act_efault", SYS(SYS_rt_sigaction, SIGUSR1, BADPTR1, NULL, 8));
		show("rt_sigaction_old_efault", SYS(SYS_rt_sigaction, SIGUSR1, NULL, KADDR, 8));
		struct ksigaction ign = {SIG_IGN, SA_RESTORER, k.restorer, 0};
		show("rt_sigaction_ign_sigchld", SYS(SYS_rt_sigaction, SIGCHLD, &ign, NULL, 8));
		memset(&o, 0, sizeof o);
		SYS(SYS_rt_sigaction, SIGCHLD, NULL, &o, 8);
		show_bool("rt_sigaction_sigchld_ign", o.handler == SIG_IGN);
		show("rt_sigaction_rt_signal", SYS(SYS_rt_sigaction, SIGRTMIN + 2, &n, &o, 8));
	}

	/* --- rt_sigpending --------------------------------------------- */
	{
		unsigned long p = 0xdead;
		show("sigpending", SYS(SYS_rt_sigpending, &p, 8));
		printf("sigpending_set: 0x%lx\n", p);
		show("sigpending_badsize", SYS(SYS_rt_sigpending, &p, 16));
		show("sigpending_efault", SYS(SYS_rt_sigpending, BADPTR1, 8));
	}

	/* --- sigaltstack ----------------------------------------------- */
	{
		stack_t ss, os;
		memset(&os, 0xff, sizeof os);
		show("sigaltstack_query", SYS(SYS_sigaltstack, NULL, &os));
		printf("sigaltstack_initial_flags: %d\n", os.ss_flags);
		void *mem = (void *)SYS(SYS_mmap, NULL, 65536, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ss.ss_sp = mem;
		ss.ss_size = 65536;
		ss.ss_flags = 0;
		show("sigaltstack_set", SYS(SYS_sigaltstack, &ss, NULL));
		memset(&os, 0, sizeof os);
		SYS(SYS_sigaltstack, NULL, &os);
		show_bool("sigaltstack_get_sp", os.ss_sp == mem);
		show_bool("sigaltstack_get_size", os.ss_size == 65536);
		printf("sigaltstack_get_flags: %d\n", os.ss_flags);
		ss.ss_size = 512;
		show("sigaltstack_too_small", SYS(SYS_sigaltstack, &ss, NULL));
		ss.ss_size = 65536;
		ss.ss_flags = 0x1234;
		show("sigaltstack_badflags", SYS(SYS_sigaltstack, &ss, NULL));
		show("sigaltstack_efault", SYS(SYS_sigaltstack, BADPTR1, NULL));
		show("sigaltstack_old_efault", SYS(SYS_sigaltstack, NULL, KADDR));
		ss.ss_flags = SS_DISABLE;
		show("sigaltstack_disable", SYS(SYS_sigaltstack, &ss, NULL));
		SYS(SYS_sigaltstack, NULL, &os);
		printf("sigaltstack_disabled_flags: %d\n", os.ss_flags);
	}

	/* --- kill / tkill / tgkill with signal 0 ------------------------ */
	{
		long pid = SYS(SYS_getpid), tid = SYS(SYS_gettid);
		show("kill_self_0", SYS(SYS_kill, pid, 0));
		show("kill_nopid_0", SYS(SYS_kill, 999999, 0));
		show("kill_self_badsig", SYS(SYS_kill, pid, 99));
		show("kill_self_negsig", SYS(SYS_kill, pid, -1));
		show("kill_pgrp_0", SYS(SYS_kill, 0, 0));
		show("tkill_self_0", SYS(SYS_tkill, tid, 0));
		show("tkill_badtid", SYS(SYS_tkill, 999999, 0));
		show("tkill_zero_tid", SYS(SYS_tkill, 0, 0));
		show("tgkill_self_0", SYS(SYS_tgkill, pid, tid, 0));
		show("tgkill_wrong_tgid", SYS(SYS_tgkill, 999999, tid, 0));
		show("tgkill_badsig", SYS(SYS_tgkill, pid, tid, 99));
		show("tgkill_neg_tid", SYS(SYS_tgkill, pid, -1, 0));
		show("rt_sigqueueinfo_efault", SYS(SYS_rt_sigqueueinfo, pid, SIGUSR1, BADPTR1));
	}
	printf("done\n");
	return 0;
}
