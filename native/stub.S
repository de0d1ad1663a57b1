/*
 * The stub: the only code a stub process holds before the Sentry maps the
 * application into it. It is exec'd traced, with address randomisation off,
 * so that it sits alone at STUB_BASE. It unmaps everything else (its stack,
 * the vDSO and vvar) so the whole user address space below STUB_BASE is the
 * Sentry's to lay out, makes itself non-dumpable, installs a seccomp filter that lets the host
 * kernel run only mmap, mprotect and munmap for it (and clone, with exactly
 * the flags of a traced thread in this process), then stops itself with
 * int3. From then on the Sentry only ever points a thread at
 * `stub_syscall` to inject a system call (mmap, munmap, mprotect of
 * memory-file ranges, or clone for a new application thread), which ends
 * on the int3 after it; the application itself runs under PTRACE_SYSEMU
 * and never makes a host system call.
 *
 * The first stub is exec'd at start-up and stays the master: every other
 * stub is forked from it by an injected clone (CLONE_PARENT|CLONE_PTRACE),
 * inheriting this filter, its ids and its non-dumpable state.
 *
 * Layout (fixed, relied on by src/platform/ptrace/ptrace.ts and native/addon.c):
 *   STUB_BASE + 0x0000 ELF headers (read-only)
 *   STUB_BASE + 0x1000 _start
 *   STUB_BASE + 0x1100 stub_syscall: syscall; int3
 */
#define STUB_BASE 0x7fffff000000
#define TASK_SIZE 0x7ffffffff000
#define STUB_END  (STUB_BASE + 0x2000)
/* CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_PTRACE|CLONE_THREAD|CLONE_SYSVSEM */
#define STUB_THREAD_FLAGS 0x52f00
/* CLONE_PARENT|CLONE_PTRACE|SIGCHLD */
#define STUB_FORK_FLAGS 0xa011

	.text
	.globl _start
_start:
	/* munmap(0, STUB_BASE) */
	mov $11, %eax
	xor %edi, %edi
	movabs $STUB_BASE, %rsi
	syscall
	/* munmap(STUB_END, TASK_SIZE - STUB_END) */
	mov $11, %eax
	movabs $STUB_END, %rdi
	movabs $(TASK_SIZE - STUB_END), %rsi
	syscall
	/* prctl(PR_SET_NAME, "tsvisor-stub"): exec'd from a descriptor, the
	 * process would otherwise be named after it ("4"). */
	mov $157, %eax
	mov $15, %edi
	lea stub_name(%rip), %rsi
	syscall
	/* prctl(PR_SET_DUMPABLE, 0): the stub's /proc entries (mem, fd, maps)
	 * then belong to root and no other process of the same uid may ptrace
	 * it; the Sentry, its tracer since exec, keeps every right it has. */
	mov $157, %eax
	mov $4, %edi
	xor %esi, %esi
	syscall
	test %rax, %rax
	jnz die
	/* prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) */
	mov $157, %eax
	mov $38, %edi
	mov $1, %esi
	xor %edx, %edx
	xor %r10d, %r10d
	xor %r8d, %r8d
	syscall
	test %rax, %rax
	jnz die
	/* seccomp(SECCOMP_SET_MODE_FILTER, 0, &stub_filter_prog): from here on
	 * the host kernel runs nothing for this process but mmap, mprotect and
	 * munmap, which are the calls the Sentry injects. The application's own
	 * system calls stop in PTRACE_SYSEMU before seccomp is consulted, so
	 * this only matters if something ever let one through. */
	mov $317, %eax
	mov $1, %edi
	xor %esi, %esi
	lea stub_filter_prog(%rip), %rdx
	syscall
	test %rax, %rax
	jnz die
	int3
die:
	mov $231, %eax
	mov $121, %edi
	syscall
	/* Never resumed here; if it is, die. */
	mov $231, %eax
	mov $127, %edi
	syscall

	.org 0x100
	.globl stub_syscall
stub_syscall:
	syscall
	int3
	ud2

	/* The stub's seccomp filter (classic BPF). */
	.balign 8
stub_filter:
	.short 0x20; .byte 0, 0; .long 4                /* A = seccomp_data.arch */
	.short 0x15; .byte 1, 0; .long 0xc000003e       /* AUDIT_ARCH_X86_64? */
	.short 0x06; .byte 0, 0; .long 0x80000000       /* no: kill the process */
	.short 0x20; .byte 0, 0; .long 0                /* A = seccomp_data.nr */
	.short 0x15; .byte 12, 0; .long 9               /* mmap */
	.short 0x15; .byte 11, 0; .long 10              /* mprotect */
	.short 0x15; .byte 10, 0; .long 11              /* munmap */
	/* The host kernel emulates calls into the legacy vsyscall page itself,
	 * consulting seccomp but not ptrace, and would answer with the host's
	 * clock and CPU: make those three trap (SIGSYS, which the Sentry sees
	 * and answers in their place). */
	.short 0x15; .byte 10, 0; .long 96              /* gettimeofday: trap */
	.short 0x15; .byte 9, 0; .long 201              /* time: trap */
	.short 0x15; .byte 8, 0; .long 309              /* getcpu: trap */
	.short 0x15; .byte 0, 5; .long 56               /* clone? else kill */
	/* clone: only a thread of this process, traced like its creator, or
	 * (made in the master stub) a new stub: a sibling of its creator,
	 * child and tracee of the Sentry. */
	.short 0x20; .byte 0, 0; .long 20               /* A = args[0] >> 32 */
	.short 0x15; .byte 0, 3; .long 0                /* must be 0 */
	.short 0x20; .byte 0, 0; .long 16               /* A = args[0] & 0xffffffff */
	.short 0x15; .byte 2, 0; .long STUB_THREAD_FLAGS
	.short 0x15; .byte 1, 0; .long STUB_FORK_FLAGS
	.short 0x06; .byte 0, 0; .long 0x80000000       /* anything else: kill */
	.short 0x06; .byte 0, 0; .long 0x7fff0000       /* allow */
	.short 0x06; .byte 0, 0; .long 0x00030000       /* trap (SIGSYS) */
stub_name:
	.asciz "tsvisor-stub"
	.balign 8
stub_filter_prog:
	.short 19
	.zero 6
	.quad stub_filter
	.section .note.GNU-stack,"",@progbits
