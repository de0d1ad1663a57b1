/*
 * A host-side helper for the --pidfd-socket tests (never run in a sandbox):
 * the receiving end of runc's pidfd socket, as runc's own tests' pidfd-kill
 * is. Listens on SOCKET, prints "ready", takes one connection and the one
 * descriptor it carries (SCM_RIGHTS), prints the message's name, then
 * signals the process through the pidfd with pidfd_send_signal(2).
 *
 *   pidfd_kill SOCKET SIGNO
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: pidfd_kill SOCKET SIGNO\n");
    return 2;
  }
  int l = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un a = {.sun_family = AF_UNIX};
  if (strlen(argv[1]) >= sizeof a.sun_path) return 2;
  strcpy(a.sun_path, argv[1]);
  if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) < 0 || listen(l, 1) < 0) {
    perror("listen");
    return 1;
  }
  printf("ready\n");
  fflush(stdout);
  int c = accept(l, NULL, NULL);
  if (c < 0) {
    perror("accept");
    return 1;
  }
  char name[256];
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } u;
  struct iovec iov = {.iov_base = name, .iov_len = sizeof name - 1};
  struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
  ssize_t n = recvmsg(c, &m, 0);
  struct cmsghdr *h = CMSG_FIRSTHDR(&m);
  if (n <= 0 || h == NULL || h->cmsg_type != SCM_RIGHTS) {
    fprintf(stderr, "no descriptor came\n");
    return 1;
  }
  name[n] = 0;
  int pidfd;
  memcpy(&pidfd, CMSG_DATA(h), sizeof pidfd);
  printf("name %s\n", name);
  if (syscall(SYS_pidfd_send_signal, pidfd, atoi(argv[2]), NULL, 0) < 0) {
    perror("pidfd_send_signal");
    return 1;
  }
  printf("sent\n");
  return 0;
}
