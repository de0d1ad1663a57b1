/*
 * Mount propagation (Linux's fs/pnode.c, Documentation/filesystems/
 * sharedsubtree.rst): peer groups made by binding a shared mount, mounts
 * and unmounts reaching every peer and slave at the same place, slaves
 * receiving but not sending, private and unbindable mounts, the same
 * across a copied namespace (unshare CLONE_NEWNS), and what mountinfo's
 * optional fields say (shared:N, master:N) compared between mounts, since
 * the numbers themselves differ between runs.
 */
#include "private_tmp.h"
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

static void touch(const char *p)
{
	int fd = open(p, O_CREAT | O_WRONLY, 0644);
	if (fd >= 0) close(fd);
}

static void seen(const char *name, const char *path)
{
	printf("%s: %d\n", name, access(path, F_OK) == 0);
}

/* mountinfo's optional fields of the mount at path (absolute), as "shared:N master:M", or "-". */
static int fields(const char *path, char *out, size_t n)
{
	FILE *f = fopen("/proc/self/mountinfo", "r");
	char line[4096];
	int found = 0;
	out[0] = 0;
	while (f != NULL && fgets(line, sizeof line, f) != NULL) {
		char mp[1024];
		if (sscanf(line, "%*d %*d %*s %*s %1023s", mp) != 1 || strcmp(mp, path) != 0) continue;
		/* The optional fields lie between the sixth field and " - ". */
		char *p = line;
		for (int i = 0; i < 6 && p != NULL; i++) p = strchr(p + 1, ' ');
		char *end = strstr(line, " - ");
		if (p == NULL || end == NULL) continue;
		size_t len = end > p ? (size_t)(end - p - 1) : 0;
		if (len >= n) len = n - 1;
		memcpy(out, end > p ? p + 1 : p, len);
		out[len] = 0;
		found = 1; /* the last mount at the path is the visible one */
	}
	if (f != NULL) fclose(f);
	return found;
}

/* The kind of a mount ("shared", "slave", "shared+slave", "private"), and whether two mounts are peers / one is the other's slave. */
static void kind(const char *name, const char *path)
{
	char b[256];
	if (!fields(path, b, sizeof b)) {
		printf("%s: absent\n", name);
		return;
	}
	int sh = strstr(b, "shared:") != NULL, sl = strstr(b, "master:") != NULL, ub = strstr(b, "unbindable") != NULL;
	printf("%s: %s\n", name, sh && sl ? "shared+slave" : sh ? "shared" : sl ? "slave" : ub ? "unbindable" : "private");
}

static long group(const char *path, const char *tag)
{
	char b[256];
	if (!fields(path, b, sizeof b)) return -1;
	char *p = strstr(b, tag);
	return p == NULL ? 0 : atol(p + strlen(tag));
}

static void peers(const char *name, const char *a, const char *b)
{
	long x = group(a, "shared:"), y = group(b, "shared:");
	printf("%s: %d\n", name, x > 0 && x == y);
}

static void master_of(const char *name, const char *slave, const char *shared)
{
	long x = group(slave, "master:"), y = group(shared, "shared:");
	printf("%s: %d\n", name, x > 0 && x == y);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	umask(022);
	if (private_tmp("size=8m,mode=755") < 0) return 3;
	chdir("/tmp");
	mkdir("/tmp/a", 0755);
	mkdir("/tmp/b", 0755);
	mkdir("/tmp/c", 0755);
	show("mount_a", mount("tmpfs", "/tmp/a", "tmpfs", 0, "size=1m"));
	mkdir("/tmp/a/x", 0755);
	mkdir("/tmp/a/y", 0755);
	mkdir("/tmp/a/z", 0755);
	mkdir("/tmp/a/w", 0755);
	mkdir("/tmp/a/sub", 0755);
	mkdir("/tmp/a/sub/in", 0755);
	kind("a_before", "/tmp/a");
	show("make_shared_a", mount(NULL, "/tmp/a", NULL, MS_SHARED, NULL));
	kind("a_shared", "/tmp/a");

	/* A bind of a shared mount is its peer. */
	show("bind_a_b", mount("/tmp/a", "/tmp/b", NULL, MS_BIND, NULL));
	kind("b_kind", "/tmp/b");
	peers("a_b_peers", "/tmp/a", "/tmp/b");

	/* A mount on one peer appears on the other, as a peer of its own. */
	show("mount_a_x", mount("tmpfs", "/tmp/a/x", "tmpfs", 0, "size=1m"));
	touch("/tmp/a/x/file");
	seen("b_x_file", "/tmp/b/x/file");
	kind("a_x_kind", "/tmp/a/x");
	kind("b_x_kind", "/tmp/b/x");
	peers("a_x_b_x_peers", "/tmp/a/x", "/tmp/b/x");
	show("mount_b_y", mount("tmpfs", "/tmp/b/y", "tmpfs", 0, "size=1m"));
	touch("/tmp/b/y/file");
	seen("a_y_file", "/tmp/a/y/file");

	/* An unmount on one peer goes from the other too. */
	show("umount_b_x", umount("/tmp/b/x"));
	seen("a_x_file_after_umount", "/tmp/a/x/file");
	seen("b_x_file_after_umount", "/tmp/b/x/file");

	/* A bind of a subdirectory of a shared mount is a peer too, and gets what is mounted within it. */
	show("bind_sub_c", mount("/tmp/a/sub", "/tmp/c", NULL, MS_BIND, NULL));
	peers("a_c_peers", "/tmp/a", "/tmp/c");
	show("mount_a_sub_in", mount("tmpfs", "/tmp/a/sub/in", "tmpfs", 0, "size=1m"));
	touch("/tmp/a/sub/in/file");
	seen("c_in_file", "/tmp/c/in/file");
	seen("b_sub_in_file", "/tmp/b/sub/in/file");
	show("umount_c_in", umount("/tmp/c/in"));
	seen("a_sub_in_after", "/tmp/a/sub/in/file");
	show("umount_c", umount("/tmp/c"));

	/* A slave receives from its master and sends nothing back. */
	show("make_slave_b", mount(NULL, "/tmp/b", NULL, MS_SLAVE, NULL));
	kind("b_slave", "/tmp/b");
	master_of("b_master_is_a", "/tmp/b", "/tmp/a");
	show("mount_a_z", mount("tmpfs", "/tmp/a/z", "tmpfs", 0, "size=1m"));
	touch("/tmp/a/z/file");
	seen("b_z_file", "/tmp/b/z/file");
	kind("b_z_kind", "/tmp/b/z");
	master_of("b_z_master_is_a_z", "/tmp/b/z", "/tmp/a/z");
	show("mount_b_w", mount("tmpfs", "/tmp/b/w", "tmpfs", 0, "size=1m"));
	touch("/tmp/b/w/file");
	seen("a_w_file", "/tmp/a/w/file");
	kind("b_w_kind", "/tmp/b/w");
	show("umount_b_w", umount("/tmp/b/w"));
	/* An unmount on the master reaches the slave. */
	show("umount_a_z", umount("/tmp/a/z"));
	seen("b_z_file_after", "/tmp/b/z/file");

	/* A slave that is made shared too: shared+slave; its own peers hear it, its master does not. */
	show("make_shared_b", mount(NULL, "/tmp/b", NULL, MS_SHARED, NULL));
	kind("b_shared_slave", "/tmp/b");

	/* Private: nothing comes or goes. */
	show("make_private_b", mount(NULL, "/tmp/b", NULL, MS_PRIVATE, NULL));
	kind("b_private", "/tmp/b");
	show("mount_a_w", mount("tmpfs", "/tmp/a/w", "tmpfs", 0, "size=1m"));
	touch("/tmp/a/w/file");
	seen("b_w_file_private", "/tmp/b/w/file");
	show("umount_a_w", umount("/tmp/a/w"));

	/* Unbindable: no bind of it. */
	show("make_unbindable_b", mount(NULL, "/tmp/b", NULL, MS_UNBINDABLE, NULL));
	kind("b_unbindable", "/tmp/b");
	show("bind_unbindable", mount("/tmp/b", "/tmp/c", NULL, MS_BIND, NULL));
	show("umount_b", umount("/tmp/b"));

	/* A recursive bind of a shared tree: each copy is the peer of its original. */
	show("mount_a_x_again", mount("tmpfs", "/tmp/a/x", "tmpfs", 0, "size=1m"));
	show("rbind_a_b", mount("/tmp/a", "/tmp/b", NULL, MS_BIND | MS_REC, NULL));
	peers("rbind_top_peers", "/tmp/a", "/tmp/b");
	peers("rbind_x_peers", "/tmp/a/x", "/tmp/b/x");
	/* Detaching a peer with mounts below it (MNT_DETACH) takes its whole tree, and the
	 * unmounts propagate: a's copy of x goes too, a itself stays. */
	show("umount_b_detach", umount2("/tmp/b", MNT_DETACH));
	kind("a_x_still", "/tmp/a/x");
	show("umount_a_x_again", umount("/tmp/a/x"));

	/* A copied namespace: shared mounts stay peers across it. The two
	 * processes take turns (p: child to parent, q: parent to child), so
	 * their lines come in one order. */
	int p[2], q[2];
	if (pipe(p) < 0 || pipe(q) < 0) return 3;
	char ch;
	pid_t c = fork();
	if (c == 0) {
		close(p[0]);
		close(q[1]);
		if (unshare(CLONE_NEWNS) < 0) _exit(3);
		kind("child_a", "/tmp/a");
		/* The child mounts: the parent sees it. */
		show("child_mount_a_x", mount("tmpfs", "/tmp/a/x", "tmpfs", 0, "size=1m"));
		touch("/tmp/a/x/child");
		(void)!write(p[1], "1", 1);
		(void)!read(q[0], &ch, 1);
		/* Then it becomes a slave and mounts again: the parent does not see that one. */
		show("child_make_slave", mount(NULL, "/tmp/a", NULL, MS_SLAVE, NULL));
		show("child_mount_a_y", mount("tmpfs", "/tmp/a/y", "tmpfs", 0, "size=1m"));
		touch("/tmp/a/y/child");
		(void)!write(p[1], "2", 1);
		(void)!read(q[0], &ch, 1);
		/* But it still hears the parent. */
		seen("child_sees_parent_z", "/tmp/a/z/parent");
		_exit(0);
	}
	close(p[1]);
	close(q[0]);
	(void)!read(p[0], &ch, 1);
	seen("parent_sees_child_x", "/tmp/a/x/child");
	(void)!write(q[1], "1", 1);
	(void)!read(p[0], &ch, 1);
	seen("parent_sees_child_y", "/tmp/a/y/child");
	show("parent_mount_a_z", mount("tmpfs", "/tmp/a/z", "tmpfs", 0, "size=1m"));
	touch("/tmp/a/z/parent");
	(void)!write(q[1], "2", 1);
	int st;
	waitpid(c, &st, 0);
	printf("child_status: %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	printf("done\n");
	return 0;
}
