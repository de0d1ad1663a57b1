// A bounded FIFO of bytes for the terminal queues: a ring that grows on
// demand up to its bound, so an idle pty costs the Sentry a few bytes,
// not its queues' worth (the bound is what the pty charges the buffer
// budget for).

export class ByteQueue {
  private ring = new Uint8Array(64);
  private head = 0;
  length = 0;

  constructor(readonly max: number) {}

  get room(): number {
    return this.max - this.length;
  }

  private grow(need: number): void {
    let cap = this.ring.length;
    while (cap < need) cap *= 2;
    cap = Math.min(cap, this.max);
    const r = new Uint8Array(cap);
    this.copyTo(r, 0, this.length);
    this.ring = r;
    this.head = 0;
  }

  /** Appends c; false if full. */
  push(c: number): boolean {
    if (this.length >= this.max) return false;
    if (this.length === this.ring.length) this.grow(this.length + 1);
    this.ring[(this.head + this.length) % this.ring.length] = c;
    this.length++;
    return true;
  }

  /** Appends as much of src as fits; returns how much. */
  pushBytes(src: Uint8Array): number {
    const n = Math.min(src.length, this.room);
    if (this.length + n > this.ring.length) this.grow(this.length + n);
    for (let i = 0; i < n; i++) this.ring[(this.head + this.length + i) % this.ring.length] = src[i];
    this.length += n;
    return n;
  }

  /** The byte at position i from the front. */
  at(i: number): number {
    return this.ring[(this.head + i) % this.ring.length];
  }

  /** Removes and returns the first byte (the queue must not be empty). */
  shift(): number {
    const c = this.ring[this.head];
    this.head = (this.head + 1) % this.ring.length;
    this.length--;
    return c;
  }

  /** Removes the last byte. */
  pop(): number {
    this.length--;
    return this.ring[(this.head + this.length) % this.ring.length];
  }

  /** Copies the first n bytes to dst at off without removing them. */
  copyTo(dst: Uint8Array, off: number, n: number): void {
    for (let i = 0; i < n; i++) dst[off + i] = this.ring[(this.head + i) % this.ring.length];
  }

  /** Drops the first n bytes. */
  drop(n: number): void {
    this.head = (this.head + n) % this.ring.length;
    this.length -= n;
    if (this.length === 0) this.head = 0;
  }

  clear(): void {
    this.head = 0;
    this.length = 0;
    if (this.ring.length > 4096) this.ring = new Uint8Array(64);
  }
}
