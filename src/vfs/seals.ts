// File seals (Linux mm/memfd.c and the seal checks of mm/shmem.c; gVisor
// fsimpl/tmpfs regular_file.go AddSeals): what a memfd made with
// MFD_ALLOW_SEALING lets its holders promise about it, with F_ADD_SEALS,
// and what every later write, resize, fallocate, chmod and shared mapping
// of the file must then keep:
//
//   F_SEAL_SEAL          no more seals
//   F_SEAL_SHRINK        the size may not go down
//   F_SEAL_GROW          the size may not go up (writes past it, fallocate)
//   F_SEAL_WRITE         no write(2), no fallocate that changes data, no new
//                        writable shared mapping; refused (EBUSY) while one
//                        exists
//   F_SEAL_FUTURE_WRITE  as F_SEAL_WRITE, but mappings that exist may write
//   F_SEAL_EXEC          the exec bits may not change
//
// A file system whose files can be sealed (tmpfs regular files) gives each
// file an Inode.seals: null until it is made sealable (then it behaves as
// F_SEAL_SEAL alone), a FileSeals for a memfd that allows sealing. The
// file system calls the checks below from its write, truncate, fallocate,
// setattr and mapping paths; fcntl's F_ADD_SEALS/F_GET_SEALS use add()
// and the seals.
//
// Differs from Linux: no page is ever pinned (no io_uring or direct I/O
// holds file pages), so F_SEAL_WRITE never waits for pins.

import { EBUSY, EINVAL, EPERM } from '../abi/linux/errno.js';

export const F_SEAL_SEAL = 0x1, F_SEAL_SHRINK = 0x2, F_SEAL_GROW = 0x4, F_SEAL_WRITE = 0x8,
  F_SEAL_FUTURE_WRITE = 0x10, F_SEAL_EXEC = 0x20;
export const F_ALL_SEALS = 0x3f;
const ANY_WRITE = F_SEAL_WRITE | F_SEAL_FUTURE_WRITE;
const PAGE_SIZE = 4096;
const PROT_WRITE = 2;

export class FileSeals {
  /** Shared mappings of the file that may write (Linux's i_mmap_writable), counted while their VMAs exist. */
  writableMaps = 0;

  constructor(public seals: number) {}

  /**
   * F_ADD_SEALS (memfd_add_seals) on a file of `mode`, once the caller has
   * checked that the description is writable.
   */
  add(seals: number, mode: number): number {
    if (seals & ~F_ALL_SEALS) return -EINVAL;
    if (this.seals & F_SEAL_SEAL) return -EPERM;
    if (seals & F_SEAL_WRITE && !(this.seals & F_SEAL_WRITE) && this.writableMaps > 0) return -EBUSY;
    // F_SEAL_EXEC on an executable file seals writing too (W^X), as Linux does after the EBUSY check.
    if (seals & F_SEAL_EXEC && mode & 0o111) seals |= F_SEAL_SHRINK | F_SEAL_GROW | ANY_WRITE;
    this.seals |= seals;
    return 0;
  }

  /**
   * How many of `total` bytes a write at pos may write to a file of
   * `size`, or -EPERM. Linux checks F_SEAL_GROW page by page
   * (shmem_write_begin), so a write that would grow the file writes the
   * pages that lie below the size and stops at the first that does not.
   */
  writeLimit(pos: number, total: number, size: number): number {
    if (this.seals & ANY_WRITE) return -EPERM;
    if (!(this.seals & F_SEAL_GROW) || pos + total <= size) return total;
    const lastWhole = Math.floor(size / PAGE_SIZE) * PAGE_SIZE;
    // Chunks end at page boundaries; those ending at or below the size pass.
    const n = lastWhole > pos ? lastWhole - pos : 0;
    return n > 0 ? n : -EPERM;
  }

  /** A size change (truncate, O_TRUNC, ftruncate). */
  resize(oldSize: number, newSize: number): number {
    if (newSize < oldSize && this.seals & F_SEAL_SHRINK) return -EPERM;
    if (newSize > oldSize && this.seals & F_SEAL_GROW) return -EPERM;
    return 0;
  }

  /** fallocate(2) with mode; `changesData` for a punch or zero (shmem_fallocate). */
  fallocate(changesData: boolean, end: number, size: number): number {
    if (changesData && this.seals & ANY_WRITE) return -EPERM;
    if (this.seals & F_SEAL_GROW && end > size) return -EPERM;
    return 0;
  }

  /** chmod: F_SEAL_EXEC keeps the exec bits. */
  chmod(oldMode: number, newMode: number): number {
    return this.seals & F_SEAL_EXEC && ((oldMode ^ newMode) & 0o111) !== 0 ? -EPERM : 0;
  }

  /**
   * A new MAP_SHARED mapping with prot by a description that may write
   * (mayWrite) or not (Linux's seal_check_write): -EPERM for a writable
   * one on a write-sealed file, else whether the mapping may ever write
   * (a read-only one on a sealed file may not become writable).
   */
  mapShared(prot: number, mayWrite: boolean): boolean | number {
    if (!(this.seals & ANY_WRITE)) return mayWrite;
    if (prot & PROT_WRITE && mayWrite) return -EPERM;
    return false;
  }
}
