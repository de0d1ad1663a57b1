/*
 * The hostile host of test/hostile-hostfs.test.js (run natively, never in
 * the sandbox): swaps two names for ever with renameat2(RENAME_EXCHANGE),
 * so that a directory inside a volume is, from one instant to the next, a
 * symlink to / or to a directory outside the volume, or another directory.
 *
 *   hostfs_swapper A B
 *
 * Prints "swapping" once it has swapped at least once, then goes on until
 * killed.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/syscall.h>

int main(int argc, char **argv) {
	if (argc != 3) return 2;
	for (unsigned long n = 0;; n++) {
		if (syscall(SYS_renameat2, AT_FDCWD, argv[1], AT_FDCWD, argv[2], 2 /* RENAME_EXCHANGE */) < 0) {
			perror("renameat2");
			return 1;
		}
		if (n == 0) {
			printf("swapping\n");
			fflush(stdout);
		}
	}
}
