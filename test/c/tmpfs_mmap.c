/*
 * Mappings of tmpfs files: a MAP_SHARED mapping sees write(2), read(2) sees
 * stores through it, another process's own mapping of the same file sees
 * both, a MAP_PRIVATE mapping sees the file until it writes a page and then
 * keeps its own copy; msync; a mapping outlives the unlink of its file.
 * Runs on a tmpfs of its own in a private mount namespace, natively (as
 * root) and under tsvisor.
 */
#include "private_tmp.h"
#include <fcntl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (private_tmp("size=8m") < 0) return 3;
	int fd = open("/tmp/shm", O_CREAT | O_RDWR, 0644);
	show("ftruncate", ftruncate(fd, 3 * 4096));
	char *m = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	printf("mmap_shared: %s\n", m == MAP_FAILED ? errname(errno) : "ok");
	printf("fresh_zero: %d\n", m[0] == 0 && m[4096 * 3 - 1] == 0);
	memcpy(m + 100, "through-map", 11);
	char buf[32] = { 0 };
	show("pread_sees_store", pread(fd, buf, 11, 100));
	printf("pread_data: %s\n", buf);
	pwrite(fd, "via-write", 9, 5000);
	printf("map_sees_write: %.9s\n", m + 5000);

	/* another process with its own mapping */
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		int cfd = open("/tmp/shm", O_RDWR);
		char *c = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, cfd, 0);
		printf("child_sees: %.11s %.9s\n", c + 100, c + 5000);
		memcpy(c + 9000, "from-child", 10);
		munmap(c, 3 * 4096);
		close(cfd);
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	printf("parent_map_sees_child: %.10s\n", m + 9000);
	memset(buf, 0, sizeof buf);
	pread(fd, buf, 10, 9000);
	printf("parent_read_sees_child: %s\n", buf);

	/* an inherited shared mapping after fork */
	pid = fork();
	if (pid == 0) {
		memcpy(m + 200, "inherited", 9);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	printf("fork_shared: %.9s\n", m + 200);

	/* private mappings: the file's bytes until written, then a copy */
	char *pm = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	printf("private_sees_file: %.11s\n", pm + 100);
	pwrite(fd, "NEW", 3, 100);
	printf("private_sees_later_write: %.3s\n", pm + 100);
	memcpy(pm + 100, "mine", 4);
	memset(buf, 0, sizeof buf);
	pread(fd, buf, 4, 100);
	printf("private_store_not_in_file: %s\n", buf);
	pwrite(fd, "LATE", 4, 100);
	printf("private_after_cow: %.4s\n", pm + 100);
	printf("shared_after_private_cow: %.4s\n", m + 100);
	show("msync", msync(m, 4096, MS_SYNC));

	/* size and file growth */
	struct stat st;
	fstat(fd, &st);
	printf("size_blocks: %ld %ld\n", (long)st.st_size, (long)st.st_blocks);

	/* the mapping outlives its name */
	unlink("/tmp/shm");
	memcpy(m + 300, "after-unlink", 12);
	memset(buf, 0, sizeof buf);
	pread(fd, buf, 12, 300);
	printf("unlinked_shared: %s\n", buf);
	close(fd);
	printf("closed_still_mapped: %.12s\n", m + 300);
	munmap(m, 3 * 4096);
	munmap(pm, 4096);

	/* a read-only descriptor cannot be mapped shared writable */
	fd = open("/tmp/ro", O_CREAT | O_RDWR, 0644);
	ftruncate(fd, 4096);
	close(fd);
	fd = open("/tmp/ro", O_RDONLY);
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	printf("ro_fd_shared_write: %s\n", p == MAP_FAILED ? errname(errno) : "mapped");
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	printf("ro_fd_private_write: %s\n", p == MAP_FAILED ? errname(errno) : "mapped");
	close(fd);
	printf("done\n");
	return 0;
}
