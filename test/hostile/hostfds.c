/*
 * The Sentry's own descriptors: every open host file costs the Sentry one,
 * so a program opening files until it fails used up the Sentry's
 * RLIMIT_NOFILE (the host's EMFILE came back, and then nothing in the
 * sandbox could open a file). The sandbox's bound (--max-host-fds) stops
 * it first with ENFILE, for every process of the sandbox, and closing
 * gives the descriptors back.
 *
 * Must get (run with --max-host-fds 64): "child: ENFILE after N", "parent
 * while the child holds them: ENFILE", "parent after the child: ok",
 * "pipe: ok", status 0.
 */
#include "../c/common.h"
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	int go[2], held[2];
	pipe(go);
	pipe(held);
	pid_t p = fork();
	if (p == 0) {
		int n = 0;
		while (open("/etc/passwd", O_RDONLY) >= 0)
			n++;
		printf("child: %s after %s\n", errname(errno), n > 16 ? "many" : "few");
		char b = 1;
		write(held[1], &b, 1);
		read(go[0], &b, 1);
		_exit(0);
	}
	char b;
	read(held[0], &b, 1);
	int fd = open("/etc/passwd", O_RDONLY);
	printf("parent while the child holds them: %s\n", fd < 0 ? errname(errno) : "opened");
	write(go[1], &b, 1);
	waitpid(p, NULL, 0);
	fd = open("/etc/passwd", O_RDONLY);
	printf("parent after the child: %s\n", fd < 0 ? errname(errno) : "ok");
	int q[2];
	printf("pipe: %s\n", pipe(q) == 0 ? "ok" : errname(errno));
	return 0;
}
