/*
 * The terminal the program was started on (a pty from script(1), the
 * host's terminal under tsvisor) as its controlling terminal: the process
 * is a session leader in the foreground; /dev/tty opens it; a background
 * group's read, tcsetpgrp and TOSTOP write stop it with SIGTTIN/SIGTTOU;
 * the foreground can be given away and taken back (SIGTTOU ignored, as a
 * shell does); a member's TIOCNOTTY drops only its own terminal.
 */
#include "common.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>

static void report(const char *name, int status)
{
	if (WIFSTOPPED(status)) printf("%s: stopped %d\n", name, WSTOPSIG(status));
	else if (WIFSIGNALED(status)) printf("%s: killed %d\n", name, WTERMSIG(status));
	else printf("%s: exit %d\n", name, WEXITSTATUS(status));
}

static pid_t bg(int what)
{
	pid_t g = fork();
	if (g == 0) {
		setpgid(0, 0);
		alarm(10);
		char c;
		if (what == 0) (void)!read(0, &c, 1);
		else if (what == 1) tcsetpgrp(0, getpgrp());
		else (void)!write(1, "", 0);
		_exit(0);
	}
	setpgid(g, g);
	int st;
	waitpid(g, &st, WUNTRACED);
	kill(g, SIGKILL);
	int st2;
	waitpid(g, &st2, 0);
	return st;
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	alarm(30);
	printf("leader: %d\n", getsid(0) == getpid());
	printf("foreground: %d\n", tcgetpgrp(0) == getpgrp());
	printf("sid: %d\n", tcgetsid(0) == getsid(0));
	show("tiocsctty_own", ioctl(0, TIOCSCTTY, 0));
	int t = open("/dev/tty", O_RDWR);
	show_ok("open_dev_tty", t);
	printf("dev_tty_same_pgrp: %d\n", tcgetpgrp(t) == getpgrp());
	close(t);
	report("bg_read", bg(0));
	report("bg_tcsetpgrp", bg(1));
	pid_t g = fork();
	if (g == 0) {
		setpgid(0, 0);
		alarm(10);
		pause();
		_exit(0);
	}
	setpgid(g, g);
	show("give_foreground", tcsetpgrp(0, g));
	printf("foreground_is_child: %d\n", tcgetpgrp(0) == g);
	signal(SIGTTOU, SIG_IGN);
	show("take_back_ignored", tcsetpgrp(0, getpgrp()));
	signal(SIGTTOU, SIG_DFL);
	kill(g, SIGKILL);
	int st;
	waitpid(g, &st, 0);
	g = fork();
	if (g == 0) {
		show("member_tiocnotty", ioctl(0, TIOCNOTTY));
		show("member_dev_tty", open("/dev/tty", O_RDWR));
		_exit(0);
	}
	waitpid(g, &st, 0);
	printf("still_foreground: %d\n", tcgetpgrp(0) == getpgrp());
	printf("done\n");
	return 0;
}
