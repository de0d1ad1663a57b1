/*
 * Semaphore sets against the Sentry's buffer budget (under tsvisor only:
 * Linux's own limit is its kernel memory): sets of 32000 semaphores until
 * semget fails (ENOMEM past the budget, never a Sentry out of memory),
 * SEM_UNDO entries on all of them from one process until a semop is
 * ENOMEM or all are made, and after IPC_RMID of everything a new set and
 * a SEM_UNDO operation work again.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>

static int ids[40000];

int main(void)
{
	int n = 0, e = 0;
	for (; n < 40000; n++) {
		ids[n] = semget(IPC_PRIVATE, 32000, 0600);
		if (ids[n] < 0) {
			e = errno;
			break;
		}
	}
	printf("sets of 32000 until %s (some made: %d)\n", strerror(e), n > 0);
	int u = 0;
	e = 0;
	for (int i = 0; i < n; i++) {
		struct sembuf op = { 31999, 1, SEM_UNDO };
		if (semop(ids[i], &op, 1) != 0) {
			e = errno;
			break;
		}
		u++;
	}
	printf("undo entries: %s\n", u == n ? "all" : strerror(e));
	for (int i = 0; i < n; i++)
		semctl(ids[i], 0, IPC_RMID);
	int id = semget(IPC_PRIVATE, 32000, 0600);
	struct sembuf op = { 0, 1, SEM_UNDO };
	printf("after removal: semget %s, undo semop %s\n", id >= 0 ? "ok" : strerror(errno), semop(id, &op, 1) == 0 ? "ok" : strerror(errno));
	semctl(id, 0, IPC_RMID);
	printf("done\n");
	return 0;
}
