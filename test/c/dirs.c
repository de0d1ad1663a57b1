/*
 * Directories: getdents64 (listing of /usr/share/doc, sorted, with d_type),
 * getcwd, chdir, fchdir, readlink/readlinkat, access/faccessat/faccessat2,
 * O_DIRECTORY/O_NOFOLLOW, and their error cases.
 */
#include "common.h"
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

#define LISTDIR "/usr/share/doc"
#define MAXENT 8192

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static char *names[MAXENT];
static int nnames;

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char tchar(unsigned t)
{
	switch (t) {
	case DT_DIR: return 'd';
	case DT_REG: return 'f';
	case DT_LNK: return 'l';
	case DT_CHR: return 'c';
	case DT_BLK: return 'b';
	case DT_FIFO: return 'p';
	case DT_SOCK: return 's';
	case DT_UNKNOWN: return 'u';
	}
	return '?';
}

/* Read the whole directory with a buffer of bufsize bytes; returns the
 * number of entries, or -1 with errno set. Collects "T name" strings. */
static long list(long fd, size_t bufsize, int collect, int *calls)
{
	static char buf[65536];
	long n, count = 0;
	*calls = 0;
	while ((n = SYS(SYS_getdents64, fd, buf, bufsize)) > 0) {
		(*calls)++;
		for (long off = 0; off < n;) {
			struct linux_dirent64 *d = (void *)(buf + off);
			if (collect && nnames < MAXENT) {
				char *s = malloc(strlen(d->d_name) + 3);
				s[0] = tchar(d->d_type);
				s[1] = ' ';
				strcpy(s + 2, d->d_name);
				names[nnames++] = s;
			}
			count++;
			off += d->d_reclen;
		}
	}
	return n < 0 ? -1 : count;
}

int main(void)
{
	char buf[PATH_MAX];
	int calls;

	if (chdir("/") != 0)
		return 2;

	/* --- getdents64 ------------------------------------------------ */
	long fd = SYS(SYS_open, LISTDIR, O_RDONLY | O_DIRECTORY);
	show_bool("open_listdir", fd >= 0);
	long n = list(fd, 65536, 1, &calls);
	show_bool("getdents_count_positive", n > 2);
	qsort(names, nnames, sizeof names[0], cmp);
	for (int i = 0; i < nnames; i++)
		printf("entry: %s\n", names[i]);
	show("getdents_at_eof", SYS(SYS_getdents64, fd, buf, sizeof buf));
	show("lseek_dir_rewind", SYS(SYS_lseek, fd, 0, SEEK_SET));
	long n2 = list(fd, 200, 0, &calls);
	show_bool("getdents_small_buf_same_count", n2 == n);
	show_bool("getdents_small_buf_many_calls", calls > 1);
	SYS(SYS_lseek, fd, 0, SEEK_SET);
	show("getdents_buf_too_small", SYS(SYS_getdents64, fd, buf, 1));
	show("getdents_buf_zero", SYS(SYS_getdents64, fd, buf, 0));
	show("getdents_efault", SYS(SYS_getdents64, fd, BADPTR1, 4096));
	show("getdents_efault_kernel", SYS(SYS_getdents64, fd, KADDR, 4096));
	long ffd = SYS(SYS_open, "/etc/passwd", O_RDONLY);
	show("getdents_notdir", SYS(SYS_getdents64, ffd, buf, sizeof buf));
	show("getdents_badfd", SYS(SYS_getdents64, -1, buf, sizeof buf));
	show("getdents_badfd_big", SYS(SYS_getdents64, 9999, buf, sizeof buf));
	{
		/* "." and ".." are listed */
		int dot = 0, dotdot = 0;
		for (int i = 0; i < nnames; i++) {
			dot |= strcmp(names[i] + 2, ".") == 0;
			dotdot |= strcmp(names[i] + 2, "..") == 0;
		}
		show_bool("getdents_has_dot", dot);
		show_bool("getdents_has_dotdot", dotdot);
	}
	{
		/* getdents on a small fixed directory: / */
		long rfd = SYS(SYS_open, "/", O_RDONLY | O_DIRECTORY);
		int found_usr = 0, found_etc = 0;
		static char b[65536];
		long k;
		while ((k = SYS(SYS_getdents64, rfd, b, sizeof b)) > 0)
			for (long off = 0; off < k;) {
				struct linux_dirent64 *d = (void *)(b + off);
				if (!strcmp(d->d_name, "usr"))
					found_usr = d->d_type == DT_DIR;
				if (!strcmp(d->d_name, "etc"))
					found_etc = d->d_type == DT_DIR;
				off += d->d_reclen;
			}
		show_bool("getdents_root_has_usr_dir", found_usr);
		show_bool("getdents_root_has_etc_dir", found_etc);
		SYS(SYS_close, rfd);
	}

	/* --- getcwd / chdir / fchdir ----------------------------------- */
	memset(buf, 0, sizeof buf);
	show("getcwd_root", SYS(SYS_getcwd, buf, sizeof buf));
	show_str("getcwd_root_str", buf);
	show("chdir_usr_share", SYS(SYS_chdir, "/usr/share"));
	memset(buf, 0, sizeof buf);
	show("getcwd", SYS(SYS_getcwd, buf, sizeof buf));
	show_str("getcwd_str", buf);
	show("getcwd_erange", SYS(SYS_getcwd, buf, 5));
	show("getcwd_exact", SYS(SYS_getcwd, buf, strlen("/usr/share") + 1));
	show("getcwd_one_short", SYS(SYS_getcwd, buf, strlen("/usr/share")));
	show("getcwd_size0", SYS(SYS_getcwd, buf, 0));
	show("getcwd_efault", SYS(SYS_getcwd, BADPTR1, sizeof buf));
	show("getcwd_efault_kernel", SYS(SYS_getcwd, KADDR, sizeof buf));
	show("chdir_rel_dotdot", SYS(SYS_chdir, ".."));
	SYS(SYS_getcwd, buf, sizeof buf);
	show_str("getcwd_after_dotdot", buf);
	show("chdir_rel_doc", SYS(SYS_chdir, "share/doc"));
	SYS(SYS_getcwd, buf, sizeof buf);
	show_str("getcwd_after_rel", buf);
	show("chdir_symlink", SYS(SYS_chdir, "/bin"));
	SYS(SYS_getcwd, buf, sizeof buf);
	show_str("getcwd_after_symlink", buf);
	show("chdir_missing", SYS(SYS_chdir, "/nonexistent"));
	show("chdir_notdir", SYS(SYS_chdir, "/etc/passwd"));
	show("chdir_empty", SYS(SYS_chdir, ""));
	show("chdir_efault", SYS(SYS_chdir, BADPTR1));
	SYS(SYS_getcwd, buf, sizeof buf);
	show_str("getcwd_after_failures", buf);
	long efd = SYS(SYS_open, "/etc", O_RDONLY | O_DIRECTORY);
	show("fchdir_etc", SYS(SYS_fchdir, efd));
	SYS(SYS_getcwd, buf, sizeof buf);
	show_str("getcwd_after_fchdir", buf);
	show("fchdir_notdir", SYS(SYS_fchdir, ffd));
	show("fchdir_badfd", SYS(SYS_fchdir, -1));
	show("fchdir_badfd_big", SYS(SYS_fchdir, 9999));
	{
		long pfd = SYS(SYS_open, "/usr", O_PATH | O_DIRECTORY);
		show("fchdir_opath", SYS(SYS_fchdir, pfd));
		SYS(SYS_getcwd, buf, sizeof buf);
		show_str("getcwd_after_fchdir_opath", buf);
		SYS(SYS_close, pfd);
	}
	show("open_rel_after_fchdir", SYS(SYS_open, "bin", O_RDONLY | O_DIRECTORY) >= 0);
	SYS(SYS_chdir, "/");

	/* --- readlink / readlinkat ------------------------------------- */
	memset(buf, 0, sizeof buf);
	show("readlink_bin", SYS(SYS_readlink, "/bin", buf, sizeof buf));
	show_str("readlink_bin_str", buf);
	memset(buf, 0, sizeof buf);
	show("readlink_truncated", SYS(SYS_readlink, "/bin", buf, 3));
	show_str("readlink_truncated_str", buf);
	show("readlink_bufsiz0", SYS(SYS_readlink, "/bin", buf, 0));
	show("readlink_bufsiz_neg", SYS(SYS_readlink, "/bin", buf, -1));
	show("readlink_notlink", SYS(SYS_readlink, "/etc/passwd", buf, sizeof buf));
	show("readlink_dir", SYS(SYS_readlink, "/usr", buf, sizeof buf));
	show("readlink_missing", SYS(SYS_readlink, "/nonexistent", buf, sizeof buf));
	show("readlink_efault_buf", SYS(SYS_readlink, "/bin", BADPTR1, sizeof buf));
	show("readlink_efault_path", SYS(SYS_readlink, BADPTR1, buf, sizeof buf));
	show("readlink_empty", SYS(SYS_readlink, "", buf, sizeof buf));
	long root = SYS(SYS_open, "/", O_RDONLY | O_DIRECTORY);
	memset(buf, 0, sizeof buf);
	show("readlinkat_lib64", SYS(SYS_readlinkat, root, "lib64", buf, sizeof buf));
	show_str("readlinkat_lib64_str", buf);
	memset(buf, 0, sizeof buf);
	show("readlinkat_cwd", SYS(SYS_readlinkat, AT_FDCWD, "bin", buf, sizeof buf));
	show_str("readlinkat_cwd_str", buf);
	show("readlinkat_baddirfd", SYS(SYS_readlinkat, 9999, "bin", buf, sizeof buf));
	show("readlinkat_filedirfd", SYS(SYS_readlinkat, ffd, "bin", buf, sizeof buf));
	{
		long lfd = SYS(SYS_open, "/bin", O_PATH | O_NOFOLLOW);
		memset(buf, 0, sizeof buf);
		show("readlinkat_empty_path_opath", SYS(SYS_readlinkat, lfd, "", buf, sizeof buf));
		show_str("readlinkat_empty_path_opath_str", buf);
		SYS(SYS_close, lfd);
	}

	/* --- O_DIRECTORY / O_NOFOLLOW ---------------------------------- */
	show("open_symlink_nofollow", SYS(SYS_open, "/bin", O_RDONLY | O_NOFOLLOW));
	show("open_symlink_nofollow_dir", SYS(SYS_open, "/bin", O_RDONLY | O_NOFOLLOW | O_DIRECTORY));
	show("open_symlink_nofollow_path_ok", SYS(SYS_open, "/bin", O_PATH | O_NOFOLLOW) >= 0);
	show("open_symlink_directory_ok", SYS(SYS_open, "/bin", O_RDONLY | O_DIRECTORY) >= 0);
	show("open_nofollow_intermediate_symlink_ok", SYS(SYS_open, "/bin/ls", O_RDONLY | O_NOFOLLOW) >= 0);
	show("open_nofollow_leaf_symlink", SYS(SYS_open, "/bin/sh", O_RDONLY | O_NOFOLLOW));

	/* --- access / faccessat / faccessat2 ---------------------------- */
	show("access_passwd_r", SYS(SYS_access, "/etc/passwd", R_OK));
	show("access_passwd_f", SYS(SYS_access, "/etc/passwd", F_OK));
	show("access_passwd_x", SYS(SYS_access, "/etc/passwd", X_OK));
	show("access_bin_sh_x", SYS(SYS_access, "/bin/sh", X_OK));
	show("access_usr_bin_rx", SYS(SYS_access, "/usr/bin", R_OK | X_OK));
	show("access_missing", SYS(SYS_access, "/nonexistent", F_OK));
	show("access_notdir", SYS(SYS_access, "/etc/passwd/x", F_OK));
	show("access_badmode", SYS(SYS_access, "/etc/passwd", 0x10));
	show("access_efault", SYS(SYS_access, BADPTR1, F_OK));
	show("access_empty", SYS(SYS_access, "", F_OK));
	show("faccessat_rel", SYS(SYS_faccessat, efd, "passwd", R_OK));
	show("faccessat_baddirfd", SYS(SYS_faccessat, 9999, "passwd", R_OK));
	show("faccessat_abs_baddirfd", SYS(SYS_faccessat, 9999, "/etc/passwd", R_OK));
	show("faccessat_badmode", SYS(SYS_faccessat, AT_FDCWD, "/etc/passwd", 8));
	show("faccessat2_eaccess", SYS(SYS_faccessat2, AT_FDCWD, "/etc/passwd", R_OK, AT_EACCESS));
	show("faccessat2_nofollow", SYS(SYS_faccessat2, AT_FDCWD, "/bin", F_OK, AT_SYMLINK_NOFOLLOW));
	show("faccessat2_empty_path", SYS(SYS_faccessat2, ffd, "", R_OK, AT_EMPTY_PATH));
	show("faccessat2_badflags", SYS(SYS_faccessat2, AT_FDCWD, "/etc/passwd", R_OK, 0x1));
	show("faccessat2_missing", SYS(SYS_faccessat2, AT_FDCWD, "/nonexistent", F_OK, 0));

	printf("done\n");
	return 0;
}
