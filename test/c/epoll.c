/*
 * epoll and eventfd: creation and epoll_ctl's errors in Linux's order;
 * level-triggered, edge-triggered and one-shot interests on pipes; HUP and
 * ERR; interests that end with their file (and the dup'd file that keeps
 * one alive); nested epoll and its ELOOP; timeouts; epoll_pwait
 * interrupted by a signal; eventfd's counter, semaphore mode, limits and
 * readiness.
 */
#include "common.h"
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>

static void on_alrm(int s) { (void)s; }

static long wait_ms(int ep, int ms, struct epoll_event *ev, int max)
{
	return SYS(SYS_epoll_wait, ep, ev, max, ms);
}

static void show_events(const char *name, long n, struct epoll_event *ev)
{
	printf("%s: %ld", name, n);
	for (long i = 0; i < n; i++)
		printf(" [%x %llu]", ev[i].events, (unsigned long long)ev[i].data.u64);
	printf("\n");
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	struct epoll_event ev, out[8];
	int p[2];
	char buf[64];

	/* --- creation ------------------------------------------------- */
	show("epoll_create_0", SYS(SYS_epoll_create, 0));
	show("epoll_create1_bad_flags", SYS(SYS_epoll_create1, 1));
	int ep = SYS(SYS_epoll_create1, EPOLL_CLOEXEC);
	show_bool("epoll_create1_fd", ep >= 0);
	show("epoll_cloexec", SYS(SYS_fcntl, ep, F_GETFD));
	{
		struct stat st;
		fstat(ep, &st);
		printf("epoll_mode: %o\n", st.st_mode);
	}

	/* --- epoll_ctl errors ---------------------------------------- */
	pipe(p);
	int file = open("/etc/passwd", O_RDONLY);
	ev.events = EPOLLIN;
	ev.data.u64 = 42;
	show("ctl_bad_event_ptr", SYS(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, p[0], BADPTR1));
	show("ctl_bad_epfd", SYS(SYS_epoll_ctl, 999, EPOLL_CTL_ADD, p[0], &ev));
	show("ctl_bad_fd", SYS(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, 999, &ev));
	show("ctl_regular_file", SYS(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, file, &ev));
	show("ctl_not_epoll", SYS(SYS_epoll_ctl, p[1], EPOLL_CTL_ADD, p[0], &ev));
	show("ctl_self", SYS(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, ep, &ev));
	show("ctl_bad_op", SYS(SYS_epoll_ctl, ep, 99, p[0], &ev));
	show("ctl_mod_missing", SYS(SYS_epoll_ctl, ep, EPOLL_CTL_MOD, p[0], &ev));
	show("ctl_del_missing", SYS(SYS_epoll_ctl, ep, EPOLL_CTL_DEL, p[0], NULL));
	show("ctl_add", SYS(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, p[0], &ev));
	show("ctl_add_again", SYS(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, p[0], &ev));
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	show("ctl_mod_exclusive", SYS(SYS_epoll_ctl, ep, EPOLL_CTL_MOD, p[0], &ev));

	/* --- epoll_wait errors and timeouts --------------------------- */
	show("wait_maxevents_0", SYS(SYS_epoll_wait, ep, out, 0, 0));
	show("wait_not_epoll", SYS(SYS_epoll_wait, p[0], out, 8, 0));
	show("wait_bad_epfd", SYS(SYS_epoll_wait, 999, out, 8, 0));
	show("wait_nothing", wait_ms(ep, 0, out, 8));
	{
		struct timespec a, b;
		clock_gettime(CLOCK_MONOTONIC, &a);
		long n = wait_ms(ep, 30, out, 8);
		clock_gettime(CLOCK_MONOTONIC, &b);
		long el = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
		show("wait_timeout", n);
		show_bool("waited_30ms", el >= 29);
	}

	/* --- level-triggered ------------------------------------------ */
	write(p[1], "ab", 2);
	show_events("level_1", wait_ms(ep, 0, out, 8), out);
	show_events("level_2_still", wait_ms(ep, 0, out, 8), out);
	show("wait_bad_events_ptr", SYS(SYS_epoll_wait, ep, BADPTR1, 8, 0));
	read(p[0], buf, sizeof buf);
	show_events("level_drained", wait_ms(ep, 0, out, 8), out);

	/* --- edge-triggered --------------------------------------------- */
	ev.events = EPOLLIN | EPOLLET;
	ev.data.u64 = 7;
	show("ctl_mod_et", SYS(SYS_epoll_ctl, ep, EPOLL_CTL_MOD, p[0], &ev));
	write(p[1], "x", 1);
	show_events("edge_1", wait_ms(ep, 0, out, 8), out);
	show_events("edge_2_quiet", wait_ms(ep, 0, out, 8), out);
	write(p[1], "y", 1);
	show_events("edge_3_new_data", wait_ms(ep, 0, out, 8), out);
	read(p[0], buf, sizeof buf);

	/* --- one-shot --------------------------------------------------- */
	ev.events = EPOLLIN | EPOLLONESHOT;
	ev.data.u64 = 9;
	SYS(SYS_epoll_ctl, ep, EPOLL_CTL_MOD, p[0], &ev);
	write(p[1], "z", 1);
	show_events("oneshot_1", wait_ms(ep, 0, out, 8), out);
	show_events("oneshot_2_disabled", wait_ms(ep, 0, out, 8), out);
	SYS(SYS_epoll_ctl, ep, EPOLL_CTL_MOD, p[0], &ev);
	show_events("oneshot_rearmed", wait_ms(ep, 0, out, 8), out);
	read(p[0], buf, sizeof buf);

	/* --- EPOLLOUT, HUP, ERR -------------------------------------- */
	ev.events = EPOLLOUT;
	ev.data.u64 = 100;
	SYS(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, p[1], &ev);
	show_events("writable", wait_ms(ep, 0, out, 8), out);
	SYS(SYS_epoll_ctl, ep, EPOLL_CTL_DEL, p[1], NULL);
	ev.events = EPOLLIN;
	ev.data.u64 = 5;
	SYS(SYS_epoll_ctl, ep, EPOLL_CTL_MOD, p[0], &ev);
	close(p[1]);
	show_events("hup_after_writer_closed", wait_ms(ep, 0, out, 8), out);
	close(p[0]);
	show_events("closed_file_gone", wait_ms(ep, 0, out, 8), out);
	show("del_after_close", SYS(SYS_epoll_ctl, ep, EPOLL_CTL_DEL, p[0], NULL));
	pipe(p);
	ev.events = EPOLLOUT;
	ev.data.u64 = 6;
	SYS(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, p[1], &ev);
	close(p[0]);
	show_events("err_after_reader_closed", wait_ms(ep, 0, out, 8), out);
	/* A dup keeps the file, and the interest, alive after its fd is closed. */
	int d = dup(p[1]);
	close(p[1]);
	show_events("dup_keeps_interest", wait_ms(ep, 0, out, 8), out);
	close(d);
	show_events("last_dup_closed", wait_ms(ep, 0, out, 8), out);

	/* --- nested epoll, ELOOP, poll on an epoll fd ------------------ */
	{
		int ep2 = SYS(SYS_epoll_create1, 0);
		pipe(p);
		ev.events = EPOLLIN;
		ev.data.u64 = 1;
		SYS(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, p[0], &ev);
		ev.data.u64 = 2;
		show("nest_add", SYS(SYS_epoll_ctl, ep2, EPOLL_CTL_ADD, ep, &ev));
		show("nest_cycle", SYS(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, ep2, &ev));
		show_events("nested_quiet", wait_ms(ep2, 0, out, 8), out);
		write(p[1], "n", 1);
		show_events("nested_ready", wait_ms(ep2, 0, out, 8), out);
		struct pollfd pf = {ep, POLLIN, 0};
		show("poll_epoll_fd", poll(&pf, 1, 0));
		printf("poll_epoll_revents: %x\n", pf.revents);
		close(ep2);
		close(p[0]);
		close(p[1]);
	}

	/* --- blocking wait woken by a signal -------------------------- */
	{
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_alrm;
		sa.sa_flags = SA_RESTART; /* epoll_wait is never restarted */
		sigaction(SIGALRM, &sa, NULL);
		struct itimerval it = {{0, 0}, {0, 20000}};
		setitimer(ITIMER_REAL, &it, NULL);
		show("wait_interrupted", SYS(SYS_epoll_wait, ep, out, 8, -1));
		setitimer(ITIMER_REAL, &it, NULL);
		sigset_t none;
		sigemptyset(&none);
		show("pwait_interrupted", SYS(SYS_epoll_pwait, ep, out, 8, 5000, &none, 8));
		struct timespec ts = {0, 10000000};
		show("pwait2_timeout", SYS(SYS_epoll_pwait2, ep, out, 8, &ts, NULL, 8));
		ts.tv_nsec = 2000000000L;
		show("pwait2_bad_timespec", SYS(SYS_epoll_pwait2, ep, out, 8, &ts, NULL, 8));
	}
	close(ep);

	/* --- eventfd --------------------------------------------------- */
	{
		uint64_t v;
		show("eventfd_bad_flags", SYS(SYS_eventfd2, 0, 0x10));
		int e = SYS(SYS_eventfd2, 3, EFD_NONBLOCK | EFD_CLOEXEC);
		show_bool("eventfd_fd", e >= 0);
		show("eventfd_cloexec", SYS(SYS_fcntl, e, F_GETFD));
		show("eventfd_read", read(e, &v, 8));
		show("eventfd_value", (long)v);
		show("eventfd_read_empty", read(e, &v, 8));
		show("eventfd_short_buffer", read(e, &v, 4));
		v = 5;
		write(e, &v, 8);
		v = 7;
		write(e, &v, 8);
		read(e, &v, 8);
		show("eventfd_sum", (long)v);
		v = ~0ULL;
		show("eventfd_write_max", write(e, &v, 8));
		v = 0xfffffffffffffffeULL;
		show("eventfd_fill", write(e, &v, 8));
		v = 1;
		show("eventfd_write_full", write(e, &v, 8));
		struct pollfd pf = {e, POLLIN | POLLOUT, 0};
		show("eventfd_poll_full", poll(&pf, 1, 0));
		printf("eventfd_poll_full_revents: %x\n", pf.revents);
		read(e, &v, 8);
		pf.revents = 0;
		show("eventfd_poll_empty", poll(&pf, 1, 0));
		printf("eventfd_poll_empty_revents: %x\n", pf.revents);
		struct stat st;
		fstat(e, &st);
		printf("eventfd_mode: %o\n", st.st_mode);
		close(e);

		e = SYS(SYS_eventfd2, 2, EFD_SEMAPHORE | EFD_NONBLOCK);
		read(e, &v, 8);
		show("sem_read_1", (long)v);
		read(e, &v, 8);
		show("sem_read_2", (long)v);
		show("sem_read_empty", read(e, &v, 8));
		ep = SYS(SYS_epoll_create1, 0);
		ev.events = EPOLLIN | EPOLLET;
		ev.data.u64 = 77;
		SYS(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, e, &ev);
		show_events("eventfd_epoll_empty", wait_ms(ep, 0, out, 8), out);
		v = 1;
		write(e, &v, 8);
		show_events("eventfd_epoll_signalled", wait_ms(ep, 0, out, 8), out);
		close(ep);
		close(e);
	}
	printf("done\n");
	return 0;
}
