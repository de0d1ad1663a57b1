/*
 * killload: a load for killing the Sentry at random moments. It keeps
 * several sleeping children (many stubs), and in a loop forks children that
 * start threads, make heavy system calls (1 MiB reads of /dev/zero, pipe
 * traffic) and exec this program again ("killload child") before exiting.
 * It never ends by itself; the test SIGKILLs tsvisor while it runs and then
 * checks that no stub of that sandbox is left.
 */
#include "../c/common.h"
#include <fcntl.h>
#include <pthread.h>
#include <sys/wait.h>
#include <time.h>

static void *spin(void *arg)
{
	(void)arg;
	static char buf[1 << 20];
	int z = open("/dev/zero", O_RDONLY);
	for (int i = 0; i < 20; i++)
		if (read(z, buf, sizeof buf) < 0)
			break;
	close(z);
	return NULL;
}

static void work(void)
{
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, spin, NULL);
	int p[2];
	if (pipe(p) == 0) {
		char b[4096] = { 0 };
		for (int i = 0; i < 50; i++)
			if (write(p[1], b, sizeof b) < 0 || read(p[0], b, sizeof b) < 0)
				break;
	}
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "child") == 0) {
		work();
		return 0;
	}
	for (int i = 0; i < 6; i++)
		if (fork() == 0)
			for (;;) {
				struct timespec ts = { 0, 20 * 1000 * 1000 };
				nanosleep(&ts, NULL);
			}
	for (;;) {
		pid_t c = fork();
		if (c == 0) {
			work();
			execl("/proc/self/exe", argv[0], "child", (char *)NULL);
			_exit(127);
		}
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		spin(NULL);
	}
}
