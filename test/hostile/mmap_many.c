/*
 * mmap_many: 65,000 one-page mmap calls, then unmaps them all (issue 5,
 * finding 3: the VMA set was a sorted array with splice, so this cost the
 * Sentry about 30 s of CPU). Alternate protections keep Linux from merging
 * neighbours, so natively too there are 65,000 VMAs (under vm.max_map_count).
 * Must get: the same output as natively ("mapped 65000", "unmapped 65000"),
 * well within a generous timeout.
 */
#include "../c/common.h"
#include <sys/mman.h>

#define N 65000

static void *maps[N];

int main(void)
{
	int ok = 0;
	for (int i = 0; i < N; i++) {
		maps[i] = mmap(NULL, 4096, (i & 1) ? PROT_READ : PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (maps[i] == MAP_FAILED) {
			printf("mmap %d: -1 %s\n", i, errname(errno));
			break;
		}
		ok++;
	}
	printf("mapped %d\n", ok);
	/* Touch some, so there are pages to free too. */
	for (int i = 0; i < ok; i += 97)
		if (!(i & 1))
			*(volatile char *)maps[i] = 1;
	int un = 0;
	for (int i = 0; i < ok; i++)
		if (munmap(maps[i], 4096) == 0)
			un++;
	printf("unmapped %d\n", un);
	return 0;
}
