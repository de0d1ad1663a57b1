/*
 * hostwait: waits for input on the descriptors tsvisor got from its host,
 * and exits. stdin is a pipe the test keeps open without writing to it,
 * stdout and stderr are sockets (as node's spawn makes them): select, poll
 * and epoll_wait for reading on stdin time out, and on stdout (open for
 * writing only) they find nothing to read. Linux says the same; under
 * tsvisor the waits must also leave nothing behind that keeps the Sentry
 * from exiting when the program has ended (exit 0 at once).
 */
#include "../c/common.h"
#include <poll.h>
#include <sys/epoll.h>
#include <sys/select.h>

int main(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		fd_set r;
		FD_ZERO(&r);
		FD_SET(fd, &r);
		struct timeval tv = { 0, fd == 0 ? 100000 : 0 };
		char name[64];
		snprintf(name, sizeof name, "select fd %d", fd);
		show(name, select(fd + 1, &r, NULL, NULL, &tv));
		struct pollfd p = { fd, POLLIN, 0 };
		snprintf(name, sizeof name, "poll fd %d", fd);
		show(name, poll(&p, 1, fd == 0 ? 100 : 0));
		int ep = epoll_create1(0);
		struct epoll_event e = { .events = EPOLLIN }, got;
		epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
		snprintf(name, sizeof name, "epoll_wait fd %d", fd);
		show(name, epoll_wait(ep, &got, 1, fd == 0 ? 100 : 0));
		close(ep);
	}
	printf("hostwait done\n");
	return 0;
}
