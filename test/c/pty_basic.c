/*
 * Pseudo-terminals without job control: posix_openpt/grantpt/unlockpt/
 * ptsname and openpty, the replica's stat, the lock, the line discipline
 * (canonical reads, editing, echo, ICRNL/ONLCR, ECHOCTL, EOF, raw reads
 * with VMIN/VTIME), FIONREAD, window size, poll on both sides, hangup
 * (master closed) and the master after the replica closes. Everything is
 * done by one process on a pty that is not its controlling terminal.
 */
#include "common.h"
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>

/* Reads what the master has now (after a short wait) and prints it escaped. */
static void drain(const char *name, int m)
{
	char buf[512];
	struct pollfd p = {m, POLLIN, 0};
	int total = 0;
	printf("%s: \"", name);
	while (poll(&p, 1, 100) > 0 && (p.revents & POLLIN)) {
		ssize_t n = read(m, buf, sizeof buf);
		if (n <= 0) break;
		for (ssize_t i = 0; i < n; i++) {
			unsigned char c = buf[i];
			if (c >= 32 && c < 127 && c != '"' && c != '\\') putchar(c);
			else printf("\\x%02x", c);
		}
		total += n;
	}
	printf("\" (%d)\n", total);
}

static void rd(const char *name, int s, size_t len)
{
	char buf[256];
	ssize_t n = read(s, buf, len);
	if (n < 0) {
		printf("%s: -1 %s\n", name, errname(errno));
		return;
	}
	printf("%s: %zd \"", name, n);
	for (ssize_t i = 0; i < n; i++) {
		unsigned char c = buf[i];
		if (c >= 32 && c < 127) putchar(c);
		else printf("\\x%02x", c);
	}
	printf("\"\n");
}

/* Types s at the master. Linux receives it on a workqueue: the pause lets it land before a mode change or flush. */
static void type(int m, const char *s)
{
	if (write(m, s, strlen(s)) != (ssize_t)strlen(s)) printf("type: short\n");
	usleep(30000);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	show_ok("posix_openpt", m);
	show("grantpt", grantpt(m));
	int n = -1;
	show("tiocgptn", ioctl(m, TIOCGPTN, &n));
	char want[64];
	snprintf(want, sizeof want, "/dev/pts/%d", n);
	const char *name = ptsname(m);
	printf("ptsname_matches: %d\n", name != NULL && strcmp(name, want) == 0);
	int lk = -1;
	show("tiocgptlck", ioctl(m, TIOCGPTLCK, &lk));
	printf("locked: %d\n", lk);
	show("open_locked", open(name, O_RDWR | O_NOCTTY));
	show("unlockpt", unlockpt(m));
	struct stat st;
	show("stat_replica", stat(name, &st));
	/* The mode and group are the mount's options (mode=, gid=), which differ between hosts. */
	printf("replica: chr %d owner_rw %d major %d minor_is_n %d uid_is_me %d\n", S_ISCHR(st.st_mode),
	       (st.st_mode & 0600) == 0600, major(st.st_rdev), (int)minor(st.st_rdev) == n, st.st_uid == geteuid());
	show("stat_ptmx", stat("/dev/ptmx", &st));
	printf("ptmx: chr %d major %d minor %d\n", S_ISCHR(st.st_mode), major(st.st_rdev), minor(st.st_rdev));
	int s = open(name, O_RDWR | O_NOCTTY);
	show_ok("open_replica", s);
	show("tiocgptn_on_replica", ioctl(s, TIOCGPTN, &n));
	show("isatty_master", isatty(m));
	show("isatty_replica", isatty(s));
	show("tcgetpgrp_not_ctty", tcgetpgrp(s));

	/* Default modes of a new pty. */
	struct termios t;
	show("tcgetattr", tcgetattr(s, &t));
	printf("iflag %o oflag %o lflag %o cflag_cs8 %d vmin %d vtime %d veof %d verase %d vintr %d\n",
	       t.c_iflag, t.c_oflag, t.c_lflag, (t.c_cflag & CSIZE) == CS8, t.c_cc[VMIN], t.c_cc[VTIME], t.c_cc[VEOF],
	       t.c_cc[VERASE], t.c_cc[VINTR]);
	struct termios mt;
	show("tcgetattr_master", tcgetattr(m, &mt));
	printf("master_sees_replica_modes: %d\n", mt.c_lflag == t.c_lflag && mt.c_iflag == t.c_iflag);

	/* Canonical mode: a line is read whole, with echo (ONLCR turns the echoed \n into \r\n). */
	type(m, "hello\r");
	drain("echo_line", m);
	int q = -1;
	show("fionread", ioctl(s, FIONREAD, &q));
	printf("queued: %d\n", q);
	rd("read_line", s, 100);
	type(m, "ab");
	drain("echo_partial", m);
	struct pollfd p = {s, POLLIN, 0};
	show("poll_partial_line", poll(&p, 1, 0));
	type(m, "c\n");
	drain("echo_rest", m);
	show("poll_line", poll(&p, 1, 0));
	rd("read_short", s, 2);
	rd("read_rest", s, 100);
	/* Editing: ERASE (DEL), WERASE (^W), KILL (^U), a control character echoed as ^X. */
	type(m, "abx\x7f" "c one two\x17three\x01\n");
	drain("echo_edit", m);
	rd("read_edit", s, 100);
	type(m, "junk\x15kept\n");
	drain("echo_kill", m);
	rd("read_kill", s, 100);
	/* EOF: ^D ends a line without being read; alone it is end of file. */
	type(m, "abc\x04");
	rd("read_eof_line", s, 100);
	type(m, "\x04");
	rd("read_eof", s, 100);
	/* LNEXT makes the next character literal. */
	type(m, "\x16\x15x\n");
	drain("echo_lnext", m);
	rd("read_lnext", s, 100);

	/* Output: ONLCR, then with OPOST off. */
	show("write_replica", write(s, "out\nput\n", 8));
	drain("output_onlcr", m);
	t.c_oflag &= ~OPOST;
	show("tcsetattr_noopost", tcsetattr(s, TCSANOW, &t));
	show("write_raw_out", write(s, "x\ny\n", 4));
	drain("output_raw", m);
	t.c_oflag |= OPOST;

	/* No echo, no ICRNL. */
	t.c_lflag &= ~ECHO;
	t.c_iflag &= ~ICRNL;
	show("tcsetattr_noecho", tcsetattr(s, TCSANOW, &t));
	type(m, "secret\r\n");
	drain("echo_none", m);
	rd("read_cr", s, 100);

	/* Raw mode: VMIN/VTIME. */
	struct termios raw = t;
	cfmakeraw(&raw);
	raw.c_cc[VMIN] = 0;
	raw.c_cc[VTIME] = 0;
	show("tcsetattr_raw", tcsetattr(s, TCSANOW, &raw));
	rd("read_min0_time0_empty", s, 100);
	type(m, "xyz");
	rd("read_min0_time0", s, 2);
	rd("read_min0_time0_more", s, 100);
	raw.c_cc[VTIME] = 2;
	show("tcsetattr_time2", tcsetattr(s, TCSANOW, &raw));
	rd("read_min0_time2_timeout", s, 100);
	raw.c_cc[VMIN] = 3;
	raw.c_cc[VTIME] = 0;
	show("tcsetattr_min3", tcsetattr(s, TCSANOW, &raw));
	type(m, "12345");
	rd("read_min3", s, 100);
	type(m, "ab");
	raw.c_cc[VTIME] = 2;
	show("tcsetattr_min3_time2", tcsetattr(s, TCSANOW, &raw));
	rd("read_min3_time2_interbyte", s, 100);
	show("fcntl_nonblock", fcntl(s, F_SETFL, O_NONBLOCK));
	rd("read_nonblock_empty", s, 100);
	show("fcntl_block", fcntl(s, F_SETFL, 0));
	/* Back to canonical: what was received becomes one line. */
	type(m, "pending");
	show("tcsetattr_canon", tcsetattr(s, TCSANOW, &t));
	rd("read_after_canon", s, 100);

	/* Flush. */
	type(m, "gone\n");
	show("tcflush", tcflush(s, TCIFLUSH));
	q = -1;
	show("fionread_flushed", ioctl(s, FIONREAD, &q));
	printf("queued: %d\n", q);
	show("tcflush_bad", ioctl(s, TCFLSH, 7));

	/* Window size, through either side. */
	struct winsize ws = {.ws_row = 24, .ws_col = 80};
	show("tiocswinsz_master", ioctl(m, TIOCSWINSZ, &ws));
	memset(&ws, 0, sizeof ws);
	show("tiocgwinsz_replica", ioctl(s, TIOCGWINSZ, &ws));
	printf("winsize: %d %d\n", ws.ws_row, ws.ws_col);
	show("tiocgwinsz_efault", ioctl(s, TIOCGWINSZ, (void *)1));

	/* The master's readiness. */
	struct pollfd pm = {m, POLLIN | POLLOUT, 0};
	show("poll_master", poll(&pm, 1, 0));
	printf("master_revents: %x\n", pm.revents);

	/* Closing the replica: the master reads EIO and polls HUP. */
	int s2 = open(name, O_RDWR | O_NOCTTY);
	show_ok("open_replica_again", s2);
	show("close_replica", close(s));
	show("close_replica2", close(s2));
	pm.events = POLLIN;
	show("poll_master_hup", poll(&pm, 1, 0));
	printf("master_revents: %x\n", pm.revents);
	char c;
	show("read_master_eio", read(m, &c, 1));
	/* Reopening it works while the master is open. */
	s = open(name, O_RDWR | O_NOCTTY);
	show_ok("reopen_replica", s);
	/* Closing the master hangs the replica up. */
	show("close_master", close(m));
	show("read_hungup", read(s, &c, 1));
	show("write_hungup", write(s, "x", 1));
	show("tcgetattr_hungup", tcgetattr(s, &t));
	p.fd = s;
	p.events = POLLIN | POLLOUT;
	show("poll_hungup", poll(&p, 1, 0));
	printf("hungup_revents: %x\n", p.revents);
	show("open_after_master_closed", open(name, O_RDWR | O_NOCTTY));
	close(s);

	/* openpty, and TIOCGPTPEER. */
	int a, b;
	show("openpty", openpty(&a, &b, NULL, NULL, NULL));
	int peer = ioctl(a, TIOCGPTPEER, O_RDWR | O_NOCTTY);
	show_ok("tiocgptpeer", peer);
	show("write_peer", write(peer, "p", 1));
	drain("peer_output", a);
	show("tiocgptpeer_on_replica", ioctl(b, TIOCGPTPEER, O_RDWR));
	close(peer);
	close(a);
	close(b);
	printf("done\n");
	return 0;
}
