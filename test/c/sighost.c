/*
 * sighost MODE: waits for a signal sent to tsvisor from the host.
 *   spin    - handler for SIGINT, spins on the CPU until it ran; exits 3
 *   sleep   - handler for SIGTERM, sleeps 30 s; prints the sleep's result; exits 3
 *   default - no handler: sleeps 30 s (SIGINT's default action ends it)
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

static volatile sig_atomic_t got;

static void on_signal(int sig)
{
	got = sig;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "spin";
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	if (strcmp(mode, "spin") == 0) {
		sigaction(SIGINT, &sa, NULL);
		volatile unsigned long x = 0;
		while (!got)
			x++;
		printf("handler ran: %d\n", (int)got);
		return 3;
	}
	struct timespec ts = {30, 0};
	if (strcmp(mode, "sleep") == 0) {
		sigaction(SIGTERM, &sa, NULL);
		long r = syscall(SYS_nanosleep, &ts, NULL);
		printf("handler ran: %d\n", (int)got);
		printf("nanosleep: %ld %s\n", r, r < 0 && errno == EINTR ? "EINTR" : "?");
		return 3;
	}
	nanosleep(&ts, NULL);
	return 0;
}
