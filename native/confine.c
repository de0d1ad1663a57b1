/*
 * The Sentry's second wall, as mechanisms: what src/boot/confine.ts calls
 * once the Sentry holds every host descriptor it needs. Mechanism only; the
 * policy (which capabilities stay, when the filter goes on, which switch is
 * set) is in TypeScript. The seccomp filter is built here from a table,
 * reviewed by hand against a recorded run (docs/security.md says why each
 * call is there).
 *
 *   execve(path, argv, envp)        -> -errno (returns only on failure)
 *   exitNow(code)                   -> does not return
 *   openTreeReadOnly(path)          -> fd or -errno
 *   openTreeVolume(path, readOnly)  -> fd or -errno
 *   sealRoot(ownNs, mountProc)      -> { procFd, how, error }
 *   dropCapabilities(keepLo, keepHi)-> 0 or -errno
 *   setNoNewPrivs()                 -> 0 or -errno
 *   installSeccomp(log, allowExec, controlFd) -> 0 or -errno
 */
#include "addon.h"
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/mount.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

/* The two boolean arguments of sealRoot and installSeccomp. */
static void two_bools(napi_env env, napi_callback_info info, bool *a, bool *b) {
  size_t argc = 2;
  napi_value argv[2];
  *a = *b = false;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc > 0) napi_get_value_bool(env, argv[0], a);
  if (argc > 1) napi_get_value_bool(env, argv[1], b);
}

/* The first argument, a path, as UTF-8 into buf (PATH_MAX); argv gets up to
 * n arguments. 0, or -EINVAL if there are fewer than n or the path is too long. */
static int path_arg(napi_env env, napi_callback_info info, size_t n, napi_value *argv, char *buf) {
  size_t argc = n, len = 0;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < n || napi_get_value_string_utf8(env, argv[0], buf, 4096, &len) != napi_ok || len >= 4095) return -EINVAL;
  return 0;
}

/* ---- execve ----------------------------------------------------------- */

/* A JavaScript array of strings as a NULL-terminated vector (UTF-8, as Node decoded them). */
static char **c_strv(napi_env env, napi_value arr) {
  uint32_t n = 0;
  if (napi_get_array_length(env, arr, &n) != napi_ok) return NULL;
  char **v = calloc(n + 1, sizeof *v);
  if (!v) return NULL;
  for (uint32_t i = 0; i < n; i++) {
    napi_value e;
    size_t len = 0;
    napi_get_element(env, arr, i, &e);
    if (napi_get_value_string_utf8(env, e, NULL, 0, &len) != napi_ok) return NULL;
    v[i] = malloc(len + 1);
    if (!v[i]) return NULL;
    napi_get_value_string_utf8(env, e, v[i], len + 1, &len);
  }
  return v;
}

/* execve(path, argv, envp): replaces Node with the launcher before the CLI
 * loads, with the same stdio. Node's other threads are ended by the kernel. */
static napi_value Execve(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  char path[4096];
  if (path_arg(env, info, 3, argv, path) < 0) return i32(env, -EINVAL);
  char **a = c_strv(env, argv[1]);
  char **e = c_strv(env, argv[2]);
  if (!a || !e) return i32(env, -ENOMEM);
  /* Node marks its stdio close-on-exec; the launcher needs it. */
  int saved[3];
  for (int fd = 0; fd < 3; fd++) {
    saved[fd] = fcntl(fd, F_GETFD);
    if (saved[fd] > 0) fcntl(fd, F_SETFD, saved[fd] & ~FD_CLOEXEC);
  }
  execve(path, a, e);
  int err = errno;
  for (int fd = 0; fd < 3; fd++) {
    if (saved[fd] > 0) fcntl(fd, F_SETFD, saved[fd]);
  }
  return i32(env, -err);
}

/* ---- the root --------------------------------------------------------- */

static napi_value seal_result(napi_env env, int procFd, const char *how, const char *step, int err) {
  napi_value o, v;
  napi_create_object(env, &o);
  napi_create_int32(env, procFd, &v);
  napi_set_named_property(env, o, "procFd", v);
  napi_create_string_utf8(env, how, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, o, "how", v);
  if (step) {
    char msg[200];
    snprintf(msg, sizeof msg, "%s: %s", step, strerror(err));
    napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &v);
  } else {
    napi_get_null(env, &v);
  }
  napi_set_named_property(env, o, "error", v);
  return o;
}

/*
 * chroot into an empty directory that is already deleted: made beside the
 * old root's /tmp, opened, removed, entered. Nothing can be created in a
 * deleted directory, so the root stays empty. For a Sentry that has no
 * mount namespace of its own (pivot_root there would move the host's root).
 */
static const char *chroot_deleted(int *err) {
  char dir[] = "/tmp/tsvisor-root-XXXXXX";
  if (!mkdtemp(dir)) return *err = errno, "mkdtemp";
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int e = errno;
  rmdir(dir);
  if (fd < 0) return *err = e, "open the new root";
  if (fchdir(fd) < 0) return *err = errno, close(fd), "fchdir";
  close(fd);
  if (chroot(".") < 0) return *err = errno, "chroot";
  if (chdir("/") < 0) return *err = errno, "chdir /";
  return NULL;
}

/*
 * sealRoot(ownMountNs, mountProc) -> { procFd, how, error }.
 * With a mount namespace of its own (made private by the launcher): a
 * small tmpfs over /tmp (bubblewrap's trick: /tmp exists everywhere, and
 * nothing needs it once every descriptor is open), a proc for the Sentry's
 * pid namespace in it, kept as procFd and then detached, pivot_root into
 * it, the old root detached, the new root made read-only. If pivot_root
 * fails (a root on initramfs cannot be pivoted), chroot into the same
 * tmpfs (how = "chroot"). Without a mount namespace: the host's /proc
 * opened, then chroot into a deleted directory (how = "chroot-deleted").
 * error names the step that failed; the root is then unchanged or partly
 * changed, and the caller must not go on as if sealed.
 */
static napi_value SealRoot(napi_env env, napi_callback_info info) {
  bool ownNs, wantProc;
  two_bools(env, info, &ownNs, &wantProc);
  int procFd = -1, err = 0;
  if (!ownNs) {
    if (wantProc) {
      procFd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (procFd < 0) return seal_result(env, -1, "none", "open /proc", errno);
    }
    const char *step = chroot_deleted(&err);
    return seal_result(env, procFd, step ? "none" : "chroot-deleted", step, err);
  }
#define FAIL(step) return seal_result(env, procFd, "none", step, errno)
  if (mount("tsvisor-root", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=16k,nr_inodes=16,mode=0755") < 0)
    FAIL("mount a tmpfs over /tmp");
  if (wantProc) {
    if (mkdir("/tmp/proc", 0555) < 0) FAIL("mkdir proc");
    if (mount("proc", "/tmp/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) FAIL("mount proc");
    procFd = open("/tmp/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (procFd < 0) FAIL("open proc");
  }
  if (chdir("/tmp") < 0) FAIL("chdir into the new root");
  const char *how = "pivot_root";
  if (syscall(SYS_pivot_root, ".", ".") == 0) {
    /* The old root is stacked on the new one: detach it. */
    if (umount2(".", MNT_DETACH) < 0) FAIL("detach the old root");
  } else {
    how = "chroot";
    if (chroot(".") < 0) FAIL("chroot");
  }
  if (chdir("/") < 0) FAIL("chdir /");
  if (wantProc) {
    if (umount2("/proc", MNT_DETACH) < 0) FAIL("detach proc");
    if (rmdir("/proc") < 0) FAIL("rmdir proc");
  }
  if (strcmp(how, "pivot_root") == 0 &&
      mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
    FAIL("make the root read-only");
#undef FAIL
  return seal_result(env, procFd, how, NULL, 0);
}

/*
 * openTreeReadOnly(path) -> a directory descriptor or -errno: a detached
 * copy of the mount tree at path (every submount too), made read-only,
 * nosuid and nodev, and opened at its root. The Sentry reaches its root
 * file system only through it, so nothing can write the host's files
 * through it, whatever its uid and capabilities (root owns most of them).
 */
static napi_value OpenTreeReadOnly(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  char path[4096];
  if (path_arg(env, info, 1, argv, path) < 0) return i32(env, -EINVAL);
  int fd = (int)syscall(SYS_open_tree, AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
  if (fd < 0) return i32(env, -errno);
  struct mount_attr attr = {0};
  attr.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
  if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0) {
    int e = errno;
    close(fd);
    return i32(env, -e);
  }
  /* The tree's root as an ordinary directory descriptor (the O_PATH one
   * open_tree gives cannot be read). */
  int dir = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int e = errno;
  close(fd);
  return i32(env, dir < 0 ? -e : dir);
}

/*
 * openTreeVolume(path, readOnly) -> a directory descriptor or -errno: the
 * same for a volume (a bind mount the user asked for): a detached copy of
 * the mount tree at path, nosuid and nodev always (no host device node is
 * ever opened through it, whatever hostfs checks), read-only when
 * readOnly, and opened at its root. Writes through a read-write copy reach
 * the host's files, as a bind mount's do.
 */
static napi_value OpenTreeVolume(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  char path[4096];
  if (path_arg(env, info, 2, argv, path) < 0) return i32(env, -EINVAL);
  bool ro = false;
  napi_get_value_bool(env, argv[1], &ro);
  int fd = (int)syscall(SYS_open_tree, AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
  if (fd < 0) return i32(env, -errno);
  struct mount_attr attr = {0};
  attr.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | (ro ? MOUNT_ATTR_RDONLY : 0);
  if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0) {
    int e = errno;
    close(fd);
    return i32(env, -e);
  }
  int dir = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int e = errno;
  close(fd);
  return i32(env, dir < 0 ? -e : dir);
}

/* ---- capabilities and no-new-privileges ------------------------------- */

/*
 * dropCapabilities(keepLo, keepHi): every capability outside keep leaves
 * the bounding set (while CAP_SETPCAP is still there; a process without it
 * keeps its bounding set), the ambient set, and the permitted, effective
 * and inheritable sets.
 */
static napi_value DropCapabilities(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  uint32_t keep[2] = {0, 0};
  napi_get_value_uint32(env, argv[0], &keep[0]);
  napi_get_value_uint32(env, argv[1], &keep[1]);
  for (int c = 0; c < 64; c++) {
    if (keep[c / 32] & (1u << (c % 32))) continue;
    if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) != 1) continue; /* not in it, or past the last one */
    if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0) {
      /* Without CAP_SETPCAP (an unprivileged Sentry that got no user
       * namespace) the bounding set stays; the process has no capability
       * to lose, and no-new-privileges keeps any exec from gaining one. */
      if (errno == EPERM) break;
      return i32(env, -errno);
    }
  }
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0) return i32(env, -errno);
  struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct d[2];
  if (syscall(SYS_capget, &h, d) < 0) return i32(env, -errno);
  for (int i = 0; i < 2; i++) {
    d[i].permitted &= keep[i];
    d[i].effective = d[i].permitted;
    d[i].inheritable = 0;
  }
  if (syscall(SYS_capset, &h, d) < 0) return i32(env, -errno);
  return i32(env, 0);
}

static napi_value SetNoNewPrivs(napi_env env, napi_callback_info info) {
  return i32(env, prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ? -errno : 0);
}

/* ---- the seccomp filter ----------------------------------------------- */

enum rule_kind {
  ALLOW,       /* any arguments */
  ENOSYS_ALL,  /* fails with ENOSYS: a probe that must fail (io_uring, clone3) */
  ARG_IN,      /* argument `arg` (all 64 bits) is one of vals */
  ARG_LO_IN,   /* the low 32 bits of argument `arg` (an int or unsigned int) are one of vals */
  ARG_LO_NONE, /* the low 32 bits of argument `arg` have none of the bits in vals[0] */
  ARG_LO_IN_ELSE_ENOSYS, /* as ARG_LO_IN, but any other value fails with ENOSYS instead of the deny action */
  ARG_PAIRS_ELSE_ENOSYS, /* (low 32 bits of argument 0, of argument 1) is one of the pairs vals[0..1], vals[2..3], ...;
                          * any other pair fails with ENOSYS */
};

struct rule {
  int nr;
  enum rule_kind kind;
  int arg;
  const uint32_t *vals;
  int nvals;
  int exec_only; /* 1: only while stubs are exec'd after the seal; -1: only once they are not */
};

#define V(...) (const uint32_t[]){__VA_ARGS__}, sizeof((const uint32_t[]){__VA_ARGS__}) / sizeof(uint32_t)

/* clone flags a Sentry thread or stub fork never has: new namespaces, and
 * CLONE_UNTRACED. (0x80 is CLONE_NEWTIME, which clone takes only in clone3.) */
#define NS_FLAGS (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | \
                  CLONE_NEWNET | 0x80 | CLONE_UNTRACED)

/*
 * The allowed host calls, hottest first (the kernel caches the verdict of
 * calls allowed whatever their arguments, so only the argument-checked
 * ones run the program, and ptrace leads). docs/security.md explains each.
 */
static const struct rule rules[] = {
  {SYS_ptrace, ARG_IN, 0,
   V(PTRACE_SYSEMU, PTRACE_CONT, PTRACE_GETREGS, PTRACE_SETREGS, PTRACE_GETREGSET, PTRACE_SETREGSET,
     PTRACE_GETSIGINFO, PTRACE_SYSEMU_SINGLESTEP, PTRACE_SETOPTIONS, PTRACE_GETEVENTMSG), -1},
  /* The same, and PTRACE_TRACEME for SpawnStub's child. */
  {SYS_ptrace, ARG_IN, 0,
   V(PTRACE_SYSEMU, PTRACE_CONT, PTRACE_GETREGS, PTRACE_SETREGS, PTRACE_GETREGSET, PTRACE_SETREGSET,
     PTRACE_GETSIGINFO, PTRACE_SYSEMU_SINGLESTEP, PTRACE_SETOPTIONS, PTRACE_GETEVENTMSG, PTRACE_TRACEME), 1},
  {SYS_wait4, ALLOW, 0, NULL, 0, 0},
  {SYS_futex, ALLOW, 0, NULL, 0, 0},
  {SYS_read, ALLOW, 0, NULL, 0, 0},
  {SYS_write, ALLOW, 0, NULL, 0, 0},
  {SYS_readv, ALLOW, 0, NULL, 0, 0},
  {SYS_writev, ALLOW, 0, NULL, 0, 0},
  {SYS_pread64, ALLOW, 0, NULL, 0, 0},
  {SYS_pwrite64, ALLOW, 0, NULL, 0, 0},
  {SYS_epoll_wait, ALLOW, 0, NULL, 0, 0},
  {SYS_epoll_pwait, ALLOW, 0, NULL, 0, 0},
  {SYS_epoll_ctl, ALLOW, 0, NULL, 0, 0},
  {SYS_epoll_create1, ALLOW, 0, NULL, 0, 0},
  {SYS_timer_settime, ALLOW, 0, NULL, 0, 0},
  {SYS_timer_create, ALLOW, 0, NULL, 0, 0},
  {SYS_timer_delete, ALLOW, 0, NULL, 0, 0},
  {SYS_clock_gettime, ALLOW, 0, NULL, 0, 0},
  {SYS_clock_nanosleep, ALLOW, 0, NULL, 0, 0},
  {SYS_rt_sigaction, ALLOW, 0, NULL, 0, 0},
  {SYS_rt_sigprocmask, ALLOW, 0, NULL, 0, 0},
  {SYS_rt_sigreturn, ALLOW, 0, NULL, 0, 0},
  {SYS_sigaltstack, ALLOW, 0, NULL, 0, 0},
  {SYS_kill, ALLOW, 0, NULL, 0, 0},
  {SYS_tgkill, ALLOW, 0, NULL, 0, 0},
  {SYS_mmap, ALLOW, 0, NULL, 0, 0},
  {SYS_munmap, ALLOW, 0, NULL, 0, 0},
  {SYS_mprotect, ALLOW, 0, NULL, 0, 0},
  {SYS_madvise, ALLOW, 0, NULL, 0, 0},
  {SYS_mremap, ALLOW, 0, NULL, 0, 0},
  {SYS_brk, ALLOW, 0, NULL, 0, 0},
  {SYS_fallocate, ALLOW, 0, NULL, 0, 0},
  {SYS_ftruncate, ALLOW, 0, NULL, 0, 0},
  {SYS_openat, ALLOW, 0, NULL, 0, 0},
  {SYS_openat2, ALLOW, 0, NULL, 0, 0},
  {SYS_close, ALLOW, 0, NULL, 0, 0},
  {SYS_close_range, ALLOW, 0, NULL, 0, 0},
  {SYS_fstat, ALLOW, 0, NULL, 0, 0},
  {SYS_newfstatat, ALLOW, 0, NULL, 0, 0},
  {SYS_statx, ALLOW, 0, NULL, 0, 0},
  {SYS_fstatfs, ALLOW, 0, NULL, 0, 0},
  {SYS_lseek, ALLOW, 0, NULL, 0, 0},
  {SYS_getdents64, ALLOW, 0, NULL, 0, 0},
  {SYS_readlinkat, ALLOW, 0, NULL, 0, 0},
  /* A writable volume (hostfs): one component relative to a directory
   * descriptor opened beneath the volume's root, or "" with AT_EMPTY_PATH
   * on a descriptor of the file itself; linkat also takes procfd's
   * self/fd/N. Nothing else has a path left to resolve. */
  {SYS_mkdirat, ALLOW, 0, NULL, 0, 0},
  /* FIFOs and sockets only: no mode with S_IFCHR's bit (S_IFCHR, S_IFBLK). */
  {SYS_mknodat, ARG_LO_NONE, 2, V(S_IFCHR), 0},
  {SYS_unlinkat, ALLOW, 0, NULL, 0, 0},
  {SYS_renameat2, ALLOW, 0, NULL, 0, 0},
  {SYS_symlinkat, ALLOW, 0, NULL, 0, 0},
  {SYS_linkat, ALLOW, 0, NULL, 0, 0},
  {452 /* fchmodat2 */, ALLOW, 0, NULL, 0, 0},
  {SYS_fchownat, ALLOW, 0, NULL, 0, 0},
  {SYS_utimensat, ALLOW, 0, NULL, 0, 0},
  {SYS_fsync, ALLOW, 0, NULL, 0, 0},
  {SYS_fdatasync, ALLOW, 0, NULL, 0, 0},
  {463 /* setxattrat */, ALLOW, 0, NULL, 0, 0},
  {464 /* getxattrat */, ALLOW, 0, NULL, 0, 0},
  {465 /* listxattrat */, ALLOW, 0, NULL, 0, 0},
  {466 /* removexattrat */, ALLOW, 0, NULL, 0, 0},
  {SYS_fcntl, ALLOW, 0, NULL, 0, 0},
  {SYS_dup, ALLOW, 0, NULL, 0, 0},
  {SYS_dup3, ALLOW, 0, NULL, 0, 0},
  {SYS_pipe2, ALLOW, 0, NULL, 0, 0},
  {SYS_eventfd2, ALLOW, 0, NULL, 0, 0},
  {SYS_poll, ALLOW, 0, NULL, 0, 0},
  {SYS_ppoll, ALLOW, 0, NULL, 0, 0},
  /* The control server's header on each connection (src/control/server.ts):
   * one non-blocking read that may carry exec's stdio as SCM_RIGHTS. */
  {SYS_recvmsg, ARG_LO_IN, 2, V(MSG_DONTWAIT | MSG_CMSG_CLOEXEC), 0},
  {SYS_ioctl, ARG_LO_IN, 1, V(TCGETS, TCSETS, TCSETSW, TCSETSF, TIOCGWINSZ, TIOCSWINSZ, FIONREAD, FIONBIO, FIOCLEX), 0},
  {SYS_getrandom, ALLOW, 0, NULL, 0, 0},
  {SYS_getpid, ALLOW, 0, NULL, 0, 0},
  {SYS_gettid, ALLOW, 0, NULL, 0, 0},
  {SYS_getppid, ALLOW, 0, NULL, 0, 0},
  {SYS_getuid, ALLOW, 0, NULL, 0, 0},
  {SYS_geteuid, ALLOW, 0, NULL, 0, 0},
  {SYS_getgid, ALLOW, 0, NULL, 0, 0},
  {SYS_getegid, ALLOW, 0, NULL, 0, 0},
  {SYS_getcpu, ALLOW, 0, NULL, 0, 0},
  {SYS_sched_yield, ALLOW, 0, NULL, 0, 0},
  {SYS_sched_getaffinity, ALLOW, 0, NULL, 0, 0},
  {SYS_sched_setaffinity, ALLOW, 0, NULL, 0, 0},
  {SYS_prlimit64, ALLOW, 0, NULL, 0, 0},
  {SYS_getrusage, ALLOW, 0, NULL, 0, 0},
  {SYS_uname, ALLOW, 0, NULL, 0, 0},
  /* A Node diagnostic report (node --report-on-signal, SIGUSR2 to the
   * Sentry): getcwd, and a netlink socket for the interface list, which
   * fails so that the report goes on without it; sysinfo for its memory figures. */
  {SYS_getcwd, ALLOW, 0, NULL, 0, 0},
  {SYS_sysinfo, ALLOW, 0, NULL, 0, 0},
  {SYS_socket, ENOSYS_ALL, 0, NULL, 0, 0},
  {SYS_clone, ARG_LO_NONE, 0, V(NS_FLAGS), 0},
  {SYS_clone3, ENOSYS_ALL, 0, NULL, 0, 0},
  {SYS_vfork, ALLOW, 0, NULL, 0, 1},
  {SYS_set_robust_list, ALLOW, 0, NULL, 0, 0},
  {SYS_rseq, ALLOW, 0, NULL, 0, 0},
  {SYS_exit, ALLOW, 0, NULL, 0, 0},
  {SYS_exit_group, ALLOW, 0, NULL, 0, 0},
  {SYS_prctl, ARG_LO_IN, 0, V(PR_SET_NAME, PR_GET_NAME), -1},
  /* The same, and what a newly exec'd stub does before its own filter is on. */
  {SYS_prctl, ARG_LO_IN, 0, V(PR_SET_NAME, PR_GET_NAME, PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS), 1},
  {SYS_seccomp, ARG_LO_IN, 0, V(SECCOMP_SET_MODE_FILTER), 1},
  {SYS_io_uring_setup, ENOSYS_ALL, 0, NULL, 0, 0},
  {SYS_io_uring_enter, ENOSYS_ALL, 0, NULL, 0, 0},
  {SYS_io_uring_register, ENOSYS_ALL, 0, NULL, 0, 0},
  /* The per-address-space stub spawn (SpawnStub's vfork child) until every
   * stub is forked from the master stub made before the seal. */
  {SYS_execveat, ALLOW, 0, NULL, 0, 1},
  {SYS_execve, ALLOW, 0, NULL, 0, 1},
  {SYS_setsid, ALLOW, 0, NULL, 0, 1},
  {SYS_setgroups, ALLOW, 0, NULL, 0, 1},
  {SYS_setresuid, ALLOW, 0, NULL, 0, 1},
  {SYS_setresgid, ALLOW, 0, NULL, 0, 1},
  {SYS_dup2, ALLOW, 0, NULL, 0, 1},
  {SYS_personality, ALLOW, 0, NULL, 0, 1},
};

#define NRULES (sizeof rules / sizeof rules[0])

/*
 * When the Sentry serves inet sockets with host ones (src/net/hostinet,
 * native/sockets.c): these come before the table above, so for socket,
 * recvmsg and ioctl they decide instead of its rules (they are emitted
 * right after ptrace's). socket(2) only for the (family, type) pairs
 * native/sockets.c's sockSocket makes (the type always with
 * SOCK_NONBLOCK|SOCK_CLOEXEC): AF_INET and AF_INET6 stream and datagram
 * (UDP, ICMP datagram), and, with raw (--net-raw), AF_INET and AF_INET6
 * SOCK_RAW and AF_PACKET SOCK_RAW and SOCK_DGRAM (socket_pairs below);
 * any other pair (the report's netlink) still fails with ENOSYS. The receive flags the Sentry
 * passes on (it adds MSG_DONTWAIT itself; sendmsg always has
 * MSG_DONTWAIT|MSG_NOSIGNAL). ioctl: the table's requests and SIOCOUTQ
 * (TIOCOUTQ's number). accept4 on any descriptor (the control socket's
 * rule is then not needed).
 */
#define SOCK_FLAGS (SOCK_NONBLOCK | SOCK_CLOEXEC)
static const uint32_t socket_pairs[] = {
  AF_INET, SOCK_STREAM | SOCK_FLAGS, AF_INET, SOCK_DGRAM | SOCK_FLAGS,
  AF_INET6, SOCK_STREAM | SOCK_FLAGS, AF_INET6, SOCK_DGRAM | SOCK_FLAGS,
};
static const uint32_t socket_pairs_raw[] = {
  AF_INET, SOCK_STREAM | SOCK_FLAGS, AF_INET, SOCK_DGRAM | SOCK_FLAGS, AF_INET, SOCK_RAW | SOCK_FLAGS,
  AF_INET6, SOCK_STREAM | SOCK_FLAGS, AF_INET6, SOCK_DGRAM | SOCK_FLAGS, AF_INET6, SOCK_RAW | SOCK_FLAGS,
  AF_PACKET, SOCK_RAW | SOCK_FLAGS, AF_PACKET, SOCK_DGRAM | SOCK_FLAGS,
};
#define NPAIRS(a) ((int)(sizeof a / sizeof a[0]))

/* inet_rules[0] is the socket rule, given its pairs by installSeccomp. */
static const struct rule inet_rules[] = {
  {SYS_socket, ARG_PAIRS_ELSE_ENOSYS, 0, socket_pairs, NPAIRS(socket_pairs), 0},
  {SYS_recvmsg, ARG_LO_NONE, 2,
   V(~(uint32_t)(MSG_DONTWAIT | MSG_CMSG_CLOEXEC | MSG_PEEK | MSG_TRUNC | MSG_WAITALL | MSG_OOB | MSG_ERRQUEUE)), 0},
  {SYS_ioctl, ARG_LO_IN, 1, V(TCGETS, TCSETS, TCSETSW, TCSETSF, TIOCGWINSZ, TIOCSWINSZ, FIONREAD, FIONBIO, FIOCLEX, TIOCOUTQ), 0},
  {SYS_sendmsg, ALLOW, 0, NULL, 0, 0},
  {SYS_bind, ALLOW, 0, NULL, 0, 0},
  {SYS_connect, ALLOW, 0, NULL, 0, 0},
  {SYS_listen, ALLOW, 0, NULL, 0, 0},
  {SYS_accept4, ALLOW, 0, NULL, 0, 0},
  {SYS_getsockname, ALLOW, 0, NULL, 0, 0},
  {SYS_getpeername, ALLOW, 0, NULL, 0, 0},
  {SYS_shutdown, ALLOW, 0, NULL, 0, 0},
  {SYS_getsockopt, ALLOW, 0, NULL, 0, 0},
  {SYS_setsockopt, ALLOW, 0, NULL, 0, 0},
};

#define NINET_RULES (sizeof inet_rules / sizeof inet_rules[0])
#define ARG_LO(i) (offsetof(struct seccomp_data, args) + 8 * (i))
#define ARG_HI(i) (offsetof(struct seccomp_data, args) + 8 * (i) + 4)
#define MAX_INSNS 1024

struct prog {
  struct sock_filter f[MAX_INSNS];
  int n;
};

static void emit(struct prog *p, uint16_t code, uint32_t k, uint8_t jt, uint8_t jf) {
  if (p->n < MAX_INSNS) p->f[p->n++] = (struct sock_filter)BPF_JUMP(code, k, jt, jf);
}

/* The instructions after `jeq nr` for one rule; A holds the call number
 * on entry and again on leaving (for the next rule's test). */
static void emit_rule(struct prog *p, const struct rule *r, uint32_t deny) {
  switch (r->kind) {
    case ALLOW:
      emit(p, BPF_RET | BPF_K, SECCOMP_RET_ALLOW, 0, 0);
      return;
    case ENOSYS_ALL:
      emit(p, BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA), 0, 0);
      return;
    case ARG_IN:
      emit(p, BPF_LD | BPF_W | BPF_ABS, ARG_HI(r->arg), 0, 0);
      emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0);
      emit(p, BPF_RET | BPF_K, deny, 0, 0);
      /* fall through */
    case ARG_LO_IN:
      emit(p, BPF_LD | BPF_W | BPF_ABS, ARG_LO(r->arg), 0, 0);
      for (int i = 0; i < r->nvals; i++) emit(p, BPF_JMP | BPF_JEQ | BPF_K, r->vals[i], (uint8_t)(r->nvals - i), 0);
      emit(p, BPF_RET | BPF_K, deny, 0, 0);
      emit(p, BPF_RET | BPF_K, SECCOMP_RET_ALLOW, 0, 0);
      return;
    case ARG_LO_IN_ELSE_ENOSYS:
      emit(p, BPF_LD | BPF_W | BPF_ABS, ARG_LO(r->arg), 0, 0);
      for (int i = 0; i < r->nvals; i++) emit(p, BPF_JMP | BPF_JEQ | BPF_K, r->vals[i], (uint8_t)(r->nvals - i), 0);
      emit(p, BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA), 0, 0);
      emit(p, BPF_RET | BPF_K, SECCOMP_RET_ALLOW, 0, 0);
      return;
    case ARG_PAIRS_ELSE_ENOSYS:
      for (int i = 0; i + 1 < r->nvals; i += 2) {
        emit(p, BPF_LD | BPF_W | BPF_ABS, ARG_LO(0), 0, 0);
        emit(p, BPF_JMP | BPF_JEQ | BPF_K, r->vals[i], 0, 3);
        emit(p, BPF_LD | BPF_W | BPF_ABS, ARG_LO(1), 0, 0);
        emit(p, BPF_JMP | BPF_JEQ | BPF_K, r->vals[i + 1], 0, 1);
        emit(p, BPF_RET | BPF_K, SECCOMP_RET_ALLOW, 0, 0);
      }
      emit(p, BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA), 0, 0);
      return;
    case ARG_LO_NONE:
      emit(p, BPF_LD | BPF_W | BPF_ABS, ARG_LO(r->arg), 0, 0);
      emit(p, BPF_JMP | BPF_JSET | BPF_K, r->vals[0], 0, 1);
      emit(p, BPF_RET | BPF_K, deny, 0, 0);
      emit(p, BPF_RET | BPF_K, SECCOMP_RET_ALLOW, 0, 0);
      return;
  }
}

static int rule_len(const struct rule *r) {
  struct prog *tmp = calloc(1, sizeof *tmp);
  emit_rule(tmp, r, 0);
  int n = tmp->n;
  free(tmp);
  return n;
}

/*
 * installSeccomp(log, allowExec, controlFd, inet, raw) -> 0 or -errno. log: anything
 * outside the table is allowed and logged (SECCOMP_RET_LOG: the kernel's
 * type=1326 audit lines; the record mode the table is made with) instead
 * of killing the whole process (SECCOMP_RET_KILL_PROCESS). allowExec: the
 * rules marked exec_only are in. raw (with inet): socket(2) for raw inet
 * and packet sockets too (socket_pairs_raw). controlFd >= 0: accept4 is allowed on that
 * descriptor alone (the control server's listening socket, made before the
 * seal; an accepted connection is read and written with read/write and
 * closed with close, already in the table). On every thread (TSYNC):
 * Node's workers too.
 */
static napi_value InstallSeccomp(napi_env env, napi_callback_info info) {
  bool log, allowExec, inet = false, raw = false;
  two_bools(env, info, &log, &allowExec);
  size_t argc = 5;
  napi_value argv[5];
  int32_t controlFd = -1;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc > 2) napi_get_value_int32(env, argv[2], &controlFd);
  if (argc > 3) napi_get_value_bool(env, argv[3], &inet);
  if (argc > 4) napi_get_value_bool(env, argv[4], &raw);
  const struct rule raw_socket_rule = {SYS_socket, ARG_PAIRS_ELSE_ENOSYS, 0, socket_pairs_raw, NPAIRS(socket_pairs_raw), 0};
  uint32_t controlVal[1] = {(uint32_t)controlFd};
  const struct rule accept_rule = {SYS_accept4, ARG_IN, 0, controlVal, 1, 0};
  uint32_t deny = log ? SECCOMP_RET_LOG : SECCOMP_RET_KILL_PROCESS;
  struct prog *p = calloc(1, sizeof *p);
  if (!p) return i32(env, -ENOMEM);
  emit(p, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch), 0, 0);
  emit(p, BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
  emit(p, BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS, 0, 0);
  emit(p, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr), 0, 0);
  /* x32 calls (bit 30) are never made. */
  emit(p, BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1);
  emit(p, BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS, 0, 0);
  bool inet_done = !inet;
  for (size_t i = 0; i < NRULES; i++) {
    const struct rule *r = &rules[i];
    /* The inet rules go after ptrace's (the hottest call stays first). */
    if (!inet_done && r->nr != SYS_ptrace) {
      for (size_t k = 0; k < NINET_RULES; k++) {
        const struct rule *q = k == 0 && raw ? &raw_socket_rule : &inet_rules[k];
        emit(p, BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)q->nr, 0, (uint8_t)rule_len(q));
        emit_rule(p, q, deny);
      }
      inet_done = true;
    }
    if ((r->exec_only == 1 && !allowExec) || (r->exec_only == -1 && allowExec)) continue;
    int len = rule_len(r);
    emit(p, BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)r->nr, 0, (uint8_t)len);
    emit_rule(p, r, deny);
  }
  if (controlFd >= 0) {
    emit(p, BPF_JMP | BPF_JEQ | BPF_K, SYS_accept4, 0, (uint8_t)rule_len(&accept_rule));
    emit_rule(p, &accept_rule, deny);
  }
  emit(p, BPF_RET | BPF_K, deny, 0, 0);
  if (p->n >= MAX_INSNS) {
    free(p);
    return i32(env, -E2BIG);
  }
  struct sock_fprog fp = {(unsigned short)p->n, p->f};
  long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &fp);
  int e = errno;
  free(p);
  if (r > 0) return i32(env, -ESRCH); /* a thread that could not take the filter */
  return i32(env, r < 0 ? -e : 0);
}

/*
 * exitNow(code): _exit, without the exit handlers. libuv's runs at exit()
 * and joins its thread pool, which waits forever for a worker blocked in a
 * host read() the Sentry started for the program (a host pipe or socket
 * nobody writes to). Node's stdout and stderr are synchronous on Linux, so
 * nothing is lost.
 */
static napi_value ExitNow(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t code = 0;
  if (argc > 0) napi_get_value_int32(env, argv[0], &code);
  _exit(code & 0xff);
}

/* Called from addon.c's Init. */
void confine_register(napi_env env, napi_value exports) {
  EXPORT("execve", Execve);
  EXPORT("exitNow", ExitNow);
  EXPORT("sealRoot", SealRoot);
  EXPORT("openTreeReadOnly", OpenTreeReadOnly);
  EXPORT("openTreeVolume", OpenTreeVolume);
  EXPORT("dropCapabilities", DropCapabilities);
  EXPORT("setNoNewPrivs", SetNoNewPrivs);
  EXPORT("installSeccomp", InstallSeccomp);
}
