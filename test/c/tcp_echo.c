/*
 * A TCP echo server for the port-forwarding tests: listens on
 * 127.0.0.1:PORT, says "listening" on stdout, and echoes what each
 * connection sends until it ends (one child per connection), prefixed
 * by nothing and followed by nothing, so a client sees its own bytes.
 *
 *   tcp_echo PORT
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	signal(SIGCHLD, SIG_IGN);
	int l = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[1]))};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(l, (struct sockaddr *)&a, sizeof a) < 0 || listen(l, 64) < 0) {
		perror("tcp_echo");
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	for (;;) {
		int c = accept(l, NULL, NULL);
		if (c < 0)
			continue;
		if (fork() == 0) {
			char buf[65536];
			ssize_t n;
			while ((n = read(c, buf, sizeof buf)) > 0)
				for (ssize_t off = 0; off < n;) {
					ssize_t w = write(c, buf + off, (size_t)(n - off));
					if (w <= 0)
						_exit(1);
					off += w;
				}
			_exit(0);
		}
		close(c);
	}
}
