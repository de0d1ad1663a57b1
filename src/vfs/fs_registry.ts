// File system types by name (Linux's register_filesystem and
// get_fs_type): mount(2) and the sandbox's mount table name a type
// ("tmpfs", "proc", "sysfs", "devpts") and the VFS asks the registry for a
// new instance, so neither ever imports a file system's class. A file
// system registers itself when its module is loaded.

import type { MemoryFile } from '../memory/memory_file.js';
import type { FileSystem, Inode } from './inode.js';

/** What a file system type is given to make an instance. */
export interface MountContext {
  /** mount(2)'s source ("" when none was given). */
  readonly source: string;
  /** mount(2)'s data: the file system's own comma-separated options. */
  readonly data: string;
  /** MS_* flags of the mount call (MS_RDONLY...). */
  readonly flags: number;
  /** Where regular file pages live. */
  readonly mf: MemoryFile;
  /** Kernel services a file system type may need (procfs: the task set); opaque here. */
  readonly kernel: unknown;
}

export interface NewFileSystem {
  fs: FileSystem;
  root: Inode;
}

export type FileSystemFactory = (ctx: MountContext) => NewFileSystem | number;

export interface FileSystemType {
  readonly name: string;
  readonly make: FileSystemFactory;
  /** Shown in /proc/filesystems as "nodev": no block device behind it (all of ours). */
  readonly nodev: boolean;
  /** Whether an unprivileged user namespace may mount it (FS_USERNS_MOUNT). */
  readonly userns: boolean;
}

const types = new Map<string, FileSystemType>();

export function registerFileSystemType(name: string, make: FileSystemFactory, o: { userns?: boolean } = {}): void {
  types.set(name, { name, make, nodev: true, userns: o.userns ?? false });
}

export function fileSystemType(name: string): FileSystemType | undefined {
  return types.get(name);
}

/** Every registered type, for /proc/filesystems. */
export function fileSystemTypes(): FileSystemType[] {
  return [...types.values()];
}
