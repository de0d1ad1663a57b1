/*
 * POSIX record locks and OFD locks between processes, on a memfd (which
 * needs no writable directory) and, when it is writable, a file in /tmp:
 * F_GETLK reports the holder (its pid relative to ours), ranges split and
 * merge, closing any descriptor releases the process's locks, locks are
 * not inherited by fork, OFD locks belong to the description, EDEADLK,
 * and the error cases.
 */
#include "common.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

static pid_t me;

static int lk(int fd, int cmd, short type, short whence, off_t start, off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = whence, .l_start = start, .l_len = len };
	return fcntl(fd, cmd, &fl);
}

/* F_GETLK for [start, start+len) as a write (or read) lock; prints what blocks it. */
static void getlk(const char *name, int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len, .l_pid = 0 };
	if (fcntl(fd, cmd, &fl) < 0) {
		printf("%s: -1 %s\n", name, errname(errno));
		return;
	}
	if (fl.l_type == F_UNLCK) {
		printf("%s: unlocked\n", name);
		return;
	}
	long pid = fl.l_pid;
	const char *who = pid == -1 ? "-1" : pid == me ? "parent" : "other";
	printf("%s: %s %ld+%ld pid=%s\n", name, fl.l_type == F_WRLCK ? "W" : "R", (long)fl.l_start, (long)fl.l_len, who);
}

/* Runs fn in a child and waits for it. */
static void in_child(void (*fn)(int), int fd)
{
	fflush(stdout);
	pid_t p = fork();
	if (p == 0) {
		fn(fd);
		fflush(stdout);
		_exit(0);
	}
	int st;
	waitpid(p, &st, 0);
}

static void child_probe(int fd)
{
	getlk("child getlk 0..10 W", fd, F_GETLK, F_WRLCK, 0, 10);
	getlk("child getlk 5..6 R", fd, F_GETLK, F_RDLCK, 5, 1);
	getlk("child getlk 100..+1 W", fd, F_GETLK, F_WRLCK, 100, 1);
	getlk("child getlk 1000 W", fd, F_GETLK, F_WRLCK, 1000, 0);
	show("child setlk W 0..10", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10));
	show("child setlk R 20..30", lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 20, 10));
	show("child setlk W 200..", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 200, 0));
	show("child ofd setlk W 50", lk(fd, F_OFD_SETLK, F_WRLCK, SEEK_SET, 50, 1));
}

static void child_map(int fd)
{
	/* Probe each byte range 0..60 with a one-byte write-lock test and print the map. */
	char line[80];
	int n = 0;
	for (int i = 0; i < 60; i++) {
		struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = i, .l_len = 1 };
		if (fcntl(fd, F_GETLK, &fl) < 0) { line[n++] = '!'; continue; }
		line[n++] = fl.l_type == F_UNLCK ? '.' : fl.l_type == F_WRLCK ? 'W' : 'R';
	}
	line[n] = 0;
	printf("map: %s\n", line);
	/* And the extent of the lock at byte 10, as F_GETLK reports it. */
	getlk("extent at 10", fd, F_GETLK, F_WRLCK, 10, 1);
	getlk("extent at 30", fd, F_GETLK, F_WRLCK, 30, 1);
}

static void child_deadlock(int fd)
{
	/* The parent holds 0..1 and waits for 10..11, which we take first. */
	(void)fd;
}

static void test_file(const char *what, int fd)
{
	printf("== %s\n", what);
	show("ftruncate", ftruncate(fd, 4096));
	/* Errors. */
	show("getlk bad type", lk(fd, F_GETLK, 7, SEEK_SET, 0, 1));
	show("getlk unlck", lk(fd, F_GETLK, F_UNLCK, SEEK_SET, 0, 1));
	show("setlk bad type", lk(fd, F_SETLK, 7, SEEK_SET, 0, 1));
	show("setlk bad whence", lk(fd, F_SETLK, F_WRLCK, 9, 0, 1));
	show("setlk negative start", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, -1, 1));
	show("setlk len too negative", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 5, -6));
	show("setlk overflow", lk(fd, F_SETLK, F_WRLCK, SEEK_END, 0x7fffffffffffffffL, 1));
	show("setlk len overflow", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 10, 0x7fffffffffffffffL));
	show("setlk bad ptr", fcntl(fd, F_SETLK, (void *)1));
	show("getlk bad ptr", fcntl(fd, F_GETLK, (void *)1));
	struct flock ofd = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1, .l_pid = 5 };
	show("ofd setlk l_pid", fcntl(fd, F_OFD_SETLK, &ofd));
	show("ofd getlk l_pid", fcntl(fd, F_OFD_GETLK, &ofd));
	show("bad cmd", fcntl(fd, 99, &ofd));

	/* Locks of ours, seen by a child. */
	show("setlk W 0..10", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10));
	show("setlk R 20..30", lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 20, 10));
	show("lseek 100", lseek(fd, 100, SEEK_SET));
	show("setlk W cur+0 len 5 backwards", lk(fd, F_SETLK, F_WRLCK, SEEK_CUR, 5, -5));
	show("setlk R end-96", lk(fd, F_SETLK, F_RDLCK, SEEK_END, -96, 0));
	getlk("self getlk", fd, F_GETLK, F_WRLCK, 0, 0);
	in_child(child_probe, fd);

	/* Splitting and merging, seen through F_GETLK by a child. */
	show("unlock all", lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0));
	show("W 0..40", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 40));
	show("R 10..20 (split)", lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 10, 10));
	show("unlock 30..35 (split)", lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 30, 5));
	in_child(child_map, fd);
	show("R 20..30 (merge with 10..20)", lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 20, 10));
	show("W 35..50 (merge with 40.. no: adjacent W 35)", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 35, 15));
	show("W 30..35 (fills the hole)", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 30, 5));
	in_child(child_map, fd);

	/* Closing another descriptor of the same file releases all our locks on it. */
	int fd2 = dup(fd);
	show("close dup", close(fd2));
	in_child(child_map, fd);

	/* Not inherited by fork: a child's lock test of its own sees none of ours as its own. */
	show("W 0..10 again", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10));
	fflush(stdout);
	pid_t p = fork();
	if (p == 0) {
		/* The child does not own the parent's lock: unlocking does nothing to it. */
		lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);
		_exit(0);
	}
	int st;
	waitpid(p, &st, 0);
	in_child(child_map, fd);

	/* OFD locks: owned by the description, so a dup shares them and close of a dup keeps them. */
	show("unlock all", lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0));
	show("ofd W 0..5", lk(fd, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 5));
	fd2 = dup(fd);
	show("ofd W 0..5 through dup", lk(fd2, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 5));
	show("close dup", close(fd2));
	show("posix W 3 (conflicts with our own OFD lock)", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 3, 1));
	getlk("posix getlk 0..5", fd, F_GETLK, F_WRLCK, 0, 5);
	getlk("ofd getlk 0..5 (same description)", fd, F_OFD_GETLK, F_WRLCK, 0, 5);
	in_child(child_map, fd);
	show("ofd unlock", lk(fd, F_OFD_SETLK, F_UNLCK, SEEK_SET, 0, 0));
	in_child(child_map, fd);
}

static int ready[2], go[2];

static void test_wait_and_deadlock(int fd)
{
	printf("== waits\n");
	show("W 0..1", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1));
	fflush(stdout);
	if (pipe(ready) < 0 || pipe(go) < 0) return;
	pid_t p = fork();
	if (p == 0) {
		/* Take 10..11, then wait for 0..1 (the parent's). */
		printf("child W 10..11: %d\n", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 10, 1));
		fflush(stdout);
		char c = 1;
		write(ready[1], &c, 1);
		int r = lk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1);
		printf("child setlkw 0..1 after parent unlock: %d\n", r);
		fflush(stdout);
		_exit(0);
	}
	char c;
	read(ready[0], &c, 1);
	/* Let the child reach its wait. */
	usleep(200000);
	show("parent setlkw 10..11 (deadlock)", lk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 10, 1));
	show("parent ofd setlk 10..11 (would block)", lk(fd, F_OFD_SETLK, F_WRLCK, SEEK_SET, 10, 1));
	/* The woken child prints at once: the unlock's result waits for it, so the order is the same on any scheduler. */
	int unlocked = lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 1), unlock_errno = errno;
	int st;
	waitpid(p, &st, 0);
	errno = unlock_errno;
	show("parent unlock 0..1", unlocked);
	printf("child exit: %d\n", WEXITSTATUS(st));
	/* Everything the child held went with it. */
	getlk("after child exit", fd, F_GETLK, F_WRLCK, 0, 0);
}

static void on_alarm(int s)
{
	(void)s;
}

static void test_eintr(int fd)
{
	printf("== eintr\n");
	fflush(stdout);
	pid_t p = fork();
	if (p == 0) {
		lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 0);
		char c = 1;
		write(ready[1], &c, 1);
		pause();
		_exit(0);
	}
	char c;
	read(ready[0], &c, 1);
	struct sigaction sa = { .sa_handler = on_alarm };
	sigaction(SIGALRM, &sa, NULL);
	alarm(1);
	show("setlkw interrupted", lk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1));
	show("ofd setlkw interrupted", (alarm(1), lk(fd, F_OFD_SETLKW, F_WRLCK, SEEK_SET, 0, 1)));
	kill(p, SIGKILL);
	int st;
	waitpid(p, &st, 0);
	/* The killed child's lock is gone: we get it at once. */
	show("setlkw after holder died", lk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1));
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	me = getpid();
	int fd = memfd_create("locks", 0);
	if (fd < 0) {
		perror("memfd_create");
		return 1;
	}
	test_file("memfd", fd);
	test_wait_and_deadlock(fd);
	test_eintr(fd);
	close(fd);

	/* Access modes: a read lock needs a readable description, a write lock a writable one. */
	printf("== modes\n");
	int t = open("/tmp", O_RDONLY | O_DIRECTORY);
	show("dir R lock", lk(t, F_SETLK, F_RDLCK, SEEK_SET, 0, 0));
	show("dir W lock", lk(t, F_SETLK, F_WRLCK, SEEK_SET, 0, 0));
	close(t);
	int pf[2];
	pipe(pf);
	show("pipe read end W lock", lk(pf[0], F_SETLK, F_WRLCK, SEEK_SET, 0, 0));
	show("pipe read end R lock", lk(pf[0], F_SETLK, F_RDLCK, SEEK_SET, 0, 0));
	show("pipe read end getlk", lk(pf[0], F_GETLK, F_WRLCK, SEEK_SET, 0, 0));
	int op = open("/tmp", O_PATH);
	show("O_PATH lock", lk(op, F_SETLK, F_RDLCK, SEEK_SET, 0, 0));
	show("bad fd", lk(999, F_SETLK, F_RDLCK, SEEK_SET, 0, 0));

	char path[] = "/tmp/locks_posix_XXXXXX";
	int tf = mkstemp(path);
	if (tf >= 0) {
		unlink(path);
		test_file("tmp file", tf);
		close(tf);
	} else {
		printf("mkstemp: %s\n", errname(errno));
	}
	(void)child_deadlock;
	printf("done\n");
	return 0;
}
