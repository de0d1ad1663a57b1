// The control server's debugging methods (runsc/boot's controller binds
// the same from pkg/sentry/control: Metrics, Logging, Profile and
// debug.Stacks), bound to a sandbox's kernel and log. Each is the
// sandbox's as a whole and answers for its root container only. The
// messages are src/control/debug_protocol.ts's.
//
// Logging.Change needs a log to change: a sandbox started without one
// (no --log, no --debug-log) refuses it rather than accepting a level that
// nothing would show. Its trace goes to that log as info lines, never to
// the Sentry's stderr, which for an OCI container is the container's.

import * as fs from 'node:fs';
import { sysnoByName } from '../abi/linux/sysno.js';
import { METHODS, ProtocolError, parseContainerArgs } from '../control/protocol.js';
import { parseLoggingArgs, parseProfileCpuArgs } from '../control/debug_protocol.js';
import type { LoggingArgs } from '../control/debug_protocol.js';
import { SandboxMetrics } from '../control/metrics.js';
import { Profiler, outputFile, writeAll } from '../control/profile.js';
import type { Handler } from '../control/server.js';
import type { Kernel } from '../kernel/kernel.js';
import type { Logger } from '../kernel/log.js';
import { dumpTaskStacks } from '../kernel/task_dump.js';
import { assertSandboxWide } from './controller.js';
import type { Loader } from './loader.js';
import { StraceTracer } from './strace.js';

export function debugMethods(loader: Loader, kernel: Kernel, log: Logger): Map<string, Handler> {
  const metrics = new SandboxMetrics(kernel, loader.spec.id);
  const profiler = new Profiler();
  return new Map<string, Handler>([
    [METHODS.metricsExport, async (p) => {
      assertSandboxWide(loader, METHODS.metricsExport, parseContainerArgs(p, METHODS.metricsExport).containerId);
      return { text: await metrics.export() };
    }],
    [METHODS.loggingChange, (p) => {
      const a = parseLoggingArgs(p);
      assertSandboxWide(loader, METHODS.loggingChange, a.containerId);
      changeLogging(kernel, log, a);
      return null;
    }],
    [METHODS.profileCpu, async (p, call) => {
      const a = parseProfileCpuArgs(p);
      assertSandboxWide(loader, METHODS.profileCpu, a.containerId);
      await profiler.cpu(outputFile(call.takeFds(), METHODS.profileCpu), a.durationMs);
      return null;
    }],
    [METHODS.profileHeap, async (p, call) => {
      assertSandboxWide(loader, METHODS.profileHeap, parseContainerArgs(p, METHODS.profileHeap).containerId);
      await profiler.heap(outputFile(call.takeFds(), METHODS.profileHeap));
      return null;
    }],
    [METHODS.debugStacks, (p, call) => {
      assertSandboxWide(loader, METHODS.debugStacks, parseContainerArgs(p, METHODS.debugStacks).containerId);
      const fd = outputFile(call.takeFds(), METHODS.debugStacks);
      try {
        writeAll(fd, [`${dumpTaskStacks(kernel).join('\n')}\n`]);
      } finally {
        fs.closeSync(fd);
      }
      return null;
    }],
  ]);
}

/** Applies Logging.Change; nothing changes unless all of it can. */
function changeLogging(kernel: Kernel, log: Logger, a: LoggingArgs): void {
  if (!log.enabled) {
    throw new ProtocolError('invalid', `${METHODS.loggingChange}: the sandbox has no log to change (it was started without --log or --debug-log)`);
  }
  let only: Set<number> | null = null;
  if (a.straceSyscalls !== undefined && a.straceSyscalls.length > 0) {
    const unknown = a.straceSyscalls.filter((n) => sysnoByName(n) === undefined);
    if (unknown.length > 0) throw new ProtocolError('invalid', `${METHODS.loggingChange}: no such system call: ${unknown.slice(0, 8).join(', ')}`);
    only = new Set(a.straceSyscalls.map((n) => sysnoByName(n) as number));
  }
  if (a.level !== undefined) {
    log.setLevel(a.level);
    log.info(`log level now ${a.level}`);
  }
  if (a.strace === true) {
    kernel.tracer = new StraceTracer((line) => log.info(`strace: ${line}`), only);
    log.info(`strace on${only === null ? '' : ` for ${a.straceSyscalls?.join(', ')}`}`);
  } else if (a.strace === false) {
    kernel.tracer = null;
    log.info('strace off');
  }
}
