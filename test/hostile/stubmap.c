/*
 * stubmap: the edges of the address space. The sandbox's user address
 * space ends where the stub begins (STUB_BASE = 0x7fffff000000; the stub's
 * code is at STUB_BASE..STUB_BASE+0x2000, src/platform/ptrace/ptrace.ts),
 * so for the program everything from there up is what lies past TASK_SIZE
 * on Linux: no call may map, unmap, reprotect, move, advise or lock it, a
 * hint there lands below it, and the stub keeps running (every call after
 * each attempt is still served, and a child still runs). Page 0 and the
 * last pages below 2^47 are tried too. Prints one line per attempt; run
 * only under tsvisor (natively the top of the address space is usable).
 */
#include "../c/common.h"
#include "catch.h"
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

#define PG 4096UL
#define STUB_BASE 0x7fffff000000UL
#define TOP47 0x800000000000UL


static void still_served(const char *after)
{
	fflush(stdout);
	pid_t c = fork();
	if (c == 0)
		_exit(getpid() > 1 ? 21 : 22);
	int st = 0;
	if (c < 0 || waitpid(c, &st, 0) != c || !WIFEXITED(st) || WEXITSTATUS(st) != 21)
		printf("after %s: not served (status %d)\n", after, st);
}

static void map_at(const char *name, unsigned long addr, unsigned long len, int flags)
{
	void *p = mmap((void *)addr, len, PROT_READ | PROT_WRITE, flags | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		printf("%s: -1 %s\n", name, errname(errno));
	else if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE))
		printf("%s: %s\n", name, (unsigned long)p == addr ? "at the address" : "ELSEWHERE");
	else
		printf("%s: below the stub %d\n", name, (unsigned long)p + len <= STUB_BASE);
	if (p != MAP_FAILED && (unsigned long)p + len > STUB_BASE)
		printf("%s: MAPPED OVER THE STUB\n", name);
	if (p != MAP_FAILED && (unsigned long)p < STUB_BASE)
		munmap(p, len);
	still_served(name);
}

static void touch(const char *name, unsigned long addr, int write)
{
	got_sig = got_code = 0;
	if (sigsetjmp(fault_jb, 1) == 0) {
		if (write)
			*(volatile char *)addr = 1;
		else
			(void)*(volatile char *)addr;
		printf("%s: no fault\n", name);
	} else {
		printf("%s: signal %d code %d\n", name, got_sig, got_code);
	}
	still_served(name);
}

int main(void)
{
	catch_faults();

	map_at("mmap fixed 0", 0, PG, MAP_FIXED);
	map_at("mmap fixed 0x1000", 0x1000, PG, MAP_FIXED);
	map_at("mmap fixed 2^47-4096", TOP47 - PG, PG, MAP_FIXED);
	map_at("mmap fixed 2^47-8192", TOP47 - 2 * PG, PG, MAP_FIXED);
	map_at("mmap fixed 2^47", TOP47, PG, MAP_FIXED);
	map_at("mmap fixed 2^48", TOP47 << 1, PG, MAP_FIXED);
	map_at("mmap fixed kernel half", 0xffff800000000000UL, PG, MAP_FIXED);
	map_at("mmap fixed stub", STUB_BASE, 2 * PG, MAP_FIXED);
	map_at("mmap fixed stub+0x1000", STUB_BASE + PG, PG, MAP_FIXED);
	map_at("mmap fixed across the stub's start", STUB_BASE - PG, 2 * PG, MAP_FIXED);
	map_at("mmap fixed_noreplace stub", STUB_BASE, PG, MAP_FIXED_NOREPLACE);
	map_at("mmap fixed just below the stub", STUB_BASE - PG, PG, MAP_FIXED);
	map_at("mmap hint stub", STUB_BASE, PG, 0);
	map_at("mmap hint 2^47-4096", TOP47 - PG, PG, 0);
	map_at("mmap hint huge", 0, 1UL << 45, MAP_NORESERVE);
	map_at("mmap fixed wrapping", 0xfffffffffffff000UL, 2 * PG, MAP_FIXED);

	show("mprotect stub rwx", SYS(SYS_mprotect, STUB_BASE, 2 * PG, PROT_READ | PROT_WRITE | PROT_EXEC));
	show("mprotect stub none", SYS(SYS_mprotect, STUB_BASE + PG, PG, PROT_NONE));
	show("munmap stub", SYS(SYS_munmap, STUB_BASE, 2 * PG));
	show("munmap stub code page", SYS(SYS_munmap, STUB_BASE + PG, PG));
	show("munmap from below across the stub", SYS(SYS_munmap, STUB_BASE - 16 * PG, 32 * PG));
	show("mremap stub", SYS(SYS_mremap, STUB_BASE, PG, 2 * PG, MREMAP_MAYMOVE, 0));
	show("mremap stub code fixed to low", SYS(SYS_mremap, STUB_BASE + PG, PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED, 0x10000000UL));
	show("madvise stub dontneed", SYS(SYS_madvise, STUB_BASE, 2 * PG, MADV_DONTNEED));
	show("madvise stub remove", SYS(SYS_madvise, STUB_BASE, 2 * PG, MADV_REMOVE));
	show("madvise stub dontfork", SYS(SYS_madvise, STUB_BASE, 2 * PG, MADV_DONTFORK));
	show("madvise stub wipeonfork", SYS(SYS_madvise, STUB_BASE, 2 * PG, MADV_WIPEONFORK));
	show("msync stub", SYS(SYS_msync, STUB_BASE, PG, MS_SYNC));
	show("mlock stub", SYS(SYS_mlock, STUB_BASE, PG));
	unsigned char vec[2];
	show("mincore stub", SYS(SYS_mincore, STUB_BASE, 2 * PG, vec));
	still_served("the stub calls");

	/* a mapping just below the stub, grown or moved into it */
	char *low = mmap((void *)(STUB_BASE - PG), PG, PROT_READ | PROT_WRITE, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (low == MAP_FAILED) {
		printf("mapping below the stub: -1 %s\n", errname(errno));
	} else {
		low[0] = 5;
		show("mremap grow into the stub", SYS(SYS_mremap, low, PG, 2 * PG, 0, 0));
		char *m = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		show("mremap fixed onto the stub", SYS(SYS_mremap, m, PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED, STUB_BASE));
		show("mremap fixed onto the stub code", SYS(SYS_mremap, m, PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED, STUB_BASE + PG));
		show("mprotect below across the stub", SYS(SYS_mprotect, low, 2 * PG, PROT_READ | PROT_WRITE | PROT_EXEC));
		show("brk to the stub", SYS(SYS_brk, STUB_BASE + PG) == (long)(STUB_BASE + PG));
		printf("below the stub intact: %d\n", low[0] == 5);
		munmap(low, PG);
		munmap(m, PG);
	}
	still_served("the mappings next to the stub");

	/* the program's view of the stub's pages: nothing there */
	touch("read stub", STUB_BASE, 0);
	touch("read stub code", STUB_BASE + 0x1100, 0);
	touch("write stub code", STUB_BASE + 0x1100, 1);
	touch("read page 0", 0, 0);
	int p[2];
	if (pipe(p) == 0) {
		show("write from the stub", SYS(SYS_write, p[1], STUB_BASE + 0x1000, 16));
		show("write to pipe", SYS(SYS_write, p[1], "0123456789abcdef", 16));
		show("read into the stub", SYS(SYS_read, p[0], STUB_BASE + 0x1100, 16));
		close(p[0]);
		close(p[1]);
	}
	still_served("copies at the stub");
	printf("stubmap done\n");
	return 0;
}
