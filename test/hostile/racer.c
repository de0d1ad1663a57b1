/*
 * racer: another thread rewrites what a system call reads while the call
 * reads it. One thread flips a path between two names (and its NUL byte
 * away, so the string runs into a guard page), an iovec's base and length,
 * and a msghdr's iovec, name and SCM_RIGHTS control data; the other calls
 * open, readv, writev, sendmsg and recvmsg in a loop. Every result must be
 * one that one of the values could give (an fd of the file named, ENOENT,
 * EFAULT, ENAMETOOLONG; a byte count no larger than the buffer; the errnos
 * of the bad variants) and nothing is written outside the buffers (guard
 * pages would fault). Prints "NAME: ok" per race, or what went wrong; the
 * output is the same natively and under tsvisor.
 */
#include "../c/common.h"
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>

#define PG 4096UL
#define ROUNDS 3000

static atomic_int stop;
static int bad;

static void fail(const char *race, const char *what, long r, int e)
{
	if (bad++ < 5)
		printf("  %s: %s -> %ld %s\n", race, what, r, r < 0 ? errname(e) : "");
}

/* A page followed by a PROT_NONE guard page. */
static char *guarded(void)
{
	char *p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	mprotect(p + PG, PG, PROT_NONE);
	return p;
}

/* --- open() on a changing path --- */
static char *pathpage;
static char *path; /* 16 bytes before the end of pathpage */
static void *flip_path(void *arg)
{
	(void)arg;
	static const char a[] = "/etc/passwd", b[] = "/nonexistent";
	while (!atomic_load(&stop)) {
		memcpy(path, b, sizeof b);
		memcpy(path, a, sizeof a);
		path[sizeof a] = 'a';
		path[sizeof a - 1] = 'x'; /* no NUL before the guard page */
		path[sizeof a - 1] = 0;
	}
	return NULL;
}

static void race_open(void)
{
	struct stat want;
	if (stat("/etc/passwd", &want) < 0) {
		printf("open: no /etc/passwd\n");
		return;
	}
	pathpage = guarded();
	memset(pathpage, 'a', PG);
	path = pathpage + PG - 16;
	memcpy(path, "/etc/passwd", 12);
	pthread_t th;
	atomic_store(&stop, 0);
	pthread_create(&th, NULL, flip_path, NULL);
	for (int i = 0; i < ROUNDS; i++) {
		errno = 0;
		long fd = syscall(SYS_open, path, O_RDONLY);
		int e = errno;
		if (fd >= 0) {
			struct stat st;
			if (fstat(fd, &st) < 0 || st.st_ino != want.st_ino || st.st_dev != want.st_dev)
				fail("open", "opened another file", fd, 0);
			close(fd);
		} else if (e != ENOENT && e != EFAULT && e != ENAMETOOLONG) {
			fail("open", "errno", fd, e);
		}
	}
	atomic_store(&stop, 1);
	pthread_join(th, NULL);
	printf("open: %s\n", bad ? "FAILED" : "ok");
	bad = 0;
}

/* --- readv/writev on a changing iovec --- */
static struct iovec iov[2];
static char *iobuf; /* one page, then a guard */
static void *flip_iov(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		iov[0].iov_base = iobuf;
		iov[0].iov_len = 16;
		iov[0].iov_len = 1 << 20; /* runs into the guard page */
		iov[0].iov_base = (void *)1;
		iov[0].iov_base = KADDR;
		iov[0].iov_base = iobuf + PG - 8;
		iov[0].iov_len = 16;
	}
	return NULL;
}

static void race_iov(void)
{
	iobuf = guarded();
	int zero = open("/dev/zero", O_RDONLY), null = open("/dev/null", O_WRONLY);
	int p[2];
	if (zero < 0 || null < 0 || pipe2(p, O_NONBLOCK) < 0) {
		printf("iovec: setup failed\n");
		return;
	}
	iov[0].iov_base = iobuf;
	iov[0].iov_len = 16;
	iov[1].iov_base = iobuf;
	iov[1].iov_len = 1;
	pthread_t th;
	atomic_store(&stop, 0);
	pthread_create(&th, NULL, flip_iov, NULL);
	static char drain[1 << 16];
	for (int i = 0; i < ROUNDS; i++) {
		int fds[3] = { zero, null, p[1] };
		for (int k = 0; k < 3; k++) {
			errno = 0;
			long r = k == 0 ? readv(fds[k], iov, 2) : writev(fds[k], iov, 2);
			int e = errno;
			/* at most the page and the second iovec's byte; or EFAULT; a full pipe is EAGAIN */
			if (r > (long)PG + 1 || (r < 0 && e != EFAULT && !(k == 2 && e == EAGAIN)))
				fail(k == 0 ? "readv" : "writev", "result", r, e);
		}
		while (read(p[0], drain, sizeof drain) > 0)
			;
	}
	atomic_store(&stop, 1);
	pthread_join(th, NULL);
	printf("iovec: %s\n", bad ? "FAILED" : "ok");
	bad = 0;
	close(zero);
	close(null);
	close(p[0]);
	close(p[1]);
}

/* --- sendmsg/recvmsg on a changing msghdr --- */
static struct msghdr msg;
static struct iovec miov;
static union {
	struct cmsghdr h;
	char buf[CMSG_SPACE(4 * sizeof(int))];
} ctl;
static int passfd;
static void *flip_msg(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		msg.msg_iov = &miov;
		msg.msg_iovlen = 1;
		msg.msg_iovlen = 1 << 20;
		msg.msg_iov = (void *)1;
		msg.msg_iov = &miov;
		msg.msg_iovlen = 1;
		msg.msg_name = KADDR;
		msg.msg_namelen = 1000;
		msg.msg_name = NULL;
		msg.msg_namelen = 0;
		msg.msg_control = ctl.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int));
		ctl.h.cmsg_len = 0xffffffff;
		ctl.h.cmsg_len = CMSG_LEN(sizeof(int));
		*(int *)CMSG_DATA(&ctl.h) = -1;
		*(int *)CMSG_DATA(&ctl.h) = 999;
		*(int *)CMSG_DATA(&ctl.h) = passfd;
		msg.msg_control = KADDR;
		msg.msg_control = NULL;
		msg.msg_controllen = 0;
	}
	return NULL;
}

static void race_msg(void)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv) < 0) {
		printf("msghdr: socketpair failed\n");
		return;
	}
	passfd = open("/dev/null", O_RDONLY);
	static char data[64] = "0123456789abcdef";
	miov.iov_base = data;
	miov.iov_len = 16;
	msg.msg_iov = &miov;
	msg.msg_iovlen = 1;
	ctl.h.cmsg_level = SOL_SOCKET;
	ctl.h.cmsg_type = SCM_RIGHTS;
	pthread_t th;
	atomic_store(&stop, 0);
	pthread_create(&th, NULL, flip_msg, NULL);
	for (int i = 0; i < ROUNDS; i++) {
		errno = 0;
		long r = sendmsg(sv[0], &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
		int e = errno;
		if (r >= 0 ? r != 16 : (e != EFAULT && e != EINVAL && e != EMSGSIZE && e != EBADF &&
					 e != EAGAIN && e != ENOBUFS && e != ENOTCONN && e != EISCONN))
			fail("sendmsg", "result", r, e);
		/* drain, closing every descriptor that arrived */
		for (;;) {
			char rbuf[64];
			union {
				struct cmsghdr h;
				char buf[CMSG_SPACE(16 * sizeof(int))];
			} rc;
			struct iovec riov = { rbuf, sizeof rbuf };
			struct msghdr rm = { .msg_iov = &riov, .msg_iovlen = 1, .msg_control = rc.buf,
					     .msg_controllen = sizeof rc.buf };
			long n = recvmsg(sv[1], &rm, MSG_DONTWAIT);
			if (n < 0)
				break;
			if (n != 16 || memcmp(rbuf, "0123456789abcdef", 16) != 0)
				fail("recvmsg", "data", n, 0);
			for (struct cmsghdr *c = CMSG_FIRSTHDR(&rm); c; c = CMSG_NXTHDR(&rm, c))
				if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
					for (unsigned j = 0; j < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); j++)
						close(((int *)CMSG_DATA(c))[j]);
		}
	}
	atomic_store(&stop, 1);
	pthread_join(th, NULL);
	printf("msghdr: %s\n", bad ? "FAILED" : "ok");
	bad = 0;
	/* no descriptor was lost or made up: the next one is the one after passfd */
	int next = open("/dev/null", O_RDONLY);
	printf("descriptors balanced: %d\n", next == passfd + 1);
}

int main(void)
{
	race_open();
	race_iov();
	race_msg();
	printf("racer done\n");
	return 0;
}
