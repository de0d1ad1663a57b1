/*
 * On a terminal (the tests give it a pty through script(1)): the terminal
 * queries and settings a program makes on its own stdin. TCGETS must fill
 * exactly the kernel's 36-byte struct termios (a 60-byte copy once smashed
 * the caller's stack).
 */
#include "common.h"
#include <sys/ioctl.h>
#include <termios.h>

int main(void)
{
	struct termios t;
	show_bool("isatty", isatty(0));
	show("tcgetattr", tcgetattr(0, &t));
	printf("icanon: %d echo: %d\n", !!(t.c_lflag & ICANON), !!(t.c_lflag & ECHO));
	cfmakeraw(&t);
	show("tcsetattr_raw", tcsetattr(0, TCSANOW, &t));
	struct termios u;
	show("tcgetattr_after", tcgetattr(0, &u));
	printf("icanon: %d echo: %d icrnl: %d opost: %d\n", !!(u.c_lflag & ICANON), !!(u.c_lflag & ECHO),
	       !!(u.c_iflag & ICRNL), !!(u.c_oflag & OPOST));
	struct winsize ws = {.ws_row = 33, .ws_col = 101};
	show("tiocswinsz", SYS(SYS_ioctl, 0, TIOCSWINSZ, &ws));
	memset(&ws, 0, sizeof ws);
	show("tiocgwinsz", SYS(SYS_ioctl, 0, TIOCGWINSZ, &ws));
	printf("rows: %d cols: %d\n", ws.ws_row, ws.ws_col);
	show("tcgets_efault", SYS(SYS_ioctl, 0, TCGETS, (void *)1));
	show("tcsets_efault", SYS(SYS_ioctl, 0, TCSETS, (void *)1));
	/* Leave the terminal as it was found. */
	cfmakeraw(&u);
	u.c_lflag |= ICANON | ECHO;
	u.c_oflag |= OPOST;
	u.c_iflag |= ICRNL;
	tcsetattr(0, TCSANOW, &u);
	printf("done\n");
	return 0;
}
