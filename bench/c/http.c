/* http N: HTTP/1.1 requests over loopback, each on its own connection (the
 * bench's http row). Listens on 127.0.0.1 and forks a fixed small server
 * (the child): N times, accept, read the request up to its blank line,
 * write a fixed 13-byte "Hello, world" response with Connection: close, and
 * close. The parent is a fixed client: N times, connect, write a GET with
 * Connection: close, read the response to EOF and check it byte for byte.
 * Then it waits for the server. N=0 starts and stops the server only (the
 * start-up the bench subtracts). Timed from outside by bench/out/timeit
 * (wall clock, fork to exit). */
#include "net.h"

static const char REQUEST[] = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: bench-http\r\nConnection: close\r\n\r\n";
static const char RESPONSE[] =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\nConnection: close\r\n\r\nHello, world\n";

static int serve(int lfd, long n) {
  char req[4096];
  for (long i = 0; i < n; i++) {
    int fd = accept_one(lfd);
    size_t got = 0;
    while (got < 4 || memcmp(req + got - 4, "\r\n\r\n", 4) != 0) {
      if (got == sizeof req) {
        fprintf(stderr, "http server: request %ld too long\n", i);
        return 1;
      }
      ssize_t r = recv(fd, req + got, sizeof req - got, 0);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) die("server recv");
      if (r == 0) {
        fprintf(stderr, "http server: request %ld ended early\n", i);
        return 1;
      }
      got += (size_t)r;
    }
    write_all(fd, RESPONSE, sizeof RESPONSE - 1);
    if (close(fd) < 0) die("server close");
  }
  return 0;
}

static int fetch(int port, long n) {
  char resp[sizeof RESPONSE + 64];
  for (long i = 0; i < n; i++) {
    int fd = connect_loopback(port);
    write_all(fd, REQUEST, sizeof REQUEST - 1);
    size_t got = read_to_eof(fd, resp, sizeof resp);
    if (got != sizeof RESPONSE - 1 || memcmp(resp, RESPONSE, got) != 0) {
      fprintf(stderr, "http client: request %ld: bad response (%zu bytes)\n", i, got);
      return 1;
    }
    if (close(fd) < 0) die("client close");
  }
  return 0;
}

int main(int argc, char **argv) {
  long n = (long)count_arg(argc, argv, "http N");
  int lfd, port;
  pid_t pid = listen_and_fork(&lfd, &port);
  if (pid == 0) return serve(lfd, n);
  close(lfd);
  int bad = fetch(port, n);
  if (bad) kill(pid, SIGKILL);
  return child_status(pid, "http server") | bad;
}
