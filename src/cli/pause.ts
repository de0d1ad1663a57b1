// runc's pause and resume (pause.go; runsc's cmd/pause.go and resume.go):
// every process of the container stops running until resume, through the
// control socket's Pause and Resume (the Sentry freezes its tasks:
// src/kernel/freeze.ts). runc's words for the errors: "container not
// running" (pause of a stopped one), "container not paused" (resume of one
// that is not). Where it differs from runc: no cgroup freezer; the freeze
// is the Sentry's, so it holds for a rootless container too (runc warns
// that it may fail without cgroup access).

import type { Command } from 'commander';
import { Container } from '../container/container.js';
import { runtime } from './runtime.js';
import type { GlobalsFn } from './runtime.js';

export function addPauseCommands(program: Command, globals: GlobalsFn): void {
  program.command('pause')
    .description('pause suspends all processes inside the container')
    .argument('<container-id>')
    .action(async (id: string) => {
      await Container.load(runtime(globals()), id).pause();
    });

  program.command('resume')
    .description('resumes all processes that have been previously paused')
    .argument('<container-id>')
    .action(async (id: string) => {
      await Container.load(runtime(globals()), id).resume();
    });
}
