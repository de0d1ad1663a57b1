/*
 * Helpers the SysV IPC tests (sysv_shm.c, sysv_sem.c, sysv_msg.c) share:
 * a child's shell-style status, and reading and writing the small files
 * of /proc/sys/kernel and /proc/sysvipc.
 */
#ifndef TSVISOR_TEST_SYSV_H
#define TSVISOR_TEST_SYSV_H

#include "common.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/time.h>

/* The exit code, or 128 + the signal. */
static __attribute__((unused)) int child_status(pid_t p)
{
	int st;
	waitpid(p, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Writes v to path: 0 or -errno (of the open or the write). */
static __attribute__((unused)) int write_file(const char *path, const char *v)
{
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	int r = write(fd, v, strlen(v));
	int e = errno;
	close(fd);
	return r < 0 ? -e : 0;
}

/* Reads at most n - 1 bytes of path into buf, NUL-terminated (empty if it cannot be read). */
static __attribute__((unused)) void read_file(const char *path, char *buf, size_t n)
{
	int fd = open(path, O_RDONLY);
	buf[0] = 0;
	if (fd < 0)
		return;
	ssize_t r = read(fd, buf, n - 1);
	buf[r > 0 ? r : 0] = 0;
	close(fd);
}

/* How many lines s has (its newlines). */
static __attribute__((unused)) int count_lines(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* In a child: become uid and gid 65534 (nobody), or exit 3. */
static __attribute__((unused)) void become_nobody(void)
{
	if (setgid(65534) != 0 || setuid(65534) != 0)
		_exit(3);
}

static void sysv_on_alarm(int s)
{
	(void)s;
}

/* A SIGALRM with a handler (SA_RESTART, which SysV IPC waits ignore) in 50 ms. */
static __attribute__((unused)) void alarm_soon(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = sysv_on_alarm;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = { { 0, 0 }, { 0, 50000 } };
	setitimer(ITIMER_REAL, &it, NULL);
}

#endif
