/*
 * rlimit_mem: RLIMIT_AS and RLIMIT_DATA (issue 5, finding 4: with
 * RLIMIT_AS at 1 GiB a program committed 6 GiB). Sets each limit (soft
 * only, so the next part can lift it again) and then asks for memory with
 * mmap, mremap, mprotect, brk and malloc; prints each result. Sizes keep a
 * wide margin to the limits, so what the program's own image and stack
 * take does not change the outcome.
 * Must get: the same output under tsvisor as natively.
 */
#include "../c/common.h"
#include <sys/mman.h>
#include <sys/resource.h>

#define MiB (1UL << 20)

static void setsoft(int res, unsigned long v)
{
	struct rlimit r;
	getrlimit(res, &r);
	r.rlim_cur = v;
	if (setrlimit(res, &r) < 0)
		printf("setrlimit: -1 %s\n", errname(errno));
}

static void *map(const char *name, unsigned long len, int prot, int flags)
{
	void *p = mmap(NULL, len, prot, flags | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		printf("%s: -1 %s\n", name, errname(errno));
	else
		printf("%s: ok\n", name);
	return p;
}

static void sbrk_check(const char *name, long inc)
{
	void *p = sbrk(inc);
	if (p == (void *)-1)
		printf("%s: -1 %s\n", name, errname(errno));
	else {
		printf("%s: ok\n", name);
		sbrk(-inc);
	}
}

int main(void)
{
	/* RLIMIT_AS: 256 MiB. */
	setsoft(RLIMIT_AS, 256 * MiB);
	map("as mmap 1G", 1024 * MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	map("as mmap 1G noreserve", 1024 * MiB, PROT_NONE, MAP_PRIVATE | MAP_NORESERVE);
	int n = 0;
	void *keep[8];
	for (; n < 8; n++) {
		keep[n] = mmap(NULL, 64 * MiB, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (keep[n] == MAP_FAILED)
			break;
	}
	printf("as 64M maps: %d, then %s\n", n, errname(errno));
	for (int i = 0; i < n; i++)
		munmap(keep[i], 64 * MiB);
	void *p = map("as mmap 64M", 64 * MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	void *q = mremap(p, 64 * MiB, 512 * MiB, MREMAP_MAYMOVE);
	printf("as mremap 512M: %s\n", q == MAP_FAILED ? errname(errno) : "ok");
	q = mremap(p, 64 * MiB, 128 * MiB, MREMAP_MAYMOVE);
	printf("as mremap 128M: %s\n", q == MAP_FAILED ? errname(errno) : "ok");
	if (q != MAP_FAILED)
		munmap(q, 128 * MiB);
	else
		munmap(p, 64 * MiB);
	sbrk_check("as sbrk 512M", 512 * MiB);
	sbrk_check("as sbrk 16M", 16 * MiB);
	void *m = malloc(512 * MiB);
	printf("as malloc 512M: %s\n", m == NULL ? "NULL" : "ok");
	free(m);
	m = malloc(16 * MiB);
	printf("as malloc 16M: %s\n", m == NULL ? "NULL" : "ok");
	free(m);
	setsoft(RLIMIT_AS, RLIM_INFINITY);

	/* RLIMIT_DATA: 64 MiB (private writable mappings and brk). */
	setsoft(RLIMIT_DATA, 64 * MiB);
	map("data private rw 128M", 128 * MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	void *ro = map("data private ro 128M", 128 * MiB, PROT_READ, MAP_PRIVATE);
	void *sh = map("data shared rw 128M", 128 * MiB, PROT_READ | PROT_WRITE, MAP_SHARED);
	void *st = map("data growsdown rw 128M", 128 * MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_GROWSDOWN);
	if (ro != MAP_FAILED) {
		int r = mprotect(ro, 128 * MiB, PROT_READ | PROT_WRITE);
		printf("data mprotect rw 128M: %s\n", r < 0 ? errname(errno) : "ok");
		r = mprotect(ro, 16 * MiB, PROT_READ | PROT_WRITE);
		printf("data mprotect rw 16M: %s\n", r < 0 ? errname(errno) : "ok");
		munmap(ro, 128 * MiB);
	}
	if (sh != MAP_FAILED)
		munmap(sh, 128 * MiB);
	if (st != MAP_FAILED)
		munmap(st, 128 * MiB);
	map("data private rw 16M", 16 * MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	sbrk_check("data sbrk 128M", 128 * MiB);
	sbrk_check("data sbrk 8M", 8 * MiB);
	m = malloc(128 * MiB);
	printf("data malloc 128M: %s\n", m == NULL ? "NULL" : "ok");
	free(m);
	setsoft(RLIMIT_DATA, RLIM_INFINITY);
	map("unlimited private rw 128M", 128 * MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	return 0;
}
