/*
 * Hostile uses of the writable VFS (test/hostile-vfs.test.js): each mode
 * pushes one bound and then proves the system still answers. Natively the
 * same modes run in a private mount namespace on a tmpfs over /tmp.
 *
 *   deep N      a directory chain N deep, walked and removed; paths past
 *               PATH_MAX are ENAMETOOLONG
 *   many N      N entries in one directory, listed and removed
 *   fill        tmpfs with no size= filled until it refuses (ENOSPC)
 *   mounts N    N tmpfs mounts on one point, then all unmounted
 *   links       symlink chains: 40 resolve, 41 are ELOOP; a self loop
 *   sparse      a 2^50-byte sparse file: seeks, punches and fallocates over all of it
 */
#include "private_tmp.h"
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <linux/falloc.h>

static int setup(const char *opts)
{
	if (private_tmp(opts) < 0) return -1;
	return chdir("/tmp");
}

static void deep(int n)
{
	int made = 0;
	for (int i = 0; i < n; i++) {
		if (mkdir("d", 0755) < 0 || chdir("d") < 0) {
			printf("deep_stop: %d %s\n", i, errname(errno));
			break;
		}
		made++;
	}
	printf("deep_made: %d\n", made);
	char buf[8192];
	printf("deep_getcwd: %s\n", getcwd(buf, sizeof buf) ? "ok" : errname(errno));
	/* A path of more than PATH_MAX bytes. */
	char *p = malloc(6000);
	p[0] = 0;
	for (int i = 0; i < 2500; i++)
		strcat(p, "d/");
	chdir("/tmp");
	show("deep_long_path", access(p, F_OK));
	p[4094] = 0;
	if (p[4093] == '/')
		p[4093] = 0;
	show("deep_path_4094", access(p, F_OK));
	/* Unwind from the bottom. */
	for (int i = 0; i < made; i++) chdir("d");
	int removed = 0;
	for (int i = 0; i < made; i++) {
		chdir("..");
		if (rmdir("d") == 0)
			removed++;
	}
	printf("deep_removed: %d\n", removed);
	free(p);
}

static void many(int n)
{
	mkdir("many", 0755);
	char name[64];
	int made = 0;
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof name, "many/entry-%07d", i);
		int fd = open(name, O_CREAT | O_WRONLY, 0644);
		if (fd < 0) {
			printf("many_stop: %d %s\n", i, errname(errno));
			break;
		}
		close(fd);
		made++;
	}
	printf("many_made: %d\n", made);
	DIR *d = opendir("many");
	long seen = 0;
	while (readdir(d) != NULL)
		seen++;
	closedir(d);
	printf("many_seen: %ld\n", seen);
	int removed = 0;
	for (int i = 0; i < made; i++) {
		snprintf(name, sizeof name, "many/entry-%07d", i);
		if (unlink(name) == 0)
			removed++;
	}
	printf("many_removed: %d\n", removed);
	show("many_rmdir", rmdir("many"));
}

static long fill_file(const char *name)
{
	static char chunk[1 << 20];
	memset(chunk, 'f', sizeof chunk);
	int fd = open(name, O_CREAT | O_WRONLY, 0644);
	long total = 0;
	for (;;) {
		ssize_t w = write(fd, chunk, sizeof chunk);
		if (w <= 0) {
			printf("%s_error: %s\n", name, w < 0 ? errname(errno) : "zero");
			break;
		}
		total += w;
	}
	close(fd);
	return total;
}

static void fill(void)
{
	static char chunk[1 << 20];
	memset(chunk, 'f', sizeof chunk);
	int fd = open("big", O_CREAT | O_WRONLY, 0644);
	long total = 0;
	for (;;) {
		ssize_t w = write(fd, chunk, sizeof chunk);
		if (w < 0) {
			printf("fill_error: %s\n", errname(errno));
			break;
		}
		total += w;
		if (w < (ssize_t)sizeof chunk) {
			w = write(fd, chunk, sizeof chunk);
			printf("fill_error: %s\n", w < 0 ? errname(errno) : "short");
			break;
		}
	}
	printf("fill_some: %d\n", total > 0);
	show("fill_unlink", unlink("big"));
	close(fd);
	fd = open("again", O_CREAT | O_WRONLY, 0644);
	show("fill_write_after_free", write(fd, chunk, 4096));
	close(fd);
}

static void mounts(int n)
{
	mkdir("m", 0755);
	int made = 0;
	for (int i = 0; i < n; i++) {
		if (mount("tmpfs", "m", "tmpfs", 0, "size=4k") < 0) {
			printf("mounts_stop: %s\n", errname(errno));
			break;
		}
		made++;
	}
	printf("mounts_made: %d\n", made >= n ? n : -1);
	int gone = 0;
	while (umount2("m", 0) == 0)
		gone++;
	printf("mounts_unmounted: %d\n", gone == made);
}

static void sparse(void)
{
	int fd = open("sparse", O_CREAT | O_RDWR, 0644);
	off_t huge = 1LL << 50;
	show("sparse_truncate", ftruncate(fd, huge));
	show("sparse_seek_data", lseek(fd, 0, SEEK_DATA));
	show("sparse_seek_hole", lseek(fd, 4096, SEEK_HOLE));
	show("sparse_pwrite_far", pwrite(fd, "x", 1, huge - 1));
	show("sparse_seek_data_far", lseek(fd, 0, SEEK_DATA) == (huge - 4096));
	show("sparse_punch_all", fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, huge));
	show("sparse_seek_data_after_punch", lseek(fd, 0, SEEK_DATA));
	show("sparse_fallocate_huge", fallocate(fd, 0, 0, huge));
	show("sparse_fallocate_keep_huge", fallocate(fd, FALLOC_FL_KEEP_SIZE, 4096, huge));
	show("sparse_zero_range_huge", fallocate(fd, FALLOC_FL_ZERO_RANGE, 0, huge));
	struct stat st;
	fstat(fd, &st);
	printf("sparse_blocks: %ld\n", (long)st.st_blocks);
	show("sparse_truncate_down", ftruncate(fd, 0));
	close(fd);
}

static void links(void)
{
	char a[32], b[32];
	symlink("target", "l0");
	close(open("target", O_CREAT | O_WRONLY, 0644));
	for (int i = 1; i <= 41; i++) {
		snprintf(a, sizeof a, "l%d", i);
		snprintf(b, sizeof b, "l%d", i - 1);
		symlink(b, a);
	}
	show("links_39_deep", access("l39", F_OK));
	show("links_40_deep", access("l40", F_OK));
	show("links_41_deep", access("l41", F_OK));
	symlink("self", "self");
	show("links_self", access("self", F_OK));
	symlink("self/x", "selfdir");
	show("links_selfdir", open("selfdir", O_CREAT | O_WRONLY, 0644));
	symlink("..", "up");
	show("links_up_chain", access("up/up/up/up/up/up/tmp", F_OK));
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		return 2;
	const char *mode = argv[1];
	int n = argc > 2 ? atoi(argv[2]) : 0;
	if (strcmp(mode, "fillboth") == 0) {
		/* Two instances whose sizes together pass the sandbox's memory. */
		if (setup("size=200m") < 0)
			return 3;
		mkdir("b", 0755);
		mount("tmpfs", "b", "tmpfs", 0, "size=200m");
		long a = fill_file("a");
		long b = fill_file("b/b");
		printf("fillboth_some: %d %d\n", a > 0, b > 0);
		show("fillboth_unlink", unlink("a"));
		int fd = open("b/c", O_CREAT | O_WRONLY, 0644);
		show("fillboth_write_after_free", write(fd, "x", 1));
		close(fd);
	} else if (strcmp(mode, "fill") == 0) {
		if (setup("mode=1777") < 0)
			return 3;
		fill();
	} else {
		if (setup("size=64m") < 0)
			return 3;
		if (strcmp(mode, "deep") == 0)
			deep(n);
		else if (strcmp(mode, "many") == 0)
			many(n);
		else if (strcmp(mode, "mounts") == 0)
			mounts(n);
		else if (strcmp(mode, "links") == 0)
			links();
		else if (strcmp(mode, "sparse") == 0)
			sparse();
	}
	printf("done\n");
	return 0;
}
