/*
 * Fills the overlay root's upper layer (test/overlay-root.test.js): the
 * program is given a directory of the host tree, seen through the root
 * overlay (natively: Linux's overlayfs whose upper layer is a tmpfs of a
 * fixed size). It writes one file until the upper layer refuses, then
 * asks for a copy-up of a host file with contents (which needs room the
 * upper layer no longer has), then frees the space and shows that both
 * the write and the copy-up work again. Linux's answer at the limit is
 * ENOSPC; the Sentry must give the same, and go on.
 *
 * Prints only errno names and yes/no facts, so that the upper layer's
 * exact size does not show.
 */
#include "common.h"
#include <fcntl.h>
#include <sys/stat.h>

static char chunk[1 << 20];

static const char *result(long r)
{
	return r < 0 ? errname(errno) : "ok";
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2 || chdir(argv[1]) < 0)
		return 2;
	memset(chunk, 'f', sizeof chunk);
	int fd = open("big", O_CREAT | O_EXCL | O_WRONLY, 0644);
	printf("create: %s\n", result(fd));
	if (fd < 0)
		return 1;
	long total = 0;
	ssize_t w;
	while ((w = write(fd, chunk, sizeof chunk)) > 0)
		total += w;
	printf("fill_error: %s\n", w < 0 ? errname(errno) : "zero");
	printf("fill_some: %s\n", total > (1 << 20) ? "yes" : "no");
	printf("write_when_full: %s\n", result(write(fd, "x", 1)));
	/* A host file with contents: its copy-up needs data pages. */
	int cu = open("data", O_WRONLY | O_APPEND);
	printf("copyup_when_full: %s\n", result(cu));
	if (cu >= 0)
		close(cu);
	struct stat st;
	printf("stat_when_full: %s\n", result(stat("data", &st)));
	close(fd);
	printf("unlink: %s\n", result(unlink("big")));
	cu = open("data", O_WRONLY | O_APPEND);
	printf("copyup_after_free: %s\n", result(cu));
	printf("append_after_free: %s\n", result(write(cu, "more\n", 5)));
	close(cu);
	char buf[64] = {0};
	int rd = open("data", O_RDONLY);
	ssize_t n = read(rd, buf, sizeof buf - 1);
	printf("read_back: %zd %s", n, n > 0 ? buf : "\n");
	close(rd);
	fd = open("again", O_CREAT | O_WRONLY, 0644);
	printf("write_after_free: %s\n", result(write(fd, chunk, 4096)));
	close(fd);
	printf("done\n");
	return 0;
}
