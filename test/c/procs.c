/*
 * Process and thread state: set_tid_address, set/get_robust_list, futex,
 * rt_sigreturn (a handler that returns), rt_sigsuspend, rt_sigtimedwait,
 * rt_tgsigqueueinfo, mlock/munlock/mlock2/mlockall/munlockall, setpgid,
 * setsid, sched_setscheduler, setpriority/getpriority, sethostname,
 * setdomainname, and the id setters setreuid/setregid/setresuid/setresgid/
 * setfsgid/setgroups, first as root, then with a dropped effective uid
 * (privileged calls fail), then with every uid dropped for good.
 *
 * Natively this changes the host's host name and domain name, so it must run
 * in a private UTS namespace: the suite runs it natively under
 * `unshare --uts` (harness option nativeNamespaces: ['uts']); under tsvisor
 * the names are the sandbox's own. It refuses to start otherwise.
 *
 * Natively the program is not a session or group leader (node spawns it in
 * its own group); under tsvisor it is pid 1 of a fresh pid namespace and its
 * own session leader. Pids are never printed, and where the two legitimately
 * differ the line states a relation that holds in both (e.g. "setsid
 * succeeded, or failed with EPERM because we already led a session").
 * Priorities and process-group-wide calls are only used after setsid, when
 * the process group is the program alone.
 */
#include "common.h"
#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <stddef.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <time.h>
#include <ucontext.h>

#ifndef SCHED_RESET_ON_FORK
#define SCHED_RESET_ON_FORK 0x40000000
#endif
#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 1
#endif
#ifndef MCL_ONFAULT
#define MCL_ONFAULT 4
#endif

#define PG 4096L

static long tgid, tid;

static long long mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void show_resuid(const char *name)
{
	unsigned r = 99, e = 99, s = 99;
	if (SYS(SYS_getresuid, &r, &e, &s) == -1)
		printf("%s: -1 %s\n", name, errname(errno));
	else
		printf("%s: %u %u %u\n", name, r, e, s);
}

static void show_resgid(const char *name)
{
	unsigned r = 99, e = 99, s = 99;
	if (SYS(SYS_getresgid, &r, &e, &s) == -1)
		printf("%s: -1 %s\n", name, errname(errno));
	else
		printf("%s: %u %u %u\n", name, r, e, s);
}

static void show_groups(const char *name)
{
	unsigned g[64];
	long n = SYS(SYS_getgroups, 64, g);
	if (n == -1) {
		printf("%s: -1 %s\n", name, errname(errno));
		return;
	}
	printf("%s: %ld [", name, n);
	for (long i = 0; i < n; i++)
		printf("%s%u", i ? " " : "", g[i]);
	printf("]\n");
}

/* ---------------------------------------------------------------------- */
/* Refuse to rename the host: natively, only run in a private UTS namespace. */

static void uts_guard(void)
{
	char self[64] = "", parent[64] = "", path[64];
	if (getpid() == 1)
		return; /* pid 1 of its own pid namespace: the sandbox */
	snprintf(path, sizeof path, "/proc/%d/ns/uts", (int)getppid());
	ssize_t a = readlink("/proc/self/ns/uts", self, sizeof self - 1);
	ssize_t b = readlink(path, parent, sizeof parent - 1);
	if (a > 0 && b > 0 && strcmp(self, parent) != 0)
		return; /* e.g. `unshare --uts` exec'd us */
	fprintf(stderr, "procs: not in a UTS namespace of its own (run it under `unshare --uts`); "
			"refusing to change the host name\n");
	exit(3);
}

/* ---------------------------------------------------------------------- */
/* set_tid_address, set_robust_list, get_robust_list */

static void test_tid_robust(void)
{
	static int ctid;
	show_bool("set_tid_address_returns_tid", SYS(SYS_set_tid_address, &ctid) == tid);
	/* never fails: the address is only used when the thread exits */
	show_bool("set_tid_address_bad_returns_tid", SYS(SYS_set_tid_address, BADPTR1) == tid);
	show_bool("set_tid_address_null_returns_tid", SYS(SYS_set_tid_address, NULL) == tid);
	SYS(SYS_set_tid_address, &ctid);

	void *glibc_head = NULL;
	size_t len = 0;
	show("get_robust_list_initial", SYS(SYS_get_robust_list, 0, &glibc_head, &len));
	show_bool("get_robust_list_initial_head_set", glibc_head != NULL);
	printf("get_robust_list_initial_len: %zu\n", len);

	static struct {
		void *next;
		long offset;
		void *pending;
	} head;
	head.next = &head;
	void *h = NULL;
	len = 0;
	show("set_robust_list", SYS(SYS_set_robust_list, &head, sizeof head));
	show("get_robust_list", SYS(SYS_get_robust_list, 0, &h, &len));
	show_bool("get_robust_list_head_is_ours", h == (void *)&head);
	printf("get_robust_list_len: %zu\n", len);
	h = NULL;
	show("get_robust_list_self_tid", SYS(SYS_get_robust_list, tid, &h, &len));
	show_bool("get_robust_list_self_tid_head", h == (void *)&head);
	show("set_robust_list_len_small", SYS(SYS_set_robust_list, &head, 16));
	show("set_robust_list_len_big", SYS(SYS_set_robust_list, &head, 32));
	show("set_robust_list_len_zero", SYS(SYS_set_robust_list, &head, 0));
	h = NULL;
	SYS(SYS_get_robust_list, 0, &h, &len);
	show_bool("get_robust_list_unchanged_after_einval", h == (void *)&head);
	/* the head is not read when it is registered */
	show("set_robust_list_bad_head", SYS(SYS_set_robust_list, BADPTR1, sizeof head));
	h = NULL;
	SYS(SYS_get_robust_list, 0, &h, &len);
	show_bool("get_robust_list_bad_head_recorded", h == BADPTR1);
	show("get_robust_list_nopid", SYS(SYS_get_robust_list, 999999, &h, &len));
	show("get_robust_list_efault_head", SYS(SYS_get_robust_list, 0, BADPTR1, &len));
	show("get_robust_list_efault_len", SYS(SYS_get_robust_list, 0, &h, BADPTR1));
	/* Linux stores the length first, then the head */
	len = 0;
	SYS(SYS_get_robust_list, 0, KADDR, &len);
	printf("get_robust_list_efault_head_len_stored: %zu\n", len);
	/* put back what glibc registered at startup */
	show("set_robust_list_restore", SYS(SYS_set_robust_list, glibc_head, sizeof head));
}

/* ---------------------------------------------------------------------- */
/* futex */

static volatile sig_atomic_t alarms;
static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

static void arm_timer_ms(long ms)
{
	struct itimerval it = {{0, 0}, {ms / 1000, (ms % 1000) * 1000}};
	setitimer(ITIMER_REAL, &it, NULL);
}

static void set_handler(int sig, void (*h)(int), int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = h;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static void test_futex(void)
{
	static uint32_t fw[4] __attribute__((aligned(16)));
	uint32_t *f = &fw[0];
	struct timespec ts;
	long long t0, el;

	*f = 7;
	show("futex_wait_mismatch", SYS(SYS_futex, f, FUTEX_WAIT, 8, NULL, 0, 0));
	show("futex_wait_private_mismatch", SYS(SYS_futex, f, FUTEX_WAIT_PRIVATE, 8, NULL, 0, 0));
	show("futex_wait_bitset_mismatch", SYS(SYS_futex, f, FUTEX_WAIT_BITSET, 8, NULL, 0, FUTEX_BITSET_MATCH_ANY));

	ts.tv_sec = 0;
	ts.tv_nsec = 20 * 1000000;
	t0 = mono_ns();
	show("futex_wait_timeout", SYS(SYS_futex, f, FUTEX_WAIT, 7, &ts, 0, 0));
	el = mono_ns() - t0;
	show_bool("futex_wait_timeout_waited_20ms", el >= 20000000LL);
	show_bool("futex_wait_timeout_under_5s", el < 5000000000LL);

	t0 = mono_ns();
	show("futex_wait_private_timeout", SYS(SYS_futex, f, FUTEX_WAIT_PRIVATE, 7, &ts, 0, 0));
	show_bool("futex_wait_private_timeout_waited_20ms", mono_ns() - t0 >= 20000000LL);

	ts.tv_sec = 0;
	ts.tv_nsec = 0;
	show("futex_wait_zero_timeout", SYS(SYS_futex, f, FUTEX_WAIT, 7, &ts, 0, 0));

	/* WAIT_BITSET: the timeout is absolute, on CLOCK_MONOTONIC */
	{
		long long deadline = mono_ns() + 30000000LL;
		ts.tv_sec = deadline / 1000000000LL;
		ts.tv_nsec = deadline % 1000000000LL;
		show("futex_wait_bitset_abs_mono", SYS(SYS_futex, f, FUTEX_WAIT_BITSET, 7, &ts, 0, FUTEX_BITSET_MATCH_ANY));
		long long now = mono_ns();
		show_bool("futex_wait_bitset_abs_mono_reached_deadline", now >= deadline);
		show_bool("futex_wait_bitset_abs_mono_under_5s", now - deadline < 5000000000LL);

		deadline = mono_ns() + 20000000LL;
		ts.tv_sec = deadline / 1000000000LL;
		ts.tv_nsec = deadline % 1000000000LL;
		show("futex_wait_bitset_private_abs_mono",
		     SYS(SYS_futex, f, FUTEX_WAIT_BITSET_PRIVATE, 7, &ts, 0, 0x00ff00ff));
		show_bool("futex_wait_bitset_private_abs_mono_reached_deadline", mono_ns() >= deadline);

		/* a deadline in the past: times out at once */
		ts.tv_sec = 0;
		ts.tv_nsec = 1;
		show("futex_wait_bitset_abs_past", SYS(SYS_futex, f, FUTEX_WAIT_BITSET, 7, &ts, 0, FUTEX_BITSET_MATCH_ANY));
	}
	/* WAIT_BITSET with FUTEX_CLOCK_REALTIME: absolute on CLOCK_REALTIME */
	{
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		long long deadline = now.tv_sec * 1000000000LL + now.tv_nsec + 20000000LL;
		ts.tv_sec = deadline / 1000000000LL;
		ts.tv_nsec = deadline % 1000000000LL;
		t0 = mono_ns();
		show("futex_wait_bitset_abs_realtime",
		     SYS(SYS_futex, f, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, 7, &ts, 0, FUTEX_BITSET_MATCH_ANY));
		el = mono_ns() - t0;
		show_bool("futex_wait_bitset_abs_realtime_waited", el >= 10000000LL && el < 5000000000LL);
	}

	/* invalid timeouts */
	ts.tv_sec = 0;
	ts.tv_nsec = 1000000000;
	show("futex_wait_bad_nsec", SYS(SYS_futex, f, FUTEX_WAIT, 7, &ts, 0, 0));
	ts.tv_sec = -1;
	ts.tv_nsec = 0;
	show("futex_wait_negative_timeout", SYS(SYS_futex, f, FUTEX_WAIT, 7, &ts, 0, 0));
	show("futex_wait_bad_timeout_ptr", SYS(SYS_futex, f, FUTEX_WAIT, 7, BADPTR1, 0, 0));
	/* Linux reads and checks the timeout before it compares the value */
	ts.tv_sec = 0;
	ts.tv_nsec = 1000000000;
	show("futex_wait_mismatch_bad_nsec", SYS(SYS_futex, f, FUTEX_WAIT, 8, &ts, 0, 0));
	show("futex_wait_mismatch_bad_timeout_ptr", SYS(SYS_futex, f, FUTEX_WAIT, 8, BADPTR1, 0, 0));

	/* WAKE with nobody waiting */
	show("futex_wake_none", SYS(SYS_futex, f, FUTEX_WAKE, 1, NULL, 0, 0));
	show("futex_wake_none_many", SYS(SYS_futex, f, FUTEX_WAKE, 0x7fffffff, NULL, 0, 0));
	show("futex_wake_private_none", SYS(SYS_futex, f, FUTEX_WAKE_PRIVATE, 1, NULL, 0, 0));
	show("futex_wake_bitset_none", SYS(SYS_futex, f, FUTEX_WAKE_BITSET, 1, NULL, 0, FUTEX_BITSET_MATCH_ANY));

	/* bitset 0 */
	show("futex_wait_bitset_zero", SYS(SYS_futex, f, FUTEX_WAIT_BITSET, 7, NULL, 0, 0));
	show("futex_wake_bitset_zero", SYS(SYS_futex, f, FUTEX_WAKE_BITSET, 1, NULL, 0, 0));
	show("futex_wait_bitset_private_zero", SYS(SYS_futex, f, FUTEX_WAIT_BITSET_PRIVATE, 7, NULL, 0, 0));

	/* unaligned */
	{
		char *u = (char *)f + 1;
		show("futex_wait_unaligned", SYS(SYS_futex, u, FUTEX_WAIT, 7, NULL, 0, 0));
		show("futex_wake_unaligned", SYS(SYS_futex, u, FUTEX_WAKE, 1, NULL, 0, 0));
		show("futex_wake_private_unaligned", SYS(SYS_futex, u, FUTEX_WAKE_PRIVATE, 1, NULL, 0, 0));
		show("futex_wait_bitset_unaligned",
		     SYS(SYS_futex, u, FUTEX_WAIT_BITSET, 7, NULL, 0, FUTEX_BITSET_MATCH_ANY));
	}

	/* bad pointers: WAIT reads the word; a private WAKE never touches
	 * memory, a shared one looks the page up */
	show("futex_wait_efault", SYS(SYS_futex, BADPTR1 + 3, FUTEX_WAIT, 0, NULL, 0, 0));
	show("futex_wait_efault_null", SYS(SYS_futex, NULL, FUTEX_WAIT, 0, NULL, 0, 0));
	show("futex_wait_private_efault_kernel", SYS(SYS_futex, KADDR, FUTEX_WAIT_PRIVATE, 0, NULL, 0, 0));
	show("futex_wait_bitset_efault", SYS(SYS_futex, NULL, FUTEX_WAIT_BITSET, 0, NULL, 0, FUTEX_BITSET_MATCH_ANY));
	show("futex_wake_private_bad_ptr", SYS(SYS_futex, NULL, FUTEX_WAKE_PRIVATE, 1, NULL, 0, 0));
	show("futex_wake_shared_efault", SYS(SYS_futex, NULL, FUTEX_WAKE, 1, NULL, 0, 0));
	{
		/* an unmapped page */
		char *p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		munmap(p, PG);
		show("futex_wait_unmapped", SYS(SYS_futex, p, FUTEX_WAIT_PRIVATE, 0, NULL, 0, 0));
		show("futex_wake_shared_unmapped", SYS(SYS_futex, p, FUTEX_WAKE, 1, NULL, 0, 0));
		/* a read-only page can be waited on */
		p = mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		show("futex_wait_readonly_mismatch", SYS(SYS_futex, p, FUTEX_WAIT_PRIVATE, 1, NULL, 0, 0));
		munmap(p, PG);
	}

	/* unknown operations and a clock flag on WAKE */
	show("futex_op_unknown", SYS(SYS_futex, f, 99, 0, NULL, 0, 0));
	show("futex_op_unknown_private", SYS(SYS_futex, f, 99 | FUTEX_PRIVATE_FLAG, 0, NULL, 0, 0));
	show("futex_wake_clock_realtime", SYS(SYS_futex, f, FUTEX_WAKE | FUTEX_CLOCK_REALTIME, 1, NULL, 0, 0));

	/* a signal handler interrupts a wait without timeout: EINTR. (The
	 * timer must not fire before the wait starts: 100 ms is plenty.) */
	set_handler(SIGALRM, on_alarm, 0);
	alarms = 0;
	arm_timer_ms(100);
	show("futex_wait_interrupted", SYS(SYS_futex, f, FUTEX_WAIT_PRIVATE, 7, NULL, 0, 0));
	show("futex_wait_interrupted_alarms", alarms);
	alarms = 0;
	arm_timer_ms(100);
	show("futex_wait_bitset_interrupted",
	     SYS(SYS_futex, f, FUTEX_WAIT_BITSET_PRIVATE, 7, NULL, 0, FUTEX_BITSET_MATCH_ANY));
	show("futex_wait_bitset_interrupted_alarms", alarms);
	signal(SIGALRM, SIG_DFL);
}

/* ---------------------------------------------------------------------- */
/* rt_sigreturn: a handler that returns normally; the interrupted state comes
 * back from the frame */

static volatile sig_atomic_t sr_count, sr_modify;
static volatile unsigned sr_handler_mxcsr;
static volatile int sr_handler_usr1_blocked;

static void on_sigreturn_usr1(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	unsigned m;
	sigset_t cur;
	(void)sig;
	(void)si;
	sr_count++;
	__asm__ volatile("stmxcsr %0" : "=m"(m));
	sr_handler_mxcsr = m;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	sr_handler_usr1_blocked = sigismember(&cur, SIGUSR1);
	/* trash every caller-saved register the interrupted code relies on */
	__asm__ volatile(
		"mov $-1, %%rax\n\tmov $-1, %%rcx\n\tmov $-1, %%rdx\n\tmov $-1, %%rsi\n\t"
		"mov $-1, %%rdi\n\tmov $-1, %%r8\n\tmov $-1, %%r9\n\tmov $-1, %%r10\n\t"
		"mov $-1, %%r11\n\tpcmpeqd %%xmm8, %%xmm8\n\tpcmpeqd %%xmm9, %%xmm9\n\t"
		"pcmpeqd %%xmm0, %%xmm0\n\tpcmpeqd %%xmm15, %%xmm15\n\t"
		::: "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11",
		"xmm0", "xmm8", "xmm9", "xmm15", "memory");
	{
		unsigned z = 0x7f80; /* all exceptions masked, round toward zero */
		__asm__ volatile("ldmxcsr %0" ::"m"(z));
	}
	if (sr_modify) {
		uc->uc_mcontext.gregs[REG_R12] = 0x1234abcd;
		uc->uc_mcontext.gregs[REG_RAX] = 77;
		sigaddset(&uc->uc_sigmask, SIGUSR2);
	}
}

struct regsnap {
	unsigned long rax, rdi, rsi, rdx, r8, r9, r10, r12, r13, r14, r15, rbx;
	unsigned long x8[2], x9[2], x15[2];
	unsigned mxcsr;
};
_Static_assert(offsetof(struct regsnap, r8) == 32 && offsetof(struct regsnap, rbx) == 88 &&
	       offsetof(struct regsnap, x8) == 96 && offsetof(struct regsnap, x15) == 128 &&
	       offsetof(struct regsnap, mxcsr) == 144, "offsets used by the asm");

/* tgkill(tgid, tid, SIGUSR1) with known values in the registers the kernel
 * keeps across a system call; the handler runs on the way out. */
static struct regsnap sr_snap;
static const unsigned long sr_pat[6] = {
	0x0102030405060708UL, 0x1112131415161718UL, 0x2122232425262728UL,
	0x3132333435363738UL, 0x4142434445464748UL, 0x5152535455565758UL};

static void tgkill_with_pattern(struct regsnap *o)
{
	unsigned mx_in = 0x1f80 | 0x6000; /* default, but round toward zero */
	unsigned mx_default = 0x1f80;
	long rax = SYS_tgkill, rdi = tgid, rsi = tid, rdx = SIGUSR1;
	memset(&sr_snap, 0, sizeof sr_snap);
	/* only memory operands: every general register but rsp/rbp is in use */
	__asm__ volatile(
		"ldmxcsr %[mxin]\n\t"
		"movdqu %[pat], %%xmm8\n\t"
		"movdqu 16+%[pat], %%xmm9\n\t"
		"movdqu 32+%[pat], %%xmm15\n\t"
		"mov $0x8888888888888888, %%r8\n\t"
		"mov $0x9999999999999999, %%r9\n\t"
		"mov $0x1010101010101010, %%r10\n\t"
		"mov $0x1212121212121212, %%r12\n\t"
		"mov $0x1313131313131313, %%r13\n\t"
		"mov $0x1414141414141414, %%r14\n\t"
		"mov $0x1515151515151515, %%r15\n\t"
		"mov $0x0b0b0b0b0b0b0b0b, %%rbx\n\t"
		"syscall\n\t"
		"mov %%r8, 32+%[o]\n\t"
		"mov %%r9, 40+%[o]\n\t"
		"mov %%r10, 48+%[o]\n\t"
		"mov %%r12, 56+%[o]\n\t"
		"mov %%r13, 64+%[o]\n\t"
		"mov %%r14, 72+%[o]\n\t"
		"mov %%r15, 80+%[o]\n\t"
		"mov %%rbx, 88+%[o]\n\t"
		"movdqu %%xmm8, 96+%[o]\n\t"
		"movdqu %%xmm9, 112+%[o]\n\t"
		"movdqu %%xmm15, 128+%[o]\n\t"
		"stmxcsr 144+%[o]\n\t"
		"ldmxcsr %[mxdef]\n\t"
		: "+a"(rax), "+D"(rdi), "+S"(rsi), "+d"(rdx), [o] "+m"(sr_snap)
		: [pat] "m"(sr_pat), [mxin] "m"(mx_in), [mxdef] "m"(mx_default)
		: "rcx", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rbx",
		  "xmm8", "xmm9", "xmm15", "memory", "cc");
	*o = sr_snap;
	o->rax = rax;
	o->rdi = rdi;
	o->rsi = rsi;
	o->rdx = rdx;
}

static void test_sigreturn(void)
{
	struct sigaction sa;
	struct regsnap o;
	sigset_t cur;

	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_sigreturn_usr1;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);

	sr_count = 0;
	sr_modify = 0;
	memset(&o, 0, sizeof o);
	tgkill_with_pattern(&o);
	show("sigreturn_handler_ran", sr_count);
	printf("sigreturn_rax: %ld\n", (long)o.rax);
	show_bool("sigreturn_rdi", o.rdi == (unsigned long)tgid);
	show_bool("sigreturn_rsi", o.rsi == (unsigned long)tid);
	show_bool("sigreturn_rdx", o.rdx == SIGUSR1);
	show_bool("sigreturn_r8", o.r8 == 0x8888888888888888UL);
	show_bool("sigreturn_r9", o.r9 == 0x9999999999999999UL);
	show_bool("sigreturn_r10", o.r10 == 0x1010101010101010UL);
	show_bool("sigreturn_r12", o.r12 == 0x1212121212121212UL);
	show_bool("sigreturn_r13", o.r13 == 0x1313131313131313UL);
	show_bool("sigreturn_r14", o.r14 == 0x1414141414141414UL);
	show_bool("sigreturn_r15", o.r15 == 0x1515151515151515UL);
	show_bool("sigreturn_rbx", o.rbx == 0x0b0b0b0b0b0b0b0bUL);
	show_bool("sigreturn_xmm8", o.x8[0] == 0x0102030405060708UL && o.x8[1] == 0x1112131415161718UL);
	show_bool("sigreturn_xmm9", o.x9[0] == 0x2122232425262728UL && o.x9[1] == 0x3132333435363738UL);
	show_bool("sigreturn_xmm15", o.x15[0] == 0x4142434445464748UL && o.x15[1] == 0x5152535455565758UL);
	printf("sigreturn_handler_mxcsr: 0x%x\n", sr_handler_mxcsr);
	printf("sigreturn_mxcsr_restored: 0x%x\n", o.mxcsr);
	show("sigreturn_handler_usr1_blocked", sr_handler_usr1_blocked);
	sigprocmask(SIG_BLOCK, NULL, &cur);
	show("sigreturn_usr1_unblocked_after", !sigismember(&cur, SIGUSR1));

	/* the handler edits the frame: sigreturn takes its registers and mask */
	sr_count = 0;
	sr_modify = 1;
	memset(&o, 0, sizeof o);
	tgkill_with_pattern(&o);
	show("sigreturn_modified_handler_ran", sr_count);
	printf("sigreturn_modified_rax: %ld\n", (long)o.rax);
	printf("sigreturn_modified_r12: 0x%lx\n", o.r12);
	show_bool("sigreturn_modified_r13_kept", o.r13 == 0x1313131313131313UL);
	sigprocmask(SIG_BLOCK, NULL, &cur);
	show("sigreturn_modified_mask_usr2_blocked", sigismember(&cur, SIGUSR2));
	show("sigreturn_modified_mask_usr1_blocked", sigismember(&cur, SIGUSR1));
	sr_modify = 0;
	sigemptyset(&cur);
	sigaddset(&cur, SIGUSR2);
	sigprocmask(SIG_UNBLOCK, &cur, NULL);
	signal(SIGUSR1, SIG_DFL);
}

/* ---------------------------------------------------------------------- */
/* rt_sigsuspend */

static volatile sig_atomic_t usr1_count, usr2_count;
static volatile int usr1_saw_usr2_blocked, usr1_saw_usr1_blocked, usr1_saw_alrm_blocked;
static volatile int last_code, last_value, last_signo;

static void on_usr1_info(int sig, siginfo_t *si, void *uc)
{
	sigset_t cur;
	(void)sig;
	(void)uc;
	usr1_count++;
	last_signo = si->si_signo;
	last_code = si->si_code;
	last_value = si->si_value.sival_int;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	usr1_saw_usr1_blocked = sigismember(&cur, SIGUSR1);
	usr1_saw_usr2_blocked = sigismember(&cur, SIGUSR2);
	usr1_saw_alrm_blocked = sigismember(&cur, SIGALRM);
}

static void on_usr2(int sig)
{
	(void)sig;
	usr2_count++;
}

static void block1(int how, int sig)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, sig);
	sigprocmask(how, &s, NULL);
}

static int is_blocked(int sig)
{
	sigset_t cur;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	return sigismember(&cur, sig);
}

static int is_pending(int sig)
{
	sigset_t p;
	sigpending(&p);
	return sigismember(&p, sig);
}

static void test_sigsuspend(void)
{
	struct sigaction sa;
	uint64_t mask;

	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_usr1_info;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	set_handler(SIGUSR2, on_usr2, 0);
	set_handler(SIGALRM, on_alarm, 0);

	/* a pending blocked signal: sigsuspend with a mask that lets it in */
	block1(SIG_BLOCK, SIGUSR1);
	raise(SIGUSR1);
	usr1_count = 0;
	mask = 1ULL << (SIGUSR2 - 1);
	show("sigsuspend_pending", SYS(SYS_rt_sigsuspend, &mask, 8));
	show("sigsuspend_pending_handler_ran", usr1_count);
	show("sigsuspend_handler_saw_suspend_mask_usr2", usr1_saw_usr2_blocked);
	show("sigsuspend_handler_saw_own_signal_blocked", usr1_saw_usr1_blocked);
	show("sigsuspend_mask_restored_usr1_blocked", is_blocked(SIGUSR1));
	show("sigsuspend_mask_restored_usr2_unblocked", !is_blocked(SIGUSR2));

	/* waits for a signal that arrives later */
	alarms = 0;
	usr1_count = 0;
	mask = 0;
	block1(SIG_BLOCK, SIGALRM);
	arm_timer_ms(20);
	show("sigsuspend_waits_for_alarm", SYS(SYS_rt_sigsuspend, &mask, 8));
	show("sigsuspend_waits_for_alarm_count", alarms);
	show("sigsuspend_alarm_blocked_again", is_blocked(SIGALRM));
	block1(SIG_UNBLOCK, SIGALRM);

	/* a signal still blocked by the suspend mask stays pending; a later
	 * one that is let in ends the wait */
	raise(SIGUSR1); /* blocked, and the suspend mask keeps it blocked */
	alarms = 0;
	usr1_count = 0;
	mask = 1ULL << (SIGUSR1 - 1);
	block1(SIG_BLOCK, SIGALRM); /* pending until sigsuspend lets it in */
	arm_timer_ms(20);
	show("sigsuspend_keeps_masked_pending", SYS(SYS_rt_sigsuspend, &mask, 8));
	block1(SIG_UNBLOCK, SIGALRM);
	show("sigsuspend_keeps_masked_alarm_count", alarms);
	show("sigsuspend_keeps_masked_usr1_count", usr1_count);
	show("sigsuspend_keeps_masked_usr1_pending", is_pending(SIGUSR1));
	/* and the mask also holds the other pending one off */
	block1(SIG_UNBLOCK, SIGUSR1);
	show("sigsuspend_unblocked_usr1_count", usr1_count);

	/* errors */
	mask = 0;
	show("sigsuspend_size_4", SYS(SYS_rt_sigsuspend, &mask, 4));
	show("sigsuspend_size_16", SYS(SYS_rt_sigsuspend, &mask, 16));
	show("sigsuspend_size_0", SYS(SYS_rt_sigsuspend, &mask, 0));
	show("sigsuspend_efault", SYS(SYS_rt_sigsuspend, BADPTR1, 8));
	show("sigsuspend_efault_kernel", SYS(SYS_rt_sigsuspend, KADDR, 8));
	signal(SIGALRM, SIG_DFL);
}

/* ---------------------------------------------------------------------- */
/* rt_sigtimedwait */

static long tw(uint64_t set, siginfo_t *info, const struct timespec *ts)
{
	return SYS(SYS_rt_sigtimedwait, &set, info, ts, 8);
}

static void test_sigtimedwait(void)
{
	siginfo_t si;
	struct timespec ts = {0, 0};
	const uint64_t U1 = 1ULL << (SIGUSR1 - 1), U2 = 1ULL << (SIGUSR2 - 1);
	const uint64_t RT = 1ULL << (SIGRTMIN + 2 - 1);
	long long t0, el;

	usr1_count = usr2_count = 0;
	block1(SIG_BLOCK, SIGUSR1);
	block1(SIG_BLOCK, SIGUSR2);
	block1(SIG_BLOCK, SIGRTMIN + 2);

	/* a pending blocked signal is taken, with its siginfo */
	raise(SIGUSR1);
	memset(&si, 0, sizeof si);
	show("sigtimedwait_pending", tw(U1, &si, NULL));
	show("sigtimedwait_pending_signo", si.si_signo);
	printf("sigtimedwait_pending_code: %d\n", si.si_code);
	show_bool("sigtimedwait_pending_pid_self", si.si_pid == tgid);
	show("sigtimedwait_pending_taken", is_pending(SIGUSR1));
	show("sigtimedwait_pending_no_handler", usr1_count);

	/* lowest number first; NULL info */
	raise(SIGUSR2);
	raise(SIGUSR1);
	show("sigtimedwait_lowest_first", tw(U1 | U2, NULL, &ts));
	show("sigtimedwait_then_next", tw(U1 | U2, NULL, &ts));
	show("sigtimedwait_then_empty", tw(U1 | U2, NULL, &ts));

	/* realtime signals queue, in order, with their values */
	{
		union sigval v;
		v.sival_int = 11;
		sigqueue(tgid, SIGRTMIN + 2, v);
		v.sival_int = 22;
		sigqueue(tgid, SIGRTMIN + 2, v);
		memset(&si, 0, sizeof si);
		show_bool("sigtimedwait_rt_first", tw(RT, &si, &ts) == SIGRTMIN + 2);
		printf("sigtimedwait_rt_first_value: %d code: %d\n", si.si_value.sival_int, si.si_code);
		memset(&si, 0, sizeof si);
		show_bool("sigtimedwait_rt_second", tw(RT, &si, &ts) == SIGRTMIN + 2);
		printf("sigtimedwait_rt_second_value: %d\n", si.si_value.sival_int);
		show("sigtimedwait_rt_drained", tw(RT, &si, &ts));
	}

	/* nothing pending: the timeout runs out */
	ts.tv_sec = 0;
	ts.tv_nsec = 20000000;
	t0 = mono_ns();
	show("sigtimedwait_timeout", tw(U1, &si, &ts));
	el = mono_ns() - t0;
	show_bool("sigtimedwait_timeout_waited_20ms", el >= 20000000LL);
	show_bool("sigtimedwait_timeout_under_5s", el < 5000000000LL);
	ts.tv_nsec = 0;
	show("sigtimedwait_zero_timeout", tw(U1, &si, &ts));
	/* SIGKILL and SIGSTOP cannot be waited for: dropped from the set */
	show("sigtimedwait_sigkill_only", tw(1ULL << (SIGKILL - 1), &si, &ts));

	/* a signal that arrives during the wait */
	block1(SIG_BLOCK, SIGALRM);
	arm_timer_ms(20);
	ts.tv_sec = 5;
	memset(&si, 0, sizeof si);
	show("sigtimedwait_arrives", tw(1ULL << (SIGALRM - 1), &si, &ts));
	printf("sigtimedwait_arrives_code: %d\n", si.si_code);
	block1(SIG_UNBLOCK, SIGALRM);

	/* another signal with a handler interrupts the wait (100 ms: the timer
	 * must not fire before the wait starts) */
	set_handler(SIGALRM, on_alarm, 0);
	alarms = 0;
	arm_timer_ms(100);
	show("sigtimedwait_interrupted", tw(U1, &si, &ts));
	show("sigtimedwait_interrupted_alarms", alarms);
	signal(SIGALRM, SIG_DFL);

	/* errors */
	ts.tv_sec = 0;
	ts.tv_nsec = 0;
	{
		uint64_t set[2] = {U1, 0};
		show("sigtimedwait_size_4", SYS(SYS_rt_sigtimedwait, set, &si, &ts, 4));
		show("sigtimedwait_size_16", SYS(SYS_rt_sigtimedwait, set, &si, &ts, 16));
		show("sigtimedwait_size_0", SYS(SYS_rt_sigtimedwait, set, &si, &ts, 0));
		show("sigtimedwait_efault_set", SYS(SYS_rt_sigtimedwait, BADPTR1, &si, &ts, 8));
		show("sigtimedwait_efault_timeout", SYS(SYS_rt_sigtimedwait, set, &si, BADPTR1, 8));
		ts.tv_nsec = 1000000000;
		show("sigtimedwait_bad_nsec", SYS(SYS_rt_sigtimedwait, set, &si, &ts, 8));
		ts.tv_sec = -1;
		ts.tv_nsec = 0;
		show("sigtimedwait_negative_timeout", SYS(SYS_rt_sigtimedwait, set, &si, &ts, 8));
		/* with a signal pending, Linux still checks the size, the set and
		 * the timeout first */
		raise(SIGUSR1);
		show("sigtimedwait_pending_size_16", SYS(SYS_rt_sigtimedwait, set, &si, NULL, 16));
		ts.tv_sec = 0;
		ts.tv_nsec = 1000000000;
		show("sigtimedwait_pending_bad_nsec", SYS(SYS_rt_sigtimedwait, set, &si, &ts, 8));
		show("sigtimedwait_pending_efault_timeout", SYS(SYS_rt_sigtimedwait, set, &si, BADPTR1, 8));
		show("sigtimedwait_pending_still_pending", is_pending(SIGUSR1));
		/* (so that one difference above does not spill into the rest) */
		if (!is_pending(SIGUSR1))
			raise(SIGUSR1);
		/* a bad info pointer: the signal is taken, then EFAULT */
		ts.tv_sec = 0;
		ts.tv_nsec = 0;
		show("sigtimedwait_pending_efault_info", SYS(SYS_rt_sigtimedwait, set, BADPTR1, &ts, 8));
		show("sigtimedwait_efault_info_consumed", is_pending(SIGUSR1));
	}
	block1(SIG_UNBLOCK, SIGUSR1);
	block1(SIG_UNBLOCK, SIGUSR2);
	block1(SIG_UNBLOCK, SIGRTMIN + 2);
	show("sigtimedwait_no_handler_ran", usr1_count + usr2_count);
}

/* ---------------------------------------------------------------------- */
/* rt_tgsigqueueinfo */

static void test_tgsigqueueinfo(void)
{
	siginfo_t si, got;
	struct timespec zero = {0, 0};
	uint64_t U1 = 1ULL << (SIGUSR1 - 1);

	memset(&si, 0, sizeof si);
	si.si_signo = SIGUSR1;
	si.si_code = SI_QUEUE;
	si.si_pid = tgid;
	si.si_uid = getuid();
	si.si_value.sival_int = 4242;

	/* delivered to the handler */
	usr1_count = 0;
	last_code = last_value = last_signo = 0;
	show("tgsigqueueinfo_self", SYS(SYS_rt_tgsigqueueinfo, tgid, tid, SIGUSR1, &si));
	show("tgsigqueueinfo_self_count", usr1_count);
	show("tgsigqueueinfo_self_signo", last_signo);
	printf("tgsigqueueinfo_self_code: %d\n", last_code);
	show("tgsigqueueinfo_self_value", last_value);

	/* blocked: pending, then taken by sigtimedwait with the same siginfo */
	block1(SIG_BLOCK, SIGUSR1);
	si.si_value.sival_int = 77;
	show("tgsigqueueinfo_blocked", SYS(SYS_rt_tgsigqueueinfo, tgid, tid, SIGUSR1, &si));
	show("tgsigqueueinfo_blocked_pending", is_pending(SIGUSR1));
	memset(&got, 0, sizeof got);
	show("tgsigqueueinfo_blocked_taken", tw(U1, &got, &zero));
	printf("tgsigqueueinfo_blocked_code: %d value: %d\n", got.si_code, got.si_value.sival_int);
	show_bool("tgsigqueueinfo_blocked_pid_as_given", got.si_pid == tgid);

	/* si_signo in the struct says something else: the signal is the argument */
	si.si_signo = SIGUSR2;
	si.si_value.sival_int = 5;
	show("tgsigqueueinfo_signo_mismatch", SYS(SYS_rt_tgsigqueueinfo, tgid, tid, SIGUSR1, &si));
	show("tgsigqueueinfo_signo_mismatch_usr1_pending", is_pending(SIGUSR1));
	show("tgsigqueueinfo_signo_mismatch_usr2_pending", is_pending(SIGUSR2));
	memset(&got, 0, sizeof got);
	show("tgsigqueueinfo_signo_mismatch_taken", tw(U1, &got, &zero));
	printf("tgsigqueueinfo_signo_mismatch_info_signo: %d\n", got.si_signo);
	si.si_signo = SIGUSR1;

	/* a non-negative si_code is allowed when signalling oneself */
	si.si_code = SI_USER;
	show("tgsigqueueinfo_si_user_self", SYS(SYS_rt_tgsigqueueinfo, tgid, tid, SIGUSR1, &si));
	show("tgsigqueueinfo_si_user_taken", tw(U1, NULL, &zero));
	si.si_code = SI_QUEUE;

	/* signal 0: only checks */
	show("tgsigqueueinfo_sig0", SYS(SYS_rt_tgsigqueueinfo, tgid, tid, 0, &si));
	show("tgsigqueueinfo_sig0_nothing_pending", is_pending(SIGUSR1));

	/* errors */
	show("tgsigqueueinfo_tgid0", SYS(SYS_rt_tgsigqueueinfo, 0, tid, SIGUSR1, &si));
	show("tgsigqueueinfo_tid0", SYS(SYS_rt_tgsigqueueinfo, tgid, 0, SIGUSR1, &si));
	show("tgsigqueueinfo_tid_neg", SYS(SYS_rt_tgsigqueueinfo, tgid, -1, SIGUSR1, &si));
	show("tgsigqueueinfo_tgid_neg", SYS(SYS_rt_tgsigqueueinfo, -1, tid, SIGUSR1, &si));
	show("tgsigqueueinfo_sig65", SYS(SYS_rt_tgsigqueueinfo, tgid, tid, 65, &si));
	show("tgsigqueueinfo_sig_neg", SYS(SYS_rt_tgsigqueueinfo, tgid, tid, -1, &si));
	show("tgsigqueueinfo_efault", SYS(SYS_rt_tgsigqueueinfo, tgid, tid, SIGUSR1, BADPTR1));
	show("tgsigqueueinfo_efault_before_einval", SYS(SYS_rt_tgsigqueueinfo, 0, 0, SIGUSR1, BADPTR1));
	show("tgsigqueueinfo_no_tid", SYS(SYS_rt_tgsigqueueinfo, tgid, 999999, SIGUSR1, &si));
	show("tgsigqueueinfo_wrong_tgid", SYS(SYS_rt_tgsigqueueinfo, 999999, tid, SIGUSR1, &si));
	show("tgsigqueueinfo_no_tid_sig65", SYS(SYS_rt_tgsigqueueinfo, tgid, 999999, 65, &si));
	show("tgsigqueueinfo_errors_nothing_pending", is_pending(SIGUSR1));
	block1(SIG_UNBLOCK, SIGUSR1);
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
}

/* ---------------------------------------------------------------------- */
/* mlock, munlock, mlock2, mlockall, munlockall (as root) */

static char *mlock_area;

static void test_mlock_root(void)
{
	char *p = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mlock_area = p;
	show("mlock_one_page", SYS(SYS_mlock, p, PG));
	p[0] = 1;
	show("munlock_one_page", SYS(SYS_munlock, p, PG));
	show("mlock_unaligned", SYS(SYS_mlock, p + 1, 10));
	show("munlock_unaligned", SYS(SYS_munlock, p + 1, 10));
	show("mlock_len0", SYS(SYS_mlock, p, 0));
	show("munlock_len0", SYS(SYS_munlock, p, 0));
	show("mlock_all_four", SYS(SYS_mlock, p, 4 * PG));
	show("mlock_again", SYS(SYS_mlock, p, 4 * PG));
	show("munlock_all_four", SYS(SYS_munlock, p, 4 * PG));
	show("munlock_not_locked", SYS(SYS_munlock, p, 4 * PG));
	show("mlock_wraps", SYS(SYS_mlock, p, -2 * PG));
	show("munlock_wraps", SYS(SYS_munlock, p, -2 * PG));
	show("mlock_kernel", SYS(SYS_mlock, KADDR, PG));
	show("mlock_null", SYS(SYS_mlock, NULL, PG));

	/* a hole: ENOMEM */
	munmap(p + 3 * PG, PG);
	show("mlock_unmapped", SYS(SYS_mlock, p + 3 * PG, PG));
	show("mlock_spans_hole", SYS(SYS_mlock, p, 4 * PG));
	show("munlock_unmapped", SYS(SYS_munlock, p + 3 * PG, PG));
	show("munlock_spans_hole", SYS(SYS_munlock, p, 4 * PG));
	show("mlock2_unmapped", SYS(SYS_mlock2, p + 3 * PG, PG, 0));

	/* PROT_NONE memory can be locked (nothing is faulted in) */
	mprotect(p + 2 * PG, PG, PROT_NONE);
	show("mlock_prot_none", SYS(SYS_mlock, p + 2 * PG, PG));
	show("munlock_prot_none", SYS(SYS_munlock, p + 2 * PG, PG));
	mprotect(p + 2 * PG, PG, PROT_READ | PROT_WRITE);

	show("mlock2_zero_flags", SYS(SYS_mlock2, p, PG, 0));
	show("mlock2_onfault", SYS(SYS_mlock2, p + PG, PG, MLOCK_ONFAULT));
	show("mlock2_bad_flags", SYS(SYS_mlock2, p, PG, 2));
	show("mlock2_bad_flags_high", SYS(SYS_mlock2, p, PG, 0x80000001L));
	show("mlock2_bad_flags_unmapped", SYS(SYS_mlock2, p + 3 * PG, PG, 2));
	show("munlock_after_mlock2", SYS(SYS_munlock, p, 2 * PG));

	show("mlockall_current", SYS(SYS_mlockall, MCL_CURRENT));
	show("munlockall", SYS(SYS_munlockall));
	show("mlockall_current_future", SYS(SYS_mlockall, MCL_CURRENT | MCL_FUTURE));
	{
		/* with MCL_FUTURE new mappings are locked too */
		char *q = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		show_ptr("mmap_under_mcl_future", q);
		munmap(q, PG);
	}
	show("munlockall_2", SYS(SYS_munlockall));
	show("mlockall_future_onfault", SYS(SYS_mlockall, MCL_FUTURE | MCL_ONFAULT));
	show("munlockall_3", SYS(SYS_munlockall));
	show("mlockall_zero", SYS(SYS_mlockall, 0));
	show("mlockall_onfault_alone", SYS(SYS_mlockall, MCL_ONFAULT));
	show("mlockall_bad_bit", SYS(SYS_mlockall, MCL_CURRENT | 8));
	show("mlockall_negative", SYS(SYS_mlockall, -1));
	show("munlockall_again", SYS(SYS_munlockall));

	/* the memory lock limit does not apply to root (CAP_IPC_LOCK). The
	 * hard limit is only ever lowered: the host's root may lack
	 * CAP_SYS_RESOURCE. */
	{
		struct rlimit rl = {0, 2 * PG};
		show("setrlimit_memlock_0_hard_2_pages", setrlimit(RLIMIT_MEMLOCK, &rl));
		show("mlock_root_limit_0", SYS(SYS_mlock, p, 2 * PG));
		show("munlock_root_limit_0", SYS(SYS_munlock, p, 2 * PG));
	}
}

/* as an unprivileged user: RLIMIT_MEMLOCK counts */
static void test_mlock_user(void)
{
	char *p = mlock_area;
	struct rlimit rl;
	/* limit 0 and no CAP_IPC_LOCK: no locking at all */
	show("user_mlock_limit_0", SYS(SYS_mlock, p, PG));
	show("user_mlock2_limit_0", SYS(SYS_mlock2, p, PG, 0));
	show("user_mlockall_limit_0", SYS(SYS_mlockall, MCL_CURRENT));
	show("user_munlock_limit_0", SYS(SYS_munlock, p, PG));
	show("user_munlockall_limit_0", SYS(SYS_munlockall));
	/* the soft limit may go up to the hard limit (two pages), no further */
	rl.rlim_cur = 2 * PG;
	rl.rlim_max = 3 * PG;
	show("user_setrlimit_memlock_raise_hard", setrlimit(RLIMIT_MEMLOCK, &rl));
	rl.rlim_max = 2 * PG;
	show("user_setrlimit_memlock_2_pages", setrlimit(RLIMIT_MEMLOCK, &rl));
	show("user_mlock_within_limit", SYS(SYS_mlock, p, PG));
	show("user_mlock_over_limit", SYS(SYS_mlock, p, 3 * PG));
	show("user_mlock2_over_limit", SYS(SYS_mlock2, p, 3 * PG, MLOCK_ONFAULT));
	show("user_mlock_up_to_limit", SYS(SYS_mlock, p, 2 * PG));
	show("user_mlockall_over_limit", SYS(SYS_mlockall, MCL_CURRENT));
	show("user_munlock", SYS(SYS_munlock, p, 2 * PG));
	show("user_munlockall", SYS(SYS_munlockall));
}

/* ---------------------------------------------------------------------- */
/* setpgid, setsid */

static void test_session(void)
{
	long pid = tgid;
	long was_session_leader = SYS(SYS_getsid, 0) == pid;
	long was_group_leader = SYS(SYS_getpgid, 0) == pid;
	long r;
	int e;

	/* natively neither (node spawned us into its own group); under tsvisor
	 * pid 1 leads its session and group; either way the two go together */
	show_bool("session_leader_is_group_leader", was_session_leader == was_group_leader);

	show("setpgid_negative_pgid", SYS(SYS_setpgid, 0, -1));
	show("setpgid_nopid", SYS(SYS_setpgid, 999999, 0));
	show("setpgid_nopid_negative_pgid", SYS(SYS_setpgid, 999999, -1));
	show("setpgid_no_such_group", SYS(SYS_setpgid, 0, 999999));

	/*
	 * joining the group we are in: allowed unless we lead a session. A group
	 * led from outside our pid namespace (CI containers) reads as 0, and
	 * setpgid(0, 0) would make a new group instead, so that case is skipped.
	 */
	long pgid = SYS(SYS_getpgid, 0);
	r = pgid ? SYS(SYS_setpgid, 0, pgid) : (errno = 0, 0);
	e = errno;
	show_bool("setpgid_same_group_ok_or_session_leader_eperm",
		  was_session_leader ? (r == -1 && e == EPERM) : r == 0);

	/* setsid: a new session and group led by us, unless we lead a group */
	r = SYS(SYS_setsid);
	e = errno;
	show_bool("setsid_ok_or_group_leader_eperm",
		  was_group_leader ? (r == -1 && e == EPERM) : r == pid);

	/* now, in both worlds, the leader of our own session and group */
	show_bool("getsid_is_self", SYS(SYS_getsid, 0) == pid);
	show_bool("getpgid_is_self", SYS(SYS_getpgid, 0) == pid);
	show_bool("getpgrp_is_self", SYS(SYS_getpgrp) == pid);
	show("setsid_as_group_leader", SYS(SYS_setsid));
	show("setsid_again", SYS(SYS_setsid));
	show("setpgid_session_leader_self", SYS(SYS_setpgid, 0, 0));
	show("setpgid_session_leader_own_pid", SYS(SYS_setpgid, pid, pid));
	show("setpgid_session_leader_pid_arg", SYS(SYS_setpgid, pid, 0));
	show("setpgid_session_leader_negative", SYS(SYS_setpgid, 0, -1));
	show_bool("getsid_still_self", SYS(SYS_getsid, 0) == pid);
	show_bool("getpgid_still_self", SYS(SYS_getpgid, pid) == pid);
}

/* ---------------------------------------------------------------------- */
/* sched_setscheduler */

static long setsched(long pid, long policy, int prio)
{
	struct sched_param sp;
	sp.sched_priority = prio;
	return SYS(SYS_sched_setscheduler, pid, policy, &sp);
}

static void test_sched_root(void)
{
	show("sched_setscheduler_other", setsched(0, SCHED_OTHER, 0));
	show("sched_getscheduler_other", SYS(SYS_sched_getscheduler, 0));
	show("sched_setscheduler_batch", setsched(0, SCHED_BATCH, 0));
	show("sched_getscheduler_batch", SYS(SYS_sched_getscheduler, 0));
	show("sched_setscheduler_idle", setsched(0, SCHED_IDLE, 0));
	show("sched_getscheduler_idle", SYS(SYS_sched_getscheduler, 0));
	show("sched_setscheduler_other_pid", setsched(tgid, SCHED_OTHER, 0));
	show("sched_getscheduler_other_again", SYS(SYS_sched_getscheduler, 0));
	show("sched_setscheduler_reset_on_fork", setsched(0, SCHED_OTHER | SCHED_RESET_ON_FORK, 0));
	show("sched_getscheduler_reset_on_fork", SYS(SYS_sched_getscheduler, 0));
	show("sched_setscheduler_clear_reset_on_fork", setsched(0, SCHED_OTHER, 0));
	show("sched_getscheduler_cleared", SYS(SYS_sched_getscheduler, 0));
	{
		struct sched_param sp = {99};
		show("sched_getparam_after", SYS(SYS_sched_getparam, 0, &sp));
		show("sched_getparam_after_prio", sp.sched_priority);
	}

	show("sched_setscheduler_other_prio1", setsched(0, SCHED_OTHER, 1));
	show("sched_setscheduler_batch_prio1", setsched(0, SCHED_BATCH, 1));
	show("sched_setscheduler_idle_prio_neg", setsched(0, SCHED_IDLE, -1));
	show("sched_setscheduler_fifo_prio0", setsched(0, SCHED_FIFO, 0));
	show("sched_setscheduler_rr_prio100", setsched(0, SCHED_RR, 100));
	show("sched_setscheduler_deadline", setsched(0, 6, 0));
	show("sched_setscheduler_bad_policy", setsched(0, 99, 0));
	show("sched_setscheduler_negative_policy", setsched(0, -1, 0));
	show("sched_setscheduler_negative_pid", setsched(-1, SCHED_OTHER, 0));
	show("sched_setscheduler_nopid", setsched(999999, SCHED_OTHER, 0));
	show("sched_setscheduler_null_param", SYS(SYS_sched_setscheduler, 0, SCHED_OTHER, NULL));
	show("sched_setscheduler_efault", SYS(SYS_sched_setscheduler, 0, SCHED_OTHER, BADPTR1));
	/* Linux checks the parameter before it looks the pid up */
	show("sched_setscheduler_nopid_null_param", SYS(SYS_sched_setscheduler, 999999, SCHED_OTHER, NULL));
	show("sched_setscheduler_nopid_efault", SYS(SYS_sched_setscheduler, 999999, SCHED_OTHER, BADPTR1));
	show("sched_getscheduler_unchanged", SYS(SYS_sched_getscheduler, 0));
}

static void test_sched_user(void)
{
	show("user_sched_setscheduler_fifo", setsched(0, SCHED_FIFO, 1));
	show("user_sched_setscheduler_rr", setsched(0, SCHED_RR, 50));
	show("user_sched_setscheduler_other", setsched(0, SCHED_OTHER, 0));
	show("user_sched_setscheduler_batch", setsched(0, SCHED_BATCH, 0));
	show("user_sched_getscheduler_batch", SYS(SYS_sched_getscheduler, 0));
	show("user_sched_setscheduler_idle", setsched(0, SCHED_IDLE, 0));
	/* leaving SCHED_IDLE needs RLIMIT_NICE to allow the current nice value */
	show("user_sched_setscheduler_leave_idle", setsched(0, SCHED_OTHER, 0));
	show("user_sched_getscheduler_still_idle", SYS(SYS_sched_getscheduler, 0));
}

/* ---------------------------------------------------------------------- */
/* setpriority, getpriority (after setsid: our process group is us alone) */

static void test_priority_root(void)
{
	long prio = SYS(SYS_getpriority, PRIO_PROCESS, 0);
	show_bool("getpriority_initial_in_range", prio >= 1 && prio <= 40);
	show("setpriority_5", SYS(SYS_setpriority, PRIO_PROCESS, 0, 5));
	show("getpriority_5", SYS(SYS_getpriority, PRIO_PROCESS, 0));
	printf("getpriority_5_glibc: %d\n", getpriority(PRIO_PROCESS, 0));
	show("setpriority_lower_root", SYS(SYS_setpriority, PRIO_PROCESS, 0, -5));
	show("getpriority_minus5", SYS(SYS_getpriority, PRIO_PROCESS, 0));
	show("setpriority_clamp_high", SYS(SYS_setpriority, PRIO_PROCESS, 0, 100));
	show("getpriority_clamped_19", SYS(SYS_getpriority, PRIO_PROCESS, 0));
	show("setpriority_clamp_low", SYS(SYS_setpriority, PRIO_PROCESS, 0, -100));
	show("getpriority_clamped_minus20", SYS(SYS_getpriority, PRIO_PROCESS, 0));
	show("setpriority_by_pid", SYS(SYS_setpriority, PRIO_PROCESS, tgid, 3));
	show("getpriority_by_pid", SYS(SYS_getpriority, PRIO_PROCESS, tgid));
	if (SYS(SYS_getpgid, 0) != tgid) {
		/* never renice a process group we share (natively: node's) */
		printf("setpriority_pgrp: skipped, not our own process group\n");
		return;
	}
	show("setpriority_pgrp", SYS(SYS_setpriority, PRIO_PGRP, 0, 7));
	show("getpriority_pgrp", SYS(SYS_getpriority, PRIO_PGRP, 0));
	show("getpriority_after_pgrp", SYS(SYS_getpriority, PRIO_PROCESS, 0));
	show("setpriority_pgrp_by_id", SYS(SYS_setpriority, PRIO_PGRP, tgid, 2));
	show("getpriority_pgrp_by_id", SYS(SYS_getpriority, PRIO_PGRP, tgid));
	show("setpriority_0", SYS(SYS_setpriority, PRIO_PROCESS, 0, 0));
	show("getpriority_0", SYS(SYS_getpriority, PRIO_PROCESS, 0));

	show("setpriority_bad_which", SYS(SYS_setpriority, 3, 0, 0));
	show("getpriority_bad_which", SYS(SYS_getpriority, -1, 0));
	show("setpriority_nopid", SYS(SYS_setpriority, PRIO_PROCESS, 999999, 0));
	show("getpriority_nopid", SYS(SYS_getpriority, PRIO_PROCESS, 999999));
	show("setpriority_negative_pid", SYS(SYS_setpriority, PRIO_PROCESS, -1, 0));
	show("setpriority_no_pgrp", SYS(SYS_setpriority, PRIO_PGRP, 999999, 0));
	show("getpriority_no_pgrp", SYS(SYS_getpriority, PRIO_PGRP, 999999));
	show("getpriority_no_user", SYS(SYS_getpriority, PRIO_USER, 123456789));
	show("setpriority_no_user", SYS(SYS_setpriority, PRIO_USER, 123456789, 0));

	/* set the limits the unprivileged part checks against */
	{
		/* limits are only lowered: the host's root may lack
		 * CAP_SYS_RESOURCE */
		struct rlimit rl = {0, 0};
		show("setrlimit_nice_0", setrlimit(RLIMIT_NICE, &rl));
		show("setrlimit_rtprio_0", setrlimit(RLIMIT_RTPRIO, &rl));
	}
	show("setpriority_start_user_at_5", SYS(SYS_setpriority, PRIO_PROCESS, 0, 5));
}

static void test_priority_user(void)
{
	show("user_setpriority_raise_nice", SYS(SYS_setpriority, PRIO_PROCESS, 0, 10));
	show("user_getpriority_10", SYS(SYS_getpriority, PRIO_PROCESS, 0));
	show("user_setpriority_same", SYS(SYS_setpriority, PRIO_PROCESS, 0, 10));
	show("user_setpriority_lower_nice", SYS(SYS_setpriority, PRIO_PROCESS, 0, 5));
	show("user_getpriority_still_10", SYS(SYS_getpriority, PRIO_PROCESS, 0));
	show("user_setpriority_lower_pgrp", SYS(SYS_setpriority, PRIO_PGRP, 0, -1));
	show("user_setpriority_clamp_high", SYS(SYS_setpriority, PRIO_PROCESS, 0, 50));
	show("user_getpriority_19", SYS(SYS_getpriority, PRIO_PROCESS, 0));
}

/* ---------------------------------------------------------------------- */
/* sethostname, setdomainname */

static void show_uts(const char *name)
{
	struct utsname u;
	memset(&u, 0, sizeof u);
	SYS(SYS_uname, &u);
	char buf[128];
	snprintf(buf, sizeof buf, "%s_nodename", name);
	show_str(buf, u.nodename);
	snprintf(buf, sizeof buf, "%s_domainname", name);
	show_str(buf, u.domainname);
}

static void test_uts_root(void)
{
	char long64[65], long65[66];
	memset(long64, 'h', 64);
	long64[64] = 0;
	memset(long65, 'x', 65);
	long65[65] = 0;

	show("sethostname", SYS(SYS_sethostname, "tsvisor-procs", 13));
	show("setdomainname", SYS(SYS_setdomainname, "procs.example", 13));
	show_uts("uts_set");
	show("sethostname_prefix", SYS(SYS_sethostname, "abcdef", 3));
	show("setdomainname_prefix", SYS(SYS_setdomainname, "uvwxyz", 4));
	show_uts("uts_prefix");
	show("sethostname_64", SYS(SYS_sethostname, long64, 64));
	show("setdomainname_64", SYS(SYS_setdomainname, long64, 64));
	show_uts("uts_64");
	show("sethostname_embedded_nul", SYS(SYS_sethostname, "ab\0cd", 5));
	show_uts("uts_nul");
	show("sethostname_empty", SYS(SYS_sethostname, NULL, 0));
	show("setdomainname_empty", SYS(SYS_setdomainname, "", 0));
	show_uts("uts_empty");
	show("sethostname_65", SYS(SYS_sethostname, long65, 65));
	show("setdomainname_65", SYS(SYS_setdomainname, long65, 65));
	show("sethostname_negative", SYS(SYS_sethostname, "a", -1));
	show("setdomainname_negative", SYS(SYS_setdomainname, "a", -1));
	show("sethostname_efault", SYS(SYS_sethostname, BADPTR1, 5));
	show("setdomainname_efault", SYS(SYS_setdomainname, KADDR, 5));
	show_uts("uts_after_errors");
	show("sethostname_final", SYS(SYS_sethostname, "sandbox", 7));
	show("setdomainname_final", SYS(SYS_setdomainname, "local", 5));
	{
		char hn[65] = "";
		show("gethostname", gethostname(hn, sizeof hn));
		show_str("gethostname_value", hn);
	}
}

static void test_uts_user(void)
{
	show("user_sethostname", SYS(SYS_sethostname, "nope", 4));
	show("user_setdomainname", SYS(SYS_setdomainname, "nope", 4));
	show("user_sethostname_65", SYS(SYS_sethostname, "nope", 65));
	show("user_setdomainname_efault", SYS(SYS_setdomainname, BADPTR1, 4));
	show_uts("user_uts_unchanged");
}

/* ---------------------------------------------------------------------- */
/* ids */

static void test_ids_root(void)
{
	unsigned g[4] = {7, 5, 6, 5};

	show("setgroups_empty", SYS(SYS_setgroups, 0, NULL));
	show_groups("getgroups_empty");
	show("setgroups_three", SYS(SYS_setgroups, 3, g + 1));
	show_groups("getgroups_three_sorted");
	show("setgroups_unsorted_dup", SYS(SYS_setgroups, 4, g));
	show_groups("getgroups_unsorted_dup");
	show("setgroups_efault", SYS(SYS_setgroups, 1, BADPTR1));
	show("setgroups_negative", SYS(SYS_setgroups, -1, g));
	show("setgroups_too_many", SYS(SYS_setgroups, 65537, g));
	show_groups("getgroups_after_errors");
	show("setgroups_one", SYS(SYS_setgroups, 1, g));
	show_groups("getgroups_one");

	show("setresgid_all", SYS(SYS_setresgid, 1000, 1001, 1002));
	show_resgid("getresgid_all");
	show("getgid_after_setresgid", SYS(SYS_getgid));
	show("getegid_after_setresgid", SYS(SYS_getegid));
	show("setfsgid_query_follows_egid", SYS(SYS_setfsgid, -1));
	show("setresgid_none", SYS(SYS_setresgid, -1, -1, -1));
	show_resgid("getresgid_none");
	show("setresgid_only_saved", SYS(SYS_setresgid, -1, -1, 3000));
	show_resgid("getresgid_only_saved");
	show("setregid_real", SYS(SYS_setregid, 2000, -1));
	show_resgid("getresgid_setregid_real");
	show("setregid_effective", SYS(SYS_setregid, -1, 4000));
	show_resgid("getresgid_setregid_effective");
	show("setregid_effective_is_real", SYS(SYS_setregid, -1, 2000));
	show_resgid("getresgid_setregid_effective_is_real");
	show("setregid_none", SYS(SYS_setregid, -1, -1));
	show_resgid("getresgid_setregid_none");
	show("setregid_both", SYS(SYS_setregid, 0, 0));
	show_resgid("getresgid_setregid_both");
	show("setresgid_root", SYS(SYS_setresgid, 0, 0, 0));
	show_resgid("getresgid_root");
	show("setfsgid_root_same", SYS(SYS_setfsgid, 0));
	show("setfsgid_query", SYS(SYS_setfsgid, -1));

	show("setresuid_none", SYS(SYS_setresuid, -1, -1, -1));
	show("setresuid_same", SYS(SYS_setresuid, 0, 0, 0));
	show_resuid("getresuid_same");
	show("setreuid_none", SYS(SYS_setreuid, -1, -1));
	show("setreuid_same", SYS(SYS_setreuid, 0, 0));
	/* euid away from the real uid also moves the saved uid */
	show("setreuid_effective", SYS(SYS_setreuid, -1, 1000));
	show_resuid("getresuid_setreuid_effective");
	show("geteuid_setreuid_effective", SYS(SYS_geteuid));
	show("setreuid_effective_back", SYS(SYS_setreuid, -1, 0));
	show_resuid("getresuid_setreuid_effective_back");
	show("setresuid_restore", SYS(SYS_setresuid, 0, 0, 0));
	/* setting the real uid moves the saved uid to the effective one */
	show("setreuid_real", SYS(SYS_setreuid, 1000, -1));
	show_resuid("getresuid_setreuid_real");
	show("setreuid_real_back", SYS(SYS_setreuid, 0, -1));
	show_resuid("getresuid_setreuid_real_back");
	show("setresuid_saved_only", SYS(SYS_setresuid, -1, -1, 1000));
	show_resuid("getresuid_saved_only");
	show("setresuid_restore_2", SYS(SYS_setresuid, 0, 0, 0));
	show_resuid("getresuid_restored");
}

/* euid 1000, real and saved uid 0: no privilege until euid is 0 again */
static void test_ids_user(void)
{
	unsigned g[1] = {7};
	show_resuid("user_getresuid");
	show("user_setgroups_same", SYS(SYS_setgroups, 1, g));
	show("user_setgroups_empty", SYS(SYS_setgroups, 0, NULL));
	show("user_setgroups_negative", SYS(SYS_setgroups, -1, NULL));
	show("user_setgroups_efault", SYS(SYS_setgroups, 1, BADPTR1));
	show_groups("user_getgroups_unchanged");

	show("user_setresgid_other", SYS(SYS_setresgid, 5, -1, -1));
	show("user_setresgid_other_saved", SYS(SYS_setresgid, -1, -1, 5));
	show("user_setresgid_none", SYS(SYS_setresgid, -1, -1, -1));
	show("user_setresgid_current", SYS(SYS_setresgid, 0, 0, 0));
	show("user_setregid_other", SYS(SYS_setregid, 5, -1));
	show("user_setregid_other_effective", SYS(SYS_setregid, -1, 5));
	show("user_setregid_current", SYS(SYS_setregid, 0, 0));
	show_resgid("user_getresgid_unchanged");
	/* setfsgid never fails: an id it may not take is ignored */
	show("user_setfsgid_other", SYS(SYS_setfsgid, 1234));
	show("user_setfsgid_query", SYS(SYS_setfsgid, -1));
	show("user_setfsgid_current", SYS(SYS_setfsgid, 0));

	show("user_setresuid_other", SYS(SYS_setresuid, 5, -1, -1));
	show("user_setresuid_other_saved", SYS(SYS_setresuid, -1, -1, 5));
	show("user_setresuid_other_effective", SYS(SYS_setresuid, -1, 5, -1));
	show("user_setreuid_other", SYS(SYS_setreuid, 5, -1));
	show("user_setreuid_other_effective", SYS(SYS_setreuid, -1, 5));
	show("user_setresuid_none", SYS(SYS_setresuid, -1, -1, -1));
	show("user_setresuid_current", SYS(SYS_setresuid, 0, 1000, 0));
	show_resuid("user_getresuid_unchanged");
}

/* every uid 1000: no way back */
static void test_ids_dropped(void)
{
	unsigned g[1] = {0};
	show("drop_setresuid_all", SYS(SYS_setresuid, 1000, 1000, 1000));
	show_resuid("drop_getresuid");
	show("drop_setresuid_root", SYS(SYS_setresuid, 0, -1, -1));
	show("drop_setresuid_root_effective", SYS(SYS_setresuid, -1, 0, -1));
	show("drop_setreuid_root", SYS(SYS_setreuid, -1, 0));
	show("drop_setreuid_real_root", SYS(SYS_setreuid, 0, -1));
	show("drop_setuid_root", SYS(SYS_setuid, 0));
	show("drop_setresuid_same", SYS(SYS_setresuid, 1000, 1000, 1000));
	show("drop_setreuid_same", SYS(SYS_setreuid, 1000, 1000));
	show_resuid("drop_getresuid_after");
	show("drop_setgroups", SYS(SYS_setgroups, 1, g));
	show("drop_setresgid", SYS(SYS_setresgid, 1, 1, 1));
	show("drop_setregid", SYS(SYS_setregid, -1, 1));
	show("drop_setfsgid_other", SYS(SYS_setfsgid, 1));
	show("drop_setfsgid_query", SYS(SYS_setfsgid, -1));
	show("drop_sethostname", SYS(SYS_sethostname, "nope", 4));
	show("drop_setdomainname", SYS(SYS_setdomainname, "nope", 4));
	show("drop_sched_setscheduler_fifo", setsched(0, SCHED_FIFO, 1));
	show("drop_setpriority_raise", SYS(SYS_setpriority, PRIO_PROCESS, 0, 15));
	show("drop_setpriority_lower", SYS(SYS_setpriority, PRIO_PROCESS, 0, 10));
	show("drop_getpriority", SYS(SYS_getpriority, PRIO_PROCESS, 0));
	show("drop_sched_setscheduler_idle", setsched(0, SCHED_IDLE, 0));
	show("drop_sched_setscheduler_leave_idle", setsched(0, SCHED_OTHER, 0));
	show("drop_mlock", SYS(SYS_mlock, mlock_area, 3 * PG));
}

/* ---------------------------------------------------------------------- */

int main(void)
{
	uts_guard();
	tgid = SYS(SYS_getpid);
	tid = SYS(SYS_gettid);

	test_tid_robust();
	test_futex();
	test_sigreturn();
	test_sigsuspend();
	test_sigtimedwait();
	test_tgsigqueueinfo();
	test_mlock_root();
	test_session();
	test_sched_root();
	test_priority_root();
	test_uts_root();
	test_ids_root();

	/* drop the effective uid; real and saved stay 0 */
	show("setresuid_drop_effective", SYS(SYS_setresuid, -1, 1000, -1));
	test_ids_user();
	test_uts_user();
	test_sched_user();
	test_priority_user();
	test_mlock_user();
	/* the saved uid 0 lets the effective uid, and privilege, come back */
	show("setresuid_back_to_root", SYS(SYS_setresuid, -1, 0, -1));
	show_resuid("getresuid_back_to_root");
	show("sethostname_back_to_root", SYS(SYS_sethostname, "sandbox", 7));
	{
		unsigned g[2] = {0, 1};
		show("setgroups_back_to_root", SYS(SYS_setgroups, 2, g));
		show_groups("getgroups_back_to_root");
	}
	show("sched_setscheduler_back_to_root_leave_idle", setsched(0, SCHED_OTHER, 0));
	show("sched_getscheduler_back_to_root", SYS(SYS_sched_getscheduler, 0));
	show("setpriority_back_to_root_lower", SYS(SYS_setpriority, PRIO_PROCESS, 0, 5));
	show("getpriority_back_to_root", SYS(SYS_getpriority, PRIO_PROCESS, 0));

	test_ids_dropped();
	printf("done\n");
	return 0;
}
