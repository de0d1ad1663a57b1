/*
 * stat/fstat/lstat/newfstatat/statx on existing host paths, printing only
 * fields that are the same on every run: the file type, permission bits,
 * owner, nlink>0, size>0, device numbers of /dev/null, and equalities between
 * the different calls on the same file.
 */
#include "common.h"
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

static const char *ftype(unsigned mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "reg";
	case S_IFDIR: return "dir";
	case S_IFLNK: return "lnk";
	case S_IFCHR: return "chr";
	case S_IFBLK: return "blk";
	case S_IFIFO: return "fifo";
	case S_IFSOCK: return "sock";
	}
	return "?";
}

static void describe(const char *name, long r, const struct stat *st)
{
	if (r != 0) {
		show(name, r);
		return;
	}
	printf("%s: type=%s perm=%04o uid=%u gid=%u nlink>0=%d size>0=%d blksize>0=%d\n",
	       name, ftype(st->st_mode), (unsigned)(st->st_mode & 07777),
	       (unsigned)st->st_uid, (unsigned)st->st_gid, st->st_nlink > 0,
	       st->st_size > 0, st->st_blksize > 0);
}

#define DESCRIBE(name, call) do { struct stat _st; memset(&_st, 0, sizeof _st); \
	long _r = call; describe(name, _r, &_st); } while (0)

static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	       a->st_mode == b->st_mode && a->st_size == b->st_size &&
	       a->st_nlink == b->st_nlink && a->st_uid == b->st_uid;
}

int main(void)
{
	struct stat a, b;
	struct statx sx;

	if (chdir("/") != 0)
		return 2;

	/* stat */
	DESCRIBE("stat_usr_bin", SYS(SYS_stat, "/usr/bin", &_st));
	DESCRIBE("stat_etc_passwd", SYS(SYS_stat, "/etc/passwd", &_st));
	DESCRIBE("stat_root", SYS(SYS_stat, "/", &_st));
	DESCRIBE("stat_etc", SYS(SYS_stat, "/etc", &_st));
	DESCRIBE("stat_bin", SYS(SYS_stat, "/bin", &_st));
	DESCRIBE("stat_lib64", SYS(SYS_stat, "/lib64", &_st));
	DESCRIBE("stat_bin_sh", SYS(SYS_stat, "/bin/sh", &_st));
	DESCRIBE("stat_usr_bin_dot", SYS(SYS_stat, "/usr/bin/.", &_st));
	DESCRIBE("stat_rel_etc_passwd", SYS(SYS_stat, "etc/passwd", &_st));
	DESCRIBE("stat_missing", SYS(SYS_stat, "/nonexistent", &_st));
	DESCRIBE("stat_notdir", SYS(SYS_stat, "/etc/passwd/x", &_st));
	DESCRIBE("stat_trailing_slash_file", SYS(SYS_stat, "/etc/passwd/", &_st));
	DESCRIBE("stat_empty", SYS(SYS_stat, "", &_st));
	DESCRIBE("stat_path_efault", SYS(SYS_stat, BADPTR1, &_st));
	DESCRIBE("stat_path_kernel", SYS(SYS_stat, KADDR, &_st));
	DESCRIBE("stat_buf_efault", SYS(SYS_stat, "/etc/passwd", BADPTR1));
	DESCRIBE("stat_buf_kernel", SYS(SYS_stat, "/etc/passwd", KADDR));
	{
		static char longpath[PATH_MAX + 10];
		memset(longpath, 'a', sizeof longpath - 1);
		longpath[0] = '/';
		DESCRIBE("stat_too_long", SYS(SYS_stat, longpath, &_st));
	}
	{
		struct stat dn;
		/* The owner of /dev/null depends on how /dev was set up; print only
		 * the type, the permissions and the device number. */
		long r = SYS(SYS_stat, "/dev/null", &dn);
		show("stat_dev_null", r);
		if (r == 0)
			printf("stat_dev_null: type=%s perm=%04o rdev=%u:%u\n", ftype(dn.st_mode),
			       (unsigned)(dn.st_mode & 07777), major(dn.st_rdev), minor(dn.st_rdev));
	}
	SYS(SYS_stat, "/usr/bin/..", &a);
	SYS(SYS_stat, "/usr", &b);
	show_bool("stat_dotdot_is_parent", same_file(&a, &b));
	SYS(SYS_stat, "/..", &a);
	SYS(SYS_stat, "/", &b);
	show_bool("stat_root_dotdot_is_root", same_file(&a, &b));
	SYS(SYS_stat, "/bin", &a);
	SYS(SYS_stat, "/usr/bin", &b);
	show_bool("stat_bin_follows_symlink", same_file(&a, &b));

	/* lstat */
	DESCRIBE("lstat_bin", SYS(SYS_lstat, "/bin", &_st));
	DESCRIBE("lstat_lib64", SYS(SYS_lstat, "/lib64", &_st));
	DESCRIBE("lstat_etc_passwd", SYS(SYS_lstat, "/etc/passwd", &_st));
	DESCRIBE("lstat_bin_slash", SYS(SYS_lstat, "/bin/", &_st));
	DESCRIBE("lstat_missing", SYS(SYS_lstat, "/nonexistent", &_st));
	DESCRIBE("lstat_efault", SYS(SYS_lstat, "/bin", BADPTR1));
	{
		struct stat l;
		if (SYS(SYS_lstat, "/bin", &l) == 0 && S_ISLNK(l.st_mode))
			printf("lstat_bin_size: %ld\n", (long)l.st_size);
	}

	/* fstat */
	long fd = SYS(SYS_open, "/etc/passwd", O_RDONLY);
	DESCRIBE("fstat_passwd", SYS(SYS_fstat, fd, &_st));
	SYS(SYS_fstat, fd, &a);
	SYS(SYS_stat, "/etc/passwd", &b);
	show_bool("fstat_eq_stat", same_file(&a, &b));
	DESCRIBE("fstat_badfd", SYS(SYS_fstat, -1, &_st));
	DESCRIBE("fstat_badfd_big", SYS(SYS_fstat, 9999, &_st));
	DESCRIBE("fstat_efault", SYS(SYS_fstat, fd, BADPTR1));
	DESCRIBE("fstat_efault_high", SYS(SYS_fstat, fd, HIGHADDR));
	long dfd = SYS(SYS_open, "/etc", O_RDONLY | O_DIRECTORY);
	DESCRIBE("fstat_dir", SYS(SYS_fstat, dfd, &_st));
	{
		int p[2];
		SYS(SYS_pipe2, p, 0);
		DESCRIBE("fstat_pipe", SYS(SYS_fstat, p[0], &_st));
		SYS(SYS_close, p[0]);
		SYS(SYS_close, p[1]);
	}
	long lfd = SYS(SYS_open, "/bin", O_RDONLY | O_PATH | O_NOFOLLOW);
	DESCRIBE("fstat_opath_nofollow_symlink", SYS(SYS_fstat, lfd, &_st));

	/* newfstatat */
	DESCRIBE("fstatat_rel_dirfd", SYS(SYS_newfstatat, dfd, "passwd", &_st, 0));
	SYS(SYS_newfstatat, dfd, "passwd", &a, 0);
	show_bool("fstatat_rel_eq_stat", same_file(&a, &b));
	DESCRIBE("fstatat_abs_baddirfd", SYS(SYS_newfstatat, 9999, "/etc/passwd", &_st, 0));
	DESCRIBE("fstatat_rel_baddirfd", SYS(SYS_newfstatat, 9999, "passwd", &_st, 0));
	DESCRIBE("fstatat_rel_filedirfd", SYS(SYS_newfstatat, fd, "passwd", &_st, 0));
	DESCRIBE("fstatat_nofollow", SYS(SYS_newfstatat, AT_FDCWD, "/bin", &_st, AT_SYMLINK_NOFOLLOW));
	DESCRIBE("fstatat_follow", SYS(SYS_newfstatat, AT_FDCWD, "/bin", &_st, 0));
	DESCRIBE("fstatat_empty_path", SYS(SYS_newfstatat, fd, "", &_st, AT_EMPTY_PATH));
	SYS(SYS_newfstatat, fd, "", &a, AT_EMPTY_PATH);
	show_bool("fstatat_empty_path_eq", same_file(&a, &b));
	DESCRIBE("fstatat_empty_no_flag", SYS(SYS_newfstatat, fd, "", &_st, 0));
	DESCRIBE("fstatat_empty_path_opath", SYS(SYS_newfstatat, lfd, "", &_st, AT_EMPTY_PATH));
	DESCRIBE("fstatat_empty_path_cwd", SYS(SYS_newfstatat, AT_FDCWD, "", &_st, AT_EMPTY_PATH));
	DESCRIBE("fstatat_badflags", SYS(SYS_newfstatat, AT_FDCWD, "/etc/passwd", &_st, 0x12345));
	DESCRIBE("fstatat_efault", SYS(SYS_newfstatat, AT_FDCWD, BADPTR1, &_st, 0));

	/* statx */
	memset(&sx, 0, sizeof sx);
	long r = SYS(SYS_statx, AT_FDCWD, "/etc/passwd", 0, STATX_BASIC_STATS, &sx);
	show("statx_passwd", r);
	if (r == 0) {
		unsigned want = STATX_TYPE | STATX_MODE | STATX_NLINK | STATX_UID |
				STATX_GID | STATX_SIZE | STATX_INO;
		show_bool("statx_mask_has_basic", (sx.stx_mask & want) == want);
		printf("statx_passwd_type: %s perm=%04o\n", ftype(sx.stx_mode),
		       (unsigned)(sx.stx_mode & 07777));
		show_bool("statx_size_eq_stat", (long)sx.stx_size == (long)b.st_size);
		show_bool("statx_ino_eq_stat", sx.stx_ino == b.st_ino);
		show_bool("statx_nlink_eq_stat", sx.stx_nlink == b.st_nlink);
		show_bool("statx_dev_eq_stat",
			  makedev(sx.stx_dev_major, sx.stx_dev_minor) == b.st_dev);
	}
	memset(&sx, 0, sizeof sx);
	r = SYS(SYS_statx, AT_FDCWD, "/bin", AT_SYMLINK_NOFOLLOW, STATX_TYPE, &sx);
	show("statx_nofollow", r);
	if (r == 0)
		printf("statx_nofollow_type: %s\n", ftype(sx.stx_mode));
	memset(&sx, 0, sizeof sx);
	r = SYS(SYS_statx, dfd, "passwd", 0, STATX_TYPE | STATX_SIZE, &sx);
	show("statx_rel_dirfd", r);
	if (r == 0)
		printf("statx_rel_dirfd_type: %s\n", ftype(sx.stx_mode));
	memset(&sx, 0, sizeof sx);
	r = SYS(SYS_statx, fd, "", AT_EMPTY_PATH, STATX_SIZE, &sx);
	show("statx_empty_path", r);
	if (r == 0)
		show_bool("statx_empty_path_size", (long)sx.stx_size == (long)b.st_size);
	show("statx_missing", SYS(SYS_statx, AT_FDCWD, "/nonexistent", 0, STATX_BASIC_STATS, &sx));
	show("statx_badflags", SYS(SYS_statx, AT_FDCWD, "/etc/passwd", 0x40000000, STATX_BASIC_STATS, &sx));
	show("statx_reserved_mask", SYS(SYS_statx, AT_FDCWD, "/etc/passwd", 0, 0x80000000U, &sx));
	show("statx_buf_efault", SYS(SYS_statx, AT_FDCWD, "/etc/passwd", 0, STATX_BASIC_STATS, BADPTR1));
	show("statx_path_efault", SYS(SYS_statx, AT_FDCWD, BADPTR1, 0, STATX_BASIC_STATS, &sx));
	show("statx_baddirfd", SYS(SYS_statx, 9999, "passwd", 0, STATX_BASIC_STATS, &sx));
	show("statx_sync_both", SYS(SYS_statx, AT_FDCWD, "/etc/passwd",
				    AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC, STATX_BASIC_STATS, &sx));

	printf("done\n");
	return 0;
}
