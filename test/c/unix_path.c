/*
 * Path-named unix sockets: bind makes the socket file, connect finds it,
 * the file outlives the socket, and the errors Linux gives. Runs in a
 * fresh directory under /tmp (the host's natively, the sandbox's tmpfs
 * under tsvisor).
 */
#include "common.h"
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

static struct sockaddr_un addr(const char *dir, const char *name)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	snprintf(a.sun_path, sizeof a.sun_path, "%s/%s", dir, name);
	return a;
}

int main(void)
{
	char dir[] = "/tmp/unixpath.XXXXXX";
	if (mkdtemp(dir) == NULL) return 2;
	setvbuf(stdout, NULL, _IONBF, 0);
	umask(022);
	struct sockaddr_un a = addr(dir, "s");
	int l = socket(AF_UNIX, SOCK_STREAM, 0);
	show("bind", bind(l, (struct sockaddr *)&a, sizeof a));
	struct stat st;
	show("stat", stat(a.sun_path, &st));
	printf("is socket: %d mode %o\n", S_ISSOCK(st.st_mode), st.st_mode & 0777);
	int l2 = socket(AF_UNIX, SOCK_STREAM, 0);
	show("bind again", bind(l2, (struct sockaddr *)&a, sizeof a));
	show("listen", listen(l, 4));
	int c = socket(AF_UNIX, SOCK_STREAM, 0);
	show("connect", connect(c, (struct sockaddr *)&a, sizeof a));
	int s = accept(l, NULL, NULL);
	printf("accept: %d\n", s >= 0);
	show("send", (int)send(c, "ping", 4, 0));
	char buf[16] = {0};
	show("recv", (int)recv(s, buf, sizeof buf, 0));
	printf("data: %s\n", buf);
	struct sockaddr_un got;
	socklen_t gl = sizeof got;
	show("getsockname", getsockname(l, (struct sockaddr *)&got, &gl));
	printf("name matches: %d\n", strcmp(got.sun_path, a.sun_path) == 0);
	gl = sizeof got;
	show("getpeername", getpeername(c, (struct sockaddr *)&got, &gl));
	printf("peer matches: %d\n", strcmp(got.sun_path, a.sun_path) == 0);

	/* A datagram socket cannot connect to a stream one. */
	int d = socket(AF_UNIX, SOCK_DGRAM, 0);
	show("dgram connect to stream", connect(d, (struct sockaddr *)&a, sizeof a));

	/* Not a socket, and missing. */
	struct sockaddr_un f = addr(dir, "plain");
	close(open(f.sun_path, O_CREAT | O_WRONLY, 0644));
	int c2 = socket(AF_UNIX, SOCK_STREAM, 0);
	show("connect to a regular file", connect(c2, (struct sockaddr *)&f, sizeof f));
	struct sockaddr_un m = addr(dir, "missing");
	show("connect to a missing name", connect(c2, (struct sockaddr *)&m, sizeof m));
	struct sockaddr_un bad = addr(dir, "missing/s");
	int b = socket(AF_UNIX, SOCK_STREAM, 0);
	show("bind below a missing dir", bind(b, (struct sockaddr *)&bad, sizeof bad));

	/* Datagrams by path. */
	struct sockaddr_un da = addr(dir, "d");
	int dr = socket(AF_UNIX, SOCK_DGRAM, 0);
	show("dgram bind", bind(dr, (struct sockaddr *)&da, sizeof da));
	int ds = socket(AF_UNIX, SOCK_DGRAM, 0);
	show("sendto path", (int)sendto(ds, "dg", 2, 0, (struct sockaddr *)&da, sizeof da));
	memset(buf, 0, sizeof buf);
	show("recvfrom", (int)recv(dr, buf, sizeof buf, 0));
	printf("dgram data: %s\n", buf);

	/* The file outlives the socket; unlinking frees the name. */
	close(s);
	close(c);
	close(l);
	show("stat after close", stat(a.sun_path, &st));
	int c3 = socket(AF_UNIX, SOCK_STREAM, 0);
	show("connect after close", connect(c3, (struct sockaddr *)&a, sizeof a));
	show("bind over the stale file", bind(l2, (struct sockaddr *)&a, sizeof a));
	show("unlink", unlink(a.sun_path));
	show("bind after unlink", bind(l2, (struct sockaddr *)&a, sizeof a));
	show("unlink again", unlink(a.sun_path));
	show("connect after unlink", connect(c3, (struct sockaddr *)&a, sizeof a));
	unlink(f.sun_path);
	unlink(da.sun_path);
	show("rmdir", rmdir(dir));
	printf("done\n");
	return 0;
}
