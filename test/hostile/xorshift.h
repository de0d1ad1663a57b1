/*
 * The fuzzers' random numbers (sockfuzz.c, ipcfuzz.c): xorshift64, seeded
 * by setting rng (never 0), so a seed replays the same calls.
 */
#ifndef TSVISOR_HOSTILE_XORSHIFT_H
#define TSVISOR_HOSTILE_XORSHIFT_H

#include <stdint.h>

static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

#endif
