/*
 * Attacks the Sentry's cgroupfs (src/fs/cgroupfs) from a container whose
 * /sys/fs/cgroup is writable by it, as root: from NPROC processes at once,
 * every file written with garbage (nothing, blanks, NULs and high bytes,
 * more than a page, numbers past 2^64 and below zero, every controller
 * twice, several values a line), whole and at offsets, by write and
 * writev; every file read a byte at a time, at offsets past its end and
 * negative ones, sought past its end, mapped; the directory listed and
 * changed (mkdir, create, unlink, rename, link, symlink, mknod, chmod).
 *
 *   cgroupfs [NPROC]
 * Prints "writers: N", one line per process that met something other than
 * an errno or a success ("bad: ..."; none expected), "tree: ok" when every
 * change of the directory failed, then, with the limits set back to max,
 * "limits: ok" when memory.max and pids.max read as numbers or "max", and
 * "fork: ok" when the sandbox still makes processes.
 */
#include "../c/common.h"
#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>

#define DIR_PATH "/sys/fs/cgroup"
#define ROUNDS 20

static char big[9000];

/* What a read or write may return: -1 with an errno, or at most what was asked. */
static int odd(ssize_t r, size_t len)
{
	return r < -1 || r > (ssize_t)len || (r == -1 && errno == 0);
}

#define ODD(name, what, cond) ((cond) ? (fprintf(stderr, "odd: %s: %s (errno %s)\n", name, what, errname(errno)), 1) : 0)

static int attack_file(const char *name)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", DIR_PATH, name);
	static const char *payloads[] = {
		"", "\n", "   ", "max max", "-1", "-0", "+", "-", "0", "18446744073709551616",
		"99999999999999999999999999999999999999", "0x7fffffffffffffff", "077777777777777777777777",
		"+memory +memory -cpu -cpu", "+cpu +pids +cpuset +io +rdma +misc +hugetlb", "1\n2\n", "max\n100000\n",
		"100 100 100", "max 0", "0 0", "1 1", "threaded", "domain", "1K", "1E", "16E", "1Z", "2147483648",
	};
	int bad = 0;
	int fd = open(path, O_WRONLY);
	if (fd >= 0) {
		for (unsigned i = 0; i < sizeof payloads / sizeof payloads[0]; i++) {
			errno = 0;
			bad += odd(write(fd, payloads[i], strlen(payloads[i])), strlen(payloads[i]));
		}
		static const char bin[] = { 0, 0, (char)0xff, (char)0xfe, '1', 0, '\n' };
		bad += odd(write(fd, bin, sizeof bin), sizeof bin);
		bad += odd(write(fd, big, sizeof big), sizeof big);
		bad += odd(pwrite(fd, "1", 1, 1L << 40), 1);
		struct iovec iov[3] = { { "+p", 2 }, { "ids", 3 }, { big, 5000 } };
		bad += odd(writev(fd, iov, 3), 5005);
		close(fd);
	}
	fd = open(path, O_RDONLY);
	if (fd < 0) return bad + ODD(name, "open for reading", 1);
	char c;
	while (read(fd, &c, 1) == 1) {
	}
	char buf[64];
	bad += ODD(name, "pread past the end", pread(fd, buf, sizeof buf, 1L << 62) != 0);
	bad += ODD(name, "pread at -1", pread(fd, buf, sizeof buf, -1) != -1 || errno != EINVAL);
	lseek(fd, 1L << 40, SEEK_SET);
	bad += ODD(name, "read past the end", read(fd, buf, sizeof buf) != 0);
	lseek(fd, 0, SEEK_END);
	void *m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	if (m != MAP_FAILED) munmap(m, 4096);
	close(fd);
	return bad;
}

static int attack(void)
{
	int bad = 0;
	for (int round = 0; round < ROUNDS; round++) {
		DIR *d = opendir(DIR_PATH);
		if (d == NULL) return 1000;
		struct dirent *e;
		while ((e = readdir(d)) != NULL) if (e->d_type != DT_DIR) bad += attack_file(e->d_name);
		closedir(d);
	}
	return bad;
}

/* Every change of the cgroup's directory must fail. */
static int tree(void)
{
	int ok = 1;
	ok &= mkdir(DIR_PATH "/child", 0755) < 0;
	ok &= open(DIR_PATH "/new", O_CREAT | O_WRONLY, 0644) < 0;
	ok &= unlink(DIR_PATH "/memory.max") < 0;
	ok &= rename(DIR_PATH "/memory.max", DIR_PATH "/x") < 0;
	ok &= link(DIR_PATH "/memory.max", DIR_PATH "/x") < 0;
	ok &= symlink("/", DIR_PATH "/x") < 0;
	ok &= mknod(DIR_PATH "/x", S_IFIFO | 0600, 0) < 0;
	ok &= chmod(DIR_PATH "/memory.max", 0666) < 0;
	ok &= rmdir(DIR_PATH) < 0;
	return ok;
}

/* A limit file reads as a number or "max", one line. */
static int limit_ok(const char *name)
{
	char path[512], buf[64] = { 0 };
	snprintf(path, sizeof path, "%s/%s", DIR_PATH, name);
	int fd = open(path, O_RDONLY);
	if (fd < 0) return 0;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n < 2 || buf[n - 1] != '\n') return 0;
	buf[n - 1] = 0;
	if (strcmp(buf, "max") == 0) return 1;
	for (char *p = buf; *p; p++) if (*p < '0' || *p > '9') return 0;
	return 1;
}

static void set(const char *name, const char *value)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", DIR_PATH, name);
	int fd = open(path, O_WRONLY);
	if (fd >= 0) {
		if (write(fd, value, strlen(value)) < 0) perror(name);
		close(fd);
	}
}

int main(int argc, char **argv)
{
	int nproc = argc > 1 ? atoi(argv[1]) : 4;
	memset(big, '9', sizeof big);
	pid_t pids[64];
	int started = 0;
	/* Every writer waits until all are forked: a first one's garbage in
	 * pids.max must not make the later forks fail. */
	int go[2];
	if (pipe(go) < 0) return 1;
	for (int i = 0; i < nproc && i < 64; i++) {
		pid_t p = fork();
		if (p == 0) {
			char c;
			close(go[1]);
			while (read(go[0], &c, 1) > 0) {}
			_exit(attack() > 0 ? 1 : 0);
		}
		if (p > 0) pids[started++] = p;
	}
	close(go[0]);
	close(go[1]);
	printf("writers: %d\n", started);
	for (int i = 0; i < started; i++) {
		int st;
		if (waitpid(pids[i], &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) printf("bad: writer %d: status 0x%x\n", i, st);
	}
	printf("tree: %s\n", tree() ? "ok" : "a change was made");
	set("pids.max", "max");
	set("memory.max", "max");
	printf("limits: %s\n", limit_ok("memory.max") && limit_ok("pids.max") ? "ok" : "unreadable");
	fflush(stdout);
	pid_t p = fork();
	if (p == 0) _exit(7);
	int st = 0;
	printf("fork: %s\n", p > 0 && waitpid(p, &st, 0) == p && WIFEXITED(st) && WEXITSTATUS(st) == 7 ? "ok" : "failed");
	return 0;
}
