/*
 * /proc/net as a program reads it: the sandbox's Unix sockets in
 * /proc/net/unix (listening, bound by path and by abstract name,
 * connected pairs, datagram), each line's inode the socket's own (fstat),
 * and the interface and route files present and shaped as Linux's. Inodes
 * and reference counts vary between runs, so they are checked, not
 * printed. Run natively in a fresh network namespace and under tsvisor.
 */
#include "common.h"
#include <stddef.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <fcntl.h>

static unsigned long ino_of(int fd)
{
	struct stat st;
	fstat(fd, &st);
	return (unsigned long)st.st_ino;
}

/* Prints the /proc/net/unix line of the socket with inode ino, without Num, RefCount and Inode. */
static void unix_line(const char *what, unsigned long ino)
{
	FILE *f = fopen("/proc/net/unix", "r");
	char line[512];
	int found = 0;
	if (f == NULL) {
		printf("%s: no /proc/net/unix (%s)\n", what, errname(errno));
		return;
	}
	fgets(line, sizeof line, f);
	while (fgets(line, sizeof line, f) != NULL) {
		char num[32], path[256] = "";
		unsigned refs, proto, flags, type, st;
		unsigned long inode;
		int n = sscanf(line, "%31s %x %x %x %x %x %lu %255s", num, &refs, &proto, &flags, &type, &st, &inode, path);
		if (n < 7 || inode != ino)
			continue;
		/* A path is the run's own temporary directory: only whether there is one. */
		printf("%s: protocol %u flags %05x type %04x st %02x path %s\n", what, proto, flags, type, st,
		       path[0] == '/' ? "(a path)" : path[0] == 0 ? "(none)" : path);
		found++;
	}
	fclose(f);
	if (found != 1)
		printf("%s: %d lines\n", what, found);
}

int main(void)
{
	FILE *f = fopen("/proc/net/unix", "r");
	char head[256] = "";
	if (f != NULL) {
		fgets(head, sizeof head, f);
		fclose(f);
	}
	printf("header: %s", head);

	int l = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	memcpy(a.sun_path, "\0tsvisor-proc-net", 17);
	show("bind abstract", bind(l, (struct sockaddr *)&a, offsetof(struct sockaddr_un, sun_path) + 17));
	show("listen", listen(l, 4));
	unix_line("listening abstract", ino_of(l));

	int c = socket(AF_UNIX, SOCK_STREAM, 0);
	show("connect", connect(c, (struct sockaddr *)&a, offsetof(struct sockaddr_un, sun_path) + 17));
	unix_line("connected client", ino_of(c));
	int acc = accept(l, NULL, NULL);
	unix_line("accepted", ino_of(acc));

	char dir[] = "/tmp/procnetXXXXXX";
	mkdtemp(dir);
	struct sockaddr_un p = {.sun_family = AF_UNIX};
	snprintf(p.sun_path, sizeof p.sun_path, "%s/d.sock", dir);
	int d = socket(AF_UNIX, SOCK_DGRAM, 0);
	show("bind path", bind(d, (struct sockaddr *)&p, sizeof p));
	FILE *m = fopen("/proc/net/unix", "r");
	char line[512];
	int path_seen = 0;
	while (m != NULL && fgets(line, sizeof line, m) != NULL)
		if (strstr(line, p.sun_path) != NULL)
			path_seen = 1;
	if (m != NULL)
		fclose(m);
	show_bool("the path is listed", path_seen);
	unix_line("datagram by path", ino_of(d));

	int sv[2];
	socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv);
	unix_line("seqpacket pair", ino_of(sv[0]));
	int lone = socket(AF_UNIX, SOCK_DGRAM, 0);
	unsigned long lone_ino = ino_of(lone);
	unix_line("unbound datagram", lone_ino);
	close(c);
	unix_line("accepted, its peer gone", ino_of(acc));
	close(lone);
	unix_line("closed", lone_ino);
	unlink(p.sun_path);
	rmdir(dir);

	/* The interface and route files: their first lines. */
	const char *files[] = {"dev", "if_inet6", "route", "tcp", "tcp6", "udp", "udp6", "snmp", "netstat", "raw"};
	for (unsigned i = 0; i < sizeof files / sizeof files[0]; i++) {
		char path[64];
		snprintf(path, sizeof path, "/proc/net/%s", files[i]);
		FILE *x = fopen(path, "r");
		char first[512] = "";
		if (x != NULL) {
			fgets(first, sizeof first, x);
			fclose(x);
		}
		printf("%s: %s%s", files[i], x == NULL ? errname(errno) : "", x == NULL ? "\n" : first);
	}
	char self[64];
	snprintf(self, sizeof self, "/proc/%d/net/dev", getpid());
	show_ok("open /proc/PID/net/dev", open(self, 0));
	show("open /proc/net/nosuch", open("/proc/net/nosuch", 0));
	return 0;
}
