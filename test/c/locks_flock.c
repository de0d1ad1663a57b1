/*
 * flock(2): shared and exclusive locks of an open file description, shared
 * by dup and fork, independent across separate opens, converted, released
 * by the last close, independent of record locks; LOCK_NB, the errors, a
 * blocked flock woken by the holder's unlock, interrupted by a signal
 * (EINTR without SA_RESTART, restarted with it).
 */
#include "common.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>

static int sync_pipe[2];

static void try_in_child(const char *name, int fd, int op)
{
	fflush(stdout);
	pid_t p = fork();
	if (p == 0) {
		show(name, flock(fd, op));
		fflush(stdout);
		_exit(0);
	}
	int st;
	waitpid(p, &st, 0);
}

static void on_alarm(int s)
{
	(void)s;
}

static int alarms;
static void on_alarm_release(int s)
{
	(void)s;
	alarms++;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* Two descriptions of one file: two opens of its name. */
	char path[] = "/tmp/locks_flock_XXXXXX";
	int a = mkstemp(path);
	int b = open(path, O_RDWR);
	if (a < 0 || b < 0) {
		perror("setup");
		return 1;
	}
	show("bad op 0", flock(a, 0));
	show("bad op SH|EX", flock(a, LOCK_SH | LOCK_EX));
	show("bad op UN|EX", flock(a, LOCK_UN | LOCK_EX));
	show("bad op 64", flock(a, 64));
	show("LOCK_MAND ignored", flock(a, 32 | LOCK_EX));
	show("bad fd", flock(999, LOCK_SH));
	show("bad fd bad op", flock(999, 0));
	int op = open("/", O_PATH);
	show("O_PATH", flock(op, LOCK_SH));
	show("unlock with none", flock(a, LOCK_UN));

	show("a EX", flock(a, LOCK_EX));
	show("a EX again", flock(a, LOCK_EX));
	show("b SH NB", flock(b, LOCK_SH | LOCK_NB));
	show("b EX NB", flock(b, LOCK_EX | LOCK_NB));
	int a2 = dup(a);
	show("dup of a EX NB (same description)", flock(a2, LOCK_EX | LOCK_NB));
	try_in_child("child through inherited a: EX NB", a, LOCK_EX | LOCK_NB);
	try_in_child("child through inherited b: SH NB", b, LOCK_SH | LOCK_NB);
	/* Record locks do not see flock locks. */
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
	show("fcntl W on b", fcntl(b, F_SETLK, &fl));
	fl.l_type = F_UNLCK;
	fcntl(b, F_SETLK, &fl);

	show("a convert to SH", flock(a, LOCK_SH));
	show("b SH NB", flock(b, LOCK_SH | LOCK_NB));
	show("b convert to EX NB", flock(b, LOCK_EX | LOCK_NB));
	show("b still SH: a EX NB", flock(a, LOCK_EX | LOCK_NB));
	show("b UN", flock(b, LOCK_UN));
	show("a convert to EX NB", flock(a, LOCK_EX | LOCK_NB));

	/* Closing one of two descriptors of a's description keeps the lock; closing both releases it. */
	show("close a2", close(a2));
	show("b SH NB (a still holds EX)", flock(b, LOCK_SH | LOCK_NB));
	int a3 = dup(a);
	show("close a", close(a));
	show("b SH NB (a3 holds it)", flock(b, LOCK_SH | LOCK_NB));
	show("close a3", close(a3));
	show("b EX NB (released)", flock(b, LOCK_EX | LOCK_NB));

	/* A blocked flock woken by the holder's unlock. */
	if (pipe(sync_pipe) < 0)
		return 1;
	int c = open(path, O_RDONLY);
	fflush(stdout);
	pid_t p = fork();
	if (p == 0) {
		int mine = open(path, O_RDONLY);
		char x = 1;
		write(sync_pipe[1], &x, 1);
		int r = flock(mine, LOCK_SH);
		printf("child blocked SH: %d\n", r);
		fflush(stdout);
		_exit(0);
	}
	char x;
	read(sync_pipe[0], &x, 1);
	usleep(200000);
	/* Printed after the child has printed and gone: the woken child and this line would race otherwise. */
	int un = flock(b, LOCK_UN);
	int st;
	waitpid(p, &st, 0);
	show("b UN (wakes the child)", un);

	/* Interrupted: EINTR without SA_RESTART. */
	show("b EX", flock(b, LOCK_EX));
	struct sigaction sa = { .sa_handler = on_alarm };
	sigaction(SIGALRM, &sa, NULL);
	alarm(1);
	show("c SH interrupted", flock(c, LOCK_SH));
	/* With SA_RESTART the call goes on; the second alarm's handler unlocks b. */
	sa.sa_handler = on_alarm_release;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	fflush(stdout);
	p = fork();
	if (p == 0) {
		/* The child shares b's description: its unlock releases the parent's lock. */
		sleep(2);
		flock(b, LOCK_UN);
		_exit(0);
	}
	alarm(1);
	show("c SH restarted", flock(c, LOCK_SH));
	printf("alarms: %d\n", alarms);
	waitpid(p, &st, 0);
	unlink(path);
	printf("done\n");
	return 0;
}
