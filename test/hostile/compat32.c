/*
 * Finding 1 of issue 5: a program switches itself to 32-bit mode (a far
 * return to cs=0x23) and touches a page that is not mapped yet. The Sentry
 * maps pages lazily, so the touch faults into the Sentry, which must inject
 * its mmap with registers it chooses, not the program's: with the program's
 * cs the injected `syscall` ran in compat mode, faulted, and the tracer
 * retried it for ever. Then a signal is delivered while the program is in
 * 32-bit mode: its handler must run in 64-bit mode (Linux's frame setup
 * sets cs and ss), and sigreturn brings back the 32-bit context.
 *
 * Must get, natively and under tsvisor: the same lines, status 0.
 */
#include "../c/common.h"
#include <signal.h>
#include <sys/mman.h>

/* In low memory (MAP_32BIT), reachable from 32-bit mode. */
static unsigned char *code, *data, *stack;
static volatile unsigned long *saved;

static void emit(unsigned char **p, const void *bytes, size_t n)
{
	memcpy(*p, bytes, n);
	*p += n;
}

static void emit32(unsigned char **p, uint32_t v)
{
	emit(p, &v, 4);
}

/*
 * 32-bit code: load the data selectors, store to `target` (a page not yet
 * touched: the fault), spin `spins` times (a window for a signal), then
 * far-return to the 64-bit landing, which restores the saved rsp and jumps
 * back to the C code.
 */
static void build(uint32_t target, uint32_t spins)
{
	unsigned char *p = code;
	emit(&p, "\xb8\x2b\x00\x00\x00", 5);	/* mov $0x2b, %eax */
	emit(&p, "\x8e\xd8", 2);		/* mov %eax, %ds */
	emit(&p, "\x8e\xc0", 2);		/* mov %eax, %es */
	emit(&p, "\xc7\x05", 2);		/* movl $0x12345678, target */
	emit32(&p, target);
	emit32(&p, 0x12345678);
	emit(&p, "\xb9", 1);			/* mov $spins, %ecx */
	emit32(&p, spins);
	emit(&p, "\xe2\xfe", 2);		/* 1: loop 1b */
	unsigned char *landing_ref;
	emit(&p, "\x6a\x33", 2);		/* push $0x33 */
	emit(&p, "\x68", 1);			/* push $landing */
	landing_ref = p;
	emit32(&p, 0);
	emit(&p, "\xcb", 1);			/* lret */
	uint32_t landing = (uint32_t)(uintptr_t)p;
	memcpy(landing_ref, &landing, 4);
	/* 64-bit: mov saved[0], %rsp; jmp *saved[1] */
	emit(&p, "\x48\x8b\x24\x25", 4);
	emit32(&p, (uint32_t)(uintptr_t)&saved[0]);
	emit(&p, "\xff\x24\x25", 3);
	emit32(&p, (uint32_t)(uintptr_t)&saved[1]);
}

static void run32(void)
{
	unsigned long top = (unsigned long)stack + 65536 - 64;
	__asm__ volatile(
		"mov %%rsp, 0(%0)\n\t"
		"lea 1f(%%rip), %%rax\n\t"
		"mov %%rax, 8(%0)\n\t"
		"mov %1, %%rsp\n\t"
		"pushq $0x23\n\t"
		"pushq %2\n\t"
		"lretq\n"
		"1:\n\t"
		"xor %%eax, %%eax\n\t"
		"mov %%eax, %%ds\n\t"
		"mov %%eax, %%es\n\t"
		:
		: "r"(saved), "r"(top), "r"((unsigned long)code)
		: "rax", "rcx", "memory", "cc");
}

static volatile int handled;
static volatile unsigned long handler_cs;

static void on_alarm(int sig)
{
	unsigned short cs;
	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	handler_cs = cs;
	handled++;
	(void)sig;
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	data = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	stack = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (code == MAP_FAILED || data == MAP_FAILED || stack == MAP_FAILED) {
		printf("mmap: %s\n", errname(errno));
		return 1;
	}
	saved = (volatile unsigned long *)stack; /* touched: stays mapped */
	saved[0] = 0;

	/* A store to an untouched page from 32-bit mode. */
	build((uint32_t)(uintptr_t)(data + 4096), 1);
	run32();
	printf("store from 32-bit mode: %#x\n", *(uint32_t *)(data + 4096));

	/* A signal while in 32-bit mode: the handler runs in 64-bit mode. */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	/* About half a second of spinning; the alarm comes after 20 ms. */
	build((uint32_t)(uintptr_t)(data + 8192), 400000000u);
	ualarm(20000, 0);
	run32();
	printf("handler ran: %d, in cs %#lx\n", handled, handler_cs);
	printf("second store: %#x\n", *(uint32_t *)(data + 8192));
	return 0;
}
