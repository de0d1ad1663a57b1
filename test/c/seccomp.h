/*
 * What the seccomp_*.c programs share: installing a filter, small filters
 * that act only on getpid(MAGIC) (getpid ignores its arguments, so every
 * other call, and getpid itself without MAGIC, is untouched and printf and
 * exit keep working), and running a step in a child to see how it ends.
 */
#ifndef TSVISOR_TEST_SECCOMP_H
#define TSVISOR_TEST_SECCOMP_H

#include "common.h"
#include <stddef.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#ifndef SECCOMP_RET_KILL_PROCESS
#define SECCOMP_RET_KILL_PROCESS 0x80000000U
#endif
#ifndef SECCOMP_RET_USER_NOTIF
#define SECCOMP_RET_USER_NOTIF 0x7fc00000U
#endif
#ifndef SECCOMP_RET_LOG
#define SECCOMP_RET_LOG 0x7ffc0000U
#endif
#ifndef SECCOMP_FILTER_FLAG_TSYNC_ESRCH
#define SECCOMP_FILTER_FLAG_TSYNC_ESRCH (1UL << 4)
#endif

#define SD_NR offsetof(struct seccomp_data, nr)
#define SD_ARCH offsetof(struct seccomp_data, arch)
#define SD_IP_LO offsetof(struct seccomp_data, instruction_pointer)
#define SD_IP_HI (SD_IP_LO + 4)
#define SD_ARG_LO(i) (offsetof(struct seccomp_data, args) + 8 * (i))
#define SD_ARG_HI(i) (SD_ARG_LO(i) + 4)

/* The argument that marks the calls the test filters act on. */
#define MAGIC 0x5ecc0L

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

static __attribute__((unused)) long install(struct sock_filter *f, unsigned short n, unsigned long flags)
{
	struct sock_fprog p = { n, f };
	return SYS(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &p);
}

/* A filter returning ret for getpid(MAGIC), allowing everything else. */
static __attribute__((unused)) long install_magic(unsigned ret, unsigned long flags)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SD_NR),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getpid, 0, 4),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SD_ARG_HI(0)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 2),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SD_ARG_LO(0)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, MAGIC, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, ret),
	};
	return install(f, LEN(f), flags);
}

/* getpid(MAGIC) as "name: R" where an allowed call prints "pid". */
static __attribute__((unused)) void show_magic(const char *name)
{
	long r = SYS(SYS_getpid, MAGIC);
	if (r > 0)
		printf("%s: pid\n", name);
	else
		show(name, r);
}

/* Runs fn in a child (core dumps off) and prints how it ended. */
static __attribute__((unused)) void in_child(const char *name, void (*fn)(void))
{
	fflush(stdout);
	pid_t p = fork();
	if (p == 0) {
		struct rlimit no = { 0, 0 };
		setrlimit(RLIMIT_CORE, &no);
		fn();
		fflush(stdout);
		_exit(0);
	}
	int st = 0;
	waitpid(p, &st, 0);
	if (WIFEXITED(st))
		printf("%s: exit %d\n", name, WEXITSTATUS(st));
	else
		printf("%s: signal %d core %d\n", name, WTERMSIG(st), WCOREDUMP(st) ? 1 : 0);
}

/* The Seccomp lines of a /proc/.../status file, as "label: Seccomp N filters M nnp K". */
static __attribute__((unused)) void show_status(const char *label, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[256];
	int mode = -1, filters = -1, nnp = -1;
	if (f == NULL) {
		printf("%s: cannot open\n", label);
		return;
	}
	while (fgets(line, sizeof line, f)) {
		sscanf(line, "Seccomp: %d", &mode);
		sscanf(line, "Seccomp_filters: %d", &filters);
		sscanf(line, "NoNewPrivs: %d", &nnp);
	}
	fclose(f);
	printf("%s: Seccomp %d filters %d nnp %d\n", label, mode, filters, nnp);
}

#endif
