/*
 * Calls that change the file tree, on a read-only root: creat, openat2,
 * mkdir/mkdirat, mknod/mknodat, symlink/symlinkat, link/linkat,
 * unlink/unlinkat, rmdir, rename/renameat/renameat2, chmod/fchmod/fchmodat,
 * chown/lchown/fchown/fchownat, truncate, utime/utimes/futimesat/utimensat,
 * the extended attribute calls (get/list/set/remove, path, l and f
 * variants), statfs/fstatfs, and the old getdents.
 *
 * tsvisor's root file system is read-only, so natively this program must run
 * on a read-only root too (the harness's nativeReadOnlyRoot option runs it
 * through rolaunch.c). It checks that first (access(W_OK) on /, /etc, /usr
 * and /var must fail with EROFS) and refuses to go on (exit 3) if it could
 * change anything: every call below that could succeed on a
 * writable root only ever names paths on the root file system. /dev, /proc
 * and /sys are only read, or named as the target of a cross-device
 * rename/link, which fails with EXDEV before anything is looked up there.
 *
 * Each tree-changing call is run over one table of paths (new name, file,
 * directory, symlink, missing parent, file used as a directory, "", bad
 * pointer, too long, trailing slash, "/", "." and "..", relative) and, for
 * the *at() calls, a table of directory descriptors, so Linux's order of
 * checks (ENOENT, ENOTDIR, EEXIST, EISDIR ... before or after EROFS) is
 * compared call by call. Lines are "call(case): result"; descriptors that
 * a call opens are closed and shown as 0.
 */
#include "common.h"
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <utime.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/vfs.h>
#include <sys/xattr.h>

#ifndef ST_VALID
#define ST_VALID 0x0020 /* f_flags support is implemented (Linux always sets it) */
#endif

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#define RENAME_EXCHANGE (1 << 1)
#define RENAME_WHITEOUT (1 << 2)
#endif

struct how {
	uint64_t flags, mode, resolve;
};

#define NEWNAME "tsvisor-fsmod-new"
#define NEW "/" NEWNAME
#define NEW2 "/etc/tsvisor-fsmod-new2"

static char longname[NAME_MAX + 10]; /* "/bbbb...": one component too long */
static char longpath[PATH_MAX + 100]; /* "/aaaa...": the whole path too long */
static char buf[65536];

static const struct {
	const char *label;
	const char *path;
} paths[] = {
	{ "new", NEW },
	{ "new_in_etc", NEW2 },
	{ "file", "/etc/passwd" },
	{ "dir", "/etc" },
	{ "symlink_to_dir", "/bin" },
	{ "missing_parent", "/nonexistent-tsvisor/x" },
	{ "file_as_dir", "/etc/passwd/x" },
	{ "file_slash", "/etc/passwd/" },
	{ "new_slash", NEW "/" },
	{ "dir_slash", "/etc/" },
	{ "empty", "" },
	{ "efault", BADPTR1 },
	{ "name_too_long", longname },
	{ "path_too_long", longpath },
	{ "root", "/" },
	{ "dot", "/etc/." },
	{ "dotdot", "/etc/.." },
	{ "relative_file", "etc/passwd" },
	{ "relative_new", NEWNAME },
};
#define NPATHS ((int)(sizeof paths / sizeof paths[0]))

/* Descriptors for the *at() tables, opened in main. */
static long etcfd, filefd, pathfd, pipefds[2];

/* Close a descriptor a call returned and report success as 0. */
static long opened(long r)
{
	if (r >= 0) {
		SYS(SYS_close, r);
		return 0;
	}
	return r;
}

static void line(const char *call, const char *label, long r)
{
	char name[128];
	snprintf(name, sizeof name, "%s(%s)", call, label);
	show(name, r);
}

/* ---- one path ------------------------------------------------------- */

typedef long (*pathcall)(long dirfd, const char *p);

#define PC(fn, expr) static long fn(long d, const char *p) { (void)d; return (expr); }
PC(c_creat, opened(SYS(SYS_creat, p, 0644)))
PC(c_mkdir, SYS(SYS_mkdir, p, 0755))
PC(c_mkdirat, SYS(SYS_mkdirat, d, p, 0755))
PC(c_mknod_reg, SYS(SYS_mknod, p, S_IFREG | 0644, 0))
PC(c_mknod_fifo, SYS(SYS_mknod, p, S_IFIFO | 0644, 0))
PC(c_mknodat_chr, SYS(SYS_mknodat, d, p, S_IFCHR | 0600, makedev(1, 3)))
PC(c_symlink, SYS(SYS_symlink, "target", p))
PC(c_symlinkat, SYS(SYS_symlinkat, "target", d, p))
PC(c_link_to, SYS(SYS_link, "/etc/passwd", p))
PC(c_link_from, SYS(SYS_link, p, NEW))
PC(c_linkat_to, SYS(SYS_linkat, AT_FDCWD, "/etc/passwd", d, p, 0))
PC(c_linkat_from, SYS(SYS_linkat, d, p, AT_FDCWD, NEW, 0))
PC(c_linkat_from_follow, SYS(SYS_linkat, d, p, AT_FDCWD, NEW, AT_SYMLINK_FOLLOW))
PC(c_unlink, SYS(SYS_unlink, p))
PC(c_unlinkat, SYS(SYS_unlinkat, d, p, 0))
PC(c_unlinkat_dir, SYS(SYS_unlinkat, d, p, AT_REMOVEDIR))
PC(c_rmdir, SYS(SYS_rmdir, p))
PC(c_rename_from, SYS(SYS_rename, p, NEW2))
PC(c_rename_to, SYS(SYS_rename, "/etc/passwd", p))
PC(c_renameat_from, SYS(SYS_renameat, d, p, AT_FDCWD, NEW2))
PC(c_renameat_to, SYS(SYS_renameat, AT_FDCWD, "/etc/passwd", d, p))
PC(c_renameat2_noreplace, SYS(SYS_renameat2, AT_FDCWD, "/etc/passwd", d, p, RENAME_NOREPLACE))
PC(c_renameat2_exchange, SYS(SYS_renameat2, d, p, AT_FDCWD, "/etc/group", RENAME_EXCHANGE))
PC(c_chmod, SYS(SYS_chmod, p, 0644))
PC(c_fchmodat, SYS(SYS_fchmodat, d, p, 0644))
PC(c_chown, SYS(SYS_chown, p, 0, 0))
PC(c_chown_keep, SYS(SYS_chown, p, -1, -1))
PC(c_lchown, SYS(SYS_lchown, p, 0, 0))
PC(c_fchownat, SYS(SYS_fchownat, d, p, 0, 0, 0))
PC(c_fchownat_nofollow, SYS(SYS_fchownat, d, p, -1, -1, AT_SYMLINK_NOFOLLOW))
PC(c_truncate, SYS(SYS_truncate, p, 0))
PC(c_utime, SYS(SYS_utime, p, NULL))
PC(c_utimes, SYS(SYS_utimes, p, NULL))
PC(c_futimesat, SYS(SYS_futimesat, d, p, NULL))
PC(c_utimensat, SYS(SYS_utimensat, d, p, NULL, 0))
PC(c_utimensat_nofollow, SYS(SYS_utimensat, d, p, NULL, AT_SYMLINK_NOFOLLOW))
PC(c_openat2_rdonly, opened(SYS(SYS_openat2, d, p, &((struct how){ O_RDONLY, 0, 0 }), sizeof(struct how))))
PC(c_openat2_creat, opened(SYS(SYS_openat2, d, p, &((struct how){ O_CREAT | O_WRONLY, 0644, 0 }), sizeof(struct how))))
PC(c_openat2_excl, opened(SYS(SYS_openat2, d, p, &((struct how){ O_CREAT | O_EXCL | O_RDWR, 0600, 0 }), sizeof(struct how))))
PC(c_openat2_wronly, opened(SYS(SYS_openat2, d, p, &((struct how){ O_WRONLY, 0, 0 }), sizeof(struct how))))
PC(c_openat2_trunc, opened(SYS(SYS_openat2, d, p, &((struct how){ O_RDONLY | O_TRUNC, 0, 0 }), sizeof(struct how))))
PC(c_openat2_dir, opened(SYS(SYS_openat2, d, p, &((struct how){ O_RDONLY | O_DIRECTORY, 0, 0 }), sizeof(struct how))))
PC(c_openat2_tmpfile, opened(SYS(SYS_openat2, d, p, &((struct how){ O_TMPFILE | O_RDWR, 0600, 0 }), sizeof(struct how))))
PC(c_openat2_path_nofollow, opened(SYS(SYS_openat2, d, p, &((struct how){ O_PATH | O_NOFOLLOW, 0, 0 }), sizeof(struct how))))
PC(c_getxattr, SYS(SYS_getxattr, p, "user.tsvisor", buf, sizeof buf))
PC(c_lgetxattr, SYS(SYS_lgetxattr, p, "user.tsvisor", buf, sizeof buf))
PC(c_listxattr, SYS(SYS_listxattr, p, buf, sizeof buf))
PC(c_llistxattr, SYS(SYS_llistxattr, p, buf, sizeof buf))
PC(c_setxattr, SYS(SYS_setxattr, p, "user.tsvisor", "v", 1, 0))
PC(c_lsetxattr, SYS(SYS_lsetxattr, p, "user.tsvisor", "v", 1, 0))
PC(c_removexattr, SYS(SYS_removexattr, p, "user.tsvisor"))
PC(c_lremovexattr, SYS(SYS_lremovexattr, p, "user.tsvisor"))
PC(c_statfs, SYS(SYS_statfs, p, buf))

static const struct {
	const char *name;
	pathcall fn;
	int at; /* takes a directory descriptor */
} calls[] = {
	{ "creat", c_creat, 0 },
	{ "mkdir", c_mkdir, 0 },
	{ "mkdirat", c_mkdirat, 1 },
	{ "mknod_reg", c_mknod_reg, 0 },
	{ "mknod_fifo", c_mknod_fifo, 0 },
	{ "mknodat_chr", c_mknodat_chr, 1 },
	{ "symlink", c_symlink, 0 },
	{ "symlinkat", c_symlinkat, 1 },
	{ "link_to", c_link_to, 0 },
	{ "link_from", c_link_from, 0 },
	{ "linkat_to", c_linkat_to, 1 },
	{ "linkat_from", c_linkat_from, 1 },
	{ "linkat_from_follow", c_linkat_from_follow, 1 },
	{ "unlink", c_unlink, 0 },
	{ "unlinkat", c_unlinkat, 1 },
	{ "unlinkat_dir", c_unlinkat_dir, 1 },
	{ "rmdir", c_rmdir, 0 },
	{ "rename_from", c_rename_from, 0 },
	{ "rename_to", c_rename_to, 0 },
	{ "renameat_from", c_renameat_from, 1 },
	{ "renameat_to", c_renameat_to, 1 },
	{ "renameat2_noreplace", c_renameat2_noreplace, 1 },
	{ "renameat2_exchange", c_renameat2_exchange, 1 },
	{ "chmod", c_chmod, 0 },
	{ "fchmodat", c_fchmodat, 1 },
	{ "chown", c_chown, 0 },
	{ "chown_keep", c_chown_keep, 0 },
	{ "lchown", c_lchown, 0 },
	{ "fchownat", c_fchownat, 1 },
	{ "fchownat_nofollow", c_fchownat_nofollow, 1 },
	{ "truncate", c_truncate, 0 },
	{ "utime", c_utime, 0 },
	{ "utimes", c_utimes, 0 },
	{ "futimesat", c_futimesat, 1 },
	{ "utimensat", c_utimensat, 1 },
	{ "utimensat_nofollow", c_utimensat_nofollow, 1 },
	{ "openat2_rdonly", c_openat2_rdonly, 1 },
	{ "openat2_creat", c_openat2_creat, 1 },
	{ "openat2_excl", c_openat2_excl, 1 },
	{ "openat2_wronly", c_openat2_wronly, 1 },
	{ "openat2_trunc", c_openat2_trunc, 1 },
	{ "openat2_dir", c_openat2_dir, 1 },
	{ "openat2_tmpfile", c_openat2_tmpfile, 1 },
	{ "openat2_path_nofollow", c_openat2_path_nofollow, 1 },
	{ "getxattr", c_getxattr, 0 },
	{ "lgetxattr", c_lgetxattr, 0 },
	{ "listxattr", c_listxattr, 0 },
	{ "llistxattr", c_llistxattr, 0 },
	{ "setxattr", c_setxattr, 0 },
	{ "lsetxattr", c_lsetxattr, 0 },
	{ "removexattr", c_removexattr, 0 },
	{ "lremovexattr", c_lremovexattr, 0 },
	{ "statfs", c_statfs, 0 },
};
#define NCALLS ((int)(sizeof calls / sizeof calls[0]))

/* Every call over every path (AT_FDCWD for the *at calls), then every *at
 * call over the directory descriptor table. */
static void matrix(void)
{
	const struct {
		const char *label;
		long *fd;
		long fixed;
		const char *path;
	} dirs[] = {
		{ "etcfd_file", &etcfd, 0, "passwd" },
		{ "etcfd_new", &etcfd, 0, NEWNAME },
		{ "etcfd_dotdot", &etcfd, 0, "../etc/passwd" },
		{ "etcfd_empty", &etcfd, 0, "" },
		{ "opath_etcfd_file", &pathfd, 0, "passwd" },
		{ "opath_etcfd_new", &pathfd, 0, NEWNAME },
		{ "filefd_rel", &filefd, 0, "x" },
		{ "filefd_empty", &filefd, 0, "" },
		{ "pipefd_rel", &pipefds[0], 0, "x" },
		{ "badfd_rel", NULL, 9999, "x" },
		{ "negfd_rel", NULL, -5, "x" },
		{ "badfd_abs_file", NULL, 9999, "/etc/passwd" },
		{ "badfd_abs_new", NULL, 9999, NEW },
		{ "cwd_rel_file", NULL, AT_FDCWD, "etc/passwd" },
	};
	for (int c = 0; c < NCALLS; c++) {
		for (int i = 0; i < NPATHS; i++)
			line(calls[c].name, paths[i].label, calls[c].fn(AT_FDCWD, paths[i].path));
		if (!calls[c].at)
			continue;
		for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
			line(calls[c].name, dirs[i].label,
			     calls[c].fn(dirs[i].fd ? *dirs[i].fd : dirs[i].fixed, dirs[i].path));
	}
}

/* ---- per-call cases beyond the tables ------------------------------- */

static void modes_and_flags(void)
{
	/* mknod: the file type is checked before the path */
	show("mknod_dir_type", SYS(SYS_mknod, NEW, S_IFDIR | 0755, 0));
	show("mknod_dir_type_existing", SYS(SYS_mknod, "/etc/passwd", S_IFDIR | 0755, 0));
	show("mknod_dir_type_missing", SYS(SYS_mknod, "/nonexistent-tsvisor/x", S_IFDIR | 0755, 0));
	show("mknod_bad_type", SYS(SYS_mknod, NEW, 0170000 | 0644, 0));
	show("mknod_lnk_type", SYS(SYS_mknod, NEW, S_IFLNK | 0644, 0));
	show("mknod_no_type", SYS(SYS_mknod, NEW, 0644, 0));
	show("mknod_sock", SYS(SYS_mknod, NEW, S_IFSOCK | 0644, 0));
	show("mknod_blk", SYS(SYS_mknod, NEW, S_IFBLK | 0600, makedev(7, 0)));
	show("mknod_chr_existing", SYS(SYS_mknod, "/etc/passwd", S_IFCHR | 0600, makedev(1, 3)));
	show("mknodat_fifo_etcfd", SYS(SYS_mknodat, etcfd, NEWNAME, S_IFIFO | 0600, 0));
	show("mknodat_bad_type_badfd", SYS(SYS_mknodat, 9999, "x", 0170000, 0));
	show("mkdir_mode_high_bits", SYS(SYS_mkdir, NEW, 0177777));

	/* symlink: the target is only stored, but must be a valid string */
	show("symlink_target_empty", SYS(SYS_symlink, "", NEW));
	show("symlink_target_efault", SYS(SYS_symlink, BADPTR1, NEW));
	show("symlink_target_too_long", SYS(SYS_symlink, longpath, NEW));
	show("symlink_target_empty_existing", SYS(SYS_symlink, "", "/etc/passwd"));
	show("symlinkat_target_empty_badfd", SYS(SYS_symlinkat, "", 9999, "x"));

	/* link / linkat */
	show("link_dir", SYS(SYS_link, "/etc", NEW));
	show("link_existing_both", SYS(SYS_link, "/etc/passwd", "/etc/group"));
	show("link_to_dev_exdev", SYS(SYS_link, "/etc/passwd", "/dev/tsvisor-fsmod-new"));
	show("link_missing_to_dev", SYS(SYS_link, "/nonexistent-tsvisor", "/dev/tsvisor-fsmod-new"));
	show("linkat_bad_flags", SYS(SYS_linkat, AT_FDCWD, "/etc/passwd", AT_FDCWD, NEW, 0x1));
	show("linkat_bad_flags_missing", SYS(SYS_linkat, AT_FDCWD, "/nonexistent-tsvisor", AT_FDCWD, NEW, 0x1));
	show("linkat_empty_path_fd", SYS(SYS_linkat, filefd, "", AT_FDCWD, NEW, AT_EMPTY_PATH));
	show("linkat_empty_path_dirfd", SYS(SYS_linkat, etcfd, "", AT_FDCWD, NEW, AT_EMPTY_PATH));
	show("linkat_empty_path_opath", SYS(SYS_linkat, pathfd, "", AT_FDCWD, NEW, AT_EMPTY_PATH));
	show("linkat_empty_path_badfd", SYS(SYS_linkat, 9999, "", AT_FDCWD, NEW, AT_EMPTY_PATH));
	show("linkat_empty_path_pipe", SYS(SYS_linkat, pipefds[0], "", AT_FDCWD, NEW, AT_EMPTY_PATH));
	show("linkat_empty_no_flag", SYS(SYS_linkat, filefd, "", AT_FDCWD, NEW, 0));
	show("linkat_symlink_nofollow", SYS(SYS_linkat, AT_FDCWD, "/bin", AT_FDCWD, NEW, 0));

	/* unlinkat / rmdir */
	show("unlinkat_bad_flags", SYS(SYS_unlinkat, AT_FDCWD, "/etc/passwd", 0x1));
	show("unlinkat_bad_flags_missing", SYS(SYS_unlinkat, AT_FDCWD, "/nonexistent-tsvisor/x", 0x1));
	show("unlinkat_removedir_and_more", SYS(SYS_unlinkat, AT_FDCWD, "/etc", AT_REMOVEDIR | 0x1));
	show("unlink_missing_leaf", SYS(SYS_unlink, "/etc/nonexistent-tsvisor"));
	show("rmdir_missing_leaf", SYS(SYS_rmdir, "/etc/nonexistent-tsvisor"));
	show("rmdir_nonempty", SYS(SYS_rmdir, "/usr"));
	show("rmdir_trailing_dot", SYS(SYS_rmdir, "/etc/."));
	show("rmdir_trailing_dotdot", SYS(SYS_rmdir, "/usr/share/.."));

	/* rename family */
	show("rename_to_dev_exdev", SYS(SYS_rename, "/etc/passwd", "/dev/tsvisor-fsmod-new"));
	show("rename_from_dev_exdev", SYS(SYS_rename, "/dev/null", NEW));
	show("rename_missing_to_dev", SYS(SYS_rename, "/nonexistent-tsvisor", "/dev/tsvisor-fsmod-new"));
	show("rename_dir_into_itself", SYS(SYS_rename, "/usr", "/usr/share/tsvisor-fsmod-new"));
	show("rename_same", SYS(SYS_rename, "/etc/passwd", "/etc/passwd"));
	show("rename_file_over_dir", SYS(SYS_rename, "/etc/passwd", "/usr"));
	show("rename_dir_over_file", SYS(SYS_rename, "/usr", "/etc/passwd"));
	show("renameat2_flags_0", SYS(SYS_renameat2, AT_FDCWD, "/etc/passwd", AT_FDCWD, NEW, 0));
	show("renameat2_whiteout", SYS(SYS_renameat2, AT_FDCWD, "/etc/passwd", AT_FDCWD, NEW, RENAME_WHITEOUT));
	show("renameat2_noreplace_exchange",
	     SYS(SYS_renameat2, AT_FDCWD, "/etc/passwd", AT_FDCWD, "/etc/group", RENAME_NOREPLACE | RENAME_EXCHANGE));
	show("renameat2_whiteout_exchange",
	     SYS(SYS_renameat2, AT_FDCWD, "/etc/passwd", AT_FDCWD, "/etc/group", RENAME_WHITEOUT | RENAME_EXCHANGE));
	show("renameat2_unknown_flag", SYS(SYS_renameat2, AT_FDCWD, "/etc/passwd", AT_FDCWD, NEW, 8));
	show("renameat2_unknown_flag_missing",
	     SYS(SYS_renameat2, AT_FDCWD, "/nonexistent-tsvisor/x", AT_FDCWD, NEW, 8));
	show("renameat2_exchange_missing_target",
	     SYS(SYS_renameat2, AT_FDCWD, "/etc/passwd", AT_FDCWD, NEW, RENAME_EXCHANGE));
	show("renameat2_noreplace_existing",
	     SYS(SYS_renameat2, AT_FDCWD, "/etc/passwd", AT_FDCWD, "/etc/group", RENAME_NOREPLACE));
	show("renameat_badfd_both", SYS(SYS_renameat, 9999, "a", 9998, "b"));
	show("renameat_etcfd_rel", SYS(SYS_renameat, etcfd, "passwd", etcfd, "group"));

	/* chmod / fchmodat / fchmod */
	show("chmod_same_mode", SYS(SYS_chmod, "/etc/passwd", 0644));
	show("chmod_all_bits", SYS(SYS_chmod, "/etc/passwd", 07777));
	show("chmod_type_bits", SYS(SYS_chmod, "/etc/passwd", 0177777));
	show("fchmodat_etcfd", SYS(SYS_fchmodat, etcfd, "passwd", 0644));
	show("fchmod_file", SYS(SYS_fchmod, filefd, 0644));
	show("fchmod_dir", SYS(SYS_fchmod, etcfd, 0755));
	show("fchmod_opath", SYS(SYS_fchmod, pathfd, 0755));
	show("fchmod_badfd", SYS(SYS_fchmod, 9999, 0644));
	show("fchmod_negfd", SYS(SYS_fchmod, -1, 0644));
	show("fchmod_pipe", SYS(SYS_fchmod, pipefds[0], 0600));

	/* chown family */
	show("chown_other_ids", SYS(SYS_chown, "/etc/passwd", 12345, 12345));
	show("lchown_keep", SYS(SYS_lchown, "/bin", -1, -1));
	show("fchownat_bad_flags", SYS(SYS_fchownat, AT_FDCWD, "/etc/passwd", 0, 0, 0x1));
	show("fchownat_bad_flags_missing", SYS(SYS_fchownat, AT_FDCWD, "/nonexistent-tsvisor", 0, 0, 0x1));
	show("fchownat_empty_path_fd", SYS(SYS_fchownat, filefd, "", 0, 0, AT_EMPTY_PATH));
	show("fchownat_empty_path_opath", SYS(SYS_fchownat, pathfd, "", 0, 0, AT_EMPTY_PATH));
	show("fchownat_empty_path_pipe", SYS(SYS_fchownat, pipefds[0], "", -1, -1, AT_EMPTY_PATH));
	show("fchownat_empty_path_badfd", SYS(SYS_fchownat, 9999, "", 0, 0, AT_EMPTY_PATH));
	show("fchownat_empty_path_cwd", SYS(SYS_fchownat, AT_FDCWD, "", 0, 0, AT_EMPTY_PATH));
	show("fchown_file", SYS(SYS_fchown, filefd, 0, 0));
	show("fchown_file_keep", SYS(SYS_fchown, filefd, -1, -1));
	show("fchown_dir", SYS(SYS_fchown, etcfd, 0, 0));
	show("fchown_opath", SYS(SYS_fchown, pathfd, 0, 0));
	show("fchown_badfd", SYS(SYS_fchown, 9999, 0, 0));
	show("fchown_pipe_keep", SYS(SYS_fchown, pipefds[1], -1, -1));

	/* truncate */
	show("truncate_negative", SYS(SYS_truncate, "/etc/passwd", -1));
	show("truncate_negative_missing", SYS(SYS_truncate, "/nonexistent-tsvisor", -1));
	show("truncate_huge", SYS(SYS_truncate, "/etc/passwd", 1L << 62));
	show("truncate_grow", SYS(SYS_truncate, "/etc/passwd", 1 << 20));
	show("truncate_dev_null", SYS(SYS_truncate, "/dev/null", 0));
	show("truncate_symlink_to_file", SYS(SYS_truncate, "/etc/os-release", 0));

	/* utime family */
	{
		struct utimbuf ub = { 1000000000, 1000000000 };
		struct timeval tv[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
		struct timeval tvbad[2] = { { 0, 1000000 }, { 0, 0 } };
		struct timeval tvneg[2] = { { 0, -1 }, { 0, 0 } };
		struct timespec ts[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
		struct timespec tsnow[2] = { { 0, UTIME_NOW }, { 0, UTIME_NOW } };
		struct timespec tsomit[2] = { { 0, UTIME_OMIT }, { 0, UTIME_OMIT } };
		struct timespec tsmixed[2] = { { 0, UTIME_OMIT }, { 5, 0 } };
		struct timespec tsbad[2] = { { 0, 1000000000 }, { 0, 0 } };
		struct timespec tsneg[2] = { { 0, -1 }, { 0, 0 } };
		show("utime_times", SYS(SYS_utime, "/etc/passwd", &ub));
		show("utime_times_efault", SYS(SYS_utime, "/etc/passwd", BADPTR1));
		show("utime_times_efault_missing", SYS(SYS_utime, "/nonexistent-tsvisor", BADPTR1));
		show("utimes_times", SYS(SYS_utimes, "/etc/passwd", tv));
		show("utimes_usec_too_big", SYS(SYS_utimes, "/etc/passwd", tvbad));
		show("utimes_usec_negative", SYS(SYS_utimes, "/etc/passwd", tvneg));
		show("utimes_usec_bad_missing", SYS(SYS_utimes, "/nonexistent-tsvisor", tvbad));
		show("utimes_times_efault", SYS(SYS_utimes, "/etc/passwd", BADPTR1));
		show("futimesat_fd_null_path", SYS(SYS_futimesat, filefd, NULL, NULL));
		show("futimesat_dirfd_null_path", SYS(SYS_futimesat, etcfd, NULL, NULL));
		show("futimesat_badfd_null_path", SYS(SYS_futimesat, 9999, NULL, NULL));
		show("futimesat_cwd_null_path", SYS(SYS_futimesat, AT_FDCWD, NULL, NULL));
		show("futimesat_pipe_null_path", SYS(SYS_futimesat, pipefds[0], NULL, NULL));
		show("futimesat_times", SYS(SYS_futimesat, etcfd, "passwd", tv));
		show("futimesat_usec_bad", SYS(SYS_futimesat, etcfd, "passwd", tvbad));
		show("utimensat_times", SYS(SYS_utimensat, AT_FDCWD, "/etc/passwd", ts, 0));
		show("utimensat_now", SYS(SYS_utimensat, AT_FDCWD, "/etc/passwd", tsnow, 0));
		show("utimensat_omit", SYS(SYS_utimensat, AT_FDCWD, "/etc/passwd", tsomit, 0));
		show("utimensat_omit_missing", SYS(SYS_utimensat, AT_FDCWD, "/nonexistent-tsvisor", tsomit, 0));
		show("utimensat_omit_badfd", SYS(SYS_utimensat, 9999, "x", tsomit, 0));
		show("utimensat_mixed", SYS(SYS_utimensat, AT_FDCWD, "/etc/passwd", tsmixed, 0));
		show("utimensat_nsec_too_big", SYS(SYS_utimensat, AT_FDCWD, "/etc/passwd", tsbad, 0));
		show("utimensat_nsec_negative", SYS(SYS_utimensat, AT_FDCWD, "/etc/passwd", tsneg, 0));
		show("utimensat_nsec_bad_missing", SYS(SYS_utimensat, AT_FDCWD, "/nonexistent-tsvisor", tsbad, 0));
		show("utimensat_times_efault", SYS(SYS_utimensat, AT_FDCWD, "/etc/passwd", BADPTR1, 0));
		show("utimensat_bad_flags", SYS(SYS_utimensat, AT_FDCWD, "/etc/passwd", NULL, 0x1));
		show("utimensat_bad_flags_missing", SYS(SYS_utimensat, AT_FDCWD, "/nonexistent-tsvisor", NULL, 0x1));
		show("utimensat_fd_null_path", SYS(SYS_utimensat, filefd, NULL, NULL, 0));
		show("utimensat_dirfd_null_path", SYS(SYS_utimensat, etcfd, NULL, NULL, 0));
		show("utimensat_opath_null_path", SYS(SYS_utimensat, pathfd, NULL, NULL, 0));
		show("utimensat_badfd_null_path", SYS(SYS_utimensat, 9999, NULL, NULL, 0));
		show("utimensat_cwd_null_path", SYS(SYS_utimensat, AT_FDCWD, NULL, NULL, 0));
		show("utimensat_fd_null_path_nofollow", SYS(SYS_utimensat, filefd, NULL, NULL, AT_SYMLINK_NOFOLLOW));
		show("utimensat_pipe_null_path", SYS(SYS_utimensat, pipefds[0], NULL, NULL, 0));
		show("utimensat_pipe_null_path_omit", SYS(SYS_utimensat, pipefds[0], NULL, tsomit, 0));
		show("utimensat_empty_path_fd", SYS(SYS_utimensat, filefd, "", NULL, AT_EMPTY_PATH));
		show("utimensat_empty_path_no_flag", SYS(SYS_utimensat, filefd, "", NULL, 0));
	}
}

static void openat2_cases(void)
{
	struct how h = { O_RDONLY, 0, 0 };
	struct {
		struct how h;
		uint64_t extra;
	} big = { { O_RDONLY, 0, 0 }, 0 };
	static char page[8192];

	show("openat2_ok", opened(SYS(SYS_openat2, AT_FDCWD, "/etc/passwd", &h, sizeof h)));
	show("openat2_size_0", SYS(SYS_openat2, AT_FDCWD, "/etc/passwd", &h, 0));
	show("openat2_size_23", SYS(SYS_openat2, AT_FDCWD, "/etc/passwd", &h, 23));
	show("openat2_size_32_zero_tail", opened(SYS(SYS_openat2, AT_FDCWD, "/etc/passwd", &big, sizeof big)));
	big.extra = 1;
	show("openat2_size_32_nonzero_tail", opened(SYS(SYS_openat2, AT_FDCWD, "/etc/passwd", &big, sizeof big)));
	memcpy(page, &h, sizeof h);
	show("openat2_size_page", opened(SYS(SYS_openat2, AT_FDCWD, "/etc/passwd", page, 4096)));
	show("openat2_size_page_plus_1", opened(SYS(SYS_openat2, AT_FDCWD, "/etc/passwd", page, 4097)));
	show("openat2_how_efault", SYS(SYS_openat2, AT_FDCWD, "/etc/passwd", BADPTR1, sizeof h));
	show("openat2_how_null", SYS(SYS_openat2, AT_FDCWD, "/etc/passwd", NULL, sizeof h));
	show("openat2_how_efault_size_0", SYS(SYS_openat2, AT_FDCWD, "/etc/passwd", BADPTR1, 0));
	show("openat2_path_efault", SYS(SYS_openat2, AT_FDCWD, BADPTR1, &h, sizeof h));
#define HOW(name, fl, md, rs, path) do { \
		struct how x_ = { (fl), (md), (rs) }; \
		show(name, opened(SYS(SYS_openat2, AT_FDCWD, path, &x_, sizeof x_))); \
	} while (0)
	HOW("openat2_flags_high32", (1ULL << 32) | O_RDONLY, 0, 0, "/etc/passwd");
	HOW("openat2_flags_unknown_bit", 0x40000000, 0, 0, "/etc/passwd");
	HOW("openat2_mode_without_creat", O_RDONLY, 0644, 0, "/etc/passwd");
	HOW("openat2_mode_too_big", O_CREAT | O_WRONLY, 010000, 0, NEW);
	HOW("openat2_mode_too_big_existing", O_CREAT | O_RDONLY, 010000, 0, "/etc/passwd");
	HOW("openat2_creat_existing_rdonly", O_CREAT | O_RDONLY, 0644, 0, "/etc/passwd");
	HOW("openat2_creat_existing_dir", O_CREAT | O_RDONLY, 0644, 0, "/etc");
	HOW("openat2_creat_directory", O_CREAT | O_DIRECTORY | O_RDONLY, 0644, 0, NEW);
	HOW("openat2_resolve_unknown_bit", O_RDONLY, 0, 1ULL << 40, "/etc/passwd");
	HOW("openat2_path_rdwr", O_PATH | O_RDWR, 0, 0, "/etc/passwd");
	HOW("openat2_path_cloexec", O_PATH | O_CLOEXEC, 0, 0, "/etc/passwd");
	HOW("openat2_path_directory", O_PATH | O_DIRECTORY, 0, 0, "/etc");
	HOW("openat2_tmpfile_rdonly", O_TMPFILE | O_RDONLY, 0600, 0, "/var");
	HOW("openat2_tmpfile_tmp", O_TMPFILE | O_RDWR, 0600, 0, "/var");
	HOW("openat2_rdwr_dir", O_RDWR, 0, 0, "/etc");
	HOW("openat2_nofollow_symlink", O_RDONLY | O_NOFOLLOW, 0, 0, "/bin");
	HOW("openat2_nofollow_dir_slash", O_RDONLY | O_NOFOLLOW, 0, 0, "/bin/");
	HOW("openat2_append_rdonly", O_RDONLY | O_APPEND, 0, 0, "/etc/passwd");
	HOW("openat2_dev_null_rdwr", O_RDWR, 0, 0, "/dev/null");
	HOW("openat2_dev_null_creat", O_CREAT | O_WRONLY, 0644, 0, "/dev/null");
	HOW("openat2_dev_null_creat_excl", O_CREAT | O_EXCL | O_WRONLY, 0644, 0, "/dev/null");
#undef HOW
	{
		/* openat2 really opens: read through the descriptor */
		long fd = SYS(SYS_openat2, etcfd, "passwd", &h, sizeof h);
		char a[64], b[64];
		show_bool("openat2_etcfd_ok", fd >= 0);
		long n1 = SYS(SYS_read, fd, a, sizeof a);
		long n2 = SYS(SYS_pread64, filefd, b, sizeof b, 0);
		show_bool("openat2_reads_passwd", n1 > 0 && n1 == n2 && memcmp(a, b, n1) == 0);
		show("openat2_fd_cloexec_clear", SYS(SYS_fcntl, fd, F_GETFD));
		SYS(SYS_close, fd);
		struct how hc = { O_RDONLY | O_CLOEXEC, 0, 0 };
		fd = SYS(SYS_openat2, AT_FDCWD, "/etc/passwd", &hc, sizeof hc);
		show("openat2_fd_cloexec_set", SYS(SYS_fcntl, fd, F_GETFD));
		SYS(SYS_close, fd);
	}
	/* creat gives a write-only descriptor where it can: /dev/null */
	{
		long fd = SYS(SYS_creat, "/dev/null", 0644);
		show_bool("creat_dev_null_ok", fd >= 0);
		show("creat_dev_null_flags", SYS(SYS_fcntl, fd, F_GETFL) & (O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND));
		show("creat_dev_null_write", SYS(SYS_write, fd, "x", 1));
		show("creat_dev_null_read", SYS(SYS_read, fd, buf, 1));
		SYS(SYS_close, fd);
	}
	show("creat_mode_high_bits", SYS(SYS_creat, NEW, 0177777));
}

static void xattrs(void)
{
	static char name256[300];
	memset(name256, 'n', 260);
	memcpy(name256, "user.", 5);
	name256[256] = 0; /* 256 characters: one more than XATTR_NAME_MAX */
	static char name255[300];
	memset(name255, 'n', 255);
	memcpy(name255, "user.", 5);
	name255[255] = 0;

	const struct {
		const char *label;
		const char *name;
	} names[] = {
		{ "user", "user.tsvisor" },
		{ "trusted", "trusted.tsvisor" },
		{ "security", "security.tsvisor" },
		{ "acl", "system.posix_acl_access" },
		{ "system_other", "system.tsvisor" },
		{ "no_namespace", "tsvisor" },
		{ "empty_suffix", "user." },
		{ "empty", "" },
		{ "max_len", name255 },
		{ "too_long", name256 },
		{ "efault", BADPTR1 },
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		const char *n = names[i].name;
		line("getxattr_name", names[i].label, SYS(SYS_getxattr, "/etc/passwd", n, buf, sizeof buf));
		line("getxattr_dir_name", names[i].label, SYS(SYS_getxattr, "/etc", n, buf, sizeof buf));
		line("lgetxattr_symlink_name", names[i].label, SYS(SYS_lgetxattr, "/bin", n, buf, sizeof buf));
		line("fgetxattr_name", names[i].label, SYS(SYS_fgetxattr, filefd, n, buf, sizeof buf));
		line("fgetxattr_pipe_name", names[i].label, SYS(SYS_fgetxattr, pipefds[0], n, buf, sizeof buf));
		/* no fsetxattr/fremovexattr on pipes: tsvisor documents ENOTSUP
		 * there (Linux: EPERM for user.*, EOPNOTSUPP for the rest) */
		line("setxattr_name", names[i].label, SYS(SYS_setxattr, "/etc/passwd", n, "v", 1, 0));
		line("lsetxattr_symlink_name", names[i].label, SYS(SYS_lsetxattr, "/bin", n, "v", 1, 0));
		line("fsetxattr_name", names[i].label, SYS(SYS_fsetxattr, filefd, n, "v", 1, 0));
		line("removexattr_name", names[i].label, SYS(SYS_removexattr, "/etc/passwd", n));
		line("lremovexattr_symlink_name", names[i].label, SYS(SYS_lremovexattr, "/bin", n));
		line("fremovexattr_name", names[i].label, SYS(SYS_fremovexattr, filefd, n));
	}

	/* descriptors */
	const struct {
		const char *label;
		long fd;
		int pipe;
	} fds[] = {
		{ "file", filefd, 0 },
		{ "dir", etcfd, 0 },
		{ "opath", pathfd, 0 },
		{ "pipe_read", pipefds[0], 1 },
		{ "pipe_write", pipefds[1], 1 },
		{ "badfd", 9999, 0 },
		{ "negfd", -1, 0 },
	};
	for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++) {
		long fd = fds[i].fd;
		line("fgetxattr_fd", fds[i].label, SYS(SYS_fgetxattr, fd, "user.tsvisor", buf, sizeof buf));
		line("flistxattr_fd", fds[i].label, SYS(SYS_flistxattr, fd, buf, sizeof buf));
		line("flistxattr_fd_size0", fds[i].label, SYS(SYS_flistxattr, fd, NULL, 0));
		if (fds[i].pipe)
			continue; /* set/remove on a pipe: ENOTSUP, a documented limitation */
		line("fsetxattr_fd", fds[i].label, SYS(SYS_fsetxattr, fd, "user.tsvisor", "v", 1, 0));
		line("fremovexattr_fd", fds[i].label, SYS(SYS_fremovexattr, fd, "user.tsvisor"));
	}

	/* sizes, buffers and flags */
	show("getxattr_size0", SYS(SYS_getxattr, "/etc/passwd", "user.tsvisor", NULL, 0));
	show("getxattr_buf_efault", SYS(SYS_getxattr, "/etc/passwd", "user.tsvisor", BADPTR1, 16));
	show("getxattr_size_huge", SYS(SYS_getxattr, "/etc/passwd", "user.tsvisor", buf, 1L << 40));
	show("getxattr_symlink_follows", SYS(SYS_getxattr, "/bin", "user.tsvisor", buf, sizeof buf));
	show("listxattr_size0", SYS(SYS_listxattr, "/etc/passwd", NULL, 0));
	show("listxattr_size1", SYS(SYS_listxattr, "/etc/passwd", buf, 1));
	show("listxattr_buf_efault", SYS(SYS_listxattr, "/etc/passwd", BADPTR1, 16));
	show("listxattr_size_huge", SYS(SYS_listxattr, "/etc/passwd", buf, 1L << 40));
	show("llistxattr_symlink", SYS(SYS_llistxattr, "/bin", buf, sizeof buf));
	show("listxattr_dev_null", SYS(SYS_listxattr, "/dev/null", buf, sizeof buf));
	show("getxattr_dev_null", SYS(SYS_getxattr, "/dev/null", "user.tsvisor", buf, sizeof buf));
	show("flistxattr_buf_efault", SYS(SYS_flistxattr, filefd, BADPTR1, 16));
	show("setxattr_flags_create", SYS(SYS_setxattr, "/etc/passwd", "user.tsvisor", "v", 1, XATTR_CREATE));
	show("setxattr_flags_replace", SYS(SYS_setxattr, "/etc/passwd", "user.tsvisor", "v", 1, XATTR_REPLACE));
	show("setxattr_flags_both", SYS(SYS_setxattr, "/etc/passwd", "user.tsvisor", "v", 1, XATTR_CREATE | XATTR_REPLACE));
	show("setxattr_flags_unknown", SYS(SYS_setxattr, "/etc/passwd", "user.tsvisor", "v", 1, 4));
	show("setxattr_flags_unknown_missing", SYS(SYS_setxattr, "/nonexistent-tsvisor", "user.tsvisor", "v", 1, 4));
	show("setxattr_size0", SYS(SYS_setxattr, "/etc/passwd", "user.tsvisor", NULL, 0, 0));
	show("setxattr_size_max", SYS(SYS_setxattr, "/etc/passwd", "user.tsvisor", buf, 65536, 0));
	show("setxattr_size_too_big", SYS(SYS_setxattr, "/etc/passwd", "user.tsvisor", buf, 65537, 0));
	show("setxattr_size_too_big_missing", SYS(SYS_setxattr, "/nonexistent-tsvisor", "user.tsvisor", buf, 65537, 0));
	show("setxattr_value_efault", SYS(SYS_setxattr, "/etc/passwd", "user.tsvisor", BADPTR1, 16, 0));
	show("setxattr_value_efault_missing", SYS(SYS_setxattr, "/nonexistent-tsvisor", "user.tsvisor", BADPTR1, 16, 0));
	show("setxattr_name_empty_missing", SYS(SYS_setxattr, "/nonexistent-tsvisor", "", "v", 1, 0));
	show("fsetxattr_flags_unknown_badfd", SYS(SYS_fsetxattr, 9999, "user.tsvisor", "v", 1, 4));
	show("fsetxattr_size_too_big_badfd", SYS(SYS_fsetxattr, 9999, "user.tsvisor", buf, 65537, 0));
	show("getxattr_name_empty_missing", SYS(SYS_getxattr, "/nonexistent-tsvisor", "", buf, sizeof buf));
	show("removexattr_name_empty_missing", SYS(SYS_removexattr, "/nonexistent-tsvisor", ""));
	show("fgetxattr_name_empty_badfd", SYS(SYS_fgetxattr, 9999, "", buf, sizeof buf));
}

static void statfs_cases(void)
{
	struct statfs s, e;
	show("statfs_root", SYS(SYS_statfs, "/", &s));
	printf("statfs_root_type: %#lx\n", (unsigned long)s.f_type);
	show_bool("statfs_root_rdonly", s.f_flags & ST_RDONLY);
	/* the mount flags of a bind mount are those of the host's root mount,
	 * which tsvisor passes on, plus ST_RDONLY; ST_VALID is always set */
	printf("statfs_root_flags: %#lx\n", (unsigned long)s.f_flags);
	show("statfs_root_namelen", s.f_namelen);
	show_bool("statfs_root_blocks_sane", s.f_blocks > 0 && s.f_bfree <= s.f_blocks && s.f_bavail <= s.f_bfree);
	show_bool("statfs_root_bsize_positive", s.f_bsize > 0 && s.f_frsize > 0);
	show("statfs_etc", SYS(SYS_statfs, "/etc", &e));
	show_bool("statfs_etc_same_fs", e.f_type == s.f_type && e.f_bsize == s.f_bsize &&
		  !memcmp(&e.f_fsid, &s.f_fsid, sizeof e.f_fsid) && e.f_namelen == s.f_namelen);
	show_bool("statfs_etc_rdonly", e.f_flags & ST_RDONLY);
	show("statfs_file", SYS(SYS_statfs, "/etc/passwd", &e));
	show_bool("statfs_file_same_fs", e.f_type == s.f_type && !memcmp(&e.f_fsid, &s.f_fsid, sizeof e.f_fsid));
	show("statfs_symlink", SYS(SYS_statfs, "/bin", &e));
	show_bool("statfs_symlink_same_fs", e.f_type == s.f_type);
	show("statfs_dev", SYS(SYS_statfs, "/dev", &e));
	printf("statfs_dev_type: %#lx\n", (unsigned long)e.f_type);
	show_bool("statfs_dev_rdonly", e.f_flags & ST_RDONLY);
	show_bool("statfs_dev_valid", e.f_flags & ST_VALID);
	show("statfs_dev_null", SYS(SYS_statfs, "/dev/null", &e));
	printf("statfs_dev_null_type: %#lx\n", (unsigned long)e.f_type);
	show("statfs_proc", SYS(SYS_statfs, "/proc", &e));
	printf("statfs_proc_type: %#lx\n", (unsigned long)e.f_type);
	show_bool("statfs_proc_valid", e.f_flags & ST_VALID);
	show("statfs_efault_buf", SYS(SYS_statfs, "/", BADPTR1));
	show("statfs_efault_buf_kernel", SYS(SYS_statfs, "/", KADDR));
	show("statfs_efault_buf_missing", SYS(SYS_statfs, "/nonexistent-tsvisor", BADPTR1));

	show("fstatfs_file", SYS(SYS_fstatfs, filefd, &e));
	show_bool("fstatfs_file_same_fs", e.f_type == s.f_type && !memcmp(&e.f_fsid, &s.f_fsid, sizeof e.f_fsid) &&
		  e.f_namelen == s.f_namelen);
	show_bool("fstatfs_file_rdonly", e.f_flags & ST_RDONLY);
	show("fstatfs_dir", SYS(SYS_fstatfs, etcfd, &e));
	show_bool("fstatfs_dir_same_fs", e.f_type == s.f_type);
	show("fstatfs_opath", SYS(SYS_fstatfs, pathfd, &e));
	show_bool("fstatfs_opath_same_fs", e.f_type == s.f_type);
	show("fstatfs_pipe", SYS(SYS_fstatfs, pipefds[0], &e));
	printf("fstatfs_pipe_type: %#lx\n", (unsigned long)e.f_type);
	show_bool("fstatfs_pipe_rdonly", e.f_flags & ST_RDONLY);
	show_bool("fstatfs_pipe_valid", e.f_flags & ST_VALID);
	{
		long fd = SYS(SYS_open, "/dev/null", O_RDONLY);
		show("fstatfs_dev_null", SYS(SYS_fstatfs, fd, &e));
		printf("fstatfs_dev_null_type: %#lx\n", (unsigned long)e.f_type);
		SYS(SYS_close, fd);
	}
	show("fstatfs_badfd", SYS(SYS_fstatfs, 9999, &e));
	show("fstatfs_negfd", SYS(SYS_fstatfs, -1, &e));
	show("fstatfs_efault", SYS(SYS_fstatfs, filefd, BADPTR1));
	show("fstatfs_efault_badfd", SYS(SYS_fstatfs, 9999, BADPTR1));
}

/* ---- getdents (the old one) ----------------------------------------- */

struct linux_dirent {
	unsigned long d_ino;
	unsigned long d_off;
	unsigned short d_reclen;
	char d_name[];
	/* then padding, and d_type in the last byte of the record */
};

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

#define MAXENT 8192
static char *names_old[MAXENT], *names_new[MAXENT];

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *entry(unsigned type, const char *name, int ino_ok)
{
	char *s = malloc(strlen(name) + 6);
	sprintf(s, "%u %d %s", type, ino_ok, name);
	return s;
}

/* Read the whole directory with getdents (old = 1) or getdents64; returns
 * the number of entries, or -1; counts the calls that returned data. */
static long list(long fd, int old, size_t bufsize, char **names, int *calls, int *offs_ok)
{
	static char b[65536];
	long n, count = 0;
	*calls = 0;
	*offs_ok = 1;
	while ((n = SYS(old ? SYS_getdents : SYS_getdents64, fd, b, bufsize)) > 0) {
		(*calls)++;
		for (long off = 0; off < n;) {
			unsigned short reclen;
			if (old) {
				struct linux_dirent *d = (void *)(b + off);
				reclen = d->d_reclen;
				*offs_ok &= reclen % 8 == 0 && off + reclen <= n;
				if (names && count < MAXENT)
					names[count] = entry((unsigned char)b[off + reclen - 1], d->d_name, d->d_ino != 0);
			} else {
				struct linux_dirent64 *d = (void *)(b + off);
				reclen = d->d_reclen;
				if (names && count < MAXENT)
					names[count] = entry(d->d_type, d->d_name, d->d_ino != 0);
			}
			count++;
			off += reclen;
		}
	}
	return n < 0 ? -1 : count;
}

static void getdents_cases(void)
{
	int calls, offs_ok;
	long fd = SYS(SYS_open, "/usr/share/doc", O_RDONLY | O_DIRECTORY);
	long n_old = list(fd, 1, 65536, names_old, &calls, &offs_ok);
	show_bool("getdents_count_positive", n_old > 2);
	show_bool("getdents_reclen_aligned", offs_ok);
	show("getdents_at_eof", SYS(SYS_getdents, fd, buf, sizeof buf));
	SYS(SYS_lseek, fd, 0, SEEK_SET);
	long n_new = list(fd, 0, 65536, names_new, &calls, &offs_ok);
	show_bool("getdents_same_count_as_getdents64", n_new == n_old);
	int same = n_new == n_old && n_old <= MAXENT;
	if (same) {
		qsort(names_old, n_old, sizeof names_old[0], cmp);
		qsort(names_new, n_new, sizeof names_new[0], cmp);
		for (long i = 0; i < n_old; i++)
			same &= strcmp(names_old[i], names_new[i]) == 0;
	}
	show_bool("getdents_same_entries_and_types_as_getdents64", same);
	/* the first few entries, to see the format itself */
	for (long i = 0; i < n_old && i < 5; i++)
		printf("getdents_entry: %s\n", names_old[i]);
	SYS(SYS_lseek, fd, 0, SEEK_SET);
	long n_small = list(fd, 1, 64, NULL, &calls, &offs_ok);
	show_bool("getdents_small_buf_same_count", n_small == n_old);
	show_bool("getdents_small_buf_many_calls", calls > 1);
	SYS(SYS_lseek, fd, 0, SEEK_SET);
	show("getdents_buf_too_small", SYS(SYS_getdents, fd, buf, 8));
	show("getdents_buf_1", SYS(SYS_getdents, fd, buf, 1));
	show("getdents_buf_0", SYS(SYS_getdents, fd, buf, 0));
	show("getdents_efault", SYS(SYS_getdents, fd, BADPTR1, 4096));
	show("getdents_efault_kernel", SYS(SYS_getdents, fd, KADDR, 4096));
	show("getdents_notdir", SYS(SYS_getdents, filefd, buf, sizeof buf));
	show("getdents_opath", SYS(SYS_getdents, pathfd, buf, sizeof buf));
	show("getdents_pipe", SYS(SYS_getdents, pipefds[0], buf, sizeof buf));
	show("getdents_badfd", SYS(SYS_getdents, 9999, buf, sizeof buf));
	show("getdents_negfd", SYS(SYS_getdents, -1, buf, sizeof buf));
	SYS(SYS_close, fd);
	{
		/* d_type of a few known entries of / */
		long rfd = SYS(SYS_open, "/", O_RDONLY | O_DIRECTORY);
		static char b[65536];
		long k;
		int usr = -1, bin = -1, dot = -1, dotdot = -1;
		while ((k = SYS(SYS_getdents, rfd, b, sizeof b)) > 0)
			for (long off = 0; off < k;) {
				struct linux_dirent *d = (void *)(b + off);
				int t = (unsigned char)b[off + d->d_reclen - 1];
				if (!strcmp(d->d_name, "usr"))
					usr = t;
				else if (!strcmp(d->d_name, "bin"))
					bin = t;
				else if (!strcmp(d->d_name, "."))
					dot = t;
				else if (!strcmp(d->d_name, ".."))
					dotdot = t;
				off += d->d_reclen;
			}
		printf("getdents_root_types: usr=%d bin=%d .=%d ..=%d\n", usr, bin, dot, dotdot);
		SYS(SYS_close, rfd);
	}
}

int main(void)
{
	static const char *const must_be_ro[] = { "/", "/etc", "/usr", "/var" };

	if (chdir("/") != 0)
		return 2;
	for (size_t i = 0; i < sizeof must_be_ro / sizeof must_be_ro[0]; i++) {
		if (access(must_be_ro[i], W_OK) == 0 || errno != EROFS) {
			fprintf(stderr, "fsmod: %s is not on a read-only file system; run me through rolaunch\n",
				must_be_ro[i]);
			return 3;
		}
	}
	show_bool("root_is_read_only", 1);
	memset(longname, 'b', sizeof longname - 1);
	longname[0] = '/';
	memset(longpath, 'a', sizeof longpath - 1);
	longpath[0] = '/';

	filefd = SYS(SYS_open, "/etc/passwd", O_RDONLY);
	etcfd = SYS(SYS_open, "/etc", O_RDONLY | O_DIRECTORY);
	pathfd = SYS(SYS_open, "/etc", O_PATH | O_DIRECTORY);
	{
		int p[2];
		show("pipe2", SYS(SYS_pipe2, p, 0));
		pipefds[0] = p[0];
		pipefds[1] = p[1];
	}
	show_bool("fds_open", filefd >= 0 && etcfd >= 0 && pathfd >= 0);
	show("new_name_absent", SYS(SYS_access, NEW, F_OK));
	show("new2_name_absent", SYS(SYS_access, NEW2, F_OK));

	matrix();
	modes_and_flags();
	openat2_cases();
	xattrs();
	statfs_cases();
	getdents_cases();

	/* nothing was created */
	show("new_name_still_absent", SYS(SYS_access, NEW, F_OK));
	show("new2_name_still_absent", SYS(SYS_access, NEW2, F_OK));
	printf("done\n");
	return 0;
}
