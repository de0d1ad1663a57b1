/*
 * A zombie's /proc entries: a process that has exited and not been
 * reaped keeps its pid, but not its root, working directory or mount
 * namespace (Linux's exit_fs and exit_task_namespaces at exit): cwd and
 * root are ENOENT, mounts and mountinfo EINVAL at open, while stat still
 * shows it (state Z). Under tsvisor the same frees what a zombie held: a
 * destroyed sub-container's mounts once its last processes are zombies
 * nobody reaps.
 */
#include "common.h"
#include <fcntl.h>
#include <sys/wait.h>

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	pid_t p = fork();
	if (p == 0)
		_exit(3);
	siginfo_t si;
	/* Waits for the exit without reaping it. */
	show("waitid", waitid(P_PID, p, &si, WEXITED | WNOWAIT));
	char path[64], name[64], buf[256];
	const char *links[] = { "cwd", "root" };
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof path, "/proc/%d/%s", p, links[i]);
		snprintf(name, sizeof name, "readlink %s", links[i]);
		show(name, readlink(path, buf, sizeof buf) < 0 ? -1 : 0);
	}
	const char *files[] = { "mounts", "mountinfo" };
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof path, "/proc/%d/%s", p, files[i]);
		snprintf(name, sizeof name, "open %s", files[i]);
		int fd = open(path, O_RDONLY);
		show(name, fd < 0 ? -1 : 0);
		if (fd >= 0) close(fd);
	}
	snprintf(path, sizeof path, "/proc/%d/stat", p);
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = 0;
	char *rp = strrchr(buf, ')');
	printf("state: %c\n", rp != NULL && rp[1] == ' ' ? rp[2] : '?');
	int st;
	show("waitpid", waitpid(p, &st, 0) == p ? 0 : -1);
	printf("status: %d\n", WEXITSTATUS(st));
	printf("done\n");
	return 0;
}
