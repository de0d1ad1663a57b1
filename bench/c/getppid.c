/* Syscall round trip: call getppid() N times through syscall(2), so that no
 * libc caching can hide the kernel entry.  Usage: getppid N (default 100000).
 * Built static by bench/run.js: gcc -O2 -static -o bench/out/getppid getppid.c */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv) {
  long n = argc > 1 ? strtol(argv[1], NULL, 10) : 100000;
  long failed = 0;
  /* getppid may legitimately return 0 (a parent outside our pid namespace),
   * so only a negative result counts as an error.  Checking the result also
   * keeps the loop from being optimised away. */
  for (long i = 0; i < n; i++) failed += syscall(SYS_getppid) < 0;
  if (failed) {
    fprintf(stderr, "getppid: %ld of %ld calls failed\n", failed, n);
    return 1;
  }
  return 0;
}
