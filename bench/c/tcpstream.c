/* tcpstream MIB: TCP loopback throughput (the bench's tcp-stream row).
 * Listens on 127.0.0.1, forks; the child connects and reads with a 64 KiB
 * buffer, discarding, until EOF; the parent accepts and writes MIB MiB in
 * 64 KiB chunks, closes, and waits for the child. The child exits 1 unless
 * it read exactly MIB MiB, and so does the parent. MIB=0 makes and closes
 * the connection only (the start-up the bench subtracts). Timed from
 * outside by bench/out/timeit (wall clock, fork to exit). */
#include "net.h"

#define CHUNK (64 * 1024)

int main(int argc, char **argv) {
  long long total = count_arg(argc, argv, "tcpstream MIB") * 1024 * 1024;
  static char buf[CHUNK];
  int lfd, port;
  pid_t pid = listen_and_fork(&lfd, &port);
  if (pid == 0) {
    close(lfd);
    int fd = connect_loopback(port);
    long long got = 0;
    for (;;) {
      ssize_t r = recv(fd, buf, sizeof buf, 0);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) die("recv");
      if (r == 0) break;
      got += r;
    }
    if (got != total) {
      fprintf(stderr, "tcpstream: read %lld bytes, expected %lld\n", got, total);
      return 1;
    }
    return 0;
  }
  int fd = accept_one(lfd);
  close(lfd);
  memset(buf, 'x', sizeof buf);
  for (long long sent = 0; sent < total; sent += CHUNK) write_all(fd, buf, CHUNK);
  if (close(fd) < 0) die("close");
  return child_status(pid, "tcpstream reader");
}
