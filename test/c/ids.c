/*
 * Identity: getpid/gettid/getppid/getpgid/getsid, the uid and gid calls, and
 * uname. Pids are never printed, only relations. The ids are printed: the
 * suite runs as root, and the sandbox's default user is root too.
 */
#include "common.h"
#include <sys/utsname.h>

int main(void)
{
	long pid = SYS(SYS_getpid);
	/*
	 * A sandbox's first process leads its own session, as a container's init
	 * does. Natively the suite's session may be led from outside its pid
	 * namespace (getsid gives 0 in CI containers), so lead one here too; under
	 * tsvisor this fails with EPERM, already being a leader.
	 */
	(void)setsid();
	show_bool("getpid_positive", pid > 0);
	show_bool("getpid_eq_gettid", SYS(SYS_gettid) == pid);
	show_bool("getpid_stable", SYS(SYS_getpid) == pid);
	show_bool("getpid_eq_glibc", getpid() == pid);
	show_bool("getppid_nonneg", SYS(SYS_getppid) >= 0);
	show_bool("getppid_not_self", SYS(SYS_getppid) != pid);
	show_bool("getpgid_self_positive", SYS(SYS_getpgid, 0) > 0);
	show_bool("getpgid_self_eq_pid_arg", SYS(SYS_getpgid, 0) == SYS(SYS_getpgid, pid));
	show_bool("getpgrp_eq_getpgid", SYS(SYS_getpgrp) == SYS(SYS_getpgid, 0));
	show_bool("getsid_self_positive", SYS(SYS_getsid, 0) > 0);
	show_bool("getsid_self_eq_pid_arg", SYS(SYS_getsid, 0) == SYS(SYS_getsid, pid));
	show("getpgid_missing", SYS(SYS_getpgid, 999999));
	show("getsid_missing", SYS(SYS_getsid, 999999));
	show("getpgid_negative", SYS(SYS_getpgid, -1));

	show("getuid", SYS(SYS_getuid));
	show("geteuid", SYS(SYS_geteuid));
	show("getgid", SYS(SYS_getgid));
	show("getegid", SYS(SYS_getegid));
	{
		unsigned r = 99, e = 99, s = 99;
		show("getresuid", SYS(SYS_getresuid, &r, &e, &s));
		printf("getresuid_values: %u %u %u\n", r, e, s);
		show_bool("getresuid_eq_getuid", r == SYS(SYS_getuid) && e == SYS(SYS_geteuid));
		r = e = s = 99;
		show("getresgid", SYS(SYS_getresgid, &r, &e, &s));
		printf("getresgid_values: %u %u %u\n", r, e, s);
		show_bool("getresgid_eq_getgid", r == SYS(SYS_getgid) && e == SYS(SYS_getegid));
		show("getresuid_efault", SYS(SYS_getresuid, BADPTR1, &e, &s));
		show("getresgid_efault", SYS(SYS_getresgid, &r, &e, KADDR));
	}
	{
		unsigned groups[256];
		long n = SYS(SYS_getgroups, 0, NULL);
		show_bool("getgroups_count_nonneg", n >= 0);
		show_bool("getgroups_fill_same_count", SYS(SYS_getgroups, 256, groups) == n);
		show("getgroups_negative", SYS(SYS_getgroups, -1, groups));
	}
	/* as root, setting the ids to what they are is allowed and changes nothing */
	show("setuid_same", SYS(SYS_setuid, SYS(SYS_getuid)));
	show("setgid_same", SYS(SYS_setgid, SYS(SYS_getgid)));
	show("getuid_after", SYS(SYS_getuid));
	show("setfsuid_query", SYS(SYS_setfsuid, -1));

	{
		struct utsname u;
		memset(&u, 0, sizeof u);
		show("uname", SYS(SYS_uname, &u));
		show_str("uname_sysname", u.sysname);
		show_str("uname_machine", u.machine);
		show_bool("uname_release_nonempty", u.release[0] != 0);
		show_bool("uname_release_starts_digit", u.release[0] >= '0' && u.release[0] <= '9');
		show_bool("uname_version_nonempty", u.version[0] != 0);
		show_bool("uname_nodename_nonempty", u.nodename[0] != 0);
		show("uname_efault", SYS(SYS_uname, BADPTR1));
		show("uname_efault_kernel", SYS(SYS_uname, KADDR));
		show("uname_null", SYS(SYS_uname, NULL));
	}
	printf("done\n");
	return 0;
}
