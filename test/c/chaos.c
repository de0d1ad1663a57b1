/*
 * chaos SEED COUNT: system calls with arguments nobody would choose,
 * including pointers into this program's own stack, heap, code and data and
 * lengths that run off the end of them. Meant to run only under tsvisor
 * (natively it could damage the machine it runs on): there, the program may
 * destroy itself (unmap its own code, scribble over its stack) and die by a
 * signal, but the Sentry must serve every call and stay up.
 *
 * Only calls that would end the process on purpose (exit, exit_group) and
 * the ones that could sleep for ever are skipped; everything else, including
 * numbers Linux does not define, is fair game.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <fcntl.h>
#ifndef SYS_mseal
#define SYS_mseal 462
#endif

static uint64_t state;
static uint64_t rnd(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

static char heap_probe[1];

static uint64_t arg(void *stack)
{
	static const uint64_t fixed[] = {
		0, 1, 2, 3, 0x7fffffff, 0x80000000, 0xffffffff, (uint64_t)-1, (uint64_t)-4096,
		0x7fffff000000, 0x7fffff001100, 0x7ffffffff000, 0x800000000000, 0xffff800000000000,
		1ull << 40, 1ull << 47, 4096, 65536, 1 << 20, 1 << 30,
	};
	switch (rnd() % 8) {
	case 0: return fixed[rnd() % (sizeof fixed / sizeof fixed[0])];
	case 1: return (uint64_t)stack + (rnd() % 8192) - 4096;
	case 2: return (uint64_t)heap_probe + (rnd() % 65536) - 32768;
	case 3: return (uint64_t)&arg + (rnd() % 4096);
	case 4: return rnd() % 64;
	case 5: return rnd();
	case 6: return rnd() & 0xffffffff;
	default: return 1ull << (rnd() % 64);
	}
}

int main(int argc, char **argv)
{
	state = argc > 1 ? strtoull(argv[1], 0, 0) * 0x9e3779b97f4a7c15ull + 1 : 1;
	long count = argc > 2 ? atol(argv[2]) : 20000;
	char stack[64];
	/* Keep stdout for the final line; the program's own garbage goes nowhere. */
	int out = dup(1);
	int null = open("/dev/null", 1);
	dup2(null, 1);
	dup2(null, 2);
	/* Memory calls get addresses in a playground, so the run lasts. */
	char *play = (char *)syscall(SYS_mmap, 0, 1ul << 30, 0, 0x22 | 0x4000, -1, 0);
	for (long i = 0; i < count; i++) {
		long nr = rnd() % 460;
		switch (nr) {
		case SYS_exit: case SYS_exit_group: case SYS_pause: case SYS_rt_sigsuspend:
		case SYS_futex: case SYS_nanosleep: case SYS_clock_nanosleep: case SYS_read:
		case SYS_readv: case SYS_pread64: case SYS_preadv: case SYS_preadv2:
		case SYS_wait4: case SYS_waitid: case SYS_poll: case SYS_ppoll: case SYS_select:
		case SYS_pselect6: case SYS_epoll_wait: case SYS_epoll_pwait: case SYS_epoll_pwait2:
		case SYS_rt_sigtimedwait: case SYS_semop: case SYS_semtimedop: case SYS_msgrcv:
		case SYS_accept: case SYS_accept4: case SYS_recvfrom: case SYS_recvmsg: case SYS_recvmmsg:
		case SYS_kill: case SYS_tkill: case SYS_tgkill: case SYS_rt_sigqueueinfo: case SYS_rt_tgsigqueueinfo:
		case SYS_vfork: case SYS_fork: case SYS_clone: case SYS_clone3:
			continue;
		}
		uint64_t a0 = arg(stack);
		switch (nr) {
		case SYS_mmap: case SYS_munmap: case SYS_mprotect: case SYS_mremap: case SYS_madvise:
		case SYS_brk: case SYS_arch_prctl: case SYS_rt_sigreturn: case SYS_shmdt: case SYS_pkey_mprotect:
		case SYS_remap_file_pages: case SYS_mlock: case SYS_munlock: case SYS_msync: case SYS_set_thread_area:
		case SYS_modify_ldt: case SYS_mseal:
			if (nr == SYS_arch_prctl || nr == SYS_rt_sigreturn || nr == SYS_set_thread_area || nr == SYS_modify_ldt)
				continue;
			a0 = (uint64_t)play + (rnd() % (1ul << 30)) / 4096 * 4096;
			break;
		}
		syscall(nr, a0, arg(stack), arg(stack), arg(stack), arg(stack), arg(stack));
	}
	dprintf(out, "chaos survived %ld calls\n", count);
	return 0;
}
