/*
 * A chain of Unix socket pairs, each pair in flight in the queue of the
 * pair before it, reachable only from the first pair: closing the first
 * frees the whole chain at once. Freeing it must not recurse once per
 * link (a Sentry stack overflow, which killed the process), and none of
 * it may be freed earlier (it is reachable: the collector keeps it).
 *
 *   unixchain N   Prints "chain: N", "reachable: 1" (the second pair is
 *                 received from the first, live), then "freed: ok".
 */
#include "../c/common.h"
#include <fcntl.h>
#include "scm.h"

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000;
	int head[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, head) < 0) return 2;
	int cur[2] = { head[0], head[1] };
	for (long i = 0; i < n; i++) {
		int sv[2];
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
			printf("socketpair at %ld: -1 %s\n", i, errname(errno));
			return 1;
		}
		if (send_fds(cur[0], sv, 2, NULL, 0, 0) < 0) {
			printf("sendmsg at %ld: -1 %s\n", i, errname(errno));
			return 1;
		}
		if (cur[0] != head[0]) {
			close(cur[0]);
			close(cur[1]);
		}
		cur[0] = sv[0];
		cur[1] = sv[1];
	}
	close(cur[0]);
	close(cur[1]);
	printf("chain: %ld\n", n);
	/* Everything is still reachable: take the second pair out and put it back. */
	int second = recv_fd(head[1]);
	show_bool("reachable", second >= 0 && send_fds(head[0], &second, 1, NULL, 0, 0) == 0);
	close(second);
	close(head[0]);
	close(head[1]);
	int fd = open("/dev/null", O_RDONLY);
	show_ok("freed", fd);
	return 0;
}
