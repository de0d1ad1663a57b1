/*
 * Host files and descriptors: opening strictly beneath a directory descriptor
 * (never by a host path string), stat, reads and writes, directories, and
 * the readiness of one descriptor; for a writable bind mount, the *at calls
 * that change a directory or a file's attributes. Every path these take is
 * one component (or "" with AT_EMPTY_PATH) relative to a descriptor that
 * hostfs opened beneath a mount root: policy, and the checks, are in
 * src/fs/hostfs/.
 */
#include "addon.h"
#include <stdio.h>
#include <sys/xattr.h>

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif
#ifndef SYS_setxattrat
#define SYS_setxattrat 463
#define SYS_getxattrat 464
#define SYS_listxattrat 465
#define SYS_removexattrat 466
#endif

/* struct xattr_args of setxattrat/getxattrat (Linux 6.13). */
struct tsv_xattr_args {
  uint64_t value;
  uint32_t size;
  uint32_t flags;
};

/* A path argument (latin1 bytes); false if it does not fit or holds a NUL. */
static bool name_arg(napi_env env, napi_value v, char *buf, size_t cap) {
  size_t n;
  if (napi_get_value_string_latin1(env, v, buf, cap, &n) != napi_ok || n >= cap - 1) return false;
  return strlen(buf) == n;
}

#define NAME(i, var)                                            \
  char var[4096];                                               \
  if (!name_arg(env, argv[i], var, sizeof var)) return i32(env, -ENAMETOOLONG);

#define RET(expr)                                               \
  do {                                                          \
    long r_;                                                    \
    do r_ = (long)(expr); while (r_ < 0 && errno == EINTR);     \
    return i32(env, r_ < 0 ? -errno : (int32_t)r_);             \
  } while (0)

/* ---- host files -------------------------------------------------------- */

/*
 * openBeneath(dirfd, path, flags, mode) -> fd or -errno. Opens `path`
 * strictly beneath dirfd, following no symlink at all (the Sentry resolves
 * symlinks itself, inside the sandbox's namespace) and no magic link.
 */
static napi_value OpenBeneath(napi_env env, napi_callback_info info) {
  ARGS(4);
  int dirfd = (int)arg_i64(env, argv[0]);
  char path[4096];
  if (!arg_str(env, argv[1], path, sizeof path)) return i32(env, -ENAMETOOLONG);
  struct open_how how;
  memset(&how, 0, sizeof how);
  how.flags = (uint64_t)arg_i64(env, argv[2]) | O_CLOEXEC;
  how.mode = (how.flags & (O_CREAT | O_TMPFILE)) ? (uint64_t)arg_i64(env, argv[3]) : 0;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  long fd;
  do fd = syscall(SYS_openat2, dirfd, path[0] ? path : ".", &how, sizeof how); while (fd < 0 && errno == EINTR);
  if (fd < 0) return i32(env, -errno);
  return i32(env, (int32_t)fd);
}

/* fstat(fd, buf144) -> 0 or -errno: the raw x86-64 struct stat. */
static napi_value Fstat(napi_env env, napi_callback_info info) {
  ARGS(2);
  int fd = (int)arg_i64(env, argv[0]);
  size_t len;
  void *buf = arg_buf(env, argv[1], &len);
  if (!buf || len < sizeof(struct stat)) { napi_throw_error(env, NULL, "stat buffer too small"); return NULL; }
  if (fstat(fd, (struct stat *)buf) < 0) return i32(env, -errno);
  return i32(env, 0);
}

/* fstatfs(fd, buf120) -> 0 or -errno. */
static napi_value Fstatfs(napi_env env, napi_callback_info info) {
  ARGS(2);
  int fd = (int)arg_i64(env, argv[0]);
  size_t len;
  void *buf = arg_buf(env, argv[1], &len);
  if (!buf || len < sizeof(struct statfs)) { napi_throw_error(env, NULL, "statfs buffer too small"); return NULL; }
  if (fstatfs(fd, (struct statfs *)buf) < 0) return i32(env, -errno);
  return i32(env, 0);
}

/* readlinkAt(fd, path) -> string, or -errno as a number. */
static napi_value ReadlinkAt(napi_env env, napi_callback_info info) {
  ARGS(2);
  int fd = (int)arg_i64(env, argv[0]);
  char path[4096];
  arg_str(env, argv[1], path, sizeof path);
  char out[4097];
  ssize_t n = readlinkat(fd, path, out, 4096);
  if (n < 0) return i32(env, -errno);
  napi_value s;
  napi_create_string_latin1(env, out, n, &s);
  return s;
}

/* getdents64(fd, buf) -> bytes or -errno. */
static napi_value Getdents64(napi_env env, napi_callback_info info) {
  ARGS(2);
  int fd = (int)arg_i64(env, argv[0]);
  size_t len;
  void *buf = arg_buf(env, argv[1], &len);
  if (!buf) { napi_throw_error(env, NULL, "getdents buffer missing"); return NULL; }
  long n;
  do n = syscall(SYS_getdents64, fd, buf, len); while (n < 0 && errno == EINTR);
  if (n < 0) return i32(env, -errno);
  return i32(env, (int32_t)n);
}

/* lseek(fd, off, whence) -> offset or -errno. */
static napi_value Lseek(napi_env env, napi_callback_info info) {
  ARGS(3);
  int fd = (int)arg_i64(env, argv[0]);
  off_t off = (off_t)arg_i64(env, argv[1]);
  int wh = (int)arg_i64(env, argv[2]);
  off_t r = lseek(fd, off, wh);
  if (r < 0) return num(env, -errno);
  return num(env, (double)r);
}

/*
 * pread/pwrite(fd, buf, offset) -> bytes or -errno; with offset < 0, plain
 * read/write at the file position. Retried on EINTR (the quantum timer).
 */
static napi_value FileIO(napi_env env, napi_callback_info info, int write_) {
  ARGS(3);
  int fd = (int)arg_i64(env, argv[0]);
  size_t len;
  void *buf = arg_buf(env, argv[1], &len);
  int64_t off = arg_i64(env, argv[2]);
  ssize_t n;
  do {
    if (write_) n = off < 0 ? write(fd, buf, len) : pwrite(fd, buf, len, off);
    else n = off < 0 ? read(fd, buf, len) : pread(fd, buf, len, off);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return i32(env, -errno);
  return num(env, (double)n);
}
static napi_value Pread(napi_env env, napi_callback_info info) { return FileIO(env, info, 0); }
static napi_value Pwrite(napi_env env, napi_callback_info info) { return FileIO(env, info, 1); }

static napi_value Close(napi_env env, napi_callback_info info) {
  ARGS(1);
  int fd = (int)arg_i64(env, argv[0]);
  if (close(fd) < 0) return i32(env, -errno);
  return i32(env, 0);
}

/* dup(fd) -> a close-on-exec copy of fd (F_DUPFD_CLOEXEC) or -errno. */
static napi_value Dup(napi_env env, napi_callback_info info) {
  ARGS(1);
  int fd = fcntl((int)arg_i64(env, argv[0]), F_DUPFD_CLOEXEC, 0);
  return i32(env, fd < 0 ? -errno : fd);
}

/*
 * ioctl(fd, req, buf) -> 0 or -errno, for the few terminal requests the
 * Sentry passes to a host terminal it was given: the queries TCGETS,
 * TIOCGWINSZ, FIONREAD (filling buf) and the settings TCSETS, TCSETSW,
 * TCSETSF, TIOCSWINSZ (from buf). Any other request is ENOTTY.
 */

static napi_value Poll1(napi_env env, napi_callback_info info) {
  ARGS(3);
  struct pollfd p;
  p.fd = (int)arg_i64(env, argv[0]);
  p.events = (short)arg_i64(env, argv[1]);
  p.revents = 0;
  int t = (int)arg_i64(env, argv[2]);
  int r;
  do r = poll(&p, 1, t); while (r < 0 && errno == EINTR);
  if (r < 0) return i32(env, -errno);
  return i32(env, r == 0 ? 0 : p.revents);
}


/* ---- changing a directory (a writable bind mount) --------------------- */

/* mkdirat(dirfd, name, mode) -> 0 or -errno. */
static napi_value Mkdirat(napi_env env, napi_callback_info info) {
  ARGS(3);
  NAME(1, name);
  RET(mkdirat((int)arg_i64(env, argv[0]), name, (mode_t)arg_i64(env, argv[2])));
}

/* mknodat(dirfd, name, mode, dev) -> 0 or -errno (hostfs passes FIFOs and sockets only). */
static napi_value Mknodat(napi_env env, napi_callback_info info) {
  ARGS(4);
  NAME(1, name);
  RET(mknodat((int)arg_i64(env, argv[0]), name, (mode_t)arg_i64(env, argv[2]), (dev_t)arg_i64(env, argv[3])));
}

/* unlinkat(dirfd, name, flags) -> 0 or -errno. */
static napi_value Unlinkat(napi_env env, napi_callback_info info) {
  ARGS(3);
  NAME(1, name);
  RET(unlinkat((int)arg_i64(env, argv[0]), name, (int)arg_i64(env, argv[2])));
}

/* renameat2(olddirfd, oldname, newdirfd, newname, flags) -> 0 or -errno. */
static napi_value Renameat2(napi_env env, napi_callback_info info) {
  ARGS(5);
  NAME(1, oldname);
  NAME(3, newname);
  RET(syscall(SYS_renameat2, (int)arg_i64(env, argv[0]), oldname, (int)arg_i64(env, argv[2]), newname,
              (unsigned)arg_i64(env, argv[4])));
}

/* symlinkat(target, dirfd, name) -> 0 or -errno. */
static napi_value Symlinkat(napi_env env, napi_callback_info info) {
  ARGS(3);
  NAME(0, target);
  NAME(2, name);
  RET(symlinkat(target, (int)arg_i64(env, argv[1]), name));
}

/* linkat(olddirfd, oldname, newdirfd, newname, flags) -> 0 or -errno. */
static napi_value Linkat(napi_env env, napi_callback_info info) {
  ARGS(5);
  NAME(1, oldname);
  NAME(3, newname);
  RET(linkat((int)arg_i64(env, argv[0]), oldname, (int)arg_i64(env, argv[2]), newname, (int)arg_i64(env, argv[4])));
}

/* ---- attributes ---------------------------------------------------------- */

/* fchmodat2(dirfd, name, mode, flags) -> 0 or -errno (Linux 6.6: AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH). */
static napi_value Fchmodat2(napi_env env, napi_callback_info info) {
  ARGS(4);
  NAME(1, name);
  RET(syscall(SYS_fchmodat2, (int)arg_i64(env, argv[0]), name, (mode_t)arg_i64(env, argv[2]), (int)arg_i64(env, argv[3])));
}

/* fchownat(dirfd, name, uid, gid, flags) -> 0 or -errno; uid or gid -1: unchanged. */
static napi_value Fchownat(napi_env env, napi_callback_info info) {
  ARGS(5);
  NAME(1, name);
  RET(fchownat((int)arg_i64(env, argv[0]), name, (uid_t)arg_i64(env, argv[2]), (gid_t)arg_i64(env, argv[3]),
               (int)arg_i64(env, argv[4])));
}

/*
 * utimensat(dirfd, name, times, flags) -> 0 or -errno. times: a
 * Float64Array [atime s, atime ns, mtime s, mtime ns]; ns may be UTIME_NOW
 * or UTIME_OMIT.
 */
static napi_value Utimensat(napi_env env, napi_callback_info info) {
  ARGS(4);
  NAME(1, name);
  size_t len;
  double *t = arg_buf(env, argv[2], &len);
  if (!t || len < 4 * sizeof(double)) { napi_throw_error(env, NULL, "utimensat: times must be a Float64Array(4)"); return NULL; }
  struct timespec ts[2] = {{(time_t)t[0], (long)t[1]}, {(time_t)t[2], (long)t[3]}};
  RET(utimensat((int)arg_i64(env, argv[0]), name, ts, (int)arg_i64(env, argv[3])));
}

/* ftruncate(fd, len) -> 0 or -errno. */
static napi_value Ftruncate(napi_env env, napi_callback_info info) {
  ARGS(2);
  RET(ftruncate((int)arg_i64(env, argv[0]), (off_t)arg_i64(env, argv[1])));
}

/* fallocate(fd, mode, offset, len) -> 0 or -errno. */
static napi_value Fallocate(napi_env env, napi_callback_info info) {
  ARGS(4);
  RET(fallocate((int)arg_i64(env, argv[0]), (int)arg_i64(env, argv[1]), (off_t)arg_i64(env, argv[2]),
                (off_t)arg_i64(env, argv[3])));
}

/* fsync(fd, dataOnly) -> 0 or -errno: fdatasync when dataOnly. */
static napi_value Fsync(napi_env env, napi_callback_info info) {
  ARGS(2);
  bool data = false;
  napi_get_value_bool(env, argv[1], &data);
  int fd = (int)arg_i64(env, argv[0]);
  RET(data ? fdatasync(fd) : fsync(fd));
}

/* setfl(fd, flags) -> 0 or -errno: fcntl(F_SETFL), for O_APPEND that F_SETFL changed in the sandbox. */
static napi_value Setfl(napi_env env, napi_callback_info info) {
  ARGS(2);
  RET(fcntl((int)arg_i64(env, argv[0]), F_SETFL, (int)arg_i64(env, argv[1])));
}

/* getfl(fd) -> the status flags or -errno: fcntl(F_GETFL), for the access mode of a descriptor an OCI container is given. */
static napi_value Getfl(napi_env env, napi_callback_info info) {
  ARGS(1);
  RET(fcntl((int)arg_i64(env, argv[0]), F_GETFL));
}

/*
 * reopen(procfd, fd, flags) -> a new descriptor or -errno: opens the file
 * that fd (an O_PATH descriptor whose type hostfs has checked) refers to,
 * through its magic link procfd/self/fd/N (/proc/self/fd/N when procfd < 0,
 * before the seal), so the file opened is that very inode, never what a
 * path names by then.
 */
static napi_value Reopen(napi_env env, napi_callback_info info) {
  ARGS(3);
  int procfd = (int)arg_i64(env, argv[0]);
  int fd = (int)arg_i64(env, argv[1]);
  int flags = (int)arg_i64(env, argv[2]) | O_CLOEXEC;
  char path[64];
  if (procfd >= 0) snprintf(path, sizeof path, "self/fd/%d", fd);
  else snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  RET(openat(procfd >= 0 ? procfd : AT_FDCWD, path, flags & ~(O_CREAT | O_TMPFILE), 0));
}

/* ---- extended attributes (Linux 6.13's *xattrat: on dirfd/name, no follow) ---- */

/* getxattrat(dirfd, name, atflags, attr, buf) -> size or -errno (buf of length 0: the size only). */
static napi_value Getxattrat(napi_env env, napi_callback_info info) {
  ARGS(5);
  NAME(1, name);
  NAME(3, attr);
  size_t len;
  void *buf = arg_buf(env, argv[4], &len);
  struct tsv_xattr_args a = {(uint64_t)(uintptr_t)buf, (uint32_t)(buf ? len : 0), 0};
  RET(syscall(SYS_getxattrat, (int)arg_i64(env, argv[0]), name, (unsigned)arg_i64(env, argv[2]), attr, &a, sizeof a));
}

/* setxattrat(dirfd, name, atflags, attr, value, flags) -> 0 or -errno. */
static napi_value Setxattrat(napi_env env, napi_callback_info info) {
  ARGS(6);
  NAME(1, name);
  NAME(3, attr);
  size_t len;
  void *buf = arg_buf(env, argv[4], &len);
  struct tsv_xattr_args a = {(uint64_t)(uintptr_t)buf, (uint32_t)(buf ? len : 0), (uint32_t)arg_i64(env, argv[5])};
  RET(syscall(SYS_setxattrat, (int)arg_i64(env, argv[0]), name, (unsigned)arg_i64(env, argv[2]), attr, &a, sizeof a));
}

/* listxattrat(dirfd, name, atflags, buf) -> size or -errno. */
static napi_value Listxattrat(napi_env env, napi_callback_info info) {
  ARGS(4);
  NAME(1, name);
  size_t len;
  void *buf = arg_buf(env, argv[3], &len);
  RET(syscall(SYS_listxattrat, (int)arg_i64(env, argv[0]), name, (unsigned)arg_i64(env, argv[2]), buf, buf ? len : 0));
}

/* removexattrat(dirfd, name, atflags, attr) -> 0 or -errno. */
static napi_value Removexattrat(napi_env env, napi_callback_info info) {
  ARGS(4);
  NAME(1, name);
  NAME(3, attr);
  RET(syscall(SYS_removexattrat, (int)arg_i64(env, argv[0]), name, (unsigned)arg_i64(env, argv[2]), attr));
}

void register_hostfiles(napi_env env, napi_value exports) {
  EXPORT("mkdirat", Mkdirat);
  EXPORT("mknodat", Mknodat);
  EXPORT("unlinkat", Unlinkat);
  EXPORT("renameat2", Renameat2);
  EXPORT("symlinkat", Symlinkat);
  EXPORT("linkat", Linkat);
  EXPORT("fchmodat2", Fchmodat2);
  EXPORT("fchownat", Fchownat);
  EXPORT("utimensat", Utimensat);
  EXPORT("ftruncate", Ftruncate);
  EXPORT("fallocate", Fallocate);
  EXPORT("fsync", Fsync);
  EXPORT("setfl", Setfl);
  EXPORT("getfl", Getfl);
  EXPORT("reopen", Reopen);
  EXPORT("getxattrat", Getxattrat);
  EXPORT("setxattrat", Setxattrat);
  EXPORT("listxattrat", Listxattrat);
  EXPORT("removexattrat", Removexattrat);
  EXPORT("openBeneath", OpenBeneath);
  EXPORT("fstat", Fstat);
  EXPORT("fstatfs", Fstatfs);
  EXPORT("readlinkAt", ReadlinkAt);
  EXPORT("getdents64", Getdents64);
  EXPORT("lseek", Lseek);
  EXPORT("pread", Pread);
  EXPORT("pwrite", Pwrite);
  EXPORT("close", Close);
  EXPORT("dup", Dup);
  EXPORT("poll1", Poll1);
}
