/*
 * Hostile: a program that asks for lock records without end gets ENOLCK
 * from the sandbox's bound (never a Sentry out of memory), and the Sentry
 * stays responsive: the locks can be dropped and taken again. Run under
 * tsvisor only (natively Linux has no such bound).
 */
#include "common.h"
#include <fcntl.h>
#include <sys/mman.h>

static int lk(int fd, short type, off_t start, off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };
	return fcntl(fd, F_SETLK, &fl);
}

int main(void)
{
	int fd = memfd_create("bound", 0);
	long i;
	int err = 0;
	show("one record 0..99", lk(fd, F_WRLCK, 0, 100));
	/* Every other byte from 200 on: no two records merge. */
	for (i = 0; i < 4000000; i++) {
		if (lk(fd, F_WRLCK, 200 + 2 * i, 1) < 0) {
			err = errno;
			break;
		}
	}
	printf("stopped: %s after at least 65536: %d\n", err ? errname(err) : "no error", i >= 65536);
	/* Splitting a record needs one more: refused, and nothing changes. */
	show("split at the bound", lk(fd, F_UNLCK, 50, 1));
	show("trim at the bound", lk(fd, F_UNLCK, 0, 1));
	show("unlock all", lk(fd, F_UNLCK, 0, 0));
	show("lock again", lk(fd, F_WRLCK, 0, 10));
	show("split now", lk(fd, F_UNLCK, 5, 1));
	printf("done\n");
	return 0;
}
