/* Time an OCI runtime's start-up, from the bundle to the first instruction of
 * the container's init:
 *
 *   ocistart LOG -- CREATE_ARGV... -- START_ARGV...
 *
 * e.g. ocistart err.log -- runc --root S create --bundle B ID -- runc --root S start ID
 *
 * The init is bench/c/first.c, whose first instructions write one byte to its
 * stdout.  ocistart makes a pipe, reads CLOCK_MONOTONIC, forks and runs CREATE
 * with stdin /dev/null, stdout the pipe's write end (runc, runsc and tsvisor
 * all hand the caller's 0, 1 and 2 to the init) and stderr appended to LOG
 * (never the caller's stderr: the container holds its stdio until it is
 * deleted, and bench/run.js waits for its pipes to close).  Once CREATE has
 * exited 0, it forks and runs START (stdout and stderr also to LOG) and waits
 * both for START to exit and for the byte on the pipe.  One result line goes
 * to file descriptor 3, as bench/out/timeit writes it:
 *
 *   wall_ns=N status=S user_us=U sys_us=Y maxrss_kb=M create_ns=C start_ns=T first_ns=F step=P
 *
 * wall_ns = first_ns: from before CREATE's fork to the byte's arrival (the
 * measurement); create_ns: CREATE's fork to its wait4(); start_ns: START's
 * fork to its wait4() (START may return before or after the init runs);
 * first_ns - create_ns is START's fork to the byte.  S is 0 when every step
 * worked; otherwise the failing step's exit code (128+signal), or 125 when the
 * pipe closed without the byte, and step names it (create, start, first; "ok"
 * when all worked).  CPU times and maxrss are CREATE's and START's, summed
 * (maxrss the larger), without the sandbox processes they leave running.
 * Exit status of ocistart: 0 if it could run the steps (whatever they did),
 * 125 on its own errors.  It never deletes the container: bench/run.js does.
 *
 * Built static by bench/run.js into bench/out/ocistart. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Fork and exec argv with the given stdout and stderr (stdin stays the
 * caller's, /dev/null under bench/run.js). */
static pid_t launch(char **argv, int out, int err) {
  pid_t pid = fork();
  if (pid < 0) {
    perror("ocistart: fork");
    exit(125);
  }
  if (pid == 0) {
    if (dup2(out, 1) < 0 || dup2(err, 2) < 0) _exit(126);
    execvp(argv[0], argv);
    dprintf(2, "ocistart: exec %s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  return pid;
}

static int code_of(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static long long cpu_us(const struct timeval *tv) {
  return (long long)tv->tv_sec * 1000000 + tv->tv_usec;
}

int main(int argc, char **argv) {
  if (argc < 6 || strcmp(argv[2], "--") != 0) {
  usage:
    fprintf(stderr, "usage: ocistart LOG -- CREATE_ARGV... -- START_ARGV...\n");
    return 125;
  }
  char **create = argv + 3;
  char **start = NULL;
  for (int i = 3; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0) {
      argv[i] = NULL;
      start = argv + i + 1;
      break;
    }
  }
  if (start == NULL || create[0] == NULL || start[0] == NULL) goto usage;

  /* The result channel must not leak into the runtimes. */
  int res = fcntl(3, F_GETFD) >= 0 ? 3 : 2;
  if (res == 3) fcntl(3, F_SETFD, FD_CLOEXEC);
  int log = open(argv[1], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log < 0) {
    fprintf(stderr, "ocistart: open %s: %s\n", argv[1], strerror(errno));
    return 125;
  }
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0) {
    perror("ocistart: pipe2");
    return 125;
  }

  long long create_ns = 0, start_ns = -1, first_ns = -1, wall_ns = 0;
  long long user = 0, sys = 0;
  long maxrss = 0;
  const char *step = "ok";
  int code = 0;
  struct rusage ru;
  int st;

  long long t0 = now_ns();
  pid_t c = launch(create, p[1], log);
  while (wait4(c, &st, 0, &ru) < 0) {
    if (errno != EINTR) {
      perror("ocistart: wait4");
      return 125;
    }
  }
  long long t1 = now_ns();
  /* Only the container holds the write end now: when it closes it without
   * writing, the read sees end of file. */
  close(p[1]);
  create_ns = t1 - t0;
  wall_ns = create_ns;
  user += cpu_us(&ru.ru_utime);
  sys += cpu_us(&ru.ru_stime);
  maxrss = ru.ru_maxrss;
  code = code_of(st);
  if (code != 0) {
    step = "create";
    goto report;
  }

  pid_t s = launch(start, log, log);
  int pidfd = (int)syscall(SYS_pidfd_open, s, 0);
  if (pidfd < 0) {
    perror("ocistart: pidfd_open");
    kill(s, SIGKILL);
    return 125;
  }
  int start_done = 0, first_done = 0, start_code = 0, got_byte = 0;
  while (!(start_done && first_done)) {
    struct pollfd fds[2];
    int n = 0, ip = -1, is = -1;
    if (!first_done) ip = n, fds[n++] = (struct pollfd){.fd = p[0], .events = POLLIN};
    if (!start_done) is = n, fds[n++] = (struct pollfd){.fd = pidfd, .events = POLLIN};
    if (poll(fds, n, -1) < 0) {
      if (errno == EINTR) continue;
      perror("ocistart: poll");
      return 125;
    }
    if (ip >= 0 && fds[ip].revents) {
      char b;
      ssize_t r = read(p[0], &b, 1);
      long long t = now_ns();
      if (r < 0 && errno == EINTR) continue;
      first_done = 1;
      if (r == 1) got_byte = 1, first_ns = t - t0;
    }
    if (is >= 0 && fds[is].revents) {
      while (wait4(s, &st, 0, &ru) < 0) {
        if (errno != EINTR) {
          perror("ocistart: wait4");
          return 125;
        }
      }
      start_ns = now_ns() - t1;
      start_done = 1;
      user += cpu_us(&ru.ru_utime);
      sys += cpu_us(&ru.ru_stime);
      if (ru.ru_maxrss > maxrss) maxrss = ru.ru_maxrss;
      start_code = code_of(st);
      /* A start that failed ends the wait: the byte will not come (the
       * container may sit created, holding the pipe, until it is deleted). */
      if (start_code != 0) first_done = 1;
    }
  }
  if (start_code != 0) {
    step = "start";
    code = start_code;
  } else if (!got_byte) {
    step = "first"; /* the init closed its stdout without the byte */
    code = 125;
  } else {
    wall_ns = first_ns;
  }

report:
  dprintf(res, "wall_ns=%lld status=%d user_us=%lld sys_us=%lld maxrss_kb=%ld create_ns=%lld start_ns=%lld first_ns=%lld step=%s\n",
          wall_ns, code, user, sys, maxrss, create_ns, start_ns, first_ns, step);
  return 0;
}
