/*
 * For the stub-lifetime tests: sleep argv[1] milliseconds, then exit 0
 * ("exit") or die of SIGSEGV ("crash"). Static, so that nothing but the
 * program itself runs in the stub.
 */
#include "common.h"
#include <sys/resource.h>
#include <time.h>

int main(int argc, char **argv)
{
	long ms = argc > 1 ? atol(argv[1]) : 1000;
	const char *mode = argc > 2 ? argv[2] : "exit";
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	struct rlimit no = {0, 0};
	setrlimit(RLIMIT_CORE, &no);
	printf("sleeping\n");
	while (SYS(SYS_nanosleep, &ts, &ts) == -1 && errno == EINTR)
		;
	printf("woke\n");
	if (strcmp(mode, "crash") == 0)
		*(volatile int *)0 = 1;
	return 0;
}
