/*
 * SCM_RIGHTS for the hostile programs: send_fds sends len bytes of buf
 * with n descriptors; recv_fd receives one message and the first
 * descriptor it carries.
 */
#ifndef TSVISOR_HOSTILE_SCM_H
#define TSVISOR_HOSTILE_SCM_H

#include <sys/socket.h>

#define SCM_MAX 253

/* 0, or -1 with errno. */
static __attribute__((unused)) int send_fds(int via, const int *fds, int n, const void *buf, size_t len, int flags)
{
	static char one = 'x';
	struct iovec iov = { .iov_base = buf != NULL ? (void *)buf : &one, .iov_len = buf != NULL ? len : 1 };
	union { char buf[CMSG_SPACE(SCM_MAX * sizeof(int))]; struct cmsghdr align; } u;
	memset(&u, 0, sizeof u);
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
		.msg_controllen = CMSG_SPACE(n * sizeof(int)) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(c), fds, n * sizeof(int));
	return sendmsg(via, &mh, flags) < 0 ? -1 : 0;
}

/* Receives one byte and a descriptor: the descriptor, -2 if none came, -1 on error. */
static __attribute__((unused)) int recv_fd(int via)
{
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
		.msg_controllen = sizeof u.buf };
	if (recvmsg(via, &mh, MSG_DONTWAIT) < 0) return -1;
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	if (c == NULL || c->cmsg_type != SCM_RIGHTS) return -2;
	int fd;
	memcpy(&fd, CMSG_DATA(c), sizeof fd);
	return fd;
}

#endif
