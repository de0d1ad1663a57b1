/*
 * Random arguments to the SysV IPC calls: ipcfuzz SEED COUNT. shmget,
 * shmat, shmdt, shmctl, semget, semop, semtimedop, semctl, msgget,
 * msgsnd, msgrcv and msgctl with ids from a pool of objects it made and
 * random ones, random keys, sizes (huge ones among them), flags, commands
 * and addresses, and buffers that are valid, NULL, unmapped, read-only or
 * in the kernel's half. Nothing waits (IPC_NOWAIT on every semop, msgsnd
 * and msgrcv); shmat never takes SHM_REMAP (it would map over the
 * program's own code). Run under tsvisor; it must end with "done" and the
 * Sentry alive, with no BUG in its log.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "xorshift.h"

static int pool[64];
static int npool;
static char *scratch, *rdonly;

static long pick_id(void)
{
	switch (rnd() % 4) {
	case 0: return (long)(int)rnd();
	case 1: return -1;
	default: return npool > 0 ? pool[rnd() % npool] : 0;
	}
}

static void *pick_buf(void)
{
	switch (rnd() % 8) {
	case 0: return NULL;
	case 1: return (void *)1;
	case 2: return (void *)0xffff800000000000UL;
	case 3: return rdonly;
	case 4: return scratch + 65536 - (rnd() % 64);
	default: return scratch + (rnd() % 4096);
	}
}

static unsigned long pick_size(void)
{
	switch (rnd() % 6) {
	case 0: return rnd();
	case 1: return 0;
	case 2: return 1UL << (rnd() % 64);
	default: return rnd() % 100000;
	}
}

static void remember(long id)
{
	if (id < 0)
		return;
	if (npool < 64)
		pool[npool++] = (int)id;
	else
		pool[rnd() % 64] = (int)id;
}

int main(int argc, char **argv)
{
	rng = argc > 1 ? strtoull(argv[1], NULL, 10) * 2654435761u + 1 : 1;
	long count = argc > 2 ? atol(argv[2]) : 10000;
	scratch = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	rdonly = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (long i = 0; i < count; i++) {
		/* Random bytes in the buffer: sembufs, msgbufs, *_ds structures. */
		for (int j = 0; j < 8; j++)
			((uint64_t *)scratch)[rnd() % (4096 / 8)] = rnd();
		long key = rnd() % 3 == 0 ? 0 : (long)(rnd() % 16);
		long flag = (long)(rnd() & 0x7fff) | (rnd() % 2 ? 0600 | IPC_CREAT : 0);
		long r;
		switch (rnd() % 12) {
		case 0:
			remember(syscall(SYS_shmget, key, pick_size(), flag));
			break;
		case 1: {
			long fl = (long)(rnd() & 0xffff) & ~040000L; /* no SHM_REMAP */
			void *addr = rnd() % 3 ? NULL : (void *)((rnd() & 0x7fffffffffffUL) & (rnd() % 2 ? ~0xfffUL : ~0UL));
			if (addr != NULL && (fl & 020000) == 0 && rnd() % 2)
				fl |= 020000;
			r = syscall(SYS_shmat, pick_id(), addr, fl);
			if (r != -1 && rnd() % 2)
				syscall(SYS_shmdt, r);
			break;
		}
		case 2:
			syscall(SYS_shmdt, rnd() % 2 ? pick_buf() : (void *)(rnd() & 0x7fffffffffffUL));
			break;
		case 3:
			syscall(SYS_shmctl, pick_id(), (long)(rnd() % 20) - 2, pick_buf());
			break;
		case 4:
			remember(syscall(SYS_semget, key, (long)(rnd() % 300) - 10, flag));
			break;
		case 5: {
			/* Every op IPC_NOWAIT: nothing may wait. */
			int n = (int)(rnd() % 8);
			short *ops = (short *)scratch;
			for (int j = 0; j < n; j++)
				ops[j * 3 + 2] |= IPC_NOWAIT;
			unsigned long nsops = rnd() % 4 == 0 ? rnd() : (unsigned long)n;
			if (rnd() % 2)
				syscall(SYS_semop, pick_id(), nsops > (unsigned long)n ? pick_buf() : (void *)scratch, nsops);
			else
				syscall(SYS_semtimedop, pick_id(), nsops > (unsigned long)n ? pick_buf() : (void *)scratch, nsops, pick_buf());
			break;
		}
		case 6:
			syscall(SYS_semctl, pick_id(), (long)(rnd() % 300) - 10, (long)(rnd() % 22) - 2, pick_buf());
			break;
		case 7:
			remember(syscall(SYS_msgget, key, flag));
			break;
		case 8:
			syscall(SYS_msgsnd, pick_id(), pick_buf(), pick_size() % 20000, (long)(rnd() & 0xffff) | IPC_NOWAIT);
			break;
		case 9:
			syscall(SYS_msgrcv, pick_id(), pick_buf(), pick_size() % 20000, (long)rnd() % 10 - 5,
				(long)(rnd() & 0xffff) | IPC_NOWAIT);
			break;
		case 10:
			syscall(SYS_msgctl, pick_id(), (long)(rnd() % 20) - 2, pick_buf());
			break;
		default:
			if (npool > 0 && rnd() % 2) {
				int id = pool[rnd() % npool];
				syscall(SYS_shmctl, id, IPC_RMID, NULL);
				syscall(SYS_semctl, id, 0, IPC_RMID, NULL);
				syscall(SYS_msgctl, id, IPC_RMID, NULL);
			}
		}
	}
	printf("done\n");
	return 0;
}
