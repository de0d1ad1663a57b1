/*
 * The stub: the only code a stub process holds before the Sentry maps the
 * application into it. It is exec'd traced, with address randomisation off,
 * so that it sits alone at STUB_BASE. It unmaps everything else (its stack,
 * the vDSO and vvar) so the whole user address space below STUB_BASE is the
 * Sentry's to lay out, then stops itself with int3. From then on the Sentry
 * only ever points the thread at `stub_syscall` to inject a system call
 * (mmap, munmap, mprotect of memory-file ranges), which ends on the int3
 * after it; the application itself runs under PTRACE_SYSEMU and never makes
 * a host system call.
 *
 * Layout (fixed, relied on by src/platform/ptrace/stub.ts):
 *   STUB_BASE + 0x0000 ELF headers (read-only)
 *   STUB_BASE + 0x1000 _start
 *   STUB_BASE + 0x1100 stub_syscall: syscall; int3
 */
#define STUB_BASE 0x7fffff000000
#define TASK_SIZE 0x7ffffffff000
#define STUB_END  (STUB_BASE + 0x2000)

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
	int3
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
	.section .note.GNU-stack,"",@progbits
