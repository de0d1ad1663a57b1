/*
 * Advisory locks between processes: fcntl record locks (F_GETLK sees the
 * other process's lock and pid, F_SETLK is EAGAIN, F_SETLKW waits for the
 * unlock, closing any descriptor of the file drops the process's locks,
 * EDEADLK), open file description locks (a dup shares them, another open
 * does not), and flock(2) (shared, exclusive, LOCK_NB, conversion). On a
 * tmpfs in a private mount namespace, natively and under tsvisor.
 */
#include "private_tmp.h"
#include <fcntl.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/wait.h>

static int lk(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };
	return fcntl(fd, cmd, &fl);
}

static void getlk(const char *name, int fd, int cmd, short type, off_t start, off_t len, pid_t expect)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };
	if (fcntl(fd, cmd, &fl) < 0) {
		printf("%s: -1 %s\n", name, errname(errno));
		return;
	}
	printf("%s: type %s start %ld len %ld pid_ok %d\n", name, fl.l_type == F_UNLCK ? "UNLCK" : fl.l_type == F_RDLCK ? "RDLCK" : "WRLCK",
		(long)fl.l_start, (long)fl.l_len, fl.l_type == F_UNLCK || fl.l_pid == expect);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (private_tmp("size=1m") < 0) return 3;
	int fd = open("/tmp/lockfile", O_CREAT | O_RDWR, 0644);
	write(fd, "0123456789", 10);
	pid_t me = getpid();
	show("setlk_wr_0_10", lk(fd, F_SETLK, F_WRLCK, 0, 10));
	show("setlk_rd_20_eof", lk(fd, F_SETLK, F_RDLCK, 20, 0));
	show("setlk_bad_type", lk(fd, F_SETLK, 7, 0, 1));
	show("setlk_negative_start", lk(fd, F_SETLK, F_RDLCK, -5, 1));
	getlk("getlk_own_locks_invisible", fd, F_GETLK, F_WRLCK, 0, 100, me);
	show("getlk_unlck", lk(fd, F_GETLK, F_UNLCK, 0, 1));
	int ro = open("/tmp/lockfile", O_RDONLY);
	show("setlk_wr_on_rdonly", lk(ro, F_SETLK, F_WRLCK, 50, 1));
	int sync1[2], sync2[2];
	pipe(sync1);
	pipe(sync2);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		int cfd = open("/tmp/lockfile", O_RDWR);
		getlk("child_getlk_sees_parent", cfd, F_GETLK, F_RDLCK, 5, 1, me);
		getlk("child_getlk_eof_lock", cfd, F_GETLK, F_WRLCK, 30, 1, me);
		getlk("child_getlk_free_range", cfd, F_GETLK, F_WRLCK, 12, 5, me);
		show("child_setlk_conflict", lk(cfd, F_SETLK, F_WRLCK, 5, 1));
		show("child_setlk_shared_ok", lk(cfd, F_SETLK, F_RDLCK, 25, 5));
		show("child_setlk_free", lk(cfd, F_SETLK, F_WRLCK, 12, 5));
		char c = 'x';
		write(sync1[1], &c, 1);
		/* Waits until the parent unlocks. */
		show("child_setlkw_waits", lk(cfd, F_SETLKW, F_WRLCK, 0, 10));
		write(sync2[1], &c, 1);
		read(sync1[0], &c, 1);
		_exit(0);
	}
	char c;
	read(sync1[0], &c, 1);
	getlk("parent_sees_child_lock", fd, F_GETLK, F_WRLCK, 14, 1, pid);
	usleep(100000);
	/* Closing another descriptor of the file drops this process's locks (POSIX). */
	close(ro);
	read(sync2[0], &c, 1);
	getlk("parent_sees_child_after_wait", fd, F_GETLK, F_RDLCK, 0, 1, pid);
	write(sync1[1], &c, 1);
	waitpid(pid, NULL, 0);
	getlk("child_locks_gone_at_exit", fd, F_GETLK, F_WRLCK, 0, 0, pid);

	/* splitting and merging */
	show("lock_0_100", lk(fd, F_SETLK, F_WRLCK, 0, 100));
	show("unlock_middle", lk(fd, F_SETLK, F_UNLCK, 40, 10));
	pid = fork();
	if (pid == 0) {
		getlk("split_left", fd, F_GETLK, F_WRLCK, 39, 1, me);
		getlk("split_hole", fd, F_GETLK, F_WRLCK, 40, 10, me);
		getlk("split_right", fd, F_GETLK, F_WRLCK, 49, 3, me);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	lk(fd, F_SETLK, F_UNLCK, 0, 0);

	/* EDEADLK */
	lk(fd, F_SETLK, F_WRLCK, 0, 1);
	pid = fork();
	if (pid == 0) {
		int cfd = open("/tmp/lockfile", O_RDWR);
		lk(cfd, F_SETLK, F_WRLCK, 1, 1);
		write(sync1[1], &c, 1);
		int r = lk(cfd, F_SETLKW, F_WRLCK, 0, 1);
		printf("deadlock_child_got_lock: %d\n", r);
		fflush(stdout);
		_exit(0);
	}
	read(sync1[0], &c, 1);
	usleep(100000);
	show("deadlock_detected", lk(fd, F_SETLKW, F_WRLCK, 1, 1));
	lk(fd, F_SETLK, F_UNLCK, 0, 0);
	waitpid(pid, NULL, 0);

	/* OFD locks */
	int o1 = open("/tmp/lockfile", O_RDWR), o2 = open("/tmp/lockfile", O_RDWR), o1dup = dup(o1);
	show("ofd_setlk", lk(o1, F_OFD_SETLK, F_WRLCK, 0, 10));
	show("ofd_conflict_other_open", lk(o2, F_OFD_SETLK, F_WRLCK, 5, 1));
	show("ofd_dup_shares", lk(o1dup, F_OFD_SETLK, F_WRLCK, 5, 1));
	getlk("ofd_getlk", o2, F_OFD_GETLK, F_RDLCK, 0, 1, -1);
	show("ofd_vs_posix", lk(fd, F_SETLK, F_RDLCK, 0, 1));
	struct flock bad = { .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_pid = 1 };
	show("ofd_pid_nonzero", fcntl(o2, F_OFD_SETLK, &bad));
	close(o1);
	show("ofd_kept_by_dup", lk(o2, F_OFD_SETLK, F_WRLCK, 5, 1));
	close(o1dup);
	show("ofd_gone_with_description", lk(o2, F_OFD_SETLK, F_WRLCK, 5, 1));
	close(o2);

	/* flock */
	int f1 = open("/tmp/lockfile", O_RDONLY), f2 = open("/tmp/lockfile", O_RDONLY);
	show("flock_sh", flock(f1, LOCK_SH));
	show("flock_sh_other", flock(f2, LOCK_SH | LOCK_NB));
	show("flock_ex_conflict", flock(f2, LOCK_EX | LOCK_NB));
	show("flock_un", flock(f2, LOCK_UN));
	show("flock_upgrade", flock(f1, LOCK_EX | LOCK_NB));
	show("flock_ex_conflict2", flock(f2, LOCK_SH | LOCK_NB));
	show("flock_bad_op", flock(f1, 0));
	show("flock_independent_of_posix", lk(fd, F_SETLK, F_WRLCK, 0, 1));
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		/* The child's f1 is the same description: it holds the lock too. */
		printf("flock_child_same_description: %d\n", flock(f1, LOCK_EX | LOCK_NB));
		printf("flock_child_other_blocked: %d\n", flock(f2, LOCK_EX | LOCK_NB) < 0 ? errno == EWOULDBLOCK : -1);
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	close(f1);
	show("flock_gone_with_close", flock(f2, LOCK_EX | LOCK_NB));
	close(f2);
	printf("done\n");
	return 0;
}
