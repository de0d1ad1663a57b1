/* clock_gettime through libc, which takes it from the vDSO when there is
 * one: the cost of reading the clock as programs do.  Usage: clockloop N.
 * Built static by bench/run.js: gcc -O2 -static -o bench/out/clockloop clockloop.c */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv) {
  long n = argc > 1 ? strtol(argv[1], NULL, 10) : 1000000;
  long sum = 0;
  struct timespec ts;
  /* Summing the results keeps the loop from being optimised away. */
  for (long i = 0; i < n; i++) {
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
      perror("clockloop: clock_gettime");
      return 1;
    }
    sum += ts.tv_nsec & 1;
  }
  return sum < 0;
}
