/*
 * File I/O: open/openat/read/write/pread64/pwrite64/readv/writev/lseek/close/
 * dup/dup2/dup3/fcntl, with their error cases.
 *
 * Only existing host files are read (/etc/passwd, /usr, /dev/null); writes go
 * to pipes and /dev/null, since the sandbox root may be read-only. File
 * descriptor numbers are printed relative to the first one this program
 * opens ("+N"), so inherited descriptors do not matter as long as the lowest
 * free number is used.
 */
#include "common.h"
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/uio.h>

static long base;

static void show_fd(const char *name, long r)
{
	if (r == -1)
		printf("%s: -1 %s\n", name, errname(errno));
	else
		printf("%s: +%ld\n", name, r - base);
}

int main(void)
{
	char buf[256], buf2[256];
	struct stat st;
	int p[2];
	long r;

	if (chdir("/") != 0)
		return 2;

	/* --- open ------------------------------------------------------ */
	long fd = SYS(SYS_open, "/etc/passwd", O_RDONLY);
	base = fd;
	show_bool("open_passwd_ok", fd >= 0);
	show("open_missing", SYS(SYS_open, "/nonexistent/file", O_RDONLY));
	show("open_missing_leaf", SYS(SYS_open, "/etc/no-such-file-here", O_RDONLY));
	show("open_notdir", SYS(SYS_open, "/etc/passwd/x", O_RDONLY));
	show("open_trailing_slash_file", SYS(SYS_open, "/etc/passwd/", O_RDONLY));
	show("open_null", SYS(SYS_open, NULL, O_RDONLY));
	show("open_efault_1", SYS(SYS_open, BADPTR1, O_RDONLY));
	show("open_efault_kernel", SYS(SYS_open, KADDR, O_RDONLY));
	show("open_efault_high", SYS(SYS_open, HIGHADDR, O_RDONLY));
	show("open_empty", SYS(SYS_open, "", O_RDONLY));
	{
		static char longpath[PATH_MAX + 100];
		memset(longpath, 'a', sizeof longpath - 1);
		longpath[0] = '/';
		show("open_path_too_long", SYS(SYS_open, longpath, O_RDONLY));
		static char longname[NAME_MAX + 10];
		memset(longname, 'b', sizeof longname - 1);
		longname[0] = '/';
		show("open_name_too_long", SYS(SYS_open, longname, O_RDONLY));
	}
	show("open_dir_wronly", SYS(SYS_open, "/usr", O_WRONLY));
	show("open_dir_rdwr", SYS(SYS_open, "/usr", O_RDWR));
	show("open_file_o_directory", SYS(SYS_open, "/etc/passwd", O_RDONLY | O_DIRECTORY));
	long dirfd = SYS(SYS_open, "/etc", O_RDONLY | O_DIRECTORY);
	show_fd("open_dir", dirfd);
	show_fd("open_dotdot_at_root", SYS(SYS_open, "/../../etc/../etc/passwd", O_RDONLY));

	/* --- openat ---------------------------------------------------- */
	long fd2 = SYS(SYS_openat, dirfd, "passwd", O_RDONLY);
	show_fd("openat_rel", fd2);
	show("openat_close", SYS(SYS_close, fd2));
	show("openat_badfd_rel", SYS(SYS_openat, 9999, "passwd", O_RDONLY));
	show("openat_negfd_rel", SYS(SYS_openat, -5, "passwd", O_RDONLY));
	fd2 = SYS(SYS_openat, 9999, "/etc/passwd", O_RDONLY);
	show_fd("openat_badfd_abs", fd2);
	SYS(SYS_close, fd2);
	show("openat_filefd_rel", SYS(SYS_openat, fd, "x", O_RDONLY));
	fd2 = SYS(SYS_openat, AT_FDCWD, "etc/passwd", O_RDONLY);
	show_fd("openat_cwd_rel", fd2);
	SYS(SYS_close, fd2);
	show("openat_efault", SYS(SYS_openat, AT_FDCWD, BADPTR1, O_RDONLY));

	/* --- read ------------------------------------------------------ */
	memset(buf, 0, sizeof buf);
	r = show("read_16", SYS(SYS_read, fd, buf, 16));
	if (r > 0) {
		buf[r] = 0;
		show_str("read_16_data", buf);
	}
	show("read_0", SYS(SYS_read, fd, buf, 0));
	show("read_badfd_neg", SYS(SYS_read, -1, buf, 16));
	show("read_badfd_big", SYS(SYS_read, 9999, buf, 16));
	show("read_badfd_intmax", SYS(SYS_read, INT_MAX, buf, 16));
	show("read_efault_1", SYS(SYS_read, fd, BADPTR1, 16));
	show("read_efault_kernel", SYS(SYS_read, fd, KADDR, 16));
	show("read_efault_high", SYS(SYS_read, fd, HIGHADDR, 16));
	show("read_dir", SYS(SYS_read, dirfd, buf, 16));
	/* the failed reads must not have moved the offset */
	show("lseek_cur_after_reads", SYS(SYS_lseek, fd, 0, SEEK_CUR));
	{
		long pfd = SYS(SYS_open, "/etc/passwd", O_RDONLY | O_PATH);
		show_fd("open_o_path", pfd);
		show("read_o_path", SYS(SYS_read, pfd, buf, 16));
		show("fstat_o_path", SYS(SYS_fstat, pfd, &st));
		show("fcntl_getfl_o_path", SYS(SYS_fcntl, pfd, F_GETFL));
		SYS(SYS_close, pfd);
	}
	/* read to EOF */
	{
		long total = 0, n;
		SYS(SYS_lseek, fd, 0, SEEK_SET);
		while ((n = SYS(SYS_read, fd, buf, sizeof buf)) > 0)
			total += n;
		show("read_eof_ret", n);
		SYS(SYS_fstat, fd, &st);
		show_bool("read_total_eq_size", total == st.st_size);
	}

	/* --- pipes and write ------------------------------------------ */
	show("pipe_efault", SYS(SYS_pipe, BADPTR1));
	show("pipe2_badflags", SYS(SYS_pipe2, p, 0x12345678));
	r = SYS(SYS_pipe2, p, 0);
	show("pipe2", r);
	show_fd("pipe_rfd", p[0]);
	show_fd("pipe_wfd", p[1]);
	show("write_pipe", SYS(SYS_write, p[1], "hello", 5));
	show("write_pipe_0", SYS(SYS_write, p[1], "hello", 0));
	show("write_efault_1", SYS(SYS_write, p[1], BADPTR1, 5));
	show("write_efault_kernel", SYS(SYS_write, p[1], KADDR, 5));
	show("write_efault_high", SYS(SYS_write, p[1], HIGHADDR, 5));
	show("write_rdonly_file", SYS(SYS_write, fd, "x", 1));
	show("write_pipe_readend", SYS(SYS_write, p[0], "x", 1));
	show("write_badfd", SYS(SYS_write, -1, "x", 1));
	show("write_badfd_big", SYS(SYS_write, 9999, "x", 1));
	show("read_pipe_writeend", SYS(SYS_read, p[1], buf, 1));
	memset(buf, 0, sizeof buf);
	r = show("read_pipe", SYS(SYS_read, p[0], buf, sizeof buf));
	show_str("read_pipe_data", buf);

	/* --- pread64 / pwrite64 --------------------------------------- */
	memset(buf2, 0, sizeof buf2);
	SYS(SYS_lseek, fd, 0, SEEK_SET);
	SYS(SYS_read, fd, buf, 32);
	show("pread_4_at_5", SYS(SYS_pread64, fd, buf2, 4, 5));
	show_bool("pread_matches_read", memcmp(buf2, buf + 5, 4) == 0);
	show("pread_keeps_offset", SYS(SYS_lseek, fd, 0, SEEK_CUR));
	show("pread_past_eof", SYS(SYS_pread64, fd, buf2, 4, 1L << 40));
	show("pread_neg_offset", SYS(SYS_pread64, fd, buf2, 4, -1L));
	show("pread_pipe", SYS(SYS_pread64, p[0], buf2, 4, 0));
	show("pread_badfd", SYS(SYS_pread64, -1, buf2, 4, 0));
	show("pread_efault", SYS(SYS_pread64, fd, BADPTR1, 4, 0));
	show("pread_dir", SYS(SYS_pread64, dirfd, buf2, 4, 0));
	show("pwrite_pipe", SYS(SYS_pwrite64, p[1], "x", 1, 0));
	show("pwrite_rdonly", SYS(SYS_pwrite64, fd, "x", 1, 0));
	show("pwrite_badfd", SYS(SYS_pwrite64, -1, "x", 1, 0));
	long nullfd = SYS(SYS_open, "/dev/null", O_WRONLY);
	show_fd("open_devnull_wronly", nullfd);
	show("pwrite_devnull", SYS(SYS_pwrite64, nullfd, "abc", 3, 100));
	show("pwrite_devnull_neg_offset", SYS(SYS_pwrite64, nullfd, "abc", 3, -1L));
	show("write_devnull", SYS(SYS_write, nullfd, "abcd", 4));
	show("read_devnull_wronly", SYS(SYS_read, nullfd, buf, 4));
	{
		long nfd = SYS(SYS_open, "/dev/null", O_RDONLY);
		show("read_devnull", SYS(SYS_read, nfd, buf, 4));
		SYS(SYS_close, nfd);
	}

	/* --- readv / writev ------------------------------------------- */
	{
		char a[5] = {0}, b[7] = {0};
		struct iovec iov[2] = {{a, 4}, {b, 6}};
		SYS(SYS_lseek, fd, 0, SEEK_SET);
		show("readv_2", SYS(SYS_readv, fd, iov, 2));
		show_bool("readv_data", memcmp(a, buf, 4) == 0 && memcmp(b, buf + 4, 6) == 0);
		show("readv_cnt0", SYS(SYS_readv, fd, iov, 0));
		show("readv_cnt_neg", SYS(SYS_readv, fd, iov, -1));
		show("readv_cnt_1025", SYS(SYS_readv, fd, iov, 1025));
		show("readv_iov_efault", SYS(SYS_readv, fd, BADPTR1, 2));
		struct iovec bad[2] = {{a, 4}, {BADPTR1, 6}};
		SYS(SYS_lseek, fd, 0, SEEK_SET);
		show("readv_partial_efault", SYS(SYS_readv, fd, bad, 2));
		struct iovec bad0[1] = {{BADPTR1, 6}};
		show("readv_base_efault", SYS(SYS_readv, fd, bad0, 1));
		struct iovec neg[1] = {{a, (size_t)-1}};
		show("readv_len_neg", SYS(SYS_readv, fd, neg, 1));
		show("readv_badfd", SYS(SYS_readv, -1, iov, 2));
		struct iovec w[3] = {{"ab", 2}, {"", 0}, {"cdef", 4}};
		show("writev_3", SYS(SYS_writev, p[1], w, 3));
		memset(buf2, 0, sizeof buf2);
		show("read_writev_data_len", SYS(SYS_read, p[0], buf2, sizeof buf2));
		show_str("read_writev_data", buf2);
		show("writev_iov_efault", SYS(SYS_writev, p[1], KADDR, 1));
		struct iovec wbad[1] = {{BADPTR1, 3}};
		show("writev_base_efault", SYS(SYS_writev, p[1], wbad, 1));
		show("writev_rdonly", SYS(SYS_writev, fd, w, 3));
		show("writev_cnt_1025", SYS(SYS_writev, p[1], w, 1025));
		struct iovec pi[1] = {{buf2, 3}};
		show("preadv_at_1", SYS(SYS_preadv, fd, pi, 1, 1, 0));
		show_bool("preadv_data", memcmp(buf2, buf + 1, 3) == 0);
	}

	/* --- lseek ---------------------------------------------------- */
	show("lseek_set_10", SYS(SYS_lseek, fd, 10, SEEK_SET));
	show("lseek_cur_5", SYS(SYS_lseek, fd, 5, SEEK_CUR));
	show("lseek_cur_neg_3", SYS(SYS_lseek, fd, -3, SEEK_CUR));
	SYS(SYS_fstat, fd, &st);
	show_bool("lseek_end_eq_size", SYS(SYS_lseek, fd, 0, SEEK_END) == st.st_size);
	show_bool("lseek_past_end", SYS(SYS_lseek, fd, 1000, SEEK_END) == st.st_size + 1000);
	show("read_past_end", SYS(SYS_read, fd, buf, 4));
	show("lseek_neg", SYS(SYS_lseek, fd, -1, SEEK_SET));
	show("lseek_cur_neg_big", SYS(SYS_lseek, fd, -(1L << 62), SEEK_CUR));
	show("lseek_whence_99", SYS(SYS_lseek, fd, 0, 99));
	show("lseek_data_0", SYS(SYS_lseek, fd, 0, SEEK_DATA));
	show_bool("lseek_hole_0_eq_size", SYS(SYS_lseek, fd, 0, SEEK_HOLE) == st.st_size);
	show("lseek_data_past_eof", SYS(SYS_lseek, fd, st.st_size + 10, SEEK_DATA));
	show("lseek_pipe", SYS(SYS_lseek, p[0], 0, SEEK_SET));
	show("lseek_badfd", SYS(SYS_lseek, -1, 0, SEEK_SET));
	show("lseek_dir_0", SYS(SYS_lseek, dirfd, 0, SEEK_SET));

	/* --- dup / dup2 / dup3 / close --------------------------------- */
	long d = SYS(SYS_dup, fd);
	show_fd("dup", d);
	show("dup_shares_offset_set", SYS(SYS_lseek, fd, 7, SEEK_SET));
	show("dup_shares_offset_get", SYS(SYS_lseek, d, 0, SEEK_CUR));
	show("close_dup", SYS(SYS_close, d));
	show("close_dup_again", SYS(SYS_close, d));
	show("close_neg", SYS(SYS_close, -1));
	show("close_big", SYS(SYS_close, 9999));
	show("dup_badfd", SYS(SYS_dup, -1));
	show_fd("dup_reuses_lowest", SYS(SYS_dup, fd));
	show_fd("dup2_same", SYS(SYS_dup2, fd, fd));
	show("dup2_same_bad", SYS(SYS_dup2, 9999, 9999));
	show("dup2_100", SYS(SYS_dup2, fd, 100));
	show("dup2_100_over_existing", SYS(SYS_dup2, dirfd, 100));
	show("dup2_100_is_dir", SYS(SYS_read, 100, buf, 1));
	show("dup2_bad_old", SYS(SYS_dup2, -1, 101));
	show("dup2_bad_new_neg", SYS(SYS_dup2, fd, -1));
	show("dup2_bad_new_huge", SYS(SYS_dup2, fd, INT_MAX));
	show("dup3_same", SYS(SYS_dup3, fd, fd, 0));
	show("dup3_badflags", SYS(SYS_dup3, fd, 102, 0x1234));
	show("dup3_cloexec", SYS(SYS_dup3, fd, 102, O_CLOEXEC));
	show("dup3_cloexec_getfd", SYS(SYS_fcntl, 102, F_GETFD));
	show("dup2_clears_cloexec", SYS(SYS_dup2, fd, 102));
	show("dup2_clears_cloexec_getfd", SYS(SYS_fcntl, 102, F_GETFD));

	/* --- fcntl ---------------------------------------------------- */
	show("fcntl_getfd", SYS(SYS_fcntl, fd, F_GETFD));
	show("fcntl_setfd", SYS(SYS_fcntl, fd, F_SETFD, FD_CLOEXEC));
	show("fcntl_getfd_after", SYS(SYS_fcntl, fd, F_GETFD));
	show("fcntl_setfd_0", SYS(SYS_fcntl, fd, F_SETFD, 0));
	printf("fcntl_getfl_rdonly: 0x%lx\n", SYS(SYS_fcntl, fd, F_GETFL));
	printf("fcntl_getfl_dir: 0x%lx\n", SYS(SYS_fcntl, dirfd, F_GETFL));
	printf("fcntl_getfl_pipe_r: 0x%lx\n", SYS(SYS_fcntl, p[0], F_GETFL));
	printf("fcntl_getfl_pipe_w: 0x%lx\n", SYS(SYS_fcntl, p[1], F_GETFL));
	printf("fcntl_getfl_devnull_w: 0x%lx\n", SYS(SYS_fcntl, nullfd, F_GETFL));
	show("fcntl_setfl_nonblock", SYS(SYS_fcntl, p[0], F_SETFL, O_NONBLOCK | O_WRONLY));
	printf("fcntl_getfl_after_setfl: 0x%lx\n", SYS(SYS_fcntl, p[0], F_GETFL));
	show("read_nonblock_empty", SYS(SYS_read, p[0], buf, 1));
	show("fcntl_dupfd_50", SYS(SYS_fcntl, fd, F_DUPFD, 50));
	show("fcntl_dupfd_50_again", SYS(SYS_fcntl, fd, F_DUPFD, 50));
	show("fcntl_dupfd_getfd", SYS(SYS_fcntl, 51, F_GETFD));
	show("fcntl_dupfd_cloexec_60", SYS(SYS_fcntl, fd, F_DUPFD_CLOEXEC, 60));
	show("fcntl_dupfd_cloexec_getfd", SYS(SYS_fcntl, 60, F_GETFD));
	show("fcntl_dupfd_neg", SYS(SYS_fcntl, fd, F_DUPFD, -1));
	show("fcntl_dupfd_huge", SYS(SYS_fcntl, fd, F_DUPFD, INT_MAX));
	show("fcntl_badcmd", SYS(SYS_fcntl, fd, 9999));
	show("fcntl_badfd", SYS(SYS_fcntl, -1, F_GETFD));
	show("fcntl_badfd_big", SYS(SYS_fcntl, 9999, F_GETFL));
	show("fcntl_getfd_closed", SYS(SYS_fcntl, 103, F_GETFD));

	/* close everything we opened; then the lowest free descriptor is base */
	for (int i = 100; i <= 102; i++)
		SYS(SYS_close, i);
	SYS(SYS_close, 50);
	SYS(SYS_close, 51);
	SYS(SYS_close, 60);
	long top = base + 20;
	for (long i = base; i < top; i++)
		SYS(SYS_close, i);
	show_fd("lowest_after_close", SYS(SYS_open, "/etc/passwd", O_RDONLY));

	/* advice: accepted for files, ESPIPE for pipes, EINVAL for bad advice */
	{
		long f = SYS(SYS_open, "/etc/passwd", O_RDONLY), d = SYS(SYS_open, "/etc", O_RDONLY);
		int p[2];
		SYS(SYS_pipe, p);
		show("fadvise_normal", SYS(SYS_fadvise64, f, 0, 0, 0));
		show("fadvise_willneed", SYS(SYS_fadvise64, f, 0, 4096, 3));
		show("fadvise_bad_advice", SYS(SYS_fadvise64, f, 0, 0, 9));
		show("fadvise_pipe", SYS(SYS_fadvise64, p[0], 0, 0, 0));
		show("fadvise_badfd", SYS(SYS_fadvise64, 999, 0, 0, 0));
		show("readahead_file", SYS(SYS_readahead, f, 0, 4096));
		show("readahead_dir", SYS(SYS_readahead, d, 0, 4096));
		show("readahead_pipe", SYS(SYS_readahead, p[0], 0, 4096));
		show("readahead_wronly", SYS(SYS_readahead, p[1], 0, 4096));
		SYS(SYS_close, f);
		SYS(SYS_close, d);
		SYS(SYS_close, p[0]);
		SYS(SYS_close, p[1]);
	}
	printf("done\n");
	return 0;
}
