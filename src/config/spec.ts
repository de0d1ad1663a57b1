// The OCI runtime-spec config.json (v1.0.2 to v1.2.x; the config's schema
// did not change from v1.1.0 to v1.2.0) and the OCI state, written once as
// JSON Schema with TypeBox: the schemas here are what ajv validates against
// (validate.ts), and the TypeScript types are derived from them, so the two
// cannot disagree.
//
// Written for tsvisor after the spec's own schema/ files of tag v1.1.0
// (config-schema.json, config-linux.json, defs.json, defs-linux.json,
// state-schema.json); they are not vendored. Each constraint there is here
// with the same meaning: required fields, integer ranges (uint32, int64...),
// enums, patterns, minItems. Only Linux is modelled: the solaris, windows,
// vm and zos sections, and process.commandLine/user.username (Windows), are
// typed as opaque and ignored, as runc ignores them. Unknown properties are
// allowed everywhere, as the spec requires of a runtime.
//
// Numbers: JSON.parse reads integers above 2^53 as the nearest double, so a
// uint64 of 2^64-1 (RLIM_INFINITY in an rlimit, say) arrives as 2^64; the
// schema's maximum is the same double, so it passes, and a consumer must read
// any value >= 2^64-1 as "all ones".

import { Type, type Static, type TSchema, type TUnsafe } from '@sinclair/typebox';
import {
  type HookName, NAMESPACE_TYPES, SECCOMP_ACTIONS, SECCOMP_ARCHS, SECCOMP_FLAGS, SECCOMP_OPERATORS,
} from './names.js';

// ---------------------------------------------------------------------------
// defs.json's scalar types

const int = (minimum: number, maximum: number) => Type.Integer({ minimum, maximum });
const Int32 = int(-2147483648, 2147483647);
const Int64 = int(-9223372036854775808, 9223372036854775807);
const Uint16 = int(0, 65535);
const Uint32 = int(0, 4294967295);
const Uint64 = int(0, 18446744073709551615);

/** A string enum as JSON Schema's `enum` (TypeBox's unions of literals give anyOf, whose errors read worse). */
function StringEnum<const T extends readonly string[]>(values: T): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values] });
}

const Strings = Type.Array(Type.String());
const Optional = <T extends TSchema>(t: T) => Type.Optional(t);

/**
 * Schemas used in more than one place have an $id and are referenced, so
 * that ajv generates one function for each instead of a copy per use (the
 * validators are generated at build time: scripts/gen-config-validators.js,
 * which adds every schema of SHARED_SCHEMAS to ajv).
 */
export const SHARED_SCHEMAS: TSchema[] = [];
function shared<T extends TSchema>(id: string, schema: T): { schema: T; ref: TUnsafe<Static<T>> } {
  const withId = { ...schema, $id: id } as T;
  SHARED_SCHEMAS.push(withId);
  return { schema: withId, ref: Type.Unsafe<Static<T>>(Type.Ref(id)) };
}

const StringMap = shared('StringMap', Type.Record(Type.String(), Type.String())).ref;

// ---------------------------------------------------------------------------
// Shared pieces

const IdMappingDef = shared('IdMapping', Type.Object({
  containerID: Uint32,
  hostID: Uint32,
  size: Uint32,
}));
export const IdMappingSchema = IdMappingDef.schema;
export type IdMapping = Static<typeof IdMappingSchema>;

const HookDef = shared('Hook', Type.Object({
  /** Absolute host path of the program (checked in validate.ts). */
  path: Type.String(),
  args: Optional(Strings),
  env: Optional(Strings),
  /** Seconds; at least 1. */
  timeout: Optional(Type.Integer({ minimum: 1 })),
}));
export const HookSchema = HookDef.schema;
export type Hook = Static<typeof HookSchema>;

const HookList = Type.Array(HookDef.ref);
export const HooksSchema = Type.Object({
  prestart: Optional(HookList),
  createRuntime: Optional(HookList),
  createContainer: Optional(HookList),
  startContainer: Optional(HookList),
  poststart: Optional(HookList),
  poststop: Optional(HookList),
});
// Every name in names.ts's HOOK_NAMES (which `features` advertises) is a field here.
const hooksCoverNames: Record<HookName, unknown> = HooksSchema.properties;
void hooksCoverNames;
export type Hooks = Static<typeof HooksSchema>;

export const MountSchema = Type.Object({
  /** Absolute path in the container (checked in validate.ts; runc 1.1 only warns). */
  destination: Type.String(),
  source: Optional(Type.String()),
  type: Optional(Type.String()),
  options: Optional(Strings),
  /** Id-mapped mounts (v1.1.0). */
  uidMappings: Optional(Type.Array(IdMappingDef.ref)),
  gidMappings: Optional(Type.Array(IdMappingDef.ref)),
});
export type Mount = Static<typeof MountSchema>;

// ---------------------------------------------------------------------------
// process

export const RlimitSchema = Type.Object({
  /** RLIMIT_* (the schema's pattern; validate.ts checks the name is one Linux has). */
  type: Type.String({ pattern: '^RLIMIT_[A-Z]+$' }),
  soft: Uint64,
  hard: Uint64,
});
export type Rlimit = Static<typeof RlimitSchema>;

export const CapabilitiesSchema = Type.Object({
  bounding: Optional(Strings),
  effective: Optional(Strings),
  inheritable: Optional(Strings),
  permitted: Optional(Strings),
  ambient: Optional(Strings),
});
export type Capabilities = Static<typeof CapabilitiesSchema>;

export const UserSchema = Type.Object({
  uid: Optional(Uint32),
  gid: Optional(Uint32),
  umask: Optional(Uint32),
  additionalGids: Optional(Type.Array(Uint32)),
  /** Windows only; ignored. */
  username: Optional(Type.String()),
});
export type User = Static<typeof UserSchema>;

export const SchedulerSchema = Type.Object({
  policy: StringEnum(['SCHED_OTHER', 'SCHED_FIFO', 'SCHED_RR', 'SCHED_BATCH', 'SCHED_ISO', 'SCHED_IDLE', 'SCHED_DEADLINE']),
  nice: Optional(Int32),
  priority: Optional(Int32),
  flags: Optional(Type.Array(StringEnum(['SCHED_FLAG_RESET_ON_FORK', 'SCHED_FLAG_RECLAIM', 'SCHED_FLAG_DL_OVERRUN',
    'SCHED_FLAG_KEEP_POLICY', 'SCHED_FLAG_KEEP_PARAMS', 'SCHED_FLAG_UTIL_CLAMP_MIN', 'SCHED_FLAG_UTIL_CLAMP_MAX']))),
  runtime: Optional(Uint64),
  deadline: Optional(Uint64),
  period: Optional(Uint64),
});
export type Scheduler = Static<typeof SchedulerSchema>;

const ProcessDef = shared('Process', Type.Object({
  terminal: Optional(Type.Boolean()),
  consoleSize: Optional(Type.Object({ height: Uint64, width: Uint64 })),
  user: Optional(UserSchema),
  /** Required and non-empty on Linux (checked in validate.ts; the schema leaves it optional for Windows). */
  args: Optional(Strings),
  /** Windows only; ignored. */
  commandLine: Optional(Type.String()),
  env: Optional(Strings),
  /** Absolute (checked in validate.ts). */
  cwd: Type.String(),
  capabilities: Optional(CapabilitiesSchema),
  rlimits: Optional(Type.Array(RlimitSchema)),
  noNewPrivileges: Optional(Type.Boolean()),
  apparmorProfile: Optional(Type.String()),
  oomScoreAdj: Optional(Type.Integer()),
  scheduler: Optional(SchedulerSchema),
  selinuxLabel: Optional(Type.String()),
  ioPriority: Optional(Type.Object({
    class: StringEnum(['IOPRIO_CLASS_RT', 'IOPRIO_CLASS_BE', 'IOPRIO_CLASS_IDLE']),
    priority: Optional(Int32),
  })),
}));
export const ProcessSchema = ProcessDef.schema;
export type Process = Static<typeof ProcessSchema>;

// ---------------------------------------------------------------------------
// linux

export const NamespaceSchema = Type.Object({
  type: StringEnum(NAMESPACE_TYPES),
  /** A namespace file to join (absolute; checked in validate.ts) instead of a new namespace. */
  path: Optional(Type.String()),
});
export type Namespace = Static<typeof NamespaceSchema>;

export const DeviceSchema = Type.Object({
  /** c, b, u (unbuffered character) or p (FIFO). */
  type: Type.String({ pattern: '^[cbup]$' }),
  path: Type.String(),
  /** Permission bits; the schema's maximum is 512. */
  fileMode: Optional(int(0, 512)),
  /** Required unless type is p (checked in validate.ts). */
  major: Optional(Int64),
  minor: Optional(Int64),
  uid: Optional(Uint32),
  gid: Optional(Uint32),
});
export type Device = Static<typeof DeviceSchema>;

export const DeviceCgroupSchema = Type.Object({
  allow: Type.Boolean(),
  /** a (all), c or b (checked in validate.ts). */
  type: Optional(Type.String()),
  major: Optional(Int64),
  minor: Optional(Int64),
  /** Some of r, w, m (checked in validate.ts). */
  access: Optional(Type.String()),
});
export type DeviceCgroup = Static<typeof DeviceCgroupSchema>;

const BlockIODeviceWeight = Type.Object({ major: Int64, minor: Int64, weight: Optional(Uint16), leafWeight: Optional(Uint16) });
const BlockIODeviceThrottle = shared('BlockIODeviceThrottle', Type.Object({ major: Int64, minor: Int64, rate: Optional(Uint64) })).ref;

export const ResourcesSchema = Type.Object({
  devices: Optional(Type.Array(DeviceCgroupSchema)),
  memory: Optional(Type.Object({
    limit: Optional(Int64),
    reservation: Optional(Int64),
    swap: Optional(Int64),
    kernel: Optional(Int64),
    kernelTCP: Optional(Int64),
    swappiness: Optional(Uint64),
    disableOOMKiller: Optional(Type.Boolean()),
    useHierarchy: Optional(Type.Boolean()),
    checkBeforeUpdate: Optional(Type.Boolean()),
  })),
  cpu: Optional(Type.Object({
    shares: Optional(Uint64),
    quota: Optional(Int64),
    burst: Optional(Uint64),
    period: Optional(Uint64),
    realtimeRuntime: Optional(Int64),
    realtimePeriod: Optional(Uint64),
    cpus: Optional(Type.String()),
    mems: Optional(Type.String()),
    idle: Optional(Int64),
  })),
  pids: Optional(Type.Object({ limit: Int64 })),
  blockIO: Optional(Type.Object({
    weight: Optional(Uint16),
    leafWeight: Optional(Uint16),
    weightDevice: Optional(Type.Array(BlockIODeviceWeight)),
    throttleReadBpsDevice: Optional(Type.Array(BlockIODeviceThrottle)),
    throttleWriteBpsDevice: Optional(Type.Array(BlockIODeviceThrottle)),
    throttleReadIOPSDevice: Optional(Type.Array(BlockIODeviceThrottle)),
    throttleWriteIOPSDevice: Optional(Type.Array(BlockIODeviceThrottle)),
  })),
  hugepageLimits: Optional(Type.Array(Type.Object({
    pageSize: Type.String({ pattern: '^[1-9][0-9]*[KMG]B$' }),
    limit: Uint64,
  }))),
  network: Optional(Type.Object({
    classID: Optional(Uint32),
    priorities: Optional(Type.Array(Type.Object({ name: Type.String(), priority: Uint32 }))),
  })),
  rdma: Optional(Type.Record(Type.String(), Type.Object({ hcaHandles: Optional(Uint32), hcaObjects: Optional(Uint32) }))),
  /** cgroup v2 files and their contents. */
  unified: Optional(StringMap),
});
export type Resources = Static<typeof ResourcesSchema>;

export const SeccompSchema = Type.Object({
  defaultAction: StringEnum(SECCOMP_ACTIONS),
  defaultErrnoRet: Optional(Uint32),
  architectures: Optional(Type.Array(StringEnum(SECCOMP_ARCHS))),
  flags: Optional(Type.Array(StringEnum(SECCOMP_FLAGS))),
  listenerPath: Optional(Type.String()),
  listenerMetadata: Optional(Type.String()),
  syscalls: Optional(Type.Array(Type.Object({
    names: Type.Array(Type.String(), { minItems: 1 }),
    action: StringEnum(SECCOMP_ACTIONS),
    errnoRet: Optional(Uint32),
    args: Optional(Type.Array(Type.Object({
      index: Uint32,
      value: Uint64,
      valueTwo: Optional(Uint64),
      op: StringEnum(SECCOMP_OPERATORS),
    }))),
  }))),
});
export type Seccomp = Static<typeof SeccompSchema>;

const TimeOffset = Type.Object({ secs: Optional(Int64), nanosecs: Optional(Uint32) });

export const LinuxSchema = Type.Object({
  namespaces: Optional(Type.Array(NamespaceSchema)),
  uidMappings: Optional(Type.Array(IdMappingDef.ref)),
  gidMappings: Optional(Type.Array(IdMappingDef.ref)),
  /** Only boottime and monotonic (checked in validate.ts); needs a time namespace. */
  timeOffsets: Optional(Type.Object({ boottime: Optional(TimeOffset), monotonic: Optional(TimeOffset) })),
  devices: Optional(Type.Array(DeviceSchema)),
  cgroupsPath: Optional(Type.String()),
  resources: Optional(ResourcesSchema),
  intelRdt: Optional(Type.Object({
    closID: Optional(Type.String()),
    l3CacheSchema: Optional(Type.String()),
    memBwSchema: Optional(Type.String({ pattern: '^MB:[^\\n]*$' })),
    enableCMT: Optional(Type.Boolean()),
    enableMBM: Optional(Type.Boolean()),
  })),
  sysctl: Optional(StringMap),
  seccomp: Optional(SeccompSchema),
  rootfsPropagation: Optional(StringEnum(['private', 'shared', 'slave', 'unbindable'])),
  maskedPaths: Optional(Strings),
  readonlyPaths: Optional(Strings),
  mountLabel: Optional(Type.String()),
  personality: Optional(Type.Object({
    domain: Optional(StringEnum(['LINUX', 'LINUX32'])),
    flags: Optional(Strings),
  })),
});
export type Linux = Static<typeof LinuxSchema>;

// ---------------------------------------------------------------------------
// The document

export const SpecSchema = Type.Object({
  /** SemVer of the spec the document follows; tsvisor reads 1.x (checked in validate.ts). */
  ociVersion: Type.String(),
  root: Optional(Type.Object({
    /** Host path of the root file system, relative to the bundle unless absolute. */
    path: Type.String(),
    readonly: Optional(Type.Boolean()),
  })),
  mounts: Optional(Type.Array(MountSchema)),
  process: Optional(ProcessDef.ref),
  hostname: Optional(Type.String()),
  domainname: Optional(Type.String()),
  hooks: Optional(HooksSchema),
  annotations: Optional(StringMap),
  linux: Optional(LinuxSchema),
  // Other platforms' sections: accepted as the schema accepts them, not read.
  solaris: Optional(Type.Unknown()),
  windows: Optional(Type.Unknown()),
  vm: Optional(Type.Unknown()),
  zos: Optional(Type.Unknown()),
});
export type Spec = Static<typeof SpecSchema>;

/** The state of a container (runtime.md "State", state-schema.json), as `state` reports it and hooks receive it. */
export const StateSchema = Type.Object({
  ociVersion: Type.String(),
  id: Type.String(),
  status: StringEnum(['creating', 'created', 'running', 'stopped']),
  /** The container process's host pid; required while created or running. */
  pid: Optional(Type.Integer({ minimum: 0 })),
  /** Absolute host path of the bundle. */
  bundle: Type.String(),
  annotations: Optional(StringMap),
});
export type State = Static<typeof StateSchema>;
export type ContainerStatus = State['status'];
