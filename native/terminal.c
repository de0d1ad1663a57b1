/*
 * Terminals: the few requests the Sentry passes to a host terminal it was
 * given.
 */
#include "addon.h"

static napi_value Ioctl(napi_env env, napi_callback_info info) {
  ARGS(3);
  int fd = (int)arg_i64(env, argv[0]);
  unsigned long req = (unsigned long)arg_i64(env, argv[1]);
  size_t len;
  void *buf = arg_buf(env, argv[2], &len);
  switch (req) {
    case 0x5401: case 0x5413: case 0x541B: /* TCGETS TIOCGWINSZ FIONREAD */
    case 0x5402: case 0x5403: case 0x5404: case 0x5414: /* TCSETS TCSETSW TCSETSF TIOCSWINSZ */
      break;
    default:
      return i32(env, -ENOTTY);
  }
  if (!buf || len < 64) { napi_throw_error(env, NULL, "ioctl buffer too small"); return NULL; }
  int r;
  do r = ioctl(fd, req, buf); while (r < 0 && errno == EINTR);
  if (r < 0) return i32(env, -errno);
  return i32(env, 0);
}

/* poll1(fd, events, timeoutMs) -> revents or -errno: readiness of one host fd. */

void register_terminal(napi_env env, napi_value exports) {
  EXPORT("ioctl", Ioctl);
}
