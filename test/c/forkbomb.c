/*
 * forkbomb: forks children that sleep until fork fails, then exits. Linux
 * and tsvisor both stop it with EAGAIN (a pid limit); the children die
 * with the sandbox's first process. Run only under tsvisor.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	long n = 0;
	for (;;) {
		pid_t p = fork();
		if (p == 0) {
			for (;;)
				pause();
		}
		if (p < 0)
			break;
		n++;
	}
	printf("forked %s, then %s\n", n > 100 ? "many" : "few", errno == EAGAIN ? "EAGAIN" : "another error");
	return 0;
}
