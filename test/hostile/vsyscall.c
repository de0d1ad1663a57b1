/*
 * Issue 5, finding 5: the legacy vsyscall page is executed by the host
 * kernel (gettimeofday, time, getcpu), without a ptrace stop, so a program
 * calling it read the host's values (the host CPU it ran on) instead of
 * the Sentry's. Each answer must agree with the system call of the same
 * name, and a bad pointer is SIGSEGV, as Linux's emulation gives.
 *
 * Must get, natively and under tsvisor, run pinned to one CPU (the test
 * pins both): the same lines, then death by SIGSEGV (139).
 */
#include "../c/common.h"
#include <sys/time.h>
#include <time.h>

#define VSYSCALL 0xffffffffff600000UL

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	long (*vgettimeofday)(struct timeval *, void *) = (void *)(VSYSCALL + 0x000);
	long (*vtime)(long *) = (void *)(VSYSCALL + 0x400);
	long (*vgetcpu)(unsigned *, unsigned *, void *) = (void *)(VSYSCALL + 0x800);

	unsigned vcpu = 1000, vnode = 1000, cpu = 2000, node = 2000;
	long r = vgetcpu(&vcpu, &vnode, NULL);
	printf("vsyscall getcpu: %ld\n", r);
	syscall(SYS_getcpu, &cpu, &node, NULL);
	printf("vsyscall getcpu agrees with getcpu(2): %d\n", vcpu == cpu && vnode == node);

	struct timeval tv, tv2;
	r = vgettimeofday(&tv, NULL);
	syscall(SYS_gettimeofday, &tv2, NULL);
	printf("vsyscall gettimeofday: %ld, within a second of gettimeofday(2): %d\n", r,
	       tv2.tv_sec - tv.tv_sec <= 1 && tv2.tv_sec >= tv.tv_sec);
	long t1 = 0, t0 = vtime(&t1);
	long t2 = syscall(SYS_time, NULL);
	printf("vsyscall time: stored %d, within a second of time(2): %d\n", t0 == t1, t2 - t0 <= 1 && t2 >= t0);

	printf("vsyscall gettimeofday with a bad pointer\n");
	vgettimeofday((struct timeval *)8, NULL);
	printf("not reached\n");
	return 0;
}
