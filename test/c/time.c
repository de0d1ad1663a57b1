/*
 * Time: clock_gettime, clock_getres, gettimeofday, time, nanosleep,
 * clock_nanosleep, through raw system calls (the vDSO would hide the error
 * cases and would fault on bad pointers). Only relations are printed.
 */
#include "common.h"
#include <time.h>
#include <sys/time.h>

static long ns(const struct timespec *t)
{
	return t->tv_sec * 1000000000L + t->tv_nsec;
}

/* A timespec that stays valid for a few calls (macro arguments cannot hold
 * compound literals with commas). */
static struct timespec *ts(long sec, long nsec)
{
	static struct timespec ring[8];
	static int i;
	struct timespec *t = &ring[i++ % 8];
	t->tv_sec = sec;
	t->tv_nsec = nsec;
	return t;
}

static long now(clockid_t c)
{
	struct timespec t;
	SYS(SYS_clock_gettime, c, &t);
	return ns(&t);
}

int main(void)
{
	struct timespec t1, t2, res;
	struct timeval tv;
	long r;

	/* --- clock_gettime --------------------------------------------- */
	static const struct { clockid_t id; const char *name; } clocks[] = {
		{CLOCK_REALTIME, "realtime"},
		{CLOCK_MONOTONIC, "monotonic"},
		{CLOCK_PROCESS_CPUTIME_ID, "process_cputime"},
		{CLOCK_THREAD_CPUTIME_ID, "thread_cputime"},
		{CLOCK_MONOTONIC_RAW, "monotonic_raw"},
		{CLOCK_REALTIME_COARSE, "realtime_coarse"},
		{CLOCK_MONOTONIC_COARSE, "monotonic_coarse"},
		{CLOCK_BOOTTIME, "boottime"},
	};
	for (unsigned i = 0; i < sizeof clocks / sizeof clocks[0]; i++) {
		char name[64];
		memset(&t1, 0xff, sizeof t1);
		snprintf(name, sizeof name, "clock_gettime_%s", clocks[i].name);
		r = show(name, SYS(SYS_clock_gettime, clocks[i].id, &t1));
		snprintf(name, sizeof name, "clock_gettime_%s_valid", clocks[i].name);
		show_bool(name, r == 0 && t1.tv_sec >= 0 && t1.tv_nsec >= 0 && t1.tv_nsec < 1000000000L);
		memset(&res, 0xff, sizeof res);
		snprintf(name, sizeof name, "clock_getres_%s", clocks[i].name);
		r = show(name, SYS(SYS_clock_getres, clocks[i].id, &res));
		snprintf(name, sizeof name, "clock_getres_%s_valid", clocks[i].name);
		show_bool(name, r == 0 && res.tv_sec == 0 && res.tv_nsec > 0 && res.tv_nsec <= 10000000L);
	}
	show("clock_getres_null", SYS(SYS_clock_getres, CLOCK_MONOTONIC, NULL));
	show_bool("realtime_after_2020", now(CLOCK_REALTIME) > 1577836800L * 1000000000L);
	{
		int ok = 1;
		long prev = now(CLOCK_MONOTONIC);
		for (int i = 0; i < 1000; i++) {
			long n = now(CLOCK_MONOTONIC);
			if (n < prev)
				ok = 0;
			prev = n;
		}
		show_bool("monotonic_never_decreases", ok);
	}
	{
		long a = now(CLOCK_PROCESS_CPUTIME_ID);
		volatile unsigned long x = 0;
		for (unsigned long i = 0; i < 20000000UL; i++)
			x += i;
		long b = now(CLOCK_PROCESS_CPUTIME_ID);
		show_bool("process_cputime_advances", b > a);
	}
	show("clock_gettime_bad_clock", SYS(SYS_clock_gettime, 999, &t1));
	show("clock_gettime_bad_clock_16", SYS(SYS_clock_gettime, 16, &t1));
	show("clock_gettime_efault", SYS(SYS_clock_gettime, CLOCK_MONOTONIC, BADPTR1));
	show("clock_gettime_efault_kernel", SYS(SYS_clock_gettime, CLOCK_REALTIME, KADDR));
	show("clock_gettime_null", SYS(SYS_clock_gettime, CLOCK_REALTIME, NULL));
	show("clock_getres_bad_clock", SYS(SYS_clock_getres, 999, &res));
	show("clock_getres_efault", SYS(SYS_clock_getres, CLOCK_MONOTONIC, BADPTR1));

	/* --- gettimeofday / time ---------------------------------------- */
	show("gettimeofday", SYS(SYS_gettimeofday, &tv, NULL));
	{
		long rt = now(CLOCK_REALTIME) / 1000;
		long g = tv.tv_sec * 1000000L + tv.tv_usec;
		show_bool("gettimeofday_near_realtime", rt - g >= 0 && rt - g < 5000000L);
		show_bool("gettimeofday_usec_valid", tv.tv_usec >= 0 && tv.tv_usec < 1000000);
	}
	show("gettimeofday_null", SYS(SYS_gettimeofday, NULL, NULL));
	show("gettimeofday_efault", SYS(SYS_gettimeofday, BADPTR1, NULL));
	show("gettimeofday_efault_kernel", SYS(SYS_gettimeofday, KADDR, NULL));
	{
		time_t tt = 0;
		long t = SYS(SYS_time, &tt);
		show_bool("time_matches_out", t == tt);
		long rt = now(CLOCK_REALTIME) / 1000000000L;
		show_bool("time_near_realtime", rt - t >= 0 && rt - t < 5);
		show_bool("time_null", SYS(SYS_time, NULL) > 1577836800L);
		show("time_efault", SYS(SYS_time, BADPTR1));
	}

	/* --- nanosleep --------------------------------------------------- */
	{
		struct timespec req = {0, 10 * 1000 * 1000}, rem = {99, 99};
		long a = now(CLOCK_MONOTONIC);
		show("nanosleep_10ms", SYS(SYS_nanosleep, &req, &rem));
		long d = now(CLOCK_MONOTONIC) - a;
		show_bool("nanosleep_10ms_elapsed", d >= 10 * 1000 * 1000L && d < 5000 * 1000 * 1000L);
		show("nanosleep_zero", SYS(SYS_nanosleep, ts(0, 0), NULL));
		show("nanosleep_nsec_1e9", SYS(SYS_nanosleep, ts(0, 1000000000L), NULL));
		show("nanosleep_nsec_neg", SYS(SYS_nanosleep, ts(0, -1), NULL));
		show("nanosleep_sec_neg", SYS(SYS_nanosleep, ts(-1, 0), NULL));
		show("nanosleep_efault", SYS(SYS_nanosleep, BADPTR1, NULL));
		show("nanosleep_null", SYS(SYS_nanosleep, NULL, NULL));
		show("nanosleep_kernel", SYS(SYS_nanosleep, KADDR, NULL));
	}

	/* --- clock_nanosleep --------------------------------------------- */
	{
		struct timespec req = {0, 10 * 1000 * 1000};
		long a = now(CLOCK_MONOTONIC);
		show("clock_nanosleep_rel", SYS(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &req, NULL));
		long d = now(CLOCK_MONOTONIC) - a;
		show_bool("clock_nanosleep_rel_elapsed", d >= 10 * 1000 * 1000L && d < 5000 * 1000 * 1000L);
		SYS(SYS_clock_gettime, CLOCK_MONOTONIC, &t1);
		long target = ns(&t1) + 10 * 1000 * 1000L;
		t2.tv_sec = target / 1000000000L;
		t2.tv_nsec = target % 1000000000L;
		show("clock_nanosleep_abs", SYS(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &t2, NULL));
		show_bool("clock_nanosleep_abs_reached", now(CLOCK_MONOTONIC) >= target);
		show("clock_nanosleep_abs_past", SYS(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME,
						     ts(1, 0), NULL));
		SYS(SYS_clock_gettime, CLOCK_REALTIME, &t1);
		long rtarget = ns(&t1) + 5 * 1000 * 1000L;
		t2.tv_sec = rtarget / 1000000000L;
		t2.tv_nsec = rtarget % 1000000000L;
		show("clock_nanosleep_realtime_abs", SYS(SYS_clock_nanosleep, CLOCK_REALTIME, TIMER_ABSTIME, &t2, NULL));
		show("clock_nanosleep_boottime", SYS(SYS_clock_nanosleep, CLOCK_BOOTTIME, 0, ts(0, 1000), NULL));
		show("clock_nanosleep_bad_clock", SYS(SYS_clock_nanosleep, 999, 0, &req, NULL));
		show("clock_nanosleep_thread_cputime", SYS(SYS_clock_nanosleep, CLOCK_THREAD_CPUTIME_ID, 0, &req, NULL));
		show("clock_nanosleep_nsec_1e9", SYS(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0,
						     ts(0, 1000000000L), NULL));
		show("clock_nanosleep_sec_neg", SYS(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0,
						    ts(-1, 0), NULL));
		show("clock_nanosleep_efault", SYS(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, BADPTR1, NULL));
		show("clock_nanosleep_badflags_ok", SYS(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0x100,
							ts(0, 1000), NULL));
	}

	printf("done\n");
	return 0;
}
