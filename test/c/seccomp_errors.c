/*
 * seccomp(2)'s refusals, in Linux's order of checks: flags, the sock_fprog
 * (EFAULT), its length (EINVAL), the privilege (EACCES without
 * no_new_privs as a non-root user), a NULL program (EINVAL), its
 * instructions (EFAULT), bpf_check_classic and seccomp_check_filter
 * (EINVAL for each kind of bad program), the chain's length (ENOMEM);
 * SECCOMP_GET_ACTION_AVAIL, SECCOMP_GET_NOTIF_SIZES and unknown
 * operations. Nothing here installs a filter in the main process.
 */
#include "seccomp.h"

#define ALLOW BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)
#define LD_NR BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SD_NR)

static struct sock_filter good[] = { LD_NR, ALLOW };
static struct sock_filter big[BPF_MAXINSNS + 1];

/* A bad program: expected EINVAL. seccomp() is the first install, prctl the second way in. */
static void bad(const char *name, struct sock_filter *f, unsigned short n)
{
	struct sock_fprog p = { n, f };
	char what[96];
	snprintf(what, sizeof what, "bad %s", name);
	show(what, SYS(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &p));
	snprintf(what, sizeof what, "bad %s (prctl)", name);
	show(what, SYS(SYS_prctl, PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &p, 0, 0));
}

#define LD(k) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, k)

/* Programs Linux refuses, one of each kind, with how many of their instructions are given. */
static const struct {
	const char *name;
	unsigned short n;
	struct sock_filter f[5];
} bad_programs[] = {
	{ "opcode 0xffff", 2, { { 0xffff, 0, 0, 0 }, ALLOW } },
	{ "ld half word", 2, { BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 0), ALLOW } },
	{ "ld byte", 2, { BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 0), ALLOW } },
	{ "ld indirect", 2, { BPF_STMT(BPF_LD | BPF_W | BPF_IND, 0), ALLOW } },
	{ "ldx msh", 2, { BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0), ALLOW } },
	{ "mod (classic, not seccomp)", 3, { LD_NR, BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, 3), ALLOW } },
	{ "ret x", 1, { BPF_STMT(BPF_RET | BPF_X, 0) } },
	{ "load past seccomp_data", 2, { LD(64), ALLOW } },
	{ "unaligned load", 2, { LD(2), ALLOW } },
	{ "ancillary load", 2, { LD(0xfffff000), ALLOW } },
	{ "no ret at the end", 1, { LD_NR } },
	{ "ret not last", 2, { ALLOW, LD_NR } },
	{ "ja past the end", 2, { BPF_STMT(BPF_JMP | BPF_JA, 1), ALLOW } },
	{ "ja backward (k = -1)", 3, { LD_NR, BPF_STMT(BPF_JMP | BPF_JA, 0xffffffff), ALLOW } },
	{ "jt past the end", 3, { LD_NR, BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0), ALLOW } },
	{ "jf past the end", 3, { LD_NR, BPF_JUMP(BPF_JMP | BPF_JGT | BPF_X, 0, 0, 7), ALLOW } },
	{ "div by constant 0", 3, { LD_NR, BPF_STMT(BPF_ALU | BPF_DIV | BPF_K, 0), ALLOW } },
	{ "lsh by 32", 3, { LD_NR, BPF_STMT(BPF_ALU | BPF_LSH | BPF_K, 32), ALLOW } },
	{ "rsh by 40", 3, { LD_NR, BPF_STMT(BPF_ALU | BPF_RSH | BPF_K, 40), ALLOW } },
	{ "st M[16]", 3, { LD_NR, BPF_STMT(BPF_ST, 16), ALLOW } },
	{ "ld M[3] never stored", 2, { BPF_STMT(BPF_LD | BPF_MEM, 3), ALLOW } },
	/* M[0] is stored on one path only. */
	{ "ld M[0] stored on one path", 5, {
		LD_NR, BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 1), BPF_STMT(BPF_ST, 0), BPF_STMT(BPF_LDX | BPF_MEM, 0), ALLOW,
	} },
};

static void programs(void)
{
	for (unsigned i = 0; i < LEN(bad_programs); i++)
		bad(bad_programs[i].name, (struct sock_filter *)bad_programs[i].f, bad_programs[i].n);
	for (unsigned i = 0; i < LEN(big); i++)
		big[i] = (struct sock_filter)LD_NR;
	big[BPF_MAXINSNS] = (struct sock_filter)ALLOW;
	bad("4097 instructions", big, BPF_MAXINSNS + 1);
	bad("0 instructions", good, 0);
}

static void privilege(void)
{
	/* As nobody, without no_new_privs: the length and the fprog come first, then EACCES. */
	if (setgid(65534) != 0 || setuid(65534) != 0) {
		printf("setuid failed\n");
		return;
	}
	struct sock_fprog p = { 2, good }, zero = { 0, good }, null = { 2, NULL };
	show("nobody: fprog bad", SYS(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, BADPTR1));
	show("nobody: length 0", SYS(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &zero));
	show("nobody: NULL program", SYS(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &null));
	show("nobody: filter", SYS(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &p));
	show("nobody: prctl filter", SYS(SYS_prctl, PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &p, 0, 0));
	show("nobody: strict needs nothing", SYS(SYS_prctl, PR_GET_SECCOMP, 0, 0, 0, 0));
	show("nobody: no_new_privs", SYS(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
	show("nobody: filter with no_new_privs", SYS(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &p));
	show("nobody: mode", SYS(SYS_prctl, PR_GET_SECCOMP, 0, 0, 0, 0));
}

/*
 * Filters of 4096 instructions until the chain is full. Linux counts each
 * filter as it runs it, converted to eBPF (here 4100 instructions), with 4
 * more: 7 fit in MAX_INSNS_PER_PATH (32768), and 4040 are left.
 */
static void chain_limit(void)
{
	for (unsigned i = 0; i < BPF_MAXINSNS; i++)
		big[i] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_IMM, i);
	big[BPF_MAXINSNS - 1] = (struct sock_filter)ALLOW;
	long r = 0;
	int n = 0;
	while ((r = install(big, BPF_MAXINSNS, 0)) == 0)
		n++;
	printf("4096-instruction filters installed: %d\n", n);
	show("the next", r);
	/* 4035 loads and a RET convert to 4040 instructions: the last filter that fits, and none after it. */
	show("a 4037-instruction filter", install(big + BPF_MAXINSNS - 4037, 4037, 0));
	show("a 4036-instruction filter", install(big + BPF_MAXINSNS - 4036, 4036, 0));
	show("a 1-instruction filter", install(big + BPF_MAXINSNS - 1, 1, 0));
	show_status("status after the chain", "/proc/self/status");
}

int main(void)
{
	struct sock_fprog p = { 2, good };
	show("bad flag 1<<6", SYS(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 1 << 6, &p));
	show("bad flag 1<<31", SYS(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 1U << 31, &p));
	show("flags before fprog", SYS(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 1 << 7, BADPTR1));
	show("TSYNC with NEW_LISTENER", SYS(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
		SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_NEW_LISTENER, &p));
	show("fprog NULL", SYS(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, 0));
	show("fprog bad", SYS(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, BADPTR1));
	show("fprog kernel", SYS(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, KADDR));
	struct sock_fprog nullprog = { 2, NULL }, badprog = { 2, BADPTR1 }, kprog = { 2, KADDR };
	show("program NULL", SYS(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &nullprog));
	show("program bad", SYS(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &badprog));
	show("program kernel", SYS(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &kprog));
	show("prctl program bad", SYS(SYS_prctl, PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &badprog, 0, 0));
	show("prctl fprog NULL", SYS(SYS_prctl, PR_SET_SECCOMP, SECCOMP_MODE_FILTER, 0, 0, 0));
	in_child("programs", programs);
	in_child("privilege", privilege);
	in_child("chain limit", chain_limit);

	/* The operations that only ask. */
	static const unsigned actions[] = {
		SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_KILL_THREAD, SECCOMP_RET_TRAP, SECCOMP_RET_ERRNO,
		SECCOMP_RET_USER_NOTIF, SECCOMP_RET_TRACE, SECCOMP_RET_LOG, SECCOMP_RET_ALLOW,
		0x00010000, SECCOMP_RET_ERRNO | 1, 0x7ffd0000, 0xffffffff,
	};
	for (unsigned i = 0; i < LEN(actions); i++) {
		char what[64];
		snprintf(what, sizeof what, "action avail 0x%08x", actions[i]);
		unsigned a = actions[i];
		show(what, SYS(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &a));
	}
	unsigned a = SECCOMP_RET_ALLOW;
	show("action avail flags", SYS(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 1, &a));
	show("action avail bad", SYS(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, BADPTR1));
	struct seccomp_notif_sizes sizes = { 0, 0, 0 };
	show("notif sizes", SYS(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes));
	printf("sizes: notif %u resp %u data %u\n", sizes.seccomp_notif, sizes.seccomp_notif_resp, sizes.seccomp_data);
	show("notif sizes flags", SYS(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 1, &sizes));
	show("notif sizes bad", SYS(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, BADPTR1));
	show("operation 4", SYS(SYS_seccomp, 4, 0, 0));
	show("operation -1", SYS(SYS_seccomp, -1, 0, 0));
	show("operation high bits", SYS(SYS_seccomp, 0x100000002L, 0, &a));
	show("still disabled", SYS(SYS_prctl, PR_GET_SECCOMP, 0, 0, 0, 0));
	show_status("status", "/proc/self/status");
	printf("done\n");
	return 0;
}
