/*
 * Terminals: the few requests the Sentry passes to a host terminal it was
 * given; the pseudo-terminal the runtime opens for a container's console
 * (openPty: the master goes to --console-socket, the replica becomes the
 * process's stdio); and taking a terminal as this process's controlling
 * terminal (takeTerminal: so that the host's line discipline signals the
 * process that holds the replica, which gives the keys and resizes to the
 * container's foreground group).
 */
#include "addon.h"
#include <termios.h>

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

/* openPty(rows, cols) -> {master, replica, name} or -errno; both close-on-exec, neither a controlling terminal yet. */
static napi_value OpenPty(napi_env env, napi_callback_info info) {
  ARGS(2);
  int rows = (int)arg_i64(env, argv[0]), cols = (int)arg_i64(env, argv[1]);
  int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (m < 0) return i32(env, -errno);
  char name[128];
  int s = -1;
  if (grantpt(m) < 0 || unlockpt(m) < 0 || ptsname_r(m, name, sizeof name) != 0 ||
      (s = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
    int e = errno;
    close(m);
    return i32(env, -e);
  }
  if (rows > 0 && cols > 0) {
    struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
    ioctl(m, TIOCSWINSZ, &ws);
  }
  napi_value out, str;
  CHECK(napi_create_object(env, &out));
  CHECK(napi_set_named_property(env, out, "master", i32(env, m)));
  CHECK(napi_set_named_property(env, out, "replica", i32(env, s)));
  CHECK(napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &str));
  CHECK(napi_set_named_property(env, out, "name", str));
  return out;
}

/*
 * takeTerminal(fd) -> 0 or -errno: a session of this process's own (unless
 * it leads one already: a process group leader cannot make one, EPERM),
 * with fd's terminal as its controlling terminal.
 */
static napi_value TakeTerminal(napi_env env, napi_callback_info info) {
  ARGS(1);
  int fd = (int)arg_i64(env, argv[0]);
  if (getsid(0) != getpid() && setsid() < 0) return i32(env, -errno);
  if (ioctl(fd, TIOCSCTTY, 0) < 0) return i32(env, -errno);
  return i32(env, 0);
}

void register_terminal(napi_env env, napi_value exports) {
  EXPORT("ioctl", Ioctl);
  EXPORT("openPty", OpenPty);
  EXPORT("takeTerminal", TakeTerminal);
}
