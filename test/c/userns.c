/*
 * User namespaces: unshare(CLONE_NEWUSER) and clone(CLONE_NEWUSER), the
 * /proc/PID/uid_map, gid_map and setgroups files with Linux's rules for
 * writing them (once; privileged from the parent, or only one's own id;
 * setgroups denied before an unprivileged gid map; the parsing and its
 * EINVALs; 340 lines at most; the display order), ids seen through a
 * namespace (getuid, stat, /proc/self/status), ids given through it
 * (setuid, chown: EINVAL unmapped), and capabilities that count only in
 * the namespace they are held in (files of unmapped owners, sethostname,
 * hard rlimits, mknod). Run as root in the initial namespace.
 */
#include "private_tmp.h"
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

/* write(2) of s to path: prints "name: N" (bytes) or "name: -1 ENAME". */
static long put(const char *name, const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		return show(name, -1);
	long r = write(fd, s, strlen(s));
	int e = errno;
	close(fd);
	errno = e;
	return show(name, r);
}

/* The contents of path (at most 64 KiB), or "(error ENAME)". */
static const char *get(const char *path)
{
	static char buf[65536];
	int fd = open(path, O_RDONLY);
	if (fd < 0) {
		snprintf(buf, sizeof buf, "(error %s)\n", errname(errno));
		return buf;
	}
	size_t n = 0;
	for (;;) {
		long r = read(fd, buf + n, sizeof buf - 1 - n);
		if (r <= 0)
			break;
		n += r;
	}
	buf[n] = 0;
	close(fd);
	return buf;
}

static void show_text(const char *name, const char *path)
{
	printf("%s: [%s]\n", name, get(path));
}

/* The line of /proc/self/status starting with key (its value, tabs as spaces). */
static void show_status(const char *key)
{
	const char *s = get("/proc/self/status");
	const char *p = strstr(s, key);
	char line[256] = "(none)";
	if (p != NULL) {
		size_t i = 0;
		for (p += strlen(key); *p != '\n' && *p != 0 && i + 1 < sizeof line; p++)
			line[i++] = *p == '\t' ? ' ' : *p;
		line[i] = 0;
	}
	printf("status %s%s\n", key, line);
}

static void show_ids(const char *name)
{
	printf("%s: uid %ld euid %ld gid %ld egid %ld\n", name, (long)getuid(), (long)geteuid(), (long)getgid(), (long)getegid());
}

static void show_owner(const char *name, const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		printf("%s: -1 %s\n", name, errname(errno));
	else
		printf("%s: %u:%u\n", name, st.st_uid, st.st_gid);
}

/* Waits for the child and prints how it ended. */
static void reap(const char *name, pid_t pid)
{
	int st;
	if (waitpid(pid, &st, 0) != pid)
		printf("%s: waitpid %s\n", name, errname(errno));
	else if (WIFEXITED(st))
		printf("%s: exit %d\n", name, WEXITSTATUS(st));
	else
		printf("%s: signal %d\n", name, WTERMSIG(st));
	fflush(stdout);
}

/* One byte through a pipe: a step of the dance between parent and child. */
static void signal_fd(int fd) { char c = 1; if (write(fd, &c, 1) != 1) _exit(90); }
static void wait_fd(int fd) { char c; if (read(fd, &c, 1) != 1) _exit(91); }

/* A process in a new namespace, unmapped, mapping itself: the unprivileged path. */
static void self_mapping(void)
{
	show("unshare_newuser", unshare(CLONE_NEWUSER));
	show_ids("unmapped_ids");
	show_text("unmapped_uid_map", "/proc/self/uid_map");
	show_text("unmapped_setgroups", "/proc/self/setgroups");
	show_status("CapEff:\t");
	show_status("Uid:\t");
	show_owner("unmapped_stat_root", "/");
	show("unmapped_setuid_0", setuid(0));
	show("unmapped_chown", chown("/tmp/rootfile", 0, 0));
	show("unmapped_unshare_again", unshare(CLONE_NEWUSER));

	/* Not its own id: refused; its own: taken, once. */
	put("uid_map_other_id", "/proc/self/uid_map", "0 1000 1\n");
	put("uid_map_two_ids", "/proc/self/uid_map", "0 0 2\n");
	put("uid_map_own", "/proc/self/uid_map", "0 0 1\n");
	put("uid_map_again", "/proc/self/uid_map", "0 0 1\n");
	/* An unprivileged gid map needs setgroups denied first. */
	put("gid_map_before_deny", "/proc/self/gid_map", "0 0 1\n");
	put("setgroups_bad", "/proc/self/setgroups", "maybe\n");
	put("setgroups_deny", "/proc/self/setgroups", "deny\n");
	put("gid_map_own", "/proc/self/gid_map", "0 0 1\n");
	put("setgroups_allow_after", "/proc/self/setgroups", "allow\n");
	put("setgroups_deny_after", "/proc/self/setgroups", "deny\n");
	show_text("uid_map", "/proc/self/uid_map");
	show_text("gid_map", "/proc/self/gid_map");
	show_text("setgroups", "/proc/self/setgroups");
	show_ids("mapped_ids");
	show_status("Uid:\t");
	show_status("Groups:\t");
	show("setgroups_call_denied", setgroups(0, NULL));
	show("setuid_0", setuid(0));
	show("setuid_unmapped", setuid(1));

	/* Capabilities here count here only. */
	show_owner("stat_rootfile", "/tmp/rootfile");
	show_owner("stat_otherfile", "/tmp/otherfile");
	show_ok("open_rootfile_0600", open("/tmp/rootfile", O_RDONLY));
	show("open_otherfile_0600", open("/tmp/otherfile", O_RDONLY));
	show("chown_rootfile", chown("/tmp/rootfile", 0, 0));
	show("chown_otherfile", chown("/tmp/otherfile", 0, 0));
	show("chown_to_unmapped", chown("/tmp/rootfile", 7, 0));
	show("chmod_otherfile", chmod("/tmp/otherfile", 0644));
	show("sethostname", sethostname("x", 1));
	{
		struct rlimit r;
		getrlimit(RLIMIT_NOFILE, &r);
		r.rlim_max++;
		show("raise_hard_nofile", setrlimit(RLIMIT_NOFILE, &r));
	}
	show("mknod_null", mknod("/tmp/null", S_IFCHR | 0600, makedev(1, 3)));
	{
		int fd = open("/tmp/mine", O_CREAT | O_WRONLY, 0644);
		show_ok("create_file", fd);
		close(fd);
		show_owner("stat_created", "/tmp/mine");
	}
	/* A mount namespace of its own: it may mount a tmpfs there. */
	show("unshare_newns", unshare(CLONE_NEWNS));
	show("mount_tmpfs", mount("none", "/tmp", "tmpfs", 0, NULL));
	show_owner("stat_new_tmpfs", "/tmp");
	show("umount_tmpfs", umount2("/tmp", 0));

	/* One level down, mapped to this one's root. */
	show("unshare_nested", unshare(CLONE_NEWUSER));
	show_ids("nested_ids");
	show_text("nested_uid_map", "/proc/self/uid_map");
	put("nested_uid_map_own", "/proc/self/uid_map", "5 0 1\n");
	show_text("nested_uid_map_after", "/proc/self/uid_map");
	show_ids("nested_mapped_ids");
	show_owner("nested_stat_rootfile", "/tmp/rootfile");
	fflush(stdout);
}

/* How deep namespaces nest: each level maps its root to the one above. */
static void nesting(void)
{
	int n = 0;
	for (;;) {
		if (unshare(CLONE_NEWUSER) < 0) {
			printf("nesting: %d levels, then %s\n", n, errname(errno));
			break;
		}
		n++;
		int fd = open("/proc/self/uid_map", O_WRONLY);
		if (fd < 0 || write(fd, "0 0 1\n", 6) != 6) {
			printf("nesting: map at level %d: %s\n", n, errname(errno));
			break;
		}
		close(fd);
		fd = open("/proc/self/setgroups", O_WRONLY);
		if (fd < 0 || write(fd, "deny", 4) != 4)
			printf("nesting: setgroups at level %d: %s\n", n, errname(errno));
		close(fd);
		fd = open("/proc/self/gid_map", O_WRONLY);
		if (fd < 0 || write(fd, "0 0 1\n", 6) != 6) {
			printf("nesting: gid map at level %d: %s\n", n, errname(errno));
			break;
		}
		close(fd);
	}
	fflush(stdout);
}

/* A child that unshares its user namespace, then waits for its parent (pipes in io: up, down). */
static pid_t unshared_child(int io[4])
{
	if (pipe(io) < 0 || pipe(io + 2) < 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		close(io[0]);
		close(io[3]);
		if (unshare(CLONE_NEWUSER) < 0)
			_exit(80);
		signal_fd(io[1]);
		wait_fd(io[2]);
		return 0;
	}
	close(io[1]);
	close(io[2]);
	wait_fd(io[0]);
	return pid;
}

/* The number of lines of a map file and its first and last. */
static void show_map_summary(const char *name, const char *path)
{
	const char *s = get(path);
	int lines = 0;
	for (const char *p = s; *p; p++)
		lines += *p == '\n';
	char firstline[64] = "", lastline[64] = "";
	sscanf(s, "%63[^\n]", firstline);
	const char *last = s + strlen(s);
	if (last > s)
		last--;
	while (last > s && last[-1] != '\n')
		last--;
	sscanf(last, "%63[^\n]", lastline);
	printf("%s: %d lines, [%s] ... [%s]\n", name, lines, firstline, lastline);
}

/* What map_write refuses, each leaving the map unwritten; then its limit of 340 lines. */
static void map_limits(void)
{
	int io[4];
	pid_t pid = unshared_child(io);
	if (pid == 0) {
		show_map_summary("limits_child_view", "/proc/self/uid_map");
		fflush(stdout);
		_exit(0);
	}
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/uid_map", pid);
	put("bad_two_numbers", path, "0 100000\n");
	put("bad_zero_count", path, "0 100000 0\n");
	put("bad_junk", path, "0 100000 10 x\n");
	put("bad_sign", path, "-1 100000 10\n");
	put("bad_no_id", path, "4294967295 100000 1\n");
	put("bad_wraps", path, "4294967290 100000 10\n");
	put("bad_overlap_upper", path, "0 100000 10\n5 200000 10\n");
	put("bad_overlap_lower", path, "0 100000 10\n50 100005 10\n");
	put("bad_empty_line", path, "0 100000 10\n\n");
	put("bad_empty", path, "");
	put("bad_lower_unmapped", path, "0 4294967290 10\n");
	{
		int fd = open(path, O_WRONLY);
		lseek(fd, 1, SEEK_SET);
		show("bad_offset", write(fd, "0 100000 1\n", 11));
		lseek(fd, 0, SEEK_SET);
		static char big[4096];
		memset(big, ' ', sizeof big);
		show("bad_page", write(fd, big, sizeof big));
		close(fd);
	}
	/* 341 lines are too many; 340 are taken, and shown sorted by the first id. */
	static char lines[341 * 16];
	size_t n = 0;
	for (int i = 340; i >= 0; i--)
		n += snprintf(lines + n, sizeof lines - n, "%d %d 1\n", 2 * i, 2 * i + 1);
	put("map_341_lines", path, lines);
	put("map_340_lines", path, strchr(lines, '\n') + 1);
	show_map_summary("limits_parent_view", path);
	signal_fd(io[3]);
	reap("limits_child", pid);
}

/* A child in a new namespace whose maps its privileged parent writes, as runc writes a container's. */
static void parent_mapping(void)
{
	int io[4];
	int fd = open("/tmp/five", O_CREAT | O_WRONLY, 0644);
	close(fd);
	show("chown_five", chown("/tmp/five", 100005, 100011));
	pid_t pid = unshared_child(io);
	if (pid == 0) {
		show_ids("child_ids");
		show_text("child_uid_map", "/proc/self/uid_map");
		show_text("child_gid_map", "/proc/self/gid_map");
		show_text("child_setgroups", "/proc/self/setgroups");
		show_status("Uid:\t");
		show_status("Gid:\t");
		show_status("CapEff:\t");
		/* Still the parent's root, which this namespace does not map: become its root, as runc's init does. */
		show("child_setresgid_0", setresgid(0, 0, 0));
		show("child_setresuid_0", setresuid(0, 0, 0));
		show_ids("child_root_ids");
		show_status("Uid:\t");
		show_status("CapEff:\t");
		show_owner("child_stat_five", "/tmp/five");
		show_owner("child_stat_rootfile", "/tmp/rootfile");
		show_owner("child_stat_root", "/");
		show("child_setgroups_call", setgroups(1, (gid_t[]){ 11 }));
		show_status("Groups:\t");
		show("child_setgroups_unmapped", setgroups(1, (gid_t[]){ 15 }));
		show("child_setuid_unmapped", setuid(5000));
		show("child_chown_unmapped", chown("/tmp/five", 5000, -1));
		show("child_chown_rootfile", chown("/tmp/rootfile", 0, 0));
		show("child_chown_mapped", chown("/tmp/five", 6, 8));
		show_owner("child_stat_five_after", "/tmp/five");
		int cfd = open("/tmp/fromchild", O_CREAT | O_WRONLY, 0644);
		show_ok("child_create", cfd);
		close(cfd);
		show_owner("child_stat_created", "/tmp/fromchild");
		show("child_setresuid", setresuid(7, 7, 7));
		show_ids("child_ids_after");
		show_status("CapEff:\t");
		fflush(stdout);
		_exit(0);
	}
	char path[64], gpath[64], spath[64];
	snprintf(path, sizeof path, "/proc/%d/uid_map", pid);
	snprintf(gpath, sizeof gpath, "/proc/%d/gid_map", pid);
	snprintf(spath, sizeof spath, "/proc/%d/setgroups", pid);
	put("parent_uid_map", path, "0 100000 1000\n");
	/* Privileged: no need to deny setgroups. Three lines stay in the order written. */
	put("parent_gid_map", gpath, "20 100020 5\n0 100000 10\n10 100010 3\n");
	show_text("parent_view_uid_map", path);
	show_text("parent_view_gid_map", gpath);
	show_text("parent_view_setgroups", spath);
	signal_fd(io[3]);
	reap("parent_mapping_child", pid);
	show_owner("parent_stat_five", "/tmp/five");
	show_owner("parent_stat_fromchild", "/tmp/fromchild");
}

static int child_fn(void)
{
	printf("clone_child_ids: uid %ld gid %ld\n", (long)getuid(), (long)getgid());
	show_text("clone_child_uid_map", "/proc/self/uid_map");
	fflush(stdout);
	return 0;
}

static void *idle(void *arg)
{
	(void)arg;
	pause();
	return NULL;
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (private_tmp("mode=1777") < 0)
		return 3;
	show_text("init_uid_map", "/proc/self/uid_map");
	show_text("init_gid_map", "/proc/self/gid_map");
	show_text("init_setgroups", "/proc/self/setgroups");
	put("init_uid_map_write", "/proc/self/uid_map", "0 0 1\n");
	put("init_setgroups_allow", "/proc/self/setgroups", "allow");
	put("init_setgroups_deny", "/proc/self/setgroups", "deny");

	int fd = open("/tmp/rootfile", O_CREAT | O_WRONLY, 0600);
	close(fd);
	fd = open("/tmp/otherfile", O_CREAT | O_WRONLY, 0600);
	close(fd);
	show("chown_otherfile_1234", chown("/tmp/otherfile", 1234, 1234));

	pid_t pid = fork();
	if (pid == 0) {
		self_mapping();
		_exit(0);
	}
	reap("self_mapping", pid);
	show_owner("after_self_mapping_created", "/tmp/mine");

	pid = fork();
	if (pid == 0) {
		nesting();
		_exit(0);
	}
	reap("nesting", pid);

	map_limits();
	parent_mapping();

	/* clone(CLONE_NEWUSER): the child starts unmapped; with CLONE_THREAD or CLONE_FS it is refused. */
	show("clone_newuser_thread", syscall(SYS_clone, CLONE_NEWUSER | CLONE_THREAD | CLONE_SIGHAND | CLONE_VM, 0, 0, 0, 0));
	show("clone_newuser_fs", syscall(SYS_clone, CLONE_NEWUSER | CLONE_FS | SIGCHLD, 0, 0, 0, 0));
	long c = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
	if (c == 0)
		_exit(child_fn());
	if (c < 0)
		show("clone_newuser", c);
	else
		reap("clone_newuser", (pid_t)c);

	/* A process with two threads cannot unshare its user namespace. */
	pid = fork();
	if (pid == 0) {
		pthread_t th;
		pthread_create(&th, NULL, idle, NULL);
		show("unshare_threaded", unshare(CLONE_NEWUSER));
		_exit(0);
	}
	reap("threaded", pid);
	show_ids("init_ids_after");
	printf("done\n");
	return 0;
}
