/*
 * inotify: the events and their order for creating, writing, closing,
 * renaming (with a shared cookie), linking, deleting and changing
 * attributes in a watched directory and on a watched file; IN_ONESHOT,
 * IN_MASK_ADD, IN_MASK_CREATE, IN_ONLYDIR, IN_DONT_FOLLOW, IN_EXCL_UNLINK;
 * rm_watch and IN_IGNORED; IN_DELETE_SELF; IN_UNMOUNT; merging of
 * identical events; the read buffer rules (EINVAL when too small), EAGAIN,
 * FIONREAD, poll and epoll readiness, a blocking read woken by another
 * process and one interrupted by a signal; IN_Q_OVERFLOW at
 * max_queued_events.
 *
 * It runs in a private mount namespace on a tmpfs of its own over /tmp
 * (as test/c/vfs_tree.c), natively as root and under tsvisor.
 */
#include "private_tmp.h"
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>

#ifndef IN_MASK_CREATE
#define IN_MASK_CREATE 0x10000000
#endif

static const char *wdname[64];

static void maskstr(uint32_t m, char *out)
{
	static const struct { uint32_t bit; const char *name; } bits[] = {
		{IN_ACCESS, "ACCESS"}, {IN_MODIFY, "MODIFY"}, {IN_ATTRIB, "ATTRIB"},
		{IN_CLOSE_WRITE, "CLOSE_WRITE"}, {IN_CLOSE_NOWRITE, "CLOSE_NOWRITE"},
		{IN_OPEN, "OPEN"}, {IN_MOVED_FROM, "MOVED_FROM"}, {IN_MOVED_TO, "MOVED_TO"},
		{IN_CREATE, "CREATE"}, {IN_DELETE, "DELETE"}, {IN_DELETE_SELF, "DELETE_SELF"},
		{IN_MOVE_SELF, "MOVE_SELF"}, {IN_UNMOUNT, "UNMOUNT"}, {IN_Q_OVERFLOW, "Q_OVERFLOW"},
		{IN_IGNORED, "IGNORED"}, {IN_ISDIR, "ISDIR"},
	};
	out[0] = 0;
	for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++) {
		if (m & bits[i].bit) {
			if (out[0])
				strcat(out, "|");
			strcat(out, bits[i].name);
			m &= ~bits[i].bit;
		}
	}
	if (m)
		sprintf(out + strlen(out), "|0x%x", m);
}

static uint32_t last_cookie;

/* Prints every queued event (nonblocking fd) as "tag: wdname MASK name [cookie=prev|new]". */
static int drain(const char *tag, int fd)
{
	char buf[8192] __attribute__((aligned(8)));
	int n = 0;
	for (;;) {
		ssize_t r = read(fd, buf, sizeof buf);
		if (r < 0) {
			if (errno != EAGAIN)
				printf("%s: read %s\n", tag, errname(errno));
			break;
		}
		for (char *p = buf; p < buf + r;) {
			struct inotify_event *e = (struct inotify_event *)p;
			char m[200];
			maskstr(e->mask, m);
			const char *w = e->wd >= 0 && e->wd < 64 && wdname[e->wd] ? wdname[e->wd] : "?";
			printf("%s: %s(%d) %s '%s' len=%u", tag, e->wd == -1 ? "-1" : w, e->wd, m, e->len ? e->name : "", e->len);
			if (e->cookie) {
				printf(" cookie=%s", e->cookie == last_cookie ? "same" : "new");
				last_cookie = e->cookie;
			}
			printf("\n");
			p += sizeof *e + e->len;
			n++;
		}
	}
	if (n == 0)
		printf("%s: none\n", tag);
	return n;
}

static int addw(int fd, const char *path, uint32_t mask, const char *name)
{
	int wd = inotify_add_watch(fd, path, mask);
	if (wd < 0) {
		printf("add_watch %s: -1 %s\n", name, errname(errno));
		return wd;
	}
	if (wd < 64)
		wdname[wd] = name;
	printf("add_watch %s: wd %d\n", name, wd);
	return wd;
}

static void writestr(const char *path, const char *s, int flags)
{
	int fd = open(path, O_WRONLY | flags, 0644);
	if (fd < 0) {
		printf("open %s: %s\n", path, errname(errno));
		return;
	}
	if (write(fd, s, strlen(s)) < 0)
		printf("write %s: %s\n", path, errname(errno));
	close(fd);
}

static void on_alarm(int sig) { (void)sig; }

static void basics(void)
{
	int in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	show("init1", in >= 0 ? 0 : -1);
	show("cloexec", (fcntl(in, F_GETFD) & FD_CLOEXEC) != 0);
	show("nonblock", (fcntl(in, F_GETFL) & O_NONBLOCK) != 0);
	mkdir("/tmp/d", 0755);
	int dw = addw(in, "/tmp/d", IN_ALL_EVENTS, "dir");
	(void)dw;
	drain("nothing yet", in);

	writestr("/tmp/d/f", "hello", O_CREAT | O_TRUNC);
	drain("creat+write+close", in);
	addw(in, "/tmp/d/f", IN_ALL_EVENTS, "file");

	int fd = open("/tmp/d/f", O_RDONLY);
	char b[16];
	show("read", read(fd, b, sizeof b));
	show("read_eof", read(fd, b, sizeof b));
	close(fd);
	drain("open+read+close", in);

	/* Identical consecutive events merge; a read between them keeps both. */
	fd = open("/tmp/d/f", O_WRONLY);
	write(fd, "a", 1);
	write(fd, "b", 1);
	write(fd, "c", 1);
	drain("three writes", in);
	write(fd, "d", 1);
	drain("fourth write", in);
	close(fd);
	drain("close", in);

	show("chmod", chmod("/tmp/d/f", 0600));
	drain("chmod", in);
	show("chown", chown("/tmp/d/f", 1, 1));
	drain("chown", in);
	show("utimes", utimes("/tmp/d/f", NULL));
	drain("utimes", in);
	struct timespec ts[2] = {{0, UTIME_OMIT}, {5, 0}};
	show("utimensat_mtime", utimensat(AT_FDCWD, "/tmp/d/f", ts, 0));
	drain("utimensat_mtime", in);
	show("truncate", truncate("/tmp/d/f", 2));
	drain("truncate", in);
	writestr("/tmp/d/f", "x", O_TRUNC);
	drain("open O_TRUNC", in);

	show("mkdir", mkdir("/tmp/d/sub", 0755));
	show("symlink", symlink("f", "/tmp/d/ln"));
	show("mkfifo", mkfifo("/tmp/d/fifo", 0644));
	drain("mkdir+symlink+mkfifo", in);
	int dfd = open("/tmp/d", O_RDONLY | O_DIRECTORY);
	close(dfd);
	drain("opendir", in);

	show("rename", rename("/tmp/d/f", "/tmp/d/g"));
	drain("rename", in);
	show("rename_into_sub", rename("/tmp/d/g", "/tmp/d/sub/g"));
	drain("rename into sub", in);
	show("rename_back", rename("/tmp/d/sub/g", "/tmp/d/g"));
	drain("rename back", in);
	show("link", link("/tmp/d/g", "/tmp/d/h"));
	drain("link", in);
	show("unlink_h", unlink("/tmp/d/h"));
	drain("unlink h", in);

	/* A rename over a watched file: it loses its last name. */
	writestr("/tmp/d/victim", "v", O_CREAT);
	addw(in, "/tmp/d/victim", IN_ALL_EVENTS, "victim");
	drain("victim made", in);
	show("rename_over", rename("/tmp/d/g", "/tmp/d/victim"));
	drain("rename over", in);

	show("unlink_victim", unlink("/tmp/d/victim"));
	drain("unlink last name", in);
	show("rmdir_sub", rmdir("/tmp/d/sub"));
	unlink("/tmp/d/ln");
	unlink("/tmp/d/fifo");
	drain("rmdir+unlinks", in);
	show("rmdir_d", rmdir("/tmp/d"));
	drain("rmdir watched", in);
	close(in);
}

static void flags_and_errors(void)
{
	int in = inotify_init1(IN_NONBLOCK);
	mkdir("/tmp/e", 0755);
	writestr("/tmp/e/f", "", O_CREAT);
	symlink("f", "/tmp/e/ln");
	show("init1_badflags", inotify_init1(IN_NONBLOCK | 1));
	show("add_empty_mask", inotify_add_watch(in, "/tmp/e/f", 0));
	show("add_add_and_create", inotify_add_watch(in, "/tmp/e/f", IN_OPEN | IN_MASK_ADD | IN_MASK_CREATE));
	show("add_badfd", inotify_add_watch(999, "/tmp/e/f", IN_OPEN));
	show("add_not_inotify", inotify_add_watch(0, "/tmp/e/f", IN_OPEN));
	show("add_enoent", inotify_add_watch(in, "/tmp/e/none", IN_OPEN));
	show("add_efault", inotify_add_watch(in, BADPTR1, IN_OPEN));
	show("add_onlydir_file", inotify_add_watch(in, "/tmp/e/f", IN_OPEN | IN_ONLYDIR));
	show("rm_badwd", inotify_rm_watch(in, 12345));
	show("rm_not_inotify", inotify_rm_watch(0, 1));

	int w = addw(in, "/tmp/e/f", IN_OPEN, "f");
	show("mask_create_again", inotify_add_watch(in, "/tmp/e/f", IN_OPEN | IN_MASK_CREATE));
	show("same_wd_replace", inotify_add_watch(in, "/tmp/e/f", IN_CLOSE_NOWRITE) == w);
	int fd = open("/tmp/e/f", O_RDONLY);
	close(fd);
	drain("after replace (close only)", in);
	show("same_wd_add", inotify_add_watch(in, "/tmp/e/f", IN_OPEN | IN_MASK_ADD) == w);
	fd = open("/tmp/e/f", O_RDONLY);
	close(fd);
	drain("after mask_add (open and close)", in);
	show("same_wd_through_symlink", inotify_add_watch(in, "/tmp/e/ln", IN_OPEN | IN_MASK_ADD) == w);
	int lw = addw(in, "/tmp/e/ln", IN_ALL_EVENTS | IN_DONT_FOLLOW, "symlink");
	show("dont_follow_other_wd", lw != w);
	show("rm_watch", inotify_rm_watch(in, w));
	show("rm_watch_again", inotify_rm_watch(in, w));
	fd = open("/tmp/e/f", O_RDONLY);
	close(fd);
	drain("after rm_watch", in);

	/* IN_ONESHOT: one event, then IN_IGNORED. */
	int ow = addw(in, "/tmp/e/f", IN_MODIFY | IN_ONESHOT, "oneshot");
	writestr("/tmp/e/f", "1", 0);
	writestr("/tmp/e/f", "2", 0);
	drain("oneshot", in);
	show("rm_after_oneshot", inotify_rm_watch(in, ow));

	/* IN_EXCL_UNLINK: an open file whose name is gone raises nothing for it. */
	addw(in, "/tmp/e", IN_MODIFY | IN_EXCL_UNLINK, "dir_excl");
	int in2 = inotify_init1(IN_NONBLOCK);
	int w2 = inotify_add_watch(in2, "/tmp/e", IN_MODIFY);
	show("second_instance_wd", w2);
	fd = open("/tmp/e/f", O_WRONLY);
	write(fd, "a", 1);
	drain("excl before unlink", in);
	unlink("/tmp/e/f");
	write(fd, "b", 1);
	close(fd);
	drain("excl after unlink", in);
	wdname[1] = "plain";
	drain("plain after unlink", in2);
	close(in2);
	unlink("/tmp/e/ln");

	/* IN_UNMOUNT */
	mkdir("/tmp/m", 0755);
	show("mount", mount("tmpfs", "/tmp/m", "tmpfs", 0, "size=1m"));
	writestr("/tmp/m/x", "", O_CREAT);
	addw(in, "/tmp/m/x", IN_ALL_EVENTS, "onmount");
	show("umount", umount("/tmp/m"));
	drain("umount", in);
	close(in);
}

static void reading(void)
{
	int in = inotify_init1(IN_NONBLOCK);
	mkdir("/tmp/r", 0755);
	addw(in, "/tmp/r", IN_CREATE, "r");
	char buf[512] __attribute__((aligned(8)));
	show("read_empty", read(in, buf, sizeof buf));
	struct pollfd pfd = {in, POLLIN, 0};
	show("poll_empty", poll(&pfd, 1, 0));
	int ep = epoll_create1(0);
	struct epoll_event ee = {.events = EPOLLIN, .data.u32 = 7};
	show("epoll_ctl", epoll_ctl(ep, EPOLL_CTL_ADD, in, &ee));
	struct epoll_event out;
	show("epoll_empty", epoll_wait(ep, &out, 1, 0));
	int nread = -1;
	show("fionread_empty", ioctl(in, FIONREAD, &nread));
	printf("fionread_empty_value: %d\n", nread);

	writestr("/tmp/r/a", "", O_CREAT);
	writestr("/tmp/r/abcdefghijklmnopq", "", O_CREAT);
	show("poll_ready", poll(&pfd, 1, 0));
	printf("poll_revents: %x\n", pfd.revents);
	show("epoll_ready", epoll_wait(ep, &out, 1, 0));
	printf("epoll_data: %u events %x\n", out.data.u32, out.events);
	show("fionread", ioctl(in, FIONREAD, &nread));
	printf("fionread_value: %d\n", nread);
	show("read_too_small", read(in, buf, sizeof(struct inotify_event) + 15));
	show("read_one", read(in, buf, sizeof(struct inotify_event) + 16));
	show("read_too_small_second", read(in, buf, sizeof(struct inotify_event) + 16));
	show("read_rest", read(in, buf, sizeof buf));
	struct inotify_event *e = (struct inotify_event *)buf;
	printf("name: %s len %u\n", e->name, e->len);
	show("fionread_after", ioctl(in, FIONREAD, &nread));
	printf("fionread_after_value: %d\n", nread);
	close(ep);

	/* A blocking read waits for an event another process causes. */
	int bl = inotify_init();
	addw(bl, "/tmp/r", IN_CREATE, "r");
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		usleep(100000);
		writestr("/tmp/r/late", "", O_CREAT);
		_exit(0);
	}
	ssize_t r = read(bl, buf, sizeof buf);
	printf("blocking_read: %zd name %s\n", r, r > 0 ? e->name : "");
	waitpid(pid, NULL, 0);

	/* ... and a signal without SA_RESTART ends it with EINTR. */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = {{0, 0}, {0, 100000}};
	setitimer(ITIMER_REAL, &it, NULL);
	r = read(bl, buf, sizeof buf);
	printf("interrupted_read: %zd %s\n", r, r < 0 ? errname(errno) : "");
	close(bl);
	close(in);
}

static void overflow(void)
{
	char v[32] = "";
	int pf = open("/proc/sys/fs/inotify/max_queued_events", O_RDONLY);
	ssize_t n = pf >= 0 ? read(pf, v, sizeof v - 1) : -1;
	if (pf >= 0)
		close(pf);
	int max = n > 0 ? atoi(v) : 16384;
	printf("max_queued_events: %d\n", max);
	int in = inotify_init1(IN_NONBLOCK);
	writestr("/tmp/o", "", O_CREAT);
	int w = inotify_add_watch(in, "/tmp/o", IN_OPEN | IN_CLOSE_NOWRITE);
	/* Open and close alternate, so nothing merges: max events, then one overflow. */
	for (int i = 0; i < max / 2 + 10; i++)
		close(open("/tmp/o", O_RDONLY));
	char buf[4096] __attribute__((aligned(8)));
	long events = 0, overflows = 0, other = 0;
	int last_wd = 0;
	uint32_t last_mask = 0;
	for (;;) {
		ssize_t r = read(in, buf, sizeof buf);
		if (r <= 0)
			break;
		for (char *p = buf; p < buf + r;) {
			struct inotify_event *e = (struct inotify_event *)p;
			events++;
			if (e->mask & IN_Q_OVERFLOW)
				overflows++;
			else if (e->wd != w)
				other++;
			last_wd = e->wd;
			last_mask = e->mask;
			p += sizeof *e + e->len;
		}
	}
	printf("overflow: events=%ld (max+1: %d) overflows=%ld other=%ld last wd=%d mask=%x\n",
	       events, events == max + 1, overflows, other, last_wd, last_mask);
	close(open("/tmp/o", O_RDONLY));
	wdname[w] = "o";
	drain("after overflow read", in);
	close(in);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	umask(022);
	if (private_tmp("size=8m,mode=755") < 0) return 3;
	basics();
	memset(wdname, 0, sizeof wdname);
	flags_and_errors();
	memset(wdname, 0, sizeof wdname);
	reading();
	memset(wdname, 0, sizeof wdname);
	overflow();
	printf("done\n");
	return 0;
}
