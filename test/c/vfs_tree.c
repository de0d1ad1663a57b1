/*
 * The writable VFS on tmpfs: creating, linking, removing and renaming
 * names with their error cases, link counts, symlinks, permissions as a
 * non-root user (EACCES, the sticky bit), getcwd after a rename of a parent
 * and after rmdir of the cwd, getdents while deleting, statfs, and tmpfs
 * times.
 *
 * It runs in a private mount namespace (unshare(CLONE_NEWNS)) on a tmpfs
 * of its own mounted over /tmp, natively (as root) and under tsvisor, so
 * the two runs start from the same empty directory and the host's /tmp is
 * never touched.
 */
#include "private_tmp.h"
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <linux/fs.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE 2
#endif
#define TMPFS_MAGIC 0x01021994

static long xrenameat2(int od, const char *o, int nd, const char *n, unsigned f)
{
	return syscall(SYS_renameat2, od, o, nd, n, f);
}

static int nlink_of(const char *p)
{
	struct stat st;
	if (lstat(p, &st) < 0)
		return -errno;
	return (int)st.st_nlink;
}

static void show_nlink(const char *name, const char *p)
{
	printf("%s: %d\n", name, nlink_of(p));
}

static void show_cwd(const char *name)
{
	char buf[256];
	if (getcwd(buf, sizeof buf) == NULL)
		printf("%s: -1 %s\n", name, errname(errno));
	else
		printf("%s: %s\n", name, buf);
}

static void touch(const char *p, mode_t m)
{
	int fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, m);
	if (fd >= 0)
		close(fd);
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	if (d == NULL)
		return -errno;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		n++;
	closedir(d);
	return n;
}

static void as_nobody(const char *what, void (*fn)(void))
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		if (setgid(65534) < 0 || setuid(65534) < 0) {
			printf("%s: cannot drop privileges\n", what);
			_exit(1);
		}
		fn();
		fflush(stdout);
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	printf("%s: exit %d\n", what, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

static void nobody_checks(void)
{
	show("nobody_mkdir_in_root_dir", mkdir("/tmp/t/rootonly/x", 0755));
	show("nobody_create_in_root_dir", open("/tmp/t/rootonly/f", O_CREAT | O_WRONLY, 0644));
	show("nobody_open_0600_root_file", open("/tmp/t/secret", O_RDONLY));
	show("nobody_search_denied", open("/tmp/t/noexec/inner", O_RDONLY));
	show("nobody_mkdir_unsearchable_existing", mkdir("/tmp/t/noexec/inner", 0755));
	show("nobody_unlink_unsearchable", unlink("/tmp/t/noexec/inner"));
	show("nobody_rmdir_dotdot_unsearchable", rmdir("/tmp/t/noexec/.."));
	show("nobody_sticky_unlink_others", unlink("/tmp/t/sticky/rootfile"));
	show("nobody_sticky_rename_others", rename("/tmp/t/sticky/rootfile", "/tmp/t/sticky/mine2"));
	show("nobody_sticky_create_own", open("/tmp/t/sticky/mine", O_CREAT | O_WRONLY, 0644) >= 0);
	show("nobody_sticky_unlink_own", unlink("/tmp/t/sticky/mine"));
	show("nobody_chmod_others", chmod("/tmp/t/secret", 0777));
	show("nobody_chown_own", chown("/tmp/t/sticky", 65534, 65534));
	show("nobody_utimes_explicit_others", utimensat(AT_FDCWD, "/tmp/t/secret",
		(struct timespec[]){ { 1, 0 }, { 1, 0 } }, 0));
	show("nobody_utimes_now_others_ro", utimensat(AT_FDCWD, "/tmp/t/secret", NULL, 0));
	show("nobody_utimes_now_writable", utimensat(AT_FDCWD, "/tmp/t/shared", NULL, 0));
	show("nobody_truncate_others", truncate("/tmp/t/secret", 0));
	show("nobody_mknod_chr", mknod("/tmp/t/sticky/null", S_IFCHR | 0666, makedev(1, 3)));
	show("nobody_mount", mount("tmpfs", "/tmp/t/sticky", "tmpfs", 0, NULL));
	show("nobody_access_w", access("/tmp/t/secret", W_OK));
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	umask(022);
	if (private_tmp("size=8m,mode=755") < 0) return 3;
	struct statfs sf;
	statfs("/tmp", &sf);
	printf("statfs_magic: %d\n", sf.f_type == TMPFS_MAGIC);
	printf("statfs_blocks: %ld bsize %ld\n", (long)sf.f_blocks, (long)sf.f_bsize);
	show("mkdir_t", mkdir("/tmp/t", 0755));
	show("chdir_t", chdir("/tmp/t"));

	/* mkdir and its errors */
	show("mkdir_d", mkdir("d", 0777));
	struct stat st;
	stat("d", &st);
	printf("mkdir_mode_umask: %o\n", st.st_mode & 07777);
	show("mkdir_exists", mkdir("d", 0755));
	show("mkdir_noparent", mkdir("nope/x", 0755));
	touch("file", 0644);
	show("mkdir_under_file", mkdir("file/x", 0755));
	show("mkdir_dot", mkdir(".", 0755));
	show("mkdir_trailing", mkdir("d2/", 0755));
	char longname[300];
	memset(longname, 'a', 256);
	longname[256] = 0;
	show("mkdir_nametoolong", mkdir(longname, 0755));
	show_nlink("nlink_t_after_mkdir", ".");
	show_nlink("nlink_d", "d");
	show("mkdir_d_sub", mkdir("d/sub", 0755));
	show_nlink("nlink_d_with_sub", "d");

	/* open and creat */
	show("open_excl_exists", open("file", O_CREAT | O_EXCL | O_WRONLY, 0644));
	show("open_creat_dir", open("d", O_CREAT | O_WRONLY, 0644));
	show("open_creat_trailing", open("newf/", O_CREAT | O_WRONLY, 0644));
	show("open_dir_wr", open("d", O_WRONLY));
	show("open_directory_file", open("file", O_RDONLY | O_DIRECTORY));
	show("open_noent", open("missing", O_RDONLY));
	int fd = open("data", O_CREAT | O_RDWR | O_TRUNC, 0666);
	show("write_data", write(fd, "hello world", 11));
	fstat(fd, &st);
	printf("data_mode_size: %o %ld\n", st.st_mode & 07777, (long)st.st_size);
	close(fd);
	fd = open("data", O_WRONLY | O_APPEND);
	write(fd, "!", 1);
	close(fd);
	fd = open("data", O_RDWR | O_TRUNC);
	fstat(fd, &st);
	printf("trunc_size: %ld\n", (long)st.st_size);
	write(fd, "abc", 3);
	show("ftruncate_grow", ftruncate(fd, 10000));
	char buf[64] = { 0 };
	show("pread_hole", pread(fd, buf, 8, 4));
	printf("hole_bytes: %d%d%d\n", buf[0], buf[1], buf[5]);
	close(fd);
	stat("data", &st);
	printf("data_blocks_size: %ld %ld\n", (long)st.st_blocks, (long)st.st_size);
	show("truncate_dir", truncate("d", 0));
	show("truncate_neg", truncate("data", -1));

	/* O_TMPFILE */
	fd = open(".", O_TMPFILE | O_RDWR, 0600);
	show_ok("tmpfile", fd);
	write(fd, "tmp", 3);
	fstat(fd, &st);
	printf("tmpfile_nlink: %ld\n", (long)st.st_nlink);
	char proc_path[64];
	snprintf(proc_path, sizeof proc_path, "%d", fd);
	show("tmpfile_linkat", linkat(fd, "", AT_FDCWD, "fromtmp", AT_EMPTY_PATH));
	show_nlink("tmpfile_nlink_linked", "fromtmp");
	close(fd);
	show("tmpfile_on_file", open("file", O_TMPFILE | O_RDWR, 0600));

	/* links */
	show("link", link("file", "file2"));
	show_nlink("nlink_file_2", "file");
	show("link_exists", link("file", "file2"));
	show("link_dir", link("d", "d_link"));
	show("link_noent", link("missing", "x"));
	show("unlink_file2", unlink("file2"));
	show_nlink("nlink_file_1", "file");

	/* symlinks */
	show("symlink", symlink("file", "sl"));
	show("symlink_exists", symlink("file", "sl"));
	show("symlink_empty", symlink("", "sl2"));
	ssize_t n = readlink("sl", buf, sizeof buf);
	printf("readlink: %zd %.*s\n", n, (int)(n > 0 ? n : 0), buf);
	show("readlink_notlink", readlink("file", buf, sizeof buf));
	symlink("loop1", "loop2");
	symlink("loop2", "loop1");
	show("open_loop", open("loop1", O_RDONLY));
	show("open_nofollow", open("sl", O_RDONLY | O_NOFOLLOW));
	show("stat_dangling", stat("dangling", &st));
	symlink("target_made", "dangling");
	fd = open("dangling", O_CREAT | O_WRONLY, 0644);
	show_ok("open_creat_dangling", fd);
	close(fd);
	show("dangling_target_exists", access("target_made", F_OK));
	symlink("d", "sld");
	show("rmdir_symlink_to_dir", rmdir("sld"));
	show("unlink_symlink_trailing", unlink("sld/"));
	show("unlink_symlink", unlink("sld"));

	/* unlink and rmdir */
	show("unlink_dir", unlink("d"));
	show("unlink_noent", unlink("missing"));
	show("rmdir_notempty", rmdir("d"));
	show("rmdir_file", rmdir("file"));
	show("rmdir_dot", rmdir("."));
	show("rmdir_dotdot", rmdir("d/.."));
	show("unlink_trailing_file", unlink("file/"));
	show("rmdir_sub", rmdir("d/sub"));
	show_nlink("nlink_d_after_rmdir", "d");

	/* rename */
	touch("r1", 0644);
	touch("r2", 0644);
	show("rename_over_file", rename("r1", "r2"));
	show("rename_src_gone", access("r1", F_OK));
	mkdir("rd1", 0755);
	mkdir("rd2", 0755);
	touch("rd2/x", 0644);
	show("rename_file_over_dir", rename("r2", "rd1"));
	show("rename_dir_over_file", rename("rd1", "r2"));
	show("rename_dir_over_nonempty", rename("rd1", "rd2"));
	show("rename_dir_into_itself", rename("rd2", "rd2/inner"));
	show("rename_noreplace", xrenameat2(AT_FDCWD, "r2", AT_FDCWD, "file", RENAME_NOREPLACE));
	show("rename_exchange_file_dir", xrenameat2(AT_FDCWD, "r2", AT_FDCWD, "rd2", RENAME_EXCHANGE));
	lstat("r2", &st);
	printf("exchanged_r2_isdir: %d\n", S_ISDIR(st.st_mode));
	show("exchanged_rd2_x", access("r2/x", F_OK));
	show("rename_exchange_noent", xrenameat2(AT_FDCWD, "r2", AT_FDCWD, "nothere", RENAME_EXCHANGE));
	show("rename_bad_flags", xrenameat2(AT_FDCWD, "r2", AT_FDCWD, "rd2", RENAME_EXCHANGE | RENAME_NOREPLACE));
	show("rename_dir_over_empty_dir", rename("r2", "rd1"));
	show_nlink("nlink_t_before_move", ".");
	show("rename_dir_into_d", rename("rd1", "d/rd1"));
	show_nlink("nlink_t_after_move", ".");
	show_nlink("nlink_d_after_move", "d");
	show("rename_same_file", rename("file", "file"));
	link("file", "hl");
	show("rename_hardlinks", rename("file", "hl"));
	show("rename_hardlinks_both_remain", access("file", F_OK) == 0 && access("hl", F_OK) == 0);
	show("rename_dot", rename(".", "x"));
	show("rename_trailing_file", rename("hl/", "hl2"));

	/* getcwd after a rename of a parent and after rmdir of the cwd */
	mkdir("p", 0755);
	mkdir("p/q", 0755);
	chdir("p/q");
	show_cwd("cwd_before");
	rename("/tmp/t/p", "/tmp/t/p2");
	show_cwd("cwd_after_parent_rename");
	show("rmdir_cwd", rmdir("/tmp/t/p2/q"));
	show_cwd("cwd_after_rmdir");
	show("create_in_removed_cwd", open("x", O_CREAT | O_WRONLY, 0644));
	show("mkdir_in_removed_cwd", mkdir("x", 0755));
	show("stat_dot_removed", stat(".", &st));
	printf("removed_dir_nlink: %ld\n", (long)st.st_nlink);
	show("dotdot_from_removed", stat("..", &st));
	chdir("/tmp/t");

	/* getdents while deleting */
	mkdir("many", 0755);
	for (int i = 0; i < 500; i++) {
		char p[64];
		snprintf(p, sizeof p, "many/f%03d", i);
		touch(p, 0644);
	}
	printf("many_count: %d\n", count_entries("many"));
	stat("many", &st);
	printf("many_dir_size: %ld\n", (long)st.st_size);
	DIR *dir = opendir("many");
	int seen = 0, removed = 0;
	struct dirent *e;
	while ((e = readdir(dir)) != NULL) {
		seen++;
		if (e->d_name[0] == 'f') {
			char p[300];
			snprintf(p, sizeof p, "many/%s", e->d_name);
			if (unlink(p) == 0)
				removed++;
		}
	}
	closedir(dir);
	printf("getdents_deleting: seen %d removed %d left %d\n", seen, removed, count_entries("many"));
	show("rmdir_many", rmdir("many"));

	/* special files */
	show("mkfifo", mkfifo("fifo", 0644));
	lstat("fifo", &st);
	printf("fifo_type: %d\n", S_ISFIFO(st.st_mode));
	fd = open("fifo", O_RDONLY | O_NONBLOCK);
	show_ok("fifo_open_nonblock_reader", fd);
	int wfd = open("fifo", O_WRONLY | O_NONBLOCK);
	show_ok("fifo_open_writer", wfd);
	write(wfd, "pipe", 4);
	memset(buf, 0, sizeof buf);
	show("fifo_read", read(fd, buf, sizeof buf));
	printf("fifo_data: %s\n", buf);
	close(fd);
	close(wfd);
	show("fifo_writer_no_reader", open("fifo", O_WRONLY | O_NONBLOCK));
	show("mknod_null", mknod("null", S_IFCHR | 0666, makedev(1, 3)));
	fd = open("null", O_RDWR);
	show("null_write", write(fd, "xx", 2));
	show("null_read", read(fd, buf, 4));
	close(fd);
	show("mknod_sock", mknod("sock", S_IFSOCK | 0644, 0));
	show("open_sock", open("sock", O_RDONLY));
	show("mknod_dir", mknod("dirnode", S_IFDIR | 0755, 0));
	show("mknod_reg", mknod("regnode", S_IFREG | 0644, 0));
	show("mknod_bad_type", mknod("bad", 0170000 | 0644, 0));

	/* chmod, chown, setgid directories */
	show("chmod", chmod("regnode", 04755));
	stat("regnode", &st);
	printf("chmod_mode: %o\n", st.st_mode & 07777);
	show("chown", chown("regnode", 1000, 1000));
	stat("regnode", &st);
	printf("chown_clears_suid: %o %d %d\n", st.st_mode & 07777, st.st_uid, st.st_gid);
	mkdir("sgid", 0755);
	chown("sgid", 0, 1234);
	chmod("sgid", 02775);
	mkdir("sgid/child", 0755);
	touch("sgid/f", 0644);
	stat("sgid/child", &st);
	printf("sgid_child_dir: %o gid %d\n", st.st_mode & 07777, st.st_gid);
	stat("sgid/f", &st);
	printf("sgid_child_file: gid %d\n", st.st_gid);

	/* times */
	struct timespec ts[2] = { { 1000, 5 }, { 2000, 7 } };
	show("utimensat", utimensat(AT_FDCWD, "regnode", ts, 0));
	stat("regnode", &st);
	printf("times: %ld.%ld %ld.%ld\n", (long)st.st_atim.tv_sec, st.st_atim.tv_nsec, (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	struct timespec omit[2] = { { 0, UTIME_OMIT }, { 3000, 0 } };
	utimensat(AT_FDCWD, "regnode", omit, 0);
	stat("regnode", &st);
	printf("times_omit: %ld %ld\n", (long)st.st_atim.tv_sec, (long)st.st_mtim.tv_sec);
	show("utimensat_bad_nsec", utimensat(AT_FDCWD, "regnode", (struct timespec[]){ { 0, 2000000000 }, { 0, 0 } }, 0));
	struct stat a, b;
	stat(".", &a);
	usleep(20000);
	touch("newfile", 0644);
	stat(".", &b);
	printf("dir_mtime_advances: %d\n", b.st_mtim.tv_sec * 1000000000L + b.st_mtim.tv_nsec > a.st_mtim.tv_sec * 1000000000L + a.st_mtim.tv_nsec);
	stat("newfile", &a);
	usleep(20000);
	chmod("newfile", 0600);
	stat("newfile", &b);
	printf("chmod_ctime_only: %d %d\n", b.st_mtim.tv_nsec == a.st_mtim.tv_nsec && b.st_mtim.tv_sec == a.st_mtim.tv_sec,
		b.st_ctim.tv_sec * 1000000000L + b.st_ctim.tv_nsec > a.st_ctim.tv_sec * 1000000000L + a.st_ctim.tv_nsec);

	/* xattrs */
	show("setxattr", setxattr("newfile", "user.k", "v1", 2, XATTR_CREATE));
	show("setxattr_create_exists", setxattr("newfile", "user.k", "v2", 2, XATTR_CREATE));
	show("setxattr_replace_missing", setxattr("newfile", "user.none", "v", 1, XATTR_REPLACE));
	memset(buf, 0, sizeof buf);
	show("getxattr", getxattr("newfile", "user.k", buf, sizeof buf));
	printf("getxattr_value: %s\n", buf);
	show("getxattr_size", getxattr("newfile", "user.k", NULL, 0));
	show("getxattr_range", getxattr("newfile", "user.k", buf, 1));
	show("getxattr_missing", getxattr("newfile", "user.none", buf, sizeof buf));
	show("listxattr", listxattr("newfile", buf, sizeof buf));
	show("removexattr", removexattr("newfile", "user.k"));
	show("removexattr_again", removexattr("newfile", "user.k"));
	show("setxattr_user_on_fifo", setxattr("fifo", "user.k", "v", 1, 0));

	/* as another user */
	mkdir("rootonly", 0755);
	touch("secret", 0600);
	touch("shared", 0666);
	chmod("shared", 0666);
	mkdir("noexec", 0700);
	touch("noexec/inner", 0644);
	mkdir("sticky", 01777);
	chmod("sticky", 01777);
	touch("sticky/rootfile", 0644);
	chmod("sticky/rootfile", 0666);
	as_nobody("nobody", nobody_checks);

	/* statfs counts move with use */
	statfs("/tmp", &sf);
	long before = (long)sf.f_bfree;
	fd = open("big", O_CREAT | O_WRONLY, 0644);
	static char chunk[65536];
	memset(chunk, 'x', sizeof chunk);
	write(fd, chunk, sizeof chunk);
	close(fd);
	statfs("/tmp", &sf);
	printf("statfs_bfree_drop: %ld\n", before - (long)sf.f_bfree);
	unlink("big");
	statfs("/tmp", &sf);
	printf("statfs_bfree_back: %ld\n", before - (long)sf.f_bfree);

	/* statx: a birth time on tmpfs, and mount ids that tell mounts apart */
	struct statx sx, sr;
	show("statx", statx(AT_FDCWD, "newfile", 0, STATX_ALL, &sx));
	statx(AT_FDCWD, "/", 0, STATX_ALL, &sr);
	printf("statx_btime_mntid: %d %d %d\n", !!(sx.stx_mask & STATX_BTIME), !!(sx.stx_mask & STATX_MNT_ID),
		sx.stx_mnt_id != sr.stx_mnt_id);
	printf("statx_btime_not_after_ctime: %d\n", sx.stx_btime.tv_sec <= sx.stx_ctime.tv_sec);
	printf("done\n");
	return 0;
}
