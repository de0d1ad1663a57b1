/*
 * splice(2), tee(2), vmsplice(2), copy_file_range(2) and sendfile(2):
 * data between pipes, memfds and a file in /tmp, with offsets, their
 * write-backs and the file positions, and the error cases (EINVAL, ESPIPE,
 * EBADF, EXDEV, EAGAIN, EPIPE with SIGPIPE), a blocked splice woken by a
 * writer, and one interrupted by a signal.
 */
#include "common.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/uio.h>
#include <sys/wait.h>

static int sigpipes;
static void on_sigpipe(int s)
{
	(void)s;
	sigpipes++;
}
static void on_alarm(int s)
{
	(void)s;
}

static void drain(const char *name, int fd)
{
	char buf[256];
	int fl = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	ssize_t n = read(fd, buf, sizeof buf - 1);
	fcntl(fd, F_SETFL, fl);
	if (n < 0) {
		printf("%s: -1 %s\n", name, errname(errno));
		return;
	}
	buf[n] = 0;
	printf("%s: %zd \"%s\"\n", name, n, buf);
}

static void contents(const char *name, int fd)
{
	char buf[256];
	ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
	if (n < 0) {
		printf("%s: -1 %s\n", name, errname(errno));
		return;
	}
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == 0)
			buf[i] = '_';
	buf[n] = 0;
	printf("%s: %zd \"%s\"\n", name, n, buf);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	struct sigaction sa = { .sa_handler = on_sigpipe };
	sigaction(SIGPIPE, &sa, NULL);
	int p[2], q[2];
	pipe(p);
	pipe(q);
	int a = memfd_create("a", 0), b = memfd_create("b", 0);
	write(a, "0123456789abcdefghij", 20);
	loff_t off;

	printf("== splice\n");
	show("len 0", splice(a, NULL, p[1], NULL, 0, 0));
	show("bad flags", splice(a, NULL, p[1], NULL, 5, 0x10));
	show("bad fd in", splice(999, NULL, p[1], NULL, 5, 0));
	show("bad fd out", splice(a, NULL, 999, NULL, 5, 0));
	off = 0;
	show("offset on pipe in", splice(p[0], &off, b, NULL, 5, 0));
	show("offset on pipe out", splice(a, NULL, p[1], &off, 5, 0));
	show("file to file", splice(a, NULL, b, NULL, 5, 0));
	show("pipe to itself", splice(p[0], NULL, p[1], NULL, 5, 0));
	show("read end as output", splice(a, NULL, p[0], NULL, 5, 0));
	show("write end as input", splice(p[1], NULL, b, NULL, 5, 0));
	show("bad offset pointer", splice(a, (loff_t *)1, p[1], NULL, 5, 0));
	off = -1;
	show("negative offset", splice(a, &off, p[1], NULL, 5, 0));
	show("lseek a 2", lseek(a, 2, SEEK_SET));
	show("file to pipe at the position", splice(a, NULL, p[1], NULL, 5, SPLICE_F_MOVE | SPLICE_F_MORE));
	show("position after", lseek(a, 0, SEEK_CUR));
	off = 10;
	show("file to pipe at an offset", splice(a, &off, p[1], NULL, 4, 0));
	printf("offset written back: %ld, position: %ld\n", (long)off, (long)lseek(a, 0, SEEK_CUR));
	off = 100;
	show("file to pipe past the end", splice(a, &off, p[1], NULL, 4, 0));
	show("pipe to pipe", splice(p[0], NULL, q[1], NULL, 3, 0));
	drain("q after pipe to pipe", q[0]);
	off = 3;
	show("pipe to file at an offset", splice(p[0], NULL, b, &off, 100, 0));
	printf("offset written back: %ld, position: %ld\n", (long)off, (long)lseek(b, 0, SEEK_CUR));
	contents("b", b);
	show("empty pipe nonblock", splice(p[0], NULL, b, NULL, 10, SPLICE_F_NONBLOCK));
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	show("empty pipe O_NONBLOCK", splice(p[0], NULL, b, NULL, 10, 0));
	fcntl(p[0], F_SETFL, 0);
	int app = open("/tmp", O_RDONLY);
	show("from a directory", splice(app, NULL, p[1], NULL, 10, 0));
	close(app);
	int ap = memfd_create("append", 0);
	fcntl(ap, F_SETFL, O_APPEND);
	write(p[1], "xy", 2);
	show("pipe to O_APPEND file", splice(p[0], NULL, ap, NULL, 2, 0));
	show("pipe to O_RDONLY", splice(p[0], NULL, open("/tmp", O_RDONLY), NULL, 2, 0));
	drain("p left", p[0]);

	/* Fill a pipe: splice into it fails with EAGAIN, or moves what fits. */
	int big = memfd_create("big", 0);
	ftruncate(big, 1 << 20);
	off = 0;
	show("fill the pipe", splice(big, &off, p[1], NULL, 1 << 20, 0));
	show("full pipe nonblock", splice(big, &off, p[1], NULL, 100, SPLICE_F_NONBLOCK));
	char sink[70000];
	show("drain", read(p[0], sink, sizeof sink));

	/* A pipe with no reader: EPIPE and SIGPIPE. */
	int r2[2];
	pipe(r2);
	close(r2[0]);
	off = 0;
	show("to a pipe without readers", splice(a, &off, r2[1], NULL, 5, 0));
	printf("sigpipes: %d\n", sigpipes);
	close(r2[1]);

	/* An empty pipe whose writers are gone: end of file. */
	pipe(r2);
	close(r2[1]);
	show("from a pipe without writers", splice(r2[0], NULL, b, NULL, 5, 0));
	close(r2[0]);

	printf("== tee\n");
	show("bad flags", tee(p[0], q[1], 5, 0x10));
	show("len 0", tee(p[0], q[1], 0, 0));
	show("file in", tee(a, q[1], 5, 0));
	show("same pipe", tee(p[0], p[1], 5, 0));
	show("wrong ends", tee(p[1], q[0], 5, 0));
	show("empty nonblock", tee(p[0], q[1], 5, SPLICE_F_NONBLOCK));
	write(p[1], "hello tee", 9);
	show("tee 5", tee(p[0], q[1], 5, 0));
	show("tee all", tee(p[0], q[1], 100, 0));
	drain("q", q[0]);
	drain("p still has it", p[0]);

	printf("== vmsplice\n");
	char msg[] = "vmsplice!";
	struct iovec iov[2] = { { msg, 4 }, { msg + 4, 5 } };
	show("bad flags", vmsplice(p[1], iov, 2, 0x10));
	show("bad fd", vmsplice(999, iov, 2, 0));
	show("not a pipe", vmsplice(a, iov, 2, 0));
	show("bad iovec", vmsplice(p[1], (struct iovec *)1, 2, 0));
	show("too many", vmsplice(p[1], iov, 2000, 0));
	show("none", vmsplice(p[1], iov, 0, 0));
	show("into the pipe", vmsplice(p[1], iov, 2, 0));
	char got[16] = { 0 };
	struct iovec out = { got, 6 };
	show("out of the pipe", vmsplice(p[0], &out, 1, 0));
	printf("got: %s\n", got);
	drain("rest", p[0]);
	show("empty nonblock", vmsplice(p[0], &out, 1, SPLICE_F_NONBLOCK));

	printf("== copy_file_range\n");
	int c = memfd_create("c", 0);
	show("flags", copy_file_range(a, NULL, c, NULL, 5, 1));
	show("bad fd", copy_file_range(999, NULL, c, NULL, 5, 0));
	show("pipe in", copy_file_range(p[0], NULL, c, NULL, 5, 0));
	show("pipe out", copy_file_range(a, NULL, p[1], NULL, 5, 0));
	int dir = open("/tmp", O_RDONLY);
	show("dir in", copy_file_range(dir, NULL, c, NULL, 5, 0));
	close(dir);
	int rdonly_b = memfd_create("r", 0);
	show("append out", copy_file_range(a, NULL, ap, NULL, 5, 0));
	lseek(a, 0, SEEK_SET);
	show("copy", copy_file_range(a, NULL, c, NULL, 8, 0));
	printf("positions: %ld %ld\n", (long)lseek(a, 0, SEEK_CUR), (long)lseek(c, 0, SEEK_CUR));
	loff_t oi = 15, oo = 2;
	show("copy at offsets past the end of input", copy_file_range(a, &oi, c, &oo, 100, 0));
	printf("offsets: %ld %ld positions: %ld %ld\n", (long)oi, (long)oo, (long)lseek(a, 0, SEEK_CUR), (long)lseek(c, 0, SEEK_CUR));
	contents("c", c);
	oi = 50;
	show("from past the end", copy_file_range(a, &oi, c, NULL, 10, 0));
	oi = 0; oo = 4;
	show("overlap in one file", copy_file_range(a, &oi, a, &oo, 8, 0));
	oi = 0; oo = 10;
	show("no overlap in one file", copy_file_range(a, &oi, a, &oo, 8, 0));
	contents("a", a);
	oi = -1;
	show("negative offset", copy_file_range(a, &oi, c, NULL, 1, 0));
	show("bad offset pointer", copy_file_range(a, (loff_t *)1, c, NULL, 1, 0));
	(void)rdonly_b;
	char path[] = "/tmp/splice_XXXXXX";
	int tf = mkstemp(path);
	if (tf >= 0) {
		unlink(path);
		show("across file systems", copy_file_range(a, NULL, tf, NULL, 5, 0));
	}

	printf("== sendfile\n");
	off = 0;
	show("file to file", sendfile(c, a, &off, 6));
	printf("offset: %ld\n", (long)off);
	contents("c", c);
	show("file to pipe", sendfile(p[1], a, NULL, 4));
	drain("p", p[0]);
	show("from a pipe", sendfile(c, p[0], NULL, 4));
	show("to O_APPEND", sendfile(ap, a, NULL, 4));
	off = -1;
	show("negative offset", sendfile(c, a, &off, 4));
	show("pipe in with offset", sendfile(c, p[0], &off, 4));
	if (tf >= 0) {
		ftruncate(big, 3 << 20);
		off = 0;
		ssize_t total = 0, n;
		while ((n = sendfile(tf, big, &off, 3 << 20)) > 0)
			total += n;
		printf("big sendfile: %zd, offset %ld\n", total, (long)off);
	}

	printf("== blocking\n");
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		usleep(200000);
		write(p[1], "late", 4);
		_exit(0);
	}
	show("splice waits for a writer", splice(p[0], NULL, b, NULL, 10, 0));
	waitpid(pid, NULL, 0);
	struct sigaction al = { .sa_handler = on_alarm };
	sigaction(SIGALRM, &al, NULL);
	alarm(1);
	show("splice interrupted", splice(p[0], NULL, b, NULL, 10, 0));
	alarm(1);
	show("tee interrupted", tee(p[0], q[1], 10, 0));
	printf("done\n");
	return 0;
}
