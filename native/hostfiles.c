/*
 * Host files and descriptors: opening strictly beneath a directory descriptor
 * (never by a host path string), stat, reads and writes, directories, and
 * the readiness of one descriptor.
 */
#include "addon.h"

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


void register_hostfiles(napi_env env, napi_value exports) {
  EXPORT("openBeneath", OpenBeneath);
  EXPORT("fstat", Fstat);
  EXPORT("fstatfs", Fstatfs);
  EXPORT("readlinkAt", ReadlinkAt);
  EXPORT("getdents64", Getdents64);
  EXPORT("lseek", Lseek);
  EXPORT("pread", Pread);
  EXPORT("pwrite", Pwrite);
  EXPORT("close", Close);
  EXPORT("poll1", Poll1);
}
