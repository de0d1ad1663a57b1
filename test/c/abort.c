/*
 * Death by SIGABRT: abort() raises SIGABRT with the default action, so the
 * shell status is 128 + 6 = 134. Core dumps are switched off first so that
 * running this natively never writes a core file.
 */
#include "common.h"
#include <sys/resource.h>

int main(void)
{
	struct rlimit no = {0, 0};
	setrlimit(RLIMIT_CORE, &no);
	printf("aborting\n");
	abort();
}
