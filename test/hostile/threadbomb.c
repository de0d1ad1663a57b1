/*
 * threadbomb: pthread_create until it fails. Each thread blocks reading a
 * pipe. The sandbox bounds its tasks (Kernel.maxTasks, 1024, the main
 * thread included), so the 1024th thread fails with EAGAIN; then the pipe
 * is closed, every thread returns and is joined, and the program exits 0.
 * Prints the errno and the number of threads made. Run only under tsvisor
 * (natively the bound is the host's).
 */
#include "../c/common.h"
#include <pthread.h>

static int p[2];

static void *waiter(void *arg)
{
	(void)arg;
	char c;
	while (read(p[0], &c, 1) > 0)
		;
	return NULL;
}

int main(void)
{
	static pthread_t th[4096];
	if (pipe(p) < 0)
		return 2;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	int n = 0, err = 0;
	while (n < 4096) {
		err = pthread_create(&th[n], &attr, waiter, NULL);
		if (err != 0)
			break;
		n++;
	}
	printf("pthread_create: %s after %d threads\n", err ? errname(err) : "no failure", n);
	/* a fork fails the same way while the threads exist */
	fflush(stdout);
	pid_t c = fork();
	if (c == 0)
		_exit(0);
	printf("fork at the limit: %s\n", c < 0 ? errname(errno) : "ok");
	close(p[1]);
	int joined = 0;
	for (int i = 0; i < n; i++)
		joined += pthread_join(th[i], NULL) == 0;
	printf("joined: %d\n", joined);
	/* with the threads gone, threads and processes can be made again */
	pthread_t again;
	printf("pthread_create after: %d\n", pthread_create(&again, &attr, waiter, NULL) == 0 && pthread_join(again, NULL) == 0);
	printf("threadbomb done\n");
	return 0;
}
