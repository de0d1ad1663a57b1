/*
 * tsvisor's host interface: a thin N-API layer over the host system calls
 * the Sentry needs and Node's own `fs` lacks. Mechanism only, no policy:
 * every decision about what the application may do is made in TypeScript.
 *
 * Conventions: functions that can fail return a negative errno as a number
 * (never throw for a host errno), so the Sentry can map it to the
 * application's errno on its hot paths without exceptions. Argument misuse
 * by the Sentry itself (wrong types) throws.
 *
 * Every ptrace request must come from the thread that attached (the Node
 * main thread): this addon is only ever called from it.
 *
 * This file only registers the parts (addon.h lists them, one per host
 * mechanism).
 */
#include "addon.h"

static napi_value Init(napi_env env, napi_value exports) {
  confine_register(env, exports);
  register_watch(env, exports);
  register_memory(env, exports);
  register_ptrace(env, exports);
  register_hostfiles(env, exports);
  register_terminal(env, exports);
  register_clock(env, exports);
  register_control(env, exports);
  register_sockets(env, exports);
  register_netlink(env, exports);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
