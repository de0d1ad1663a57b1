/*
 * timerfd and signalfd: creation and argument errors; one-shot, periodic,
 * absolute (monotonic and realtime) and disarmed timers, read in blocking
 * and non-blocking mode, with poll; signals read as signalfd_siginfo
 * records (kill, sigqueue's value, SIGCHLD's status, one sent by a child
 * while the reader blocks), mask updates.
 */
#include "common.h"
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int readable(int fd)
{
	struct pollfd p = {fd, POLLIN, 0};
	return poll(&p, 1, 0);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	uint64_t n;
	struct itimerspec its, old;

	/* --- timerfd --------------------------------------------------- */
	show("timerfd_bad_clock", SYS(SYS_timerfd_create, 77, 0));
	show("timerfd_bad_flags", SYS(SYS_timerfd_create, CLOCK_MONOTONIC, 1));
	int tf = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	show_bool("timerfd_create", tf >= 0);
	show("timerfd_cloexec", SYS(SYS_fcntl, tf, F_GETFD));
	{
		struct stat st;
		fstat(tf, &st);
		printf("timerfd_mode: %o\n", st.st_mode);
	}
	timerfd_gettime(tf, &its);
	show("fresh_value_zero", its.it_value.tv_sec + its.it_value.tv_nsec);
	memset(&its, 0, sizeof its);
	its.it_value.tv_nsec = 30000000;
	long t0 = now_ms();
	show("settime_30ms", timerfd_settime(tf, 0, &its, NULL));
	timerfd_gettime(tf, &old);
	show_bool("gettime_pending", old.it_value.tv_sec == 0 && old.it_value.tv_nsec > 0 && old.it_value.tv_nsec <= 30000000);
	show("readable_before", readable(tf));
	show("read_blocks_until_expiry", read(tf, &n, 8));
	show("expirations", (long)n);
	show_bool("waited_30ms", now_ms() - t0 >= 29);
	show("read_short_buffer", read(tf, &n, 4));
	fcntl(tf, F_SETFL, O_NONBLOCK);
	show("read_nothing_nonblock", read(tf, &n, 8));

	its.it_interval.tv_nsec = 10000000;
	its.it_value.tv_nsec = 10000000;
	timerfd_settime(tf, 0, &its, NULL);
	usleep(55000);
	show("readable_periodic", readable(tf));
	read(tf, &n, 8);
	show_bool("periodic_expirations_at_least_4", n >= 4);
	memset(&its, 0, sizeof its);
	show("disarm", timerfd_settime(tf, 0, &its, &old));
	show_bool("old_interval_10ms", old.it_interval.tv_sec == 0 && old.it_interval.tv_nsec == 10000000);
	timerfd_gettime(tf, &its);
	show("disarmed_value", its.it_value.tv_sec + its.it_value.tv_nsec);
	usleep(20000);
	show("disarmed_not_readable", readable(tf));

	/* Absolute: a monotonic time already past (now) expires at once. */
	clock_gettime(CLOCK_MONOTONIC, &its.it_value);
	show("abstime_past", timerfd_settime(tf, TFD_TIMER_ABSTIME, &its, NULL));
	show("abstime_past_read", read(tf, &n, 8));
	show("abstime_past_count", (long)n);
	close(tf);
	tf = timerfd_create(CLOCK_REALTIME, 0);
	clock_gettime(CLOCK_REALTIME, &its.it_value);
	its.it_value.tv_nsec += 20000000;
	if (its.it_value.tv_nsec >= 1000000000) {
		its.it_value.tv_sec++;
		its.it_value.tv_nsec -= 1000000000;
	}
	t0 = now_ms();
	show("abstime_realtime", timerfd_settime(tf, TFD_TIMER_ABSTIME, &its, NULL));
	show("abstime_realtime_read", read(tf, &n, 8));
	show_bool("abstime_realtime_waited", now_ms() - t0 >= 15);
	its.it_value.tv_nsec = 1000000000;
	show("settime_bad_timespec", timerfd_settime(tf, 0, &its, NULL));
	show("settime_bad_flags", timerfd_settime(tf, 4, &its, NULL));
	show("settime_not_timerfd", timerfd_settime(0, 0, &its, NULL));
	show("settime_bad_fd", timerfd_settime(999, 0, &its, NULL));
	show("gettime_efault", SYS(SYS_timerfd_gettime, tf, BADPTR1));
	close(tf);

	/* --- signalfd -------------------------------------------------- */
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGUSR2);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	show("signalfd_bad_size", SYS(SYS_signalfd4, -1, &mask, 4, 0));
	show("signalfd_bad_flags", SYS(SYS_signalfd4, -1, &mask, 8, 1));
	show("signalfd_efault", SYS(SYS_signalfd4, -1, BADPTR1, 8, 0));
	show("signalfd_not_signalfd", SYS(SYS_signalfd4, 0, &mask, 8, 0));
	int sf = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	show_bool("signalfd_create", sf >= 0);
	struct signalfd_siginfo si;
	show("signalfd_empty", read(sf, &si, sizeof si));
	show("signalfd_short", read(sf, &si, 8));
	kill(getpid(), SIGUSR1);
	show("readable_signal", readable(sf));
	show("read_kill", read(sf, &si, sizeof si));
	show("ssi_signo", si.ssi_signo);
	show("ssi_code_user", si.ssi_code);
	show_bool("ssi_pid_self", si.ssi_pid == (uint32_t)getpid());
	show_bool("ssi_uid", si.ssi_uid == getuid());
	sigqueue(getpid(), SIGUSR2, (union sigval){.sival_int = 1234});
	read(sf, &si, sizeof si);
	show("ssi_queue_signo", si.ssi_signo);
	show("ssi_queue_code", si.ssi_code);
	show("ssi_queue_int", si.ssi_int);
	pid_t c = fork();
	if (c == 0)
		_exit(3);
	int st;
	waitpid(c, &st, 0);
	read(sf, &si, sizeof si);
	show("ssi_chld_signo", si.ssi_signo);
	show("ssi_chld_code", si.ssi_code);
	show("ssi_chld_status", si.ssi_status);
	show_bool("ssi_chld_pid", si.ssi_pid == (uint32_t)c);
	/* Two records at once. */
	kill(getpid(), SIGUSR1);
	kill(getpid(), SIGUSR2);
	struct signalfd_siginfo two[2];
	show("read_two", read(sf, two, sizeof two));
	printf("two_signos: %u %u\n", two[0].ssi_signo, two[1].ssi_signo);
	/* A new mask without SIGUSR1: it stays pending, unread. */
	sigset_t only2;
	sigemptyset(&only2);
	sigaddset(&only2, SIGUSR2);
	show_bool("update_mask", signalfd(sf, &only2, 0) == sf);
	kill(getpid(), SIGUSR1);
	show("masked_out", read(sf, &si, sizeof si));
	sigset_t pend;
	sigpending(&pend);
	show_bool("still_pending", sigismember(&pend, SIGUSR1));
	/* A blocking read woken by a signal from a child. */
	fcntl(sf, F_SETFL, 0);
	c = fork();
	if (c == 0) {
		usleep(20000);
		kill(getppid(), SIGUSR2);
		_exit(0);
	}
	show("blocking_read", read(sf, &si, sizeof si));
	show_bool("from_child", si.ssi_pid == (uint32_t)c && si.ssi_signo == SIGUSR2);
	waitpid(c, &st, 0);
	close(sf);
	printf("done\n");
	return 0;
}
