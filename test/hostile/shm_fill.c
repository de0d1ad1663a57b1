/*
 * SysV shared memory against the sandbox's bounds. Natively (in a fresh
 * IPC namespace) and under tsvisor: segments until shmmni (ENOSPC), huge
 * sizes (EINVAL past shmmax, ENOMEM past memory), shmat at bad addresses.
 * With "fill" (under tsvisor with --total-memory 128M only): a child
 * touching segments larger than the sandbox's memory is OOM-killed (137),
 * the parent goes on, and once the segments are removed their memory is
 * back (a new segment of 64 MiB can be filled), as is that of segments
 * left in IPC namespaces whose last process has gone.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

static int fill(void)
{
	const size_t SZ = 64UL << 20;
	int ids[4];
	for (int i = 0; i < 4; i++) {
		ids[i] = shmget(IPC_PRIVATE, SZ, 0600);
		if (ids[i] < 0) {
			printf("shmget %d: %s\n", i, strerror(errno));
			return 1;
		}
	}
	pid_t p = fork();
	if (p == 0) {
		for (int i = 0; i < 4; i++) {
			char *a = shmat(ids[i], NULL, 0);
			if (a == (void *)-1)
				_exit(2);
			memset(a, 1, SZ);
		}
		_exit(0);
	}
	int st;
	waitpid(p, &st, 0);
	printf("child filling 256 MiB of segments: %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	for (int i = 0; i < 4; i++)
		shmctl(ids[i], IPC_RMID, NULL);
	int id = shmget(IPC_PRIVATE, SZ, 0600);
	char *a = shmat(id, NULL, 0);
	if (a == (void *)-1)
		return 1;
	memset(a, 2, SZ);
	printf("after removal 64 MiB filled: %d\n", a[SZ - 1]);
	shmdt(a);
	shmctl(id, IPC_RMID, NULL);
	/* Segments of a namespace go with its last process: four rounds of 64 MiB never left removed fit in 128 MiB. */
	int ok = 0;
	for (int i = 0; i < 4; i++) {
		p = fork();
		if (p == 0) {
			if (unshare(CLONE_NEWIPC) != 0)
				_exit(3);
			char *m = shmat(shmget(IPC_PRIVATE, SZ, 0600), NULL, 0);
			if (m == (void *)-1)
				_exit(2);
			memset(m, 3, SZ);
			_exit(0);
		}
		waitpid(p, &st, 0);
		ok += WIFEXITED(st) && WEXITSTATUS(st) == 0;
	}
	printf("namespaces filled and left: %d of 4\n", ok);
	printf("done\n");
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 1 && strcmp(argv[1], "fill") == 0)
		return fill();
	int n = 0, e = 0;
	static int ids[40000];
	for (;;) {
		int id = shmget(IPC_PRIVATE, 4096, 0600);
		if (id < 0) {
			e = errno;
			break;
		}
		ids[n++] = id;
	}
	printf("segments until the limit: %d, then %s\n", n, strerror(e));
	/* Attach a few hundred, then let exit detach them. */
	int att = 0;
	for (int i = 0; i < n && i < 300; i++)
		if (shmat(ids[i], NULL, 0) != (void *)-1)
			att++;
	printf("attached %d\n", att);
	for (int i = 0; i < n; i++)
		shmctl(ids[i], IPC_RMID, NULL);
	struct shm_info si;
	shmctl(0, SHM_INFO, (struct shmid_ds *)&si);
	printf("after IPC_RMID of all: used_ids %d (attached ones wait for their detach)\n", si.used_ids);
	printf("shmget 2^63: %s\n", shmget(IPC_PRIVATE, 1UL << 63, 0600) < 0 ? strerror(errno) : "ok");
	printf("shmget 2^64-1: %s\n", shmget(IPC_PRIVATE, ~0UL, 0600) < 0 ? strerror(errno) : "ok");
	printf("shmget 2^40 SHM_NORESERVE: %s\n", shmget(0x5eed, 1UL << 40, 0600 | IPC_CREAT | SHM_NORESERVE) < 0 ? strerror(errno) : "ok");
	int big = shmget(0x5eed, 0, 0);
	char *a = shmat(big, NULL, 0);
	printf("shmat of it: %s\n", a == (void *)-1 ? strerror(errno) : "ok");
	if (a != (void *)-1) {
		/* A sparse TiB attached: fork copies the attachment, not the TiB. */
		a[12345] = 7;
		pid_t p = fork();
		if (p == 0)
			_exit(a[12345] == 7 && a[1UL << 39] == 0 ? 0 : 1);
		int st;
		waitpid(p, &st, 0);
		printf("fork with it attached: child status %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
		shmdt(a);
	}
	shmctl(big, IPC_RMID, NULL);
	int id = shmget(IPC_PRIVATE, 8192, 0600);
	printf("shmat kernel address: %s\n", shmat(id, (void *)0xffff800000000000UL, 0) == (void *)-1 ? strerror(errno) : "ok");
	printf("shmat top of the range: %s\n", shmat(id, (void *)0x7ffffffff000UL, 0) == (void *)-1 ? strerror(errno) : "ok");
	printf("shmat odd with SHM_RND near the top: %s\n",
	       shmat(id, (void *)0x7fffffffefffUL, SHM_RND) == (void *)-1 ? strerror(errno) : "ok");
	shmctl(id, IPC_RMID, NULL);
	printf("done\n");
	return 0;
}
