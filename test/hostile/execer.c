/*
 * execer DIR NAME...: execve(DIR/NAME) for each name in a fresh child, and
 * prints how it ended: "NAME: -1 ERRNO" when execve returned (the errno
 * travels back through a close-on-exec pipe), else "NAME: exit N" or
 * "NAME: signal N". The files are hostile executables that
 * test/hostile-attacks.test.js builds: ELF files with overlapping, huge,
 * misaligned, truncated or misplaced segments, PT_INTERP pointing at
 * itself, a directory, a huge file, a missing file, chains of #!
 * interpreters, empty files. Natively and under tsvisor each must end the
 * same way (except where a line says the sandbox's address space differs).
 */
#include "../c/common.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

int main(int argc, char **argv)
{
	struct rlimit no_core = { 0, 0 };
	setrlimit(RLIMIT_CORE, &no_core);
	if (argc < 2)
		return 2;
	for (int i = 2; i < argc; i++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", argv[1], argv[i]);
		int p[2];
		if (pipe2(p, O_CLOEXEC) < 0)
			return 2;
		fflush(stdout);
		pid_t c = fork();
		if (c == 0) {
			close(p[0]);
			char *args[] = { path, NULL }, *env[] = { "PATH=/usr/bin:/bin", NULL };
			syscall(SYS_execve, path, args, env);
			int e = errno;
			if (write(p[1], &e, sizeof e) != sizeof e)
				_exit(126);
			_exit(127);
		}
		close(p[1]);
		int e = 0, st = 0;
		ssize_t n = read(p[0], &e, sizeof e);
		close(p[0]);
		waitpid(c, &st, 0);
		if (n == sizeof e)
			printf("%s: -1 %s\n", argv[i], errname(e));
		else if (WIFEXITED(st))
			printf("%s: exit %d\n", argv[i], WEXITSTATUS(st));
		else
			printf("%s: signal %d\n", argv[i], WTERMSIG(st));
	}
	printf("execer done\n");
	return 0;
}
