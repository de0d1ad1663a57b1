/*
 * overlay_root BASE: changes a tree of files the way a program changes its
 * container's root, and prints what it sees. Natively BASE is a scratch
 * copy of the tree; under tsvisor BASE is the tree itself, in the host
 * tree that the sandbox's overlay root has as its lower layer, so every
 * change must copy up, white out, or make a directory opaque, and the host
 * tree must be left as it was (test/overlay-root.test.js checks that).
 *
 * The tree (made by the test): etc/passwd, etc/hosts; d/a and d/b (hard
 * links of one file); d/sub/deep; many/f00..f49; link -> etc/passwd.
 */
#include "common.h"
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

static char base[2048];

static const char *P(const char *rel)
{
	static char buf[8][4096];
	static int i;
	i = (i + 1) % 8;
	snprintf(buf[i], sizeof buf[i], "%s/%s", base, rel);
	return buf[i];
}

static void cat(const char *what, const char *rel)
{
	char b[512];
	int fd = open(P(rel), O_RDONLY);
	if (fd < 0) {
		printf("%s: -1 %s\n", what, errname(errno));
		return;
	}
	ssize_t n = read(fd, b, sizeof b - 1);
	close(fd);
	b[n < 0 ? 0 : n] = 0;
	for (char *c = b; *c; c++)
		if (*c == '\n') *c = '|';
	printf("%s: %s\n", what, b);
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void ls(const char *what, const char *rel)
{
	DIR *d = opendir(P(rel));
	if (d == NULL) {
		printf("%s: -1 %s\n", what, errname(errno));
		return;
	}
	char *names[256];
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL && n < 256) names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, n, sizeof names[0], cmp);
	printf("%s:", what);
	for (int i = 0; i < n; i++) {
		printf(" %s", names[i]);
		free(names[i]);
	}
	printf("\n");
}

static void put(const char *what, const char *rel, int flags, const char *text)
{
	int fd = open(P(rel), flags, 0644);
	if (fd < 0) {
		printf("%s: -1 %s\n", what, errname(errno));
		return;
	}
	ssize_t n = write(fd, text, strlen(text));
	close(fd);
	printf("%s: %zd\n", what, n);
}

static void rc(const char *what, int r)
{
	if (r < 0) printf("%s: -1 %s\n", what, errname(errno));
	else printf("%s: %d\n", what, r);
}

static ino_t ino(const char *rel)
{
	struct stat st;
	return lstat(P(rel), &st) < 0 ? 0 : st.st_ino;
}

int main(int argc, char **argv)
{
	if (argc != 2) return 2;
	snprintf(base, sizeof base, "%s", argv[1]);
	setvbuf(stdout, NULL, _IONBF, 0);

	/* A write to a file of the tree copies it up; the bytes are what was written. */
	cat("passwd before", "etc/passwd");
	ino_t i0 = ino("etc/passwd");
	put("append passwd", "etc/passwd", O_WRONLY | O_APPEND, "me:x:1000:1000\n");
	cat("passwd after", "etc/passwd");
	printf("passwd ino kept: %d\n", ino("etc/passwd") == i0);
	cat("through the symlink", "link");

	/* chmod and truncation. */
	ino_t i1 = ino("etc/hosts");
	rc("chmod hosts", chmod(P("etc/hosts"), 0600));
	struct stat st;
	stat(P("etc/hosts"), &st);
	printf("hosts mode: %o, ino kept: %d\n", st.st_mode & 07777, st.st_ino == i1);
	put("truncate hosts", "etc/hosts", O_WRONLY | O_TRUNC, "");
	stat(P("etc/hosts"), &st);
	printf("hosts size: %ld\n", (long)st.st_size);

	/* Hard links stay one file. */
	printf("a and b one inode: %d\n", ino("d/a") == ino("d/b"));
	put("write a", "d/a", O_WRONLY | O_TRUNC, "changed a\n");
	cat("b after writing a", "d/b");
	printf("a and b still one inode: %d\n", ino("d/a") == ino("d/b"));

	/* Removal leaves the name gone; making it again gives a new, empty thing. */
	rc("unlink a", unlink(P("d/a")));
	ls("d after unlink", "d");
	cat("b after unlink of a", "d/b");
	rc("rmdir sub (not empty)", rmdir(P("d/sub")));
	rc("unlink deep", unlink(P("d/sub/deep")));
	rc("rmdir sub", rmdir(P("d/sub")));
	rc("mkdir sub again", mkdir(P("d/sub"), 0755));
	ls("new sub", "d/sub");
	ls("d", "d");

	/* A whole directory of the tree removed file by file, then made again. */
	char name[64];
	int bad = 0;
	for (int i = 0; i < 50; i++) {
		snprintf(name, sizeof name, "many/f%02d", i);
		if (unlink(P(name)) < 0) bad++;
	}
	printf("unlinked many/*: %d failures\n", bad);
	rc("rmdir many", rmdir(P("many")));
	rc("mkdir many", mkdir(P("many"), 0700));
	ls("many again", "many");
	put("file in many", "many/new", O_WRONLY | O_CREAT | O_EXCL, "n\n");
	ls("many with a file", "many");

	/* Renames: a directory of the tree with its contents, a file over a file. */
	rc("mkdir moveme", mkdir(P("moveme"), 0755));
	put("moveme/x", "moveme/x", O_WRONLY | O_CREAT, "x\n");
	rc("rename etc -> etc2", rename(P("etc"), P("etc2")));
	ls("etc2", "etc2");
	ls("etc (gone)", "etc");
	cat("etc2/passwd", "etc2/passwd");
	rc("rename etc2/passwd over etc2/hosts", rename(P("etc2/passwd"), P("etc2/hosts")));
	ls("etc2 after", "etc2");
	cat("etc2/hosts", "etc2/hosts");
	rc("rename moveme -> etc", rename(P("moveme"), P("etc")));
	ls("etc now", "etc");
	cat("dangling link", "link");
	rc("renameat2 NOREPLACE", syscall(SYS_renameat2, AT_FDCWD, P("etc2"), AT_FDCWD, P("etc"), 1));

	/* New files anywhere, O_EXCL, and the root listing. */
	put("new file", "fresh", O_WRONLY | O_CREAT | O_EXCL, "fresh\n");
	put("O_EXCL again", "fresh", O_WRONLY | O_CREAT | O_EXCL, "x");
	rc("symlink", symlink("fresh", P("fresh.link")));
	cat("via new symlink", "fresh.link");
	ls("top", ".");
	return 0;
}
