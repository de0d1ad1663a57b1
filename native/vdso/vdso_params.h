/*
 * The page the Sentry shares with every vDSO (the "[vvar]" page just below
 * it): the parameters of the sandbox's clocks, as straight lines in the
 * TSC. Both the vDSO and the Sentry's own clock_gettime read time through
 * vdso_clock_read(), so an application sees one clock whichever way it asks.
 *
 * The Sentry (src/kernel/timekeeper.ts) writes the page as a seqlock: seq is
 * odd while it writes. ready is 0 until the TSC has been calibrated, and
 * stays 0 on hosts whose TSC is not constant and non-stop; the vDSO then
 * makes the system call.
 */
#ifndef TSVISOR_VDSO_PARAMS_H
#define TSVISOR_VDSO_PARAMS_H

#include <stdint.h>

struct vdso_params {
	uint64_t seq;
	uint64_t ready;
	uint64_t base_cycles;
	/* CLOCK_MONOTONIC (ns since the sandbox booted) and CLOCK_REALTIME (ns
	 * since the epoch) at base_cycles, and each clock's ns per cycle << 32. */
	int64_t mono_base;
	uint64_t mono_mult;
	int64_t real_base;
	uint64_t real_mult;
};

#define VDSO_PARAMS_SIZE (7 * 8)

static inline uint64_t vdso_rdtsc(void)
{
	uint32_t lo, hi;
	/* lfence keeps the read from moving before the seqlock's loads. */
	__asm__ __volatile__("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

/*
 * Reads CLOCK_REALTIME (realtime != 0) or CLOCK_MONOTONIC into *ns. Returns
 * 0, or -1 when the clock is not ready or the Sentry kept the page busy
 * (the caller then asks the Sentry with a system call).
 */
static inline int vdso_clock_read(const volatile struct vdso_params *p, int realtime, int64_t *ns)
{
	for (int tries = 0; tries < 1000; tries++) {
		uint64_t seq = p->seq;
		__asm__ __volatile__("" : : : "memory");
		if (seq & 1) {
			__asm__ __volatile__("pause");
			continue;
		}
		if (!p->ready)
			return -1;
		uint64_t now = vdso_rdtsc();
		uint64_t base = p->base_cycles;
		uint64_t delta = now > base ? now - base : 0;
		uint64_t mult = realtime ? p->real_mult : p->mono_mult;
		int64_t v = (realtime ? p->real_base : p->mono_base) +
			    (int64_t)(((unsigned __int128)delta * mult) >> 32);
		__asm__ __volatile__("" : : : "memory");
		if (p->seq == seq) {
			*ns = v;
			return 0;
		}
	}
	return -1;
}

#endif
