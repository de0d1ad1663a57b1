/*
 * A deterministic system call fuzzer: fuzz SEED COUNT [NR,NR,...|all [PxT [v]]]
 *
 * Calls system calls 0..334 and 424..450, minus a deny list (below), COUNT
 * times in total, with arguments drawn from a seeded generator. The same
 * seed always makes the same sequence of calls with the same arguments, so
 * a run under tsvisor can be compared with a native run: both must end the
 * same way (normally "fuzz done" and status 0). The optional third argument
 * restricts the run to the given numbers (a subset of the allowed ones), to
 * bisect a failure.
 *
 * The fuzzer runs natively as root on a developer's machine, so it must not
 * be able to damage the host, block forever, or corrupt itself:
 *
 *  - Everything that changes host state outside this process is denied:
 *    file creation/removal/renaming/linking, chmod/chown/utimes/xattr
 *    setters, truncate/fallocate, mount and friends, time setting, host
 *    names, modules, kexec, swap, reboot, quotas, accounting, syslog, keys,
 *    SysV and POSIX IPC objects, sockets (raw sockets could send packets),
 *    signals and scheduling or memory policy of other processes, other
 *    processes' memory (process_vm_*), pidfds, ptrace, bpf, perf, fanotify,
 *    io_uring, userfaultfd, memfd_create.
 *  - Everything that ends, stops, or forks the process, or changes how it
 *    runs in ways that would make the rest of the run meaningless: exit*,
 *    fork/vfork/clone*, execve*, wait*, kill/tkill/tgkill/rt_sig*queueinfo,
 *    rt_sigreturn, rt_sigsuspend, pause, alarm/setitimer/timer_create/
 *    timer_settime (SIGALRM), prctl, arch_prctl, seccomp, personality,
 *    set*id, setgroups, capset, unshare, setns, setsid/setpgid, rseq,
 *    set_thread_area, modify_ldt, iopl/ioperm, landlock_restrict_self,
 *    brk, mlock/mlock2/mlockall (memory use), prlimit64/setrlimit.
 *  - Everything that could block for ever: futex*, wait*, semop, msgrcv,
 *    mq_timedreceive, io_getevents/io_pgetevents, blocking fds. Every fd
 *    the fuzzer can create is forced non-blocking (pipe2, eventfd2,
 *    signalfd4, timerfd_create, inotify_init1; pipe/eventfd/signalfd/
 *    inotify_init, which take no flags, are denied), fcntl can neither clear
 *    O_NONBLOCK nor set O_ASYNC/F_SETOWN/F_SETLKW, ioctl uses a safe list
 *    of requests, flock always has LOCK_NB, and every wait with a timeout
 *    (poll, ppoll, select, pselect6, epoll_wait*, rt_sigtimedwait,
 *    recvmmsg) gets a zero timeout.
 *  - open/openat only ever get read-only flags, and openat2 a zeroed or
 *    garbage struct open_how, though no path argument can name a real file
 *    anyway (see pointers below).
 *
 * Pointers: an argument that is a pointer is NULL, 1, a non-canonical or
 * kernel address, the address where tsvisor's stub lives, a place in a
 * 64 KiB scratch buffer (guarded on both sides and refilled with 0xaa before
 * every call, so it never holds a NUL-terminated path or a valid timeout),
 * a place in a read-only page of zeros (an empty path, a zero timeout), or a
 * random address in a 1 GiB PROT_NONE region. Integers are small, -1, bit
 * flags below 2^20, values in [2^31, 2^32) or negative, or >= 2^47, or page
 * multiples up to 1 MiB: never an address of this program's own memory.
 * The memory calls (mmap, munmap, mprotect, mremap, madvise, msync,
 * mincore, munlock, remap_file_pages) get addresses only
 * inside a separate 64 GiB playground and lengths up to 1 MiB (mmap also
 * invalid huge ones), with MAP_POPULATE/MAP_LOCKED/MAP_HUGETLB masked off
 * and MAP_FIXED only inside the playground.
 *
 * stdout is moved to fd 65 (a number no generated integer can be), and fds
 * 0, 1, 2 are /dev/null, so nothing the fuzzer writes reaches the output.
 *
 * Concurrent mode (fourth argument PxT, e.g. 3x2): first real descriptors
 * are made (non-blocking pipes, unix stream and datagram socket pairs, an
 * eventfd, a timerfd, a signalfd, an epoll set watching some of them), so
 * that small integers name valid descriptors, shared by every process;
 * then P processes are forked and each runs T threads, which fuzz at once,
 * each with its own seed (derived from SEED, the process and the thread)
 * and its own scratch buffer, COUNT / (P * T) calls each. The calls a
 * thread makes depend only on its seed, so the totals are deterministic:
 * the parent prints "fuzz done calls=N distinct=D procs=P threads=T" (D:
 * how many different system calls were made), and with a fifth argument
 * "v" also the numbers made ("nrs=..."). Besides the deny list above,
 * threads never call set_tid_address or set_robust_list (a garbage
 * clear-child-tid address would make pthread_join wait for ever), and
 * rt_sigaction never touches SIGPIPE (another thread may be writing to a
 * pipe without readers at that moment).
 */
#include "common.h"
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>

#define PG 4096UL
#define SCRATCH_SIZE 65536UL
#define NONE_SIZE (1UL << 30)
#define PLAY_SIZE (64UL << 30)
#define MAXNR 451

enum kind {
	DENY = 0, GENERIC, MM, MMAP, MREMAP, MADVISE, MINCORE, OPEN, OPENAT,
	OPENAT2, FCNTL, IOCTL, FLOCK, NBFLAGS, POLL, TSPEC_AT, EPOLL_WAIT,
};

static unsigned char kinds[MAXNR];
static long nbflag[MAXNR]; /* for NBFLAGS: index of the flags arg, flag value */
static int nbidx[MAXNR];
static int tsidx[MAXNR];   /* for TSPEC_AT: index of the timeout pointer */

static __thread char *scratch;
static char *zero, *nonepool, *play;
static long stub_ptr1, stub_ptr2;

/* --- deterministic generator (splitmix64) --------------------------- */
static __thread uint64_t state;
static uint64_t rnd(void)
{
	uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}
static uint64_t below(uint64_t n) { return rnd() % n; }

static long rand_int(void)
{
	switch (below(10)) {
	case 0: case 1: case 2: return (long)below(65);            /* small, also fds */
	case 3: return -(long)(1 + below(64));                     /* -1 .. -64 */
	case 4: return 1L << below(20);                            /* a flag bit */
	case 5: return (long)((rnd() & 0xffffffffUL) | 0x80000000UL); /* [2^31, 2^32) */
	case 6: return (long)(int)(rnd() | 0x80000000UL);          /* negative int */
	case 7: {
		static const unsigned long huge[] = {
			0x7fffffffffffffffUL, 0x8000000000000000UL, 0xffffffffffff0000UL,
			0xffffffffffffffffUL, 0x800000000000UL, 0xfffffffffffff000UL,
		};
		if (below(2))
			return (long)huge[below(sizeof huge / sizeof huge[0])];
		return (long)(rnd() | (1UL << 47));                /* >= 2^47 */
	}
	case 8: return (long)(PG * below(257));                    /* page multiples <= 1 MiB */
	default: return (long)(8 * below(1 << 17));                /* multiples of 8 < 1 MiB */
	}
}

static long rand_ptr(void)
{
	switch (below(10)) {
	case 0: return 0;
	case 1: return 1;
	case 2: {
		static const unsigned long bad[] = {
			0xffff800000000000UL, 0xffffffffffff0000UL, 0x800000000000UL,
			0xffffffffff600000UL, /* the vsyscall page: readable natively, never writable */
		};
		return (long)bad[below(sizeof bad / sizeof bad[0])];
	}
	case 3: return below(2) ? stub_ptr1 : stub_ptr2;
	case 4: case 5: case 6: /* scratch, mostly aligned */
		return (long)(scratch + (below(2) ? (below(SCRATCH_SIZE / 8) * 8) : below(SCRATCH_SIZE)));
	case 7: return (long)(zero + (below(4) ? 0 : below(PG)));
	default: return (long)(nonepool + below(NONE_SIZE));
	}
}

static long rand_arg(void)
{
	return below(2) ? rand_int() : rand_ptr();
}

/* Addresses and lengths for the memory calls: only inside the playground. */
static long mm_addr(void)
{
	/* offsets stay 4 MiB short of the end: lengths are at most 1 MiB */
	const uint64_t span = PLAY_SIZE - (4UL << 20);
	uint64_t off;
	switch (below(8)) {
	case 0: return 1;
	case 1: return (long)0xffff800000000000UL;
	case 2: off = below(span / PG) * PG + below(PG); break;      /* unaligned */
	case 3: case 4: off = below(64) * PG; break;                 /* crowded start */
	case 5: off = below(64) * PG * 512; break;                   /* 2 MiB steps */
	default: off = below(span / PG) * PG; break;
	}
	return (long)(play + off % span);
}

/* Lengths for the memory calls stay small: mprotect, madvise, msync and the
 * like apply themselves to every mapping in [addr, addr + len) up to the
 * first hole before failing, so a huge length from inside the playground
 * would reach the fuzzer's own memory. Only mmap, which checks the length
 * before touching anything, also gets invalid huge lengths. */
static long mm_len(void)
{
	switch (below(4)) {
	case 0: return (long)below(65);
	default: return (long)(PG * (1 + below(256)));
	}
}

static long mmap_len(void)
{
	switch (below(8)) {
	case 0: return -1;
	case 1: return (long)(1UL << 47);
	case 2: return (long)(1UL << 63);
	default: return mm_len();
	}
}

static long safe_ioctl_request(void)
{
	static const unsigned long req[] = {
		0x541B /* FIONREAD */, 0x5401 /* TCGETS */, 0x5413 /* TIOCGWINSZ */,
		0x5451 /* FIOCLEX */, 0x5450 /* FIONCLEX */, 0x80086601 /* FS_IOC_GETFLAGS */,
		0x540F /* TIOCGPGRP */, 0x5429 /* TIOCGSID */, 0x8008AF00 /* random _IOR */,
		0, 1, 2, 0xffffffff, 0xdeadbeef, 0x4008AE01,
	};
	return (long)req[below(sizeof req / sizeof req[0])];
}

static long safe_fcntl_cmd(void)
{
	static const long cmd[] = {
		F_DUPFD, F_GETFD, F_SETFD, F_GETFL, F_SETFL, F_GETLK, F_GETOWN,
		F_GETSIG, F_GETOWN_EX, F_OFD_GETLK, F_DUPFD_CLOEXEC, F_GETPIPE_SZ,
		F_GET_SEALS, F_GETLEASE, 9999, -1,
	};
	return cmd[below(sizeof cmd / sizeof cmd[0])];
}

static long safe_madvise(void)
{
	static const long adv[] = {
		MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED, MADV_DONTNEED,
		MADV_FREE, MADV_REMOVE, MADV_DONTFORK, MADV_DOFORK, MADV_MERGEABLE,
		MADV_UNMERGEABLE, MADV_HUGEPAGE, MADV_NOHUGEPAGE, MADV_DONTDUMP,
		MADV_DODUMP, MADV_WIPEONFORK, MADV_KEEPONFORK, 20 /* COLD */,
		21 /* PAGEOUT */, 999, -1,
	};
	return adv[below(sizeof adv / sizeof adv[0])];
}

static long ro_open_flags(long f)
{
	return (f & (O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_PATH | O_NOATIME |
		     O_LARGEFILE | O_NOCTTY)) | O_RDONLY | O_NONBLOCK;
}

static void deny(const int *nrs, int n)
{
	for (int i = 0; i < n; i++)
		kinds[nrs[i]] = DENY;
}

static void setup_table(void)
{
	for (int nr = 0; nr <= 334; nr++)
		kinds[nr] = GENERIC;
	for (int nr = 424; nr <= 450; nr++)
		kinds[nr] = GENERIC;

	static const int denied[] = {
		/* host file system changes */
		SYS_creat, SYS_unlink, SYS_unlinkat, SYS_rename, SYS_renameat, SYS_renameat2,
		SYS_mkdir, SYS_mkdirat, SYS_rmdir, SYS_link, SYS_linkat, SYS_symlink,
		SYS_symlinkat, SYS_chmod, SYS_fchmod, SYS_fchmodat, SYS_chown, SYS_fchown,
		SYS_lchown, SYS_fchownat, SYS_truncate, SYS_ftruncate, SYS_fallocate,
		SYS_utime, SYS_utimes, SYS_utimensat, SYS_futimesat, SYS_mknod, SYS_mknodat,
		SYS_setxattr, SYS_lsetxattr, SYS_fsetxattr, SYS_removexattr,
		SYS_lremovexattr, SYS_fremovexattr, SYS_sync, SYS_syncfs,
		SYS_open_by_handle_at, SYS_memfd_create,
		/* mounts, system state */
		SYS_mount, SYS_umount2, SYS_pivot_root, SYS_chroot, SYS_swapon, SYS_swapoff,
		SYS_reboot, SYS_sethostname, SYS_setdomainname, SYS_settimeofday,
		SYS_clock_settime, SYS_adjtimex, SYS_clock_adjtime, SYS_init_module,
		SYS_finit_module, SYS_delete_module, SYS_kexec_load, SYS_kexec_file_load,
		SYS_iopl, SYS_ioperm, SYS_quotactl, SYS_acct, SYS_syslog, SYS_vhangup,
		SYS_uselib, SYS_nfsservctl, SYS_add_key, SYS_request_key, SYS_keyctl,
		SYS_bpf, SYS_perf_event_open, SYS_fanotify_init, SYS_fanotify_mark,
		SYS_userfaultfd, SYS_lookup_dcookie,
		424 /* pidfd_send_signal */, 425, 426, 427 /* io_uring_* */,
		428 /* open_tree */, 429 /* move_mount */, 430 /* fsopen */, 431 /* fsconfig */,
		432 /* fsmount */, 433 /* fspick */, 434 /* pidfd_open */, 435 /* clone3 */,
		436 /* close_range */, 438 /* pidfd_getfd */, 440 /* process_madvise */,
		442 /* mount_setattr */, 443 /* quotactl_fd */, 446 /* landlock_restrict_self */,
		448 /* process_mrelease */, 449 /* futex_waitv */, 450 /* set_mempolicy_home_node */,
		/* IPC objects outlive the process and are shared with the host */
		SYS_shmget, SYS_shmat, SYS_shmctl, SYS_shmdt, SYS_semget, SYS_semop,
		SYS_semctl, SYS_semtimedop, SYS_msgget, SYS_msgsnd, SYS_msgrcv, SYS_msgctl,
		SYS_mq_open, SYS_mq_unlink, SYS_mq_timedsend, SYS_mq_timedreceive,
		SYS_mq_notify, SYS_mq_getsetattr,
		/* sockets */
		SYS_socket, SYS_socketpair,
		/* other processes */
		SYS_kill, SYS_tkill, SYS_tgkill, SYS_rt_sigqueueinfo, SYS_rt_tgsigqueueinfo,
		SYS_ptrace, SYS_process_vm_readv, SYS_process_vm_writev, SYS_kcmp,
		SYS_setpriority, SYS_sched_setaffinity, SYS_sched_setparam,
		SYS_sched_setscheduler, SYS_sched_setattr, SYS_ioprio_set, SYS_migrate_pages,
		SYS_move_pages, SYS_mbind, SYS_set_mempolicy, SYS_prlimit64, SYS_setrlimit,
		SYS_setpgid, SYS_setsid,
		/* ending, stopping, forking, re-shaping this process */
		SYS_exit, SYS_exit_group, SYS_fork, SYS_vfork, SYS_clone, SYS_execve,
		SYS_execveat, SYS_wait4, SYS_waitid, SYS_rt_sigreturn, SYS_rt_sigsuspend,
		SYS_pause, SYS_alarm, SYS_setitimer, SYS_timer_create, SYS_timer_settime,
		SYS_prctl, SYS_arch_prctl, SYS_seccomp, SYS_personality, SYS_setuid,
		SYS_setgid, SYS_setreuid, SYS_setregid, SYS_setresuid, SYS_setresgid,
		SYS_setfsuid, SYS_setfsgid, SYS_setgroups, SYS_capset, SYS_unshare,
		SYS_setns, SYS_rseq, SYS_set_thread_area, SYS_modify_ldt, SYS_brk,
		SYS_mlock, SYS_mlock2, SYS_mlockall,
		/* protection keys: on a host with PKU, the kernel's own key for
		 * execute-only memory and the keys a run allocates and frees change
		 * PKRU, and the fuzzer's stack faulted (SEGV_PKUERR) natively */
		SYS_pkey_alloc, SYS_pkey_free, SYS_pkey_mprotect,
		/* blocking */
		SYS_futex, SYS_io_getevents, SYS_io_pgetevents, SYS_pipe, SYS_eventfd,
		SYS_signalfd, SYS_inotify_init,
		/* 335 is uretprobe (SIGILL when called directly), outside the range */
	};
	deny(denied, sizeof denied / sizeof denied[0]);

	kinds[SYS_mmap] = MMAP;
	kinds[SYS_mprotect] = MM;
	kinds[SYS_munmap] = MM;
	kinds[SYS_mremap] = MREMAP;
	kinds[SYS_msync] = MM;
	kinds[SYS_mincore] = MINCORE;
	kinds[SYS_madvise] = MADVISE;
	kinds[SYS_munlock] = MM;
	kinds[SYS_remap_file_pages] = MM;
	kinds[SYS_open] = OPEN;
	kinds[SYS_openat] = OPENAT;
	kinds[437] = OPENAT2;
	kinds[SYS_fcntl] = FCNTL;
	kinds[SYS_ioctl] = IOCTL;
	kinds[SYS_flock] = FLOCK;
	kinds[SYS_pipe2] = NBFLAGS, nbidx[SYS_pipe2] = 1, nbflag[SYS_pipe2] = O_NONBLOCK;
	kinds[SYS_eventfd2] = NBFLAGS, nbidx[SYS_eventfd2] = 1, nbflag[SYS_eventfd2] = O_NONBLOCK;
	kinds[SYS_signalfd4] = NBFLAGS, nbidx[SYS_signalfd4] = 3, nbflag[SYS_signalfd4] = O_NONBLOCK;
	kinds[SYS_timerfd_create] = NBFLAGS, nbidx[SYS_timerfd_create] = 1, nbflag[SYS_timerfd_create] = O_NONBLOCK;
	kinds[SYS_inotify_init1] = NBFLAGS, nbidx[SYS_inotify_init1] = 0, nbflag[SYS_inotify_init1] = O_NONBLOCK;
	kinds[SYS_poll] = POLL;
	kinds[SYS_epoll_wait] = EPOLL_WAIT;
	kinds[SYS_epoll_pwait] = EPOLL_WAIT;
	kinds[SYS_ppoll] = TSPEC_AT, tsidx[SYS_ppoll] = 2;
	kinds[SYS_select] = TSPEC_AT, tsidx[SYS_select] = 4;
	kinds[SYS_pselect6] = TSPEC_AT, tsidx[SYS_pselect6] = 4;
	kinds[SYS_rt_sigtimedwait] = TSPEC_AT, tsidx[SYS_rt_sigtimedwait] = 2;
	kinds[SYS_recvmmsg] = TSPEC_AT, tsidx[SYS_recvmmsg] = 4;
	/* epoll_pwait2(epfd, events, maxevents, timeout, sigmask, sigsetsize) */
	kinds[441] = TSPEC_AT, tsidx[441] = 3;
}

static void gen(int nr, long a[6])
{
	for (int i = 0; i < 6; i++)
		a[i] = rand_arg();
	switch (kinds[nr]) {
	case MM:
		a[0] = mm_addr();
		a[1] = mm_len();
		break;
	case MMAP: {
		a[0] = below(4) ? mm_addr() : 0;
		a[1] = mmap_len();
		a[2] = rand_int() & 0xff;
		long f = rand_int();
		f &= ~(long)(MAP_POPULATE | MAP_LOCKED | MAP_HUGETLB | (0x3fUL << 26));
		if (a[0] == 0)
			f &= ~(long)(MAP_FIXED | MAP_FIXED_NOREPLACE);
		if (below(2)) /* mostly well-formed mapping types */
			f = (f & ~3L) | (below(4) ? MAP_PRIVATE : MAP_SHARED) | (below(3) ? MAP_ANONYMOUS : 0);
		a[3] = f;
		a[4] = below(3) ? -1 : (long)below(65);
		a[5] = below(2) ? 0 : rand_int();
		break;
	}
	case MREMAP:
		a[0] = mm_addr();
		a[1] = mm_len();
		a[2] = mm_len();
		a[3] = (long)below(8); /* MAYMOVE|FIXED|DONTUNMAP combinations */
		a[4] = mm_addr();
		break;
	case MADVISE:
		a[0] = mm_addr();
		a[1] = mm_len();
		a[2] = safe_madvise();
		break;
	case MINCORE:
		a[0] = mm_addr();
		a[1] = mm_len();
		break;
	case OPEN:
		a[1] = ro_open_flags(a[1]);
		break;
	case OPENAT:
		a[2] = ro_open_flags(a[2]);
		break;
	case OPENAT2:
		a[2] = below(2) ? (long)zero : (long)scratch;
		break;
	case FCNTL:
		a[1] = safe_fcntl_cmd();
		if (a[1] == F_SETFL)
			a[2] = (a[2] & ~(long)O_ASYNC) | O_NONBLOCK;
		break;
	case IOCTL:
		a[1] = safe_ioctl_request();
		break;
	case FLOCK:
		a[1] |= LOCK_NB;
		break;
	case NBFLAGS:
		a[nbidx[nr]] = (a[nbidx[nr]] & O_CLOEXEC) | nbflag[nr];
		break;
	case POLL:
		a[2] = 0;
		break;
	case EPOLL_WAIT:
		a[3] = 0;
		break;
	case TSPEC_AT:
		a[tsidx[nr]] = (long)zero;
		break;
	}
}

static void *must_map(void *addr, unsigned long len, int prot, int flags)
{
	void *p = mmap(addr, len, prot, flags | MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		perror("fuzz: mmap");
		exit(3);
	}
	return p;
}

static int is_mapped(long addr)
{
	unsigned char v;
	return syscall(SYS_mincore, addr & ~(long)(PG - 1), PG, &v) == 0;
}

/* The scratch buffer of the calling thread, guarded on both sides. */
static void new_scratch(void)
{
	char *sg = must_map(NULL, SCRATCH_SIZE + 2 * PG, PROT_NONE, 0);
	scratch = sg + PG;
	mprotect(scratch, SCRATCH_SIZE, PROT_READ | PROT_WRITE);
}

static int allowed[MAXNR];
static int nallowed;
static int concurrent;

/* Makes count calls from the thread's own seed; marks the numbers made in seen. */
static long fuzz_loop(uint64_t seed, long count, unsigned char *seen)
{
	state = seed;
	long done = 0;
	for (long i = 0; i < count && nallowed > 0; i++) {
		int nr = allowed[below(nallowed)];
		long a[6];
		gen(nr, a);
		if (concurrent && nr == SYS_rt_sigaction && a[0] == SIGPIPE)
			a[0] = SIGUSR2;
		memset(scratch, 0xaa, SCRATCH_SIZE);
#ifdef FUZZ_TRACE
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		long rss0 = 0, rss1 = 0;
		{ FILE *f = fopen("/proc/self/statm", "r"); fscanf(f, "%*ld %ld", &rss0); fclose(f); }
#endif
		long ret = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
		(void)ret;
#ifdef FUZZ_TRACE
		clock_gettime(CLOCK_MONOTONIC, &t1);
		{ FILE *f = fopen("/proc/self/statm", "r"); fscanf(f, "%*ld %ld", &rss1); fclose(f); }
		long us = (t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000;
		if (us > 2000 || rss1 - rss0 > 256)
			dprintf(65, "#%ld nr=%d %lx %lx %lx %lx %lx %lx -> %ld (%ld us, rss +%ld pages)\n",
				i, nr, a[0], a[1], a[2], a[3], a[4], a[5], ret, us, rss1 - rss0);
#endif
		done++;
		seen[nr] = 1;
		/* rt_sigaction may have reset SIGPIPE's disposition; keep it ignored
		 * so that a write to a pipe without readers does not end the run */
		if (nr == SYS_rt_sigaction)
			signal(SIGPIPE, SIG_IGN);
	}
	return done;
}

/* --- concurrent mode ---------------------------------------------------- */

struct fuzz_thread {
	pthread_t th;
	uint64_t seed;
	long count, done;
	unsigned char seen[MAXNR];
};

/* Every thread's stack and scratch exist before any thread fuzzes: the
 * kernel could otherwise place a new one in a hole another thread has just
 * made in the playground, which the memory calls may then unmap. */
static pthread_barrier_t ready;

static void *fuzz_thread_main(void *arg)
{
	struct fuzz_thread *ft = arg;
	new_scratch();
	pthread_barrier_wait(&ready);
	ft->done = fuzz_loop(ft->seed, ft->count, ft->seen);
	return NULL;
}

/* Real descriptors of every kind the fuzzer can reach, so small numbers name live ones. */
static void make_descriptors(void)
{
	int p[2], sv[2];
	for (int i = 0; i < 2; i++)
		if (pipe2(p, O_NONBLOCK) < 0)
			perror("fuzz: pipe2");
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) < 0)
		perror("fuzz: socketpair");
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv) < 0)
		perror("fuzz: socketpair");
	int ev = eventfd(1, EFD_NONBLOCK);
	int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, SIGUSR1);
	int sfd = signalfd(-1, &m, SFD_NONBLOCK);
	int ep = epoll_create1(0);
	struct epoll_event e = { .events = EPOLLIN | EPOLLOUT };
	for (int fd = 3; fd <= sv[1]; fd++)
		epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
	epoll_ctl(ep, EPOLL_CTL_ADD, ev, &e);
	(void)tfd;
	(void)sfd;
}

/* What each process reports to the parent. */
struct fuzz_record {
	long done;
	unsigned char seen[MAXNR];
};

/* Forks procs processes of threads threads each; returns the exit status for main. */
static int fuzz_concurrent(int out, uint64_t seed, long count, int procs, int threads, int verbose)
{
	make_descriptors();
	long per = count / (procs * threads);
	/* results travel on fds 66 and 67, numbers no generated integer can be (as 65) */
	int res[2], tmp[2];
	if (pipe(tmp) < 0 || (res[0] = fcntl(tmp[0], F_DUPFD, 66)) != 66 || (res[1] = fcntl(tmp[1], F_DUPFD, 66)) != 67)
		return 3;
	close(tmp[0]);
	close(tmp[1]);
	for (int p = 0; p < procs; p++) {
		pid_t c = fork();
		if (c < 0) {
			dprintf(out, "fuzz: fork: %s\n", strerror(errno));
			return 3;
		}
		if (c > 0)
			continue;
		close(res[0]);
		static struct fuzz_thread ft[64];
		pthread_barrier_init(&ready, NULL, threads);
		for (int t = 0; t < threads; t++) {
			ft[t].seed = seed * 1000003 + (uint64_t)p * 1009 + (uint64_t)t;
			ft[t].count = per;
			pthread_attr_t attr;
			pthread_attr_init(&attr);
			pthread_attr_setstacksize(&attr, 256 * 1024);
			if (pthread_create(&ft[t].th, &attr, fuzz_thread_main, &ft[t]) != 0)
				_exit(4);
		}
		static struct fuzz_record rec;
		for (int t = 0; t < threads; t++) {
			pthread_join(ft[t].th, NULL);
			rec.done += ft[t].done;
			for (int nr = 0; nr < MAXNR; nr++)
				rec.seen[nr] |= ft[t].seen[nr];
		}
		/* one write per process (less than PIPE_BUF, so records never interleave) */
		if (write(res[1], &rec, sizeof rec) != sizeof rec)
			_exit(5);
		_exit(0);
	}
	close(res[1]);
	long total = 0;
	static unsigned char seen[MAXNR];
	int failed = 0;
	for (int p = 0; p < procs; p++) {
		struct fuzz_record rec;
		if (read(res[0], &rec, sizeof rec) != sizeof rec) {
			failed = 1;
			break;
		}
		total += rec.done;
		for (int nr = 0; nr < MAXNR; nr++)
			seen[nr] |= rec.seen[nr];
	}
	for (int p = 0; p < procs; p++) {
		int st;
		pid_t c = wait(&st);
		if (c < 0)
			break;
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			dprintf(out, "fuzz: a process ended with %s %d\n", WIFEXITED(st) ? "status" : "signal",
				WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
			failed = 1;
		}
	}
	int distinct = 0;
	for (int nr = 0; nr < MAXNR; nr++)
		distinct += seen[nr];
	if (verbose) {
		dprintf(out, "nrs=");
		for (int nr = 0, first = 1; nr < MAXNR; nr++)
			if (seen[nr]) {
				dprintf(out, first ? "%d" : ",%d", nr);
				first = 0;
			}
		dprintf(out, "\n");
	}
	dprintf(out, "fuzz done calls=%ld distinct=%d procs=%d threads=%d\n", total, distinct, procs, threads);
	return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0) : 1;
	long count = argc > 2 ? atol(argv[2]) : 10000;
	int procs = 0, threads = 0;
	if (argc > 4 && (sscanf(argv[4], "%dx%d", &procs, &threads) != 2 || procs < 1 || procs > 16 ||
			 threads < 1 || threads > 64)) {
		fprintf(stderr, "fuzz: bad PxT %s\n", argv[4]);
		return 3;
	}
	concurrent = procs > 0;

	setup_table();
	if (concurrent) {
		kinds[SYS_set_tid_address] = DENY;
		kinds[SYS_set_robust_list] = DENY;
	}
	if (argc > 3 && strcmp(argv[3], "all") != 0) {
		static unsigned char only[MAXNR];
		char *s = argv[3];
		while (*s) {
			long nr = strtol(s, &s, 10);
			if (nr >= 0 && nr < MAXNR)
				only[nr] = 1;
			if (*s == ',')
				s++;
			else if (*s)
				break;
		}
		for (int nr = 0; nr < MAXNR; nr++)
			if (!only[nr])
				kinds[nr] = DENY;
	}
	for (int nr = 0; nr < MAXNR; nr++)
		if (kinds[nr] != DENY)
			allowed[nallowed++] = nr;

	/* memory the generator points into */
	new_scratch();
	char *zg = must_map(NULL, 3 * PG, PROT_NONE, 0);
	zero = zg + PG;
	mprotect(zero, PG, PROT_READ);
	nonepool = must_map(NULL, NONE_SIZE, PROT_NONE, 0);
	play = must_map(NULL, PLAY_SIZE, PROT_NONE, 0);
	/* where tsvisor's stub sits; natively almost never mapped, but if the
	 * stack happens to be there, do not aim at it */
	stub_ptr1 = 0x7fffff000000L;
	stub_ptr2 = 0x7fffff001100L;
	if (is_mapped(stub_ptr1) || is_mapped(stub_ptr2))
		stub_ptr1 = stub_ptr2 = (long)0xffff800000000000UL;

	/* stdout to fd 65, /dev/null on 0, 1, 2, SIGPIPE ignored */
	int out = fcntl(1, F_DUPFD, 65);
	if (out != 65) {
		fprintf(stderr, "fuzz: cannot put stdout on fd 65 (got %d)\n", out);
		return 3;
	}
	int nul = open("/dev/null", O_RDWR);
	for (int fd = 0; fd <= 2; fd++) {
		if (nul >= 0)
			dup2(nul, fd);
		else
			close(fd);
	}
	if (nul > 2)
		close(nul);
	signal(SIGPIPE, SIG_IGN);
	dprintf(out, "fuzz start seed=%llu count=%ld syscalls=%d\n",
		(unsigned long long)seed, count, nallowed);
	if (concurrent)
		return fuzz_concurrent(out, seed, count, procs, threads, argc > 5 && strcmp(argv[5], "v") == 0);

	static unsigned char seen[MAXNR];
	long done = fuzz_loop(seed, count, seen);
	dprintf(out, "fuzz done calls=%ld\n", done);
	return 0;
}
