// An OCI bundle on the host: a directory holding config.json and, usually,
// the root file system that config.json's root.path names. loadBundle reads
// and validates it (validate.ts) and resolves the root; every failure is a
// SpecError naming the file and field.
//
// As runc, a root reached through a symlink is refused ("not an absolute
// path, or a symlink"): a relative root.path is resolved against the
// bundle's real path (runc chdirs into it), and no component of root.path
// itself may be a symlink; rootPath is then the real path, which is what
// the Sentry will open (below it, no host symlink is ever followed out:
// DESIGN.md, "Files"). A bundle that names / through rootfs -> / would
// otherwise give the container the host's tree.
//
// config.json (and exec's process.json) are untrusted input: only a regular
// file is read (a FIFO blocked create for ever, /dev/zero grew it without
// bound), at most MAX_CONFIG_BYTES of it, which must be UTF-8 (Node
// replaced bad bytes with U+FFFD, silently naming another host path) and
// nested at most MAX_JSON_DEPTH deep (JSON.stringify of 5,000 levels
// overflows the stack: create died with an internal error sending it).

import * as fs from 'node:fs';
import * as path from 'node:path';
// Node loads the package's UMD build (its exports are found by name); esbuild takes its ESM build
// (--main-fields=module,main in package.json: the UMD build's inner requires cannot be bundled).
import * as jsonc from 'jsonc-parser';
import { SpecError } from './errors.js';
import type { Spec } from './spec.js';
import { validateSpec } from './validate.js';

/** The largest config.json read: far above any real one, within the sandbox's 8 MiB description line (src/cli/boot.ts). */
export const MAX_CONFIG_BYTES = 4 << 20;
/** The deepest nesting of arrays and objects a config may have (the spec's own is under 10). */
export const MAX_JSON_DEPTH = 64;

export interface Bundle {
  /** Absolute path of the bundle directory. */
  readonly dir: string;
  /** config.json as the user named it (bundle argument joined with config.json), for messages. */
  readonly configFile: string;
  /** The validated config.json; spec.root and spec.process are present. */
  readonly spec: Spec & { root: NonNullable<Spec['root']>; process: NonNullable<Spec['process']> };
  /** The real absolute host path of root.path, an existing directory. */
  readonly rootPath: string;
}

function errnoOf(e: unknown): string {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : '';
}

function reason(e: unknown): string {
  switch (errnoOf(e)) {
    case 'ENOENT': return 'does not exist';
    case 'EACCES': return 'permission denied';
    case 'ENOTDIR': return 'a component of the path is not a directory';
    case 'ELOOP': return 'too many levels of symbolic links';
    default: return e instanceof Error ? e.message : String(e);
  }
}

/** jsonc-parser's error codes in words. */
const SYNTAX: Partial<Record<jsonc.ParseErrorCode, string>> = {
  [jsonc.ParseErrorCode.InvalidNumberFormat]: 'a malformed number',
  [jsonc.ParseErrorCode.PropertyNameExpected]: 'a property name in double quotes was expected',
  [jsonc.ParseErrorCode.ValueExpected]: 'a value was expected',
  [jsonc.ParseErrorCode.ColonExpected]: "':' was expected",
  [jsonc.ParseErrorCode.CommaExpected]: "',' was expected",
  [jsonc.ParseErrorCode.CloseBraceExpected]: "'}' was expected",
  [jsonc.ParseErrorCode.CloseBracketExpected]: "']' was expected",
  [jsonc.ParseErrorCode.EndOfFileExpected]: 'nothing may follow the JSON value',
  [jsonc.ParseErrorCode.InvalidCommentToken]: 'comments are not allowed in JSON',
  [jsonc.ParseErrorCode.UnexpectedEndOfComment]: 'comments are not allowed in JSON',
  [jsonc.ParseErrorCode.UnexpectedEndOfString]: 'a string is not closed',
  [jsonc.ParseErrorCode.UnexpectedEndOfNumber]: 'a number ends too soon',
  [jsonc.ParseErrorCode.InvalidUnicode]: 'a malformed \\u escape',
  [jsonc.ParseErrorCode.InvalidEscapeCharacter]: 'an invalid escape in a string',
  [jsonc.ParseErrorCode.InvalidCharacter]: 'a control character in a string (write it as an escape)',
};

/**
 * Text as JSON, or a SpecError saying what is wrong and where (line and
 * column, 1-based). JSON.parse parses; when it fails, jsonc-parser (strict:
 * no comments, no trailing commas) finds the place, as V8's messages give
 * no position for an unexpected token. file names the file in the message.
 */
export function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    if (text.trim() === '') throw new SpecError(file, [{ field: '', message: 'is empty, not JSON' }]);
    const errors: jsonc.ParseError[] = [];
    jsonc.parseTree(text, errors, { disallowComments: true, allowTrailingComma: false });
    const first = errors[0];
    if (first === undefined) throw new SpecError(file, [{ field: '', message: `is not valid JSON: ${e.message}` }]);
    const what = SYNTAX[first.error] ?? `unexpected ${JSON.stringify(text.slice(first.offset, first.offset + Math.max(1, first.length)))}`;
    const before = text.slice(0, first.offset).split('\n');
    const where = `line ${before.length}, column ${before[before.length - 1].length + 1}`;
    throw new SpecError(file, [{ field: '', message: `is not valid JSON: ${what} (at ${where})` }]);
  }
}

/** Whether v nests arrays and objects at most max deep (iterative: the input may be deeper than the stack). */
export function withinDepth(v: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[v, 1]];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [x, depth] = top;
    if (typeof x !== 'object' || x === null) continue;
    if (depth > max) return false;
    for (const y of Object.values(x)) if (typeof y === 'object' && y !== null) stack.push([y, depth + 1]);
  }
  return true;
}

/** How long a pipe given as a JSON file (exec -p <(...)) may take to be written and closed. */
const PIPE_READ_MS = 30_000;

/**
 * A pipe's bytes up to its end (its last writer closing it), at most
 * MAX_CONFIG_BYTES, within PIPE_READ_MS; fd is non-blocking: a FIFO
 * nobody has open for writing is at its end at once.
 */
function readPipe(fd: number, fail: (message: string) => SpecError): Buffer {
  const parts: Buffer[] = [];
  let size = 0;
  const until = Date.now() + PIPE_READ_MS;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    const b = Buffer.alloc(64 * 1024);
    let n: number;
    try {
      n = fs.readSync(fd, b, 0, b.length, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      if (Date.now() > until) throw fail(`is a pipe whose writer did not close it within ${PIPE_READ_MS / 1000} s`);
      Atomics.wait(pause, 0, 0, 10);
      continue;
    }
    if (n === 0) return Buffer.concat(parts);
    size += n;
    if (size > MAX_CONFIG_BYTES) throw fail(`is a pipe of more than the ${MAX_CONFIG_BYTES} bytes a config may have`);
    parts.push(b.subarray(0, n));
  }
}

/**
 * Reads FILE as JSON, or throws SpecError ("does not exist", "is not valid
 * JSON: ... (at line 3, column 7)", "is not a regular file", too large, not
 * UTF-8, nested too deep). With pipes, a pipe or FIFO is read to its end
 * too (exec's --process: runc's callers give `-p <(...)`), bounded in size
 * and time (readPipe); config.json must be a regular file.
 */
export function readJsonFile(file: string, opts: { pipes?: boolean } = {}): unknown {
  const fail = (message: string) => new SpecError(file, [{ field: '', message }]);
  let bytes: Buffer;
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused below).
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    throw fail(reason(e));
  }
  try {
    const st = fs.fstatSync(fd);
    if (st.isDirectory()) throw fail('is a directory, not a file');
    if (st.isFIFO() && opts.pipes === true) {
      bytes = readPipe(fd, fail);
    } else {
      if (!st.isFile()) throw fail('is not a regular file');
      if (st.size > MAX_CONFIG_BYTES) throw fail(`is ${st.size} bytes, more than the ${MAX_CONFIG_BYTES} a config may have`);
      bytes = Buffer.alloc(st.size);
      let n = 0;
      for (let r = 1; n < bytes.length && r > 0; n += r) r = fs.readSync(fd, bytes, n, bytes.length - n, n);
      // A file that grew while it was read: what was there when it was measured.
      bytes = bytes.subarray(0, n);
    }
  } catch (e) {
    if (e instanceof SpecError) throw e;
    throw fail(reason(e));
  } finally {
    fs.closeSync(fd);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw fail('is not valid UTF-8 (JSON text must be; bytes that are not would be read as another path)');
  }
  const v = parseJson(text, file);
  if (!withinDepth(v, MAX_JSON_DEPTH)) throw fail(`nests arrays and objects more than ${MAX_JSON_DEPTH} deep`);
  return v;
}


/**
 * Reads and validates BUNDLE/config.json and finds its root file system.
 * bundleDir may be relative (to the current directory). Throws SpecError.
 */
export function loadBundle(bundleDir: string): Bundle {
  const dir = path.resolve(bundleDir);
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch (e) {
    throw new SpecError(bundleDir, [{ field: '', message: `bundle directory ${reason(e)}` }]);
  }
  if (!st.isDirectory()) throw new SpecError(bundleDir, [{ field: '', message: 'is not a directory (a bundle is a directory holding config.json)' }]);

  const configFile = path.join(bundleDir, 'config.json');
  if (!fs.existsSync(path.join(dir, 'config.json'))) {
    throw new SpecError(configFile, [{ field: '', message: 'does not exist (every bundle needs one; `tsvisor spec` writes an example)' }]);
  }
  const spec = validateSpec(readJsonFile(configFile), configFile);
  // validateSpec has made sure both are present; the types cannot say so.
  const root = spec.root, proc = spec.process;
  if (root === undefined || proc === undefined) throw new Error('internal error: validateSpec let a spec without root or process through');

  // As runc: relative to the bundle's real path (it chdirs there), and the rest must be no symlink.
  let base: string;
  try {
    base = fs.realpathSync(dir);
  } catch (e) {
    throw new SpecError(bundleDir, [{ field: '', message: `bundle directory ${reason(e)}` }]);
  }
  const rootAt = path.resolve(base, root.path);
  let real: string;
  try {
    real = fs.realpathSync(rootAt);
  } catch (e) {
    throw new SpecError(configFile, [{ field: 'root.path', message: `${rootAt} ${reason(e)}` }]);
  }
  if (real !== rootAt) {
    throw new SpecError(configFile, [{ field: 'root.path', message: `${rootAt} is not an absolute path, or a symlink (it leads to ${real}; give that path)` }]);
  }
  if (!fs.statSync(real).isDirectory()) {
    throw new SpecError(configFile, [{ field: 'root.path', message: `${rootAt} is not a directory` }]);
  }
  return { dir, configFile, spec: { ...spec, root, process: proc }, rootPath: real };
}
