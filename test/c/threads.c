/*
 * Threads: pthread_create/join/exit/detach, mutexes and condition
 * variables (futexes), thread-local storage (the FS base), gettid, signals
 * to one thread (pthread_kill) and to the process (delivered to a thread
 * that does not block it), sched_yield hand-offs, many short-lived threads,
 * CPU-time clocks, fork and exec and exit_group from threads, and the main
 * thread leaving first. Only the main thread prints, after joining, so the
 * output's order is fixed; tids are never printed.
 */
#include "common.h"
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <time.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static long counter;
static __thread long tls_value = 7;

static void *add(void *arg)
{
	long n = (long)arg;
	for (long i = 0; i < n; i++) {
		pthread_mutex_lock(&mu);
		counter++;
		pthread_mutex_unlock(&mu);
	}
	tls_value = n;
	return (void *)(tls_value + (SYS(SYS_gettid) != getpid() ? 1000000 : 0));
}

/* Ping-pong on a condition variable. */
static int turn, rounds;
static void *pong(void *arg)
{
	(void)arg;
	for (int i = 0; i < 100; i++) {
		pthread_mutex_lock(&mu);
		while (turn != 1)
			pthread_cond_wait(&cv, &mu);
		turn = 0;
		rounds++;
		pthread_cond_signal(&cv);
		pthread_mutex_unlock(&mu);
	}
	return NULL;
}

static void *exits_early(void *arg)
{
	pthread_exit((void *)((long)arg * 2));
	return NULL;
}

static atomic_int detached_done;
static void *detached(void *arg)
{
	(void)arg;
	atomic_store(&detached_done, 1);
	return NULL;
}

/* Signals: which thread ran the handler. */
static volatile long handler_tid;
static void on_sig(int s)
{
	(void)s;
	handler_tid = SYS(SYS_gettid);
}

static atomic_long worker_tid;
static atomic_int stop_worker;
static void *sig_worker(void *arg)
{
	(void)arg;
	atomic_store(&worker_tid, SYS(SYS_gettid));
	while (!atomic_load(&stop_worker))
		usleep(1000);
	return NULL;
}

/* sched_yield hand-off without futexes. */
static atomic_int flag;
static void *yielder(void *arg)
{
	(void)arg;
	for (int i = 0; i < 50; i++) {
		while (atomic_load(&flag) != 1)
			sched_yield();
		atomic_store(&flag, 0);
	}
	return NULL;
}

static void *noop(void *arg)
{
	return arg;
}

static void *exec_echo(void *arg)
{
	(void)arg;
	execl("/bin/echo", "echo", "exec from a thread", NULL);
	return NULL;
}

static void *exit_group_7(void *arg)
{
	(void)arg;
	SYS(SYS_exit_group, 7);
	return NULL;
}

static void *last_thread(void *arg)
{
	(void)arg;
	usleep(20000);
	printf("done\n");
	exit(0);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	pthread_t t[8];

	/* --- create, join, mutexes, TLS ------------------------------- */
	for (long i = 0; i < 8; i++)
		show("create", pthread_create(&t[i], NULL, add, (void *)(10000 + i)));
	long sum = 0;
	for (int i = 0; i < 8; i++) {
		void *r;
		pthread_join(t[i], &r);
		sum += (long)r;
	}
	show("counter", counter);
	show("joined_sum", sum);
	show("main_tls_untouched", tls_value);
	show_bool("main_tid_is_pid", SYS(SYS_gettid) == getpid());

	/* --- condition variable ping-pong ---------------------------- */
	pthread_create(&t[0], NULL, pong, NULL);
	for (int i = 0; i < 100; i++) {
		pthread_mutex_lock(&mu);
		turn = 1;
		pthread_cond_signal(&cv);
		while (turn != 0)
			pthread_cond_wait(&cv, &mu);
		pthread_mutex_unlock(&mu);
	}
	pthread_join(t[0], NULL);
	show("pingpong_rounds", rounds);

	/* --- pthread_exit, detached threads --------------------------- */
	{
		void *r;
		pthread_create(&t[0], NULL, exits_early, (void *)21);
		pthread_join(t[0], &r);
		show("pthread_exit_value", (long)r);
		pthread_attr_t at;
		pthread_attr_init(&at);
		pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
		pthread_create(&t[0], &at, detached, NULL);
		while (!atomic_load(&detached_done))
			usleep(1000);
		show("detached_ran", atomic_load(&detached_done));
	}

	/* --- many short-lived threads --------------------------------- */
	{
		long ok = 0;
		for (long i = 0; i < 300; i++) {
			void *r;
			if (pthread_create(&t[0], NULL, noop, (void *)i) == 0 && pthread_join(t[0], &r) == 0 && (long)r == i)
				ok++;
		}
		show("short_lived_threads", ok);
	}

	/* --- signals to a thread and to the process -------------------- */
	signal(SIGUSR1, on_sig);
	signal(SIGUSR2, on_sig);
	pthread_create(&t[0], NULL, sig_worker, NULL);
	while (atomic_load(&worker_tid) == 0)
		usleep(1000);
	show("pthread_kill", pthread_kill(t[0], SIGUSR1));
	for (int i = 0; i < 1000 && handler_tid == 0; i++)
		usleep(1000);
	show_bool("handler_ran_in_target_thread", handler_tid == atomic_load(&worker_tid));
	handler_tid = 0;
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	kill(getpid(), SIGUSR2);
	for (int i = 0; i < 1000 && handler_tid == 0; i++)
		usleep(1000);
	show_bool("process_signal_went_to_unblocked_thread", handler_tid == atomic_load(&worker_tid));
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	atomic_store(&stop_worker, 1);
	pthread_join(t[0], NULL);
	show("tgkill_no_such_thread", SYS(SYS_tgkill, getpid(), 999999, SIGUSR1));

	/* --- sched_yield hand-offs ------------------------------------ */
	pthread_create(&t[0], NULL, yielder, NULL);
	for (int i = 0; i < 50; i++) {
		while (atomic_load(&flag) != 0)
			sched_yield();
		atomic_store(&flag, 1);
	}
	pthread_join(t[0], NULL);
	show("yield_handoffs_done", 50);

	/* --- CPU-time clocks ------------------------------------------ */
	{
		struct timespec p, th;
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &p);
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &th);
		show_bool("process_cpu_at_least_thread_cpu",
			  p.tv_sec > th.tv_sec || (p.tv_sec == th.tv_sec && p.tv_nsec >= th.tv_nsec));
	}

	/* --- fork, exec and exit_group from threads ------------------- */
	{
		int st;
		pid_t c = fork();
		if (c == 0) {
			/* The child has one thread, and can make more. */
			void *r;
			pthread_t x;
			pthread_create(&x, NULL, noop, (void *)5);
			pthread_join(x, &r);
			_exit((int)(long)r);
		}
		waitpid(c, &st, 0);
		show("fork_child_thread_status", WEXITSTATUS(st));

		c = fork();
		if (c == 0) {
			pthread_t x;
			pthread_create(&x, NULL, exec_echo, NULL);
			pthread_join(x, NULL);
			_exit(99); /* not reached: the exec ends this thread too */
		}
		waitpid(c, &st, 0);
		show("exec_from_thread_status", WEXITSTATUS(st));

		c = fork();
		if (c == 0) {
			pthread_t x;
			pthread_create(&x, NULL, exit_group_7, NULL);
			pthread_join(x, NULL);
			_exit(99);
		}
		waitpid(c, &st, 0);
		show("exit_group_from_thread_status", WEXITSTATUS(st));
	}

	/* --- the main thread leaves first ------------------------------ */
	pthread_create(&t[0], NULL, last_thread, NULL);
	pthread_exit(NULL);
}
