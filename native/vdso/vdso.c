/*
 * tsvisor's vDSO (gVisor vdso/): clock_gettime, gettimeofday and time
 * served in the application's own address space from the Sentry's clock
 * parameters (vdso_params.h), without a system call. Clocks it does not
 * know, a NULL timezone pointer's opposite, getcpu and clock_getres make the
 * system call, which the Sentry serves as any other.
 *
 * Differs from Linux: CLOCK_*_COARSE read the precise clock (their
 * resolution is still reported as the tick's); CLOCK_BOOTTIME and
 * CLOCK_MONOTONIC_RAW are CLOCK_MONOTONIC, as in the Sentry; CLOCK_TAI is
 * CLOCK_REALTIME. Like Linux's vDSO, a bad pointer faults (SIGSEGV) rather
 * than giving EFAULT.
 *
 * Built freestanding (no libc, no relocations) by binding.gyp; the linker
 * script puts the parameter page one page below the image.
 */
#include "vdso_params.h"

struct timespec_k { int64_t tv_sec; int64_t tv_nsec; };
struct timeval_k { int64_t tv_sec; int64_t tv_usec; };
struct timezone_k { int tz_minuteswest; int tz_dsttime; };

extern const volatile struct vdso_params vvar_params __attribute__((visibility("hidden")));

#define SYS_gettimeofday 96
#define SYS_time 201
#define SYS_clock_gettime 228
#define SYS_clock_getres 229
#define SYS_getcpu 309

static inline long raw_syscall2(long nr, long a, long b)
{
	long ret;
	__asm__ __volatile__("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b) : "rcx", "r11", "memory");
	return ret;
}

static inline long raw_syscall3(long nr, long a, long b, long c)
{
	long ret;
	__asm__ __volatile__("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
	return ret;
}

/* Which line a clock id reads: 0 monotonic, 1 realtime, -1 ask the Sentry. */
static inline int clock_line(int clock)
{
	switch (clock) {
	case 1: /* CLOCK_MONOTONIC */
	case 4: /* CLOCK_MONOTONIC_RAW */
	case 6: /* CLOCK_MONOTONIC_COARSE */
	case 7: /* CLOCK_BOOTTIME */
		return 0;
	case 0:  /* CLOCK_REALTIME */
	case 5:  /* CLOCK_REALTIME_COARSE */
	case 11: /* CLOCK_TAI */
		return 1;
	default:
		return -1;
	}
}

int __vdso_clock_gettime(int clock, struct timespec_k *ts)
{
	int line = clock_line(clock);
	int64_t ns;
	if (line < 0 || vdso_clock_read(&vvar_params, line, &ns) != 0)
		return (int)raw_syscall2(SYS_clock_gettime, clock, (long)ts);
	int64_t sec = ns / 1000000000;
	int64_t rem = ns - sec * 1000000000;
	if (rem < 0) {
		sec--;
		rem += 1000000000;
	}
	ts->tv_sec = sec;
	ts->tv_nsec = rem;
	return 0;
}

int __vdso_gettimeofday(struct timeval_k *tv, struct timezone_k *tz)
{
	int64_t ns;
	if (tz != 0 || vdso_clock_read(&vvar_params, 1, &ns) != 0)
		return (int)raw_syscall2(SYS_gettimeofday, (long)tv, (long)tz);
	if (tv != 0) {
		int64_t sec = ns / 1000000000;
		tv->tv_sec = sec;
		tv->tv_usec = (ns - sec * 1000000000) / 1000;
	}
	return 0;
}

long __vdso_time(long *t)
{
	int64_t ns;
	if (vdso_clock_read(&vvar_params, 1, &ns) != 0)
		return raw_syscall2(SYS_time, (long)t, 0);
	long sec = (long)(ns / 1000000000);
	if (t != 0)
		*t = sec;
	return sec;
}

int __vdso_clock_getres(int clock, struct timespec_k *res)
{
	return (int)raw_syscall2(SYS_clock_getres, clock, (long)res);
}

long __vdso_getcpu(unsigned *cpu, unsigned *node, void *cache)
{
	return raw_syscall3(SYS_getcpu, (long)cpu, (long)node, (long)cache);
}

int clock_gettime(int, struct timespec_k *) __attribute__((weak, alias("__vdso_clock_gettime")));
int gettimeofday(struct timeval_k *, struct timezone_k *) __attribute__((weak, alias("__vdso_gettimeofday")));
long time(long *) __attribute__((weak, alias("__vdso_time")));
int clock_getres(int, struct timespec_k *) __attribute__((weak, alias("__vdso_clock_getres")));
long getcpu(unsigned *, unsigned *, void *) __attribute__((weak, alias("__vdso_getcpu")));
