/*
 * What every part of tsvisor's N-API addon shares: the system headers, the
 * conventions (a failing host call returns -errno as a number, never
 * throws; argument misuse by the Sentry throws), and the argument helpers.
 * The addon is split by host mechanism, as gVisor splits its platform and
 * host packages: memory.c (the memory file), ptrace.c (stubs, ptrace, the
 * quantum), hostfiles.c (host files and descriptors), terminal.c (the
 * terminal requests, the console pty, taking a controlling terminal),
 * clock.c (clocks and randomness), watch.c (host fd
 * readiness), confine.c (the seal), control.c (the control server's
 * socket, connecting, descriptors over Unix sockets), sockets.c (the host
 * sockets behind the sandbox's inet sockets); addon.c only registers them.
 */
#ifndef TSVISOR_ADDON_H
#define TSVISOR_ADDON_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <node_api.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <linux/openat2.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <poll.h>
#include <sched.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <elf.h>
#include "vdso/vdso_params.h"

#define STUB_SYSCALL_ADDR 0x7fffff001100ULL
#define STUB_FD 3

#define CHECK(call)                                                    \
  do {                                                                 \
    napi_status s_ = (call);                                           \
    if (s_ != napi_ok) {                                               \
      napi_throw_error(env, NULL, "tsvisor native: bad arguments: " #call); \
      return NULL;                                                     \
    }                                                                  \
  } while (0)

static inline napi_value num(napi_env env, double v) {
  napi_value r;
  napi_create_double(env, v, &r);
  return r;
}

static inline napi_value i32(napi_env env, int32_t v) {
  napi_value r;
  napi_create_int32(env, v, &r);
  return r;
}

static inline int64_t arg_i64(napi_env env, napi_value v) {
  int64_t r = 0;
  napi_get_value_int64(env, v, &r);
  return r;
}

static inline double arg_f64(napi_env env, napi_value v) {
  double r = 0;
  napi_get_value_double(env, v, &r);
  return r;
}

/* Returns the data pointer and byte length of a TypedArray or ArrayBuffer. */
static inline void *arg_buf(napi_env env, napi_value v, size_t *len) {
  bool is;
  void *data = NULL;
  *len = 0;
  napi_is_typedarray(env, v, &is);
  if (is) {
    napi_typedarray_type t;
    size_t n, off;
    napi_value ab;
    napi_get_typedarray_info(env, v, &t, &n, &data, &ab, &off);
    size_t el = 1;
    switch (t) {
      case napi_int16_array: case napi_uint16_array: el = 2; break;
      case napi_int32_array: case napi_uint32_array: case napi_float32_array: el = 4; break;
      case napi_float64_array: case napi_bigint64_array: case napi_biguint64_array: el = 8; break;
      default: el = 1;
    }
    *len = n * el;
    return data;
  }
  napi_is_arraybuffer(env, v, &is);
  if (is) {
    napi_get_arraybuffer_info(env, v, &data, len);
    return data;
  }
  return NULL;
}

/* Strings cross as latin1: one char per byte, since paths are bytes. */
static inline char *arg_str(napi_env env, napi_value v, char *buf, size_t cap) {
  size_t n;
  if (napi_get_value_string_latin1(env, v, buf, cap, &n) != napi_ok) return NULL;
  if (n >= cap - 1) return NULL;
  return buf;
}

#define ARGS(n)                                   \
  size_t argc = n;                                \
  napi_value argv[n];                             \
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));

#define EXPORT(name, fn)                                                  \
  do {                                                                    \
    napi_value f_;                                                        \
    napi_create_function(env, name, NAPI_AUTO_LENGTH, fn, NULL, &f_);     \
    napi_set_named_property(env, exports, name, f_);                      \
  } while (0)

void register_memory(napi_env env, napi_value exports);
void register_ptrace(napi_env env, napi_value exports);
void register_hostfiles(napi_env env, napi_value exports);
void register_terminal(napi_env env, napi_value exports);
void register_clock(napi_env env, napi_value exports);
void register_watch(napi_env env, napi_value exports);
void confine_register(napi_env env, napi_value exports);
void register_control(napi_env env, napi_value exports);
void register_sockets(napi_env env, napi_value exports);
void register_netlink(napi_env env, napi_value exports);

#endif
