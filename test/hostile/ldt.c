/*
 * ldt [nomodify]: the local descriptor table. modify_ldt is ENOSYS in the
 * sandbox (docs/syscalls.md), so writing a code segment into the LDT fails
 * and the LDT stays empty; far jumps, far calls and far returns to LDT
 * selectors (and to GDT selectors that are not user code), and loads of
 * such selectors into %ds, %es, %fs, %gs and %ss, then fault exactly as
 * they do natively with an empty LDT: SIGSEGV with si_code SI_KERNEL, the
 * handler runs, and the program carries on. With "nomodify" modify_ldt is
 * not called, so the run can be compared with the native one.
 */
#include "../c/common.h"
#include "catch.h"
#include <asm/ldt.h>
#include <signal.h>


extern void landed_asm(void);
#define landed landed_asm
__asm__(".text\n landed_asm: mov $60, %eax\n mov $77, %edi\n syscall\n");

static struct __attribute__((packed)) { uint32_t off; uint16_t sel; } farptr;

static void try(const char *what, int kind, uint16_t sel)
{
	got_sig = got_code = 0;
	farptr.off = (uint32_t)(uintptr_t)landed;
	farptr.sel = sel;
	if (sigsetjmp(fault_jb, 1) == 0) {
		switch (kind) {
		case 0: __asm__ volatile("ljmpl *%0" ::"m"(farptr)); break;
		case 1: __asm__ volatile("lcalll *%0" ::"m"(farptr)); break;
		case 2: /* far return: push cs then rip */
			__asm__ volatile("pushq %0\n pushq %1\n lretq" ::"r"((uint64_t)sel),
					 "r"((uint64_t)(uintptr_t)landed));
			break;
		case 3: __asm__ volatile("mov %0, %%ds" ::"r"(sel)); break;
		case 4: __asm__ volatile("mov %0, %%es" ::"r"(sel)); break;
		case 5: __asm__ volatile("mov %0, %%fs" ::"r"(sel)); break;
		case 6: __asm__ volatile("mov %0, %%gs" ::"r"(sel)); break;
		case 7: __asm__ volatile("mov %0, %%ss" ::"r"(sel)); break;
		}
		printf("%s %#x: no fault\n", what, sel);
	} else {
		printf("%s %#x: signal %d code %d\n", what, sel, got_sig, got_code);
	}
	fflush(stdout);
}

int main(int argc, char **argv)
{
	catch_faults();
	if (argc < 2 || strcmp(argv[1], "nomodify") != 0) {
		static char ldtbuf[65536];
		show("modify_ldt read", SYS(SYS_modify_ldt, 0, ldtbuf, sizeof ldtbuf));
		show("modify_ldt read_default", SYS(SYS_modify_ldt, 2, ldtbuf, sizeof ldtbuf));
		/* a 64-bit-capable code segment at entry 0 and a 32-bit one at entry 1 */
		struct user_desc d;
		memset(&d, 0, sizeof d);
		d.entry_number = 0;
		d.base_addr = 0;
		d.limit = 0xfffff;
		d.seg_32bit = 1;
		d.contents = 2; /* code */
		d.limit_in_pages = 1;
		d.useable = 1;
		show("modify_ldt write", SYS(SYS_modify_ldt, 1, &d, sizeof d));
		d.entry_number = 1;
		show("modify_ldt write_old", SYS(SYS_modify_ldt, 0x11, &d, sizeof d));
		show("modify_ldt bad func", SYS(SYS_modify_ldt, 99, &d, sizeof d));
		show("modify_ldt bad ptr", SYS(SYS_modify_ldt, 1, KADDR, sizeof d));
	}
	static const char *names[] = { "ljmp", "lcall", "lret", "mov ds", "mov es", "mov fs", "mov gs", "mov ss" };
	static const uint16_t far_sels[] = { 0x7, 0xf, 0x4, 0x2b, 0x10, 0x1, 0xfffc, 0xffff };
	static const uint16_t seg_sels[] = { 0x7, 0xf, 0x10, 0xfffc, 0xffff };
	for (int k = 0; k < 3; k++)
		for (unsigned i = 0; i < sizeof far_sels / sizeof far_sels[0]; i++)
			try(names[k], k, far_sels[i]);
	for (int k = 3; k < 8; k++)
		for (unsigned i = 0; i < sizeof seg_sels / sizeof seg_sels[0]; i++)
			try(names[k], k, seg_sels[i]);
	printf("ldt done\n");
	return 0;
}
