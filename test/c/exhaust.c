/*
 * exhaust: tries to fill the Sentry's memory with kernel buffers. Several
 * processes each open as many pipes and socket pairs as their descriptor
 * limit allows and write all they can into each. Run only under tsvisor:
 * the sandbox's buffer budget and file limit must stop it, and the Sentry
 * must survive to report.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

static char chunk[65536];

static int fill(int fd)
{
	long total = 0, n;
	while ((n = write(fd, chunk, sizeof chunk)) > 0)
		total += n;
	return total > 0;
}

int main(void)
{
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	/* As many as the hard limit allows, up to 20000 each: enough to pass the buffer budget, and quick. */
	rl.rlim_cur = rl.rlim_max < 20000 ? rl.rlim_max : 20000;
	setrlimit(RLIMIT_NOFILE, &rl);
	memset(chunk, 'x', sizeof chunk);
	for (int c = 0; c < 4; c++) {
		if (fork() == 0) {
			long pipes = 0, pairs = 0;
			for (;;) {
				int p[2];
				if (pipe2(p, O_NONBLOCK) < 0)
					break;
				fill(p[1]);
				pipes++;
				int s[2];
				if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, s) < 0)
					break;
				fill(s[0]);
				pairs++;
			}
			_exit(pipes > 0 && pairs > 0 && (errno == EMFILE || errno == ENFILE) ? 0 : 1);
		}
	}
	int ok = 1, st;
	while (wait(&st) > 0)
		ok &= WIFEXITED(st) && WEXITSTATUS(st) == 0;
	printf("exhaust %s\n", ok ? "stopped by the limits" : "ended otherwise");
	return 0;
}
