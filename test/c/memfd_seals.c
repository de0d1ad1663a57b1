/*
 * memfd_create(2) and its seals: the flags and their errors, the file it
 * makes (size, mode, link count, name in /proc/self/fd when there is a
 * /proc), F_GET_SEALS/F_ADD_SEALS with their errors, and every seal
 * against write, pwrite, ftruncate, fallocate, fchmod and mmap: EPERM for
 * writes under F_SEAL_WRITE, EBUSY for sealing with a writable shared
 * mapping, F_SEAL_FUTURE_WRITE keeping existing mappings writable.
 */
#include "common.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif
#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

static long seals(int fd)
{
	return fcntl(fd, F_GET_SEALS);
}

static void mode_of(const char *name, int fd)
{
	struct stat st;
	if (fstat(fd, &st) < 0) {
		printf("%s: -1 %s\n", name, errname(errno));
		return;
	}
	printf("%s: mode=%o nlink=%ld size=%ld\n", name, st.st_mode, (long)st.st_nlink, (long)st.st_size);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* Flags and names. */
	show("bad flag", memfd_create("x", 0x40));
	show("exec and noexec", memfd_create("x", MFD_EXEC | MFD_NOEXEC_SEAL));
	show("huge size bits without MFD_HUGETLB", memfd_create("x", 21 << 26));
	show("bad name pointer", memfd_create(BADPTR1, 0));
	char longname[300];
	memset(longname, 'a', sizeof longname);
	longname[249] = 0;
	show_ok("name of 249", memfd_create(longname, 0));
	longname[249] = 'a';
	longname[250] = 0;
	show("name of 250", memfd_create(longname, 0));
	show_ok("empty name", memfd_create("", 0));

	int fd = memfd_create("plain", MFD_CLOEXEC);
	show("cloexec", fcntl(fd, F_GETFD));
	show("flags", fcntl(fd, F_GETFL) & (O_ACCMODE | O_APPEND | O_NONBLOCK));
	mode_of("plain stat", fd);
	show("plain seals", seals(fd));
	show("plain add seals", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
	show("plain write", write(fd, "hello", 5));
	show("plain pread", pread(fd, longname, 10, 0));
	printf("read back: %.5s\n", longname);
	show("plain ftruncate", ftruncate(fd, 8192));
	show("plain lseek end", lseek(fd, 0, SEEK_END));
	close(fd);

	/* Sealing. */
	fd = memfd_create("sealed", MFD_ALLOW_SEALING);
	mode_of("sealable stat", fd);
	show("seals", seals(fd));
	show("add bad seal", fcntl(fd, F_ADD_SEALS, 0x40));
	show("add none", fcntl(fd, F_ADD_SEALS, 0));
	show("write", write(fd, "0123456789", 10));
	show("ftruncate 10000", ftruncate(fd, 10000));

	show("add SHRINK", fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK));
	show("seals", seals(fd));
	show("shrink", ftruncate(fd, 5000));
	show("grow", ftruncate(fd, 12288));
	show("same size", ftruncate(fd, 12288));

	show("add GROW", fcntl(fd, F_ADD_SEALS, F_SEAL_GROW));
	show("grow", ftruncate(fd, 20000));
	show("pwrite inside", pwrite(fd, "abc", 3, 100));
	show("pwrite across the end in one page", pwrite(fd, "abcdef", 6, 12285));
	char big[10000];
	memset(big, 'z', sizeof big);
	show("pwrite across the end over pages", pwrite(fd, big, sizeof big, 5000));
	show("pwrite past the end", pwrite(fd, "x", 1, 20000));
	show("fallocate inside", fallocate(fd, 0, 0, 4096));
	show("fallocate past", fallocate(fd, 0, 12000, 4096));
	show("fallocate keep size past", fallocate(fd, FALLOC_FL_KEEP_SIZE, 12000, 4096));
	show("punch", fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096));
	show("size", lseek(fd, 0, SEEK_END));

	/* F_SEAL_WRITE with a writable shared mapping: EBUSY; a private one does not count. */
	void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	show("add WRITE with a shared writable map", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
	munmap(m, 4096);
	m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	show("add WRITE with a shared read-only map of a writable fd", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
	munmap(m, 4096);
	m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	/* Split the shared mapping count through a fork's copy too. */
	void *s2 = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	munmap((char *)s2 + 4096, 4096);
	fflush(stdout);
	pid_t p = fork();
	if (p == 0) {
		munmap(s2, 4096);
		show("child add WRITE (parent still maps)", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
		fflush(stdout);
		_exit(0);
	}
	int st;
	waitpid(p, &st, 0);
	munmap(s2, 4096);
	show("add WRITE with only a private map", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
	show("seals", seals(fd));
	((char *)m)[0] = 'p';
	printf("private copy still writable: %c\n", ((char *)m)[0]);
	munmap(m, 4096);
	show("write", write(fd, "x", 1));
	show("pwrite", pwrite(fd, "x", 1, 0));
	show("write nothing", write(fd, "x", 0));
	show("punch", fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096));
	show("fallocate inside", fallocate(fd, 0, 0, 4096));
	show_ptr("map shared writable", mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
	m = show_ptr("map shared read-only", mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0));
	show("mprotect it writable", mprotect(m, 4096, PROT_READ | PROT_WRITE));
	printf("reads: %d\n", ((char *)m)[100]);
	munmap(m, 4096);
	m = show_ptr("map private writable", mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0));
	munmap(m, 4096);
	show("add SEAL", fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL));
	show("add after SEAL", fcntl(fd, F_ADD_SEALS, F_SEAL_GROW));
	show("add nothing after SEAL", fcntl(fd, F_ADD_SEALS, 0));
	show("seals", seals(fd));
	/* A read-only reopen may not add seals; seals hold for every description. */
	close(fd);

	/* F_SEAL_FUTURE_WRITE: existing writable mappings go on writing. */
	fd = memfd_create("future", MFD_ALLOW_SEALING);
	ftruncate(fd, 4096);
	char *w = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	show("add FUTURE_WRITE with a writable map", fcntl(fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE));
	w[0] = 'M';
	char c = 0;
	pread(fd, &c, 1, 0);
	printf("written through the old map: %c\n", c);
	show("write", write(fd, "x", 1));
	show_ptr("new shared writable map", mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
	show("ftruncate grows (not sealed)", ftruncate(fd, 8192));
	show("add WRITE with the old writable map", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
	munmap(w, 4096);
	show("add WRITE now", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
	show("seals", seals(fd));
	close(fd);

	/* MFD_NOEXEC_SEAL: not executable, and F_SEAL_EXEC keeps it so. */
	fd = memfd_create("noexec", MFD_NOEXEC_SEAL);
	mode_of("noexec stat", fd);
	show("noexec seals", seals(fd));
	show("chmod +x", fchmod(fd, 0777));
	show("chmod -w", fchmod(fd, 0444));
	mode_of("noexec stat", fd);
	show("add more", fcntl(fd, F_ADD_SEALS, F_SEAL_GROW));
	show("noexec seals", seals(fd));
	close(fd);
	fd = memfd_create("exec", MFD_EXEC | MFD_ALLOW_SEALING);
	mode_of("exec stat", fd);
	show("exec seals", seals(fd));
	show("add EXEC", fcntl(fd, F_ADD_SEALS, F_SEAL_EXEC));
	show("exec seals", seals(fd));
	show("chmod -x", fchmod(fd, 0666));
	show("chmod -w", fchmod(fd, 0555));
	close(fd);

	/* Seals on files that are not memfds. */
	int pfd[2];
	pipe(pfd);
	show("pipe seals", seals(pfd[0]));
	show("pipe add seals", fcntl(pfd[1], F_ADD_SEALS, F_SEAL_WRITE));
	char tpath[] = "/tmp/memfd_seals_XXXXXX";
	int tf = mkstemp(tpath);
	if (tf >= 0) {
		unlink(tpath);
		long s = seals(tf);
		/* tmpfs answers F_SEAL_SEAL, a disk file system EINVAL: never sealable. */
		printf("tmp file seals: %s\n", s == F_SEAL_SEAL || (s < 0 && errno == EINVAL) ? "not sealable" : "?");
		s = fcntl(tf, F_ADD_SEALS, F_SEAL_WRITE);
		printf("tmp file add seals: %s\n", s < 0 && (errno == EPERM || errno == EINVAL) ? "refused" : "?");
		close(tf);
	}
	int op = open("/", O_PATH);
	show("O_PATH seals", seals(op));
	fd = memfd_create("rdonly-add", MFD_ALLOW_SEALING);
	show("add on a fresh memfd", fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK));
	printf("done\n");
	return 0;
}
