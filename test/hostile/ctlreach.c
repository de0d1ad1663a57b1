/*
 * ctlreach: a container process looking for its sandbox's control socket
 * (src/control/server.ts), which would let it start processes, signal and
 * pause the container, or change its limits. Given the socket's host path
 * and its state directory, it tries every road a program has to a host
 * Unix socket: stat and connect(2) by the path, through "..", through
 * /proc/self/root and /proc/1/root, the same name as an abstract socket;
 * then every descriptor of every process it can see (/proc/N/fd/M, and
 * for its own sockets getsockname/getpeername), and the mount tables. The
 * socket lives in the host's state directory, outside the container's
 * root, and the Sentry holds it on the host: none may lead there.
 * Prints one line per road and "reach: none" when none did.
 * Run only under tsvisor (natively, as root, the path reaches the socket).
 *   ctlreach SOCKET_PATH STATE_DIR
 */
#include "../c/common.h"
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

static int reached;

static void try_path(const char *what, const char *path)
{
	struct stat st;
	if (stat(path, &st) == 0) {
		printf("%s: stat: reached\n", what);
		reached = 1;
	} else {
		printf("%s: stat: -1 %s\n", what, errname(errno));
	}
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	if (connect(s, (struct sockaddr *)&sa, sizeof sa) == 0) {
		printf("%s: connect: reached\n", what);
		reached = 1;
	} else {
		printf("%s: connect: -1 %s\n", what, errname(errno));
	}
	close(s);
}

/* An abstract socket of the same name (the control socket is a path one; the Sentry's are its own). */
static void try_abstract(const char *path)
{
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t n = strlen(path);
	if (n > sizeof sa.sun_path - 1)
		n = sizeof sa.sun_path - 1;
	memcpy(sa.sun_path + 1, path, n);
	if (connect(s, (struct sockaddr *)&sa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n)) == 0) {
		printf("abstract: connect: reached\n");
		reached = 1;
	} else {
		printf("abstract: connect: -1 %s\n", errname(errno));
	}
	close(s);
}

/* A socket of its own whose name or peer's name is the control socket's. */
static int names_control(int fd, const char *path)
{
	struct sockaddr_un sa;
	socklen_t len = sizeof sa;
	memset(&sa, 0, sizeof sa);
	if (getsockname(fd, (struct sockaddr *)&sa, &len) == 0 && strstr(sa.sun_path, "control.sock"))
		return 1;
	len = sizeof sa;
	memset(&sa, 0, sizeof sa);
	if (getpeername(fd, (struct sockaddr *)&sa, &len) == 0 && (strstr(sa.sun_path, "control.sock") || strcmp(sa.sun_path, path) == 0))
		return 1;
	return 0;
}

static void scan_fds(const char *path)
{
	DIR *proc = opendir("/proc");
	if (proc == NULL) {
		printf("fds: no /proc (-1 %s)\n", errname(errno));
		return;
	}
	int procs = 0, found = 0;
	struct dirent *p;
	while ((p = readdir(proc)) != NULL) {
		if (p->d_name[0] < '0' || p->d_name[0] > '9')
			continue;
		char dir[PATH_MAX];
		snprintf(dir, sizeof dir, "/proc/%s/fd", p->d_name);
		DIR *fds = opendir(dir);
		if (fds == NULL)
			continue;
		procs++;
		int self = atoi(p->d_name) == getpid();
		struct dirent *f;
		while ((f = readdir(fds)) != NULL) {
			if (f->d_name[0] == '.')
				continue;
			char link[PATH_MAX], target[PATH_MAX];
			snprintf(link, sizeof link, "%s/%s", dir, f->d_name);
			ssize_t n = readlink(link, target, sizeof target - 1);
			if (n < 0)
				continue;
			target[n] = '\0';
			if (strstr(target, "control.sock") || strstr(target, path)) {
				printf("fds: %s is %s\n", link, target);
				found = 1;
			}
			if (self && strncmp(target, "socket:", 7) == 0 && names_control(atoi(f->d_name), path)) {
				printf("fds: own descriptor %s names the control socket\n", f->d_name);
				found = 1;
			}
		}
		closedir(fds);
	}
	closedir(proc);
	printf("fds: %s in %s processes\n", found ? "reached" : "none", procs > 0 ? "all" : "no");
	reached |= found;
}

static void scan_mounts(const char *statedir)
{
	FILE *f = fopen("/proc/self/mountinfo", "r");
	if (f == NULL) {
		printf("mounts: -1 %s\n", errname(errno));
		return;
	}
	char line[4096];
	int found = 0;
	while (fgets(line, sizeof line, f))
		if (strstr(line, statedir) || strstr(line, "control.sock"))
			found = 1;
	fclose(f);
	printf("mounts: %s\n", found ? "reached" : "none");
	reached |= found;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: ctlreach SOCKET_PATH STATE_DIR\n");
		return 2;
	}
	const char *path = argv[1], *statedir = argv[2];
	char buf[PATH_MAX];
	try_path("path", path);
	try_path("statedir", statedir);
	snprintf(buf, sizeof buf, "/../../../../../../..%s", path);
	try_path("dotdot", buf);
	snprintf(buf, sizeof buf, "/proc/self/root%s", path);
	try_path("selfroot", buf);
	snprintf(buf, sizeof buf, "/proc/1/root/../../..%s", path);
	try_path("initroot", buf);
	try_abstract(path);
	scan_fds(path);
	scan_mounts(statedir);
	printf("reach: %s\n", reached ? "REACHED" : "none");
	return reached;
}
