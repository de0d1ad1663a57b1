/*
 * rt_sigreturn(2) without a signal frame: with the stack pointer in unmapped
 * memory the frame cannot be read, and Linux kills the process with SIGSEGV
 * (status 139). Core dumps are switched off first. (procs.c covers the
 * normal return from a handler.)
 */
#include "common.h"
#include <sys/mman.h>
#include <sys/resource.h>

int main(void)
{
	struct rlimit no = {0, 0};
	setrlimit(RLIMIT_CORE, &no);
	char *p = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 1;
	munmap(p, 2 * 4096);
	printf("rt_sigreturn with the stack pointer in unmapped memory\n");
	__asm__ volatile("mov %0, %%rsp\n\t"
			 "mov %1, %%eax\n\t"
			 "syscall\n\t"
			 "ud2"
			 :
			 : "r"(p + 4096), "i"(SYS_rt_sigreturn)
			 : "memory");
	printf("rt_sigreturn returned\n");
	return 0;
}
