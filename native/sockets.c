/*
 * Host sockets for the Sentry's inet sockets (src/net/hostinet, as gVisor's
 * pkg/sentry/socket/hostinet): the host calls on a host socket the Sentry
 * owns in the sandbox's network namespace. Mechanism only: the family, type
 * and protocol, every address and option were checked by the Sentry before
 * they reach here, and the program never holds the descriptor.
 *
 * Every call is non-blocking on the host: sockets are made with
 * SOCK_NONBLOCK, sends and receives add MSG_DONTWAIT, and sends add
 * MSG_NOSIGNAL (SIGPIPE is the Sentry's to give, to the program). Blocking,
 * timeouts and signals are the Sentry's (it waits on readiness through
 * watch.c). The seccomp filter (confine.c) allows socket(2) here only for
 * AF_INET and AF_INET6.
 */
#include "addon.h"
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/sockios.h>

/* The views of one send or receive: a program's buffer is as many views as
 * the memory file has pieces of it, which can be more than its iovecs
 * (UIO_MAXIOV of them at most), so the array grows as needed. */
#define MAX_VIEWS (1 << 20)
static struct iovec iov_small[1024];
static struct iovec *iov_big;
static uint32_t iov_big_cap;

static int32_t arg_i32(napi_env env, napi_value v) {
  int32_t r = 0;
  napi_get_value_int32(env, v, &r);
  return r;
}

/* A JS array of Uint8Arrays into *iovp: the count, or -1 on misuse or no memory. */
static int views_to_iov(napi_env env, napi_value arr, struct iovec **iovp) {
  bool is;
  if (napi_is_array(env, arr, &is) != napi_ok || !is) return -1;
  uint32_t n;
  napi_get_array_length(env, arr, &n);
  if (n > MAX_VIEWS) return -1;
  struct iovec *iov = iov_small;
  if (n > sizeof iov_small / sizeof iov_small[0]) {
    if (n > iov_big_cap) {
      struct iovec *p = realloc(iov_big, n * sizeof *p);
      if (p == NULL) return -1;
      iov_big = p;
      iov_big_cap = n;
    }
    iov = iov_big;
  }
  *iovp = iov;
  for (uint32_t i = 0; i < n; i++) {
    napi_value e;
    napi_get_element(env, arr, i, &e);
    size_t len;
    void *p = arg_buf(env, e, &len);
    if (p == NULL && len != 0) return -1;
    iov[i].iov_base = p;
    iov[i].iov_len = len;
  }
  return (int)n;
}

/* An optional buffer argument: NULL with *len 0 for null/undefined. */
static void *opt_buf(napi_env env, napi_value v, size_t *len) {
  napi_valuetype t;
  *len = 0;
  napi_typeof(env, v, &t);
  if (t == napi_null || t == napi_undefined) return NULL;
  return arg_buf(env, v, len);
}

/* sockSocket(family, type, protocol) -> fd (non-blocking, close-on-exec) or -errno. */
static napi_value SockSocket(napi_env env, napi_callback_info info) {
  ARGS(3);
  int fd = socket(arg_i32(env, argv[0]), arg_i32(env, argv[1]) | SOCK_NONBLOCK | SOCK_CLOEXEC, arg_i32(env, argv[2]));
  return i32(env, fd < 0 ? -errno : fd);
}

/* sockBind(fd, addr) / sockConnect(fd, addr) -> 0 or -errno. */
static napi_value SockBind(napi_env env, napi_callback_info info) {
  ARGS(2);
  size_t len;
  void *a = arg_buf(env, argv[1], &len);
  int r = bind(arg_i32(env, argv[0]), (struct sockaddr *)a, (socklen_t)len);
  return i32(env, r < 0 ? -errno : 0);
}

static napi_value SockConnect(napi_env env, napi_callback_info info) {
  ARGS(2);
  size_t len;
  void *a = arg_buf(env, argv[1], &len);
  int r;
  do r = connect(arg_i32(env, argv[0]), (struct sockaddr *)a, (socklen_t)len); while (r < 0 && errno == EINTR);
  return i32(env, r < 0 ? -errno : 0);
}

/* sockListen(fd, backlog) -> 0 or -errno. */
static napi_value SockListen(napi_env env, napi_callback_info info) {
  ARGS(2);
  return i32(env, listen(arg_i32(env, argv[0]), arg_i32(env, argv[1])) < 0 ? -errno : 0);
}

/* sockAccept(fd, addrOut, out) -> the new fd (non-blocking, close-on-exec) or -errno; out[0] = the address's length. */
static napi_value SockAccept(napi_env env, napi_callback_info info) {
  ARGS(3);
  size_t cap, olen;
  void *a = arg_buf(env, argv[1], &cap);
  int32_t *out = arg_buf(env, argv[2], &olen);
  if (out == NULL || olen < 4) return i32(env, -EINVAL);
  socklen_t len = (socklen_t)cap;
  int fd;
  do fd = accept4(arg_i32(env, argv[0]), (struct sockaddr *)a, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
  while (fd < 0 && errno == EINTR);
  if (fd < 0) return i32(env, -errno);
  out[0] = (int32_t)len;
  return i32(env, fd);
}

/* sockName(fd, peer, addrOut) -> the address's full length or -errno. */
static napi_value SockName(napi_env env, napi_callback_info info) {
  ARGS(3);
  bool peer = false;
  napi_get_value_bool(env, argv[1], &peer);
  size_t cap;
  void *a = arg_buf(env, argv[2], &cap);
  socklen_t len = (socklen_t)cap;
  int r = peer ? getpeername(arg_i32(env, argv[0]), (struct sockaddr *)a, &len)
               : getsockname(arg_i32(env, argv[0]), (struct sockaddr *)a, &len);
  return i32(env, r < 0 ? -errno : (int32_t)len);
}

/* sockShutdown(fd, how) -> 0 or -errno. */
static napi_value SockShutdown(napi_env env, napi_callback_info info) {
  ARGS(2);
  return i32(env, shutdown(arg_i32(env, argv[0]), arg_i32(env, argv[1])) < 0 ? -errno : 0);
}

/* sockSendmsg(fd, views, addr|null, control|null, flags) -> bytes sent or -errno; never blocks, never raises SIGPIPE. */
static napi_value SockSendmsg(napi_env env, napi_callback_info info) {
  ARGS(5);
  struct iovec *iov;
  int n = views_to_iov(env, argv[1], &iov);
  if (n < 0) return i32(env, -EINVAL);
  size_t alen, clen;
  void *a = opt_buf(env, argv[2], &alen);
  void *c = opt_buf(env, argv[3], &clen);
  struct msghdr m = {.msg_name = alen > 0 ? a : NULL, .msg_namelen = (socklen_t)alen, .msg_iov = iov,
                     .msg_iovlen = (size_t)n, .msg_control = clen > 0 ? c : NULL, .msg_controllen = clen};
  ssize_t r;
  do r = sendmsg(arg_i32(env, argv[0]), &m, arg_i32(env, argv[4]) | MSG_DONTWAIT | MSG_NOSIGNAL);
  while (r < 0 && errno == EINTR);
  return num(env, r < 0 ? -errno : (double)r);
}

/*
 * sockRecvmsg(fd, views, addrOut|null, controlOut|null, flags, out) -> bytes
 * (or, with MSG_TRUNC, the datagram's length) or -errno; never blocks.
 * out = [msg_namelen, msg_controllen, msg_flags].
 */
static napi_value SockRecvmsg(napi_env env, napi_callback_info info) {
  ARGS(6);
  struct iovec *iov;
  int n = views_to_iov(env, argv[1], &iov);
  if (n < 0) return i32(env, -EINVAL);
  size_t alen, clen, olen;
  void *a = opt_buf(env, argv[2], &alen);
  void *c = opt_buf(env, argv[3], &clen);
  int32_t *out = arg_buf(env, argv[5], &olen);
  if (out == NULL || olen < 12) return i32(env, -EINVAL);
  struct msghdr m = {.msg_name = alen > 0 ? a : NULL, .msg_namelen = (socklen_t)alen, .msg_iov = iov,
                     .msg_iovlen = (size_t)n, .msg_control = clen > 0 ? c : NULL, .msg_controllen = clen};
  ssize_t r;
  do r = recvmsg(arg_i32(env, argv[0]), &m, arg_i32(env, argv[4]) | MSG_DONTWAIT);
  while (r < 0 && errno == EINTR);
  if (r < 0) return i32(env, -errno);
  out[0] = (int32_t)m.msg_namelen;
  out[1] = (int32_t)m.msg_controllen;
  out[2] = m.msg_flags;
  return num(env, (double)r);
}

/* sockGetsockopt(fd, level, name, buf) -> the value's length or -errno. */
static napi_value SockGetsockopt(napi_env env, napi_callback_info info) {
  ARGS(4);
  size_t cap;
  void *b = arg_buf(env, argv[3], &cap);
  socklen_t len = (socklen_t)cap;
  int r = getsockopt(arg_i32(env, argv[0]), arg_i32(env, argv[1]), arg_i32(env, argv[2]), b, &len);
  return i32(env, r < 0 ? -errno : (int32_t)len);
}

/* sockSetsockopt(fd, level, name, value) -> 0 or -errno. */
static napi_value SockSetsockopt(napi_env env, napi_callback_info info) {
  ARGS(4);
  size_t len;
  void *b = arg_buf(env, argv[3], &len);
  int r = setsockopt(arg_i32(env, argv[0]), arg_i32(env, argv[1]), arg_i32(env, argv[2]), b, (socklen_t)len);
  return i32(env, r < 0 ? -errno : 0);
}

/* sockIoctlInt(fd, req) -> the int the request gives (FIONREAD/SIOCINQ, SIOCOUTQ only) or -errno. */
static napi_value SockIoctlInt(napi_env env, napi_callback_info info) {
  ARGS(2);
  int32_t req = arg_i32(env, argv[1]);
  if (req != FIONREAD && req != SIOCOUTQ) return i32(env, -ENOTTY);
  int v = 0;
  if (ioctl(arg_i32(env, argv[0]), (unsigned long)req, &v) < 0) return i32(env, -errno);
  return i32(env, v);
}

void register_sockets(napi_env env, napi_value exports) {
  EXPORT("sockSocket", SockSocket);
  EXPORT("sockBind", SockBind);
  EXPORT("sockConnect", SockConnect);
  EXPORT("sockListen", SockListen);
  EXPORT("sockAccept", SockAccept);
  EXPORT("sockName", SockName);
  EXPORT("sockShutdown", SockShutdown);
  EXPORT("sockSendmsg", SockSendmsg);
  EXPORT("sockRecvmsg", SockRecvmsg);
  EXPORT("sockGetsockopt", SockGetsockopt);
  EXPORT("sockSetsockopt", SockSetsockopt);
  EXPORT("sockIoctlInt", SockIoctlInt);
}
