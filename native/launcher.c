/*
 * tsvisor-launch: the one launch path of a sandbox (the part of runsc's
 * sandbox start-up, seed 001, and of runc's namespace setup, seed 004, that
 * happens before the Sentry runs).
 *
 *   tsvisor-launch [--userns] [--network=none|host | --netns=PATH] [--close-from=N] -- PROGRAM [ARGS...]
 *
 * --netns=PATH joins the network namespace at PATH (a bind-mounted ns
 * file, as podman and CNI make) instead of making one.
 *
 * --close-from=N closes every descriptor from N up before anything else
 * (an OCI container's sandbox, src/container/sandbox.ts: the caller's
 * stdio and --preserve-fds stay below N, with the sandbox's sync socket
 * just above them, and nothing else of the caller's may reach the
 * sandbox, or a caller waiting for EOF on a pipe it gave the runtime,
 * as conmon does, would wait for the container's end).
 *
 * It is started single-threaded (bin/tsvisor.js execs it before Node has
 * loaded the CLI), so it can make namespaces no threaded Node could. It
 * clones the Sentry's process into new user (when the caller is not root,
 * or with --userns), mount, pid, IPC, UTS and (unless --network=host)
 * network namespaces, writes the child's uid_map/gid_map from outside, and
 * the child execs PROGRAM (Node with the CLI) as pid 1 of the new pid
 * namespace: when the Sentry dies, the kernel kills every stub with it.
 *
 * This process stays outside as the sandbox's parent: it forwards the
 * signals `tsvisor do` forwards (HUP, INT, QUIT, TERM, TSTP: sent by a process,
 * not by the terminal, which signals the whole foreground group and so the
 * Sentry directly; those that come during start-up are held until the
 * Sentry handles them) and ends as the Sentry ended (the same exit code, or
 * the same signal), so `tsvisor do` looks as it did without the launcher.
 *
 * What it tells the Sentry goes in one environment variable, which the CLI
 * removes before anything reads the environment:
 *   TSVISOR_LAUNCHED=pid=PID,mntns=INO,ready=FD,stub=UID:GID,userns=0|1,net=none|host[,degraded=WHY]
 * pid is the process PROGRAM runs in: a marker a child of PROGRAM inherited
 * is not for it (a program PROGRAM execs in its place would still take it:
 * PROGRAM is meant to be tsvisor itself).
 * mntns is the host's mount namespace (the Sentry refuses to pivot_root in
 * it), ready a pipe the Sentry closes once it handles the forwarded signals
 * (until then they are held), stub
 * the host uid/gid the stubs run as.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "node_env.h"

#define MARKER "TSVISOR_LAUNCHED"

/* A stub identity nobody on the host has: drawn from [2^30, 2^31). */
#define STUB_ID_BASE 0x40000000u
#define STUB_ID_SPAN 0x40000000u

static const int forwarded[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM};
#define NFORWARDED (sizeof forwarded / sizeof forwarded[0])

static void die(const char *what) {
  fprintf(stderr, "tsvisor: launcher: %s: %s\n", what, strerror(errno));
  exit(125);
}

static int write_file(const char *path, const char *text) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -errno;
  ssize_t n = write(fd, text, strlen(text));
  int e = n < 0 ? errno : 0;
  close(fd);
  return n < 0 ? -e : 0;
}

/* Whether any process on the host runs with uid (or gid) id, in any field. */
static int id_in_use(unsigned id) {
  DIR *d = opendir("/proc");
  if (!d) return 0;
  struct dirent *e;
  int used = 0;
  char path[300], buf[4096];
  while (!used && (e = readdir(d)) != NULL) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    snprintf(path, sizeof path, "/proc/%s/status", e->d_name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) continue;
    buf[n] = 0;
    for (const char *f = buf; (f = strstr(f, "id:\t")) != NULL; f += 4) {
      if (f - buf < 1 || (f[-1] != 'U' && f[-1] != 'G')) continue;
      unsigned a[4] = {0};
      if (sscanf(f + 4, "%u %u %u %u", &a[0], &a[1], &a[2], &a[3]) == 4) {
        for (int i = 0; i < 4; i++) used |= a[i] == id;
      }
    }
  }
  closedir(d);
  return used;
}

static unsigned pick_stub_id(void) {
  for (int tries = 0; tries < 64; tries++) {
    uint32_t r = 0;
    if (getrandom(&r, sizeof r, 0) != sizeof r) r = (uint32_t)getpid() * 2654435761u + (uint32_t)tries;
    unsigned id = STUB_ID_BASE + r % STUB_ID_SPAN;
    if (!id_in_use(id)) return id;
  }
  errno = EAGAIN;
  die("no free stub uid");
  return 0;
}

/* Keeps every capability of the permitted set across exec as ambient ones:
 * in a user namespace with a non-zero uid exec would clear them, and the
 * Sentry needs them until it seals itself (it then drops them). */
/*
 * A new network namespace has a loopback interface that is down: brought
 * up, it has 127.0.0.1/8 and ::1 (the kernel adds them), which is what
 * runsc's DefaultLoopbackLink gives a sandbox with --network=none.
 */
static void loopback_up(void) {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) die("socket (loopback)");
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  strcpy(ifr.ifr_name, "lo");
  if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) die("SIOCGIFFLAGS lo");
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) die("SIOCSIFFLAGS lo");
  close(s);
}

static void keep_caps_across_exec(void) {
  struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct d[2];
  if (syscall(SYS_capget, &h, d) < 0) die("capget");
  d[0].inheritable = d[0].permitted;
  d[1].inheritable = d[1].permitted;
  if (syscall(SYS_capset, &h, d) < 0) die("capset");
  for (int c = 0; c < 64; c++) {
    if (!(d[c / 32].permitted & (1u << (c % 32)))) continue;
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0 && errno != EINVAL) die("PR_CAP_AMBIENT_RAISE");
  }
}

/* Ends this process as the Sentry ended. */
static void end_like(int status) {
  if (WIFEXITED(status)) exit(WEXITSTATUS(status));
  int sig = WIFSIGNALED(status) ? WTERMSIG(status) : SIGKILL;
  struct rlimit none = {0, 0};
  setrlimit(RLIMIT_CORE, &none);
  signal(sig, SIG_DFL);
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, sig);
  sigprocmask(SIG_UNBLOCK, &s, NULL);
  raise(sig);
  exit(128 + sig);
}

int main(int argc, char **argv) {
  int want_userns = 0, hostnet = 0, i;
  const char *netns = NULL;
  long close_from = -1;
  for (i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0) { i++; break; }
    if (strncmp(argv[i], "--close-from=", 13) == 0) {
      char *end;
      close_from = strtol(argv[i] + 13, &end, 10);
      if (*end != '\0' || close_from < 3 || close_from > 1 << 20) {
        fprintf(stderr, "tsvisor: launcher: bad %s\n", argv[i]);
        return 125;
      }
    } else if (strcmp(argv[i], "--userns") == 0) want_userns = 1;
    else if (strcmp(argv[i], "--network=none") == 0) hostnet = 0;
    else if (strcmp(argv[i], "--network=host") == 0) hostnet = 1;
    else if (strncmp(argv[i], "--netns=", 8) == 0 && argv[i][8] == '/') netns = argv[i] + 8;
    else {
      fprintf(stderr, "tsvisor: launcher: unknown option %s\n", argv[i]);
      return 125;
    }
  }
  if (i >= argc) {
    fprintf(stderr, "usage: tsvisor-launch [--userns] [--network=none|host | --netns=PATH] [--close-from=N] -- PROGRAM [ARGS...]\n");
    return 125;
  }
  if (close_from >= 0 && syscall(SYS_close_range, (unsigned)close_from, ~0U, 0) < 0) die("close_range");
  if (netns != NULL) {
    /* The network namespace the caller gave (an OCI spec's path): this
     * process joins it, and the sandbox, made without a network namespace
     * of its own, is in it from birth. */
    int fd = open(netns, O_RDONLY | O_CLOEXEC);
    if (fd < 0) die(netns);
    if (setns(fd, CLONE_NEWNET) < 0) die("setns(network namespace)");
    close(fd);
    hostnet = 1;
  }
  char **prog = argv + i;
  uid_t uid = getuid();
  gid_t gid = getgid();
  int userns = want_userns || uid != 0;
  struct stat mnt;
  if (stat("/proc/self/ns/mnt", &mnt) < 0) die("stat /proc/self/ns/mnt");
  unsigned stub_uid = uid, stub_gid = gid;
  if (uid == 0) stub_uid = stub_gid = pick_stub_id();

  int sync[2], ready[2];
  if (pipe2(sync, O_CLOEXEC) < 0 || pipe2(ready, O_CLOEXEC) < 0) die("pipe2");
  sigset_t fwd, old;
  sigemptyset(&fwd);
  for (size_t k = 0; k < NFORWARDED; k++) sigaddset(&fwd, forwarded[k]);
  sigaddset(&fwd, SIGCHLD);
  /* ^Z on the terminal must not stop this process (the shell would take
   * the terminal back from a sandbox still running): the Sentry gives it
   * to the sandbox's foreground group. One sent by a process is forwarded. */
  sigaddset(&fwd, SIGTSTP);
  sigprocmask(SIG_BLOCK, &fwd, &old);

  unsigned long flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | SIGCHLD;
  if (!hostnet) flags |= CLONE_NEWNET;
  if (userns) flags |= CLONE_NEWUSER;
  char degraded[160] = "";
  pid_t pid = (pid_t)syscall(SYS_clone, flags, 0, NULL, NULL, 0);
  if (pid < 0) {
    /* No namespaces on this host (e.g. user namespaces disabled by
     * kernel.unprivileged_userns_clone=0, user.max_user_namespaces=0 or an
     * LSM): the Sentry runs in the host's namespaces and says so in its
     * debug log; it still seals itself as far as it can. */
    snprintf(degraded, sizeof degraded, "clone(namespaces)=%s", strerrorname_np(errno) ? strerrorname_np(errno) : "error");
    fprintf(stderr, "tsvisor: warning: cannot create the sandbox's namespaces (%s): running in the host's namespaces\n",
            strerror(errno));
    pid = fork();
    if (pid < 0) die("fork");
    userns = 0;
    hostnet = 1;
  }
  if (pid == 0) {
    close(sync[1]);
    close(ready[0]);
    char b;
    /* Wait for the id maps; end if the launcher is gone. */
    if (read(sync[0], &b, 1) != 1) _exit(125);
    close(sync[0]);
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) die("PR_SET_PDEATHSIG");
    /* Its own network namespace (--network=none): loopback only, and up. */
    if (!hostnet) loopback_up();
    if (degraded[0] == 0) {
      /* Nothing mounted in here may reach the host's mount table. */
      if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) die("make mounts private");
    }
    if (userns) keep_caps_across_exec();
    if (fcntl(ready[1], F_SETFD, 0) < 0) die("fcntl");
    char marker[512];
    snprintf(marker, sizeof marker, "pid=%d,mntns=%lu,ready=%d,stub=%u:%u,userns=%d,net=%s%s%s", (int)getpid(),
             (unsigned long)mnt.st_ino, ready[1], stub_uid, stub_gid, userns, hostnet ? "host" : "none",
             degraded[0] ? ",degraded=" : "", degraded);
    setenv(MARKER, marker, 1);
    set_aside_node_env();
    sigprocmask(SIG_SETMASK, &old, NULL);
    execvp(prog[0], prog);
    fprintf(stderr, "tsvisor: launcher: cannot run %s: %s\n", prog[0], strerror(errno));
    _exit(127);
  }
  close(sync[0]);
  close(ready[1]);
  /* The descriptors below --close-from are the sandbox's (the caller's
   * --preserve-fds, the start socket), not this process's: holding them
   * would keep a pipe open after the sandbox closed it. This process's own
   * were made after the close_range above, so they are all at N or above. */
  if (close_from > 3) syscall(SYS_close_range, 3U, (unsigned)close_from - 1, 0);
  if (userns) {
    char path[64], map[128];
    snprintf(path, sizeof path, "/proc/%d/setgroups", pid);
    if (uid != 0 && write_file(path, "deny") < 0) die("write setgroups");
    /* Rootless: the caller's own ids are the only ones there are. As root:
     * root, and the stubs' identity. */
    if (uid == 0) snprintf(map, sizeof map, "0 0 1\n%u %u 1\n", stub_uid, stub_uid);
    else snprintf(map, sizeof map, "%u %u 1\n", uid, uid);
    snprintf(path, sizeof path, "/proc/%d/uid_map", pid);
    int e = write_file(path, map);
    if (e < 0) { errno = -e; kill(pid, SIGKILL); die("write uid_map"); }
    if (uid == 0) snprintf(map, sizeof map, "0 0 1\n%u %u 1\n", stub_gid, stub_gid);
    else snprintf(map, sizeof map, "%u %u 1\n", gid, gid);
    snprintf(path, sizeof path, "/proc/%d/gid_map", pid);
    e = write_file(path, map);
    if (e < 0) { errno = -e; kill(pid, SIGKILL); die("write gid_map"); }
  }
  if (write(sync[1], "g", 1) != 1) die("start the sandbox");
  close(sync[1]);

  int sfd = signalfd(-1, &fwd, SFD_CLOEXEC);
  if (sfd < 0) die("signalfd");
  int is_ready = 0;
  sigset_t early; /* forwarded signals that came before the Sentry was ready */
  sigemptyset(&early);
  for (;;) {
    int status;
    pid_t w = waitpid(pid, &status, WNOHANG);
    if (w == pid) end_like(status);
    struct pollfd p[2] = {{sfd, POLLIN, 0}, {is_ready ? -1 : ready[0], POLLIN, 0}};
    if (poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      die("poll");
    }
    if (p[1].revents) {
      /* The Sentry closed its end: it handles the forwarded signals now,
       * the ones that came before it did too. */
      is_ready = 1;
      close(ready[0]);
      for (size_t k = 0; k < NFORWARDED; k++) {
        if (sigismember(&early, forwarded[k])) kill(pid, forwarded[k]);
      }
      sigemptyset(&early);
    }
    if (!(p[0].revents & POLLIN)) continue;
    struct signalfd_siginfo si;
    if (read(sfd, &si, sizeof si) != sizeof si) continue;
    if (si.ssi_signo == SIGCHLD) continue;
    if (si.ssi_signo == SIGTSTP) {
      if (is_ready && si.ssi_code != SI_KERNEL) kill(pid, SIGTSTP);
      continue;
    }
    if (!is_ready) {
      /* Before the Sentry handles it (the start-up: two Node start-ups),
       * the signal waits for the program, as a shell's does for a command
       * that is starting; the terminal's too, since pid 1 of a namespace
       * ignores a signal it has no handler for. The same signal twice ends
       * the sandbox as it would have ended Node. */
      if (sigismember(&early, (int)si.ssi_signo)) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        end_like((int)si.ssi_signo & 0x7f); /* a wait status: killed by it */
      }
      sigaddset(&early, (int)si.ssi_signo);
      continue;
    }
    /* A signal from the terminal reached the Sentry itself (same group). */
    if (si.ssi_code == SI_KERNEL) continue;
    kill(pid, (int)si.ssi_signo);
  }
}
