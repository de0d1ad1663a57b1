/* Touch fresh anonymous memory: mmap SIZE MiB (default 256) of private
 * anonymous memory and write one byte to every 4 KiB page, so every page is
 * demand-faulted once.  Usage: touch [MIB].
 * Built static by bench/run.js: gcc -O2 -static -o bench/out/touch touch.c */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

int main(int argc, char **argv) {
  long mib = argc > 1 ? strtol(argv[1], NULL, 10) : 256;
  size_t len = (size_t)mib << 20;
  volatile unsigned char *p =
      mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    perror("mmap");
    return 1;
  }
  for (size_t off = 0; off < len; off += 4096) p[off] = (unsigned char)(off >> 12);
  /* Read one page back so the writes are observably kept. */
  if (len > 4096 && p[4096] != 1) {
    fprintf(stderr, "touch: memory lost its contents\n");
    return 1;
  }
  return 0;
}
