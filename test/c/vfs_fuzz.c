/*
 * Random arguments to the file system calls (test/hostile-vfs.test.js):
 * paths from a small set of real and awkward names, flags and modes from
 * random bits, pointers good, bad or unmapped. Runs inside a private mount
 * namespace on a tmpfs over /tmp; under tsvisor only. It prints nothing
 * but "done": the test asserts the Sentry survived and answers after.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static uint64_t seed = 88172645463325252ULL;
static uint64_t rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return seed;
}

static const char *const names[] = {
	"/tmp/a", "/tmp/a/b", "/tmp/l", "/tmp/f", "/tmp/m", "/tmp/a/../f", "/tmp/", "/", ".", "..", "",
	"/tmp/a/b/c/d/e", "/tmp/f/", "/tmp/l/", "/proc/self/fd/0", "/dev/null", "/tmp/fifo", "/tmp//a//b",
	"/tmp/nonexistent/x", "tmp", "a", "/tmp/m/x", "/etc/passwd", "/tmp/dev",
};

static long arg(void)
{
	switch (rnd() % 8) {
	case 0: return 0;
	case 1: return -1;
	case 2: return (long)(rnd() & 0xffff);
	case 3: return (long)rnd();
	case 4: return (long)names[rnd() % (sizeof names / sizeof names[0])];
	case 5: return 1;
	case 6: return (long)0xffff800000000000UL;
	default: return (long)(rnd() & 0xfff);
	}
}

static long path(void)
{
	if (rnd() % 10 == 0)
		return arg();
	return (long)names[rnd() % (sizeof names / sizeof names[0])];
}

static const long calls[] = {
	SYS_mount, SYS_umount2, SYS_pivot_root, SYS_chroot, SYS_unshare, SYS_openat2, SYS_renameat2, SYS_linkat,
	SYS_mknodat, SYS_fallocate, SYS_mkdirat, SYS_unlinkat, SYS_symlinkat, SYS_openat, SYS_fchmodat,
	SYS_fchownat, SYS_utimensat, SYS_truncate, SYS_ftruncate, SYS_setxattr, SYS_getxattr, SYS_listxattr,
	SYS_removexattr, SYS_statx, SYS_statfs, SYS_getdents64, SYS_getcwd, SYS_chdir, SYS_fchdir, SYS_lseek,
	SYS_read, SYS_write, SYS_mmap, SYS_close,
};

int main(int argc, char **argv)
{
	int iterations = argc > 1 ? atoi(argv[1]) : 2000;
	if (argc > 2)
		seed ^= strtoull(argv[2], NULL, 0);
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
		mount("tmpfs", "/tmp", "tmpfs", 0, "size=4m,nr_inodes=2000") < 0)
		return 3;
	mkdir("/tmp/a", 0755);
	mkdir("/tmp/a/b", 0755);
	mkdir("/tmp/m", 0755);
	symlink("/tmp/a", "/tmp/l");
	close(open("/tmp/f", O_CREAT | O_WRONLY, 0644));
	mkfifo("/tmp/fifo", 0644);
	int devnull = open("/dev/null", O_RDWR);
	/* Children do the calls, so that a chroot, pivot_root or exit in one cannot end the run. */
	for (int round = 0; round < iterations / 100; round++) {
		pid_t pid = fork();
		if (pid == 0) {
			alarm(20);
			seed ^= (uint64_t)(round + 1) * 0x9e3779b97f4a7c15ULL;
			/* Random writes must not reach the test's stdout; a pivot_root must not move the parent. */
			for (int fd = 0; fd < 3; fd++)
				dup2(devnull, fd);
			close(devnull);
			if (unshare(CLONE_NEWNS) < 0)
				_exit(4);
			for (int i = 0; i < 100; i++) {
				long nr = calls[rnd() % (sizeof calls / sizeof calls[0])];
				long a0 = nr == SYS_unshare ? (long)(rnd() & 0x7e020600) : path();
				long fd = (long)(rnd() % 8) - 1;
				if (nr == SYS_openat2 || nr == SYS_renameat2 || nr == SYS_linkat || nr == SYS_mknodat ||
					nr == SYS_mkdirat || nr == SYS_unlinkat || nr == SYS_openat || nr == SYS_fchmodat ||
					nr == SYS_fchownat || nr == SYS_utimensat || nr == SYS_statx)
					a0 = rnd() % 3 ? AT_FDCWD : fd;
				if (nr == SYS_fallocate || nr == SYS_ftruncate || nr == SYS_getdents64 || nr == SYS_fchdir ||
					nr == SYS_lseek || nr == SYS_read || nr == SYS_write || nr == SYS_close)
					a0 = fd;
				long a1 = nr == SYS_symlinkat ? (long)AT_FDCWD : path();
				if (nr == SYS_openat && rnd() % 2) {
					/* O_NONBLOCK keeps a FIFO open from waiting. */
					a0 = AT_FDCWD;
					syscall(nr, a0, path(), (long)((rnd() & 0x3fffff) | O_NONBLOCK), (long)(rnd() & 07777));
					continue;
				}
				if (nr == SYS_mmap) {
					syscall(nr, 0L, (long)(rnd() % 65536), (long)(rnd() & 7), (long)(rnd() & 0x3) | 0x20 * (rnd() & 1), fd, 0L);
					continue;
				}
				syscall(nr, a0, a1, arg(), arg(), arg(), arg());
			}
			_exit(0);
		}
		int st;
		waitpid(pid, &st, 0);
	}
	printf("done\n");
	return 0;
}
