/*
 * Readiness of host descriptors on Node's event loop, without a thread and
 * without changing the descriptors: a private epoll instance holds one-shot
 * interests in the host fds the Sentry waits on (the stdio it was given),
 * and a single libuv poll handle watches that instance. libuv's own
 * uv_poll_init would set O_NONBLOCK on each fd, and so on the open file
 * description the caller shares (its terminal, its pipe); a blocking read
 * on libuv's thread pool, the alternative, cannot be cancelled and kept
 * Node from exiting while it waited.
 *
 * Mechanism only: watchInit(cb) once, then watchFd(fd, events) arms a
 * one-shot interest (or, with EPOLLET in events, a lasting edge-triggered
 * one); cb(fd, revents) runs on the event loop when it fires.
 */
#include "addon.h"
#include <uv.h>
#include <errno.h>
#include <stdbool.h>
#include <sys/epoll.h>
#include <unistd.h>

static int watch_epfd = -1;
static uv_poll_t watch_poll;
static napi_env watch_env;
static napi_ref watch_cb;
static napi_async_context watch_ctx;

static void watch_fired(uv_poll_t *h, int status, int events) {
  struct epoll_event ev[64];
  int n;
  do n = epoll_wait(watch_epfd, ev, 64, 0); while (n < 0 && errno == EINTR);
  if (n <= 0) return;
  napi_env env = watch_env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value cb, recv;
  napi_get_reference_value(env, watch_cb, &cb);
  napi_get_global(env, &recv);
  for (int i = 0; i < n; i++) {
    napi_value argv[2];
    argv[0] = i32(env, ev[i].data.fd);
    argv[1] = i32(env, (int32_t)ev[i].events);
    napi_make_callback(env, watch_ctx, recv, cb, 2, argv, NULL);
  }
  napi_close_handle_scope(env, scope);
}

/* watchInit(cb) -> 0 or -errno. */
static napi_value WatchInit(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (watch_epfd >= 0) return i32(env, -EBUSY);
  int fd = epoll_create1(EPOLL_CLOEXEC);
  if (fd < 0) return i32(env, -errno);
  uv_loop_t *loop;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) {
    close(fd);
    return i32(env, -EINVAL);
  }
  int r = uv_poll_init(loop, &watch_poll, fd);
  if (r == 0) r = uv_poll_start(&watch_poll, UV_READABLE, watch_fired);
  if (r != 0) {
    close(fd);
    return i32(env, r);
  }
  /* The kernel's own keep-alive holds the loop while tasks live; this handle never does. */
  uv_unref((uv_handle_t *)&watch_poll);
  napi_value name;
  napi_create_string_utf8(env, "tsvisor:hostfd", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &watch_ctx);
  napi_create_reference(env, argv[0], 1, &watch_cb);
  watch_env = env;
  watch_epfd = fd;
  return i32(env, 0);
}

/* watchFd(fd, events) -> 0 or -errno (EPERM: fd cannot be polled, it is always ready). */
static napi_value WatchFd(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd = -1, events = 0;
  napi_get_value_int32(env, argv[0], &fd);
  napi_get_value_int32(env, argv[1], &events);
  if (watch_epfd < 0) return i32(env, -EINVAL);
  /* EPOLLET asks for a lasting edge-triggered interest (a host socket's:
   * each new event, never a level already seen) instead of a one-shot one. */
  uint32_t e = (uint32_t)events;
  struct epoll_event ev = {.events = (e & (EPOLLIN | EPOLLOUT | EPOLLRDHUP)) | ((e & EPOLLET) ? EPOLLET : EPOLLONESHOT),
                           .data.fd = fd};
  int r = epoll_ctl(watch_epfd, EPOLL_CTL_MOD, fd, &ev);
  if (r < 0 && errno == ENOENT) r = epoll_ctl(watch_epfd, EPOLL_CTL_ADD, fd, &ev);
  return i32(env, r < 0 ? -errno : 0);
}

/* unwatchFd(fd) -> 0 or -errno: before the fd is closed. */
static napi_value UnwatchFd(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd = -1;
  napi_get_value_int32(env, argv[0], &fd);
  if (watch_epfd < 0) return i32(env, 0);
  return i32(env, epoll_ctl(watch_epfd, EPOLL_CTL_DEL, fd, NULL) < 0 ? -errno : 0);
}

void register_watch(napi_env env, napi_value exports) {
  EXPORT("watchInit", WatchInit);
  EXPORT("watchFd", WatchFd);
  EXPORT("unwatchFd", UnwatchFd);
}
