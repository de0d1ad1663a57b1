/* tcprr N: TCP round-trip latency over loopback (the bench's tcp-rr row).
 * Listens on 127.0.0.1, forks; the child connects and echoes every byte it
 * reads until EOF; the parent accepts and does N round trips of one byte
 * (write 1, read 1, checked), over that one connection, both ends with
 * TCP_NODELAY; then closes and waits for the child. N=0 makes and closes
 * the connection only (the start-up the bench subtracts). Timed from
 * outside by bench/out/timeit (wall clock, fork to exit). */
#include "net.h"

int main(int argc, char **argv) {
  long n = (long)count_arg(argc, argv, "tcprr N");
  int lfd, port;
  pid_t pid = listen_and_fork(&lfd, &port);
  char c;
  if (pid == 0) {
    close(lfd);
    int fd = connect_loopback(port);
    nodelay(fd);
    for (;;) {
      ssize_t r = recv(fd, &c, 1, 0);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) die("echo recv");
      if (r == 0) return 0;
      write_all(fd, &c, 1);
    }
  }
  int fd = accept_one(lfd);
  close(lfd);
  nodelay(fd);
  for (long i = 0; i < n; i++) {
    char out = (char)('a' + i % 26);
    write_all(fd, &out, 1);
    if (read_to_eof(fd, &c, 1) != 1 || c != out) {
      fprintf(stderr, "tcprr: round trip %ld: bad or missing echo\n", i);
      return 1;
    }
  }
  if (close(fd) < 0) die("close");
  return child_status(pid, "tcprr echo");
}
