// Seed 000's Profile for a Sentry that is a Node process: a CPU profile
// (V8's sampling profiler for a duration, a .cpuprofile) and a heap
// snapshot (a .heapsnapshot), both through node:inspector's in-process
// session, which opens no port and needs no system call the sealed
// Sentry's filter lacks (the sampler is a thread; threads are allowed).
// They are written to the file the request's header carried, which must
// be a regular file: the Sentry has one thread, so a write to a pipe
// nobody reads would stall every task. One profile of a kind runs at a
// time, as runsc's Profile refuses a second while one runs.
//
// Where it differs from runsc's: V8's formats, not pprof's; no block,
// mutex, goroutine or trace profiles. A heap snapshot stops the Sentry
// (and so the application) while V8 walks its heap, as a Go heap profile
// does not; the CLI says so.

import * as fs from 'node:fs';
import { Session } from 'node:inspector';
import { ProtocolError } from './protocol.js';
import { takeOneFd } from './server.js';

/** The output descriptor as a handler takes it: exactly one, a regular file opened for writing. */
export function outputFile(fds: number[], what: string): number {
  return takeOneFd(fds, what, 'file to write to', (fd) => {
    try {
      if (fs.fstatSync(fd).isFile()) return null;
    } catch {
      // Not a file at all.
    }
    return 'the file to write to must be a regular file (a pipe could stall the sandbox)';
  });
}

/** Writes text or bytes to fd, whole. */
export function writeAll(fd: number, chunks: Iterable<string | Uint8Array>): void {
  for (const c of chunks) {
    const b = typeof c === 'string' ? Buffer.from(c) : c;
    for (let off = 0; off < b.length;) off += fs.writeSync(fd, b, off);
  }
}

function post<T>(s: Session, method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) => {
    s.post(method, params ?? {}, (err, res) => {
      if (err !== null) reject(err);
      else resolve(res as T);
    });
  });
}

/** The Sentry's profilers: one CPU profile and one heap snapshot at most at once. */
export class Profiler {
  private cpuBusy = false;
  private heapBusy = false;

  /** Samples the Sentry for durationMs, then writes the .cpuprofile JSON to fd; closes fd. */
  async cpu(fd: number, durationMs: number): Promise<void> {
    if (this.cpuBusy) {
      fs.closeSync(fd);
      throw new ProtocolError('invalid', 'Profile.CPU: a CPU profile is being taken already');
    }
    this.cpuBusy = true;
    const s = new Session();
    try {
      s.connect();
      await post(s, 'Profiler.enable');
      await post(s, 'Profiler.start');
      await new Promise((r) => setTimeout(r, durationMs));
      const { profile } = await post<{ profile: object }>(s, 'Profiler.stop');
      writeAll(fd, [JSON.stringify(profile)]);
    } catch (e) {
      if (e instanceof ProtocolError) throw e;
      throw new ProtocolError('internal', `Profile.CPU: ${(e as Error).message}`);
    } finally {
      s.disconnect();
      fs.closeSync(fd);
      this.cpuBusy = false;
    }
  }

  /** Writes a heap snapshot of the Sentry to fd; closes fd. */
  async heap(fd: number): Promise<void> {
    if (this.heapBusy) {
      fs.closeSync(fd);
      throw new ProtocolError('invalid', 'Profile.Heap: a heap snapshot is being taken already');
    }
    this.heapBusy = true;
    const s = new Session();
    const chunks: string[] = [];
    try {
      s.connect();
      s.on('HeapProfiler.addHeapSnapshotChunk', (m) => chunks.push(m.params.chunk));
      await post(s, 'HeapProfiler.takeHeapSnapshot', { reportProgress: false });
      writeAll(fd, chunks);
    } catch (e) {
      throw new ProtocolError('internal', `Profile.Heap: ${(e as Error).message}`);
    } finally {
      s.disconnect();
      fs.closeSync(fd);
      this.heapBusy = false;
    }
  }
}
