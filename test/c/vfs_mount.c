/*
 * mount(2) and friends on tmpfs, in a private mount namespace: new
 * instances with options (size=, nr_inodes=, mode=, uid=, gid=) and their
 * limits (ENOSPC), EXDEV across mounts, umount2 (EBUSY, MNT_DETACH,
 * EINVAL), mounts hiding what is below them, bind mounts (MS_REC), remount
 * read-only (EROFS) for the instance and for one bind, noexec and nodev,
 * propagation flags, chroot and pivot_root in children of their own.
 * Natively it runs as root in the same private namespace, on a tmpfs over
 * /tmp, so both runs start from the same empty tree.
 */
#include "private_tmp.h"
#include <fcntl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <signal.h>

static void touch(const char *p)
{
	int fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	if (fd >= 0)
		close(fd);
}

static void show_cwd(const char *name)
{
	char buf[256];
	if (getcwd(buf, sizeof buf) == NULL)
		printf("%s: -1 %s\n", name, errname(errno));
	else
		printf("%s: %s\n", name, buf);
}

static int in_child(const char *what, void (*fn)(void))
{
	int st = fork_run(fn);
	printf("%s: exit %d\n", what, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	return 0;
}

static void chroot_child(void)
{
	chdir("/tmp/jail/sub");
	show("chroot", chroot("/tmp/jail"));
	show_cwd("chroot_cwd_inside");
	show("chroot_chdir_root", chdir("/"));
	show_cwd("chroot_cwd_root");
	show("chroot_dotdot_stays", chdir("../../.."));
	show_cwd("chroot_cwd_after_dotdot");
	show("chroot_sees_marker", access("/marker", F_OK));
	show("chroot_symlink_abs", access("/abs", F_OK));
	chdir("/tmp");
	show("chroot_outside_file_hidden", access("/tmp/t", F_OK));
}

static void pivot_child(void)
{
	if (unshare(CLONE_NEWNS) < 0) {
		printf("pivot_unshare: %s\n", errname(errno));
		return;
	}
	mkdir("/tmp/newroot", 0755);
	show("pivot_mount", mount("tmpfs", "/tmp/newroot", "tmpfs", 0, "size=64k"));
	mkdir("/tmp/newroot/old", 0755);
	touch("/tmp/newroot/inside");
	show("pivot_not_mountpoint", syscall(SYS_pivot_root, "/tmp/t", "/tmp/t"));
	show("pivot_root", syscall(SYS_pivot_root, "/tmp/newroot", "/tmp/newroot/old"));
	show("pivot_chdir", chdir("/"));
	show("pivot_sees_inside", access("/inside", F_OK));
	show("pivot_old_root_below", access("/old/tmp/t/marker_pivot", F_OK));
	show("pivot_umount_old_busy", umount2("/old", 0));
	show("pivot_umount_old_detach", umount2("/old", MNT_DETACH));
	show("pivot_old_gone", access("/old/tmp", F_OK));
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	umask(022);
	if (private_tmp("size=8m,mode=755") < 0) return 3;
	mkdir("/tmp/t", 0755);
	chdir("/tmp/t");
	touch("/tmp/t/marker_pivot");

	/* new instances and their options */
	mkdir("m", 0755);
	touch("m/hidden");
	show("mount_bad_option", mount("tmpfs", "m", "tmpfs", 0, "bogus=1"));
	show("mount_bad_mode", mount("tmpfs", "m", "tmpfs", 0, "mode=abc"));
	show("mount_unknown_type", mount("x", "m", "nosuchfs", 0, NULL));
	show("mount_on_file", mount("tmpfs", "m/hidden", "tmpfs", 0, NULL));
	show("mount_noent", mount("tmpfs", "nothere", "tmpfs", 0, NULL));
	show("mount_small", mount("tmpfs", "m", "tmpfs", 0, "size=64k,nr_inodes=8,mode=0710,uid=123,gid=456"));
	struct stat st;
	stat("m", &st);
	printf("mount_root_attrs: %o %d %d nlink %ld\n", st.st_mode & 07777, st.st_uid, st.st_gid, (long)st.st_nlink);
	show("mount_hides", access("m/hidden", F_OK));
	struct statfs sf;
	statfs("m", &sf);
	printf("statfs_small: blocks %ld bfree %ld files %ld ffree %ld\n", (long)sf.f_blocks, (long)sf.f_bfree,
		(long)sf.f_files, (long)sf.f_ffree);
	struct stat st_t;
	stat(".", &st_t);
	printf("distinct_dev: %d\n", st.st_dev != st_t.st_dev);

	/* ENOSPC at size= */
	static char chunk[100000];
	memset(chunk, 'z', sizeof chunk);
	int fd = open("m/fill", O_CREAT | O_WRONLY, 0644);
	show("fill_write_short", write(fd, chunk, sizeof chunk));
	show("fill_write_full", write(fd, chunk, 10));
	statfs("m", &sf);
	printf("fill_bfree: %ld\n", (long)sf.f_bfree);
	show("fill_fallocate", fallocate(fd, 0, 0, 1 << 20));
	close(fd);
	show("fill_unlink", unlink("m/fill"));
	statfs("m", &sf);
	printf("fill_bfree_after: %ld\n", (long)sf.f_bfree);
	fd = open("m/falloc", O_CREAT | O_RDWR, 0644);
	show("fallocate_ok", fallocate(fd, 0, 0, 16384));
	fstat(fd, &st);
	printf("fallocate_size_blocks: %ld %ld\n", (long)st.st_size, (long)st.st_blocks);
	show("fallocate_keep", fallocate(fd, FALLOC_FL_KEEP_SIZE, 16384, 8192));
	fstat(fd, &st);
	printf("fallocate_keep_size_blocks: %ld %ld\n", (long)st.st_size, (long)st.st_blocks);
	show("fallocate_punch", fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 8192));
	fstat(fd, &st);
	printf("fallocate_punch_blocks: %ld %ld\n", (long)st.st_size, (long)st.st_blocks);
	close(fd);
	unlink("m/falloc");

	/* ENOSPC at nr_inodes= (the root is one of them) */
	int made = 0;
	for (int i = 0; i < 20; i++) {
		char p[32];
		snprintf(p, sizeof p, "m/i%d", i);
		fd = open(p, O_CREAT | O_WRONLY, 0644);
		if (fd < 0) {
			printf("inodes_full_after: %d %s\n", made, errname(errno));
			break;
		}
		close(fd);
		made++;
	}
	show("inodes_mkdir_full", mkdir("m/dir", 0755));
	show("inodes_symlink_full", symlink("x", "m/sl"));
	unlink("m/i0");
	show("inodes_after_unlink", mkdir("m/dir", 0755));

	/* EXDEV across mounts */
	touch("outer");
	show("rename_exdev", rename("outer", "m/outer"));
	show("link_exdev", link("outer", "m/outer"));
	show("rename_mountpoint", rename("m", "m2"));
	show("rmdir_mountpoint", rmdir("m"));

	/* umount2 */
	show("umount_not_mountpoint", umount2("/tmp/t", 0));
	show("umount_noent", umount2("/tmp/t/nothere", 0));
	show("umount_bad_flags", umount2("m", 0x100));
	chdir("m");
	show("umount_busy_cwd", umount2("/tmp/t/m", 0));
	chdir("/tmp/t");
	fd = open("m/i1", O_RDONLY);
	show("umount_busy_fd", umount2("m", 0));
	close(fd);
	show("umount_expire_first", umount2("m", MNT_EXPIRE));
	show("umount", umount2("m", 0));
	show("umount_uncovers", access("m/hidden", F_OK));
	show("umount_again", umount2("m", 0));

	/* MNT_DETACH with an open file */
	mount("tmpfs", "m", "tmpfs", 0, "size=64k");
	fd = open("m/keep", O_CREAT | O_RDWR, 0644);
	write(fd, "kept", 4);
	show("umount_detach", umount2("m", MNT_DETACH));
	char buf[16] = { 0 };
	show("detached_pread", pread(fd, buf, 4, 0));
	printf("detached_data: %s\n", buf);
	show("detached_path_gone", access("m/keep", F_OK));
	close(fd);

	/* stacked mounts */
	mount("tmpfs", "m", "tmpfs", 0, "size=64k");
	touch("m/lower");
	mount("tmpfs", "m", "tmpfs", 0, "size=64k");
	show("stacked_top_empty", access("m/lower", F_OK));
	umount2("m", 0);
	show("stacked_lower_back", access("m/lower", F_OK));
	umount2("m", 0);

	/* bind mounts */
	mkdir("src", 0755);
	mkdir("src/sub", 0755);
	touch("src/f");
	mkdir("dst", 0755);
	mount("tmpfs", "src/sub", "tmpfs", 0, "size=64k");
	touch("src/sub/insub");
	show("bind", mount("src", "dst", NULL, MS_BIND, NULL));
	show("bind_sees_file", access("dst/f", F_OK));
	show("bind_no_submounts", access("dst/sub/insub", F_OK));
	show("rmdir_mountpoint_via_bind", rmdir("dst/sub"));
	show("rename_mountpoint_via_bind", rename("dst/sub", "dst/sub2"));
	struct stat a, b;
	stat("src/f", &a);
	stat("dst/f", &b);
	printf("bind_same_inode: %d\n", a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	touch("dst/new");
	show("bind_write_seen", access("src/new", F_OK));
	show("rename_across_binds", rename("dst/new", "src/new2"));
	umount2("dst", 0);
	show("rbind", mount("src", "dst", NULL, MS_BIND | MS_REC, NULL));
	show("rbind_submount", access("dst/sub/insub", F_OK));
	show("umount_rbind_busy", umount2("dst", 0));
	umount2("dst", MNT_DETACH);
	show("bind_file", mount("src/f", "outer", NULL, MS_BIND, NULL));
	show("bind_file_on_dir", mount("src/f", "dst", NULL, MS_BIND, NULL));
	umount2("outer", 0);

	/* read-only remounts */
	mount("tmpfs", "m", "tmpfs", 0, "size=64k");
	touch("m/w");
	show("remount_ro", mount(NULL, "m", NULL, MS_REMOUNT | MS_RDONLY, NULL));
	show("ro_create", open("m/x", O_CREAT | O_WRONLY, 0644));
	show("ro_open_write", open("m/w", O_WRONLY));
	show("ro_mkdir_exists", mkdir("m/w", 0755));
	show("ro_unlink", unlink("m/w"));
	show("ro_chmod", chmod("m/w", 0600));
	show("ro_utimes", utimensat(AT_FDCWD, "m/w", NULL, 0));
	show("ro_read_ok", open("m/w", O_RDONLY) >= 0);
	show("ro_access_w", access("m/w", W_OK));
	statfs("m", &sf);
	printf("ro_statfs_flag: %d\n", (int)(sf.f_flags & 1));
	show("remount_not_mountpoint", mount(NULL, "src", NULL, MS_REMOUNT, NULL));
	show("remount_rw", mount(NULL, "m", NULL, MS_REMOUNT, "size=128k"));
	statfs("m", &sf);
	printf("remount_size: %ld\n", (long)sf.f_blocks);
	show("rw_create", open("m/x", O_CREAT | O_WRONLY, 0644) >= 0);
	mount("m", "dst", NULL, MS_BIND, NULL);
	show("bind_remount_ro", mount(NULL, "dst", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL));
	show("bind_ro_create", open("dst/y", O_CREAT | O_WRONLY, 0644));
	show("bind_rw_through_other", open("m/y", O_CREAT | O_WRONLY, 0644) >= 0);
	umount2("dst", 0);
	umount2("m", MNT_DETACH);

	/* noexec, nodev */
	mount("tmpfs", "m", "tmpfs", MS_NOEXEC | MS_NODEV, "size=64k");
	fd = open("m/script", O_CREAT | O_WRONLY, 0755);
	write(fd, "#!/bin/sh\nexit 0\n", 17);
	close(fd);
	show("noexec_access_x", access("m/script", X_OK));
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		execl("m/script", "script", (char *)NULL);
		printf("noexec_exec: -1 %s\n", errname(errno));
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	fd = open("m/script", O_RDONLY);
	void *p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	printf("noexec_mmap_exec: %s\n", p == MAP_FAILED ? errname(errno) : "mapped");
	p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	printf("noexec_mmap_read: %s\n", p == MAP_FAILED ? errname(errno) : "mapped");
	close(fd);
	show("nodev_mknod", mknod("m/null", S_IFCHR | 0666, makedev(1, 3)));
	show("nodev_open", open("m/null", O_RDWR));
	statfs("m", &sf);
	printf("noexec_nodev_flags: %d %d\n", (int)!!(sf.f_flags & 8), (int)!!(sf.f_flags & 4));
	umount2("m", 0);

	/* propagation */
	mount("tmpfs", "m", "tmpfs", 0, "size=64k");
	show("make_shared", mount(NULL, "m", NULL, MS_SHARED, NULL));
	show("make_slave", mount(NULL, "m", NULL, MS_SLAVE, NULL));
	show("make_private_rec", mount(NULL, "m", NULL, MS_PRIVATE | MS_REC, NULL));
	show("make_unbindable", mount(NULL, "m", NULL, MS_UNBINDABLE, NULL));
	show("bind_unbindable", mount("m", "dst", NULL, MS_BIND, NULL));
	show("make_two_kinds", mount(NULL, "m", NULL, MS_SHARED | MS_PRIVATE, NULL));
	show("make_not_mountpoint", mount(NULL, "src", NULL, MS_PRIVATE, NULL));
	umount2("m", 0);

	/* MS_MOVE */
	mount("tmpfs", "m", "tmpfs", 0, "size=64k");
	touch("m/moved");
	show("move", mount("m", "dst", NULL, MS_MOVE, NULL));
	show("move_seen", access("dst/moved", F_OK));
	show("move_gone", access("m/moved", F_OK));
	umount2("dst", 0);

	/* atime policies: relatime (the default), strictatime, noatime */
	const char *policies[] = { "relatime", "strictatime", "noatime" };
	unsigned long pflags[] = { 0, MS_STRICTATIME, MS_NOATIME };
	for (int i = 0; i < 3; i++) {
		mount("tmpfs", "m", "tmpfs", pflags[i], "size=64k");
		fd = open("m/a", O_CREAT | O_RDWR, 0644);
		write(fd, "data", 4);
		struct timespec old[2] = { { 1000, 0 }, { 2000, 0 } };
		futimens(fd, old);
		/* Apart from ctime by more than a clock tick: relatime compares atime with it. */
		usleep(30000);
		char c;
		pread(fd, &c, 1, 0);
		fstat(fd, &st);
		int first = st.st_atim.tv_sec != 1000;
		struct timespec a1 = st.st_atim;
		usleep(30000);
		pread(fd, &c, 1, 0);
		fstat(fd, &st);
		int second = st.st_atim.tv_sec != a1.tv_sec || st.st_atim.tv_nsec != a1.tv_nsec;
		printf("atime_%s: first_read %d second_read %d\n", policies[i], first, second);
		close(fd);
		umount2("m", 0);
	}

	/* a child's own namespace */
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		if (unshare(CLONE_NEWNS) == 0 && mount("tmpfs", "/tmp/t/m", "tmpfs", 0, "size=4k") == 0)
			touch("/tmp/t/m/child_only");
		printf("child_ns_sees_own: %d\n", access("/tmp/t/m/child_only", F_OK) == 0);
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	show("parent_ns_unchanged", access("/tmp/t/m/child_only", F_OK));
	show("unshare_bad_flag", unshare(0x80000000U >> 0 | 1));
	fflush(stdout);
	long cr = syscall(SYS_clone, CLONE_NEWNS | SIGCHLD, 0, 0, 0, 0);
	if (cr == 0) {
		if (mount("tmpfs", "/tmp/t/m", "tmpfs", 0, "size=4k") == 0)
			touch("/tmp/t/m/clone_only");
		printf("clone_newns_child_sees_own: %d\n", access("/tmp/t/m/clone_only", F_OK) == 0);
		fflush(stdout);
		_exit(0);
	}
	waitpid(cr, NULL, 0);
	printf("clone_newns: %d\n", cr > 0);
	show("clone_newns_parent_unchanged", access("/tmp/t/m/clone_only", F_OK));
	show("clone_newns_fs", syscall(SYS_clone, CLONE_NEWNS | CLONE_FS | SIGCHLD, 0, 0, 0, 0));

	/* chroot and pivot_root */
	mkdir("/tmp/jail", 0755);
	mkdir("/tmp/jail/sub", 0755);
	touch("/tmp/jail/marker");
	symlink("/marker", "/tmp/jail/abs");
	in_child("chroot_child", chroot_child);
	in_child("pivot_child", pivot_child);
	show("pivot_left_parent_alone", access("/tmp/t/marker_pivot", F_OK));
	printf("done\n");
	return 0;
}
