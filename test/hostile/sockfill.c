/*
 * Fills the Sentry's buffer budget (kernel/buffers.ts) with socket
 * messages from several processes: each makes datagram socket pairs and
 * sends 4 KiB messages, each carrying a descriptor in flight (SCM_RIGHTS),
 * into one pair after another without reading them. A pair that is full
 * says EAGAIN after its queue's worth; once the budget is spent, a fresh
 * pair says EAGAIN at its first message. Every process must reach that
 * point, and the Sentry must live: once one pair is drained, sending
 * works again.
 *
 *   sockfill NPROC   Prints "budget spent: K" (processes that saw it),
 *                    then "after: ok".
 */
#include "../c/common.h"
#include <sys/eventfd.h>
#include "fill.h"
#include "scm.h"

static char payload[4096];

static long fill(int p, int *err)
{
	(void)p;
	int ev = eventfd(0, 0);
	for (int pairs = 0; pairs < 20000; pairs++) {
		int sv[2];
		if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) < 0) break;
		int n = 0;
		while (send_fds(sv[0], &ev, 1, payload, sizeof payload, MSG_DONTWAIT) == 0) n++;
		if (errno != EAGAIN) break;
		if (n == 0) return 1; /* a fresh pair takes nothing: the budget is spent */
	}
	*err = errno;
	return 0;
}

int main(int argc, char **argv)
{
	int nproc = argc > 1 ? atoi(argv[1]) : 4;
	int errs[FILL_MAX_ERRNO];
	printf("budget spent: %ld\n", fill_procs(nproc, fill, errs));
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) < 0) return 2;
	show_ok("after", send_fds(sv[0], &sv[1], 1, NULL, 0, MSG_DONTWAIT));
	return 0;
}
