/*
 * Death by SIGSEGV: a store through a NULL pointer with the default action,
 * so the shell status is 128 + 11 = 139. Core dumps are switched off first.
 */
#include "common.h"
#include <sys/resource.h>

int main(void)
{
	struct rlimit no = {0, 0};
	setrlimit(RLIMIT_CORE, &no);
	printf("dereferencing NULL\n");
	*(volatile int *)0 = 1;
	printf("still alive\n");
	return 0;
}
