/*
 * AF_INET and AF_INET6 sockets over loopback (net/hostinet): creation and
 * its errors, TCP echo (v4 and v6), UDP, non-blocking connect, the errors
 * of bind/connect/accept/send/recv (EADDRINUSE, ECONNREFUSED, ENOTCONN,
 * EISCONN, EAFNOSUPPORT, EINVAL lengths, EFAULT), poll/select/epoll
 * readiness, a signal interrupting a blocking accept, SO_RCVTIMEO ending
 * a recv, MSG_PEEK/MSG_TRUNC/MSG_WAITALL/MSG_DONTWAIT, SIGPIPE and
 * MSG_NOSIGNAL, the option allowlist, sendmmsg/recvmmsg, read/write/
 * readv/writev, FIONREAD/SIOCOUTQ, raw and packet sockets refused without
 * CAP_NET_RAW.
 *
 * Natively it runs in a fresh network namespace with lo up (the test's
 * `unshare -n`), as tsvisor's --network=none gives. Port numbers and fd
 * numbers are never printed.
 */
#include "common.h"
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <linux/sockios.h>

static struct sockaddr_in lo4(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	return a;
}

static struct sockaddr_in6 lo6(int port)
{
	struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons(port), .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	return a;
}

static int port_of(int fd)
{
	struct sockaddr_storage ss;
	socklen_t l = sizeof ss;
	if (getsockname(fd, (void *)&ss, &l) < 0)
		return -1;
	return ss.ss_family == AF_INET ? ntohs(((struct sockaddr_in *)&ss)->sin_port)
				       : ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

/* A listening TCP socket on loopback (v4 or v6), its port in *port. */
static int listener(int family, int *port)
{
	int l = socket(family, SOCK_STREAM, 0);
	if (family == AF_INET) {
		struct sockaddr_in a = lo4(0);
		bind(l, (void *)&a, sizeof a);
	} else {
		struct sockaddr_in6 a = lo6(0);
		bind(l, (void *)&a, sizeof a);
	}
	listen(l, 16);
	*port = port_of(l);
	return l;
}

static int connect_to(int family, int port, int type)
{
	int c = socket(family, type, 0);
	int r;
	if (family == AF_INET) {
		struct sockaddr_in a = lo4(port);
		r = connect(c, (void *)&a, sizeof a);
	} else {
		struct sockaddr_in6 a = lo6(port);
		r = connect(c, (void *)&a, sizeof a);
	}
	if (r < 0 && errno != EINPROGRESS) {
		close(c);
		return -1;
	}
	return c;
}

static void creation(void)
{
	int s;
	show_ok("socket inet stream", s = socket(AF_INET, SOCK_STREAM, 0)); close(s);
	show_ok("socket inet stream tcp", s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)); close(s);
	show_ok("socket inet dgram", s = socket(AF_INET, SOCK_DGRAM, 0)); close(s);
	show_ok("socket inet6 stream", s = socket(AF_INET6, SOCK_STREAM, 0)); close(s);
	show_ok("socket inet6 dgram udp", s = socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP)); close(s);
	/* A fresh namespace's net.ipv4.ping_group_range is "1 0": nobody may (EACCES). */
	show("socket ping", socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP));
	show("socket ping6", socket(AF_INET6, SOCK_DGRAM, IPPROTO_ICMPV6));
	show("socket icmp on v6", socket(AF_INET6, SOCK_DGRAM, IPPROTO_ICMP));
	show("socket stream udp", socket(AF_INET, SOCK_STREAM, IPPROTO_UDP));
	show("socket dgram tcp", socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP));
	show("socket type 0", socket(AF_INET, 0, 0));
	show("socket seqpacket", socket(AF_INET, SOCK_SEQPACKET, 0));
	show("socket type 11", socket(AF_INET, 11, 0));
	show("socket bad flags", socket(AF_INET, SOCK_STREAM | 0x100, 0));
	show("socket protocol -1", socket(AF_INET, SOCK_STREAM, -1));
	show("socket protocol 300", socket(AF_INET, SOCK_STREAM, 300));
	show("socket family 99", socket(99, SOCK_STREAM, 0));
	show("socket family -1", socket(-1, SOCK_STREAM, 0));
	show("socket family 45", socket(45, SOCK_STREAM, 0));
	int sv[2];
	show("socketpair inet", socketpair(AF_INET, SOCK_STREAM, 0, sv));
	show("socketpair inet6 dgram", socketpair(AF_INET6, SOCK_DGRAM, 0, sv));
	s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	show_bool("nonblock flag", fcntl(s, F_GETFL) & O_NONBLOCK);
	show_bool("cloexec flag", fcntl(s, F_GETFD) & FD_CLOEXEC);
	struct stat st;
	fstat(s, &st);
	show_bool("fstat is socket", S_ISSOCK(st.st_mode));
	close(s);
}

static void unprivileged(void)
{
	if (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0) {
		printf("setresuid failed\n");
		return;
	}
	show("raw without CAP_NET_RAW", socket(AF_INET, SOCK_RAW, IPPROTO_ICMP));
	show("raw6 without CAP_NET_RAW", socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6));
	show("packet without CAP_NET_RAW", socket(AF_PACKET, SOCK_RAW, 0));
	show("sock_packet without CAP_NET_RAW", socket(AF_INET, SOCK_PACKET, 0));
}

static void tcp_echo(int family, const char *tag)
{
	char name[64], buf[64];
	int port;
	int l = listener(family, &port);
	snprintf(name, sizeof name, "%s port set", tag);
	show_bool(name, port > 0);
	int c = connect_to(family, port, SOCK_STREAM);
	snprintf(name, sizeof name, "%s connect", tag);
	show_bool(name, c >= 0);
	struct sockaddr_storage peer;
	socklen_t pl = sizeof peer;
	int s = accept(l, (void *)&peer, &pl);
	snprintf(name, sizeof name, "%s accept", tag);
	show_bool(name, s >= 0);
	snprintf(name, sizeof name, "%s accept addrlen", tag);
	show(name, pl);
	snprintf(name, sizeof name, "%s accept family", tag);
	show(name, peer.ss_family);
	snprintf(name, sizeof name, "%s peer port is client's", tag);
	show_bool(name, (family == AF_INET ? ntohs(((struct sockaddr_in *)&peer)->sin_port)
					   : ntohs(((struct sockaddr_in6 *)&peer)->sin6_port)) == port_of(c));
	struct sockaddr_storage pn;
	socklen_t pnl = sizeof pn;
	snprintf(name, sizeof name, "%s getpeername", tag);
	show(name, getpeername(c, (void *)&pn, &pnl));
	snprintf(name, sizeof name, "%s getpeername len", tag);
	show(name, pnl);
	snprintf(name, sizeof name, "%s send", tag);
	show(name, send(c, "hello world", 11, 0));
	usleep(20000);
	int avail = -1;
	snprintf(name, sizeof name, "%s FIONREAD", tag);
	show(name, ioctl(s, FIONREAD, &avail) < 0 ? -1 : avail);
	snprintf(name, sizeof name, "%s peek", tag);
	show(name, recv(s, buf, 5, MSG_PEEK));
	snprintf(name, sizeof name, "%s recv", tag);
	long n = show(name, recv(s, buf, sizeof buf, 0));
	if (n > 0)
		printf("%s data: %.*s\n", tag, (int)n, buf);
	snprintf(name, sizeof name, "%s echo", tag);
	show(name, write(s, buf, n > 0 ? n : 0));
	snprintf(name, sizeof name, "%s read back", tag);
	n = show(name, read(c, buf, sizeof buf));
	int outq = -1;
	snprintf(name, sizeof name, "%s SIOCOUTQ", tag);
	show(name, ioctl(c, SIOCOUTQ, &outq) < 0 ? -1 : outq);
	snprintf(name, sizeof name, "%s connect again", tag);
	if (family == AF_INET) {
		struct sockaddr_in a = lo4(port);
		show(name, connect(c, (void *)&a, sizeof a));
	} else {
		struct sockaddr_in6 a = lo6(port);
		show(name, connect(c, (void *)&a, sizeof a));
	}
	snprintf(name, sizeof name, "%s shutdown wr", tag);
	show(name, shutdown(c, SHUT_WR));
	snprintf(name, sizeof name, "%s eof", tag);
	show(name, read(s, buf, sizeof buf));
	snprintf(name, sizeof name, "%s shutdown bad how", tag);
	show(name, shutdown(c, 7));
	close(c);
	close(s);
	close(l);
}

static void errors(void)
{
	int port;
	int l = listener(AF_INET, &port);
	int b = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = lo4(port);
	show("bind in use", bind(b, (void *)&a, sizeof a));
	a = lo4(0);
	show("bind short", bind(b, (void *)&a, 8));
	show("bind len 0", bind(b, (void *)&a, 0));
	show("bind len 129", bind(b, (void *)&a, 129));
	show("bind len -1", bind(b, (void *)&a, -1));
	show("bind bad pointer", bind(b, BADPTR1, sizeof a));
	struct sockaddr_in u = a;
	u.sin_family = AF_UNIX;
	show("bind unix family", bind(b, (void *)&u, sizeof u));
	show("bind unix family short", bind(b, (void *)&u, 8));
	struct sockaddr_in6 six = lo6(0);
	show("bind v6 addr on v4", bind(b, (void *)&six, sizeof six));
	show("connect len 0", connect(b, (void *)&a, 0));
	show("connect len 1", connect(b, (void *)&a, 1));
	show("connect unix family", connect(b, (void *)&u, sizeof u));
	char buf[8];
	show("recv unconnected", recv(b, buf, sizeof buf, MSG_DONTWAIT));
	show("send unconnected", send(b, "x", 1, MSG_NOSIGNAL));
	struct sockaddr_in pn;
	socklen_t pl = sizeof pn;
	show("getpeername unconnected", getpeername(b, (void *)&pn, &pl));
	show("getsockname bad len ptr", getsockname(b, (void *)&pn, BADPTR1));
	pl = -1;
	show("getsockname neg len", getsockname(b, (void *)&pn, &pl));
	show("accept not listening", accept(b, NULL, NULL));
	show("listen udp", listen(socket(AF_INET, SOCK_DGRAM, 0), 1));
	/* A port nobody listens on. */
	int tmp = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in t0 = lo4(0);
	bind(tmp, (void *)&t0, sizeof t0);
	int dead = port_of(tmp);
	close(tmp);
	struct sockaddr_in d = lo4(dead);
	show("connect refused", connect(b, (void *)&d, sizeof d));
	int nb = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	fcntl(l, F_SETFL, O_NONBLOCK);
	show("accept EAGAIN", accept(l, NULL, NULL));
	fcntl(l, F_SETFL, 0);
	long r = connect(nb, (void *)&d, sizeof d);
	if (r < 0 && errno == EINPROGRESS) {
		struct pollfd p = {nb, POLLOUT, 0};
		poll(&p, 1, 2000);
		printf("nb refused revents: %#x\n", p.revents);
		int err = 0;
		socklen_t el = sizeof err;
		getsockopt(nb, SOL_SOCKET, SO_ERROR, &err, &el);
		printf("nb refused SO_ERROR: %s\n", errname(err));
	} else {
		show("nb connect refused", r);
	}
	close(nb);
	close(b);
	close(l);
}

static void nonblocking_connect(void)
{
	int port;
	int l = listener(AF_INET, &port);
	int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	struct sockaddr_in a = lo4(port);
	long r = connect(c, (void *)&a, sizeof a);
	show_bool("nb connect EINPROGRESS or 0", r == 0 || errno == EINPROGRESS);
	struct pollfd p = {c, POLLOUT, 0};
	show("nb poll", poll(&p, 1, 2000));
	printf("nb revents: %#x\n", p.revents);
	int err = -1;
	socklen_t el = sizeof err;
	show("nb SO_ERROR get", getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &el));
	printf("nb SO_ERROR: %d\n", err);
	show("nb connect after", connect(c, (void *)&a, sizeof a));
	show("nb connect after again", connect(c, (void *)&a, sizeof a));
	int s = accept(l, NULL, NULL);
	/* Listener readiness: another connection makes it readable. */
	int c2 = connect_to(AF_INET, port, SOCK_STREAM);
	struct pollfd lp = {l, POLLIN, 0};
	show("listener poll", poll(&lp, 1, 2000));
	printf("listener revents: %#x\n", lp.revents);
	fd_set rs;
	FD_ZERO(&rs);
	FD_SET(l, &rs);
	struct timeval tv = {2, 0};
	show("listener select", select(l + 1, &rs, NULL, NULL, &tv));
	int s2 = accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	show_bool("accept4 nonblock", fcntl(s2, F_GETFL) & O_NONBLOCK);
	show_bool("accept4 cloexec", fcntl(s2, F_GETFD) & FD_CLOEXEC);
	char buf[16];
	show("accept4 recv EAGAIN", read(s2, buf, sizeof buf));
	show("accept4 bad flags", accept4(l, NULL, NULL, 1));
	/* epoll: level, then edge. */
	int ep = epoll_create1(0);
	struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.u32 = 1};
	show("epoll add", epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev));
	struct epoll_event out[4];
	show("epoll out ready", epoll_wait(ep, out, 4, 1000));
	printf("epoll events: %#x\n", out[0].events);
	ev.events = EPOLLIN | EPOLLET;
	epoll_ctl(ep, EPOLL_CTL_MOD, s, &ev);
	show("epoll et nothing", epoll_wait(ep, out, 4, 50));
	write(c, "ab", 2);
	show("epoll et one", epoll_wait(ep, out, 4, 1000));
	printf("epoll et events: %#x\n", out[0].events);
	write(c, "cd", 2);
	show("epoll et new data", epoll_wait(ep, out, 4, 1000));
	show("read both", read(s, buf, sizeof buf));
	close(c);
	show("epoll et hup", epoll_wait(ep, out, 4, 1000));
	printf("epoll hup events: %#x\n", out[0].events);
	close(ep);
	close(c2);
	close(s);
	close(s2);
	close(l);
}

static void udp(int family, const char *tag)
{
	char name[64], buf[64];
	int a = socket(family, SOCK_DGRAM, 0), b = socket(family, SOCK_DGRAM, 0);
	struct sockaddr_storage sa, sb;
	socklen_t la, lb;
	if (family == AF_INET) {
		struct sockaddr_in x = lo4(0);
		bind(a, (void *)&x, sizeof x);
		bind(b, (void *)&x, sizeof x);
		la = lb = sizeof x;
	} else {
		struct sockaddr_in6 x = lo6(0);
		bind(a, (void *)&x, sizeof x);
		bind(b, (void *)&x, sizeof x);
		la = lb = sizeof x;
	}
	getsockname(a, (void *)&sa, &la);
	getsockname(b, (void *)&sb, &lb);
	snprintf(name, sizeof name, "%s sendto", tag);
	show(name, sendto(a, "datagram-one", 12, 0, (void *)&sb, lb));
	struct sockaddr_storage from;
	socklen_t fl = sizeof from;
	snprintf(name, sizeof name, "%s recvfrom", tag);
	long n = show(name, recvfrom(b, buf, sizeof buf, 0, (void *)&from, &fl));
	if (n > 0)
		printf("%s data: %.*s\n", tag, (int)n, buf);
	snprintf(name, sizeof name, "%s from len", tag);
	show(name, fl);
	snprintf(name, sizeof name, "%s from is a", tag);
	show_bool(name, memcmp(&from, &sa, la) == 0);
	sendto(a, "0123456789", 10, 0, (void *)&sb, lb);
	snprintf(name, sizeof name, "%s trunc", tag);
	show(name, recv(b, buf, 4, MSG_TRUNC));
	sendto(a, "0123456789", 10, 0, (void *)&sb, lb);
	struct iovec iov = {buf, 4};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
	snprintf(name, sizeof name, "%s recvmsg short", tag);
	show(name, recvmsg(b, &m, 0));
	snprintf(name, sizeof name, "%s recvmsg flags", tag);
	show(name, m.msg_flags & MSG_TRUNC);
	snprintf(name, sizeof name, "%s empty EAGAIN", tag);
	show(name, recv(b, buf, sizeof buf, MSG_DONTWAIT));
	snprintf(name, sizeof name, "%s sendto short addr", tag);
	show(name, sendto(a, "x", 1, 0, (void *)&sb, 8));
	snprintf(name, sizeof name, "%s sendto zero addrlen", tag);
	show(name, sendto(a, "x", 1, 0, (void *)&sb, 0));
	snprintf(name, sizeof name, "%s sendto bad addr", tag);
	show(name, sendto(a, "x", 1, 0, BADPTR1, lb));
	snprintf(name, sizeof name, "%s send unconnected", tag);
	show(name, send(a, "x", 1, 0));
	snprintf(name, sizeof name, "%s empty datagram", tag);
	show(name, sendto(a, "", 0, 0, (void *)&sb, lb));
	snprintf(name, sizeof name, "%s recv empty", tag);
	show(name, recv(b, buf, sizeof buf, 0));
	snprintf(name, sizeof name, "%s connect", tag);
	show(name, connect(a, (void *)&sb, lb));
	snprintf(name, sizeof name, "%s send connected", tag);
	show(name, send(a, "conn", 4, 0));
	snprintf(name, sizeof name, "%s recv connected", tag);
	show(name, recv(b, buf, sizeof buf, 0));
	/* sendmmsg / recvmmsg */
	struct mmsghdr mm[3];
	struct iovec iv[3];
	char bufs[3][16];
	memset(mm, 0, sizeof mm);
	for (int i = 0; i < 3; i++) {
		iv[i].iov_base = (void *)"mmsg";
		iv[i].iov_len = 2 + i;
		mm[i].msg_hdr.msg_iov = &iv[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	snprintf(name, sizeof name, "%s sendmmsg", tag);
	show(name, sendmmsg(a, mm, 3, 0));
	usleep(10000);
	for (int i = 0; i < 3; i++) {
		iv[i].iov_base = bufs[i];
		iv[i].iov_len = sizeof bufs[i];
		mm[i].msg_len = 0;
	}
	snprintf(name, sizeof name, "%s recvmmsg", tag);
	show(name, recvmmsg(b, mm, 3, 0, NULL));
	printf("%s mmsg lens: %u %u %u\n", tag, mm[0].msg_len, mm[1].msg_len, mm[2].msg_len);
	snprintf(name, sizeof name, "%s recvmmsg empty", tag);
	show(name, recvmmsg(b, mm, 3, MSG_DONTWAIT, NULL));
	close(a);
	close(b);
}

static volatile int signals;
static void on_signal(int s)
{
	(void)s;
	signals++;
}

static void interrupted_accept(void)
{
	int port;
	int l = listener(AF_INET, &port);
	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = {.it_value = {0, 100000}};
	setitimer(ITIMER_REAL, &it, NULL);
	show("accept interrupted", accept(l, NULL, NULL));
	show("signals", signals);
	/* With SA_RESTART the accept goes on after the handler, until a connection comes. */
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		usleep(300000);
		int c = connect_to(AF_INET, port, SOCK_STREAM);
		_exit(c >= 0 ? 0 : 1);
	}
	int s = accept(l, NULL, NULL);
	show_bool("accept restarted", s >= 0);
	show("signals after restart", signals);
	waitpid(pid, NULL, 0);
	close(s);
	close(l);
}

static void timeouts(void)
{
	int port;
	int l = listener(AF_INET, &port);
	int c = connect_to(AF_INET, port, SOCK_STREAM);
	int s = accept(l, NULL, NULL);
	struct timeval tv = {0, 200000};
	show("set SO_RCVTIMEO", setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
	struct timeval got;
	socklen_t gl = sizeof got;
	show("get SO_RCVTIMEO", getsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &got, &gl));
	printf("rcvtimeo: %ld %ld len %u\n", (long)got.tv_sec, (long)got.tv_usec, gl);
	show("set SO_RCVTIMEO short", setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, 8));
	struct timeval badtv = {0, 2000000};
	show("set SO_RCVTIMEO bad usec", setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &badtv, sizeof badtv));
	struct timeval t0, t1;
	gettimeofday(&t0, NULL);
	char buf[16];
	show("recv times out", recv(s, buf, sizeof buf, 0));
	gettimeofday(&t1, NULL);
	long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_usec - t0.tv_usec) / 1000;
	show_bool("waited about 200ms", ms >= 150 && ms < 2000);
	show("read times out", read(s, buf, sizeof buf));
	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	show("unix set SO_RCVTIMEO", setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
	show("unix set SO_RCVTIMEO bad usec", setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &badtv, sizeof badtv));
	show("unix recv times out", recv(sv[0], buf, sizeof buf, 0));
	show("unix read times out", read(sv[0], buf, sizeof buf));
	close(sv[0]);
	close(sv[1]);
	/* A signal ends a timed recv with EINTR even with SA_RESTART (sock_intr_errno). */
	struct sigaction sa = {.sa_handler = on_signal, .sa_flags = SA_RESTART};
	sigaction(SIGALRM, &sa, NULL);
	tv.tv_sec = 5;
	tv.tv_usec = 0;
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	struct itimerval it = {.it_value = {0, 50000}};
	setitimer(ITIMER_REAL, &it, NULL);
	show("timed recv interrupted", recv(s, buf, sizeof buf, 0));
	/* MSG_WAITALL across two sends from a child. */
	fflush(stdout);
	if (fork() == 0) {
		write(c, "12345", 5);
		usleep(50000);
		write(c, "67890", 5);
		_exit(0);
	}
	tv.tv_sec = 0;
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	show("recv waitall", recv(s, buf, 10, MSG_WAITALL));
	wait(NULL);
	close(c);
	close(s);
	close(l);
}

static void sigpipe(void)
{
	int port;
	int l = listener(AF_INET, &port);
	int c = connect_to(AF_INET, port, SOCK_STREAM);
	int s = accept(l, NULL, NULL);
	close(s);
	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGPIPE, &sa, NULL);
	signals = 0;
	show("write to closed peer", write(c, "x", 1));
	usleep(50000);
	show("send nosignal", send(c, "x", 1, MSG_NOSIGNAL));
	show("signals after nosignal", signals);
	show("write after reset", write(c, "x", 1));
	show("signals after write", signals);
	close(c);
	close(l);
}

static void options(void)
{
	int port;
	int l = listener(AF_INET, &port);
	int s = socket(AF_INET, SOCK_STREAM, 0);
	int v = 1, got = -1;
	socklen_t gl = sizeof got;
	show("set TCP_NODELAY", setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &v, sizeof v));
	show("get TCP_NODELAY", getsockopt(s, IPPROTO_TCP, TCP_NODELAY, &got, &gl));
	printf("TCP_NODELAY: %d len %u\n", got, gl);
	show("set SO_REUSEADDR", setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &v, sizeof v));
	gl = sizeof got;
	getsockopt(s, SOL_SOCKET, SO_REUSEADDR, &got, &gl);
	printf("SO_REUSEADDR: %d\n", got);
	show("set SO_KEEPALIVE", setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &v, sizeof v));
	show("set TCP_KEEPIDLE", setsockopt(s, IPPROTO_TCP, TCP_KEEPIDLE, &v, sizeof v));
	show("set SO_REUSEPORT", setsockopt(s, SOL_SOCKET, SO_REUSEPORT, &v, sizeof v));
	struct linger lg = {1, 5};
	show("set SO_LINGER", setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg));
	struct linger lg2;
	gl = sizeof lg2;
	getsockopt(s, SOL_SOCKET, SO_LINGER, &lg2, &gl);
	printf("SO_LINGER: %d %d len %u\n", lg2.l_onoff, lg2.l_linger, gl);
	gl = sizeof got;
	getsockopt(s, SOL_SOCKET, SO_TYPE, &got, &gl);
	printf("SO_TYPE: %d\n", got);
	getsockopt(s, SOL_SOCKET, SO_DOMAIN, &got, &gl);
	printf("SO_DOMAIN: %d\n", got);
	getsockopt(s, SOL_SOCKET, SO_PROTOCOL, &got, &gl);
	printf("SO_PROTOCOL: %d\n", got);
	getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &got, &gl);
	printf("SO_ACCEPTCONN listener: %d\n", got);
	getsockopt(s, SOL_SOCKET, SO_ACCEPTCONN, &got, &gl);
	printf("SO_ACCEPTCONN other: %d\n", got);
	short sh = 0;
	gl = sizeof sh;
	show("get SO_TYPE short len", getsockopt(s, SOL_SOCKET, SO_TYPE, &sh, &gl));
	printf("short len: %u\n", gl);
	char cc[16] = {0};
	gl = sizeof cc;
	show("get TCP_CONGESTION", getsockopt(s, IPPROTO_TCP, TCP_CONGESTION, cc, &gl));
	show("set SO_TYPE", setsockopt(s, SOL_SOCKET, SO_TYPE, &v, sizeof v));
	show("set unknown sol_socket", setsockopt(s, SOL_SOCKET, 9999, &v, sizeof v));
	show("get unknown sol_socket", getsockopt(s, SOL_SOCKET, 9999, &got, &gl));
	show("set unknown tcp", setsockopt(s, IPPROTO_TCP, 9999, &v, sizeof v));
	show("set unknown level", setsockopt(s, 9999, 1, &v, sizeof v));
	show("set neg len", setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &v, -1));
	gl = -1;
	show("get neg len", getsockopt(s, SOL_SOCKET, SO_REUSEADDR, &got, &gl));
	show("get bad lenp", getsockopt(s, SOL_SOCKET, SO_REUSEADDR, &got, (socklen_t *)KADDR));
	show("set bad value", setsockopt(s, SOL_SOCKET, SO_REUSEADDR, BADPTR1, 4));
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	show("tcp option on udp", setsockopt(u, IPPROTO_TCP, TCP_NODELAY, &v, sizeof v));
	show("set IP_TTL", setsockopt(u, IPPROTO_IP, IP_TTL, &v, sizeof v));
	int six = socket(AF_INET6, SOCK_STREAM, 0);
	gl = sizeof got;
	show("get IPV6_V6ONLY", getsockopt(six, IPPROTO_IPV6, IPV6_V6ONLY, &got, &gl));
	printf("IPV6_V6ONLY: %d\n", got);
	show("set IPV6_V6ONLY", setsockopt(six, IPPROTO_IPV6, IPV6_V6ONLY, &v, sizeof v));
	show("ioctl TCGETS", ioctl(s, 0x5401, &v));
	close(six);
	close(u);
	close(s);
	close(l);
}

static void vectored(void)
{
	int port;
	int l = listener(AF_INET6, &port);
	int c = connect_to(AF_INET6, port, SOCK_STREAM);
	int s = accept(l, NULL, NULL);
	struct iovec w[2] = {{(void *)"abc", 3}, {(void *)"defg", 4}};
	show("writev", writev(c, w, 2));
	char x[3], y[8];
	struct iovec r[2] = {{x, 3}, {y, 8}};
	usleep(10000);
	long n = show("readv", readv(s, r, 2));
	if (n == 7)
		printf("readv data: %.3s %.4s\n", x, y);
	struct msghdr m = {.msg_iov = w, .msg_iovlen = 2};
	show("sendmsg", sendmsg(c, &m, 0));
	struct sockaddr_in6 from;
	char ctl[64];
	struct msghdr rm = {.msg_name = &from, .msg_namelen = sizeof from, .msg_iov = r, .msg_iovlen = 2,
			    .msg_control = ctl, .msg_controllen = sizeof ctl};
	show("recvmsg", recvmsg(s, &rm, 0));
	printf("recvmsg namelen %u controllen %zu flags %d\n", rm.msg_namelen, (size_t)rm.msg_controllen, rm.msg_flags);
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct msghdr sm = {.msg_iov = w, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&sm);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &s, sizeof s);
	show("sendmsg SCM_RIGHTS", sendmsg(c, &sm, 0));
	show("sendmsg bad iov", sendmsg(c, (void *)BADPTR1, 0));
	close(c);
	close(s);
	close(l);
}

/* A blocking write of 8 MiB in one call goes on until all of it is written, while a child reads. */
static void bulk(void)
{
	int port;
	int l = listener(AF_INET, &port);
	int c = connect_to(AF_INET, port, SOCK_STREAM);
	int s = accept(l, NULL, NULL);
	size_t size = 8 << 20;
	char *big = malloc(size);
	for (size_t i = 0; i < size; i++)
		big[i] = (char)(i * 7);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		close(c);
		char b[65536];
		size_t total = 0;
		unsigned sum = 0;
		long n;
		while ((n = read(s, b, sizeof b)) > 0) {
			for (long i = 0; i < n; i++)
				sum = sum * 31 + (unsigned char)b[i];
			total += n;
		}
		printf("bulk read: %zu sum %u\n", total, sum);
		fflush(stdout);
		_exit(0);
	}
	close(s);
	show("bulk write", write(c, big, size));
	close(c);
	waitpid(pid, NULL, 0);
	free(big);
	close(l);
	/* IP_PKTINFO on a datagram: the receiver learns the address it came to. */
	int a = socket(AF_INET, SOCK_DGRAM, 0), b = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in x = lo4(0);
	bind(b, (void *)&x, sizeof x);
	socklen_t xl = sizeof x;
	getsockname(b, (void *)&x, &xl);
	int one = 1;
	show("set IP_PKTINFO", setsockopt(b, IPPROTO_IP, IP_PKTINFO, &one, sizeof one));
	sendto(a, "pk", 2, 0, (void *)&x, sizeof x);
	char data[8], ctl[256];
	struct iovec iov = {data, sizeof data};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof ctl};
	show("recvmsg pktinfo", recvmsg(b, &m, 0));
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
	if (cm != NULL && cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
		struct in_pktinfo pi;
		memcpy(&pi, CMSG_DATA(cm), sizeof pi);
		printf("pktinfo: ifindex %d dst %s\n", pi.ipi_ifindex, inet_ntoa(pi.ipi_addr));
	} else {
		printf("pktinfo: none\n");
	}
	m.msg_controllen = 4;
	sendto(a, "pk", 2, 0, (void *)&x, sizeof x);
	show("recvmsg short control", recvmsg(b, &m, 0));
	printf("short control flags: %#x len %zu\n", m.msg_flags, (size_t)m.msg_controllen);
	close(a);
	close(b);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	creation();
	run_child("unprivileged", unprivileged);
	tcp_echo(AF_INET, "tcp4");
	tcp_echo(AF_INET6, "tcp6");
	errors();
	nonblocking_connect();
	udp(AF_INET, "udp4");
	udp(AF_INET6, "udp6");
	interrupted_accept();
	timeouts();
	sigpipe();
	options();
	vectored();
	bulk();
	printf("done\n");
	return 0;
}
