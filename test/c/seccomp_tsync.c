/*
 * Filters are per thread: without TSYNC a new filter binds only the thread
 * that installs it (and threads it creates later); with
 * SECCOMP_FILTER_FLAG_TSYNC every thread of the process gets the caller's
 * chain, and the caller's no_new_privs, unless a thread is on a chain that
 * is not an ancestor of the caller's: then the call fails with that
 * thread's id (or ESRCH with TSYNC_ESRCH) and changes nothing.
 */
#include "seccomp.h"
#include <pthread.h>

static pthread_barrier_t go, done;
static pid_t tids[2];
static volatile int step, who;

static void status_of(const char *label, pid_t tid)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/self/task/%d/status", tid);
	show_status(label, path);
}

static void *worker(void *arg)
{
	int me = (int)(long)arg;
	tids[me] = (pid_t)SYS(SYS_gettid);
	pthread_barrier_wait(&go);
	for (;;) {
		pthread_barrier_wait(&go);
		if (step == 99)
			return NULL;
		if (who == me) {
			char what[64];
			snprintf(what, sizeof what, "step %d: thread %d", step, me);
			show_magic(what);
			if (step == 2 && me == 1)
				show("thread 1: its own filter", install_magic(SECCOMP_RET_ERRNO | 9, 0));
			if (step == 4)
				show("thread 1: TSYNC to its chain", install_magic(SECCOMP_RET_ERRNO | 10, SECCOMP_FILTER_FLAG_TSYNC));
		}
		pthread_barrier_wait(&done);
	}
}

/* Lets thread w run step s while the others wait. */
static void run_step(int s, int w)
{
	step = s;
	who = w;
	pthread_barrier_wait(&go);
	pthread_barrier_wait(&done);
}

int main(void)
{
	pthread_t th[2];
	/* Each step: all three meet on go, the chosen thread acts, all meet on done. */
	pthread_barrier_init(&go, NULL, 3);
	pthread_barrier_init(&done, NULL, 3);
	for (long i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, worker, (void *)i);
	pthread_barrier_wait(&go);

	show("main: filter without TSYNC", install_magic(SECCOMP_RET_ERRNO | 1, 0));
	show_magic("main");
	status_of("thread 0 after a filter without TSYNC", tids[0]);
	show("main: no_new_privs", SYS(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
	show("main: TSYNC", install_magic(SECCOMP_RET_ERRNO | 2, SECCOMP_FILTER_FLAG_TSYNC));
	show_magic("main after TSYNC");
	status_of("thread 0 after TSYNC", tids[0]);
	status_of("thread 1 after TSYNC", tids[1]);
	run_step(2, 0);
	run_step(2, 1);
	/* Thread 1 has a newer filter of its own now: main's chain is not its ancestor... */
	long r = SYS(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, NULL);
	show("main: TSYNC with a NULL program", r);
	struct sock_filter allow[] = { BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW) };
	struct sock_fprog p = { 1, allow };
	r = SYS(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &p);
	show_bool("main: TSYNC fails with thread 1's id", r == tids[1]);
	show("main: TSYNC_ESRCH", SYS(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
				      SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_TSYNC_ESRCH, &p));
	status_of("main after the failed TSYNC", (pid_t)SYS(SYS_gettid));
	/* ...but thread 1 can sync everyone to its chain, which has main's as an ancestor. */
	run_step(3, 1);
	run_step(4, 1);
	run_step(5, 0);
	show_magic("main after thread 1's TSYNC");
	status_of("main after thread 1's TSYNC", (pid_t)SYS(SYS_gettid));
	step = 99;
	pthread_barrier_wait(&go);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	printf("done\n");
	return 0;
}
