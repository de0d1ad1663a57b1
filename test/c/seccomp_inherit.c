/*
 * A task's filters are inherited by fork (the child's own filters stay
 * its own), survive execve (the program runs itself again with an
 * argument), and are counted in /proc/PID/status's Seccomp and
 * Seccomp_filters lines; no_new_privs goes along too.
 */
#include "seccomp.h"

static void stage2(void)
{
	show_magic("after exec");
	show("after exec: mode", SYS(SYS_prctl, PR_GET_SECCOMP, 0, 0, 0, 0));
	show_status("after exec", "/proc/self/status");
	show("after exec: one more", install_magic(SECCOMP_RET_ERRNO | 3, 0));
	show_magic("after exec: the newer errno");
	show_status("after exec, one more", "/proc/self/status");
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "stage2") == 0) {
		stage2();
		printf("stage2 done\n");
		return 0;
	}
	show_status("start", "/proc/self/status");
	show_magic("unfiltered");
	show("no_new_privs", SYS(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
	show("filter 1", install_magic(SECCOMP_RET_ERRNO | 1, 0));
	show("filter 2", install_magic(SECCOMP_RET_ERRNO | 2, SECCOMP_FILTER_FLAG_LOG));
	show_magic("filtered");
	show_status("two filters", "/proc/self/status");

	fflush(stdout);
	pid_t p = fork();
	if (p == 0) {
		show_magic("child");
		show_status("child", "/proc/self/status");
		show("child: its own filter", install_magic(SECCOMP_RET_ERRNO | 5, 0));
		show_magic("child: filtered by its own");
		show_status("child, three", "/proc/self/status");
		fflush(stdout);
		_exit(0);
	}
	int st;
	waitpid(p, &st, 0);
	show_magic("parent after the child");
	show_status("parent after the child", "/proc/self/status");

	/* A child that is still running: its status file, read by the parent. */
	int pipefd[2];
	if (pipe(pipefd) != 0)
		return 1;
	fflush(stdout);
	p = fork();
	if (p == 0) {
		char c;
		close(pipefd[1]);
		install_magic(SECCOMP_RET_ERRNO | 6, 0);
		install_magic(SECCOMP_RET_ERRNO | 7, 0);
		/* Blocks until the parent has looked. */
		if (read(pipefd[0], &c, 1) < 0)
			_exit(2);
		_exit(0);
	}
	close(pipefd[0]);
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/status", p);
	/* The child's filters are in place once it blocks in read; poll its status until then. */
	for (int i = 0; i < 2000; i++) {
		FILE *f = fopen(path, "r");
		char line[128];
		int n = -1;
		while (f != NULL && fgets(line, sizeof line, f))
			sscanf(line, "Seccomp_filters: %d", &n);
		if (f != NULL)
			fclose(f);
		if (n == 4)
			break;
		usleep(1000);
	}
	show_status("running child", path);
	if (write(pipefd[1], "x", 1) != 1)
		return 1;
	waitpid(p, &st, 0);

	/* exec: the filters and no_new_privs stay. */
	fflush(stdout);
	p = fork();
	if (p == 0) {
		execl(argv[0], argv[0], "stage2", (char *)NULL);
		printf("exec failed\n");
		_exit(1);
	}
	waitpid(p, &st, 0);
	printf("exec child: exit %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	printf("done\n");
	return 0;
}
