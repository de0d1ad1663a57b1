/* files DIR N: creates N empty files in DIR, stats each, then deletes each
 * (the bench's "10,000 files in /tmp" row). Exits 1 at the first failure. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc != 3) return 2;
  int n = atoi(argv[2]);
  char path[4096];
  struct stat st;
  for (int i = 0; i < n; i++) {
    snprintf(path, sizeof path, "%s/f%06d", argv[1], i);
    int fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0644);
    if (fd < 0 || close(fd) < 0) { perror(path); return 1; }
  }
  for (int i = 0; i < n; i++) {
    snprintf(path, sizeof path, "%s/f%06d", argv[1], i);
    if (stat(path, &st) < 0) { perror(path); return 1; }
  }
  for (int i = 0; i < n; i++) {
    snprintf(path, sizeof path, "%s/f%06d", argv[1], i);
    if (unlink(path) < 0) { perror(path); return 1; }
  }
  return 0;
}
