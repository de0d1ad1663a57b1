// File attributes in the shape of x86-64 `struct stat`, and their
// encodings for stat(2) and statx(2).

export const S_IFMT = 0o170000, S_IFSOCK = 0o140000, S_IFLNK = 0o120000, S_IFREG = 0o100000, S_IFBLK = 0o060000,
  S_IFDIR = 0o040000, S_IFCHR = 0o020000, S_IFIFO = 0o010000;

export class Stat {
  dev = 0;
  ino = 0;
  nlink = 1;
  mode = 0;
  uid = 0;
  gid = 0;
  rdev = 0;
  size = 0;
  blksize = 4096;
  blocks = 0;
  atimeSec = 0; atimeNsec = 0;
  mtimeSec = 0; mtimeNsec = 0;
  ctimeSec = 0; ctimeNsec = 0;
  /** Birth time, for file systems that keep one (statx STATX_BTIME); -1: none. */
  btimeSec = -1; btimeNsec = 0;

  get type(): number {
    return this.mode & S_IFMT;
  }
  isDir(): boolean { return this.type === S_IFDIR; }
  isReg(): boolean { return this.type === S_IFREG; }
  isLink(): boolean { return this.type === S_IFLNK; }

  /** Decodes the host's raw struct stat (144 bytes). */
  static fromRaw(b: Uint8Array): Stat {
    const d = new DataView(b.buffer, b.byteOffset, 144);
    const u64 = (o: number) => d.getUint32(o, true) + d.getUint32(o + 4, true) * 4294967296;
    const s = new Stat();
    s.dev = u64(0); s.ino = u64(8); s.nlink = u64(16);
    s.mode = d.getUint32(24, true); s.uid = d.getUint32(28, true); s.gid = d.getUint32(32, true);
    s.rdev = u64(40); s.size = u64(48); s.blksize = u64(56); s.blocks = u64(64);
    // Times are signed (before 1970 is negative).
    const i64 = (o: number) => d.getUint32(o, true) + d.getInt32(o + 4, true) * 4294967296;
    s.atimeSec = i64(72); s.atimeNsec = u64(80);
    s.mtimeSec = i64(88); s.mtimeNsec = u64(96);
    s.ctimeSec = i64(104); s.ctimeNsec = u64(112);
    return s;
  }

  /** Encodes as struct stat (144 bytes). */
  toRaw(): Uint8Array {
    const b = new Uint8Array(144);
    const d = new DataView(b.buffer);
    const p64 = (o: number, v: number) => { d.setUint32(o, v % 4294967296, true); d.setUint32(o + 4, Math.floor(v / 4294967296), true); };
    p64(0, this.dev); p64(8, this.ino); p64(16, this.nlink);
    d.setUint32(24, this.mode, true); d.setUint32(28, this.uid, true); d.setUint32(32, this.gid, true);
    p64(40, this.rdev); p64(48, this.size); p64(56, this.blksize); p64(64, this.blocks);
    d.setBigInt64(72, BigInt(this.atimeSec), true); p64(80, this.atimeNsec);
    d.setBigInt64(88, BigInt(this.mtimeSec), true); p64(96, this.mtimeNsec);
    d.setBigInt64(104, BigInt(this.ctimeSec), true); p64(112, this.ctimeNsec);
    return b;
  }

  /**
   * Encodes as struct statx (256 bytes): the basic fields, the birth time
   * when there is one, and the mount id (STATX_MNT_ID, which Linux always
   * reports) when mntId is given.
   */
  toStatx(mntId = -1): Uint8Array {
    const b = new Uint8Array(256);
    const d = new DataView(b.buffer);
    const p64 = (o: number, v: number) => { d.setUint32(o, v % 4294967296, true); d.setUint32(o + 4, Math.floor(v / 4294967296), true); };
    const STATX_BASIC_STATS = 0x7ff;
    const STATX_BTIME = 0x800, STATX_MNT_ID = 0x1000;
    d.setUint32(0, STATX_BASIC_STATS | (this.btimeSec >= 0 ? STATX_BTIME : 0) | (mntId >= 0 ? STATX_MNT_ID : 0), true);
    d.setUint32(4, this.blksize, true);
    p64(8, 0); // stx_attributes
    d.setUint32(16, this.nlink, true);
    d.setUint32(20, this.uid, true);
    d.setUint32(24, this.gid, true);
    d.setUint16(28, this.mode, true);
    p64(32, this.ino);
    p64(40, this.size);
    p64(48, this.blocks);
    p64(56, 0); // attributes_mask
    const ts = (o: number, s: number, ns: number) => { d.setBigInt64(o, BigInt(s), true); d.setUint32(o + 8, ns, true); };
    ts(64, this.atimeSec, this.atimeNsec);
    if (this.btimeSec >= 0) ts(80, this.btimeSec, this.btimeNsec);
    if (mntId >= 0) p64(144, mntId);
    ts(96, this.ctimeSec, this.ctimeNsec);
    ts(112, this.mtimeSec, this.mtimeNsec);
    d.setUint32(128, majorOf(this.rdev), true);
    d.setUint32(132, minorOf(this.rdev), true);
    d.setUint32(136, majorOf(this.dev), true);
    d.setUint32(140, minorOf(this.dev), true);
    return b;
  }
}

export function majorOf(dev: number): number {
  return ((dev >>> 8) & 0xfff) | (Math.floor(dev / 4294967296) & ~0xfff);
}
export function minorOf(dev: number): number {
  return (dev & 0xff) | ((dev >>> 12) & ~0xff);
}
export function makeDev(major: number, minor: number): number {
  return (minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xff) << 12);
}
