// The x86-64 system call table (gVisor pkg/sentry/syscalls/linux/linux64.go):
// number -> handler, with each call's state as docs/syscalls.md reports
// it. A number absent here returns ENOSYS and is logged once.

import { SYS, SYS_MAX } from '../../abi/linux/sysno.js';
import type { SyscallFn, SyscallTable } from '../../kernel/kernel.js';
import * as rw from './sys_read_write.js';
import * as file from './sys_file.js';
import * as stat from './sys_stat.js';
import * as dents from './sys_getdents.js';
import * as mmap from './sys_mmap.js';
import * as thread from './sys_thread.js';
import * as id from './sys_identity.js';
import * as rlimit from './sys_rlimit.js';
import * as uname from './sys_uname.js';
import * as time from './sys_time.js';
import * as signal from './sys_signal.js';
import * as random from './sys_random.js';
import * as futex from './sys_futex.js';
import * as ioctl from './sys_ioctl.js';
import * as xattr from './sys_xattr.js';
import * as sched from './sys_sched.js';
import * as pipe from './sys_pipe.js';
import * as poll from './sys_poll.js';
import * as tree from './sys_tree.js';
import * as mount from './sys_mount.js';
import * as exec from './sys_exec.js';
import * as clone from './sys_clone.js';
import * as wait from './sys_wait.js';
import * as epoll from './sys_epoll.js';
import * as eventfd from './sys_eventfd.js';
import * as socket from './sys_socket.js';
import * as timerfd from './sys_timerfd.js';
import * as signalfd from './sys_signalfd.js';
import * as lock from './sys_lock.js';
import * as memfd from './sys_memfd.js';
import * as shm from './sys_shm.js';
import * as sem from './sys_sem.js';
import * as msg from './sys_msgqueue.js';
import * as splice from './sys_splice.js';
import * as inotify from './sys_inotify.js';
import * as cap from './sys_capability.js';
import * as seccomp from './sys_seccomp.js';

export interface SyscallEntry {
  name: string;
  fn: SyscallFn;
  state: 'full' | 'partial';
  note?: string;
}

export const syscallTable = new Map<number, SyscallEntry>();

type Name = keyof typeof SYS;

function full(name: Name, fn: SyscallFn): void {
  syscallTable.set(SYS[name], { name, fn, state: 'full' });
}
function partial(name: Name, fn: SyscallFn, note: string): void {
  syscallTable.set(SYS[name], { name, fn, state: 'partial', note });
}


// read/write
full('read', rw.sysRead);
full('write', rw.sysWrite);
full('pread64', rw.sysPread64);
full('pwrite64', rw.sysPwrite64);
full('readv', rw.sysReadv);
full('writev', rw.sysWritev);
full('preadv', rw.sysPreadv);
full('pwritev', rw.sysPwritev);
partial('preadv2', rw.sysPreadv2, 'RWF_HIPRI/DSYNC/SYNC/NOWAIT/APPEND are accepted and have no effect; RWF_NOAPPEND is refused (EOPNOTSUPP)');
partial('pwritev2', rw.sysPwritev2, 'RWF_HIPRI/DSYNC/SYNC/NOWAIT/APPEND are accepted and have no effect; RWF_NOAPPEND is refused (EOPNOTSUPP)');
full('lseek', rw.sysLseek);
full('fadvise64', rw.sysFadvise64);
full('readahead', rw.sysReadahead);

// files
full('open', file.sysOpen);
full('openat', file.sysOpenat);
partial('openat2', file.sysOpenat2, 'RESOLVE_CACHED never fails a lookup with EAGAIN (only O_CREAT, O_TRUNC, O_TMPFILE)');
full('creat', file.sysCreat);
full('close', file.sysClose);
partial('close_range', file.sysCloseRange, 'CLOSE_RANGE_UNSHARE has no effect (fd tables are not shared yet)');
full('dup', file.sysDup);
full('dup2', file.sysDup2);
full('dup3', file.sysDup3);
partial('fcntl', file.sysFcntl, 'F_SETOWN/F_SETSIG are not supported; record locks (F_GETLK/F_SETLK/F_SETLKW/F_OFD_*) and seals (F_ADD_SEALS/F_GET_SEALS) are whole');
full('pipe', pipe.sysPipe);
partial('pipe2', pipe.sysPipe2, 'O_DIRECT (packet mode) is accepted but not packetised');
full('chdir', file.sysChdir);
full('fchdir', file.sysFchdir);
full('getcwd', file.sysGetcwd);
full('readlink', file.sysReadlink);
full('readlinkat', file.sysReadlinkat);
full('access', file.sysAccess);
full('faccessat', file.sysFaccessat);
full('faccessat2', file.sysFaccessat2);
full('umask', file.sysUmask);
full('chroot', file.sysChroot);
partial('mount', mount.sysMount, 'new tmpfs instances and the registered types (proc, sysfs, devtmpfs, devpts, cgroup2; v1\'s cgroup is ENODEV), MS_BIND (MS_REC), MS_REMOUNT, MS_MOVE, propagation between peers and to slaves (MS_MOVE itself does not propagate); no block devices; in a user namespace: CAP_SYS_ADMIN over the mount namespace\'s owner, and the FS_USERNS_MOUNT types only, but mounts copied from a more privileged namespace are not locked and a new tmpfs belongs to uid 0 of the initial namespace, not to the mounter');
partial('umount2', mount.sysUmount2, 'MNT_FORCE does what a plain umount does');
full('pivot_root', mount.sysPivotRoot);
partial('unshare', mount.sysUnshare, 'CLONE_NEWNS, CLONE_FS, CLONE_FILES, CLONE_NEWUSER (Linux\'s rules: single-threaded, not chrooted, ids mapped, 33 levels then ENOSPC; no per-user namespace count), CLONE_NEWPID (children go into the new namespace, the first is its pid 1 and init; once per process, then EINVAL; 32 levels then ENOSPC; no max_pid_namespaces count), CLONE_NEWIPC (a new, empty SysV IPC namespace; no max_ipc_namespaces count); other namespaces are ENOSYS');
full('mkdir', tree.sysMkdir);
full('mkdirat', tree.sysMkdirat);
partial('mknod', tree.sysMknod, 'device nodes only for the character devices the Sentry serves (EPERM otherwise), no block devices');
partial('mknodat', tree.sysMknodat, 'device nodes only for the character devices the Sentry serves (EPERM otherwise), no block devices');
full('symlink', tree.sysSymlink);
full('symlinkat', tree.sysSymlinkat);
partial('link', tree.sysLink, 'fs.protected_hardlinks is not applied');
partial('linkat', tree.sysLinkat, 'fs.protected_hardlinks is not applied');
full('unlink', tree.sysUnlink);
full('unlinkat', tree.sysUnlinkat);
full('rmdir', tree.sysRmdir);
full('rename', tree.sysRename);
full('renameat', tree.sysRenameat);
full('renameat2', tree.sysRenameat2);
full('chmod', tree.sysChmod);
full('fchmod', tree.sysFchmod);
full('fchmodat', tree.sysFchmodat);
full('chown', tree.sysChown);
full('lchown', tree.sysLchown);
full('fchown', tree.sysFchown);
full('fchownat', tree.sysFchownat);
full('truncate', tree.sysTruncate);
full('ftruncate', tree.sysFtruncate);
partial('fallocate', tree.sysFallocate, 'tmpfs only (EOPNOTSUPP elsewhere); FALLOC_FL_COLLAPSE_RANGE/INSERT_RANGE are EOPNOTSUPP');
full('utimensat', tree.sysUtimensat);
full('utime', tree.sysUtime);
full('utimes', tree.sysUtimes);
full('futimesat', tree.sysFutimesat);
full('fsync', tree.sysFsync);
full('fdatasync', tree.sysFsync);
full('sync', tree.sysSync);
full('syncfs', tree.sysSyncfs);

// stat
full('stat', stat.sysStat);
full('fstat', stat.sysFstat);
full('lstat', stat.sysLstat);
full('newfstatat', stat.sysNewfstatat);
partial('statx', stat.sysStatx, 'STATX_BASIC_STATS, STATX_MNT_ID, and STATX_BTIME where the file system keeps one (tmpfs); no attributes, no STATX_MNT_ID_UNIQUE or STATX_DIOALIGN');
partial('statfs', stat.sysStatfs, 'the host\'s numbers for the root (with ST_RDONLY); the synthetic /dev, /proc, /sys and cgroup2 report their magic and no block or inode counts; f_fsid is the device number');
partial('fstatfs', stat.sysFstatfs, 'the host\'s numbers for the root (with ST_RDONLY); the synthetic /dev, /proc, /sys and cgroup2 report their magic and no block or inode counts; f_fsid is the device number');
full('getdents', dents.sysGetdents);
full('getdents64', dents.sysGetdents64);

// memory
partial('mmap', mmap.sysMmap, 'MAP_SHARED file mappings are snapshots (files are read-only); shared anonymous memory is not yet shared across fork');
full('munmap', mmap.sysMunmap);
full('mprotect', mmap.sysMprotect);
partial('mremap', mmap.sysMremap, 'MREMAP_DONTUNMAP and old_size 0 (duplicating a shared mapping) return EINVAL');
partial('brk', mmap.sysBrk, 'RLIMIT_DATA counts the heap only, not the data segment as Linux\'s check_data_rlimit does');
partial('madvise', mmap.sysMadvise, 'DONTNEED and FREE drop pages, REMOVE drops shared anonymous pages (EINVAL for private, EACCES for file mappings); other advice is accepted and has no effect');
full('mincore', mmap.sysMincore);
full('msync', mmap.sysMsync);
const LOCK_NOTE = 'memory is always resident; the range and RLIMIT_MEMLOCK are checked per call, locked amounts are not accumulated across calls';
partial('mlock', mmap.sysMlock, LOCK_NOTE);
partial('munlock', mmap.sysMunlock, LOCK_NOTE);
partial('mlock2', mmap.sysMlock2, LOCK_NOTE);
partial('mlockall', mmap.sysMlockall, LOCK_NOTE);
full('munlockall', mmap.sysMunlockall);

// threads and processes
full('getpid', thread.sysGetpid);
full('gettid', thread.sysGettid);
full('getppid', thread.sysGetppid);
partial('exit', thread.sysExit, 'robust futex lists are not walked when a thread ends');
full('exit_group', thread.sysExitGroup);
full('epoll_create', epoll.sysEpollCreate);
full('epoll_create1', epoll.sysEpollCreate1);
partial('epoll_ctl', epoll.sysEpollCtl, 'EPOLLEXCLUSIVE is accepted but every waiter is woken; EPOLLWAKEUP is ignored; watches are bounded per user and per sandbox (2^19, ENOSPC)');
full('epoll_wait', epoll.sysEpollWait);
full('epoll_pwait', epoll.sysEpollPwait);
full('epoll_pwait2', epoll.sysEpollPwait2);
partial('socket', socket.sysSocket, 'AF_UNIX (stream, datagram, seqpacket); AF_INET/AF_INET6 stream, datagram and ICMP datagram as host sockets in the sandbox\'s network namespace (none on a launch without namespaces); raw (any protocol but 0) and AF_PACKET SOCK_RAW/SOCK_DGRAM as host sockets for a program with CAP_NET_RAW, only with --net-raw (without it no process has CAP_NET_RAW: EPERM); AF_PACKET SOCK_PACKET ESOCKTNOSUPPORT; MPTCP and UDP-Lite are not served; AF_NETLINK NETLINK_ROUTE (raw or datagram) served by the Sentry from the namespace\'s links, addresses, routes and neighbours as read at boot (dumps, RTM_GETLINK by index or name; changes EPERM without CAP_NET_ADMIN, EOPNOTSUPP with it; IPv4 route lookups; no notifications), other netlink protocols EPROTONOSUPPORT; every other family EAFNOSUPPORT');
partial('socketpair', socket.sysSocketpair, 'AF_UNIX only (inet: EOPNOTSUPP, as Linux)');
partial('bind', socket.sysBind, 'AF_UNIX: abstract names and paths (the socket file is made in the sandbox\'s file system; one made in a volume does not listen for host processes); inet: by the host socket (raw: any port, as raw_bind); AF_PACKET: a sockaddr_ll (EINVAL short or of another family), by the host socket');
full('listen', socket.sysListen);
full('accept', socket.sysAccept);
full('accept4', socket.sysAccept4);
partial('connect', socket.sysConnect, 'AF_UNIX, to abstract names and socket files the sandbox bound (a host socket file is ECONNREFUSED); a full backlog gives EAGAIN rather than waiting; inet: blocking, non-blocking (EINPROGRESS, SO_ERROR) and interrupted as Linux; AF_PACKET EOPNOTSUPP, as Linux');
full('getsockname', socket.sysGetsockname);
full('getpeername', socket.sysGetpeername);
full('sendto', socket.sysSendto);
full('recvfrom', socket.sysRecvfrom);
partial('sendmsg', socket.sysSendmsg, 'AF_UNIX: SCM_RIGHTS and SCM_CREDENTIALS (checked as Linux: EPERM, ESRCH, EINVAL). inet: IP_PKTINFO, IP_TOS, IP_TTL and their IPv6 forms on datagrams; SOL_SOCKET control messages (SO_MARK, SCM_TXTIME...) EINVAL; AF_PACKET: other levels ignored, as packet_sendmsg');
partial('recvmsg', socket.sysRecvmsg, 'AF_UNIX: SCM_RIGHTS, and SCM_CREDENTIALS with SO_PASSCRED (which does not autobind); inet: the host\'s control messages for the options allowed');
partial('sendmmsg', socket.sysSendmmsg, 'each message waits on a blocking socket, and an error after the first message is dropped for the count, as Linux; a message sent only in part on a non-blocking stream socket does not end the call, as it does in Linux (the next message then usually fails EAGAIN, which ends it)');
partial('recvmmsg', socket.sysRecvmmsg, 'each message waits on a blocking socket (the first only with MSG_WAITFORONE), the timeout looked at after each message and what is left written back, as Linux; an error after the first message other than EAGAIN is not kept for the next call on the socket (Linux\'s sk_err)');
full('shutdown', socket.sysShutdown);
partial('setsockopt', socket.sysSetsockopt, 'AF_UNIX: SOL_SOCKET options; SO_RCVTIMEO/SO_SNDTIMEO time out receives, accept and sends (read/write too); buffer sizes are reported, one fixed capacity is used. inet: an allowlist (SO_REUSEADDR/REUSEPORT, KEEPALIVE, LINGER, RCVBUF/SNDBUF, RCVTIMEO/SNDTIMEO, TCP_NODELAY/CORK/KEEP*/QUICKACK/USER_TIMEOUT/CONGESTION/DEFER_ACCEPT/FASTOPEN..., IP_TOS/TTL/PKTINFO/RECVERR, multicast, IPV6_V6ONLY/RECVERR..., raw sockets\' IP_HDRINCL, IPV6_HDRINCL, ICMP_FILTER, IPV6_CHECKSUM, ICMPV6_FILTER), AF_PACKET: SOL_SOCKET\'s and PACKET_ADD_MEMBERSHIP/DROP_MEMBERSHIP, PACKET_AUXDATA, PACKET_ORIGDEV, PACKET_IGNORE_OUTGOING (no rings, fanout or socket filters: SO_ATTACH_FILTER ENOPROTOOPT), any other option ENOPROTOOPT');
partial('getsockopt', socket.sysGetsockopt, 'AF_UNIX: SOL_SOCKET options (SO_TYPE, SO_ERROR, SO_PEERCRED, buffer sizes, ...); inet: the setsockopt allowlist, SO_TYPE/ERROR/DOMAIN/PROTOCOL/ACCEPTCONN and TCP_INFO; AF_PACKET: its allowlist and PACKET_STATISTICS; any other option ENOPROTOOPT');
partial('timerfd_create', timerfd.sysTimerfdCreate, 'realtime timers do not follow later changes of the clock; alarm clocks wake nothing');
partial('timerfd_settime', timerfd.sysTimerfdSettime, 'TFD_TIMER_CANCEL_ON_SET is accepted and never cancels');
full('timerfd_gettime', timerfd.sysTimerfdGettime);
partial('signalfd', signalfd.sysSignalfd, 'reads take pending signals from every thread of the process');
partial('signalfd4', signalfd.sysSignalfd4, 'reads take pending signals from every thread of the process');
full('eventfd', eventfd.sysEventfd);
full('eventfd2', eventfd.sysEventfd2);

// inotify
full('inotify_init', inotify.sysInotifyInit);
full('inotify_init1', inotify.sysInotifyInit1);
partial('inotify_add_watch', inotify.sysInotifyAddWatch,
  'events come from what the Sentry does: a host file changed by the host raises none; xattr changes, sendfile and splice raise none; IN_DELETE_SELF comes when the last name goes, even while the file is open');
full('inotify_rm_watch', inotify.sysInotifyRmWatch);
partial('clone', clone.sysClone, 'processes and threads; sharing memory or dispositions without being a thread (CLONE_VM without CLONE_THREAD or CLONE_VFORK), CLONE_PARENT, pidfds and namespaces other than CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWIPC and CLONE_NEWUSER return ENOSYS; with CLONE_VM|CLONE_VFORK the child gets a copy-on-write copy of the address space, not the parent\'s own; the threads of a sandbox run one at a time');
partial('clone3', clone.sysClone3, 'as clone; set_tid and CLONE_INTO_CGROUP return ENOSYS');
full('fork', clone.sysFork);
partial('vfork', clone.sysVfork, 'the child gets a copy-on-write copy of the address space, not the parent\'s own; the parent waits until it execs or exits');
full('wait4', wait.sysWait4);
partial('waitid', wait.sysWaitid, 'P_PIDFD is EBADF (there are no pidfds)');
partial('execve', exec.sysExecve, 'set-user-ID and set-group-ID bits and file capabilities are not honoured (capabilities change as for a file with neither); one thread per process');
partial('execveat', exec.sysExecveat, 'set-user-ID and set-group-ID bits and file capabilities are not honoured (capabilities change as for a file with neither); one thread per process');
partial('personality', thread.sysPersonality, 'only the PER_LINUX domain; flag bits are recorded but do not change behaviour');
full('set_tid_address', thread.sysSetTidAddress);
full('set_robust_list', thread.sysSetRobustList);
full('get_robust_list', thread.sysGetRobustList);
partial('arch_prctl', thread.sysArchPrctl, 'ARCH_SET_CPUID is not supported (ENODEV)');
partial('prctl', thread.sysPrctl, 'names, dumpable, no_new_privs, pdeathsig (recorded), subreaper (recorded), THP, PR_SET_SECCOMP/PR_GET_SECCOMP (as seccomp), and the capability options in full (PR_CAPBSET_READ/DROP, PR_CAP_AMBIENT, PR_GET/SET_KEEPCAPS, PR_GET/SET_SECUREBITS; SECBIT_EXEC_* are kept but nothing reads them); other options EINVAL');
full('capget', cap.sysCapget);
full('capset', cap.sysCapset);
partial('seccomp', seccomp.sysSeccomp, 'strict and filter modes, TSYNC, LOG, SPEC_ALLOW (no effect), TSYNC_ESRCH, GET_ACTION_AVAIL, GET_NOTIF_SIZES; filters are evaluated by the Sentry on every call; no user notification (NEW_LISTENER and WAIT_KILLABLE_RECV are EINVAL, so USER_NOTIF gives ENOSYS) and no ptracer (TRACE gives ENOSYS); 32-bit calls are ENOSYS without being filtered');

// identity
full('getuid', id.sysGetuid);
full('geteuid', id.sysGeteuid);
full('getgid', id.sysGetgid);
full('getegid', id.sysGetegid);
full('getresuid', id.sysGetresuid);
full('getresgid', id.sysGetresgid);
full('setuid', id.sysSetuid);
full('setgid', id.sysSetgid);
full('setreuid', id.sysSetreuid);
full('setregid', id.sysSetregid);
full('setresuid', id.sysSetresuid);
full('setresgid', id.sysSetresgid);
full('setfsuid', id.sysSetfsuid);
full('setfsgid', id.sysSetfsgid);
full('getgroups', id.sysGetgroups);
full('setgroups', id.sysSetgroups);
full('getpgrp', id.sysGetpgrp);
full('getpgid', id.sysGetpgid);
full('setpgid', id.sysSetpgid);
full('getsid', id.sysGetsid);
full('setsid', id.sysSetsid);

// limits and usage
partial('getrlimit', rlimit.sysGetrlimit, 'limits other than NOFILE, STACK, AS and DATA are recorded, not enforced');
partial('setrlimit', rlimit.sysSetrlimit, 'limits other than NOFILE, STACK, AS and DATA are recorded, not enforced');
partial('prlimit64', rlimit.sysPrlimit64, 'only the calling process; limits other than NOFILE, STACK, AS and DATA are not enforced');
partial('getrusage', rlimit.sysGetrusage, 'CPU times and maxrss (the memory file in use) are reported; fault, I/O and context-switch counts are zero');
full('times', rlimit.sysTimes);
partial('sysinfo', rlimit.sysSysinfo, 'totalram is the sandbox\'s total memory (--total-memory) and freeram what of it is unallocated; no swap, buffers or shared figures; loads are zero');
full('uname', uname.sysUname);
full('sethostname', uname.sysSethostname);
full('setdomainname', uname.sysSetdomainname);

// time
full('clock_gettime', time.sysClockGettime);
full('clock_getres', time.sysClockGetres);
full('gettimeofday', time.sysGettimeofday);
full('time', time.sysTime);
full('nanosleep', time.sysNanosleep);
partial('clock_nanosleep', time.sysClockNanosleep, 'CPU-time clocks sleep on the monotonic clock');

partial('getitimer', time.sysGetitimer, 'ITIMER_REAL only; ITIMER_VIRTUAL and ITIMER_PROF return ENOSYS (no CPU accounting yet)');
partial('setitimer', time.sysSetitimer, 'ITIMER_REAL only; ITIMER_VIRTUAL and ITIMER_PROF return ENOSYS (no CPU accounting yet)');
full('alarm', time.sysAlarm);

// waiting for files
full('poll', poll.sysPoll);
full('ppoll', poll.sysPpoll);
full('select', poll.sysSelect);
full('pselect6', poll.sysPselect6);

// signals
full('rt_sigaction', signal.sysRtSigaction);
full('rt_sigprocmask', signal.sysRtSigprocmask);
full('rt_sigpending', signal.sysRtSigpending);
full('sigaltstack', signal.sysSigaltstack);
full('rt_sigreturn', signal.sysRtSigreturn);
full('rt_sigsuspend', signal.sysRtSigsuspend);
full('pause', signal.sysPause);
partial('rt_sigtimedwait', signal.sysRtSigtimedwait, 'waits only for signals sent to the calling thread');
full('kill', signal.sysKill);
full('tkill', signal.sysTkill);
full('tgkill', signal.sysTgkill);
full('rt_sigqueueinfo', signal.sysRtSigqueueinfo);
full('rt_tgsigqueueinfo', signal.sysRtTgsigqueueinfo);

// misc
full('getrandom', random.sysGetrandom);
partial('futex', futex.sysFutex, 'WAIT, WAKE, WAIT_BITSET, WAKE_BITSET only; requeue, wake-op and PI ops return ENOSYS');
partial('ioctl', ioctl.sysIoctl, 'FIONBIO, FIOCLEX, FIONCLEX, FIOASYNC off; FIONREAD on pipes and host fds; ptys (docs/filesystems.md): termios and termios2, window size, FIONREAD, TIOCOUTQ, TCFLSH, TCXONC, the break requests, TIOCGETD/TIOCSETD, TIOCEXCL, TIOCSTI, TIOCGPTN, TIOCSPTLCK, TIOCGPTLCK, TIOCGPTPEER, TIOCSIG; job control on ptys and the host terminal (TIOCSCTTY, TIOCNOTTY, TIOCGPGRP, TIOCSPGRP, TIOCGSID); a host terminal passes TCGETS/TCSETS*/TIOCGWINSZ/TIOCSWINSZ to the host; no packet mode (TIOCPKT: EINVAL), no termio (TCGETA...) or modem requests (ENOTTY); inet sockets: FIONREAD/SIOCINQ and SIOCOUTQ; on every socket the interface requests SIOCGIFINDEX, SIOCGIFNAME, SIOCGIFFLAGS, SIOCGIFMTU, SIOCGIFTXQLEN, SIOCGIFMETRIC, SIOCGIFHWADDR, SIOCGIFCONF and (AF_INET) SIOCGIFADDR, SIOCGIFDSTADDR, SIOCGIFBRDADDR, SIOCGIFNETMASK, from the namespace as read at boot; the setting ones EPERM, or EOPNOTSUPP with CAP_NET_ADMIN');
partial('getxattr', xattr.sysGetxattr, 'the host root exposes no attributes (ENODATA); tmpfs keeps user., trusted. and security. names; no POSIX ACLs on in-memory file systems (EOPNOTSUPP)');
partial('lgetxattr', xattr.sysLgetxattr, 'the host root exposes no attributes (ENODATA); tmpfs keeps user., trusted. and security. names; no POSIX ACLs on in-memory file systems (EOPNOTSUPP)');
partial('fgetxattr', xattr.sysFgetxattr, 'the host root exposes no attributes (ENODATA); tmpfs keeps user., trusted. and security. names; no POSIX ACLs on in-memory file systems (EOPNOTSUPP)');
partial('listxattr', xattr.sysListxattr, 'the host root exposes no attributes (ENODATA); tmpfs keeps user., trusted. and security. names; no POSIX ACLs on in-memory file systems (EOPNOTSUPP)');
partial('llistxattr', xattr.sysLlistxattr, 'the host root exposes no attributes (ENODATA); tmpfs keeps user., trusted. and security. names; no POSIX ACLs on in-memory file systems (EOPNOTSUPP)');
partial('flistxattr', xattr.sysFlistxattr, 'the host root exposes no attributes (ENODATA); tmpfs keeps user., trusted. and security. names; no POSIX ACLs on in-memory file systems (EOPNOTSUPP)');
partial('setxattr', xattr.sysSetxattr, 'the host root exposes no attributes (ENODATA); tmpfs keeps user., trusted. and security. names; no POSIX ACLs on in-memory file systems (EOPNOTSUPP)');
partial('lsetxattr', xattr.sysLsetxattr, 'the host root exposes no attributes (ENODATA); tmpfs keeps user., trusted. and security. names; no POSIX ACLs on in-memory file systems (EOPNOTSUPP)');
partial('fsetxattr', xattr.sysFsetxattr, 'the host root exposes no attributes (ENODATA); tmpfs keeps user., trusted. and security. names; no POSIX ACLs on in-memory file systems (EOPNOTSUPP)');
partial('removexattr', xattr.sysRemovexattr, 'the host root exposes no attributes (ENODATA); tmpfs keeps user., trusted. and security. names; no POSIX ACLs on in-memory file systems (EOPNOTSUPP)');
partial('lremovexattr', xattr.sysLremovexattr, 'the host root exposes no attributes (ENODATA); tmpfs keeps user., trusted. and security. names; no POSIX ACLs on in-memory file systems (EOPNOTSUPP)');
partial('fremovexattr', xattr.sysFremovexattr, 'the host root exposes no attributes (ENODATA); tmpfs keeps user., trusted. and security. names; no POSIX ACLs on in-memory file systems (EOPNOTSUPP)');
full('sched_yield', sched.sysSchedYield);
full('sched_getaffinity', sched.sysSchedGetaffinity);
partial('sched_setaffinity', sched.sysSchedSetaffinity, 'the mask is checked and not applied');
full('getcpu', sched.sysGetcpu);
full('sched_getscheduler', sched.sysSchedGetscheduler);
full('sched_getparam', sched.sysSchedGetparam);
partial('sched_setscheduler', sched.sysSchedSetscheduler, 'SCHED_OTHER/BATCH/IDLE are recorded (the host does not schedule by them); SCHED_FIFO/RR are refused with EPERM');
full('sched_get_priority_max', sched.sysSchedGetPriorityMax);
full('sched_get_priority_min', sched.sysSchedGetPriorityMin);
full('getpriority', sched.sysGetpriority);
partial('setpriority', sched.sysSetpriority, 'the nice value is recorded and reported but does not change how the host schedules the program');

// file locks, memfd, splice family
full('flock', lock.sysFlock);
// SysV IPC (kernel/ipc/)
partial('shmget', shm.sysShmget, 'SHM_HUGETLB is ENOMEM (no huge page pool, as Linux without reserved huge pages); a segment of 2^53 bytes or more is ENOMEM even with SHM_NORESERVE');
full('shmat', shm.sysShmat);
full('shmdt', shm.sysShmdt);
partial('shmctl', shm.sysShmctl, 'SHM_LOCK pins nothing (memory is never swapped) and checks each segment alone against RLIMIT_MEMLOCK, not the user\'s locked total; shm_swp is always 0');
partial('semget', sem.sysSemget, 'sets are charged to the Sentry\'s buffer budget: past it ENOMEM, before semmns may say ENOSPC');
partial('semop', sem.sysSemop, 'waiters are woken together on any change and retry in the order they are served, not in Linux\'s FIFO order with alter operations first; a SEM_UNDO entry past the Sentry\'s buffer budget is ENOMEM');
partial('semtimedop', sem.sysSemtimedop, 'as semop: waiters retry together on any change, not in Linux\'s FIFO order');
full('semctl', sem.sysSemctl);
full('msgget', msg.sysMsgget);
partial('msgsnd', msg.sysMsgsnd, 'waiters retry together on any change, not in Linux\'s FIFO order; messages are charged to the sandbox\'s buffer budget (a sender past it waits, or EAGAIN)');
partial('msgrcv', msg.sysMsgrcv, 'waiting receivers retry together on any change (Linux hands a message to the first waiter that takes it)');
full('msgctl', msg.sysMsgctl);

partial('memfd_create', memfd.sysMemfdCreate, 'MFD_HUGETLB is refused (EINVAL)');
partial('sendfile', splice.sysSendfile, 'moves at most 16 MiB per call between files (a short count), what fits into a pipe');
partial('splice', splice.sysSplice, 'SPLICE_F_MOVE/MORE/GIFT accepted, pages are copied; a pipe counts its capacity in bytes, not page slots');
partial('tee', splice.sysTee, 'a pipe counts its capacity in bytes, not page slots');
full('vmsplice', splice.sysVmsplice);
partial('copy_file_range', splice.sysCopyFileRange, 'copies at most 16 MiB per call (a short count); EXDEV across file system instances, as Linux 5.19+');

/** The handler array the kernel dispatches through. */
export function buildSyscallTable(): SyscallTable {
  const handlers: (SyscallFn | undefined)[] = new Array(SYS_MAX + 1).fill(undefined);
  for (const [nr, e] of syscallTable) handlers[nr] = e.fn;
  return { handlers };
}
