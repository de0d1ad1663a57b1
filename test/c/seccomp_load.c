/*
 * seccomp_load FILE: installs the filter in FILE (struct sock_filter
 * records, as test/seccomp.test.js writes what src/kernel/seccomp_profile.ts
 * compiles from an OCI profile), then makes a fixed list of harmless calls
 * and prints what each returns. Run natively, Linux itself judges the
 * compiled program; under tsvisor, the Sentry does. Every call here is
 * harmless even if a profile wrongly allowed it.
 */
#include "seccomp.h"
#include <fcntl.h>
#include <sched.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/utsname.h>

static struct sock_filter prog[BPF_MAXINSNS + 1];

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	int fd = open(argv[1], O_RDONLY);
	if (fd < 0)
		return 2;
	ssize_t n = read(fd, prog, sizeof prog);
	close(fd);
	if (n <= 0 || n % sizeof prog[0] != 0)
		return 2;
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	show("install", install(prog, (unsigned short)(n / sizeof prog[0]), 0));
	show_bool("getppid", SYS(SYS_getppid) >= 0);
	show("sched_yield", SYS(SYS_sched_yield));
	show("personality query", SYS(SYS_personality, 0xffffffffL) >= 0 ? 0 : -1);
	show("personality uname26", SYS(SYS_personality, 0x20000) >= 0 ? 0 : -1);
	show("personality 0", SYS(SYS_personality, 0) >= 0 ? 0 : -1);
	show("personality high", SYS(SYS_personality, 0x100000000L) >= 0 ? 0 : -1);
	long s = SYS(SYS_socket, AF_UNIX, SOCK_STREAM, 0);
	show_ok("socket unix", s);
	if (s >= 0)
		close(s);
	s = SYS(SYS_socket, AF_NETLINK, SOCK_RAW, 9);
	show_ok("socket netlink audit", s);
	if (s >= 0)
		close(s);
	s = SYS(SYS_socket, AF_UNIX, SOCK_DGRAM, 9);
	show_ok("socket unix protocol 9", s);
	if (s >= 0)
		close(s);
	show("unshare 0", SYS(SYS_unshare, 0));
	show("clone3 size 0", SYS(SYS_clone3, 0, 0));
	show("chroot missing", SYS(SYS_chroot, "/nonexistent-seccomp-test"));
	show("setns bad fd", SYS(SYS_setns, -1, 0));
	show("kill 0 0", SYS(SYS_kill, 0, 0));
	show("getcpu null", SYS(SYS_getcpu, 0, 0, 0));
	show("syscall 449 futex_waitv null", SYS(SYS_futex_waitv, 0, 0, 0, 0, 0));
	show("syscall 1000", SYS(1000));
	show("ioctl bad fd", SYS(SYS_ioctl, -1, 0x5401, 0));
	show("ioctl TIOCSTI bad fd", SYS(SYS_ioctl, -1, 0x5412, 0));
	show_ok("getpgid 0", SYS(SYS_getpgid, 0));
	struct utsname u;
	show("uname", SYS(SYS_uname, &u));
	/* Last: a profile without SCMP_ARCH_X32 kills here (libseccomp's bad-arch action). */
	show("x32 getpid", SYS(0x40000000 | SYS_getpid));
	printf("done\n");
	return 0;
}
