/*
 * tracewall [HOSTPID]: the calls that reach into other processes or change
 * how the kernel treats this one, as the sandbox documents them
 * (docs/syscalls.md): ptrace and process_vm_readv/writev are ENOSYS;
 * seccomp filters are the Sentry's to evaluate, kill only the program that
 * installed them, and have no tracer or listener to reach; prctl supports
 * a listed set of options and gives EINVAL for every other
 * (PR_SET_PTRACER, PR_SET_MM included). Every ptrace
 * request is tried on pid 0, this process, a child, the parent, pid 1 and
 * -1; process_vm_* on this process, a child and pid 1; and pids that would
 * be the test runner, the Sentry or its stubs on the host (HOSTPID and the
 * 400 after it; it may be any pid above the sandbox's own few) must not exist here at all (kill, getsid, getpgid,
 * sched_getparam, prlimit, /proc/PID: ESRCH or ENOENT). After each group
 * the program checks that it is still served (getpid is 1) and that a
 * child still runs and exits with its status. Each group prints one line:
 * "NAME: ok" or what differed. Run only under tsvisor.
 */
#include "../c/common.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>

static int bad;
static void expect(const char *what, long r, int want_errno)
{
	if (r != -1 || errno != want_errno) {
		printf("  %s: got %ld %s, want -1 %s\n", what, r, r == -1 ? errname(errno) : "",
		       errname(want_errno));
		bad++;
	}
}

static void group_end(const char *name)
{
	if (getpid() != 1) {
		printf("  getpid is %d\n", getpid());
		bad++;
	}
	fflush(stdout);
	pid_t c = fork();
	if (c == 0)
		_exit(33);
	int st = 0;
	if (c < 0 || waitpid(c, &st, 0) != c || !WIFEXITED(st) || WEXITSTATUS(st) != 33) {
		printf("  a child no longer runs (status %d)\n", st);
		bad++;
	}
	printf("%s: %s\n", name, bad ? "FAILED" : "ok");
	bad = 0;
}

static const long ptrace_reqs[] = {
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 14, 15, 16, 17, 18, 19, 24, 25, 26, 30, 31, 32, 33,
	0x4200, 0x4201, 0x4202, 0x4203, 0x4204, 0x4205, 0x4206, 0x4207, 0x4208, 0x4209, 0x420a,
	0x420b, 0x420c, 0x420d, 0x420e, 0x420f, 0x4210, 0x4211, 0x4212, -1, 0x7fffffff,
};

static pid_t sleeper(void)
{
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		for (;;)
			pause();
	}
	return c;
}

static void kill_child(pid_t c)
{
	kill(c, SIGKILL);
	waitpid(c, NULL, 0);
}

int main(int argc, char **argv)
{
	long hostpid = argc > 1 ? atol(argv[1]) : 0;
	static char buf[4096], regs[4096];
	char what[96];

	/* ptrace: every request on every target */
	pid_t child = sleeper();
	const long targets[] = { 0, getpid(), child, getppid(), 1, -1, hostpid };
	for (unsigned t = 0; t < sizeof targets / sizeof targets[0]; t++)
		for (unsigned i = 0; i < sizeof ptrace_reqs / sizeof ptrace_reqs[0]; i++) {
			snprintf(what, sizeof what, "ptrace(%#lx, %ld)", ptrace_reqs[i], targets[t]);
			expect(what, SYS(SYS_ptrace, ptrace_reqs[i], targets[t], buf, regs), ENOSYS);
		}
	/* PTRACE_TRACEME in a child, then it must still be an ordinary child */
	fflush(stdout);
	pid_t tm = fork();
	if (tm == 0) {
		long r = SYS(SYS_ptrace, 0, 0, 0, 0);
		_exit(r == -1 && errno == ENOSYS ? 5 : 6);
	}
	int st;
	waitpid(tm, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 5) {
		printf("  PTRACE_TRACEME child: status %d\n", st);
		bad++;
	}
	group_end("ptrace");

	/* process_vm_readv/writev */
	struct iovec local = { buf, sizeof buf }, remote = { buf, sizeof buf };
	const long pvtargets[] = { getpid(), child, 1, 0, -1, hostpid };
	for (unsigned t = 0; t < sizeof pvtargets / sizeof pvtargets[0]; t++) {
		snprintf(what, sizeof what, "process_vm_readv(%ld)", pvtargets[t]);
		expect(what, SYS(SYS_process_vm_readv, pvtargets[t], &local, 1, &remote, 1, 0), ENOSYS);
		snprintf(what, sizeof what, "process_vm_writev(%ld)", pvtargets[t]);
		expect(what, SYS(SYS_process_vm_writev, pvtargets[t], &local, 1, &remote, 1, 0), ENOSYS);
		remote.iov_base = (void *)0x7fffff000000UL; /* where the stub lives */
		expect(what, SYS(SYS_process_vm_writev, pvtargets[t], &local, 1, &remote, 1, 0), ENOSYS);
		remote.iov_base = buf;
	}
	kill_child(child);
	group_end("process_vm");

	/* host pids do not exist in the sandbox */
	if (hostpid > 64) { /* above the few pids the sandbox itself uses */
		int seen = 0;
		for (long p = hostpid; p < hostpid + 400; p++) {
			struct rlimit rl;
			struct sched_param sp;
			char path[64];
			snprintf(what, sizeof what, "kill(%ld, 0)", p);
			expect(what, SYS(SYS_kill, p, 0), ESRCH);
			snprintf(what, sizeof what, "getsid(%ld)", p);
			expect(what, SYS(SYS_getsid, p), ESRCH);
			snprintf(what, sizeof what, "getpgid(%ld)", p);
			expect(what, SYS(SYS_getpgid, p), ESRCH);
			snprintf(what, sizeof what, "sched_getparam(%ld)", p);
			expect(what, SYS(SYS_sched_getparam, p, &sp), ESRCH);
			snprintf(what, sizeof what, "prlimit64(%ld)", p);
			expect(what, SYS(SYS_prlimit64, p, RLIMIT_NOFILE, 0, &rl), ESRCH);
			snprintf(path, sizeof path, "/proc/%ld/stat", p);
			expect(path, SYS(SYS_open, path, O_RDONLY), ENOENT);
			seen++;
		}
		if (seen != 400)
			bad++;
	} else {
		printf("  no host pid given\n");
		bad++;
	}
	group_end("host pids");

	/*
	 * seccomp: the Sentry evaluates the filters itself (a program's filter
	 * never reaches the host). Each filter that would end the program is
	 * installed in a child, which must end as the filter says while this
	 * process goes on; trace and notify get ENOSYS (no tracer, no
	 * listener: NEW_LISTENER is EINVAL here); bad programs EINVAL.
	 */
	struct sock_filter kill_all[] = { BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS) };
	/* getpid traced or notified, everything else allowed. */
	struct sock_filter trace_getpid[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0), BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getpid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE), BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_filter notify_getpid[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0), BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getpid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF), BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_filter garbage[] = { { 0xffff, 0xff, 0xff, 0xffffffff } };
	struct sock_fprog killp = { 1, kill_all }, tracep = { 4, trace_getpid }, notifyp = { 4, notify_getpid };
	struct sock_fprog badp[] = { { 1, garbage }, { 0, NULL }, { 0xffff, kill_all }, { 2, garbage } };
	for (unsigned i = 0; i < sizeof badp / sizeof badp[0]; i++) {
		snprintf(what, sizeof what, "seccomp bad filter %u", i);
		expect(what, SYS(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &badp[i]), EINVAL);
		expect(what, SYS(SYS_prctl, PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &badp[i], 0, 0), EINVAL);
	}
	expect("seccomp NEW_LISTENER", SYS(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &tracep), EINVAL);
	const struct { const char *name; int op, flags; struct sock_fprog *p; int sig; } kills[] = {
		{ "kill_process", 0, 0, &killp, SIGSYS },
		{ "kill_process with TSYNC", 0, SECCOMP_FILTER_FLAG_TSYNC, &killp, SIGSYS },
		{ "kill_process through prctl", 1, 0, &killp, SIGSYS },
		{ "strict mode", 2, 0, NULL, SIGKILL },
	};
	for (unsigned i = 0; i < sizeof kills / sizeof kills[0]; i++) {
		fflush(stdout);
		pid_t c = fork();
		if (c == 0) {
			if (kills[i].op == 0)
				SYS(SYS_seccomp, SECCOMP_SET_MODE_FILTER, kills[i].flags, kills[i].p);
			else if (kills[i].op == 1)
				SYS(SYS_prctl, PR_SET_SECCOMP, SECCOMP_MODE_FILTER, kills[i].p, 0, 0);
			else
				SYS(SYS_prctl, PR_SET_SECCOMP, SECCOMP_MODE_STRICT, 0, 0, 0);
			SYS(SYS_getpid);
			_exit(0);
		}
		int st = 0;
		waitpid(c, &st, 0);
		if (!WIFSIGNALED(st) || WTERMSIG(st) != kills[i].sig) {
			printf("  %s: child status %#x\n", kills[i].name, st);
			bad++;
		}
	}
	struct sock_fprog *enosys[] = { &tracep, &notifyp };
	for (unsigned i = 0; i < 2; i++) {
		fflush(stdout);
		pid_t c = fork();
		if (c == 0) {
			if (SYS(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, enosys[i]) != 0)
				_exit(1);
			long r = SYS(SYS_getpid);
			_exit(r == -1 && errno == ENOSYS ? 0 : 2);
		}
		int st = 0;
		waitpid(c, &st, 0);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			printf("  %s filter: child status %#x\n", i ? "notify" : "trace", st);
			bad++;
		}
	}
	unsigned action = SECCOMP_RET_USER_NOTIF;
	if (SYS(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) != 0) {
		printf("  USER_NOTIF is not available\n");
		bad++;
	}
	if (SYS(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, buf) != 0) {
		printf("  GET_NOTIF_SIZES failed\n");
		bad++;
	}
	expect("seccomp 99", SYS(SYS_seccomp, 99, 0, 0), EINVAL);
	if (SYS(SYS_prctl, PR_GET_SECCOMP, 0, 0, 0, 0) != 0) {
		printf("  PR_GET_SECCOMP is not 0\n");
		bad++;
	}
	group_end("seccomp");

	/* prctl: every option up to 100 and a few beyond, each in a child */
	static const int supported[] = { 1, 2, 3, 4, 7, 8, 15, 16, 21, 22, 23, 24, 27, 28, 30, 36, 37, 38, 39, 41, 42, 47 };
	static const long extra[] = { PR_SET_PTRACER, 0x53564d41 /* PR_SET_VMA */, 1000, -1, 0x7fffffff };
	for (long opt = 0; opt < 100 + (long)(sizeof extra / sizeof extra[0]); opt++) {
		long o = opt < 100 ? opt : extra[opt - 100];
		int sup = 0;
		for (unsigned i = 0; i < sizeof supported / sizeof supported[0]; i++)
			sup |= supported[i] == o;
		if (sup)
			continue;
		static const long args[][4] = {
			{ 0, 0, 0, 0 }, { 1, 0, 0, 0 }, { -1, 0, 0, 0 }, { 1, 1, 1, 1 },
			{ 0xffff800000000000L, 0, 0, 0 }, { 14 /* PR_SET_MM_MAP */, 0, 104, 0 },
		};
		for (unsigned a = 0; a < sizeof args / sizeof args[0]; a++) {
			snprintf(what, sizeof what, "prctl(%ld, %ld)", o, args[a][0]);
			expect(what, SYS(SYS_prctl, o, args[a][0], args[a][1], args[a][2], args[a][3]), EINVAL);
		}
	}
	/* PR_SET_MM: every sub-option */
	for (long sub = 0; sub <= 16; sub++) {
		snprintf(what, sizeof what, "prctl(PR_SET_MM, %ld)", sub);
		expect(what, SYS(SYS_prctl, PR_SET_MM, sub, (long)buf, 0, 0), EINVAL);
	}
	expect("prctl(PR_SET_PTRACER, ANY)", SYS(SYS_prctl, PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0), EINVAL);
	/* the supported dumpable flag: recorded, and what /proc tells is unchanged */
	long r = SYS(SYS_prctl, PR_SET_DUMPABLE, 0, 0, 0, 0);
	long g = SYS(SYS_prctl, PR_GET_DUMPABLE, 0, 0, 0, 0);
	long r2 = SYS(SYS_prctl, PR_SET_DUMPABLE, 1, 0, 0, 0);
	long g2 = SYS(SYS_prctl, PR_GET_DUMPABLE, 0, 0, 0, 0);
	expect("prctl(PR_SET_DUMPABLE, 2)", SYS(SYS_prctl, PR_SET_DUMPABLE, 2, 0, 0, 0), EINVAL);
	if (r != 0 || g != 0 || r2 != 0 || g2 != 1) {
		printf("  dumpable: %ld %ld %ld %ld\n", r, g, r2, g2);
		bad++;
	}
	group_end("prctl");
	printf("tracewall done\n");
	return 0;
}
