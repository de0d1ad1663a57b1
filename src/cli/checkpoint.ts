// runc's checkpoint and restore (checkpoint.go, restore.go; runsc's
// cmd/checkpoint.go and restore.go): every flag runc 1.1 takes is accepted,
// so that a caller's command line parses, and both commands then fail
// with one clear error and status 1. tsvisor keeps every kernel object as
// plain data so that it can be saved (DESIGN.md), but nothing saves or
// restores a sandbox yet; pretending would lose a container.

import type { Command } from 'commander';
import { Container } from '../container/container.js';
import { ContainerError } from '../container/errors.js';
import { runtime } from './runtime.js';
import type { GlobalsFn } from './runtime.js';

const NOT_YET = 'checkpoint is not supported yet by tsvisor';

/** The flags both commands share with runc's (criu's knobs, mostly). */
function criuFlags(c: Command): Command {
  return c
    .option('--image-path <dir>', 'path for the criu image files')
    .option('--work-path <dir>', 'path for saving work files and logs')
    .option('--tcp-established', 'allow open tcp connections')
    .option('--ext-unix-sk', 'allow external unix sockets')
    .option('--shell-job', 'allow shell jobs')
    .option('--file-locks', 'handle file locks, for safety')
    .option('--manage-cgroups-mode <mode>', "cgroups mode: 'soft' (default), 'full' and 'strict'")
    .option('--empty-ns <ns>', "create a namespace, but don't restore its properties (repeatable)", collect, [])
    .option('--auto-dedup', 'enable auto deduplication of memory images')
    .option('--lazy-pages', 'use userfaultfd to lazily restore memory pages');
}

function collect(v: string, all: string[]): string[] {
  return [...all, v];
}

export function addCheckpointCommands(program: Command, globals: GlobalsFn): void {
  criuFlags(program.command('checkpoint')
    .description(`checkpoint a running container (${NOT_YET}: it fails)`))
    .option('--parent-path <dir>', 'path for previous criu image files in pre-dump')
    .option('--leave-running', 'leave the process running after checkpointing')
    .option('--status-fd <fd>', 'criu writes \\0 to this FD once lazy-pages is ready')
    .option('--page-server <address>', 'ADDRESS:PORT of the page server')
    .option('--pre-dump', "dump container's memory information only, leave the container running after this")
    .argument('<container-id>')
    .action((id: string) => {
      // runc's own order: the container must exist before anything else is said of it.
      Container.load(runtime(globals()), id);
      throw new ContainerError(`${NOT_YET}: container ${id} is left as it is`);
    });

  criuFlags(program.command('restore')
    .description(`restore a container from a previous checkpoint (${NOT_YET}: it fails)`))
    .option('--console-socket <path>', "a unix socket to send the console's pseudoterminal to")
    .option('-b, --bundle <dir>', 'path to the root of the bundle directory')
    .option('-d, --detach', "detach from the container's process")
    .option('--pid-file <file>', 'specify the file to write the process id to')
    .option('--no-subreaper', 'disable the use of the subreaper used to reap reparented processes')
    .option('--no-pivot', 'do not use pivot root to jail process inside rootfs')
    .option('--lsm-profile <profile>', 'an LSM profile to be used during restore, TYPE:NAME')
    .option('--lsm-mount-context <context>', 'an LSM mount context to be used during restore')
    .argument('<container-id>')
    .action(() => {
      throw new ContainerError(`${NOT_YET}, so there is nothing to restore`);
    });
}
