/*
 * 32-bit system calls from a 64-bit program: `int $0x80` (with 64-bit
 * registers that would make a write(2) of the x86-64 table) and
 * `sysenter`. The Sentry serves only the x86-64 table, so `int $0x80`
 * fails with ENOSYS instead of being taken for the x86-64 call of the same
 * number; `sysenter` from 64-bit code is an invalid instruction on AMD and
 * leaves the thread at no valid address on Intel: a signal either way. No
 * host system call is ever made for the program.
 *
 * Must get under tsvisor exactly (natively an int $0x80 runs the i386
 * table): "int80: -38", "sysenter: killed by SIGILL" or "by SIGSEGV",
 * status 0.
 */
#include "../c/common.h"
#include <signal.h>
#include <sys/wait.h>

static const char msg[] = "int80 was taken for write(2)\n";

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	long r;
	/* eax 1: exit in the i386 table, write in the x86-64 one. */
	__asm__ volatile("int $0x80"
			 : "=a"(r)
			 : "a"(1), "b"(7), "D"(1), "S"(msg), "d"(sizeof msg - 1)
			 : "rcx", "r11", "memory");
	printf("int80: %ld\n", r);

	pid_t p = fork();
	if (p == 0) {
		__asm__ volatile("sysenter" ::: "memory");
		_exit(0);
	}
	int st;
	waitpid(p, &st, 0);
	if (WIFSIGNALED(st))
		printf("sysenter: killed by %s\n", WTERMSIG(st) == SIGILL ? "SIGILL" : WTERMSIG(st) == SIGSEGV ? "SIGSEGV" : "another signal");
	else
		printf("sysenter: exited %d\n", WEXITSTATUS(st));
	return 0;
}
