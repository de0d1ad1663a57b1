// Device numbers for file systems with no device of their own (Linux's
// get_anon_bdev): major 0, a minor per instance, so st_dev tells instances
// apart. Minors below 64 are left to the fixed pseudo file systems
// (pipefs 12, anon_inodefs 13, the synthetic /dev, /proc, /sys).

import { makeDev } from './stat.js';

let nextMinor = 64;
const MINOR_MAX = (1 << 20) - 1;

/** A device number no other instance has (minors wrap after 2^20, far past the mount limit). */
export function allocAnonDev(): number {
  const m = nextMinor;
  nextMinor = nextMinor >= MINOR_MAX ? 64 : nextMinor + 1;
  return makeDev(0, m);
}
