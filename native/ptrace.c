/*
 * The ptrace platform's host side: the stub processes (spawned once, then
 * forked by injection), ptrace requests, waits, injected system calls, and
 * the quantum that bounds a blocking wait. Every ptrace request must come
 * from the thread that attached (the Node main thread): this addon is only
 * ever called from it.
 */
#include "addon.h"

/* ---- stub processes -------------------------------------------------- */

/*
 * The stub binary, copied once into a sealed memfd: the stub is exec'd from
 * it after dropping privileges, so it needs no path the unprivileged user
 * could traverse, and the file cannot change under a running Sentry.
 */
static int stub_image_fd = -1;

__attribute__((noinline)) static int load_stub_image(const char *path) {
  if (stub_image_fd >= 0) return stub_image_fd;
  int in = open(path, O_RDONLY | O_CLOEXEC);
  if (in < 0) return -errno;
  int fd = memfd_create("tsvisor-stub", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) {
    int e = errno;
    close(in);
    return -e;
  }
  char buf[8192];
  ssize_t n;
  while ((n = read(in, buf, sizeof buf)) > 0) {
    if (write(fd, buf, n) != n) {
      close(in);
      close(fd);
      return -EIO;
    }
  }
  close(in);
  if (n < 0) {
    close(fd);
    return -EIO;
  }
  fchmod(fd, 0555);
  fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL);
  stub_image_fd = fd;
  return fd;
}

/* waitpid that goes on through the quantum timer's signal (a stub is made while it is armed). */
static pid_t waitpid_through_eintr(pid_t pid, int *status) {
  pid_t r;
  do r = waitpid(pid, status, __WALL);
  while (r < 0 && errno == EINTR);
  return r;
}

#define STUB_IMAGE_FD (STUB_FD + 1)
/* The overlay's file store (src/memory/memory_file.ts), when there is one. */
#define STUB_STORE_FD (STUB_FD + 2)

/*
 * spawnStub(path, memfd, uid, gid, storefd) -> pid (>0) or -errno.
 * The child: own session (no terminal signals), no privileges (uid and gid
 * as given, when uid >= 0, no groups: set with raw system calls, since glibc's setuid would
 * signal the Sentry's own threads, which a vfork child shares memory
 * with), dies with its parent thread, only the memory file open (as fd 3,
 * and the file store as fd 5 when storefd >= 0),
 * address randomisation off so the stub lands alone at its fixed address,
 * traced from its first instruction. Returns once the stub has unmapped
 * everything, installed its seccomp filter and stopped at its int3, with
 * PTRACE_O_EXITKILL set so that it dies with the Sentry even if the Sentry
 * is SIGKILLed.
 */
static napi_value SpawnStub(napi_env env, napi_callback_info info) {
  ARGS(5);
  char path[4096];
  arg_str(env, argv[0], path, sizeof path);
  int memfd = (int)arg_i64(env, argv[1]);
  int64_t uid = arg_i64(env, argv[2]), gid = arg_i64(env, argv[3]);
  int storefd = (int)arg_i64(env, argv[4]);
  int image = load_stub_image(path);
  if (image < 0) return i32(env, image == -ENOENT || image == -EACCES ? -ENOENT : image);
  pid_t parent = getpid();
  char *const cargv[] = {"tsvisor-stub", NULL};
  char *const cenv[] = {NULL};
  int drop = uid >= 0;
  pid_t pid = vfork();
  if (pid < 0) return i32(env, -errno);
  if (pid == 0) {
    setsid();
    /* Out of the way of the fixed numbers first, whatever number it has. */
    int store = storefd >= 0 ? fcntl(storefd, F_DUPFD, STUB_STORE_FD + 1) : -1;
    if (storefd >= 0 && store < 0) _exit(125);
    if (memfd != STUB_FD) {
      if (dup2(memfd, STUB_FD) < 0) _exit(125);
    } else {
      fcntl(STUB_FD, F_SETFD, 0);
    }
    if (dup2(image, STUB_IMAGE_FD) < 0) _exit(125);
    fcntl(STUB_IMAGE_FD, F_SETFD, FD_CLOEXEC);
    if (store >= 0 && dup2(store, STUB_STORE_FD) < 0) _exit(125);
    syscall(SYS_close_range, store >= 0 ? STUB_STORE_FD + 1 : STUB_IMAGE_FD + 1, ~0U, 0);
    syscall(SYS_close_range, 0, STUB_FD - 1, 0);
    if (drop) {
      if (syscall(SYS_setgroups, 0, NULL) < 0) _exit(122);
      if (syscall(SYS_setresgid, (gid_t)gid, (gid_t)gid, (gid_t)gid) < 0) _exit(122);
      if (syscall(SYS_setresuid, (uid_t)uid, (uid_t)uid, (uid_t)uid) < 0) _exit(122);
    }
    /* After the uid change, which clears the parent-death signal. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(126);
    personality(ADDR_NO_RANDOMIZE);
    /* Default dispositions for everything: an ignored SIGPIPE or SIGCHLD
     * would otherwise survive exec. */
    for (int s = 1; s < 65; s++) {
      if (s == SIGKILL || s == SIGSTOP) continue;
      signal(s, SIG_DFL);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (ptrace(PTRACE_TRACEME, 0, 0, 0) < 0) _exit(124);
    syscall(SYS_execveat, STUB_IMAGE_FD, "", cargv, cenv, AT_EMPTY_PATH);
    _exit(123);
  }
  int status;
  /* Stop 1: SIGTRAP after execve. */
  if (waitpid_through_eintr(pid, &status) < 0) return i32(env, -errno);
  if (!WIFSTOPPED(status)) {
    /* The child's exit code says which step failed (see above). */
    if (WIFEXITED(status) && WEXITSTATUS(status) == 124) return i32(env, -EPERM);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 123) return i32(env, -ENOENT);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 122) return i32(env, -EACCES);
    return i32(env, -ECHILD);
  }
  if (ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_EXITKILL | PTRACE_O_TRACESYSGOOD) < 0) {
    int e = errno;
    kill(pid, SIGKILL);
    waitpid_through_eintr(pid, &status);
    return i32(env, -e);
  }
  /* Stop 2: the stub's int3 once its address space is empty. */
  if (ptrace(PTRACE_CONT, pid, 0, 0) < 0) return i32(env, -errno);
  if (waitpid_through_eintr(pid, &status) < 0) return i32(env, -errno);
  if (!WIFSTOPPED(status) || WSTOPSIG(status) != SIGTRAP) {
    kill(pid, SIGKILL);
    waitpid_through_eintr(pid, &status);
    return i32(env, -ENOEXEC);
  }
  return i32(env, pid);
}

/* ---- ptrace ------------------------------------------------------------ */

static int quantum_expired;

static napi_value GetRegs(napi_env env, napi_callback_info info) {
  ARGS(2);
  int pid = (int)arg_i64(env, argv[0]);
  size_t len;
  void *buf = arg_buf(env, argv[1], &len);
  if (!buf || len < sizeof(struct user_regs_struct)) { napi_throw_error(env, NULL, "regs buffer too small"); return NULL; }
  if (ptrace(PTRACE_GETREGS, pid, 0, buf) < 0) return i32(env, -errno);
  return i32(env, 0);
}

static napi_value SetRegs(napi_env env, napi_callback_info info) {
  ARGS(2);
  int pid = (int)arg_i64(env, argv[0]);
  size_t len;
  void *buf = arg_buf(env, argv[1], &len);
  if (!buf || len < sizeof(struct user_regs_struct)) { napi_throw_error(env, NULL, "regs buffer too small"); return NULL; }
  if (ptrace(PTRACE_SETREGS, pid, 0, buf) < 0) return i32(env, -errno);
  return i32(env, 0);
}

/* getFpRegs/setFpRegs(pid, buf): the xsave area through NT_X86_XSTATE. */
static napi_value FpRegs(napi_env env, napi_callback_info info, int set) {
  ARGS(2);
  int pid = (int)arg_i64(env, argv[0]);
  size_t len;
  void *buf = arg_buf(env, argv[1], &len);
  if (!buf) { napi_throw_error(env, NULL, "fpregs buffer missing"); return NULL; }
  struct iovec iov = {buf, len};
  if (ptrace(set ? PTRACE_SETREGSET : PTRACE_GETREGSET, pid, NT_X86_XSTATE, &iov) < 0) return i32(env, -errno);
  return i32(env, (int32_t)iov.iov_len);
}
static napi_value GetFpRegs(napi_env env, napi_callback_info info) { return FpRegs(env, info, 0); }
static napi_value SetFpRegs(napi_env env, napi_callback_info info) { return FpRegs(env, info, 1); }

static napi_value GetSiginfo(napi_env env, napi_callback_info info) {
  ARGS(2);
  int pid = (int)arg_i64(env, argv[0]);
  size_t len;
  void *buf = arg_buf(env, argv[1], &len);
  if (!buf || len < 128) { napi_throw_error(env, NULL, "siginfo buffer too small"); return NULL; }
  if (ptrace(PTRACE_GETSIGINFO, pid, 0, buf) < 0) return i32(env, -errno);
  return i32(env, 0);
}

/*
 * Waits for the next stop of pid; returns -EINTR once the quantum has
 * expired (without waiting, if it expired before). The expiry signal can
 * land between the check and waitpid(); the quantum timer repeats, so a
 * missed one only delays the return by one interval.
 */
static int wait_stop(int pid, int *status) {
  for (;;) {
    if (quantum_expired) {
      int r = waitpid(pid, status, __WALL | WNOHANG);
      if (r > 0) return r;
      if (r < 0 && errno != EINTR) return -errno;
      return -EINTR;
    }
    int r = waitpid(pid, status, __WALL);
    if (r >= 0) return r;
    if (errno != EINTR) return -errno;
  }
}

/*
 * resume(pid, regs|null, op, sig) -> pid that stopped (>0) with its wait
 * status in out[0], or -errno. The hot path of the ptrace platform, in one
 * crossing: SETREGS (if regs given), PTRACE_SYSEMU or PTRACE_CONT, a blocking
 * waitpid for that thread, GETREGS into regs.
 * op: 0 = SYSEMU, 1 = CONT, 2 = SYSEMU_SINGLESTEP.
 */
static napi_value Resume(napi_env env, napi_callback_info info) {
  ARGS(5);
  int pid = (int)arg_i64(env, argv[0]);
  size_t len = 0;
  napi_valuetype vt;
  napi_typeof(env, argv[1], &vt);
  void *regs = NULL;
  if (vt != napi_null && vt != napi_undefined) regs = arg_buf(env, argv[1], &len);
  int op = (int)arg_i64(env, argv[2]);
  int sig = (int)arg_i64(env, argv[3]);
  size_t olen;
  int32_t *out = arg_buf(env, argv[4], &olen);
  if (regs && len < sizeof(struct user_regs_struct)) { napi_throw_error(env, NULL, "regs buffer too small"); return NULL; }
  if (!out || olen < 4) { napi_throw_error(env, NULL, "out buffer too small"); return NULL; }
  /* The quantum ended while the Sentry was busy: do not resume; the caller yields first. */
  if (quantum_expired) return i32(env, -EAGAIN);
  if (regs && ptrace(PTRACE_SETREGS, pid, 0, regs) < 0) return i32(env, -errno);
  long req = op == 0 ? PTRACE_SYSEMU : op == 1 ? PTRACE_CONT : PTRACE_SYSEMU_SINGLESTEP;
  if (ptrace(req, pid, 0, (long)sig) < 0) return i32(env, -errno);
  int status;
  int r = wait_stop(pid, &status);
  if (r < 0) return i32(env, r);
  out[0] = status;
  if (regs && WIFSTOPPED(status)) {
    if (ptrace(PTRACE_GETREGS, pid, 0, regs) < 0) return i32(env, -errno);
  }
  return i32(env, r);
}

/* wait(pid, nohang, out) -> pid (status in out[0]), 0 if none, or -errno. */
static napi_value Wait(napi_env env, napi_callback_info info) {
  ARGS(3);
  int pid = (int)arg_i64(env, argv[0]);
  bool nohang = false;
  napi_get_value_bool(env, argv[1], &nohang);
  size_t olen;
  int32_t *out = arg_buf(env, argv[2], &olen);
  if (!out || olen < 4) { napi_throw_error(env, NULL, "out buffer too small"); return NULL; }
  int status = 0;
  int r;
  if (nohang) {
    r = waitpid(pid, &status, __WALL | WNOHANG);
    if (r < 0) r = -errno;
  } else {
    r = wait_stop(pid, &status);
  }
  out[0] = status;
  return i32(env, r);
}

/*
 * inject(pid, nr, a0, a1, a2, a3, a4, a5, out Float64Array(1)) -> 0 with
 * the system call's return value in out[0], or -errno when the injection
 * itself failed (the thread could not be set up, ran, or stopped as
 * expected): then nothing is known about the address space.
 *
 * The thread must be in a ptrace stop; its registers are clobbered (the
 * caller restores its own copy on the next resume). The call runs with
 * registers the Sentry chooses, never the program's: 64-bit code and stack
 * selectors, null data selectors and bases, no trap or direction flag.
 * With the program's own, a thread in 32-bit mode (cs 0x23) ran the
 * `syscall` in compat mode, and a kernel-half FS base made SETREGS fail.
 */
#define USER_CS 0x33
#define USER_DS 0x2b
#define INJECT_MAX_STOPS 8

static napi_value Inject(napi_env env, napi_callback_info info) {
  ARGS(9);
  int pid = (int)arg_i64(env, argv[0]);
  size_t olen;
  double *out = arg_buf(env, argv[8], &olen);
  if (!out || olen < 8) { napi_throw_error(env, NULL, "out buffer too small"); return NULL; }
  struct user_regs_struct r;
  memset(&r, 0, sizeof r);
  r.cs = USER_CS;
  r.ss = USER_DS;
  r.eflags = 0x202; /* IF, and the always-one bit */
  r.rip = STUB_SYSCALL_ADDR;
  r.rax = (unsigned long long)arg_i64(env, argv[1]);
  r.orig_rax = (unsigned long long)-1;
  r.rdi = (unsigned long long)arg_f64(env, argv[2]);
  r.rsi = (unsigned long long)arg_f64(env, argv[3]);
  r.rdx = (unsigned long long)arg_f64(env, argv[4]);
  r.r10 = (unsigned long long)arg_f64(env, argv[5]);
  r.r8 = (unsigned long long)arg_f64(env, argv[6]);
  r.r9 = (unsigned long long)arg_f64(env, argv[7]);
  if (ptrace(PTRACE_SETREGS, pid, 0, &r) < 0) return i32(env, -errno);
  if (ptrace(PTRACE_CONT, pid, 0, 0) < 0) return i32(env, -errno);
  int status;
  /* Bounded: a thread that stops any other way this often is not running the stub's code. */
  for (int stops = 0;;) {
    int w = waitpid(pid, &status, __WALL);
    if (w < 0) {
      if (errno == EINTR) continue;
      return i32(env, -errno);
    }
    if (!WIFSTOPPED(status)) return i32(env, -ESRCH);
    if (WSTOPSIG(status) == SIGTRAP) break;
    /* A host signal raced in (the Sentry's interrupt; nothing else reaches a stub): drop it. */
    if (++stops >= INJECT_MAX_STOPS) return i32(env, -EIO);
    if (ptrace(PTRACE_CONT, pid, 0, 0) < 0) return i32(env, -errno);
  }
  if (ptrace(PTRACE_GETREGS, pid, 0, &r) < 0) return i32(env, -errno);
  /* The int3 after the stub's syscall, and nothing else. */
  if (r.rip != STUB_SYSCALL_ADDR + 3) return i32(env, -EIO);
  out[0] = (double)(long long)r.rax;
  return i32(env, 0);
}

/*
 * waitThrough(pid, out) -> pid (status in out[0]) or -errno: waits for the
 * next stop or exit of pid through any signal, ignoring the quantum (for a
 * new thread's first stop, which comes at once).
 */
static napi_value WaitThrough(napi_env env, napi_callback_info info) {
  ARGS(2);
  int pid = (int)arg_i64(env, argv[0]);
  size_t olen;
  int32_t *out = arg_buf(env, argv[1], &olen);
  if (!out || olen < 4) { napi_throw_error(env, NULL, "out buffer too small"); return NULL; }
  int status = 0;
  pid_t r = waitpid_through_eintr(pid, &status);
  if (r < 0) return i32(env, -errno);
  out[0] = status;
  return i32(env, r);
}

/*
 * reap(pid) -> 0 or -errno: waits, through any signal, until pid (already
 * sent SIGKILL) has exited, so that no stub is left a zombie.
 */
static napi_value Reap(napi_env env, napi_callback_info info) {
  ARGS(1);
  int pid = (int)arg_i64(env, argv[0]);
  for (;;) {
    int status;
    pid_t r = waitpid_through_eintr(pid, &status);
    if (r < 0) return i32(env, -errno);
    if (WIFEXITED(status) || WIFSIGNALED(status)) return i32(env, 0);
  }
}

static napi_value Kill(napi_env env, napi_callback_info info) {
  ARGS(2);
  int pid = (int)arg_i64(env, argv[0]);
  int sig = (int)arg_i64(env, argv[1]);
  if (kill(pid, sig) < 0) return i32(env, -errno);
  return i32(env, 0);
}


/* ---- quantum --------------------------------------------------------- */

static void quantum_handler(int sig) { quantum_expired = 1; }
static timer_t quantum_timer;
static int quantum_ready;

/* armQuantum(ms): after ms, interrupt a blocking wait on this thread. 0 disarms. */
static napi_value ArmQuantum(napi_env env, napi_callback_info info) {
  ARGS(1);
  double ms = arg_f64(env, argv[0]);
  if (!quantum_ready) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = quantum_handler;
    sigaction(SIGRTMAX - 1, &sa, NULL); /* no SA_RESTART: waitpid returns EINTR */
    struct sigevent sev;
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_THREAD_ID;
    sev.sigev_signo = SIGRTMAX - 1;
    sev._sigev_un._tid = (pid_t)syscall(SYS_gettid);
    if (timer_create(CLOCK_MONOTONIC, &sev, &quantum_timer) < 0) return i32(env, -errno);
    quantum_ready = 1;
  }
  quantum_expired = 0;
  struct itimerspec its;
  memset(&its, 0, sizeof its);
  its.it_value.tv_sec = (time_t)(ms / 1000);
  its.it_value.tv_nsec = (long)((ms - its.it_value.tv_sec * 1000.0) * 1e6);
  if (ms > 0 && its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0) its.it_value.tv_nsec = 1;
  /* Repeat every 5 ms after the first expiry, in case one lands just before a wait. */
  if (ms > 0) its.it_interval.tv_nsec = 5 * 1000 * 1000;
  if (timer_settime(quantum_timer, 0, &its, NULL) < 0) return i32(env, -errno);
  return i32(env, 0);
}

static napi_value QuantumExpired(napi_env env, napi_callback_info info) {
  napi_value r;
  napi_get_boolean(env, quantum_expired != 0, &r);
  return r;
}

/* setAffinity(tid, cpu) -> 0 or -errno: pins a thread (0 = the caller) to one CPU; cpu < 0 unpins. */
static napi_value SetAffinity(napi_env env, napi_callback_info info) {
  ARGS(2);
  int tid = (int)arg_i64(env, argv[0]);
  int cpu = (int)arg_i64(env, argv[1]);
  cpu_set_t set;
  CPU_ZERO(&set);
  if (cpu < 0) {
    for (int i = 0; i < CPU_SETSIZE; i++) CPU_SET(i, &set);
  } else {
    CPU_SET(cpu, &set);
  }
  if (sched_setaffinity(tid, sizeof set, &set) < 0) return i32(env, -errno);
  return i32(env, 0);
}

static napi_value GetCpu(napi_env env, napi_callback_info info) {
  return i32(env, sched_getcpu());
}

void register_ptrace(napi_env env, napi_value exports) {
  EXPORT("spawnStub", SpawnStub);
  EXPORT("getRegs", GetRegs);
  EXPORT("setRegs", SetRegs);
  EXPORT("getFpRegs", GetFpRegs);
  EXPORT("setFpRegs", SetFpRegs);
  EXPORT("getSiginfo", GetSiginfo);
  EXPORT("resume", Resume);
  EXPORT("wait", Wait);
  EXPORT("inject", Inject);
  EXPORT("kill", Kill);
  EXPORT("reap", Reap);
  EXPORT("waitThrough", WaitThrough);
  EXPORT("armQuantum", ArmQuantum);
  EXPORT("quantumExpired", QuantumExpired);
  EXPORT("setAffinity", SetAffinity);
  EXPORT("getCpu", GetCpu);
}
