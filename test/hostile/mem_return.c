/*
 * mem_return: memory a program frees must go back to the host while the
 * sandbox runs (issue 5, finding 4: "its pages are freed only when Node
 * exits"). Fills 256 MiB, says "filled", waits for a byte on stdin, unmaps
 * it, says "freed", waits for another byte, exits 0.
 * Must get: the test sees the memory file's host blocks (st_blocks of the
 * memfd, through /proc/SENTRY/fd) above 256 MiB after "filled" and back
 * under 64 MiB after "freed".
 */
#include "../c/common.h"
#include <sys/mman.h>

int main(void)
{
	size_t n = 256UL << 20;
	char c;
	char *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 2;
	memset(p, 1, n);
	printf("filled\n");
	fflush(stdout);
	if (read(0, &c, 1) != 1)
		return 3;
	munmap(p, n);
	printf("freed\n");
	fflush(stdout);
	if (read(0, &c, 1) != 1)
		return 4;
	return 0;
}
