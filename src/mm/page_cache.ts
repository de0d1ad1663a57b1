// The page cache (gVisor's fsutil.FileRangeSet, in part): the contents of
// files that programs map privately (executables, libraries, locale data),
// read once into the memory file and shared by every mapping of them, in
// this and every other address space. Mappings take the pages
// copy-on-write, so a write (relocations, the bss in a last page, a
// debugger's breakpoint) copies the page it touches and the cache never
// changes.
//
// A file is known by its identity on the host (Mappable.cacheKey: device,
// inode, size and modification time), so a file replaced on the host is a
// new entry. The cache owns one reference on each chunk it holds; when it
// holds CACHE_LIMIT bytes it stops adding, and mappings then get private
// copies as before. When the sandbox's memory runs out, shrink() gives back
// every chunk no mapping holds any more (the fault path asks before it
// reports ENOMEM), so cached files never cost a program its memory.

import type { MemoryFile } from '../memory/memory_file.js';
import type { Mappable } from './vma.js';

/** Cached pieces of a file: aligned in the file, and the most a fault maps at once. */
export const CACHE_CHUNK = 512 * 1024;
const CACHE_LIMIT = 512 * 1024 * 1024;

export class PageCache {
  /** cacheKey -> chunk index -> memory-file offset. */
  private readonly files = new Map<string, Map<number, number>>();
  private bytes = 0;

  constructor(private readonly mf: MemoryFile) {}

  /** Bytes of memory-file pages the cache holds now (/proc/meminfo's Cached: reclaimable by shrink). */
  get cachedBytes(): number {
    return this.bytes;
  }

  /**
   * The memory-file offset of the CACHE_CHUNK of file at fileOff (a
   * multiple of CACHE_CHUNK), read in now if need be; -1 when the file
   * cannot be cached or the cache is full.
   */
  chunk(file: Mappable, fileOff: number): number {
    const key = file.cacheKey;
    if (key === undefined || key === null) return -1;
    let chunks = this.files.get(key);
    const idx = fileOff / CACHE_CHUNK;
    const have = chunks?.get(idx);
    if (have !== undefined) return have;
    if (this.bytes + CACHE_CHUNK > CACHE_LIMIT) return -1;
    const off = this.mf.allocate(CACHE_CHUNK);
    if (off < 0) return -1;
    file.readAt(this.mf.view(off, CACHE_CHUNK), fileOff);
    if (chunks === undefined) {
      chunks = new Map();
      this.files.set(key, chunks);
    }
    chunks.set(idx, off);
    this.bytes += CACHE_CHUNK;
    return off;
  }

  /** Frees the chunks that only the cache holds; returns the bytes freed. */
  shrink(): number {
    let freed = 0;
    for (const [key, chunks] of this.files) {
      for (const [idx, off] of chunks) {
        if (this.mf.isShared(off, CACHE_CHUNK)) continue;
        this.mf.deallocate(off, CACHE_CHUNK);
        chunks.delete(idx);
        freed += CACHE_CHUNK;
      }
      if (chunks.size === 0) this.files.delete(key);
    }
    this.bytes -= freed;
    return freed;
  }
}
