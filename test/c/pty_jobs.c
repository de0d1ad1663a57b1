/*
 * Job control on a pseudo-terminal: a session leader acquires the replica
 * as its controlling terminal (TIOCSCTTY, or an open without O_NOCTTY),
 * ^C ^\ ^Z typed at the master signal the foreground group, a window
 * change sends SIGWINCH, a background group reading gets SIGTTIN, writing
 * with TOSTOP or changing the foreground group gets SIGTTOU (or EIO when
 * orphaned or SIGTTIN is ignored), TIOCNOTTY, the controlling process's
 * exit and the master's close send SIGHUP. The driver (the first process)
 * and the session's processes take turns through pipes, so the output
 * order is fixed.
 */
#include "common.h"
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>

static volatile sig_atomic_t got[65];
static void on(int sig) { got[sig]++; }

static int to_child[2], to_parent[2];
static void tell(int fd) { if (write(fd, "x", 1) != 1) _exit(99); }
static void await(int fd) { char c; if (read(fd, &c, 1) != 1) _exit(98); }

static void drain(const char *name, int m)
{
	char buf[256];
	struct pollfd p = {m, POLLIN, 0};
	printf("%s: \"", name);
	while (poll(&p, 1, 100) > 0 && (p.revents & POLLIN)) {
		ssize_t n = read(m, buf, sizeof buf);
		if (n <= 0) break;
		for (ssize_t i = 0; i < n; i++) {
			unsigned char c = buf[i];
			if (c >= 32 && c < 127) putchar(c);
			else printf("\\x%02x", c);
		}
	}
	printf("\"\n");
}

/* Waits for sig to have arrived (at most 5 s). */
static int waitsig(int sig)
{
	for (int i = 0; i < 500 && !got[sig]; i++) usleep(10000);
	return got[sig] > 0;
}

static void report(const char *name, int status)
{
	if (WIFSTOPPED(status)) printf("%s: stopped %d\n", name, WSTOPSIG(status));
	else if (WIFSIGNALED(status)) printf("%s: killed %d\n", name, WTERMSIG(status));
	else printf("%s: exit %d\n", name, WEXITSTATUS(status));
}

/* A background process of the session: its own group, runs fn, exits. */
static pid_t background(void (*fn)(int), int s)
{
	pid_t g = fork();
	if (g == 0) {
		setpgid(0, 0);
		alarm(10);
		fn(s);
		_exit(0);
	}
	setpgid(g, g);
	return g;
}

static void bg_read(int s) { char c; ssize_t r = read(s, &c, 1); printf("bg_read_returned: %zd\n", r); }
static void bg_write(int s) { ssize_t r = write(s, "w", 1); printf("bg_write_returned: %zd\n", r); }
static void bg_setpgrp(int s) { int r = tcsetpgrp(s, getpgrp()); printf("bg_tcsetpgrp_returned: %d\n", r); }
static void bg_write_ignored(int s)
{
	signal(SIGTTOU, SIG_IGN);
	show("bg_write_sigttou_ignored", write(s, "i", 1));
}
static void bg_read_ignored(int s)
{
	char c;
	signal(SIGTTIN, SIG_IGN);
	show("bg_read_sigttin_ignored", read(s, &c, 1));
}

static void session(int s, const char *name)
{
	alarm(20);
	signal(SIGINT, on);
	signal(SIGQUIT, on);
	signal(SIGWINCH, on);
	signal(SIGHUP, on);
	signal(SIGCONT, on);
	show("setsid", setsid() > 0 ? 0 : -1);
	show("open_dev_tty_none", open("/dev/tty", O_RDWR));
	show("tcgetpgrp_not_ctty", tcgetpgrp(s));
	show("tiocgsid_not_ctty", ioctl(s, TIOCGSID, &(pid_t){0}));
	show("tiocsctty", ioctl(s, TIOCSCTTY, 0));
	show("tiocsctty_again", ioctl(s, TIOCSCTTY, 0));
	printf("fg_is_mine: %d\n", tcgetpgrp(s) == getpgrp());
	printf("sid_is_mine: %d\n", tcgetsid(s) == getsid(0));
	int t = open("/dev/tty", O_RDWR);
	show_ok("open_dev_tty", t);
	show("isatty_dev_tty", isatty(t));
	close(t);
	show("tcsetpgrp_esrch", tcsetpgrp(s, 999999));
	show("tcsetpgrp_einval", tcsetpgrp(s, -1));
	tell(to_parent[1]);

	/* ^C, ^\ and a window change reach this process (the foreground group). */
	await(to_child[0]);
	printf("sigint: %d\n", waitsig(SIGINT));
	tell(to_parent[1]);
	await(to_child[0]);
	printf("sigquit: %d\n", waitsig(SIGQUIT));
	tell(to_parent[1]);
	await(to_child[0]);
	printf("sigwinch: %d\n", waitsig(SIGWINCH));

	/* ^Z stops a foreground job reading the terminal. */
	int sync[2];
	if (pipe(sync) < 0) _exit(97);
	pid_t g = fork();
	if (g == 0) {
		setpgid(0, 0);
		alarm(10);
		close(sync[1]);
		char c;
		if (read(sync[0], &c, 1) != 1) _exit(96);
		ssize_t r = read(s, &c, 1);
		printf("fg_job_read: %zd\n", r);
		_exit(0);
	}
	setpgid(g, g);
	show("tcsetpgrp_job", tcsetpgrp(s, g));
	close(sync[0]);
	tell(sync[1]);
	close(sync[1]);
	usleep(100000);
	tell(to_parent[1]); /* the driver types ^Z */
	int st;
	waitpid(g, &st, WUNTRACED);
	report("fg_job_after_ctrl_z", st);
	/* Taking the terminal back from the background: SIGTTOU ignored, as shells do. */
	signal(SIGTTOU, SIG_IGN);
	show("tcsetpgrp_back", tcsetpgrp(s, getpgrp()));
	signal(SIGTTOU, SIG_DFL);
	/* Continued in the background, its read gets SIGTTIN. */
	kill(g, SIGCONT);
	waitpid(g, &st, WUNTRACED);
	report("bg_job_after_cont", st);
	kill(g, SIGKILL);
	waitpid(g, &st, 0);

	/* More background cases. */
	g = background(bg_read, s);
	waitpid(g, &st, WUNTRACED);
	report("bg_read", st);
	kill(g, SIGKILL);
	waitpid(g, &st, 0);
	g = background(bg_write, s);
	waitpid(g, &st, WUNTRACED);
	report("bg_write_no_tostop", st);
	struct termios tm;
	tcgetattr(s, &tm);
	tm.c_lflag |= TOSTOP;
	show("tcsetattr_tostop", tcsetattr(s, TCSANOW, &tm));
	g = background(bg_write, s);
	waitpid(g, &st, WUNTRACED);
	report("bg_write_tostop", st);
	kill(g, SIGKILL);
	waitpid(g, &st, 0);
	g = background(bg_write_ignored, s);
	waitpid(g, &st, WUNTRACED);
	report("bg_write_ignored", st);
	g = background(bg_setpgrp, s);
	waitpid(g, &st, WUNTRACED);
	report("bg_tcsetpgrp", st);
	kill(g, SIGKILL);
	waitpid(g, &st, 0);
	g = background(bg_read_ignored, s);
	waitpid(g, &st, WUNTRACED);
	report("bg_read_ignored", st);
	tm.c_lflag &= ~TOSTOP;
	tcsetattr(s, TCSANOW, &tm);

	/* An orphaned background group: its read fails with EIO instead of stopping. */
	int done[2];
	if (pipe(done) < 0) _exit(95);
	g = fork();
	if (g == 0) {
		setpgid(0, 0);
		close(done[0]);
		if (fork() == 0) {
			alarm(10);
			usleep(200000); /* its parent is gone: the group is orphaned */
			char c;
			show("orphan_read", read(s, &c, 1));
			_exit(0);
		}
		_exit(0);
	}
	close(done[1]);
	waitpid(g, &st, 0);
	char c;
	while (read(done[0], &c, 1) > 0) {}
	close(done[0]);

	/* A process that is not the leader: TIOCSCTTY is EPERM, TIOCNOTTY drops its own terminal only. */
	g = fork();
	if (g == 0) {
		show("tiocsctty_not_leader", ioctl(s, TIOCSCTTY, 0));
		show("tiocnotty_member", ioctl(s, TIOCNOTTY));
		show("open_dev_tty_after_notty", open("/dev/tty", O_RDWR));
		show("tiocnotty_again", ioctl(s, TIOCNOTTY));
		_exit(0);
	}
	waitpid(g, &st, 0);
	printf("leader_still_has_it: %d\n", tcgetpgrp(s) == getpgrp());

	/* The master closes: SIGHUP and SIGCONT for the leader, reads return 0, the terminal is gone. */
	got[SIGHUP] = got[SIGCONT] = 0;
	tell(to_parent[1]);
	printf("sighup_on_master_close: %d\n", waitsig(SIGHUP));
	printf("sigcont_on_master_close: %d\n", waitsig(SIGCONT));
	show("read_after_hangup", read(s, &c, 1));
	show("write_after_hangup", write(s, "x", 1));
	show("tcgetpgrp_after_hangup", tcgetpgrp(s));
	show("open_dev_tty_after_hangup", open("/dev/tty", O_RDWR));
	(void)name;
	_exit(0);
}

/* A second session: the open without O_NOCTTY acquires; the leader's TIOCNOTTY hangs up its foreground group. */
static void session2(const char *name)
{
	alarm(10);
	signal(SIGHUP, on);
	signal(SIGCONT, on);
	setsid();
	int s = open(name, O_RDWR);
	show_ok("open_acquires", s);
	printf("acquired: %d\n", tcgetpgrp(s) == getpgrp());
	int s2 = open(name, O_RDWR);
	show("tiocsctty_held", ioctl(s2, TIOCSCTTY, 0));
	show("tiocnotty_leader", ioctl(s, TIOCNOTTY));
	printf("sighup_on_notty: %d\n", waitsig(SIGHUP));
	printf("sigcont_on_notty: %d\n", waitsig(SIGCONT));
	show("open_dev_tty_after_leader_notty", open("/dev/tty", O_RDWR));
	show("tcgetpgrp_after_leader_notty", tcgetpgrp(s));
	_exit(0);
}

/* A third: the controlling process exits; its foreground group gets SIGHUP. */
static void session3(int s, int out)
{
	alarm(10);
	setsid();
	ioctl(s, TIOCSCTTY, 0);
	int ready[2];
	if (pipe(ready) < 0) _exit(94);
	if (fork() == 0) {
		alarm(10);
		signal(SIGHUP, on);
		close(ready[0]);
		tell(ready[1]);
		printf("member_sighup_on_leader_exit: %d\n", waitsig(SIGHUP));
		close(out);
		_exit(0);
	}
	close(ready[1]);
	await(ready[0]);
	_exit(0);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	alarm(60);
	int m, s;
	if (openpty(&m, &s, NULL, NULL, NULL) < 0) return 1;
	if (pipe(to_child) < 0 || pipe(to_parent) < 0) return 1;
	const char *name = ptsname(m);
	pid_t c = fork();
	if (c == 0) {
		close(m);
		session(s, name);
	}
	await(to_parent[0]);
	drain("master_after_setup", m);
	show("type_ctrl_c", write(m, "\x03", 1));
	tell(to_child[1]);
	await(to_parent[0]);
	drain("echo_ctrl_c", m);
	show("type_ctrl_backslash", write(m, "\x1c", 1));
	tell(to_child[1]);
	await(to_parent[0]);
	drain("echo_ctrl_backslash", m);
	struct winsize ws = {.ws_row = 40, .ws_col = 100};
	show("tiocswinsz", ioctl(m, TIOCSWINSZ, &ws));
	tell(to_child[1]);
	await(to_parent[0]);
	/* Not printed: the session's processes print while this runs. */
	if (write(m, "\x1a", 1) != 1) printf("type_ctrl_z: failed\n");
	await(to_parent[0]);
	drain("master_before_close", m);
	close(m);
	int st;
	waitpid(c, &st, 0);
	report("session1", st);
	close(s);

	if (openpty(&m, &s, NULL, NULL, NULL) < 0) return 1;
	name = ptsname(m);
	close(s);
	c = fork();
	if (c == 0) session2(name);
	waitpid(c, &st, 0);
	report("session2", st);
	close(m);

	if (openpty(&m, &s, NULL, NULL, NULL) < 0) return 1;
	int out[2];
	if (pipe(out) < 0) return 1;
	c = fork();
	if (c == 0) {
		close(out[0]);
		session3(s, out[1]);
	}
	close(out[1]);
	char b;
	while (read(out[0], &b, 1) > 0) {}
	waitpid(c, &st, 0);
	report("session3", st);
	close(m);
	close(s);
	printf("done\n");
	return 0;
}
