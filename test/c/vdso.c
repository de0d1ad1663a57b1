/*
 * The vDSO: AT_SYSINFO_EHDR names an ELF shared object whose clocks agree
 * with the system calls' (alternating reads for 1.5 s, across the Sentry's
 * once-a-second refit, never see CLOCK_MONOTONIC go back, nor the call's
 * CLOCK_REALTIME before the vDSO's just read); unknown clocks fail with EINVAL
 * through it; the page below it is the read-only clock page, which mprotect
 * cannot make writable. Ends with a bad pointer given to the vDSO, which
 * faults (SIGSEGV) as Linux's does, rather than giving EFAULT.
 */
#include "common.h"
#include <elf.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <time.h>

typedef int (*clock_gettime_fn)(clockid_t, struct timespec *);

/* Finds a symbol in the vDSO's dynamic symbol table, as libc does. */
static void *vdso_sym(unsigned long base, const char *name)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)base;
	Elf64_Phdr *ph = (Elf64_Phdr *)(base + eh->e_phoff);
	unsigned long load = 0, dyn = 0;
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD && load == 0)
			load = base + ph[i].p_offset - ph[i].p_vaddr;
		if (ph[i].p_type == PT_DYNAMIC)
			dyn = ph[i].p_vaddr;
	}
	if (dyn == 0)
		return NULL;
	Elf64_Sym *sym = NULL;
	const char *str = NULL;
	Elf64_Word *hash = NULL;
	for (Elf64_Dyn *d = (Elf64_Dyn *)(load + dyn); d->d_tag != DT_NULL; d++) {
		if (d->d_tag == DT_SYMTAB)
			sym = (Elf64_Sym *)(load + d->d_un.d_ptr);
		if (d->d_tag == DT_STRTAB)
			str = (const char *)(load + d->d_un.d_ptr);
		if (d->d_tag == DT_HASH)
			hash = (Elf64_Word *)(load + d->d_un.d_ptr);
	}
	if (sym == NULL || str == NULL || hash == NULL)
		return NULL;
	for (Elf64_Word i = 0; i < hash[1]; i++)
		if (sym[i].st_shndx != SHN_UNDEF && strcmp(str + sym[i].st_name, name) == 0)
			return (void *)(load + sym[i].st_value);
	return NULL;
}

static long ns_of(const struct timespec *t)
{
	return t->tv_sec * 1000000000L + t->tv_nsec;
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	unsigned long base = getauxval(AT_SYSINFO_EHDR);
	show_bool("have_sysinfo_ehdr", base != 0);
	show_bool("page_aligned", base % 4096 == 0);
	show_bool("elf_magic", memcmp((void *)base, ELFMAG, SELFMAG) == 0);
	show_bool("shared_object", ((Elf64_Ehdr *)base)->e_type == ET_DYN);

	clock_gettime_fn vgettime = (clock_gettime_fn)vdso_sym(base, "__vdso_clock_gettime");
	show_bool("has___vdso_clock_gettime", vgettime != NULL);
	show_bool("has___vdso_gettimeofday", vdso_sym(base, "__vdso_gettimeofday") != NULL);
	show_bool("has___vdso_time", vdso_sym(base, "__vdso_time") != NULL);
	show_bool("has___vdso_getcpu", vdso_sym(base, "__vdso_getcpu") != NULL);
	if (vgettime == NULL)
		return 1;

	/* Alternate the vDSO and the system call for 1.5 s. */
	struct timespec a, b, start;
	long backwards = 0, reads = 0, real_far = 0;
	vgettime(CLOCK_MONOTONIC, &start);
	do {
		vgettime(CLOCK_MONOTONIC, &a);
		SYS(SYS_clock_gettime, CLOCK_MONOTONIC, &b);
		if (ns_of(&b) < ns_of(&a))
			backwards++;
		vgettime(CLOCK_MONOTONIC, &b);
		SYS(SYS_clock_gettime, CLOCK_MONOTONIC, &a);
		if (ns_of(&a) < ns_of(&b))
			backwards++;
		vgettime(CLOCK_REALTIME, &a);
		SYS(SYS_clock_gettime, CLOCK_REALTIME, &b);
		long d = ns_of(&b) - ns_of(&a);
		/* Later by a Sentry's turn of its event loop at most; never earlier. */
		if (d < 0 || d > 100000000)
			real_far++;
		reads++;
		vgettime(CLOCK_MONOTONIC, &a);
	} while (ns_of(&a) - ns_of(&start) < 1500000000L);
	show("monotonic_went_back", backwards);
	show("realtime_disagreements", real_far);
	show_bool("many_reads", reads > 100);

	for (int c = 0; c <= 11; c++) {
		if (c == 2 || c == 3 || c == 8 || c == 9 || c == 10)
			continue; /* CPU-time and alarm clocks: the call's own business */
		struct timespec v, s;
		long rv = vgettime(c, &v), rs = SYS(SYS_clock_gettime, c, &s);
		printf("clock_%d: vdso %ld sys %ld, %s\n", c, rv, rs,
		       rv == 0 && v.tv_sec >= 0 && v.tv_nsec >= 0 && v.tv_nsec < 1000000000L ? "valid" : "invalid");
	}
	struct timespec v;
	/* The vDSO returns the system call's -errno. */
	show("vdso_bad_clock", vgettime(12345, &v));

	/* gettimeofday and time agree with clock_gettime. */
	struct timeval tv;
	struct timespec rt;
	clock_gettime(CLOCK_REALTIME, &rt);
	show("gettimeofday", gettimeofday(&tv, NULL));
	show_bool("gettimeofday_close", tv.tv_sec - rt.tv_sec >= 0 && tv.tv_sec - rt.tv_sec <= 1);
	time_t now = time(NULL);
	show_bool("time_close", now - rt.tv_sec >= 0 && now - rt.tv_sec <= 1);

	/*
	 * The clock page below cannot be made writable. (Whether the vDSO's own
	 * pages can be depends on the kernel: 6.x may seal them.)
	 */
	show("mprotect_clock_page_write", SYS(SYS_mprotect, base - 4096, 4096, PROT_READ | PROT_WRITE));
	show("clock_gettime_into_clock_page", SYS(SYS_clock_gettime, CLOCK_MONOTONIC, (void *)(base - 4096)));

	/* A bad pointer: the vDSO writes it and faults, as Linux's does. */
	printf("done\n");
	vgettime(CLOCK_MONOTONIC, (struct timespec *)8);
	return 0;
}
