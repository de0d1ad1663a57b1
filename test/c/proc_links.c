/*
 * /proc/self's magic links: fd/N reopens the descriptor's own file (a
 * deleted one, a pipe's other end) and cwd/root go to the task's own
 * directories (one renamed or removed meanwhile), as Linux's
 * proc_fd_link/proc_cwd_link do; a socket's fd/N does not reopen.
 */
#include "common.h"
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>

static int same(int fd, const char *path)
{
	struct stat a, b;
	if (fstat(fd, &a) != 0 || stat(path, &b) != 0) return 0;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int main(void)
{
	char dir[] = "/tmp/proclinks.XXXXXX";
	char path[256], moved[256];
	if (mkdtemp(dir) == NULL) return 2;
	setvbuf(stdout, NULL, _IONBF, 0);

	/* A deleted file reopened through fd/N. */
	snprintf(path, sizeof path, "%s/f", dir);
	int fd = open(path, O_CREAT | O_RDWR, 0600);
	show("write", write(fd, "kept", 4));
	show("unlink", unlink(path));
	char link[64], buf[16] = {0};
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	int again = open(link, O_RDONLY);
	show_ok("reopen deleted", again);
	show("read it", read(again, buf, sizeof buf - 1));
	printf("data: %s\n", buf);
	close(again);

	/* A pipe's read end reopened through its write end's link. */
	int p[2];
	show("pipe", pipe(p));
	snprintf(link, sizeof link, "/proc/self/fd/%d", p[1]);
	int r = open(link, O_RDONLY);
	show_ok("reopen pipe for reading", r);
	show("write pipe", write(p[1], "pp", 2));
	memset(buf, 0, sizeof buf);
	show("read reopened", read(r, buf, sizeof buf - 1));
	printf("pipe data: %s\n", buf);

	/* A socket does not reopen. */
	int sv[2];
	show("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	snprintf(link, sizeof link, "/proc/self/fd/%d", sv[0]);
	show("reopen socket", open(link, O_RDWR));

	/* cwd follows the directory through a rename of its parent. */
	snprintf(path, sizeof path, "%s/a", dir);
	show("mkdir", mkdir(path, 0755));
	show("chdir", chdir(path));
	snprintf(moved, sizeof moved, "%s/b", dir);
	show("rename", rename(path, moved));
	int cwd = open("/proc/self/cwd", O_RDONLY | O_DIRECTORY);
	show_ok("open cwd link", cwd);
	printf("cwd link is the moved dir: %d\n", same(cwd, moved));
	int exe = open("/proc/self/exe", O_RDONLY);
	show_ok("open exe link", exe);
	char self[256];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	self[n < 0 ? 0 : n] = 0;
	printf("exe link is the program: %d\n", same(exe, self));
	int rootfd = open("/proc/self/root", O_RDONLY | O_DIRECTORY);
	printf("root link is /: %d\n", same(rootfd, "/"));
	show("chdir /", chdir("/"));
	show("rmdir", rmdir(moved));
	show("rmdir dir", rmdir(dir));
	printf("done\n");
	return 0;
}
