// The sandbox's VMA budget: how many VMAs all its address spaces may hold
// together. Each VMA is a JavaScript object on the Sentry's heap, and fork
// copies them all, so the per-process cap (vm.max_map_count, 65,530) times
// the task cap (1,024) is far past what V8's heap holds: about 65,000
// mappings copied by 300 forks crashed Node. With the budget, the VMA that
// does not fit fails its mmap, mprotect, munmap (a split) or mremap with
// ENOMEM, and fork with ENOMEM (as Linux's dup_mmap does when it cannot
// allocate), long before the heap is at risk.
//
// Not Linux: Linux bounds kernel memory with the memory cgroup; here the
// Sentry's own heap is the resource, so it has a budget of its own.

import { getHeapStatistics } from 'node:v8';

/**
 * Heap cost of a VMA, measured (heapUsed after gc, 100,000 one-page
 * mappings, Node 20 on x86-64): 193 bytes for an untouched VMA with its
 * node in the VMA set, 364 bytes once it has a PMA; each fork's copy costs
 * 282 bytes per VMA and about 2.3 µs of CPU per VMA (150 ms for 65,000).
 * Rounded up, for VMAs with a few PMAs.
 */
export const HEAP_BYTES_PER_VMA = 400;

/** The share of V8's heap limit that VMAs may take: the rest is for every other object of the Sentry. */
const HEAP_SHARE = 0.25;

/** The default budget: a quarter of the heap limit at HEAP_BYTES_PER_VMA each (about 2.7 million with a 4 GiB heap). */
export function defaultVmaBudget(): number {
  return Math.floor((getHeapStatistics().heap_size_limit * HEAP_SHARE) / HEAP_BYTES_PER_VMA);
}

export class VmaBudget {
  used = 0;

  constructor(readonly limit: number = defaultVmaBudget()) {}

  canCharge(n: number): boolean {
    return this.used + n <= this.limit;
  }

  /** Counts n VMAs; callers check canCharge first (an operation fails whole or not at all). */
  charge(n: number): void {
    this.used += n;
  }

  uncharge(n: number): void {
    this.used -= n;
  }
}
