/* mmaps N: N one-page anonymous mmap calls (alternating protections, so Linux
 * cannot merge them and every call is a VMA of its own), then N munmaps. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 65000;
	void **maps = calloc(n, sizeof *maps);
	for (long i = 0; i < n; i++) {
		maps[i] = mmap(NULL, 4096, (i & 1) ? PROT_READ : PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (maps[i] == MAP_FAILED) {
			perror("mmap");
			return 1;
		}
	}
	for (long i = 0; i < n; i++)
		munmap(maps[i], 4096);
	return 0;
}
