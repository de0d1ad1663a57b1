/*
 * inotify's limits under tsvisor (run there only: natively the limits are
 * the host's, shared with every process on it). Root sets
 * /proc/sys/fs/inotify's files; max_user_watches gives ENOSPC,
 * max_user_instances EMFILE, max_queued_events (read when an instance is
 * made) IN_Q_OVERFLOW; a non-root user may not change them (EACCES).
 */
#include "common.h"
#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/wait.h>

static long setlimit(const char *name, const char *value)
{
	char path[128];
	snprintf(path, sizeof path, "/proc/sys/fs/inotify/%s", name);
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	long r = write(fd, value, strlen(value));
	int e = errno;
	close(fd);
	errno = e;
	return r;
}

static void getlimit(const char *name)
{
	char path[128], buf[32] = "";
	snprintf(path, sizeof path, "/proc/sys/fs/inotify/%s", name);
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
	if (fd >= 0)
		close(fd);
	printf("%s: %s", name, n > 0 ? buf : "?\n");
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	getlimit("max_user_instances");
	getlimit("max_user_watches");
	getlimit("max_queued_events");
	show("set_bad", setlimit("max_user_watches", "ten"));
	show("set_negative", setlimit("max_user_watches", "-1"));
	show("set_watches", setlimit("max_user_watches", "16\n"));
	getlimit("max_user_watches");

	int in = inotify_init1(IN_NONBLOCK);
	mkdir("/tmp/w", 0755);
	char p[64];
	int ok = 0;
	for (int i = 0; i < 20; i++) {
		snprintf(p, sizeof p, "/tmp/w/%d", i);
		close(open(p, O_CREAT | O_WRONLY, 0644));
		if (inotify_add_watch(in, p, IN_MODIFY) >= 0)
			ok++;
		else if (errno != ENOSPC)
			printf("add %d: %s\n", i, errname(errno));
	}
	printf("watches_added: %d\n", ok);
	show("add_past_limit", inotify_add_watch(in, "/tmp/w/19", IN_MODIFY));
	show("readd_existing", inotify_add_watch(in, "/tmp/w/0", IN_MODIFY | IN_MASK_ADD));
	show("rm_one", inotify_rm_watch(in, 1));
	show("add_after_rm", inotify_add_watch(in, "/tmp/w/19", IN_MODIFY) > 0);
	/* The watches of a closed instance are given back. */
	close(in);
	in = inotify_init1(IN_NONBLOCK);
	show("add_after_close", inotify_add_watch(in, "/tmp/w/1", IN_MODIFY) > 0);
	close(in);

	show("set_instances", setlimit("max_user_instances", "4"));
	int fds[8], n = 0;
	for (int i = 0; i < 8; i++) {
		fds[i] = inotify_init();
		if (fds[i] >= 0)
			n++;
		else if (errno != EMFILE)
			printf("init %d: %s\n", i, errname(errno));
	}
	printf("instances: %d\n", n);
	show("init_past_limit", inotify_init());
	for (int i = 0; i < 8; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	show("init_after_close", inotify_init() >= 0);

	show("set_queued", setlimit("max_queued_events", "10"));
	in = inotify_init1(IN_NONBLOCK);
	inotify_add_watch(in, "/tmp/w", IN_CREATE);
	for (int i = 0; i < 30; i++) {
		snprintf(p, sizeof p, "/tmp/w/n%d", i);
		close(open(p, O_CREAT | O_WRONLY, 0644));
	}
	char buf[4096] __attribute__((aligned(8)));
	ssize_t r = read(in, buf, sizeof buf);
	int events = 0, overflow = 0;
	for (char *q = buf; r > 0 && q < buf + r;) {
		struct inotify_event *e = (struct inotify_event *)q;
		events++;
		if (e->mask & IN_Q_OVERFLOW)
			overflow = e->wd;
		q += sizeof *e + e->len;
	}
	printf("queued: %d overflow wd %d\n", events, overflow);
	close(in);

	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		if (setuid(65534) < 0)
			_exit(2);
		show("nobody_set", setlimit("max_queued_events", "100"));
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	getlimit("max_queued_events");
	printf("done\n");
	return 0;
}
