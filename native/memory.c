/*
 * The memory file: the memfd that holds every page of application memory, the
 * Sentry's own mapping of it, and giving pages back to the host.
 */
#include "addon.h"

static napi_value MemfdCreate(napi_env env, napi_callback_info info) {
  ARGS(2);
  char name[64];
  arg_str(env, argv[0], name, sizeof name);
  int64_t size = arg_i64(env, argv[1]);
  int fd = memfd_create(name, MFD_CLOEXEC);
  if (fd < 0) return i32(env, -errno);
  if (ftruncate(fd, size) < 0) {
    int e = errno;
    close(fd);
    return i32(env, -e);
  }
  return i32(env, fd);
}

static void noop_finalize(napi_env env, void *data, void *hint) {}

/* mapShared(fd, offset, length) -> ArrayBuffer over a MAP_SHARED mapping. */
static napi_value MapShared(napi_env env, napi_callback_info info) {
  ARGS(3);
  int fd = (int)arg_i64(env, argv[0]);
  int64_t off = arg_i64(env, argv[1]);
  int64_t len = arg_i64(env, argv[2]);
  void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd, off);
  if (p == MAP_FAILED) {
    napi_throw_error(env, NULL, "tsvisor native: mmap of the memory file failed");
    return NULL;
  }
  napi_value ab;
  CHECK(napi_create_external_arraybuffer(env, p, len, noop_finalize, NULL, &ab));
  return ab;
}

/* punchHole(fd, offset, length): give pages back to the host. */
static napi_value PunchHole(napi_env env, napi_callback_info info) {
  ARGS(3);
  int fd = (int)arg_i64(env, argv[0]);
  int64_t off = arg_i64(env, argv[1]);
  int64_t len = arg_i64(env, argv[2]);
  if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, len) < 0) return i32(env, -errno);
  return i32(env, 0);
}

void register_memory(napi_env env, napi_value exports) {
  EXPORT("memfdCreate", MemfdCreate);
  EXPORT("mapShared", MapShared);
  EXPORT("punchHole", PunchHole);
}
