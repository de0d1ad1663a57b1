/* net.h: what the network rows' programs (tcpstream.c, tcprr.c, http.c)
 * share: their one argument (a count), a listening TCP socket on 127.0.0.1
 * at a port the kernel picks (made before fork(), so the child can connect
 * at once and no port is fixed), connecting to it, whole writes and reads,
 * and the child's status.
 * Every failure prints what failed and exits 1, so a sandbox that serves a
 * call wrongly fails the row instead of timing a short cut. The data moves
 * with send/recv, not write/read: Debian's runsc (0.0~20221219) with
 * --network=host gives EAGAIN for read(2) on a blocking connected TCP
 * socket, where recv(2) blocks as Linux does. */
#ifndef BENCH_NET_H
#define BENCH_NET_H
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static inline void die(const char *what) {
  perror(what);
  exit(1);
}

static inline struct sockaddr_in loopback(int port) {
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

/* A listening socket on 127.0.0.1; *port gets the port the kernel chose. */
static inline int listen_loopback(int *port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) die("socket");
  int one = 1;
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0) die("setsockopt SO_REUSEADDR");
  struct sockaddr_in a = loopback(0);
  if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) die("bind 127.0.0.1:0");
  if (listen(fd, 128) < 0) die("listen");
  socklen_t len = sizeof a;
  if (getsockname(fd, (struct sockaddr *)&a, &len) < 0) die("getsockname");
  *port = ntohs(a.sin_port);
  return fd;
}

static inline int connect_loopback(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) die("socket");
  struct sockaddr_in a = loopback(port);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) die("connect 127.0.0.1");
  return fd;
}

static inline int accept_one(int lfd) {
  int fd = accept(lfd, NULL, NULL);
  if (fd < 0) die("accept");
  return fd;
}

static inline void nodelay(int fd) {
  int one = 1;
  if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0) die("setsockopt TCP_NODELAY");
}

static inline void write_all(int fd, const char *buf, size_t n) {
  while (n > 0) {
    ssize_t w = send(fd, buf, n, 0);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) die("send");
    buf += w;
    n -= (size_t)w;
  }
}

/* Reads up to n bytes, until EOF; returns how many. */
static inline size_t read_to_eof(int fd, char *buf, size_t n) {
  size_t got = 0;
  for (;;) {
    ssize_t r = recv(fd, buf + got, n - got, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) die("recv");
    if (r == 0 || (got += (size_t)r) == n) return got;
  }
}

/* argv[1], the program's one argument, a count; else usage and exit 2. */
static inline long long count_arg(int argc, char **argv, const char *usage) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s\n", usage);
    exit(2);
  }
  return atoll(argv[1]);
}

/* Listens on 127.0.0.1 (*lfd, at *port) and forks: fork's result. */
static inline pid_t listen_and_fork(int *lfd, int *port) {
  *lfd = listen_loopback(port);
  pid_t pid = fork();
  if (pid < 0) die("fork");
  return pid;
}

/* Waits for the child; 0 if it exited 0, else 1 (and says why). */
static inline int child_status(pid_t pid, const char *who) {
  int st;
  while (waitpid(pid, &st, 0) < 0) {
    if (errno != EINTR) die("waitpid");
  }
  if (WIFEXITED(st) && WEXITSTATUS(st) == 0) return 0;
  if (WIFEXITED(st)) fprintf(stderr, "%s exited %d\n", who, WEXITSTATUS(st));
  else fprintf(stderr, "%s killed by signal %d\n", who, WTERMSIG(st));
  return 1;
}

#endif
