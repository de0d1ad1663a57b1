// The VMA set of one address space (gVisor's vmaSet, a segment set): the
// VMAs in address order, disjoint, with O(log n) find, insert and remove and
// ordered iteration. It is a treap (a binary search tree whose nodes also
// carry random priorities, kept in heap order, which keeps it balanced in
// expectation whatever order the application maps in). The application
// cannot choose the priorities, so it cannot make the tree deep.
//
// Each node also knows the gap below its VMA (from the previous VMA's end,
// or the lowest user address) and the largest gap in its subtree, as
// Linux's VMA tree is augmented with rb_subtree_gap: finding free space for
// mmap is then O(log n) too, where walking the gaps one by one made 65,000
// packed mmap calls quadratic.
//
// The set also keeps what the limits need without a walk: the VMA count
// (vm.max_map_count and the sandbox's VMA budget, see
// src/memory/vma_budget.ts), total_vm (RLIMIT_AS) and data_vm
// (RLIMIT_DATA). Whoever changes a VMA's extent or protection in place
// calls unaccount() before and account() after.
//
// Differs from Linux: neighbours are never merged, so a program that maps
// page by page with the same protection has one VMA per call where Linux has
// one in all (the budget and max_map_count count them as they are).

import type { Vma } from './vma.js';
import { isData } from './vma.js';
import type { VmaBudget } from '../memory/vma_budget.js';

/** vm.max_map_count: the most VMAs an address space may have (Linux's default). */
export const MAX_MAP_COUNT = 65530;

interface Node {
  vma: Vma;
  prio: number;
  left: Node | null;
  right: Node | null;
  /** Free bytes just below vma.start. */
  gap: number;
  /** The largest gap in this subtree. */
  maxGap: number;
}

function pull(n: Node): void {
  let m = n.gap;
  if (n.left !== null && n.left.maxGap > m) m = n.left.maxGap;
  if (n.right !== null && n.right.maxGap > m) m = n.right.maxGap;
  n.maxGap = m;
}

/** Splits t into (start < key) and (start >= key). */
function split(t: Node | null, key: number): [Node | null, Node | null] {
  if (t === null) return [null, null];
  if (t.vma.start < key) {
    const [l, r] = split(t.right, key);
    t.right = l;
    pull(t);
    return [t, r];
  }
  const [l, r] = split(t.left, key);
  t.left = r;
  pull(t);
  return [l, t];
}

/** Joins a and b, every key of a below every key of b. */
function merge(a: Node | null, b: Node | null): Node | null {
  if (a === null) return b;
  if (b === null) return a;
  if (a.prio > b.prio) {
    a.right = merge(a.right, b);
    pull(a);
    return a;
  }
  b.left = merge(a, b.left);
  pull(b);
  return b;
}

function rightmost(t: Node | null): Node | null {
  if (t === null) return null;
  while (t.right !== null) t = t.right;
  return t;
}

/** Sets the gap of t's leftmost node to the space between floor and its start. */
function setFirstGap(t: Node | null, floor: number): void {
  if (t === null) return;
  if (t.left === null) t.gap = t.vma.start - floor;
  else setFirstGap(t.left, floor);
  pull(t);
}

/** The highest node with start < key whose gap is at least len. */
function highestGap(n: Node | null, key: number, len: number): Node | null {
  while (n !== null && n.maxGap >= len) {
    if (n.vma.start < key) {
      const r = highestGap(n.right, key, len);
      if (r !== null) return r;
      if (n.gap >= len) return n;
    }
    n = n.left;
  }
  return null;
}

/** The lowest node with start > key whose gap is at least len. */
function lowestGap(n: Node | null, key: number, len: number): Node | null {
  while (n !== null && n.maxGap >= len) {
    if (n.vma.start > key) {
      const l = lowestGap(n.left, key, len);
      if (l !== null) return l;
      if (n.gap >= len) return n;
    }
    n = n.right;
  }
  return null;
}

export class VmaSet {
  private root: Node | null = null;
  private count = 0;
  /** Bytes mapped in all (Linux's total_vm, in bytes). */
  totalBytes = 0;
  /** Bytes of private writable non-stack mappings (Linux's data_vm, in bytes). */
  dataBytes = 0;

  constructor(
    private readonly budget: VmaBudget,
    /** The lowest user address: the bottom of the first gap. */
    private readonly minAddr: number,
    /** The top of the last gap. */
    private readonly maxAddr: number,
  ) {}

  get size(): number {
    return this.count;
  }

  /**
   * Whether n more VMAs fit: under max_map_count and in the sandbox's
   * budget. Checked before an operation that may add up to n, so that it
   * fails whole (ENOMEM) rather than half done.
   */
  canGrow(n: number): boolean {
    return this.count + n <= MAX_MAP_COUNT && this.budget.canCharge(n);
  }

  /** The first VMA with end > addr (the one containing addr, or the next one up). */
  lowerBound(addr: number): Vma | undefined {
    let n = this.root;
    let best: Vma | undefined;
    while (n !== null) {
      if (n.vma.end > addr) {
        best = n.vma;
        n = n.left;
      } else n = n.right;
    }
    return best;
  }

  /** The last VMA with start < addr. */
  below(addr: number): Vma | undefined {
    let n = this.root;
    let best: Vma | undefined;
    while (n !== null) {
      if (n.vma.start < addr) {
        best = n.vma;
        n = n.right;
      } else n = n.left;
    }
    return best;
  }

  /** The VMA containing addr. */
  find(addr: number): Vma | undefined {
    const v = this.lowerBound(addr);
    return v !== undefined && v.start <= addr ? v : undefined;
  }

  /** The VMA after v. */
  next(v: Vma): Vma | undefined {
    return this.lowerBound(v.end);
  }

  /** Whether any VMA overlaps [start, end). */
  overlaps(start: number, end: number): boolean {
    const v = this.lowerBound(start);
    return v !== undefined && v.start < end;
  }

  /** Adds v (which must not overlap any VMA), charging the budget. */
  insert(v: Vma): void {
    const [l, r] = split(this.root, v.start);
    const gap = v.start - (rightmost(l)?.vma.end ?? this.minAddr);
    const node: Node = { vma: v, prio: Math.random(), left: null, right: null, gap, maxGap: gap };
    setFirstGap(r, v.end);
    this.root = merge(merge(l, node), r);
    this.count++;
    this.budget.charge(1);
    this.account(v);
  }

  /** Removes v, uncharging the budget. */
  remove(v: Vma): void {
    const [l, rest] = split(this.root, v.start);
    const [mid, r] = split(rest, v.start + 1);
    if (mid === null || mid.vma !== v) throw new Error('VmaSet.remove: not in the set');
    setFirstGap(r, rightmost(l)?.vma.end ?? this.minAddr);
    this.root = merge(l, r);
    this.count--;
    this.budget.uncharge(1);
    this.unaccount(v);
  }

  /** Moves v's end (its start stays): the gap above it changes. */
  setEnd(v: Vma, end: number): void {
    this.remove(v);
    v.end = end;
    this.insert(v);
  }

  /**
   * The highest address of a free range of len bytes that ends at or below
   * ceiling, or -1.
   */
  freeBelow(len: number, ceiling: number): number {
    const straddle = this.lowerBound(ceiling);
    if (straddle !== undefined && straddle.start < ceiling) ceiling = straddle.start;
    const prev = this.below(ceiling);
    const floor = prev?.end ?? this.minAddr;
    if (ceiling - floor >= len) return ceiling - len;
    if (prev === undefined) return -1;
    const n = highestGap(this.root, prev.start + 1, len);
    return n === null ? -1 : n.vma.start - len;
  }

  /** The lowest address of a free range of len bytes at or above floor (and below maxAddr), or -1. */
  freeAbove(len: number, floor: number): number {
    const inside = this.find(floor);
    if (inside !== undefined) floor = inside.end;
    const next = this.lowerBound(floor);
    if ((next?.start ?? this.maxAddr) - floor >= len) return floor;
    if (next === undefined) return -1;
    const n = lowestGap(this.root, next.start, len);
    if (n !== null) return n.vma.start - n.gap;
    const last = rightmost(this.root) as Node;
    return this.maxAddr - last.vma.end >= len ? last.vma.end : -1;
  }

  /** Adds v's extent to the totals (after an in-place change). */
  account(v: Vma): void {
    const len = v.end - v.start;
    this.totalBytes += len;
    if (isData(v)) this.dataBytes += len;
  }

  /** Takes v's extent out of the totals (before an in-place change). */
  unaccount(v: Vma): void {
    const len = v.end - v.start;
    this.totalBytes -= len;
    if (isData(v)) this.dataBytes -= len;
  }

  /** Calls fn for each VMA overlapping [start, end), in order; fn may not change the set. */
  forRange(start: number, end: number, fn: (v: Vma) => void): void {
    for (let v = this.lowerBound(start); v !== undefined && v.start < end; v = this.next(v)) fn(v);
  }

  /** Every VMA, in address order. */
  *[Symbol.iterator](): Iterator<Vma> {
    const stack: Node[] = [];
    let n = this.root;
    while (n !== null || stack.length > 0) {
      while (n !== null) {
        stack.push(n);
        n = n.left;
      }
      const top = stack.pop() as Node;
      yield top.vma;
      n = top.right;
    }
  }

  /**
   * A copy with the same shape (so no rebalancing): each VMA is made by
   * copy(v). The caller has checked canGrow(size) for the copy.
   */
  clone(copy: (v: Vma) => Vma): VmaSet {
    const c = new VmaSet(this.budget, this.minAddr, this.maxAddr);
    const walk = (n: Node | null): Node | null => {
      if (n === null) return null;
      const left = walk(n.left);
      const vma = copy(n.vma);
      c.account(vma);
      return { vma, prio: n.prio, left, right: walk(n.right), gap: n.gap, maxGap: n.maxGap };
    };
    c.root = walk(this.root);
    c.count = this.count;
    this.budget.charge(this.count);
    return c;
  }

  /** Empties the set, uncharging the budget; returns the VMAs that were in it. */
  clear(): Vma[] {
    const all = [...this];
    this.budget.uncharge(this.count);
    this.root = null;
    this.count = 0;
    this.totalBytes = 0;
    this.dataBytes = 0;
    return all;
  }
}
