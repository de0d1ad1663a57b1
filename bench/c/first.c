/* The init of bench/run.js's oci-start row: its first instructions write one
 * byte ("!") to file descriptor 1 and exit 0.  No libc, no dynamic loader:
 * the write(2) is the program's first system call, so the host reading the
 * other end of that pipe sees the moment the container's init has begun.
 *
 * Built by bench/run.js with gcc -O2 -static -nostdlib into bench/out/first,
 * and copied into the oci-start bundle's rootfs as /first. */
__attribute__((naked, noreturn)) void _start(void) {
  __asm__ volatile(
      "mov $1, %eax\n\t"          /* SYS_write */
      "mov $1, %edi\n\t"          /* fd 1 */
      "lea marker(%rip), %rsi\n\t"
      "mov $1, %edx\n\t"          /* 1 byte */
      "syscall\n\t"
      "mov $60, %eax\n\t"         /* SYS_exit */
      "xor %edi, %edi\n\t"
      "syscall\n\t"
      "hlt\n\t"
      "marker: .ascii \"!\"\n\t");
}
