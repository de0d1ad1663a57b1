/*
 * Unix domain sockets: creation errors; socketpair of each type (stream
 * bytes, datagram and seqpacket boundaries, MSG_PEEK, MSG_TRUNC,
 * MSG_DONTWAIT); shutdown and a closed peer (EOF, EPIPE, poll bits);
 * abstract names (bind, autobind, listen, connect, accept, getsockname,
 * getpeername, EADDRINUSE, ECONNREFUSED, EISCONN); a path name on a
 * read-only root (EROFS); SCM_RIGHTS (MSG_CTRUNC, MSG_CMSG_CLOEXEC);
 * socket options and SO_PEERCRED; a connection across fork. Run natively
 * on a read-only root too.
 */
#include "common.h"
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

static socklen_t abstract_addr(struct sockaddr_un *a, const char *name)
{
	memset(a, 0, sizeof *a);
	a->sun_family = AF_UNIX;
	a->sun_path[0] = 0;
	size_t n = strlen(name);
	memcpy(a->sun_path + 1, name, n);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

static void show_poll(const char *name, int fd)
{
	struct pollfd p = {fd, POLLIN | POLLOUT | POLLRDHUP, 0};
	poll(&p, 1, 0);
	printf("%s: %x\n", name, p.revents);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	signal(SIGPIPE, SIG_IGN);
	int sv[2];
	char buf[64];

	/* --- creation ---------------------------------------------------- */
	show("socket_bad_domain", SYS(SYS_socket, 999, SOCK_STREAM, 0));
	show("socket_bad_type", SYS(SYS_socket, AF_UNIX, 99, 0));
	show("socket_bad_flags", SYS(SYS_socket, AF_UNIX, SOCK_STREAM | 0x100, 0));
	show("socket_bad_protocol", SYS(SYS_socket, AF_UNIX, SOCK_STREAM, 5));
	show("socketpair_efault", SYS(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, BADPTR1));
	show("not_a_socket", SYS(SYS_getsockname, 0 + open("/dev/null", O_RDONLY), buf, &(socklen_t){64}));
	{
		int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		show("cloexec", SYS(SYS_fcntl, s, F_GETFD));
		show_bool("nonblock", (SYS(SYS_fcntl, s, F_GETFL) & O_NONBLOCK) != 0);
		struct stat st;
		fstat(s, &st);
		printf("socket_mode: %o\n", st.st_mode);
		show("read_unconnected", read(s, buf, 1));
		show("write_unconnected", write(s, "x", 1));
		show("getpeername_unconnected", SYS(SYS_getpeername, s, buf, &(socklen_t){64}));
		show("shutdown_unconnected", shutdown(s, SHUT_RDWR));
		close(s);
	}

	/* --- stream socketpair ------------------------------------------ */
	show("socketpair_stream", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	show_poll("stream_poll_idle", sv[0]);
	show("stream_write", write(sv[0], "hello", 5));
	show("stream_write_2", write(sv[0], "world", 5));
	show_poll("stream_poll_data", sv[1]);
	show("stream_peek", recv(sv[1], buf, 3, MSG_PEEK));
	show("stream_read_across", read(sv[1], buf, sizeof buf));
	buf[10] = 0;
	printf("stream_data: %s\n", buf);
	show("stream_dontwait", recv(sv[1], buf, 1, MSG_DONTWAIT));
	show("stream_shutdown_wr", shutdown(sv[0], SHUT_WR));
	show("stream_eof_after_shutdown", read(sv[1], buf, 1));
	show("stream_send_after_shutdown", send(sv[0], "x", 1, MSG_NOSIGNAL));
	show_poll("stream_poll_peer_shut", sv[1]);
	show("stream_shutdown_bad_how", shutdown(sv[0], 7));
	write(sv[1], "back", 4);
	close(sv[1]);
	show("stream_read_after_peer_close", read(sv[0], buf, sizeof buf));
	show("stream_eof", read(sv[0], buf, sizeof buf));
	show("stream_write_peer_closed", write(sv[0], "x", 1));
	show_poll("stream_poll_peer_closed", sv[0]);
	close(sv[0]);

	/* --- datagram and seqpacket boundaries -------------------------- */
	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	write(sv[0], "one", 3);
	write(sv[0], "twotwo", 6);
	show("dgram_read_1", read(sv[1], buf, sizeof buf));
	show("dgram_trunc", recv(sv[1], buf, 2, MSG_TRUNC));
	show("dgram_empty", recv(sv[1], buf, 2, MSG_DONTWAIT));
	write(sv[0], "", 0);
	show("dgram_zero_length", recv(sv[1], buf, sizeof buf, MSG_DONTWAIT));
	close(sv[0]);
	close(sv[1]);
	socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv);
	write(sv[0], "abc", 3);
	write(sv[0], "defgh", 5);
	show("seqpacket_1", read(sv[1], buf, sizeof buf));
	show("seqpacket_2", read(sv[1], buf, 2));
	{
		struct msghdr mh;
		struct iovec iov = {buf, 2};
		memset(&mh, 0, sizeof mh);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		write(sv[0], "xyz", 3);
		show("seqpacket_recvmsg_trunc", recvmsg(sv[1], &mh, 0));
		show("seqpacket_msg_flags_trunc", (mh.msg_flags & MSG_TRUNC) != 0);
	}
	close(sv[0]);
	show("seqpacket_eof", read(sv[1], buf, sizeof buf));
	close(sv[1]);

	/* --- abstract names --------------------------------------------- */
	{
		struct sockaddr_un a, got;
		socklen_t alen = abstract_addr(&a, "tsvisor-test-listener");
		int l = socket(AF_UNIX, SOCK_STREAM, 0);
		show("bind_abstract", bind(l, (struct sockaddr *)&a, alen));
		show("bind_again", bind(l, (struct sockaddr *)&a, alen));
		int l2 = socket(AF_UNIX, SOCK_STREAM, 0);
		show("bind_in_use", bind(l2, (struct sockaddr *)&a, alen));
		show("bind_bad_family", bind(l2, (struct sockaddr *)&(struct sockaddr){AF_INET, {0}}, 16));
		show("bind_too_short", bind(l2, (struct sockaddr *)&a, 1));
		close(l2);
		int c0 = socket(AF_UNIX, SOCK_STREAM, 0);
		show("connect_not_listening", connect(c0, (struct sockaddr *)&a, alen));
		close(c0);
		show("listen", listen(l, 5));
		socklen_t gl = sizeof got;
		show("getsockname", getsockname(l, (struct sockaddr *)&got, &gl));
		show("getsockname_len_matches", gl == alen && memcmp(&got, &a, alen) == 0);
		show_poll("listener_poll_empty", l);
		int c = socket(AF_UNIX, SOCK_STREAM, 0);
		show("connect", connect(c, (struct sockaddr *)&a, alen));
		show("connect_again", connect(c, (struct sockaddr *)&a, alen));
		show_poll("listener_poll_pending", l);
		gl = sizeof got;
		int s = accept4(l, (struct sockaddr *)&got, &gl, SOCK_CLOEXEC);
		show_bool("accept4", s >= 0);
		show("accepted_peer_addr_len", gl);
		show("accept_cloexec", SYS(SYS_fcntl, s, F_GETFD));
		gl = sizeof got;
		getpeername(c, (struct sockaddr *)&got, &gl);
		show("client_peer_is_listener", gl == alen && memcmp(&got, &a, alen) == 0);
		write(c, "ping", 4);
		show("accepted_read", read(s, buf, sizeof buf));
		{
			/* Non-blocking listener: EAGAIN. */
			fcntl(l, F_SETFL, O_NONBLOCK);
			show("accept_eagain", accept(l, NULL, NULL));
		}
		struct sockaddr_un other;
		socklen_t olen = abstract_addr(&other, "tsvisor-test-nobody");
		int c2 = socket(AF_UNIX, SOCK_STREAM, 0);
		show("connect_refused", connect(c2, (struct sockaddr *)&other, olen));
		int d = socket(AF_UNIX, SOCK_DGRAM, 0);
		show("connect_wrong_type", connect(d, (struct sockaddr *)&a, alen));
		show("listen_dgram", listen(d, 1));
		show("accept_not_listening", accept(c2, NULL, NULL));
		/* Autobind: an abstract name of five hex digits. */
		show("autobind", bind(c2, (struct sockaddr *)&(struct sockaddr_un){AF_UNIX, {0}}, sizeof(sa_family_t)));
		gl = sizeof got;
		getsockname(c2, (struct sockaddr *)&got, &gl);
		show("autobind_len", gl);
		show("autobind_abstract", got.sun_path[0] == 0);
		/* A path on the read-only root. */
		struct sockaddr_un p = {AF_UNIX, "/tsvisor-test.sock"};
		show("bind_path_rofs", bind(d, (struct sockaddr *)&p, sizeof p));
		struct sockaddr_un q = {AF_UNIX, "/nonexistent/dir/x.sock"};
		show("connect_path_missing", connect(c2, (struct sockaddr *)&q, sizeof q));
		close(d);
		close(c2);
		close(s);
		close(c);
		close(l);
		int l3 = socket(AF_UNIX, SOCK_STREAM, 0);
		show("name_free_after_close", bind(l3, (struct sockaddr *)&a, alen));
		close(l3);
	}

	/* --- datagrams to names ------------------------------------------ */
	{
		struct sockaddr_un a, from;
		socklen_t alen = abstract_addr(&a, "tsvisor-test-dgram");
		int r = socket(AF_UNIX, SOCK_DGRAM, 0);
		bind(r, (struct sockaddr *)&a, alen);
		int w = socket(AF_UNIX, SOCK_DGRAM, 0);
		struct sockaddr_un wa;
		socklen_t walen = abstract_addr(&wa, "tsvisor-test-sender");
		bind(w, (struct sockaddr *)&wa, walen);
		show("sendto", sendto(w, "dg", 2, 0, (struct sockaddr *)&a, alen));
		socklen_t fl = sizeof from;
		show("recvfrom", recvfrom(r, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl));
		show("recvfrom_sender", fl == walen && memcmp(&from, &wa, walen) == 0);
		show("connect_dgram", connect(w, (struct sockaddr *)&a, alen));
		show("send_connected_dgram", send(w, "c", 1, 0));
		show("recv_connected_dgram", recv(r, buf, sizeof buf, 0));
		close(r);
		close(w);
	}

	/* --- SCM_RIGHTS ------------------------------------------------- */
	{
		socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
		int p[2];
		pipe(p);
		char cbuf[CMSG_SPACE(2 * sizeof(int))];
		struct msghdr mh;
		struct iovec iov = {"F", 1};
		memset(&mh, 0, sizeof mh);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cbuf;
		mh.msg_controllen = CMSG_SPACE(2 * sizeof(int));
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(2 * sizeof(int));
		memcpy(CMSG_DATA(cm), p, 2 * sizeof(int));
		show("sendmsg_rights", sendmsg(sv[0], &mh, 0));
		close(p[0]);
		close(p[1]);
		char in[4];
		struct iovec riov = {in, sizeof in};
		char rbuf[CMSG_SPACE(2 * sizeof(int))];
		memset(&mh, 0, sizeof mh);
		mh.msg_iov = &riov;
		mh.msg_iovlen = 1;
		mh.msg_control = rbuf;
		mh.msg_controllen = sizeof rbuf;
		show("recvmsg_rights", recvmsg(sv[1], &mh, MSG_CMSG_CLOEXEC));
		cm = CMSG_FIRSTHDR(&mh);
		show_bool("got_cmsg", cm != NULL && cm->cmsg_type == SCM_RIGHTS && cm->cmsg_len == CMSG_LEN(2 * sizeof(int)));
		int fds[2];
		memcpy(fds, CMSG_DATA(cm), sizeof fds);
		show("passed_cloexec", SYS(SYS_fcntl, fds[0], F_GETFD));
		write(fds[1], "through", 7);
		show("passed_pipe_works", read(fds[0], buf, sizeof buf));
		close(fds[0]);
		close(fds[1]);
		/* A control buffer too small: MSG_CTRUNC, and the descriptor is not received. */
		pipe(p);
		mh.msg_control = cbuf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int));
		mh.msg_iov = &iov;
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &p[0], sizeof(int));
		sendmsg(sv[0], &mh, 0);
		memset(&mh, 0, sizeof mh);
		mh.msg_iov = &riov;
		mh.msg_iovlen = 1;
		show("recvmsg_no_control", recvmsg(sv[1], &mh, 0));
		show("ctrunc", (mh.msg_flags & MSG_CTRUNC) != 0);
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &(int){999}, sizeof(int));
		mh.msg_control = cbuf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int));
		mh.msg_iov = &iov;
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &(int){999}, sizeof(int));
		show("sendmsg_bad_fd", sendmsg(sv[0], &mh, 0));
		close(p[0]);
		close(p[1]);

		/* --- options ---------------------------------------------------- */
		int v = 0;
		socklen_t vl = sizeof v;
		getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, &vl);
		show("so_type", v);
		getsockopt(sv[0], SOL_SOCKET, SO_DOMAIN, &v, &vl);
		show("so_domain", v);
		getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &v, &vl);
		show("so_error", v);
		getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, &vl);
		show("so_sndbuf_default", v);
		v = 10000;
		setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &v, sizeof v);
		getsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &v, &vl);
		show("so_rcvbuf_doubled", v);
		show("so_bad_option", getsockopt(sv[0], SOL_SOCKET, 9999, &v, &vl));
		show("so_short_len", setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &v, 1));
		struct ucred uc;
		socklen_t ul = sizeof uc;
		show("so_peercred", getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &uc, &ul));
		show_bool("peercred_is_us", uc.pid == getpid() && uc.uid == getuid() && uc.gid == getgid() && ul == sizeof uc);

		/* --- across fork ------------------------------------------------ */
		pid_t c = fork();
		if (c == 0) {
			char b[16];
			ssize_t n = read(sv[1], b, sizeof b);
			write(sv[1], b, n);
			_exit(0);
		}
		write(sv[0], "echo", 4);
		int st;
		waitpid(c, &st, 0);
		show("echo_from_child", read(sv[0], buf, sizeof buf));
		close(sv[0]);
		close(sv[1]);
	}
	printf("done\n");
	return 0;
}
