/*
 * Shared helpers for the tsvisor syscall test programs.
 *
 * Every program prints one line per check, in a fixed order, and nothing that
 * differs between two runs of the same binary on the same host (no pids,
 * addresses, timestamps, or fd numbers that depend on what was inherited).
 * The test suite runs each program natively and under tsvisor and compares
 * stdout byte for byte, so a line is only worth printing if Linux gives the
 * same answer every time.
 *
 * Line formats:
 *   name: -1 ENAME     the call failed with errno ENAME
 *   name: N            the call returned N
 *   name: ok           the call succeeded (return value not stable enough to print)
 *   name: 0|1          a boolean check
 */
#ifndef TSVISOR_TEST_COMMON_H
#define TSVISOR_TEST_COMMON_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

/* Addresses that are never valid user memory. */
#define BADPTR1 ((void *)1)
#define KADDR ((void *)0xffff800000000000UL)
#define HIGHADDR ((void *)0xffffffffffff0000UL)

static __attribute__((unused)) const char *errname(int e)
{
	static char buf[32];
	switch (e) {
#define E(x) case x: return #x;
	E(EPERM) E(ENOENT) E(ESRCH) E(EINTR) E(EIO) E(ENXIO) E(E2BIG)
	E(ENOEXEC) E(EBADF) E(ECHILD) E(EAGAIN) E(ENOMEM) E(EACCES) E(EFAULT)
	E(ENOTBLK) E(EBUSY) E(EEXIST) E(EXDEV) E(ENODEV) E(ENOTDIR) E(EISDIR)
	E(EINVAL) E(ENFILE) E(EMFILE) E(ENOTTY) E(ETXTBSY) E(EFBIG) E(ENOSPC)
	E(ESPIPE) E(EROFS) E(EMLINK) E(EPIPE) E(EDOM) E(ERANGE) E(EDEADLK)
	E(ENAMETOOLONG) E(ENOLCK) E(ENOSYS) E(ENOTEMPTY) E(ELOOP) E(ENOMSG)
	E(EIDRM) E(ENODATA) E(ETIME) E(EOVERFLOW) E(EBADFD) E(ENOTSOCK)
	E(EDESTADDRREQ) E(EMSGSIZE) E(EPROTOTYPE) E(ENOPROTOOPT)
	E(EPROTONOSUPPORT) E(ESOCKTNOSUPPORT) E(EOPNOTSUPP) E(EAFNOSUPPORT)
	E(EADDRINUSE) E(EADDRNOTAVAIL) E(ENETUNREACH) E(ECONNRESET) E(ENOBUFS)
	E(EISCONN) E(ENOTCONN) E(ETIMEDOUT) E(ECONNREFUSED) E(EALREADY)
	E(EINPROGRESS) E(ESTALE) E(EDQUOT) E(ECANCELED) E(EOWNERDEAD)
#undef E
	}
	snprintf(buf, sizeof buf, "E%d", e);
	return buf;
}

/* Print "name: RET" or "name: -1 ENAME". */
static __attribute__((unused)) long show(const char *name, long r)
{
	if (r == -1)
		printf("%s: -1 %s\n", name, errname(errno));
	else
		printf("%s: %ld\n", name, r);
	return r;
}

/* Print "name: ok" or "name: -1 ENAME": for calls whose success value varies. */
static __attribute__((unused)) long show_ok(const char *name, long r)
{
	if (r == -1)
		printf("%s: -1 %s\n", name, errname(errno));
	else
		printf("%s: ok\n", name);
	return r;
}

/* Like show_ok, for calls that return a pointer (MAP_FAILED is (void *)-1). */
static __attribute__((unused)) void *show_ptr(const char *name, void *p)
{
	show_ok(name, p == (void *)-1 ? -1 : 0);
	return p;
}

static __attribute__((unused)) int show_bool(const char *name, int cond)
{
	printf("%s: %d\n", name, cond ? 1 : 0);
	return cond;
}

static __attribute__((unused)) void show_str(const char *name, const char *s)
{
	printf("%s: \"", name);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 32 && c < 127 && c != '"' && c != '\\')
			putchar(c);
		else
			printf("\\x%02x", c);
	}
	printf("\"\n");
}

/* Runs fn in a child process (its output flushed first, so lines stay in
 * order) and returns the child's wait status. */
static __attribute__((unused)) int fork_run(void (*fn)(void))
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		fn();
		fflush(stdout);
		_exit(0);
	}
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return st;
}

/* fork_run; a child that does not exit 0 prints "name: child status N". */
static __attribute__((unused)) void run_child(const char *name, void (*fn)(void))
{
	int st = fork_run(fn);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		printf("%s: child status %d\n", name, st);
}

/* SYS(nr, args...): a raw system call with every argument widened to long
 * (so that a negative int is sign-extended the same way in every build), and
 * errno reset first so a stale value is never printed. */
#define SYS_L(x) ((long)(x))
#define SYS_0(n) syscall(SYS_L(n))
#define SYS_1(n, a) syscall(SYS_L(n), SYS_L(a))
#define SYS_2(n, a, b) syscall(SYS_L(n), SYS_L(a), SYS_L(b))
#define SYS_3(n, a, b, c) syscall(SYS_L(n), SYS_L(a), SYS_L(b), SYS_L(c))
#define SYS_4(n, a, b, c, d) syscall(SYS_L(n), SYS_L(a), SYS_L(b), SYS_L(c), SYS_L(d))
#define SYS_5(n, a, b, c, d, e) \
	syscall(SYS_L(n), SYS_L(a), SYS_L(b), SYS_L(c), SYS_L(d), SYS_L(e))
#define SYS_6(n, a, b, c, d, e, f) \
	syscall(SYS_L(n), SYS_L(a), SYS_L(b), SYS_L(c), SYS_L(d), SYS_L(e), SYS_L(f))
#define SYS_PICK(_1, _2, _3, _4, _5, _6, _7, NAME, ...) NAME
#define SYS(...) (errno = 0, \
	SYS_PICK(__VA_ARGS__, SYS_6, SYS_5, SYS_4, SYS_3, SYS_2, SYS_1, SYS_0, x)(__VA_ARGS__))

/* Line-buffered stdout: each check reaches the pipe before the next call, so
 * a crash in the middle still shows how far the program got. The buffer is
 * static so that printing never calls malloc (and so never moves the break,
 * which the mm test checks). */
static char common_stdout_buf[8192];
__attribute__((constructor)) static void common_init(void)
{
	setvbuf(stdout, common_stdout_buf, _IOLBF, sizeof common_stdout_buf);
}

#endif
