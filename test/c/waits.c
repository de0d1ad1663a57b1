/*
 * Pipes and waiting for files: pipe/pipe2 (EOF, EPIPE + SIGPIPE, O_NONBLOCK,
 * FIONREAD, F_GETPIPE_SZ, F_SETPIPE_SZ, blocking writes
 * that go on until done), poll/ppoll/select/pselect6 (readiness, timeouts,
 * POLLNVAL, POLLHUP, EBADF, EINVAL, EFAULT), and interval timers: alarm,
 * setitimer/getitimer(ITIMER_REAL) delivering SIGALRM, pause.
 */
#include "common.h"
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/time.h>

static volatile sig_atomic_t alarms, pipes;
static void on_alrm(int s) { (void)s; alarms++; }
static void on_pipe(int s) { (void)s; pipes++; }

int main(void)
{
	int p[2];
	char buf[64];
	setvbuf(stdout, NULL, _IONBF, 0);

	/* --- pipes ------------------------------------------------------ */
	show("pipe", SYS(SYS_pipe, p));
	show("pipe_write", SYS(SYS_write, p[1], "hello", 5));
	{
		int n = -1;
		show("fionread", SYS(SYS_ioctl, p[0], FIONREAD, &n));
		show("fionread_n", n);
	}
	show("pipe_read_3", SYS(SYS_read, p[0], buf, 3));
	show("pipe_read_rest", SYS(SYS_read, p[0], buf, sizeof buf));
	show("getpipe_sz", SYS(SYS_fcntl, p[0], F_GETPIPE_SZ));
	show("pipe_lseek", SYS(SYS_lseek, p[0], 0, SEEK_SET));
	show("pipe_pread", SYS(SYS_pread64, p[0], buf, 1, 0));
	show("pipe_read_on_wfd", SYS(SYS_read, p[1], buf, 1));
	show("pipe_write_on_rfd", SYS(SYS_write, p[0], "x", 1));
	show("close_w", SYS(SYS_close, p[1]));
	show("read_eof", SYS(SYS_read, p[0], buf, sizeof buf));
	show("close_r", SYS(SYS_close, p[0]));

	show("pipe2_nonblock", SYS(SYS_pipe2, p, O_NONBLOCK | O_CLOEXEC));
	show("read_empty_nonblock", SYS(SYS_read, p[0], buf, 1));
	show("getfd_cloexec", SYS(SYS_fcntl, p[0], F_GETFD));
	show_bool("getfl_nonblock", (SYS(SYS_fcntl, p[1], F_GETFL) & O_NONBLOCK) != 0);
	{
		/* Fill it: a non-blocking write then fails with EAGAIN. */
		static char big[65536];
		long total = 0, r;
		while ((r = SYS(SYS_write, p[1], big, sizeof big)) > 0)
			total += r;
		show("filled_total", total);
		show("write_full_nonblock", r);
	}
	/* Writing with no reader: SIGPIPE (here handled), then EPIPE. */
	signal(SIGPIPE, on_pipe);
	show("close_r2", SYS(SYS_close, p[0]));
	show("write_no_reader", SYS(SYS_write, p[1], "x", 1));
	show("sigpipe_count", pipes);
	signal(SIGPIPE, SIG_IGN);
	show("write_no_reader_ignored", SYS(SYS_write, p[1], "x", 1));
	show("sigpipe_count_ignored", pipes);
	SYS(SYS_close, p[1]);
	show("pipe2_badflags", SYS(SYS_pipe2, p, 0x4000000));
	show("pipe_efault", SYS(SYS_pipe, (void *)1));

	/* --- poll ------------------------------------------------------- */
	SYS(SYS_pipe, p);
	{
		struct pollfd f[3] = {{p[0], POLLIN, 0}, {p[1], POLLOUT, 0}, {999, POLLIN, 0}};
		show("poll_ready", SYS(SYS_poll, f, 3, 0));
		printf("poll_revents: %x %x %x\n", f[0].revents, f[1].revents, f[2].revents);
		f[1].fd = -1;
		show("poll_timeout_20ms", SYS(SYS_poll, f, 2, 20));
		SYS(SYS_write, p[1], "x", 1);
		show("poll_readable", SYS(SYS_poll, f, 1, -1));
		printf("poll_readable_revents: %x\n", f[0].revents);
		SYS(SYS_close, p[1]);
		SYS(SYS_read, p[0], buf, 1);
		show("poll_hup", SYS(SYS_poll, f, 1, 0));
		printf("poll_hup_revents: %x\n", f[0].revents);
		show("poll_efault", SYS(SYS_poll, (void *)1, 1, 0));
		show("poll_einval", SYS(SYS_poll, f, 1 << 30, 0));
		struct timespec ts = {0, 1000000};
		show("ppoll_1ms", SYS(SYS_ppoll, f, 0, &ts, NULL, 8));
		ts.tv_nsec = 2000000000L;
		show("ppoll_bad_ts", SYS(SYS_ppoll, f, 1, &ts, NULL, 8));
		SYS(SYS_close, p[0]);
	}

	/* --- select ----------------------------------------------------- */
	SYS(SYS_pipe, p);
	{
		fd_set r, w;
		FD_ZERO(&r);
		FD_ZERO(&w);
		FD_SET(p[0], &r);
		FD_SET(p[1], &w);
		struct timeval tv = {0, 0};
		show("select_w_only", SYS(SYS_select, p[1] + 1, &r, &w, NULL, &tv));
		show_bool("select_r_clear", !FD_ISSET(p[0], &r));
		show_bool("select_w_set", FD_ISSET(p[1], &w));
		FD_ZERO(&r);
		FD_SET(p[0], &r);
		tv.tv_usec = 20000;
		show("select_timeout", SYS(SYS_select, p[0] + 1, &r, NULL, NULL, &tv));
		show_bool("select_timeout_left_zero", tv.tv_sec == 0 && tv.tv_usec == 0);
		FD_ZERO(&r);
		FD_SET(p[0], &r);
		FD_SET(900, &r);
		tv.tv_usec = 0;
		show("select_ebadf", SYS(SYS_select, 901, &r, NULL, NULL, &tv));
		show("select_einval", SYS(SYS_select, -1, NULL, NULL, NULL, &tv));
		tv.tv_usec = 1000001; /* folded into 1 s, not EINVAL */
		show("select_bad_tv", SYS(SYS_select, 1, NULL, NULL, NULL, &tv));
		struct timespec ts = {0, 0};
		FD_ZERO(&w);
		FD_SET(p[1], &w);
		show("pselect6_w", SYS(SYS_pselect6, p[1] + 1, NULL, &w, NULL, &ts, NULL));
		SYS(SYS_close, p[0]);
		SYS(SYS_close, p[1]);
	}

	/* --- timers ----------------------------------------------------- */
	signal(SIGALRM, on_alrm);
	show("alarm_first", SYS(SYS_alarm, 5));
	show("alarm_replace", SYS(SYS_alarm, 0));
	{
		struct itimerval it = {{0, 0}, {0, 30000}}, old;
		show("setitimer", SYS(SYS_setitimer, ITIMER_REAL, &it, NULL));
		show("getitimer", SYS(SYS_getitimer, ITIMER_REAL, &old));
		show_bool("getitimer_pending", old.it_value.tv_sec == 0 && old.it_value.tv_usec > 0);
		show("pause", SYS(SYS_pause));
		show("alarms_after_pause", alarms);
		it.it_interval.tv_usec = 10000;
		it.it_value.tv_usec = 10000;
		SYS(SYS_setitimer, ITIMER_REAL, &it, NULL);
		while (alarms < 4)
			SYS(SYS_pause);
		memset(&it, 0, sizeof it);
		show("setitimer_off", SYS(SYS_setitimer, ITIMER_REAL, &it, &old));
		show_bool("old_interval_10ms", old.it_interval.tv_sec == 0 && old.it_interval.tv_usec == 10000);
		show("alarms", alarms);
		show("setitimer_bad_which", SYS(SYS_setitimer, 7, &it, NULL));
		it.it_value.tv_usec = 1000000;
		show("setitimer_bad_usec", SYS(SYS_setitimer, ITIMER_REAL, &it, NULL));
		show("setitimer_efault", SYS(SYS_setitimer, ITIMER_REAL, (void *)1, NULL));
	}
	/* A blocking read interrupted by a handler without SA_RESTART fails with EINTR. */
	{
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_alrm;
		sigaction(SIGALRM, &sa, NULL);
		SYS(SYS_pipe, p);
		struct itimerval it = {{0, 0}, {0, 20000}};
		SYS(SYS_setitimer, ITIMER_REAL, &it, NULL);
		show("read_interrupted", SYS(SYS_read, p[0], buf, 1));
		/* With SA_RESTART the read goes on and gets the data written by the next handler. */
		sa.sa_flags = SA_RESTART;
		sigaction(SIGALRM, &sa, NULL);
		SYS(SYS_setitimer, ITIMER_REAL, &it, NULL);
		struct pollfd f = {p[0], POLLIN, 0};
		show("poll_interrupted", SYS(SYS_poll, &f, 1, 1000));
		SYS(SYS_close, p[0]);
		SYS(SYS_close, p[1]);
	}
	/*
	 * A blocking write goes on until all of it is written: 100 KiB into a
	 * 64 KiB pipe blocks until the timer's handler interrupts it, and then
	 * returns what it wrote. F_SETPIPE_SZ grows and shrinks the pipe.
	 */
	{
		static char big[100000];
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_alrm;
		sa.sa_flags = SA_RESTART;
		sigaction(SIGALRM, &sa, NULL);
		SYS(SYS_pipe, p);
		alarms = 0;
		struct itimerval it = {{0, 0}, {0, 30000}};
		SYS(SYS_setitimer, ITIMER_REAL, &it, NULL);
		show("blocking_write_partial", SYS(SYS_write, p[1], big, sizeof big));
		show("handler_ran_before_return", alarms);
		show("setpipe_sz_busy", SYS(SYS_fcntl, p[1], F_SETPIPE_SZ, 4096));
		show("setpipe_sz_grow", SYS(SYS_fcntl, p[1], F_SETPIPE_SZ, 100000));
		show("getpipe_sz_grown", SYS(SYS_fcntl, p[0], F_GETPIPE_SZ));
		show("write_rest_fits", SYS(SYS_write, p[1], big, sizeof big - 65536));
		long got = 0, r;
		while (got < (long)sizeof big && (r = SYS(SYS_read, p[0], big, sizeof big)) > 0)
			got += r;
		show("read_all_back", got);
		show("setpipe_sz_shrink_0", SYS(SYS_fcntl, p[1], F_SETPIPE_SZ, 0));
		show("setpipe_sz_odd", SYS(SYS_fcntl, p[1], F_SETPIPE_SZ, 5000));
		show("setpipe_sz_huge", SYS(SYS_fcntl, p[1], F_SETPIPE_SZ, 0x80000001L));
		{
			int nul = open("/dev/null", O_WRONLY);
			show("setpipe_sz_not_pipe", SYS(SYS_fcntl, nul, F_SETPIPE_SZ, 4096));
			close(nul);
		}
		/* A blocking write into a smaller pipe, interrupted, returns what fitted. */
		show("write_small_pipe_partial_interrupted", (SYS(SYS_setitimer, ITIMER_REAL, &it, NULL),
			SYS(SYS_write, p[1], big, 20000)));
		SYS(SYS_close, p[0]);
		SYS(SYS_close, p[1]);
	}
	printf("done\n");
	return 0;
}
