/*
 * Prints what a program can learn about its surroundings from /proc: its own
 * maps, environment, command line, status, exe and cwd links, descriptor
 * links, mounts, and pid 1's command line and environment. Under tsvisor none
 * of it may mention the Sentry (node, tsvisor, the stub) or host paths the
 * sandbox was not given. Files that cannot be read are reported, not fatal.
 */
#include "common.h"
#include <fcntl.h>

static void dump(const char *path, char nul)
{
	static char buf[1 << 20];
	long fd = SYS(SYS_open, path, O_RDONLY);
	printf("==> %s\n", path);
	if (fd < 0) {
		show("open", fd);
		return;
	}
	long n, total = 0;
	while ((n = SYS(SYS_read, fd, buf, sizeof buf)) > 0) {
		for (long i = 0; i < n; i++)
			putchar(buf[i] == 0 ? nul : buf[i]);
		total += n;
	}
	if (n < 0)
		show("read", n);
	if (total > 0 && buf[(total - 1) % sizeof buf] != '\n')
		putchar('\n');
	SYS(SYS_close, fd);
}

static void link_of(const char *path)
{
	char buf[4096];
	long n = SYS(SYS_readlink, path, buf, sizeof buf - 1);
	if (n < 0) {
		printf("%s -> ", path);
		show("readlink", n);
		return;
	}
	buf[n] = 0;
	printf("%s -> %s\n", path, buf);
}

int main(void)
{
	dump("/proc/self/maps", '\n');
	dump("/proc/self/environ", '\n');
	dump("/proc/self/cmdline", ' ');
	dump("/proc/1/cmdline", ' ');
	dump("/proc/1/environ", '\n');
	dump("/proc/self/status", '\n');
	dump("/proc/self/stat", ' ');
	dump("/proc/self/mountinfo", '\n');
	dump("/proc/self/cgroup", '\n');
	link_of("/proc/self/exe");
	link_of("/proc/self/cwd");
	link_of("/proc/self/root");
	link_of("/proc/1/exe");
	for (int fd = 0; fd < 16; fd++) {
		char p[64];
		snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
		if (SYS(SYS_fcntl, fd, 1 /* F_GETFD */) >= 0)
			link_of(p);
	}
	printf("leaks done\n");
	return 0;
}
