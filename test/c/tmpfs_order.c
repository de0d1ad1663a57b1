/*
 * The order tmpfs lists a directory in: newest first, as Linux's tmpfs
 * (a new dentry, or one renamed into the directory, goes to the head of
 * its parent's children). Programs that print in directory order (find,
 * ls -U, tar without --sort, os.listdir) depend on it. Also telldir and
 * seekdir back to a position, and a listing that deletes as it goes.
 * Runs on a tmpfs of its own in a private mount namespace, natively (as
 * root) and under tsvisor.
 */
#include "private_tmp.h"
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>

static void list(const char *what, const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	printf("%s:", what);
	while ((e = readdir(d)) != NULL) printf(" %s", e->d_name);
	printf("\n");
	closedir(d);
}

static void touch(const char *path)
{
	int fd = open(path, O_CREAT | O_WRONLY, 0644);
	if (fd >= 0) close(fd);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (private_tmp("size=8m") < 0) return 3;
	mkdir("/tmp/d", 0755);
	touch("/tmp/d/a");
	touch("/tmp/d/b");
	mkdir("/tmp/d/c", 0755);
	touch("/tmp/d/d");
	list("created", "/tmp/d");
	rename("/tmp/d/a", "/tmp/d/a2");
	list("renamed_in_place", "/tmp/d");
	touch("/tmp/e");
	rename("/tmp/e", "/tmp/d/e");
	list("renamed_in", "/tmp/d");
	rename("/tmp/d/e", "/tmp/d/b");
	list("renamed_over", "/tmp/d");
	link("/tmp/d/d", "/tmp/d/hard");
	symlink("a2", "/tmp/d/sym");
	unlink("/tmp/d/c/../d");
	list("linked_and_unlinked", "/tmp/d");

	/* telldir after two entries, read on, seekdir back: the same entries again. */
	DIR *dir = opendir("/tmp/d");
	struct dirent *e;
	int i;
	for (i = 0; i < 3; i++) e = readdir(dir);
	long pos = telldir(dir);
	char first[256];
	e = readdir(dir);
	snprintf(first, sizeof first, "%s", e ? e->d_name : "(end)");
	while (readdir(dir) != NULL) {}
	seekdir(dir, pos);
	e = readdir(dir);
	printf("seekdir_back: %s %s\n", first, e ? e->d_name : "(end)");
	rewinddir(dir);
	e = readdir(dir);
	printf("rewound: %s\n", e ? e->d_name : "(end)");
	closedir(dir);

	/* A listing that deletes each entry it reads sees every entry once. */
	mkdir("/tmp/many", 0755);
	char p[300];
	for (i = 0; i < 200; i++) {
		snprintf(p, sizeof p, "/tmp/many/f%03d", i);
		touch(p);
	}
	dir = opendir("/tmp/many");
	int seen = 0, inorder = 1, last = 1000;
	while ((e = readdir(dir)) != NULL) {
		if (e->d_name[0] != 'f') continue;
		int n = atoi(e->d_name + 1);
		if (n >= last) inorder = 0;
		last = n;
		snprintf(p, sizeof p, "/tmp/many/%s", e->d_name);
		unlink(p);
		seen++;
	}
	closedir(dir);
	printf("delete_while_listing: seen %d newest_first %d\n", seen, inorder);
	list("emptied", "/tmp/many");
	printf("done\n");
	return 0;
}
