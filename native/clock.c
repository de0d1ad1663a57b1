/*
 * Clocks and randomness: the host's clocks sampled together for the
 * timekeeper's calibration, the Sentry's own reading through the vDSO's
 * code, and getrandom.
 */
#include "addon.h"

static napi_value GetRandom(napi_env env, napi_callback_info info) {
  ARGS(1);
  size_t len;
  void *buf = arg_buf(env, argv[0], &len);
  if (!buf) return i32(env, -EFAULT);
  ssize_t n = getrandom(buf, len, 0);
  if (n < 0) return i32(env, -errno);
  return i32(env, (int32_t)n);
}

/* ---- clocks ---------------------------------------------------------- */

/*
 * clockSample(out BigInt64Array(3)): the TSC, CLOCK_MONOTONIC and
 * CLOCK_REALTIME (ns) read together, for calibration. The TSC is the
 * midpoint of two reads around the clock reads. A sample whose window is
 * wide was interrupted (preempted, or an interrupt between the reads), and
 * one such sample would skew the fitted rate for a whole refit interval,
 * so a wide one is retried a few times and the narrowest kept. An
 * uninterrupted window is a few hundred cycles; SAMPLE_WIDE is ~10 us.
 */
#define SAMPLE_WIDE 30000u
#define SAMPLE_TRIES 8
static napi_value ClockSample(napi_env env, napi_callback_info info) {
  ARGS(1);
  size_t len;
  int64_t *out = arg_buf(env, argv[0], &len);
  if (!out || len < 24) return i32(env, -EINVAL);
  uint64_t best = UINT64_MAX;
  for (int i = 0; i < SAMPLE_TRIES && best > SAMPLE_WIDE; i++) {
    struct timespec m, r;
    uint64_t c0 = vdso_rdtsc();
    clock_gettime(CLOCK_MONOTONIC, &m);
    clock_gettime(CLOCK_REALTIME, &r);
    uint64_t c1 = vdso_rdtsc();
    uint64_t w = c1 - c0;
    if (w >= best) continue;
    best = w;
    out[0] = (int64_t)(c0 + w / 2);
    out[1] = (int64_t)m.tv_sec * 1000000000 + m.tv_nsec;
    out[2] = (int64_t)r.tv_sec * 1000000000 + r.tv_nsec;
  }
  return i32(env, 0);
}

/*
 * clockRead(params, realtime, out Float64Array(2)): the Sentry's own reading
 * of a clock through the vDSO's code, so both agree to the nanosecond.
 * out = [seconds, nanoseconds]. Returns 0, or -1 when not ready.
 */
static napi_value ClockRead(napi_env env, napi_callback_info info) {
  ARGS(3);
  size_t plen, olen;
  const struct vdso_params *p = arg_buf(env, argv[0], &plen);
  double *out = arg_buf(env, argv[2], &olen);
  bool realtime = false;
  napi_get_value_bool(env, argv[1], &realtime);
  if (!p || plen < VDSO_PARAMS_SIZE || !out || olen < 16) return i32(env, -EINVAL);
  int64_t ns;
  if (vdso_clock_read(p, realtime, &ns) != 0) return i32(env, -1);
  int64_t sec = ns / 1000000000, rem = ns % 1000000000;
  if (rem < 0) { sec--; rem += 1000000000; }
  out[0] = (double)sec;
  out[1] = (double)rem;
  return i32(env, 0);
}


void register_clock(napi_env env, napi_value exports) {
  EXPORT("getRandom", GetRandom);
  EXPORT("clockSample", ClockSample);
  EXPORT("clockRead", ClockRead);
}
