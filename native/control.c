/*
 * The control server's socket (src/control/): a listening Unix stream
 * socket in the container's state directory, made by the sandbox before it
 * seals itself (the sealed Sentry's filter has no socket, bind or listen;
 * it may only accept4 on this one descriptor, see confine.c). Mechanism
 * only: where it lives and who may connect is decided in TypeScript.
 *
 *   listenUnix(dirfd, name, mode, backlog) -> fd or -errno
 */
#include "addon.h"
#include <stdio.h>
#include <sys/socket.h>
#include <sys/un.h>

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

void register_control(napi_env env, napi_value exports) {
  EXPORT("listenUnix", ListenUnix);
}
