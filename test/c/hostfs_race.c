/*
 * In the sandbox, while the host swaps /data/sub for a symlink (to / or to
 * a directory outside the volume) and back: opens, reads, writes, creates,
 * renames and removes through /data/sub for a while. Prints how many
 * reads saw a file from outside the volume (must be 0) and whether any
 * operation through the path worked at all (so the race was run).
 *
 *   hostfs_race DIR ITERATIONS
 */
#include "common.h"
#include <fcntl.h>
#include <sys/stat.h>

int main(int argc, char **argv) {
	if (argc != 3) return 2;
	const char *d = argv[1];
	long iters = atol(argv[2]);
	char p[4096], q[4096], buf[64];
	long escaped = 0, reads = 0, writes = 0, changes = 0;
	for (long i = 0; i < iters; i++) {
		snprintf(p, sizeof p, "%s/sub/f", d);
		int fd = open(p, O_RDONLY);
		if (fd >= 0) {
			memset(buf, 0, sizeof buf);
			if (read(fd, buf, sizeof buf - 1) > 0) reads++;
			if (strstr(buf, "OUTSIDE")) escaped++;
			close(fd);
		}
		fd = open(p, O_WRONLY | O_TRUNC);
		if (fd >= 0) {
			if (write(fd, "inside", 6) == 6) writes++;
			close(fd);
		}
		snprintf(p, sizeof p, "%s/sub/new%ld", d, i);
		fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd >= 0) {
			changes++;
			close(fd);
			snprintf(q, sizeof q, "%s/sub/moved%ld", d, i);
			if (rename(p, q) == 0) changes++;
			if (unlink(q) == 0) changes++;
		}
		snprintf(p, sizeof p, "%s/sub/dir%ld", d, i);
		if (mkdir(p, 0755) == 0) {
			changes++;
			if (rmdir(p) == 0) changes++;
		}
		snprintf(p, sizeof p, "%s/sub/f", d);
		if (chmod(p, 0644) == 0) changes++;
	}
	printf("escaped: %ld\n", escaped);
	printf("read through the path: %d\n", reads > 0);
	printf("wrote through the path: %d\n", writes > 0);
	fprintf(stderr, "reads %ld writes %ld changes %ld\n", reads, writes, changes);
	return 0;
}
