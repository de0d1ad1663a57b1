/*
 * nsclone: new namespaces through clone, clone3, unshare and setns. The
 * sandbox supports none of them but the mount and user namespaces
 * (docs/syscalls.md: clone and clone3 return ENOSYS for the other
 * namespace flags, unshare too, setns is ENOSYS; CLONE_NEWNS is tested in
 * test/c/vfs_mount.c, CLONE_NEWUSER in test/c/userns.c), so
 * every attempt must fail with exactly that errno and leave the caller as
 * it was; a child must never appear (it would exit 99). Linux's own flag
 * checks come first: CLONE_NEWNS|CLONE_FS and CLONE_NEWUSER|CLONE_FS are
 * EINVAL.
 * Run only under tsvisor (natively, as root, the calls succeed).
 */
#include "../c/common.h"
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <linux/sched.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x80
#endif

static const struct {
	const char *name;
	unsigned long flag;
} ns[] = {
	/* CLONE_NEWPID (test/pidns.test.js) and CLONE_NEWIPC (test/sysvipc.test.js) are served; they stay in "all", which the others refuse. */
	{ "NEWNET", CLONE_NEWNET }, { "NEWUTS", CLONE_NEWUTS },
	{ "NEWCGROUP", CLONE_NEWCGROUP }, { "NEWTIME", CLONE_NEWTIME },
	{ "all", CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWUTS |
		 CLONE_NEWIPC | CLONE_NEWCGROUP },
};

static void reap(const char *what)
{
	int st;
	pid_t c = waitpid(-1, &st, WNOHANG);
	if (c > 0)
		printf("%s: a child appeared (status %d)\n", what, st);
}

int main(void)
{
	char name[96];
	for (unsigned i = 0; i < sizeof ns / sizeof ns[0]; i++) {
		unsigned long f = ns[i].flag;
		fflush(stdout);
		/* CLONE_NEWTIME is 0x80, inside clone(2)'s exit-signal byte: only clone3 and unshare know it */
		if (f == CLONE_NEWTIME)
			goto clone3;
		snprintf(name, sizeof name, "clone %s", ns[i].name);
		long r = SYS(SYS_clone, f | SIGCHLD, 0, 0, 0, 0);
		if (r == 0)
			_exit(99);
		show(name, r);
		reap(name);
		snprintf(name, sizeof name, "clone %s|UNTRACED|PTRACE", ns[i].name);
		r = SYS(SYS_clone, f | CLONE_UNTRACED | CLONE_PTRACE | SIGCHLD, 0, 0, 0, 0);
		if (r == 0)
			_exit(99);
		show(name, r);
		reap(name);
		snprintf(name, sizeof name, "clone %s|FS", ns[i].name);
		r = SYS(SYS_clone, f | CLONE_FS | SIGCHLD, 0, 0, 0, 0);
		if (r == 0)
			_exit(99);
		show(name, r);
		reap(name);
	clone3:;
		struct clone_args ca;
		memset(&ca, 0, sizeof ca);
		ca.flags = f;
		ca.exit_signal = SIGCHLD;
		snprintf(name, sizeof name, "clone3 %s", ns[i].name);
		r = SYS(435, &ca, sizeof ca);
		if (r == 0)
			_exit(99);
		show(name, r);
		reap(name);
		snprintf(name, sizeof name, "unshare %s", ns[i].name);
		show(name, SYS(SYS_unshare, f));
	}
	long r = SYS(SYS_clone, CLONE_NEWNS | CLONE_FS | SIGCHLD, 0, 0, 0, 0);
	if (r == 0)
		_exit(99);
	show("clone NEWNS|FS", r);
	show("setns -1 0", SYS(SYS_setns, -1, 0));
	show("setns 0 NEWUSER", SYS(SYS_setns, 0, CLONE_NEWUSER));
	/* the caller is unchanged: still pid 1 with its own uts name */
	show("getpid", getpid());
	show("waitpid", waitpid(-1, NULL, WNOHANG));
	printf("nsclone done\n");
	return 0;
}
