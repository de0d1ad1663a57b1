/*
 * Miscellany: getrandom, arch_prctl, prlimit64/getrlimit/setrlimit, umask,
 * sysinfo, sched_getaffinity, sched_yield, getcpu, prctl names, getpriority,
 * getrusage, times, personality, and unknown system call numbers.
 */
#include "common.h"
#include <sched.h>
#include <asm/prctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/times.h>

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;

	/* --- getrandom ------------------------------------------------- */
	{
		unsigned char b[64];
		memset(b, 0, sizeof b);
		show("getrandom_32", SYS(SYS_getrandom, b, 32, 0));
		int nz = 0;
		for (int i = 0; i < 32; i++)
			nz |= b[i];
		show_bool("getrandom_not_all_zero", nz);
		show_bool("getrandom_rest_untouched", b[32] == 0 && b[63] == 0);
		show("getrandom_0", SYS(SYS_getrandom, b, 0, 0));
		show("getrandom_nonblock", SYS(SYS_getrandom, b, 16, 1 /* GRND_NONBLOCK */));
		show("getrandom_random", SYS(SYS_getrandom, b, 16, 2 /* GRND_RANDOM */));
		show("getrandom_badflags", SYS(SYS_getrandom, b, 16, 0x100));
		show("getrandom_efault", SYS(SYS_getrandom, BADPTR1, 16, 0));
		show("getrandom_efault_kernel", SYS(SYS_getrandom, KADDR, 16, 0));
		static unsigned char big[1 << 20];
		show_bool("getrandom_1m", SYS(SYS_getrandom, big, sizeof big, 0) > 0);
	}

	/* --- arch_prctl ------------------------------------------------ */
	{
		unsigned long fs = 0, self = 0, gs = 99;
		show("arch_get_fs", SYS(SYS_arch_prctl, ARCH_GET_FS, &fs));
		__asm__ volatile("mov %%fs:0, %0" : "=r"(self));
		show_bool("arch_get_fs_is_tcb", fs == self && fs != 0);
		show("arch_get_gs", SYS(SYS_arch_prctl, ARCH_GET_GS, &gs));
		printf("arch_get_gs_value: %lu\n", gs);
		show("arch_get_fs_efault", SYS(SYS_arch_prctl, ARCH_GET_FS, BADPTR1));
		show("arch_badcode", SYS(SYS_arch_prctl, 0x9999, &fs));
		show("arch_set_fs_same", SYS(SYS_arch_prctl, ARCH_SET_FS, fs));
		show("arch_set_fs_noncanonical", SYS(SYS_arch_prctl, ARCH_SET_FS, 0x8000000000000000UL));
		unsigned long after = 0;
		__asm__ volatile("mov %%fs:0, %0" : "=r"(after));
		show_bool("arch_fs_still_works", after == self);
	}

	/* --- rlimits --------------------------------------------------- */
	{
		struct rlimit old, cur, lim;
		show("prlimit_get_nofile", SYS(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &old));
		show_bool("prlimit_nofile_sane", old.rlim_cur >= 3 && old.rlim_cur <= old.rlim_max);
		show("getrlimit_nofile", SYS(SYS_getrlimit, RLIMIT_NOFILE, &cur));
		show_bool("getrlimit_eq_prlimit", cur.rlim_cur == old.rlim_cur && cur.rlim_max == old.rlim_max);
		show("prlimit_badres", SYS(SYS_prlimit64, 0, 99, NULL, &cur));
		show("getrlimit_badres", SYS(SYS_getrlimit, 99, &cur));
		show("getrlimit_efault", SYS(SYS_getrlimit, RLIMIT_NOFILE, BADPTR1));
		show("prlimit_efault", SYS(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, BADPTR1));
		show("prlimit_nopid", SYS(SYS_prlimit64, 999999, RLIMIT_NOFILE, NULL, &cur));
		show("prlimit_self_pid", SYS(SYS_prlimit64, SYS(SYS_getpid), RLIMIT_NOFILE, NULL, &cur));
		lim.rlim_cur = 64;
		lim.rlim_max = old.rlim_max;
		show("setrlimit_nofile_64", SYS(SYS_setrlimit, RLIMIT_NOFILE, &lim));
		SYS(SYS_getrlimit, RLIMIT_NOFILE, &cur);
		printf("getrlimit_nofile_cur_after: %lu\n", (unsigned long)cur.rlim_cur);
		show("dup2_at_limit", SYS(SYS_dup2, 1, 64));
		show("dup2_below_limit", SYS(SYS_dup2, 1, 63));
		SYS(SYS_close, 63);
		show("fcntl_dupfd_at_limit", SYS(SYS_fcntl, 1, 0 /* F_DUPFD */, 64));
		lim.rlim_cur = old.rlim_max + 1;
		if (old.rlim_max != RLIM_INFINITY)
			show("setrlimit_cur_gt_max", SYS(SYS_setrlimit, RLIMIT_NOFILE, &lim));
		else
			printf("setrlimit_cur_gt_max: -1 EINVAL\n");
		show("setrlimit_efault", SYS(SYS_setrlimit, RLIMIT_NOFILE, BADPTR1));
		show("setrlimit_restore", SYS(SYS_setrlimit, RLIMIT_NOFILE, &old));
		struct rlimit st;
		show("prlimit_get_stack", SYS(SYS_prlimit64, 0, RLIMIT_STACK, NULL, &st));
		show_bool("prlimit_stack_sane", st.rlim_cur > 0 && st.rlim_cur <= st.rlim_max);
		struct rlimit core = {0, 0};
		show("setrlimit_core_0", SYS(SYS_setrlimit, RLIMIT_CORE, &core));
		SYS(SYS_getrlimit, RLIMIT_CORE, &core);
		printf("getrlimit_core_after: %lu %lu\n", (unsigned long)core.rlim_cur, (unsigned long)core.rlim_max);
	}

	/* --- umask ----------------------------------------------------- */
	SYS(SYS_umask, 077);
	printf("umask_prev: %lo\n", SYS(SYS_umask, 027));
	printf("umask_prev2: %lo\n", SYS(SYS_umask, 0));
	printf("umask_masks_bits: %lo\n", SYS(SYS_umask, 0777777));
	printf("umask_after_mask: %lo\n", SYS(SYS_umask, 022));

	/* --- sysinfo --------------------------------------------------- */
	{
		struct sysinfo si;
		memset(&si, 0, sizeof si);
		show("sysinfo", SYS(SYS_sysinfo, &si));
		show_bool("sysinfo_totalram", si.totalram > 0 && si.mem_unit >= 1);
		show_bool("sysinfo_freeram_le_total", si.freeram <= si.totalram);
		show_bool("sysinfo_procs", si.procs >= 1);
		show_bool("sysinfo_uptime", si.uptime >= 0);
		show("sysinfo_efault", SYS(SYS_sysinfo, BADPTR1));
	}

	/* --- scheduling ------------------------------------------------ */
	{
		cpu_set_t set;
		CPU_ZERO(&set);
		long r = SYS(SYS_sched_getaffinity, 0, sizeof set, &set);
		show_bool("sched_getaffinity_ok", r > 0 && r <= (long)sizeof set && r % 8 == 0);
		show_bool("sched_getaffinity_has_cpu", CPU_COUNT(&set) >= 1);
		show_bool("sched_getaffinity_self_pid", SYS(SYS_sched_getaffinity, SYS(SYS_getpid), sizeof set, &set) == r);
		show("sched_getaffinity_len_small", SYS(SYS_sched_getaffinity, 0, 1, &set));
		show("sched_getaffinity_len_unaligned", SYS(SYS_sched_getaffinity, 0, sizeof set - 1, &set));
		show("sched_getaffinity_nopid", SYS(SYS_sched_getaffinity, 999999, sizeof set, &set));
		show("sched_getaffinity_efault", SYS(SYS_sched_getaffinity, 0, sizeof set, BADPTR1));
		show("sched_setaffinity_same", SYS(SYS_sched_setaffinity, 0, sizeof set, &set));
		show("sched_yield", SYS(SYS_sched_yield));
		show("sched_getscheduler", SYS(SYS_sched_getscheduler, 0));
		show("sched_getscheduler_nopid", SYS(SYS_sched_getscheduler, 999999));
		show("sched_getscheduler_neg", SYS(SYS_sched_getscheduler, -1));
		show("sched_get_priority_max_fifo", SYS(SYS_sched_get_priority_max, 1));
		show("sched_get_priority_min_fifo", SYS(SYS_sched_get_priority_min, 1));
		show("sched_get_priority_max_bad", SYS(SYS_sched_get_priority_max, 99));
		struct sched_param sp = {99};
		show("sched_getparam", SYS(SYS_sched_getparam, 0, &sp));
		printf("sched_getparam_prio: %d\n", sp.sched_priority);
		unsigned cpu = 99999, node = 99999;
		show("getcpu", SYS(SYS_getcpu, &cpu, &node, NULL));
		show_bool("getcpu_in_affinity", CPU_ISSET(cpu, &set));
		show_bool("getcpu_node_small", node < 1024);
		show("getcpu_null_ok", SYS(SYS_getcpu, NULL, NULL, NULL));
		show("getcpu_efault", SYS(SYS_getcpu, BADPTR1, NULL, NULL));
		/* 20 - nice: the native value is inherited from whoever ran the suite */
		long prio = SYS(SYS_getpriority, PRIO_PROCESS, 0);
		show_bool("getpriority_self_in_range", prio >= 1 && prio <= 40);
		show("getpriority_badwhich", SYS(SYS_getpriority, 99, 0));
		show("getpriority_nopid", SYS(SYS_getpriority, PRIO_PROCESS, 999999));
	}

	/* --- prctl ----------------------------------------------------- */
	{
		char name[32];
		memset(name, 0, sizeof name);
		show("prctl_get_name", SYS(SYS_prctl, PR_GET_NAME, name, 0, 0, 0));
		show_str("prctl_name", name);
		show("prctl_set_name", SYS(SYS_prctl, PR_SET_NAME, "renamed-task-with-long-name", 0, 0, 0));
		memset(name, 0, sizeof name);
		SYS(SYS_prctl, PR_GET_NAME, name, 0, 0, 0);
		show_str("prctl_name_after", name);
		show("prctl_get_name_efault", SYS(SYS_prctl, PR_GET_NAME, BADPTR1, 0, 0, 0));
		show("prctl_get_dumpable", SYS(SYS_prctl, PR_GET_DUMPABLE, 0, 0, 0, 0));
		show("prctl_get_pdeathsig", SYS(SYS_prctl, PR_GET_PDEATHSIG, name, 0, 0, 0));
		show("prctl_pdeathsig_value", *(int *)name);
		show("prctl_get_no_new_privs", SYS(SYS_prctl, PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
		show("prctl_get_seccomp", SYS(SYS_prctl, PR_GET_SECCOMP, 0, 0, 0, 0));
		show("prctl_bad_option", SYS(SYS_prctl, 0x7fff1234, 0, 0, 0, 0));
	}

	/* --- accounting ------------------------------------------------ */
	{
		struct rusage ru;
		show("getrusage_self", SYS(SYS_getrusage, RUSAGE_SELF, &ru));
		show_bool("getrusage_maxrss_positive", ru.ru_maxrss > 0);
		show("getrusage_children", SYS(SYS_getrusage, RUSAGE_CHILDREN, &ru));
		show("getrusage_thread", SYS(SYS_getrusage, RUSAGE_THREAD, &ru));
		show("getrusage_badwho", SYS(SYS_getrusage, 99, &ru));
		show("getrusage_efault", SYS(SYS_getrusage, RUSAGE_SELF, BADPTR1));
		struct tms t;
		show_bool("times_ok", SYS(SYS_times, &t) != -1);
		show_bool("times_null_ok", SYS(SYS_times, NULL) != -1);
		show("times_efault", SYS(SYS_times, BADPTR1));
		printf("personality_query: 0x%lx\n", SYS(SYS_personality, 0xffffffffUL));
	}

	/* --- unknown system calls -------------------------------------- */
	show("syscall_1000", SYS(1000));
	/* 335 is uretprobe since Linux 6.11 (SIGILL outside a uretprobe trampoline) */
	show("syscall_400", SYS(400));
	show("syscall_423", SYS(423));
	show("syscall_512", SYS(512));
	show("syscall_neg1", SYS(-1L));
	show("syscall_huge", SYS(0x40000000L + 1000));
	/* tuxcall, security, vserver: in the table but never implemented */
	show("syscall_tuxcall", SYS(SYS_tuxcall));
	show("syscall_vserver", SYS(SYS_vserver));

	printf("done\n");
	return 0;
}
