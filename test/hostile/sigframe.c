/*
 * sigframe: rt_sigreturn with forged frames. A real frame is captured in a
 * SIGUSR1 handler (its ucontext and the XSAVE area it points to); then, in
 * a fresh child per case, a copy is edited (hostile cs, ss, eflags, fs/gs
 * selectors, rip, rsp; a NULL, kernel, unmapped or unaligned fpstate
 * pointer; garbage in the XSAVE header, MXCSR and the software-reserved
 * bytes) and loaded with a raw rt_sigreturn. The restored rip points at
 * code that exits 42. Each case runs twice: without a SIGSEGV handler, and
 * with one (on an alternate stack) that exits 43, since Linux forces
 * SIGSEGV on a frame it cannot restore and a handler then runs. The parent prints how each child ended; natively and
 * under tsvisor the lines must be the same (Linux forces cs and ss RPL 3,
 * fixes a bad ss unless UC_STRICT_RESTORE_SS, keeps only the user eflags
 * bits, ignores fs/gs, and ends a frame it cannot restore with SIGSEGV).
 */
#include "../c/common.h"
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <stddef.h>

#define UC_STRICT_RESTORE_SS 0x4
#define KFRAME (offsetof(ucontext_t, uc_sigmask) + 8)

extern void exit42_asm(void), hlt_asm(void);
__asm__(".text\n"
	"exit42_asm: mov $60, %eax\n mov $42, %edi\n syscall\n"
	"hlt_asm: hlt\n jmp hlt_asm\n");

static unsigned char tmpl[sizeof(ucontext_t)] __attribute__((aligned(64)));
static unsigned char tmpl_fp[16384] __attribute__((aligned(64)));
static size_t fp_size;

static void capture(int sig, siginfo_t *si, void *ucv)
{
	(void)sig;
	(void)si;
	ucontext_t *uc = ucv;
	memcpy(tmpl, uc, KFRAME);
	unsigned char *fp = (unsigned char *)uc->uc_mcontext.fpregs;
	uint32_t magic1, ext;
	memcpy(&magic1, fp + 464, 4);
	memcpy(&ext, fp + 468, 4);
	fp_size = magic1 == 0x46505853U && ext <= sizeof tmpl_fp ? ext : 512;
	memcpy(tmpl_fp, fp, fp_size);
}

static unsigned char frame[sizeof(ucontext_t)] __attribute__((aligned(64)));
static unsigned char fpbuf[16384 + 64] __attribute__((aligned(64)));
static unsigned char stack[65536] __attribute__((aligned(16)));

#define G(uc) (((ucontext_t *)(uc))->uc_mcontext.gregs)

enum { C_CS, C_SS, C_SS_STRICT, C_CSGSFS, C_EFLAGS, C_RIP, C_RSP, C_FP, C_FPBYTES, C_FLAGS, C_MASK };
struct tcase {
	const char *name;
	int what;
	uint64_t val;
	uint64_t off; /* for C_FPBYTES: offset into the XSAVE area */
};

static const struct tcase cases[] = {
	{ "unchanged", C_FLAGS, 0xffffffffffffffffULL, 0 },
	{ "cs=0", C_CS, 0, 0 },
	{ "cs=0x10 (kernel code)", C_CS, 0x10, 0 },
	{ "cs=0x2b (user data)", C_CS, 0x2b, 0 },
	{ "cs=0x7 (ldt)", C_CS, 0x7, 0 },
	{ "cs=0xffff", C_CS, 0xffff, 0 },
	{ "ss=0", C_SS, 0, 0 },
	{ "ss=0x33 (user code)", C_SS, 0x33, 0 },
	{ "ss=0x10", C_SS, 0x10, 0 },
	{ "ss=0 strict", C_SS_STRICT, 0, 0 },
	{ "ss=0x2b strict", C_SS_STRICT, 0x2b, 0 },
	{ "ss=0x7 strict", C_SS_STRICT, 0x7, 0 },
	{ "ss=0x33 strict", C_SS_STRICT, 0x33, 0 },
	{ "ss=0x10 strict", C_SS_STRICT, 0x10, 0 },
	{ "fs=gs=0x7", C_CSGSFS, 0x0007000700000000ULL, 0 },
	{ "fs=gs=0xffff", C_CSGSFS, 0xffffffff00000000ULL, 0 },
	{ "eflags=all but TF", C_EFLAGS, 0xfffffffffffffeffULL, 0 },
	{ "eflags=TF", C_EFLAGS, 0x302, 0 },
	{ "eflags=IOPL3|NT|VM|VIF|VIP|ID", C_EFLAGS, 0x3f7202, 0 },
	{ "eflags=0", C_EFLAGS, 0, 0 },
	{ "rip=non-canonical", C_RIP, 0x0000800000000000ULL, 0 },
	{ "rip=kernel", C_RIP, 0xffffffff81000000ULL, 0 },
	{ "rip=0", C_RIP, 0, 0 },
	{ "rip=hlt", C_RIP, 1, 0 },
	{ "rsp=non-canonical", C_RSP, 0x0000800000000000ULL, 0 },
	{ "rsp=kernel", C_RSP, 0xffff800000000000ULL, 0 },
	{ "fpstate=NULL", C_FP, 0, 0 },
	{ "fpstate=kernel", C_FP, 0xffff800000000000ULL, 0 },
	{ "fpstate=unmapped", C_FP, 0x10000, 0 },
	{ "fpstate=non-canonical", C_FP, 0x0000800000000000ULL, 0 },
	{ "fpstate=unaligned by 8", C_FP, 8, 0 },
	{ "fpstate=unaligned by 16", C_FP, 16, 0 },
	{ "fpstate=at the stub", C_FP, 0x7fffff001000ULL, 0 },
	{ "mxcsr reserved bits", C_FPBYTES, 0xffffffffULL, 24 },
	{ "mxcsr_mask garbage", C_FPBYTES, 0xffffffffULL, 28 },
	{ "fcw garbage", C_FPBYTES, 0xffffULL, 0 },
	{ "xstate_bv all ones", C_FPBYTES, 0xffffffffffffffffULL, 512 },
	{ "xstate_bv bit 63 (compacted)", C_FPBYTES, 0x8000000000000000ULL, 512 },
	{ "xcomp_bv set", C_FPBYTES, 0x8000000000000003ULL, 520 },
	{ "xsave header reserved", C_FPBYTES, 0xffffffffffffffffULL, 528 },
	{ "sw magic1 cleared", C_FPBYTES, 0, 464 },
	{ "sw magic1 cleared, xstate_bv all ones", C_FPBYTES, 0xffffffffffffffffULL, 0x10000 + 512 },
	{ "sw magic1 cleared, xsave header reserved", C_FPBYTES, 0xffffffffffffffffULL, 0x10000 + 528 },
	{ "sw extended_size huge", C_FPBYTES, 0x7fffffff46505853ULL, 464 },
	{ "sw extended_size tiny", C_FPBYTES, 0x0000001046505853ULL, 464 },
	{ "sw xfeatures garbage", C_FPBYTES, 0xffffffffffffffffULL, 472 },
	{ "sw xstate_size huge", C_FPBYTES, 0x00000000ffffffffULL, 480 },
	{ "magic2 cleared", C_FPBYTES, 0, 0xffff },
	{ "uc_flags garbage", C_FLAGS, 0xfffffffffffffffbULL, 0 },
	{ "mask with SIGKILL and SIGSTOP", C_MASK, 0xffffffffffffffffULL, 0 },
};

static void on_segv(int sig)
{
	(void)sig;
	_exit(43);
}

static void run_case(const struct tcase *c, int handler)
{
	if (handler) {
		static char alt[65536];
		stack_t ss = { .ss_sp = alt, .ss_size = sizeof alt };
		sigaltstack(&ss, NULL);
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_segv;
		sa.sa_flags = SA_ONSTACK;
		sigaction(SIGSEGV, &sa, NULL);
	}
	memcpy(frame, tmpl, KFRAME);
	memcpy(fpbuf, tmpl_fp, fp_size);
	ucontext_t *uc = (ucontext_t *)frame;
	G(uc)[REG_RIP] = (uint64_t)(uintptr_t)exit42_asm;
	G(uc)[REG_RSP] = (uint64_t)(uintptr_t)(stack + sizeof stack - 64);
	uc->uc_mcontext.fpregs = (void *)fpbuf;
	uc->uc_flags &= ~(unsigned long)UC_STRICT_RESTORE_SS;
	uint64_t *csgsfs = (uint64_t *)&G(uc)[REG_CSGSFS]; /* cs, gs, fs, ss: 16 bits each */
	switch (c->what) {
	case C_CS: *csgsfs = (*csgsfs & ~0xffffULL) | c->val; break;
	case C_SS_STRICT: uc->uc_flags |= UC_STRICT_RESTORE_SS; /* fall through */
	case C_SS: *csgsfs = (*csgsfs & ~(0xffffULL << 48)) | (c->val << 48); break;
	case C_CSGSFS: *csgsfs = (*csgsfs & 0xffff00000000ffffULL) | (c->val & 0x0000ffffffff0000ULL); break;
	case C_EFLAGS: G(uc)[REG_EFL] = c->val; break;
	case C_RIP: G(uc)[REG_RIP] = c->val == 1 ? (uint64_t)(uintptr_t)hlt_asm : c->val; break;
	case C_RSP: G(uc)[REG_RSP] = c->val; break;
	case C_FP:
		uc->uc_mcontext.fpregs = c->val < 4096 && c->val ? (void *)(fpbuf + c->val) : (void *)(uintptr_t)c->val;
		if (c->val < 4096 && c->val)
			memmove(fpbuf + c->val, tmpl_fp, fp_size < sizeof fpbuf - 64 ? fp_size : sizeof fpbuf - 64);
		break;
	case C_FPBYTES: {
		if (c->off & 0x10000) { /* with magic1 cleared too */
			memset(fpbuf + 464, 0, 4);
			memcpy(fpbuf + (c->off & 0xffff), &c->val, 8);
			break;
		}
		size_t off = c->off == 0xffff ? fp_size - 4 : c->off;
		size_t n = c->off == 0 ? 2 : c->off == 24 || c->off == 28 || c->off == 0xffff ? 4 : 8;
		if (off + n <= sizeof fpbuf)
			memcpy(fpbuf + off, &c->val, n);
		break;
	}
	case C_FLAGS:
		if (c->val != 0xffffffffffffffffULL)
			uc->uc_flags = c->val;
		break;
	case C_MASK: memcpy(&uc->uc_sigmask, &c->val, 8); break;
	}
	__asm__ volatile("mov %0, %%rsp\n mov $15, %%eax\n syscall\n ud2" ::"r"(frame) : "memory");
}

int main(void)
{
	struct rlimit no_core = { 0, 0 };
	setrlimit(RLIMIT_CORE, &no_core);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = capture;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	signal(SIGUSR1, SIG_DFL);
	printf("captured: fpstate %s\n", fp_size > 512 ? "xsave" : "fxsave");
	for (int h = 0; h < 2; h++)
		for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
			const char *how = h ? " (SIGSEGV handler)" : "";
			fflush(stdout);
			pid_t c = fork();
			if (c == 0)
				run_case(&cases[i], h);
			int st;
			if (c < 0 || waitpid(c, &st, 0) != c) {
				printf("%s%s: fork/wait failed\n", cases[i].name, how);
				continue;
			}
			if (WIFEXITED(st))
				printf("%s%s: exit %d\n", cases[i].name, how, WEXITSTATUS(st));
			else
				printf("%s%s: signal %d\n", cases[i].name, how, WTERMSIG(st));
		}
	printf("sigframe done\n");
	return 0;
}
