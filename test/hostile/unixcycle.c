/*
 * Unix sockets passed over themselves with SCM_RIGHTS and then closed
 * (issue 5, finding 3): nothing can reach them any more, and only a
 * collector (Linux's unix_gc) frees them. Without one, each pair is two
 * open file descriptions for ever, and after about half a million pairs
 * the sandbox has none left (ENFILE). In batches of 100 pairs: three
 * pairs make the three kinds of cycle (each end sent over itself, so into
 * its peer's queue; the two ends sent over each other; both ends sent
 * over one), and the other 97 pairs go in one message over the fourth,
 * itself included. Afterwards, opening files and sockets must still work.
 *
 *   unixcycle N     Prints "cycles: N", then "open: ok", "socketpair: ok".
 */
#include "../c/common.h"
#include <fcntl.h>
#include "scm.h"

#define BATCH 100

static int send_fds1(int via, const int *fds, int n)
{
	return send_fds(via, fds, n, NULL, 0, 0);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 560000;
	int sv[BATCH][2];
	for (long i = 0; i < n; i += BATCH) {
		for (int j = 0; j < BATCH; j++) {
			if (socketpair(AF_UNIX, j % 2 ? SOCK_DGRAM : SOCK_STREAM, 0, sv[j]) < 0) {
				printf("socketpair at %ld: -1 %s\n", i + j, errname(errno));
				return 1;
			}
		}
		/* Three pairs make a cycle each, the kinds in turn. */
		int r = 0;
		for (int j = 0; j < 3; j++) {
			switch ((i / BATCH + j) % 3) {
			case 0: /* each end over itself */
				r |= send_fds1(sv[j][0], &sv[j][0], 1) | send_fds1(sv[j][1], &sv[j][1], 1);
				break;
			case 1: /* each end over the other */
				r |= send_fds1(sv[j][0], &sv[j][1], 1) | send_fds1(sv[j][1], &sv[j][0], 1);
				break;
			default: /* both ends over one of them */
				r |= send_fds1(sv[j][0], sv[j], 2);
				break;
			}
		}
		/* The others, and the pair that carries them, in one message over that pair. */
		r |= send_fds1(sv[3][0], &sv[3][0], 2 * (BATCH - 3));
		if (r < 0) {
			printf("sendmsg at %ld: -1 %s\n", i, errname(errno));
			return 1;
		}
		if (syscall(SYS_close_range, sv[0][0], sv[BATCH - 1][1], 0) < 0) return 2;
	}
	printf("cycles: %ld\n", n);
	int fd = open("/dev/null", O_RDONLY);
	show_ok("open", fd);
	int p[2];
	show_ok("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, p));
	return 0;
}
