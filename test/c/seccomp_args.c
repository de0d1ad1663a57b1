/*
 * What a filter reads and computes: 64-bit arguments as two halves, the
 * number (with the x32 bit), the architecture, the instruction pointer
 * (the address after the syscall instruction), BPF_LEN; every ALU
 * operation with a constant and with X, the scratch memory, every jump,
 * RET A; A / X with X = 0 ending the filter with 0 (KILL_THREAD). The
 * arithmetic filter runs hundreds of times, so the Sentry's compiled form
 * of it is compared too, not only its interpreter.
 */
#include "seccomp.h"

#define STMT(c, k) BPF_STMT(c, k)
#define JUMP(c, k, t, f) BPF_JUMP(c, k, t, f)
#define LD_ABS(off) STMT(BPF_LD | BPF_W | BPF_ABS, off)
#define RET_ERRNO(e) STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (e))
#define RET_ALLOW STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)
/* A += n when the jump's test holds (TAKEN) or when it does not (UNTAKEN): two instructions. */
#define TAKEN_ADDS(op, k, n) JUMP(BPF_JMP | (op), k, 0, 1), STMT(BPF_ALU | BPF_ADD | BPF_K, n)
#define UNTAKEN_ADDS(op, k, n) JUMP(BPF_JMP | (op), k, 1, 0), STMT(BPF_ALU | BPF_ADD | BPF_K, n)

extern char after_syscall[];

/* getpid through a syscall instruction at a known address (the label after it). */
static __attribute__((noinline)) long getpid_here(long a0)
{
	long ret;
	__asm__ volatile("syscall\n\t.globl after_syscall\nafter_syscall:"
			 : "=a"(ret) : "0"((long)SYS_getpid), "D"(a0) : "rcx", "r11", "memory");
	if (ret < 0) {
		errno = -ret;
		return -1;
	}
	return ret;
}

static void fields(void)
{
	unsigned long ip = (unsigned long)after_syscall;
	struct sock_filter f[] = {
		/* 0 */ LD_ABS(SD_NR),
		/* 1 */ JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x40000000, 0, 1),
		/* 2 */ RET_ERRNO(16),
		/* 3 */ JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getpid, 1, 0),
		/* 4 */ RET_ALLOW,
		/* 5 */ LD_ABS(SD_ARCH),
		/* 6 */ JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		/* 7 */ RET_ERRNO(17),
		/* args[0] == 0x100000001: 11; low half 1 alone: 12 */
		/* 8 */ LD_ABS(SD_ARG_LO(0)),
		/* 9 */ JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 4),
		/* 10 */ LD_ABS(SD_ARG_HI(0)),
		/* 11 */ JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 1),
		/* 12 */ RET_ERRNO(11),
		/* 13 */ RET_ERRNO(12),
		/* args[1] == ~0: 13 */
		/* 14 */ LD_ABS(SD_ARG_LO(1)),
		/* 15 */ JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xffffffff, 0, 3),
		/* 16 */ LD_ABS(SD_ARG_HI(1)),
		/* 17 */ JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xffffffff, 0, 1),
		/* 18 */ RET_ERRNO(13),
		/* bit 63 of args[5]: 14 */
		/* 19 */ LD_ABS(SD_ARG_HI(5)),
		/* 20 */ JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x80000000, 0, 1),
		/* 21 */ RET_ERRNO(14),
		/* the instruction pointer: 15 */
		/* 22 */ LD_ABS(SD_IP_LO),
		/* 23 */ JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)ip, 0, 3),
		/* 24 */ LD_ABS(SD_IP_HI),
		/* 25 */ JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)(ip >> 32), 0, 1),
		/* 26 */ RET_ERRNO(15),
		/* args[2] == MAGIC: BPF_LEN as the error (64) */
		/* 27 */ LD_ABS(SD_ARG_LO(2)),
		/* 28 */ JUMP(BPF_JMP | BPF_JEQ | BPF_K, MAGIC, 0, 3),
		/* 29 */ STMT(BPF_LD | BPF_W | BPF_LEN, 0),
		/* 30 */ STMT(BPF_ALU | BPF_OR | BPF_K, SECCOMP_RET_ERRNO),
		/* 31 */ STMT(BPF_RET | BPF_A, 0),
		/* args[3] is the return value itself (RET A) */
		/* 32 */ LD_ABS(SD_ARG_HI(3)),
		/* 33 */ JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x77, 0, 2),
		/* 34 */ LD_ABS(SD_ARG_LO(3)),
		/* 35 */ STMT(BPF_RET | BPF_A, 0),
		/* 36 */ RET_ALLOW,
	};
	show("install", install(f, LEN(f), 0));
	show("args[0] 0x100000001", SYS(SYS_getpid, 0x100000001L));
	show("args[0] 0x200000001", SYS(SYS_getpid, 0x200000001L));
	show("args[0] 1", SYS(SYS_getpid, 1));
	show_bool("args[0] 0x100000000 runs", SYS(SYS_getpid, 0x100000000L) > 0);
	show("args[1] ~0", SYS(SYS_getpid, 0, -1L));
	show_bool("args[1] 0xffffffff runs", SYS(SYS_getpid, 0, 0xffffffffL) > 0);
	show_bool("args[1] ~0xffffffff runs", SYS(SYS_getpid, 0, ~0xffffffffL) > 0);
	show("args[5] bit 63", SYS(SYS_getpid, 0, 0, 0, 0, 0, 0x8000000000000000L));
	show_bool("args[5] bit 62 runs", SYS(SYS_getpid, 0, 0, 0, 0, 0, 0x4000000000000000L) > 0);
	errno = 0;
	show("ip after the syscall instruction", getpid_here(0));
	show_bool("ip elsewhere runs", SYS(SYS_getpid, 0) > 0);
	show("BPF_LEN", SYS(SYS_getpid, 0, 0, MAGIC));
	show("RET A: ERRNO 22", SYS(SYS_getpid, 0, 0, 0, 0x7700050016L));
	show_bool("RET A: ALLOW runs", SYS(SYS_getpid, 0, 0, 0, 0x777fff0000L) > 0);
	show("x32 number", SYS(0x40000000 | SYS_getpid));
	show("x32 number with high bits", SYS(0x140000000L | SYS_getpid));
	show("number -1", SYS(-1));
}

/* A = f(a, b) through every ALU operation, scratch memory and jump; ERRNO | (A & 0xfff). */
static struct sock_filter arith[] = {
	LD_ABS(SD_NR),
	JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getpid, 0, 2),
	LD_ABS(SD_ARG_LO(0)),
	JUMP(BPF_JMP | BPF_JEQ | BPF_K, MAGIC, 1, 0),
	RET_ALLOW,
	LD_ABS(SD_ARG_LO(1)),              /* A = a */
	STMT(BPF_ST, 1),
	LD_ABS(SD_ARG_LO(2)),              /* A = b */
	STMT(BPF_MISC | BPF_TAX, 0),       /* X = b */
	STMT(BPF_LD | BPF_MEM, 1),         /* A = a */
	STMT(BPF_ALU | BPF_ADD | BPF_X, 0),
	STMT(BPF_ALU | BPF_MUL | BPF_K, 2654435761U),
	STMT(BPF_ALU | BPF_XOR | BPF_X, 0),
	STMT(BPF_ST, 2),
	STMT(BPF_LDX | BPF_MEM, 2),
	LD_ABS(SD_ARG_LO(1)),
	STMT(BPF_ALU | BPF_SUB | BPF_X, 0),
	STMT(BPF_ALU | BPF_LSH | BPF_K, 3),
	STMT(BPF_ALU | BPF_RSH | BPF_K, 1),
	STMT(BPF_ALU | BPF_OR | BPF_K, 0x10),
	STMT(BPF_ALU | BPF_AND | BPF_K, 0xfffff0ff),
	STMT(BPF_ALU | BPF_NEG, 0),
	STMT(BPF_ST, 3),
	LD_ABS(SD_ARG_LO(2)),
	STMT(BPF_MISC | BPF_TAX, 0),       /* X = b (not 0) */
	STMT(BPF_LD | BPF_MEM, 3),
	STMT(BPF_ALU | BPF_DIV | BPF_X, 0),
	STMT(BPF_ALU | BPF_ADD | BPF_K, 7),
	STMT(BPF_ALU | BPF_DIV | BPF_K, 3),
	STMT(BPF_ALU | BPF_SUB | BPF_K, 100),
	STMT(BPF_ALU | BPF_XOR | BPF_K, 0x5a5a5a5a),
	STMT(BPF_LDX | BPF_IMM, 37),       /* shifts by X use its low five bits: 37 is 5 */
	STMT(BPF_ALU | BPF_LSH | BPF_X, 0),
	STMT(BPF_ST, 4),
	STMT(BPF_ALU | BPF_RSH | BPF_X, 0),
	STMT(BPF_ALU | BPF_MUL | BPF_X, 0),
	STMT(BPF_ALU | BPF_OR | BPF_X, 0),
	STMT(BPF_ALU | BPF_AND | BPF_X, 0),
	STMT(BPF_LDX | BPF_MEM, 4),
	STMT(BPF_ALU | BPF_ADD | BPF_X, 0),
	/* Jumps: each adds its amount when its test is true (or false: "untaken" skips it the other way). */
	TAKEN_ADDS(BPF_JGT | BPF_K, 0x80000000, 1),
	UNTAKEN_ADDS(BPF_JGE | BPF_K, 0x40000000, 2),
	TAKEN_ADDS(BPF_JSET | BPF_K, 0x100, 4),
	STMT(BPF_LDX | BPF_MEM, 1),        /* X = a */
	TAKEN_ADDS(BPF_JGT | BPF_X, 0, 8),
	UNTAKEN_ADDS(BPF_JGE | BPF_X, 0, 16),
	TAKEN_ADDS(BPF_JSET | BPF_X, 0, 32),
	TAKEN_ADDS(BPF_JEQ | BPF_X, 0, 64),
	STMT(BPF_JMP | BPF_JA, 1),
	STMT(BPF_ALU | BPF_ADD | BPF_K, 1000),
	STMT(BPF_ALU | BPF_AND | BPF_K, 0xfff),
	STMT(BPF_MISC | BPF_TXA, 0),       /* A = a: and back, to use TXA */
	STMT(BPF_MISC | BPF_TAX, 0),
	STMT(BPF_LD | BPF_MEM, 4),
	STMT(BPF_ALU | BPF_ADD | BPF_X, 0),
	STMT(BPF_ALU | BPF_AND | BPF_K, 0xfff),
	STMT(BPF_ALU | BPF_OR | BPF_K, SECCOMP_RET_ERRNO),
	STMT(BPF_RET | BPF_A, 0),
};

static void arithmetic(void)
{
	show("install", install(arith, LEN(arith), 0));
	unsigned long sum = 0;
	unsigned a = 1, b = 3;
	for (int i = 0; i < 400; i++) {
		a = a * 1103515245u + 12345u;
		b = (b * 2654435761u) | 1;
		long r = SYS(SYS_getpid, MAGIC, a, b);
		long e = r == -1 ? errno : -r;
		sum = sum * 31 + (unsigned long)e;
		if (i < 6 || i % 100 == 99)
			printf("arithmetic %d: %ld\n", i, e);
	}
	printf("arithmetic checksum: %lu\n", sum);
	/* High halves are never read: a and b with the same low halves give the same. */
	long r1 = SYS(SYS_getpid, MAGIC, 0x1234500000007L, 0x9900000005L);
	long r2 = SYS(SYS_getpid, MAGIC, 7, 5);
	show_bool("high halves ignored", r1 == r2);
}

static void divide_by_zero(void)
{
	install(arith, LEN(arith), 0);
	SYS(SYS_getpid, MAGIC, 5, 0);
	printf("divide by zero: not killed\n");
}

int main(void)
{
	in_child("fields", fields);
	in_child("arithmetic", arithmetic);
	in_child("divide by zero", divide_by_zero);
	printf("done\n");
	return 0;
}
