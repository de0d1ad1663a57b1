/*
 * A writer the buffer budget refused must be woken when budget comes back,
 * wherever it is freed: a blocking send waits on its own socket's queue,
 * and the budget is given back by other sockets' readers, so before the
 * Sentry kept a list of refused writers it waited for ever.
 *
 * The parent spends the budget with 4 KiB datagrams into many socket
 * pairs; a child's blocking send on a fresh pair then waits; the parent
 * drains one full pair, and the child's send must complete.
 *
 * Must get (under tsvisor): "budget spent: 1", "writer woken: ok", status 0.
 */
#include "../c/common.h"
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>

static char payload[4096];

static void on_alarm(int s)
{
	(void)s;
	printf("writer woken: no, still waiting\n");
	exit(1);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	static int pairs[20000][2];
	int n = 0, spent = 0;
	for (; n < 20000; n++) {
		if (socketpair(AF_UNIX, SOCK_DGRAM, 0, pairs[n]) < 0)
			break;
		int k = 0;
		while (send(pairs[n][0], payload, sizeof payload, MSG_DONTWAIT) == (ssize_t)sizeof payload)
			k++;
		if (errno != EAGAIN)
			break;
		if (k == 0) {
			spent = 1;
			break;
		}
	}
	printf("budget spent: %d\n", spent);
	if (!spent)
		return 1;
	int y[2];
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, y) < 0)
		return 2;
	pid_t c = fork();
	if (c == 0) {
		/* Blocking: waits for budget. */
		_exit(send(y[0], payload, sizeof payload, 0) == (ssize_t)sizeof payload ? 0 : 3);
	}
	struct timespec ts = {0, 200 * 1000 * 1000};
	nanosleep(&ts, NULL);
	char buf[4096];
	while (recv(pairs[0][1], buf, sizeof buf, MSG_DONTWAIT) > 0)
		;
	signal(SIGALRM, on_alarm);
	alarm(10);
	int st;
	waitpid(c, &st, 0);
	printf("writer woken: %s\n", WIFEXITED(st) && WEXITSTATUS(st) == 0 ? "ok" : "failed");
	return 0;
}
