/*
 * For the hostile programs that fill a bound of the Sentry from several
 * processes at once (kernel/limits.ts): fill_procs runs fill(p, &err) in
 * nproc children together; each reports what it made and the errno it
 * stopped on, and holds what it made until every child has reported, so
 * the bound is full at once. Then they exit and are reaped.
 */
#ifndef TSVISOR_HOSTILE_FILL_H
#define TSVISOR_HOSTILE_FILL_H

#include <sys/wait.h>

#define FILL_MAX_ERRNO 256

/* The sum of the children's counts; errs[e] is the number that stopped on errno e (0: on their own). */
static long fill_procs(int nproc, long (*fill)(int p, int *err), int errs[FILL_MAX_ERRNO])
{
	int report[2], go[2];
	if (pipe(report) < 0 || pipe(go) < 0) exit(2);
	for (int p = 0; p < nproc; p++) {
		if (fork() == 0) {
			close(report[0]);
			close(go[1]);
			int err = 0;
			long msg[2];
			msg[0] = fill(p, &err);
			msg[1] = err;
			if (write(report[1], msg, sizeof msg) != sizeof msg) _exit(2);
			char c;
			(void)!read(go[0], &c, 1); /* hold until every child is full */
			_exit(0);
		}
	}
	close(report[1]);
	close(go[0]);
	long sum = 0;
	memset(errs, 0, FILL_MAX_ERRNO * sizeof *errs);
	for (int p = 0; p < nproc; p++) {
		long msg[2];
		if (read(report[0], msg, sizeof msg) != sizeof msg) exit(2);
		sum += msg[0];
		errs[msg[1] >= 0 && msg[1] < FILL_MAX_ERRNO ? msg[1] : 0]++;
	}
	close(go[1]);
	while (wait(NULL) > 0) {}
	close(report[0]);
	return sum;
}

#endif
