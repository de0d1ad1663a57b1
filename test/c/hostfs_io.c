/*
 * Writing files of a volume: given a directory that holds io.dat and log
 * (made by the test), O_TRUNC, write, pwrite, lseek, read back, ftruncate,
 * fsync, fdatasync, O_APPEND (at open and through F_SETFL), fchmod and the
 * errors of descriptors not open for writing. Run natively on a scratch
 * directory and under tsvisor on /data.
 */
#include "common.h"
#include <fcntl.h>
#include <sys/stat.h>

static char path[4096];
static const char *at(const char *dir, const char *name) {
	snprintf(path, sizeof path, "%s/%s", dir, name);
	return path;
}

static long size_of(int fd) {
	struct stat st;
	if (fstat(fd, &st) < 0) return -1;
	return (long)st.st_size;
}

static void print_file(const char *label, const char *p) {
	char buf[256] = {0};
	int fd = open(p, O_RDONLY);
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	printf("%s: %zd [%s]\n", label, n, buf);
}

int main(int argc, char **argv) {
	if (argc < 2) return 2;
	const char *dir = argv[1];
	char buf[64] = {0};

	int fd = open(at(dir, "io.dat"), O_RDWR | O_TRUNC);
	show_ok("open O_RDWR|O_TRUNC", fd);
	show("size after O_TRUNC", size_of(fd));
	show("write", write(fd, "hello world", 11));
	show("pwrite", pwrite(fd, "W", 1, 6));
	show("lseek cur", lseek(fd, 0, SEEK_CUR));
	show("lseek set", lseek(fd, 0, SEEK_SET));
	show("read", read(fd, buf, 11));
	printf("contents: [%s]\n", buf);
	show("lseek end", lseek(fd, 0, SEEK_END));
	show("write at end", write(fd, "!", 1));
	show("pread past end", pread(fd, buf, 10, 100));
	show("ftruncate", ftruncate(fd, 5));
	show("size after ftruncate", size_of(fd));
	show("ftruncate bigger", ftruncate(fd, 4097));
	show("size after growing", size_of(fd));
	show("ftruncate back", ftruncate(fd, 5));
	show("ftruncate negative", ftruncate(fd, -1));
	show("fsync", fsync(fd));
	show("fdatasync", fdatasync(fd));
	show("fchmod", fchmod(fd, 0640));
	struct stat st;
	fstat(fd, &st);
	printf("mode: %o\n", st.st_mode & 07777);
	close(fd);
	print_file("io.dat", at(dir, "io.dat"));

	fd = open(at(dir, "log"), O_WRONLY | O_APPEND);
	show_ok("open O_APPEND", fd);
	show("append", write(fd, "line1\n", 6));
	show("offset after append", lseek(fd, 0, SEEK_CUR));
	show("pwrite with O_APPEND", pwrite(fd, "X", 1, 0));
	show("size", size_of(fd));
	close(fd);
	print_file("log", at(dir, "log"));

	fd = open(at(dir, "io.dat"), O_WRONLY);
	show("write at 0", write(fd, "J", 1));
	show("F_SETFL O_APPEND", fcntl(fd, F_SETFL, O_APPEND));
	show("write appends", write(fd, "+", 1));
	show("offset", lseek(fd, 0, SEEK_CUR));
	show("F_SETFL 0", fcntl(fd, F_SETFL, 0));
	show("lseek 1", lseek(fd, 1, SEEK_SET));
	show("write at 1", write(fd, "E", 1));
	close(fd);
	print_file("io.dat again", at(dir, "io.dat"));

	fd = open(at(dir, "io.dat"), O_RDONLY);
	show("write read-only", write(fd, "x", 1));
	show("ftruncate read-only", ftruncate(fd, 0));
	close(fd);
	show("open a directory O_WRONLY", open(dir, O_WRONLY));
	show("open below a file", open(at(dir, "io.dat/x"), O_RDONLY));
	show("open missing", open(at(dir, "missing"), O_RDWR));
	return 0;
}
