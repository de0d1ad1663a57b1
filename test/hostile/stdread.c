/*
 * A read from a host descriptor that never becomes readable (the write
 * end of the socket the caller gave as stdout) must not outlive the
 * program: the Sentry used to start a blocking read on libuv's thread
 * pool, which nothing could cancel, and Node could not exit after the
 * program did (the fuzzer found it through a read of its stdout).
 *
 * Must get: "reader started", status 0, and tsvisor gone with the program.
 */
#include "../c/common.h"
#include <pthread.h>
#include <time.h>

static void *reader(void *arg)
{
	char b;
	(void)arg;
	read(1, &b, 1);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, reader, NULL);
	printf("reader started\n");
	fflush(stdout);
	struct timespec ts = {0, 100 * 1000 * 1000};
	nanosleep(&ts, NULL);
	return 0;
}
