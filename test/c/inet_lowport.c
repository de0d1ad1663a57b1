/*
 * Binding a port below 1024 wants CAP_NET_BIND_SERVICE, as inet_bind
 * checks it: with the capability (as root in the namespace) the bind works
 * and a connection reaches the listener; with it dropped from the
 * effective set, EACCES; a port of 1024 and up needs nothing. Run natively
 * in a fresh network namespace and under tsvisor, and compared.
 */
#include "common.h"
#include <arpa/inet.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <sys/socket.h>

static int bind_port(int port)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(s, (struct sockaddr *)&a, sizeof a) < 0) {
		int e = errno;
		close(s);
		errno = e;
		return -1;
	}
	return s;
}

int main(void)
{
	int s = bind_port(80);
	show_ok("bind 80 with CAP_NET_BIND_SERVICE", s);
	if (s >= 0) {
		show("listen", listen(s, 1));
		int c = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(80)};
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		show("connect to 80", connect(c, (struct sockaddr *)&a, sizeof a));
		close(c);
		close(s);
	}
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct data[2];
	syscall(SYS_capget, &hdr, data);
	data[0].effective &= ~(1u << CAP_NET_BIND_SERVICE);
	show("capset drops CAP_NET_BIND_SERVICE", syscall(SYS_capset, &hdr, data));
	show("bind 80 without it", bind_port(80));
	show("bind 1023 without it", bind_port(1023));
	int h = bind_port(1024);
	show_ok("bind 1024 without it", h);
	int z = bind_port(0);
	show_ok("bind 0 (any port) without it", z);
	return 0;
}
