// Argument signatures of every x86-64 system call, used to decode them for
// strace-style logging (src/syscalls/strace.ts). The order and count of the
// arguments follow the kernel's SYSCALL_DEFINEn for x86-64 (section 2 of the
// manual); the kinds say how each register is printed.

import { SYS } from './sysno.js';

/**
 * How one argument register is printed.
 *
 * Scalars:
 * - `int`, `uint`: a C int / unsigned int (low 32 bits), decimal.
 * - `long`: a signed 64-bit value (off_t, loff_t, long), decimal.
 * - `hex`, `ptr`: the raw 64-bit value in hex (`ptr` is an opaque pointer).
 * - `size`: a size_t, in hex.
 * - `fd`: a file descriptor; `dirfd`: the same, with AT_FDCWD by name.
 * - `uid`: a uid_t / gid_t, with (uid_t)-1 printed as -1.
 * - `mode`: a file mode, in octal (`0o644`).
 * - `signal`: a signal number by name.
 *
 * Memory the call reads (printed on entry and on exit):
 * - `path`, `str`: a NUL-terminated string.
 * - `inbuf:N`: a buffer whose length is argument N.
 * - `iovec:N`: an array of struct iovec whose count is argument N.
 * - `sockaddr:N`: a socket address whose length is argument N.
 * - `pollfds:N`: an array of struct pollfd whose count is argument N (the
 *   revents are shown on exit).
 * - `argv`: a NULL-terminated array of string pointers.
 * - `sigset_ptr`, `timespec_ptr`, `timeval_ptr`, `itimerspec_ptr`,
 *   `itimerval_ptr`, `rlimit_ptr`, `sigaction_ptr`, `epollevent_ptr`,
 *   `msghdr_in`, `clone_args`, `open_how`: the pointed-to structure.
 *
 * Memory the call writes (decoded on exit when the call succeeded; only the
 * pointer is shown on entry):
 * - `outbuf:N`: a buffer of capacity argument N; the return value is the
 *   number of valid bytes.
 * - `outiovec:N`: an iovec array of count argument N; the return value is the
 *   number of valid bytes.
 * - `sockaddr_out:N`: a socket address whose length is in the socklen_t that
 *   argument N points at.
 * - `cstr_out`: a NUL-terminated string (getcwd).
 * - `sigset_out`, `timespec_out`, `timeval_out`, `itimerspec_out`,
 *   `itimerval_out`, `rlimit_out`, `sigaction_out`, `stat_out`,
 *   `utsname_out`, `pipefds_out`, `wstatus_out`, `epollevents_out` (count is
 *   the return value), `msghdr_out`.
 *
 * Symbolic values and flags (leftover bits are printed in hex):
 * `openflags`, `fdflags` (O_CLOEXEC / O_NONBLOCK as taken by pipe2, dup3,
 * accept4, epoll_create1, ...), `prot`, `mmapflags`, `mremapflags`,
 * `msyncflags`, `madvice`, `atflags`, `accessatflags`, `accessmode`,
 * `whence`, `clockid`, `timerflags`, `itimerwhich`, `fcntlcmd`, `futexop`,
 * `ioctlreq`, `sigmaskhow`, `cloneflags` (with the exit signal in the low
 * byte), `unshareflags`, `waitoptions`, `idtype`, `sockdomain`, `socktype`,
 * `socklevel`, `msgflags`, `shuthow`, `rlimitres`, `rusagewho`, `priowhich`,
 * `schedpolicy`, `prctlop`, `archprctlcode`, `ptracereq`, `epollctlop`,
 * `eventfdflags`, `memfdflags`, `renameflags`, `mountflags`, `umountflags`,
 * `lockop`, `mlockallflags`, `getrandomflags`, `fadvice`, `fallocmode`,
 * `closerangeflags`, `xattrflags`, `inotifymask`, `spliceflags`,
 * `seccompop`, `ipccmd`.
 *
 * Kinds whose meaning depends on another argument (N is its index):
 * `fcntlarg:N` (the fcntl command), `sockopt:N` (the socket level),
 * `futex_timeout:N` (the futex operation: a timespec or val2),
 * `prctlarg:N` (the prctl option).
 */
export type ScalarArgKind =
  | 'int' | 'uint' | 'long' | 'hex' | 'ptr' | 'size' | 'fd' | 'dirfd' | 'uid' | 'mode' | 'signal';

export type MemoryArgKind =
  | 'path' | 'str' | 'argv' | 'cstr_out'
  | 'sigset_ptr' | 'sigset_out'
  | 'timespec_ptr' | 'timespec_out' | 'timeval_ptr' | 'timeval_out'
  | 'itimerspec_ptr' | 'itimerspec_out' | 'itimerval_ptr' | 'itimerval_out'
  | 'rlimit_ptr' | 'rlimit_out' | 'sigaction_ptr' | 'sigaction_out'
  | 'stat_out' | 'utsname_out' | 'pipefds_out' | 'wstatus_out'
  | 'epollevent_ptr' | 'epollevents_out' | 'msghdr_in' | 'msghdr_out'
  | 'clone_args' | 'open_how';

export type SymbolicArgKind =
  | 'openflags' | 'fdflags' | 'prot' | 'mmapflags' | 'mremapflags' | 'msyncflags' | 'madvice'
  | 'atflags' | 'accessatflags' | 'accessmode' | 'whence' | 'clockid' | 'timerflags' | 'itimerwhich'
  | 'fcntlcmd' | 'futexop' | 'ioctlreq' | 'sigmaskhow' | 'cloneflags' | 'unshareflags'
  | 'waitoptions' | 'idtype' | 'sockdomain' | 'socktype' | 'socklevel' | 'msgflags' | 'shuthow'
  | 'rlimitres' | 'rusagewho' | 'priowhich' | 'schedpolicy' | 'prctlop' | 'archprctlcode'
  | 'ptracereq' | 'epollctlop' | 'eventfdflags' | 'memfdflags' | 'renameflags' | 'mountflags'
  | 'umountflags' | 'lockop' | 'mlockallflags' | 'getrandomflags' | 'fadvice' | 'fallocmode'
  | 'closerangeflags' | 'xattrflags' | 'inotifymask' | 'spliceflags' | 'seccompop' | 'ipccmd';

export type IndexedArgKind =
  | `inbuf:${number}` | `outbuf:${number}` | `iovec:${number}` | `outiovec:${number}`
  | `sockaddr:${number}` | `sockaddr_out:${number}` | `pollfds:${number}`
  | `fcntlarg:${number}` | `sockopt:${number}` | `futex_timeout:${number}` | `prctlarg:${number}`;

export type ArgKind = ScalarArgKind | MemoryArgKind | SymbolicArgKind | IndexedArgKind;

export type SyscallName = keyof typeof SYS;

const H1: readonly ArgKind[] = ['hex'];
const H3: readonly ArgKind[] = ['hex', 'hex', 'hex'];
const H4: readonly ArgKind[] = ['hex', 'hex', 'hex', 'hex'];
const H5: readonly ArgKind[] = ['hex', 'hex', 'hex', 'hex', 'hex'];

/** name -> argument kinds, for every system call in SYS (checked by the type). */
export const SYSCALL_ARGS: { readonly [K in SyscallName]: readonly ArgKind[] } = {
  read: ['fd', 'outbuf:2', 'size'],
  write: ['fd', 'inbuf:2', 'size'],
  open: ['path', 'openflags', 'mode'],
  close: ['fd'],
  stat: ['path', 'stat_out'],
  fstat: ['fd', 'stat_out'],
  lstat: ['path', 'stat_out'],
  poll: ['pollfds:1', 'uint', 'int'],
  lseek: ['fd', 'long', 'whence'],
  mmap: ['hex', 'size', 'prot', 'mmapflags', 'fd', 'hex'],
  mprotect: ['hex', 'size', 'prot'],
  munmap: ['hex', 'size'],
  brk: ['hex'],
  rt_sigaction: ['signal', 'sigaction_ptr', 'sigaction_out', 'size'],
  rt_sigprocmask: ['sigmaskhow', 'sigset_ptr', 'sigset_out', 'size'],
  rt_sigreturn: [],
  ioctl: ['fd', 'ioctlreq', 'hex'],
  pread64: ['fd', 'outbuf:2', 'size', 'long'],
  pwrite64: ['fd', 'inbuf:2', 'size', 'long'],
  readv: ['fd', 'outiovec:2', 'int'],
  writev: ['fd', 'iovec:2', 'int'],
  access: ['path', 'accessmode'],
  pipe: ['pipefds_out'],
  select: ['int', 'ptr', 'ptr', 'ptr', 'timeval_ptr'],
  sched_yield: [],
  mremap: ['hex', 'size', 'size', 'mremapflags', 'hex'],
  msync: ['hex', 'size', 'msyncflags'],
  mincore: ['hex', 'size', 'ptr'],
  madvise: ['hex', 'size', 'madvice'],
  shmget: ['hex', 'size', 'hex'],
  shmat: ['int', 'hex', 'hex'],
  shmctl: ['int', 'ipccmd', 'ptr'],
  dup: ['fd'],
  dup2: ['fd', 'fd'],
  pause: [],
  nanosleep: ['timespec_ptr', 'timespec_out'],
  getitimer: ['itimerwhich', 'itimerval_out'],
  alarm: ['uint'],
  setitimer: ['itimerwhich', 'itimerval_ptr', 'itimerval_out'],
  getpid: [],
  sendfile: ['fd', 'fd', 'ptr', 'size'],
  socket: ['sockdomain', 'socktype', 'int'],
  connect: ['fd', 'sockaddr:2', 'uint'],
  accept: ['fd', 'sockaddr_out:2', 'ptr'],
  sendto: ['fd', 'inbuf:2', 'size', 'msgflags', 'sockaddr:5', 'uint'],
  recvfrom: ['fd', 'outbuf:2', 'size', 'msgflags', 'sockaddr_out:5', 'ptr'],
  sendmsg: ['fd', 'msghdr_in', 'msgflags'],
  recvmsg: ['fd', 'msghdr_out', 'msgflags'],
  shutdown: ['fd', 'shuthow'],
  bind: ['fd', 'sockaddr:2', 'uint'],
  listen: ['fd', 'int'],
  getsockname: ['fd', 'sockaddr_out:2', 'ptr'],
  getpeername: ['fd', 'sockaddr_out:2', 'ptr'],
  socketpair: ['sockdomain', 'socktype', 'int', 'pipefds_out'],
  setsockopt: ['fd', 'socklevel', 'sockopt:1', 'inbuf:4', 'uint'],
  getsockopt: ['fd', 'socklevel', 'sockopt:1', 'ptr', 'ptr'],
  clone: ['cloneflags', 'hex', 'ptr', 'ptr', 'hex'],
  fork: [],
  vfork: [],
  execve: ['path', 'argv', 'argv'],
  exit: ['int'],
  wait4: ['int', 'wstatus_out', 'waitoptions', 'ptr'],
  kill: ['int', 'signal'],
  uname: ['utsname_out'],
  semget: ['hex', 'int', 'hex'],
  semop: ['int', 'ptr', 'size'],
  semctl: ['int', 'int', 'ipccmd', 'hex'],
  shmdt: ['hex'],
  msgget: ['hex', 'hex'],
  msgsnd: ['int', 'ptr', 'size', 'hex'],
  msgrcv: ['int', 'ptr', 'size', 'long', 'hex'],
  msgctl: ['int', 'ipccmd', 'ptr'],
  fcntl: ['fd', 'fcntlcmd', 'fcntlarg:1'],
  flock: ['fd', 'lockop'],
  fsync: ['fd'],
  fdatasync: ['fd'],
  truncate: ['path', 'long'],
  ftruncate: ['fd', 'long'],
  getdents: ['fd', 'ptr', 'uint'],
  getcwd: ['cstr_out', 'size'],
  chdir: ['path'],
  fchdir: ['fd'],
  rename: ['path', 'path'],
  mkdir: ['path', 'mode'],
  rmdir: ['path'],
  creat: ['path', 'mode'],
  link: ['path', 'path'],
  unlink: ['path'],
  symlink: ['path', 'path'],
  readlink: ['path', 'outbuf:2', 'size'],
  chmod: ['path', 'mode'],
  fchmod: ['fd', 'mode'],
  chown: ['path', 'uid', 'uid'],
  fchown: ['fd', 'uid', 'uid'],
  lchown: ['path', 'uid', 'uid'],
  umask: ['mode'],
  gettimeofday: ['timeval_out', 'ptr'],
  getrlimit: ['rlimitres', 'rlimit_out'],
  getrusage: ['rusagewho', 'ptr'],
  sysinfo: ['ptr'],
  times: ['ptr'],
  ptrace: ['ptracereq', 'int', 'hex', 'hex'],
  getuid: [],
  syslog: ['int', 'ptr', 'int'],
  getgid: [],
  setuid: ['uid'],
  setgid: ['uid'],
  geteuid: [],
  getegid: [],
  setpgid: ['int', 'int'],
  getppid: [],
  getpgrp: [],
  setsid: [],
  setreuid: ['uid', 'uid'],
  setregid: ['uid', 'uid'],
  getgroups: ['int', 'ptr'],
  setgroups: ['int', 'ptr'],
  setresuid: ['uid', 'uid', 'uid'],
  getresuid: ['ptr', 'ptr', 'ptr'],
  setresgid: ['uid', 'uid', 'uid'],
  getresgid: ['ptr', 'ptr', 'ptr'],
  getpgid: ['int'],
  setfsuid: ['uid'],
  setfsgid: ['uid'],
  getsid: ['int'],
  capget: ['ptr', 'ptr'],
  capset: ['ptr', 'ptr'],
  rt_sigpending: ['sigset_out', 'size'],
  rt_sigtimedwait: ['sigset_ptr', 'ptr', 'timespec_ptr', 'size'],
  rt_sigqueueinfo: ['int', 'signal', 'ptr'],
  rt_sigsuspend: ['sigset_ptr', 'size'],
  sigaltstack: ['ptr', 'ptr'],
  utime: ['path', 'ptr'],
  mknod: ['path', 'mode', 'hex'],
  uselib: ['path'],
  personality: ['hex'],
  ustat: ['hex', 'ptr'],
  statfs: ['path', 'ptr'],
  fstatfs: ['fd', 'ptr'],
  sysfs: ['int', 'hex', 'hex'],
  getpriority: ['priowhich', 'int'],
  setpriority: ['priowhich', 'int', 'int'],
  sched_setparam: ['int', 'ptr'],
  sched_getparam: ['int', 'ptr'],
  sched_setscheduler: ['int', 'schedpolicy', 'ptr'],
  sched_getscheduler: ['int'],
  sched_get_priority_max: ['schedpolicy'],
  sched_get_priority_min: ['schedpolicy'],
  sched_rr_get_interval: ['int', 'timespec_out'],
  mlock: ['hex', 'size'],
  munlock: ['hex', 'size'],
  mlockall: ['mlockallflags'],
  munlockall: [],
  vhangup: [],
  modify_ldt: ['int', 'ptr', 'size'],
  pivot_root: ['path', 'path'],
  _sysctl: ['ptr'],
  prctl: ['prctlop', 'prctlarg:0', 'hex', 'hex', 'hex'],
  arch_prctl: ['archprctlcode', 'hex'],
  adjtimex: ['ptr'],
  setrlimit: ['rlimitres', 'rlimit_ptr'],
  chroot: ['path'],
  sync: [],
  acct: ['path'],
  settimeofday: ['timeval_ptr', 'ptr'],
  mount: ['path', 'path', 'str', 'mountflags', 'hex'],
  umount2: ['path', 'umountflags'],
  swapon: ['path', 'hex'],
  swapoff: ['path'],
  reboot: ['hex', 'hex', 'hex', 'ptr'],
  sethostname: ['inbuf:1', 'size'],
  setdomainname: ['inbuf:1', 'size'],
  iopl: ['int'],
  ioperm: ['hex', 'hex', 'int'],
  create_module: ['str', 'size'],
  init_module: ['ptr', 'size', 'str'],
  delete_module: ['str', 'hex'],
  get_kernel_syms: H1,
  query_module: ['str', 'int', 'ptr', 'size', 'ptr'],
  quotactl: ['hex', 'path', 'int', 'ptr'],
  nfsservctl: H3,
  getpmsg: H5,
  putpmsg: H5,
  afs_syscall: H5,
  tuxcall: H3,
  security: H3,
  gettid: [],
  readahead: ['fd', 'long', 'size'],
  setxattr: ['path', 'str', 'inbuf:3', 'size', 'xattrflags'],
  lsetxattr: ['path', 'str', 'inbuf:3', 'size', 'xattrflags'],
  fsetxattr: ['fd', 'str', 'inbuf:3', 'size', 'xattrflags'],
  getxattr: ['path', 'str', 'outbuf:3', 'size'],
  lgetxattr: ['path', 'str', 'outbuf:3', 'size'],
  fgetxattr: ['fd', 'str', 'outbuf:3', 'size'],
  listxattr: ['path', 'outbuf:2', 'size'],
  llistxattr: ['path', 'outbuf:2', 'size'],
  flistxattr: ['fd', 'outbuf:2', 'size'],
  removexattr: ['path', 'str'],
  lremovexattr: ['path', 'str'],
  fremovexattr: ['fd', 'str'],
  tkill: ['int', 'signal'],
  time: ['ptr'],
  futex: ['ptr', 'futexop', 'uint', 'futex_timeout:1', 'ptr', 'hex'],
  sched_setaffinity: ['int', 'size', 'ptr'],
  sched_getaffinity: ['int', 'size', 'ptr'],
  set_thread_area: ['ptr'],
  io_setup: ['uint', 'ptr'],
  io_destroy: ['hex'],
  io_getevents: ['hex', 'long', 'long', 'ptr', 'timespec_ptr'],
  io_submit: ['hex', 'long', 'ptr'],
  io_cancel: ['hex', 'ptr', 'ptr'],
  get_thread_area: ['ptr'],
  lookup_dcookie: ['hex', 'ptr', 'size'],
  epoll_create: ['int'],
  epoll_ctl_old: H4,
  epoll_wait_old: H4,
  remap_file_pages: ['hex', 'size', 'prot', 'size', 'mmapflags'],
  getdents64: ['fd', 'ptr', 'uint'],
  set_tid_address: ['ptr'],
  restart_syscall: [],
  semtimedop: ['int', 'ptr', 'size', 'timespec_ptr'],
  fadvise64: ['fd', 'long', 'size', 'fadvice'],
  timer_create: ['clockid', 'ptr', 'ptr'],
  timer_settime: ['int', 'timerflags', 'itimerspec_ptr', 'itimerspec_out'],
  timer_gettime: ['int', 'itimerspec_out'],
  timer_getoverrun: ['int'],
  timer_delete: ['int'],
  clock_settime: ['clockid', 'timespec_ptr'],
  clock_gettime: ['clockid', 'timespec_out'],
  clock_getres: ['clockid', 'timespec_out'],
  clock_nanosleep: ['clockid', 'timerflags', 'timespec_ptr', 'timespec_out'],
  exit_group: ['int'],
  epoll_wait: ['fd', 'epollevents_out', 'int', 'int'],
  epoll_ctl: ['fd', 'epollctlop', 'fd', 'epollevent_ptr'],
  tgkill: ['int', 'int', 'signal'],
  utimes: ['path', 'ptr'],
  vserver: H5,
  mbind: ['hex', 'size', 'int', 'ptr', 'hex', 'hex'],
  set_mempolicy: ['int', 'ptr', 'hex'],
  get_mempolicy: ['ptr', 'ptr', 'hex', 'hex', 'hex'],
  mq_open: ['str', 'openflags', 'mode', 'ptr'],
  mq_unlink: ['str'],
  mq_timedsend: ['fd', 'inbuf:2', 'size', 'uint', 'timespec_ptr'],
  mq_timedreceive: ['fd', 'outbuf:2', 'size', 'ptr', 'timespec_ptr'],
  mq_notify: ['fd', 'ptr'],
  mq_getsetattr: ['fd', 'ptr', 'ptr'],
  kexec_load: ['hex', 'hex', 'ptr', 'hex'],
  waitid: ['idtype', 'int', 'ptr', 'waitoptions', 'ptr'],
  add_key: ['str', 'str', 'inbuf:3', 'size', 'int'],
  request_key: ['str', 'str', 'str', 'int'],
  keyctl: ['int', 'hex', 'hex', 'hex', 'hex'],
  ioprio_set: ['int', 'int', 'int'],
  ioprio_get: ['int', 'int'],
  inotify_init: [],
  inotify_add_watch: ['fd', 'path', 'inotifymask'],
  inotify_rm_watch: ['fd', 'int'],
  migrate_pages: ['int', 'hex', 'ptr', 'ptr'],
  openat: ['dirfd', 'path', 'openflags', 'mode'],
  mkdirat: ['dirfd', 'path', 'mode'],
  mknodat: ['dirfd', 'path', 'mode', 'hex'],
  fchownat: ['dirfd', 'path', 'uid', 'uid', 'atflags'],
  futimesat: ['dirfd', 'path', 'ptr'],
  newfstatat: ['dirfd', 'path', 'stat_out', 'atflags'],
  unlinkat: ['dirfd', 'path', 'atflags'],
  renameat: ['dirfd', 'path', 'dirfd', 'path'],
  linkat: ['dirfd', 'path', 'dirfd', 'path', 'atflags'],
  symlinkat: ['path', 'dirfd', 'path'],
  readlinkat: ['dirfd', 'path', 'outbuf:3', 'size'],
  fchmodat: ['dirfd', 'path', 'mode'],
  faccessat: ['dirfd', 'path', 'accessmode'],
  pselect6: ['int', 'ptr', 'ptr', 'ptr', 'timespec_ptr', 'ptr'],
  ppoll: ['pollfds:1', 'uint', 'timespec_ptr', 'sigset_ptr', 'size'],
  unshare: ['unshareflags'],
  set_robust_list: ['ptr', 'size'],
  get_robust_list: ['int', 'ptr', 'ptr'],
  splice: ['fd', 'ptr', 'fd', 'ptr', 'size', 'spliceflags'],
  tee: ['fd', 'fd', 'size', 'spliceflags'],
  sync_file_range: ['fd', 'long', 'long', 'hex'],
  vmsplice: ['fd', 'iovec:2', 'size', 'spliceflags'],
  move_pages: ['int', 'hex', 'ptr', 'ptr', 'ptr', 'hex'],
  utimensat: ['dirfd', 'path', 'ptr', 'atflags'],
  epoll_pwait: ['fd', 'epollevents_out', 'int', 'int', 'sigset_ptr', 'size'],
  signalfd: ['fd', 'sigset_ptr', 'size'],
  timerfd_create: ['clockid', 'fdflags'],
  eventfd: ['uint'],
  fallocate: ['fd', 'fallocmode', 'long', 'long'],
  timerfd_settime: ['fd', 'timerflags', 'itimerspec_ptr', 'itimerspec_out'],
  timerfd_gettime: ['fd', 'itimerspec_out'],
  accept4: ['fd', 'sockaddr_out:2', 'ptr', 'fdflags'],
  signalfd4: ['fd', 'sigset_ptr', 'size', 'fdflags'],
  eventfd2: ['uint', 'eventfdflags'],
  epoll_create1: ['fdflags'],
  dup3: ['fd', 'fd', 'fdflags'],
  pipe2: ['pipefds_out', 'fdflags'],
  inotify_init1: ['fdflags'],
  preadv: ['fd', 'outiovec:2', 'int', 'long', 'hex'],
  pwritev: ['fd', 'iovec:2', 'int', 'long', 'hex'],
  rt_tgsigqueueinfo: ['int', 'int', 'signal', 'ptr'],
  perf_event_open: ['ptr', 'int', 'int', 'fd', 'hex'],
  recvmmsg: ['fd', 'ptr', 'uint', 'msgflags', 'timespec_ptr'],
  fanotify_init: ['hex', 'hex'],
  fanotify_mark: ['fd', 'hex', 'hex', 'dirfd', 'path'],
  prlimit64: ['int', 'rlimitres', 'rlimit_ptr', 'rlimit_out'],
  name_to_handle_at: ['dirfd', 'path', 'ptr', 'ptr', 'atflags'],
  open_by_handle_at: ['fd', 'ptr', 'openflags'],
  clock_adjtime: ['clockid', 'ptr'],
  syncfs: ['fd'],
  sendmmsg: ['fd', 'ptr', 'uint', 'msgflags'],
  setns: ['fd', 'unshareflags'],
  getcpu: ['ptr', 'ptr', 'ptr'],
  process_vm_readv: ['int', 'ptr', 'hex', 'ptr', 'hex', 'hex'],
  process_vm_writev: ['int', 'ptr', 'hex', 'ptr', 'hex', 'hex'],
  kcmp: ['int', 'int', 'int', 'hex', 'hex'],
  finit_module: ['fd', 'str', 'hex'],
  sched_setattr: ['int', 'ptr', 'hex'],
  sched_getattr: ['int', 'ptr', 'uint', 'hex'],
  renameat2: ['dirfd', 'path', 'dirfd', 'path', 'renameflags'],
  seccomp: ['seccompop', 'hex', 'ptr'],
  getrandom: ['outbuf:1', 'size', 'getrandomflags'],
  memfd_create: ['str', 'memfdflags'],
  kexec_file_load: ['fd', 'fd', 'size', 'ptr', 'hex'],
  bpf: ['int', 'ptr', 'uint'],
  execveat: ['dirfd', 'path', 'argv', 'argv', 'atflags'],
  userfaultfd: ['fdflags'],
  membarrier: ['int', 'hex', 'int'],
  mlock2: ['hex', 'size', 'hex'],
  copy_file_range: ['fd', 'ptr', 'fd', 'ptr', 'size', 'hex'],
  preadv2: ['fd', 'outiovec:2', 'int', 'long', 'hex', 'hex'],
  pwritev2: ['fd', 'iovec:2', 'int', 'long', 'hex', 'hex'],
  pkey_mprotect: ['hex', 'size', 'prot', 'int'],
  pkey_alloc: ['hex', 'hex'],
  pkey_free: ['int'],
  statx: ['dirfd', 'path', 'atflags', 'hex', 'ptr'],
  io_pgetevents: ['hex', 'long', 'long', 'ptr', 'timespec_ptr', 'ptr'],
  rseq: ['ptr', 'uint', 'hex', 'hex'],
  pidfd_send_signal: ['fd', 'signal', 'ptr', 'hex'],
  io_uring_setup: ['uint', 'ptr'],
  io_uring_enter: ['fd', 'uint', 'uint', 'hex', 'ptr', 'size'],
  io_uring_register: ['fd', 'uint', 'ptr', 'uint'],
  open_tree: ['dirfd', 'path', 'hex'],
  move_mount: ['dirfd', 'path', 'dirfd', 'path', 'hex'],
  fsopen: ['str', 'hex'],
  fsconfig: ['fd', 'uint', 'str', 'ptr', 'int'],
  fsmount: ['fd', 'hex', 'hex'],
  fspick: ['dirfd', 'path', 'hex'],
  pidfd_open: ['int', 'hex'],
  clone3: ['clone_args', 'size'],
  close_range: ['uint', 'uint', 'closerangeflags'],
  openat2: ['dirfd', 'path', 'open_how', 'size'],
  pidfd_getfd: ['fd', 'int', 'hex'],
  faccessat2: ['dirfd', 'path', 'accessmode', 'accessatflags'],
  process_madvise: ['fd', 'ptr', 'size', 'madvice', 'hex'],
  epoll_pwait2: ['fd', 'epollevents_out', 'int', 'timespec_ptr', 'sigset_ptr', 'size'],
  mount_setattr: ['dirfd', 'path', 'atflags', 'ptr', 'size'],
  quotactl_fd: ['fd', 'uint', 'int', 'ptr'],
  landlock_create_ruleset: ['ptr', 'size', 'hex'],
  landlock_add_rule: ['fd', 'int', 'ptr', 'hex'],
  landlock_restrict_self: ['fd', 'hex'],
  memfd_secret: ['hex'],
  process_mrelease: ['fd', 'hex'],
  futex_waitv: ['ptr', 'uint', 'hex', 'timespec_ptr', 'clockid'],
  set_mempolicy_home_node: ['hex', 'hex', 'hex', 'hex'],
};

const byNumber: (readonly ArgKind[] | undefined)[] = [];
for (const [name, nr] of Object.entries(SYS)) {
  byNumber[nr] = SYSCALL_ARGS[name as SyscallName];
}

/** The argument kinds of system call nr, or undefined for an unknown number. */
export function syscallArgKinds(nr: number): readonly ArgKind[] | undefined {
  if (!Number.isInteger(nr) || nr < 0 || nr >= byNumber.length) return undefined;
  return byNumber[nr];
}
