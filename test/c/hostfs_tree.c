/*
 * Changing the tree of a volume: given an empty directory, creat, mkdir,
 * rename (plain, RENAME_NOREPLACE, RENAME_EXCHANGE, across directories),
 * link, symlink, readlink, unlink, rmdir and their errors, then a sorted
 * listing. Run natively on a scratch directory and under tsvisor on /data.
 */
#include "common.h"
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE 2
#endif

static char pa[4096], pb[4096];
static const char *A(const char *dir, const char *n) { snprintf(pa, sizeof pa, "%s/%s", dir, n); return pa; }
static const char *B(const char *dir, const char *n) { snprintf(pb, sizeof pb, "%s/%s", dir, n); return pb; }

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void list(const char *label, const char *dir) {
	DIR *d = opendir(dir);
	char *names[64];
	int n = 0;
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL && n < 64) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
		names[n++] = strdup(e->d_name);
	}
	if (d) closedir(d);
	qsort(names, n, sizeof names[0], cmp);
	printf("%s:", label);
	for (int i = 0; i < n; i++) printf(" %s", names[i]);
	printf("\n");
}

static void contents(const char *label, const char *p) {
	char buf[64] = {0};
	int fd = open(p, O_RDONLY);
	if (fd < 0) { printf("%s: -1 %s\n", label, errname(errno)); return; }
	read(fd, buf, sizeof buf - 1);
	close(fd);
	printf("%s: [%s]\n", label, buf);
}

static void put(const char *p, const char *s) {
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	write(fd, s, strlen(s));
	close(fd);
}

int main(int argc, char **argv) {
	if (argc < 2) return 2;
	const char *d = argv[1];
	struct stat st;
	umask(022);

	int fd = open(A(d, "f"), O_CREAT | O_EXCL | O_WRONLY, 0666);
	show_ok("creat f", fd);
	show("write f", write(fd, "one", 3));
	close(fd);
	stat(A(d, "f"), &st);
	printf("f mode: %o\n", st.st_mode & 07777);
	show("creat f again O_EXCL", open(A(d, "f"), O_CREAT | O_EXCL | O_WRONLY, 0666));
	show("mkdir sub", mkdir(A(d, "sub"), 0750));
	stat(A(d, "sub"), &st);
	printf("sub mode: %o\n", st.st_mode & 07777);
	show("mkdir sub again", mkdir(A(d, "sub"), 0750));
	show("mkdir in missing", mkdir(A(d, "missing/x"), 0750));
	show("mkdir below a file", mkdir(A(d, "f/x"), 0750));
	put(A(d, "sub/g"), "two");
	show("rename f to sub/f", rename(A(d, "f"), B(d, "sub/f")));
	show("f gone", access(A(d, "f"), F_OK));
	contents("sub/f", A(d, "sub/f"));
	show("renameat2 NOREPLACE onto g", syscall(SYS_renameat2, AT_FDCWD, A(d, "sub/f"), AT_FDCWD, B(d, "sub/g"), RENAME_NOREPLACE));
	show("renameat2 EXCHANGE f g", syscall(SYS_renameat2, AT_FDCWD, A(d, "sub/f"), AT_FDCWD, B(d, "sub/g"), RENAME_EXCHANGE));
	contents("sub/f after exchange", A(d, "sub/f"));
	contents("sub/g after exchange", A(d, "sub/g"));
	show("rename over a file", rename(A(d, "sub/f"), B(d, "sub/g")));
	contents("sub/g", A(d, "sub/g"));
	show("rename a dir over a file", rename(A(d, "sub"), B(d, "sub/g")));
	show("rename missing", rename(A(d, "nope"), B(d, "x")));
	show("link sub/g g2", link(A(d, "sub/g"), B(d, "g2")));
	stat(A(d, "g2"), &st);
	printf("g2 nlink: %ld\n", (long)st.st_nlink);
	show("link onto existing", link(A(d, "sub/g"), B(d, "g2")));
	show("link a directory", link(A(d, "sub"), B(d, "sub2")));
	show("symlink", symlink("sub/g", A(d, "s")));
	char target[64] = {0};
	show("readlink", readlink(A(d, "s"), target, sizeof target - 1));
	printf("target: %s\n", target);
	contents("through the symlink", A(d, "s"));
	show("symlink onto existing", symlink("x", A(d, "s")));
	lstat(A(d, "s"), &st);
	printf("s is a link: %d\n", S_ISLNK(st.st_mode));
	show("mkdir deep", mkdir(A(d, "sub/deep"), 0755));
	show("rmdir non-empty", rmdir(A(d, "sub")));
	show("unlink a directory", unlink(A(d, "sub/deep")));
	show("rmdir a file", rmdir(A(d, "g2")));
	show("rename dir into itself", rename(A(d, "sub"), B(d, "sub/deep/sub")));
	show("rename dir", rename(A(d, "sub/deep"), B(d, "deep2")));
	list("top", d);
	list("sub", A(d, "sub"));
	show("unlink g2", unlink(A(d, "g2")));
	show("unlink g2 again", unlink(A(d, "g2")));
	stat(A(d, "sub/g"), &st);
	printf("g nlink: %ld\n", (long)st.st_nlink);
	show("unlink s", unlink(A(d, "s")));
	show("unlink sub/g", unlink(A(d, "sub/g")));
	show("rmdir sub", rmdir(A(d, "sub")));
	show("rmdir deep2", rmdir(A(d, "deep2")));
	list("end", d);
	return 0;
}
