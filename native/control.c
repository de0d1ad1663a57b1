/*
 * The control server's socket (src/control/): a listening Unix stream
 * socket in the container's state directory, made by the sandbox before it
 * seals itself (the sealed Sentry's filter has no socket, bind or listen;
 * it may only accept4 on this one descriptor, see confine.c). Mechanism
 * only: where it lives and who may connect is decided in TypeScript.
 *
 *   listenUnix(dirfd, name, mode, backlog) -> fd or -errno
 *   connectUnix(dirfd, name, timeoutMs) -> fd or -errno (blocking, close-on-exec;
 *     timeoutMs > 0 bounds the connect and every later send: -EAGAIN past it)
 *   sendFds(fd, data, fds) -> bytes sent or -errno: one sendmsg, the fds as SCM_RIGHTS
 *   recvFds(fd, buf, maxFds) -> {bytes, fds} or -errno: one recvmsg, never
 *     blocking; the fds arrive close-on-exec (MSG_CMSG_CLOEXEC)
 *   pidfdOpen(pid) -> fd or -errno: pidfd_open(2), close-on-exec
 *
 * Descriptors cross a Unix socket for three protocols: the control socket
 * (exec's stdio, src/control), the OCI console socket (the pty master
 * for --console-socket, as runc's utils.SendFile sends it) and runc's
 * --pidfd-socket (a pidfd of the container's process).
 */
#include "addon.h"
#include <stdio.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

/*
 * Binds through /proc/self/fd/DIRFD/NAME, so the address is short whatever
 * the state directory's path (sun_path holds 108 bytes; a --root deep in a
 * test's temporary directory and a 64-character container id pass that)
 * and names the directory the caller opened, not whatever its path names
 * by now. The socket file gets mode exactly (umask does not apply); the
 * directory is the caller's own (0700), so nobody else can reach the file
 * between bind and fchmodat.
 */
static napi_value ListenUnix(napi_env env, napi_callback_info info) {
  ARGS(4);
  int dirfd = (int)arg_i64(env, argv[0]);
  char name[256];
  if (!arg_str(env, argv[1], name, sizeof name) || name[0] == '\0' || strchr(name, '/') != NULL) return i32(env, -EINVAL);
  mode_t mode = (mode_t)arg_i64(env, argv[2]) & 0777;
  int backlog = (int)arg_i64(env, argv[3]);
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  int n = snprintf(sa.sun_path, sizeof sa.sun_path, "/proc/self/fd/%d/%s", dirfd, name);
  if (n < 0 || (size_t)n >= sizeof sa.sun_path) return i32(env, -ENAMETOOLONG);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return i32(env, -errno);
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || fchmodat(dirfd, name, mode, 0) < 0 || listen(fd, backlog) < 0) {
    int e = errno;
    close(fd);
    return i32(env, -e);
  }
  return i32(env, fd);
}

/*
 * The same short address as ListenUnix: the socket named in a directory the
 * caller opened. A peer that listens but never accepts makes connect(2)
 * wait for ever once its backlog is full (a hostile --console-socket):
 * SO_SNDTIMEO is the bound Linux's unix_stream_connect honours, and it
 * bounds the sends on the socket too.
 */
static napi_value ConnectUnix(napi_env env, napi_callback_info info) {
  ARGS(3);
  int dirfd = (int)arg_i64(env, argv[0]);
  int64_t timeoutMs = argc > 2 ? arg_i64(env, argv[2]) : 0;
  char name[256];
  if (!arg_str(env, argv[1], name, sizeof name) || name[0] == '\0' || strchr(name, '/') != NULL) return i32(env, -EINVAL);
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  int n = snprintf(sa.sun_path, sizeof sa.sun_path, "/proc/self/fd/%d/%s", dirfd, name);
  if (n < 0 || (size_t)n >= sizeof sa.sun_path) return i32(env, -ENAMETOOLONG);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return i32(env, -errno);
  if (timeoutMs > 0) {
    struct timeval tv = {.tv_sec = timeoutMs / 1000, .tv_usec = (timeoutMs % 1000) * 1000};
    if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) < 0) {
      int e = errno;
      close(fd);
      return i32(env, -e);
    }
  }
  int r;
  do r = connect(fd, (struct sockaddr *)&sa, sizeof sa); while (r < 0 && errno == EINTR);
  if (r < 0) {
    int e = errno;
    close(fd);
    return i32(env, -e);
  }
  return i32(env, fd);
}

#define MAX_PASSED_FDS 253 /* SCM_MAX_FD */

static napi_value SendFds(napi_env env, napi_callback_info info) {
  ARGS(3);
  int fd = (int)arg_i64(env, argv[0]);
  size_t len;
  void *data = arg_buf(env, argv[1], &len);
  uint32_t nfds = 0;
  CHECK(napi_get_array_length(env, argv[2], &nfds));
  if (data == NULL || len == 0 || nfds > MAX_PASSED_FDS) return i32(env, -EINVAL);
  int fds[MAX_PASSED_FDS];
  for (uint32_t i = 0; i < nfds; i++) {
    napi_value v;
    CHECK(napi_get_element(env, argv[2], i, &v));
    fds[i] = (int)arg_i64(env, v);
  }
  struct iovec iov = {.iov_base = data, .iov_len = len};
  union {
    char buf[CMSG_SPACE(sizeof(int) * MAX_PASSED_FDS)];
    struct cmsghdr align;
  } u;
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
  if (nfds > 0) {
    memset(&u, 0, sizeof u);
    msg.msg_control = u.buf;
    msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
    memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
  }
  ssize_t r;
  do r = sendmsg(fd, &msg, MSG_NOSIGNAL); while (r < 0 && errno == EINTR);
  return i32(env, r < 0 ? -errno : (int32_t)r);
}

/*
 * Descriptors beyond maxFds, or in a second control message, are closed:
 * a peer cannot leave the caller holding files it did not ask for.
 */
static napi_value RecvFds(napi_env env, napi_callback_info info) {
  ARGS(3);
  int fd = (int)arg_i64(env, argv[0]);
  size_t len;
  void *buf = arg_buf(env, argv[1], &len);
  int max = (int)arg_i64(env, argv[2]);
  if (buf == NULL || len == 0 || max < 0 || max > MAX_PASSED_FDS) return i32(env, -EINVAL);
  struct iovec iov = {.iov_base = buf, .iov_len = len};
  union {
    char buf[CMSG_SPACE(sizeof(int) * MAX_PASSED_FDS)];
    struct cmsghdr align;
  } u;
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
  ssize_t r;
  do r = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC); while (r < 0 && errno == EINTR);
  if (r < 0) return i32(env, -errno);
  napi_value out, arr;
  CHECK(napi_create_object(env, &out));
  CHECK(napi_create_array(env, &arr));
  uint32_t kept = 0;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    int *p = (int *)CMSG_DATA(c);
    for (size_t i = 0; i < n; i++) {
      if ((int)kept < max) {
        CHECK(napi_set_element(env, arr, kept++, i32(env, p[i])));
      } else {
        close(p[i]);
      }
    }
  }
  CHECK(napi_set_named_property(env, out, "bytes", i32(env, (int32_t)r)));
  CHECK(napi_set_named_property(env, out, "fds", arr));
  CHECK(napi_set_named_property(env, out, "truncated", i32(env, (msg.msg_flags & MSG_CTRUNC) != 0)));
  return out;
}

/* pidfd_open(2) has no glibc wrapper before 2.36; pidfds are close-on-exec always. */
static napi_value PidfdOpen(napi_env env, napi_callback_info info) {
  ARGS(1);
  int64_t pid = arg_i64(env, argv[0]);
  if (pid <= 0 || pid > 4194304) return i32(env, -EINVAL);
  long r = syscall(SYS_pidfd_open, (pid_t)pid, 0);
  return i32(env, r < 0 ? -errno : (int32_t)r);
}

void register_control(napi_env env, napi_value exports) {
  EXPORT("listenUnix", ListenUnix);
  EXPORT("connectUnix", ConnectUnix);
  EXPORT("sendFds", SendFds);
  EXPORT("recvFds", RecvFds);
  EXPORT("pidfdOpen", PidfdOpen);
}
