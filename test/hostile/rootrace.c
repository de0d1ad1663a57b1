/*
 * rootrace SECONDS: run with --root DIR while the test swaps components of
 * DIR for symlinks that point out of it (relative ones climbing with ..,
 * absolute ones naming the host path) and renames directories about. For
 * SECONDS the program opens and reads, in a loop, paths that go through
 * those components, through "..", through /proc/self/root, /proc/self/cwd
 * and /proc/self/fd/N magic links, and through openat from a directory
 * descriptor that may have been moved out of the tree. Whatever it reads
 * it searches for the word SECRET (the contents of a host file planted
 * next to DIR): any hit prints "LEAK: path". At the end it prints
 * "rootrace done" and how many reads it made (to stderr: the count varies).
 */
#include "../c/common.h"
#include <fcntl.h>
#include <time.h>

static long reads, leaks;

static void check_fd(const char *what, int fd)
{
	if (fd < 0)
		return;
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = 0;
	reads++;
	if (strstr(buf, "SECRET") && leaks++ < 10)
		printf("LEAK: %s\n", what);
}

static void try_path(const char *p)
{
	check_fd(p, open(p, O_RDONLY | O_NONBLOCK));
}

int main(int argc, char **argv)
{
	int secs = argc > 1 ? atoi(argv[1]) : 5;
	static const char *paths[] = {
		"/a/b/file", "/a/../a/b/file", "/a/b/../../a/b/file", "/proc/self/root/a/b/file",
		"/secret.txt", "/../secret.txt", "/a/secret.txt", "/a/../secret.txt",
		"/a/b/../../../secret.txt", "/a/b/../secret.txt", "/a/b/file/../../../../secret.txt",
		"/a/b/up/secret.txt", "/a/b/abs", "/a/b/rel", "/proc/self/root/../secret.txt",
		"/proc/self/root/a/../../secret.txt", "/c/secret.txt", "/c/root/secret.txt",
		"/proc/self/cwd/../secret.txt", "/proc/self/cwd/../../secret.txt",
	};
	time_t end = time(NULL) + secs;
	char buf[256];
	while (time(NULL) < end) {
		for (unsigned i = 0; i < sizeof paths / sizeof paths[0]; i++)
			try_path(paths[i]);
		/* a descriptor for a directory inside, then paths relative to it */
		int d = open("/a/b", O_RDONLY | O_DIRECTORY);
		if (d >= 0) {
			static const char *rel[] = { "file", "../secret.txt", "../../secret.txt",
						     "../../../secret.txt", "up/secret.txt", "rel", "abs" };
			for (unsigned i = 0; i < sizeof rel / sizeof rel[0]; i++) {
				snprintf(buf, sizeof buf, "openat(/a/b, %s)", rel[i]);
				check_fd(buf, openat(d, rel[i], O_RDONLY | O_NONBLOCK));
			}
			snprintf(buf, sizeof buf, "/proc/self/fd/%d/../../secret.txt", d);
			try_path(buf);
			snprintf(buf, sizeof buf, "/proc/self/fd/%d/../../../secret.txt", d);
			try_path(buf);
			if (fchdir(d) == 0) {
				try_path("../../secret.txt");
				try_path("../../../secret.txt");
				try_path("/proc/self/cwd/../../../secret.txt");
				if (chdir("..") == 0 && chdir("..") == 0 && chdir("..") == 0)
					try_path("secret.txt");
				if (chdir("/") < 0)
					return 2;
			}
			close(d);
		}
	}
	fprintf(stderr, "rootrace: %ld reads\n", reads);
	printf("leaks: %ld\nrootrace done\n", leaks);
	return 0;
}
