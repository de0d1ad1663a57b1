/* Run one command and time it from just before fork() to just after wait4()
 * returns, so the measurement does not include Node's own spawn machinery.
 *
 *   timeit -- PROG [ARGS...]
 *
 * The command inherits stdin, stdout and stderr.  One result line goes to
 * file descriptor 3 (which bench/run.js opens as a pipe):
 *
 *   wall_ns=N status=S user_us=U sys_us=Y maxrss_kb=M
 *
 * where S is the exit code, or 128+signal if the command was killed.  CPU
 * times and maxrss come from wait4() and cover the command and whatever
 * descendants it waited for itself.  If the command cannot be executed it
 * exits with 127, as a shell would.  Exit status of timeit: 0 if it could run
 * and time the command (whatever the command's status), 125 on its own errors.
 *
 * Built static by bench/run.js into bench/out/timeit. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv) {
  int i = 1;
  if (i < argc && strcmp(argv[i], "--") == 0) i++;
  if (i >= argc) {
    fprintf(stderr, "usage: timeit -- PROG [ARGS...]\n");
    return 125;
  }
  /* The result channel must not leak into the command. */
  int out = fcntl(3, F_GETFD) >= 0 ? 3 : 2;
  if (out == 3) fcntl(3, F_SETFD, FD_CLOEXEC);

  long long t0 = now_ns();
  pid_t pid = fork();
  if (pid < 0) {
    perror("timeit: fork");
    return 125;
  }
  if (pid == 0) {
    execvp(argv[i], argv + i);
    fprintf(stderr, "timeit: exec %s: %s\n", argv[i], strerror(errno));
    _exit(127);
  }
  int status;
  struct rusage ru;
  pid_t r;
  do r = wait4(pid, &status, 0, &ru);
  while (r < 0 && errno == EINTR);
  long long t1 = now_ns();
  if (r < 0) {
    perror("timeit: wait4");
    return 125;
  }
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  dprintf(out, "wall_ns=%lld status=%d user_us=%lld sys_us=%lld maxrss_kb=%ld\n",
          t1 - t0, code,
          (long long)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec,
          (long long)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec,
          ru.ru_maxrss);
  return 0;
}
