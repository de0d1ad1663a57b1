// IdMap: one of a user namespace's two maps, of user ids or of group ids
// (Linux's struct uid_gid_map in kernel/user_namespace.c; gVisor's
// auth.idMapSet pair). Each extent maps `count` ids of the namespace,
// from `first`, to the same number of kernel ids (KUIDs/KGIDs: the root
// namespace's ids) from `lowerFirst`. As in Linux, the lower ids are
// stored already translated to kernel ids when the map is written, so
// translating an id is one lookup whatever the namespace's depth.
//
// Also here: the text of /proc/PID/uid_map and gid_map, parsed as Linux's
// map_write parses it and shown as uid_m_show shows it (the display
// order is the order written for up to five extents, sorted by `first`
// beyond, as Linux keeps its extent arrays).
//
// A map is immutable: a namespace's map is written once (user_namespace.ts).

/** No id: what make_kuid and from_kuid return for an id without a mapping ((uid_t)-1 in Linux). */
export const NO_ID = -1;
/** /proc/sys/kernel/overflowuid and overflowgid: what an id without a mapping is shown as (from_kuid_munged). */
export const OVERFLOW_ID = 65534;
/** The most lines a map may have (Linux's UID_GID_MAP_MAX_EXTENTS). */
export const MAX_EXTENTS = 340;
/** Up to this many extents Linux keeps them in the order written (UID_GID_MAP_MAX_BASE_EXTENTS). */
const MAX_BASE_EXTENTS = 5;
const U32 = 4294967296;

export interface IdExtent {
  /** The first id in the namespace. */
  readonly first: number;
  /** The first id below: a kernel id once the map is installed; the parent namespace's id as parsed from a write. */
  readonly lowerFirst: number;
  readonly count: number;
}

export class IdMap {
  /** The extents in the order they were written. */
  readonly extents: readonly IdExtent[];
  /** The same, sorted by first and by lowerFirst, for lookups in a map of many lines. */
  private readonly byFirst: readonly IdExtent[];
  private readonly byLower: readonly IdExtent[];

  constructor(extents: readonly IdExtent[]) {
    this.extents = extents;
    this.byFirst = [...extents].sort((a, b) => a.first - b.first);
    this.byLower = [...extents].sort((a, b) => a.lowerFirst - b.lowerFirst);
  }

  /** A namespace's map before it is written: nothing is mapped. */
  static readonly EMPTY = new IdMap([]);
  /** The root namespace's map: every id but (uid_t)-1 to itself ("0 0 4294967295"). */
  static readonly IDENTITY = new IdMap([{ first: 0, lowerFirst: 0, count: U32 - 1 }]);

  get isEmpty(): boolean {
    return this.extents.length === 0;
  }

  /** Linux's map_id_range_down: the kernel id of [id, id + count), all in one extent; NO_ID otherwise. */
  downRange(id: number, count: number): number {
    const e = find(this.byFirst, id, true);
    if (e === null || id + count > e.first + e.count) return NO_ID;
    return e.lowerFirst + (id - e.first);
  }

  /** Linux's map_id_down: the kernel id of the namespace's id, or NO_ID. */
  down(id: number): number {
    const e = find(this.byFirst, id, true);
    return e === null ? NO_ID : e.lowerFirst + (id - e.first);
  }

  /** Linux's map_id_up: the namespace's id of a kernel id, or NO_ID. */
  up(kid: number): number {
    const e = find(this.byLower, kid, false);
    return e === null ? NO_ID : e.first + (kid - e.lowerFirst);
  }

  /** The extents in the order /proc/PID/uid_map shows them. */
  shown(): readonly IdExtent[] {
    return this.extents.length <= MAX_BASE_EXTENTS ? this.extents : this.byFirst;
  }
}

/** The extent of sorted holding id (by first, or by lowerFirst), or null: a binary search. */
function find(sorted: readonly IdExtent[], id: number, upper: boolean): IdExtent | null {
  let lo = 0, hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const e = sorted[mid];
    const start = upper ? e.first : e.lowerFirst;
    if (id < start) hi = mid - 1;
    else if (id >= start + e.count) lo = mid + 1;
    else return e;
  }
  return null;
}

const isSpace = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d);

/**
 * The lines of a write to uid_map or gid_map, as Linux's map_write reads
 * them: "FIRST LOWER COUNT" per line, numbers in decimal (simple_strtoul:
 * no sign, wrapping past 2^32), spaces around them, nothing else; no id
 * may be (uid_t)-1, no range may be empty or wrap, no two may overlap in
 * either column, and there may be at most MAX_EXTENTS lines. The text
 * ends at its first NUL, as the kernel's copy of it does. Returns the
 * extents (lower ids still the parent namespace's) or null: EINVAL.
 */
export function parseIdMap(text: string): IdExtent[] | null {
  const z = text.indexOf('\0');
  const s = z >= 0 ? text.slice(0, z) : text;
  const out: IdExtent[] = [];
  let pos: number | null = 0;
  while (pos !== null) {
    const nl = s.indexOf('\n', pos);
    const end = nl < 0 ? s.length : nl;
    const next: number | null = nl < 0 || nl + 1 === s.length ? null : nl + 1;
    let p = pos;
    const at = (i: number) => (i < end ? s.charCodeAt(i) : 0);
    const skip = () => {
      while (p < end && isSpace(s.charCodeAt(p))) p++;
    };
    const number = (): number => {
      let v = 0;
      while (p < end && s.charCodeAt(p) >= 0x30 && s.charCodeAt(p) <= 0x39) {
        v = (v * 10 + (s.charCodeAt(p) - 0x30)) % U32;
        p++;
      }
      return v;
    };
    skip();
    const first = number();
    if (!isSpace(at(p))) return null;
    skip();
    const lowerFirst = number();
    if (!isSpace(at(p))) return null;
    skip();
    const count = number();
    if (at(p) !== 0 && !isSpace(at(p))) return null;
    skip();
    if (p !== end) return null;
    if (first === U32 - 1 || lowerFirst === U32 - 1) return null;
    // The range may not be empty or wrap past 2^32 (u32 arithmetic in Linux).
    if ((first + count) % U32 <= first || (lowerFirst + count) % U32 <= lowerFirst) return null;
    for (const e of out) {
      if (first + count > e.first && e.first + e.count > first) return null;
      if (lowerFirst + count > e.lowerFirst && e.lowerFirst + e.count > lowerFirst) return null;
    }
    if (out.length + 1 === MAX_EXTENTS && next !== null) return null;
    out.push({ first, lowerFirst, count });
    pos = next;
  }
  return out;
}

/** One line of /proc/PID/uid_map: Linux's "%10u %10u %10u\n". */
export function formatIdMapLine(first: number, lower: number, count: number): string {
  const u = (v: number) => String(v === NO_ID ? U32 - 1 : v).padStart(10);
  return `${u(first)} ${u(lower)} ${u(count)}\n`;
}
