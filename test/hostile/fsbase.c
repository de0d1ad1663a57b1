/*
 * Finding 2 of issue 5: the main thread sets a kernel-half FS base with
 * wrfsbase and blocks in a system call. Another thread unmaps a page. The
 * Sentry injected the munmap through the blocked thread, the host refused
 * its registers (PTRACE_SETREGS: EIO), the failure was dropped, and the
 * memory manager freed pages the program still had mapped: the next
 * mapping reused them, so the unmapped address showed another mapping's
 * bytes. An address-space change that cannot be made must never be
 * reported as made.
 *
 * Must get: "read after munmap: fault" (natively and under tsvisor). Then
 * natively the main thread restores its FS base and the program exits 0;
 * under tsvisor a thread whose FS base the host cannot restore is killed
 * with SIGSEGV (status 139), since ptrace cannot resume it.
 */
#include "../c/common.h"
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/auxv.h>
#include <time.h>
#include <sys/wait.h>

#define KERNEL_BASE 0xffff888000000000UL

static int wake[2], touched[2], go[2], done[2];
static sigjmp_buf env;

static void on_segv(int sig)
{
	siglongjmp(env, 1);
	(void)sig;
}

static void say(const char *s)
{
	write(1, s, strlen(s));
}

/* Another process of the sandbox, with a secret in fresh memory. */
static void sibling(void)
{
	char b;
	read(go[0], &b, 1);
	for (int i = 0; i < 8; i++) {
		char *q = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		memset(q, 'S', 1 << 20);
	}
	write(done[1], &b, 1);
	read(go[0], &b, 1); /* until the parent is done */
	_exit(0);
}

static void *victim(void *arg)
{
	(void)arg;
	char b = 1;
	char *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(p, 'A', 1 << 20);
	write(touched[1], &b, 1);
	struct timespec ts = {0, 200 * 1000 * 1000};
	nanosleep(&ts, NULL); /* the main thread is blocked by now */
	munmap(p, 1 << 20);
	/* Keep the address taken (inaccessible), so that a later mapping
	 * of this process does not land there. */
	mmap(p, 1 << 20, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	write(go[1], &b, 1);
	read(done[0], &b, 1);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_segv;
	sigaction(SIGSEGV, &sa, NULL);
	if (sigsetjmp(env, 1) == 0) {
		volatile char c = p[4096];
		say(c == 'S' ? "read after munmap: a sibling's bytes\n" :
		    c == 'A' ? "read after munmap: the old bytes\n" : "read after munmap: other\n");
	} else {
		say("read after munmap: fault\n");
	}
	write(go[1], &b, 1);
	write(wake[1], &b, 1);
	return NULL;
}

int main(void)
{
	if (!(getauxval(AT_HWCAP2) & 2)) { /* HWCAP2_FSGSBASE: the kernel enabled wrfsbase */
		say("read after munmap: fault\n");
		return 0;
	}
	pipe(wake);
	pipe(touched);
	pipe(go);
	pipe(done);
	pid_t child = fork();
	if (child == 0)
		sibling();
	pthread_t t;
	pthread_create(&t, NULL, victim, NULL);
	char b;
	read(touched[0], &b, 1);
	unsigned long old, kern = KERNEL_BASE;
	long r;
	/* No libc between the two wrfsbase: TLS is unusable in between. */
	__asm__ volatile(
		"rdfsbase %[old]\n\t"
		"wrfsbase %[kern]\n\t"
		"syscall\n\t"
		"wrfsbase %[old]\n\t"
		: [old] "=&r"(old), "=a"(r)
		: [kern] "r"(kern), "a"(SYS_read), "D"(wake[0]), "S"(&b), "d"(1)
		: "rcx", "r11", "memory");
	pthread_join(t, NULL);
	waitpid(child, NULL, 0);
	return r == 1 ? 0 : 1;
}
