/*
 * PID namespaces (pid_namespaces(7)): unshare(CLONE_NEWPID) and
 * clone(CLONE_NEWPID); the first child is pid 1 of the new namespace with
 * parent 0, its parent sees its outer pid from fork and wait; processes
 * outside are ESRCH from inside; the init ignores signals it has no
 * handler for from inside, and from an ancestor all but SIGKILL; orphans
 * go to the namespace's init; its death kills the rest and fork into the
 * namespace is then ENOMEM; a proc mounted inside lists only the
 * namespace (self, stat, status's NS* lines, loadavg, ns links); two
 * levels; 32 levels at most; CLONE_THREAD with it is EINVAL; without
 * CAP_SYS_ADMIN EPERM. Prints no pid that differs between runs: only
 * pids inside new namespaces, and comparisons of outer ones. Run as root.
 */
#include "common.h"
#include <dirent.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>

/* The value of "key:" in /proc/PID/status under the proc at root (tabs kept), or "(none)". */
static const char *status_field(const char *root, const char *pid, const char *key)
{
	static char out[256];
	char path[128], buf[8192];
	snprintf(path, sizeof path, "%s/%s/status", root, pid);
	FILE *f = fopen(path, "r");
	strcpy(out, "(none)");
	if (f == NULL)
		return out;
	size_t kl = strlen(key);
	while (fgets(buf, sizeof buf, f) != NULL) {
		if (strncmp(buf, key, kl) == 0 && buf[kl] == ':') {
			char *v = buf + kl + 1;
			while (*v == '\t' || *v == ' ')
				v++;
			v[strcspn(v, "\n")] = 0;
			for (char *p = v; *p; p++)
				if (*p == '\t')
					*p = ' ';
			snprintf(out, sizeof out, "%s", v);
			break;
		}
	}
	fclose(f);
	return out;
}

/* The numeric entries of a proc root, sorted, space-separated. */
static const char *pid_dirs(const char *root)
{
	static char out[512];
	int ids[64], n = 0;
	DIR *d = opendir(root);
	out[0] = 0;
	if (d == NULL)
		return "(error)";
	struct dirent *e;
	while ((e = readdir(d)) != NULL && n < 64)
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9')
			ids[n++] = atoi(e->d_name);
	closedir(d);
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			if (ids[j] < ids[i]) {
				int x = ids[i];
				ids[i] = ids[j];
				ids[j] = x;
			}
	for (int i = 0; i < n; i++)
		snprintf(out + strlen(out), sizeof out - strlen(out), "%s%d", i ? " " : "", ids[i]);
	return out;
}

static const char *link_of(const char *path)
{
	static char buf[2][128];
	static int which;
	char *b = buf[which ^= 1];
	ssize_t n = readlink(path, b, 127);
	if (n < 0) {
		snprintf(b, 128, "(error %s)", errname(errno));
		return b;
	}
	b[n] = 0;
	return b;
}

/* Fields 1..7 of /proc/PID/stat after the comm: pid, state skipped, ppid, pgrp, session. */
static void show_stat(const char *name, const char *path)
{
	char buf[1024];
	FILE *f = fopen(path, "r");
	if (f == NULL || fgets(buf, sizeof buf, f) == NULL) {
		printf("%s: (error)\n", name);
		if (f)
			fclose(f);
		return;
	}
	fclose(f);
	int pid = atoi(buf);
	char *p = strrchr(buf, ')');
	char st;
	int ppid, pgrp, sid;
	sscanf(p + 2, "%c %d %d %d", &st, &ppid, &pgrp, &sid);
	printf("%s: pid %d ppid %d pgrp %d session %d\n", name, pid, ppid, pgrp, sid);
}

static int wait_status(pid_t pid, const char *name)
{
	int st = 0;
	pid_t r = waitpid(pid, &st, 0);
	if (r < 0) {
		printf("%s: -1 %s\n", name, errname(errno));
		return -1;
	}
	if (WIFEXITED(st))
		printf("%s: same pid %d, exited %d\n", name, r == pid, WEXITSTATUS(st));
	else
		printf("%s: same pid %d, signal %d\n", name, r == pid, WTERMSIG(st));
	fflush(stdout);
	return st;
}

/* Runs fn in a child process (a fresh one for each case: unshare(CLONE_NEWPID) is once per process). */
static void in_child(const char *name, void (*fn)(void))
{
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		fn();
		fflush(stdout);
		_exit(0);
	}
	int st;
	waitpid(c, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		printf("%s: case ended with status 0x%x\n", name, st);
	fflush(stdout);
}

static pid_t outer_parent;

static void basic(void)
{
	pid_t me = getpid();
	show("unshare_newpid", unshare(CLONE_NEWPID));
	printf("caller keeps its pid: %d\n", getpid() == me);
	show("unshare_newpid_again", unshare(CLONE_NEWPID));
	printf("ns links differ: %d\n", strcmp(link_of("/proc/self/ns/pid"), link_of("/proc/self/ns/pid_for_children")) != 0);
	outer_parent = me;
	int p[2], done[2];
	pipe(p);
	pipe(done);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		close(p[1]);
		close(done[0]);
		printf("child getpid: %d\n", getpid());
		printf("child gettid: %ld\n", syscall(SYS_gettid));
		printf("child getppid: %d\n", getppid());
		printf("child getpgrp: %d\n", getpgrp());
		printf("child getsid: %d\n", getsid(0));
		errno = 0;
		show("child kill outer parent", kill(outer_parent, 0));
		show("child getpgid outer parent", getpgid(outer_parent));
		show("child kill self 0", kill(1, 0));
		/* The init of the namespace: SIGTERM without a handler, from inside, is ignored. */
		show("child kill self SIGTERM", kill(1, SIGTERM));
		printf("child survived SIGTERM: 1\n");
		show("child setsid", setsid());
		printf("child getpgrp after setsid: %d\n", getpgrp());
		fflush(stdout);
		pid_t g = fork();
		if (g == 0) {
			printf("grandchild getpid: %d getppid: %d\n", getpid(), getppid());
			fflush(stdout);
			_exit(5);
		}
		siginfo_t si;
		memset(&si, 0, sizeof si);
		int w = waitid(P_PID, g, &si, WEXITED);
		/* Printed after the grandchild's line, which it printed before exiting. */
		printf("child fork returned: %d\n", g);
		show("child waitid", w);
		printf("child waitid si_pid: %d si_status: %d\n", si.si_pid, si.si_status);
		fflush(stdout);
		/* Done printing; wait for the parent to try to signal us. */
		write(done[1], "x", 1);
		char x;
		read(p[0], &x, 1);
		_exit(7);
	}
	close(p[0]);
	close(done[1]);
	char y;
	read(done[0], &y, 1);
	printf("parent fork returned an outer pid: %d\n", c > 1 && c != me);
	printf("pid_for_children now names the child's: %d\n",
		strcmp(link_of("/proc/self/ns/pid_for_children"), ({ char q[64]; snprintf(q, sizeof q, "/proc/%d/ns/pid", c); link_of(q); })) == 0);
	printf("parent's own ns differs from the child's: %d\n",
		strcmp(link_of("/proc/self/ns/pid"), ({ char q[64]; snprintf(q, sizeof q, "/proc/%d/ns/pid", c); link_of(q); })) != 0);
	/* From the ancestor namespace: SIGTERM (no handler) is still ignored by the init; SIGKILL is not (next case). */
	show("parent kill child SIGTERM", kill(c, SIGTERM));
	show("parent kill child 0", kill(c, 0));
	write(p[1], "x", 1);
	siginfo_t si;
	memset(&si, 0, sizeof si);
	show("parent waitid", waitid(P_PID, c, &si, WEXITED));
	printf("parent waitid si_pid is the outer pid: %d status %d\n", si.si_pid == c, si.si_status);
	fflush(stdout);
	pid_t d = fork();
	/* The init is gone: the namespace takes no one. */
	if (d < 0) {
		printf("parent second fork: -1 %s\n", errname(errno));
	} else if (d == 0) {
		_exit(0);
	} else {
		printf("parent second fork: ok\n");
		waitpid(d, NULL, 0);
	}
}

static void ancestor_kill(void)
{
	show("unshare_newpid", unshare(CLONE_NEWPID));
	int ready[2];
	pipe(ready);
	fflush(stdout);
	pid_t init = fork();
	if (init == 0) {
		close(ready[0]);
		pid_t h = fork();
		if (h == 0) {
			pause();
			_exit(0);
		}
		write(ready[1], "x", 1);
		pause();
		_exit(0);
	}
	close(ready[1]);
	/* Another child of ours in the namespace (pid 3, once the init's child has taken 2: wait for it). */
	char x;
	read(ready[0], &x, 1);
	fflush(stdout);
	int printed[2];
	pipe(printed);
	pid_t k = fork();
	if (k == 0) {
		printf("second child getpid: %d getppid: %d\n", getpid(), getppid());
		fflush(stdout);
		write(printed[1], "x", 1);
		pause();
		_exit(0);
	}
	read(printed[0], &x, 1);
	show("parent kill init SIGKILL", kill(init, SIGKILL));
	/* Linux's init waits until its namespace is empty: the other child's zombie is reaped first. */
	wait_status(k, "wait second child");
	wait_status(init, "wait init");
	fflush(stdout);
	pid_t e = fork();
	if (e == 0)
		_exit(0);
	if (e < 0)
		printf("fork after init died: -1 %s\n", errname(errno));
	else
		printf("fork after init died: ok\n");
	show("unshare_newpid_after", unshare(CLONE_NEWPID));
}

static void init_exits(void)
{
	show("unshare_newpid", unshare(CLONE_NEWPID));
	int ready[2], forked[2];
	pipe(ready);
	pipe(forked);
	fflush(stdout);
	pid_t init = fork();
	if (init == 0) {
		close(ready[0]);
		/* An orphan: our child forks a grandchild and exits; the grandchild's parent becomes us (1). */
		pid_t h = fork();
		if (h == 0) {
			pid_t i = fork();
			if (i == 0) {
				for (int n = 0; n < 2000 && getppid() != 1; n++)
					usleep(1000);
				/* Its pid and new parent, as its status. */
				_exit(getpid() * 10 + getppid());
			}
			_exit(3);
		}
		int st, st2;
		pid_t r = waitpid(h, &st, 0);
		/* Both have their pids: the parent may fork its own child now. */
		write(forked[1], "x", 1);
		pid_t r2 = waitpid(-1, &st2, 0);
		printf("init reaped child %d status %d\n", r, WEXITSTATUS(st));
		printf("init reaped orphan %d status %d (pid*10+ppid)\n", r2, WEXITSTATUS(st2));
		printf("init has no more children: %d\n", waitpid(-1, &st, WNOHANG) < 0 && errno == ECHILD);
		fflush(stdout);
		/* A child that only waits, then the init exits: the child dies by SIGKILL. */
		pid_t w = fork();
		if (w == 0) {
			pause();
			_exit(0);
		}
		write(ready[1], "x", 1);
		usleep(100000);
		_exit(9);
	}
	close(ready[1]);
	char x;
	read(forked[0], &x, 1);
	fflush(stdout);
	pid_t k = fork();
	if (k == 0) {
		signal(SIGTERM, SIG_IGN);
		pause();
		_exit(0);
	}
	read(ready[0], &x, 1);
	wait_status(k, "wait second child after init exit");
	wait_status(init, "wait init");
}

static void with_proc(void)
{
	if (unshare(CLONE_NEWNS | CLONE_NEWPID) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		printf("setup: %s\n", errname(errno));
		return;
	}
	fflush(stdout);
	pid_t init = fork();
	if (init == 0) {
		show("mount proc", mount("proc", "/proc", "proc", 0, NULL));
		setsid();
		printf("proc pids: %s\n", pid_dirs("/proc"));
		printf("self: %s\n", link_of("/proc/self"));
		printf("thread-self: %s\n", link_of("/proc/thread-self"));
		show_stat("stat of 1", "/proc/1/stat");
		static const char *keys[] = { "Pid", "PPid", "Tgid", "NStgid", "NSpid", "NSpgid", "NSsid" };
		printf("status of 1:");
		for (int i = 0; i < 7; i++)
			printf(" %s %s", keys[i], status_field("/proc", "1", keys[i]));
		printf("\n");
		int p[2], q[2];
		pipe(p);
		pipe(q);
		fflush(stdout);
		pid_t c = fork();
		if (c == 0) {
			/* A second level: its first child is pid 1 there and 3 here. */
			unshare(CLONE_NEWPID);
			fflush(stdout);
			pid_t g = fork();
			if (g == 0) {
				write(q[1], "x", 1);
				char x;
				read(p[0], &x, 1);
				_exit(0);
			}
			waitpid(g, NULL, 0);
			_exit(0);
		}
		char x;
		read(q[0], &x, 1);
		printf("proc pids with two levels: %s\n", pid_dirs("/proc"));
		printf("status of 3:");
		for (int i = 0; i < 7; i++)
			printf(" %s %s", keys[i], status_field("/proc", "3", keys[i]));
		printf("\n");
		show_stat("stat of 3", "/proc/3/stat");
		printf("3 is in another pid ns: %d\n", strcmp(link_of("/proc/3/ns/pid"), link_of("/proc/1/ns/pid")) != 0);
		printf("2's pid_for_children is 3's ns: %d\n", strcmp(link_of("/proc/2/ns/pid_for_children"), link_of("/proc/3/ns/pid")) == 0);
		char buf[256] = "";
		FILE *f = fopen("/proc/loadavg", "r");
		if (f != NULL) {
			fgets(buf, sizeof buf, f);
			fclose(f);
		}
		char *last = strrchr(buf, ' ');
		printf("loadavg last pid: %s", last ? last + 1 : "(none)\n");
		write(p[1], "x", 1);
		waitpid(c, NULL, 0);
		umount("/proc");
		_exit(0);
	}
	wait_status(init, "wait init");
}

static void thread_flag(void)
{
	long r = syscall(SYS_clone, CLONE_NEWPID | CLONE_THREAD | CLONE_SIGHAND | CLONE_VM, 0, 0, 0, 0);
	show("clone NEWPID|THREAD", r);
}

static void unprivileged(void)
{
	if (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0) {
		printf("setup: %s\n", errname(errno));
		return;
	}
	show("unprivileged unshare NEWPID", unshare(CLONE_NEWPID));
	long r = syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0);
	if (r == 0)
		_exit(0);
	show("unprivileged clone NEWPID", r);
}

/* PR_SET_CHILD_SUBREAPER: an orphan goes to the nearest subreaper ancestor, not to init; not inherited by fork. */
static void subreaper(void)
{
	show("set subreaper", prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
	pid_t me = getpid();
	fflush(stdout);
	pid_t a = fork();
	if (a == 0) {
		int v = -1;
		prctl(PR_GET_CHILD_SUBREAPER, &v, 0, 0, 0);
		pid_t b = fork();
		if (b == 0) {
			for (int n = 0; n < 2000 && getppid() != me; n++)
				usleep(1000);
			_exit(getppid() == me ? 1 : 2);
		}
		_exit(10 + v);
	}
	int st;
	waitpid(a, &st, 0);
	printf("child's subreaper flag (10+v): %d\n", WEXITSTATUS(st));
	pid_t r = waitpid(-1, &st, 0);
	printf("orphan came to the subreaper: %d status %d\n", r > 0, WEXITSTATUS(st));
}

/* clone(CLONE_NEWPID) directly: the child is pid 1; then nesting until ENOSPC. */
static int start_level(void)
{
	/* The level this process is at: one less than the ids NSpid lists (the host may itself be in a namespace). */
	const char *v = status_field("/proc", "self", "NSpid");
	int n = 1;
	for (const char *p = v; *p; p++)
		if (*p == ' ')
			n++;
	return n - 1;
}

static void nesting(void)
{
	int level = start_level();
	fflush(stdout);
	long r = syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0);
	if (r == 0) {
		printf("clone child getpid: %d getppid: %d\n", getpid(), getppid());
		fflush(stdout);
		_exit(0);
	}
	waitpid(r, NULL, 0);
	for (;;) {
		if (unshare(CLONE_NEWPID) < 0) {
			printf("nesting: level %d, then %s\n", level, errname(errno));
			return;
		}
		fflush(stdout);
		pid_t c = fork();
		if (c < 0) {
			printf("nesting: fork %s\n", errname(errno));
			return;
		}
		if (c > 0) {
			int st;
			waitpid(c, &st, 0);
			_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 1);
		}
		level++;
		if (getpid() != 1) {
			printf("nesting: getpid %d at level %d\n", getpid(), level);
			return;
		}
	}
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	in_child("basic", basic);
	in_child("ancestor_kill", ancestor_kill);
	in_child("init_exits", init_exits);
	in_child("with_proc", with_proc);
	in_child("thread_flag", thread_flag);
	in_child("unprivileged", unprivileged);
	in_child("subreaper", subreaper);
	in_child("nesting", nesting);
	printf("done\n");
	return 0;
}
