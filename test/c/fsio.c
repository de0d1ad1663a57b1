/*
 * File I/O beyond fileio.c, on a read-only root: pwritev, preadv2,
 * pwritev2, sendfile, close_range, ftruncate, fallocate, fsync, fdatasync,
 * sync, syncfs, with their error cases.
 *
 * The only writable descriptors are /dev/null, /dev/zero, /dev/full and
 * pipes (tsvisor's root is read-only; natively the harness runs this
 * through rolaunch.c so that it is read-only too). Files are only read:
 * /etc/passwd and /usr/share/doc. Descriptor numbers are never printed;
 * close_range works on numbers from 100 up, which nothing inherits.
 */
#include "common.h"
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <linux/falloc.h>

#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

#define RWF_UNKNOWN (1 << 20) /* not an RWF_* flag on any kernel yet */

static long filefd, dirfd, pathfd, nullfd, zerofd, fullfd, pr, pw;
static char passwd[32768];
static long passwd_len;

/* Empty the pipe (non-blocking) and return how much was in it. */
static long drain(char *out, size_t size)
{
	static char scratch[256];
	long total = 0, n;
	int fl = SYS(SYS_fcntl, pr, F_GETFL);
	SYS(SYS_fcntl, pr, F_SETFL, fl | O_NONBLOCK);
	while ((n = out ? SYS(SYS_read, pr, out + total, size - total) : SYS(SYS_read, pr, scratch, sizeof scratch)) > 0)
		total += n;
	SYS(SYS_fcntl, pr, F_SETFL, fl);
	return total;
}

static long pos(long fd)
{
	return SYS(SYS_lseek, fd, 0, SEEK_CUR);
}

static void vectored(void)
{
	char a[8], b[16], got[64];
	struct iovec iov[2] = { { a, sizeof a }, { b, sizeof b } };
	struct iovec wiov[2] = { { "hello ", 6 }, { "world\n", 6 } };
	/* a length that does not fit in ssize_t is EINVAL; one that fits is
	 * cut down to what is left of MAX_RW_COUNT, and the range is then
	 * not user memory: EFAULT */
	struct iovec neglen[2] = { { "x", 1 }, { "y", (size_t)-1 } };
	struct iovec badlen[2] = { { "x", 1 }, { "y", (size_t)LONG_MAX } };
	struct iovec kiov[1] = { { KADDR, 4 } };
	static struct iovec many[1025];
	for (int i = 0; i < 1025; i++)
		many[i] = (struct iovec){ "z", 1 };

	/* --- pwritev --------------------------------------------------- */
	show("pwritev_dev_null", SYS(SYS_pwritev, nullfd, wiov, 2, 0, 0));
	show("pwritev_dev_null_far", SYS(SYS_pwritev, nullfd, wiov, 2, 1L << 40, 0));
	show("pwritev_dev_zero", SYS(SYS_pwritev, zerofd, wiov, 2, 0, 0));
	show("pwritev_dev_full", SYS(SYS_pwritev, fullfd, wiov, 2, 0, 0));
	show("pwritev_iovcnt_0", SYS(SYS_pwritev, nullfd, wiov, 0, 0, 0));
	show("pwritev_iovcnt_1024", SYS(SYS_pwritev, nullfd, many, 1024, 0, 0));
	show("pwritev_iovcnt_1025", SYS(SYS_pwritev, nullfd, many, 1025, 0, 0));
	show("pwritev_iovcnt_neg", SYS(SYS_pwritev, nullfd, wiov, -1, 0, 0));
	show("pwritev_iov_efault", SYS(SYS_pwritev, nullfd, BADPTR1, 2, 0, 0));
	show("pwritev_iov_base_kernel", SYS(SYS_pwritev, nullfd, kiov, 1, 0, 0));
	show("pwritev_len_overflow", SYS(SYS_pwritev, nullfd, badlen, 2, 0, 0));
	show("pwritev_len_negative", SYS(SYS_pwritev, nullfd, neglen, 2, 0, 0));
	show("pwritev_offset_neg", SYS(SYS_pwritev, nullfd, wiov, 2, -1, 0));
	show("pwritev_offset_neg_badfd", SYS(SYS_pwritev, 9999, wiov, 2, -1, 0));
	show("pwritev_pipe", SYS(SYS_pwritev, pw, wiov, 2, 0, 0));
	show("pwritev_pipe_read_end", SYS(SYS_pwritev, pr, wiov, 2, 0, 0));
	show("pwritev_rdonly_file", SYS(SYS_pwritev, filefd, wiov, 2, 0, 0));
	show("pwritev_dir", SYS(SYS_pwritev, dirfd, wiov, 2, 0, 0));
	show("pwritev_opath", SYS(SYS_pwritev, pathfd, wiov, 2, 0, 0));
	show("pwritev_badfd", SYS(SYS_pwritev, 9999, wiov, 2, 0, 0));
	show("pwritev_negfd", SYS(SYS_pwritev, -1, wiov, 2, 0, 0));
	show("pwritev_pipe_empty", drain(NULL, 0));

	/* --- preadv2 --------------------------------------------------- */
	SYS(SYS_lseek, filefd, 0, SEEK_SET);
	memset(a, 0, sizeof a);
	memset(b, 0, sizeof b);
	show("preadv2_offset_0", SYS(SYS_preadv2, filefd, iov, 2, 0, 0, 0));
	show_bool("preadv2_offset_0_data", !memcmp(a, passwd, 8) && !memcmp(b, passwd + 8, 16));
	show("preadv2_offset_0_pos_unchanged", pos(filefd));
	show("preadv2_offset_5", SYS(SYS_preadv2, filefd, iov, 2, 5, 0, 0));
	show_bool("preadv2_offset_5_data", !memcmp(a, passwd + 5, 8) && !memcmp(b, passwd + 13, 16));
	show("preadv2_offset_5_pos_unchanged", pos(filefd));
	show("preadv2_offset_cur", SYS(SYS_preadv2, filefd, iov, 2, -1, 0, 0));
	show("preadv2_offset_cur_pos_moved", pos(filefd));
	show("preadv2_offset_cur_again", SYS(SYS_preadv2, filefd, iov, 2, -1, 0, 0));
	show_bool("preadv2_offset_cur_again_data", !memcmp(a, passwd + 24, 8) && !memcmp(b, passwd + 32, 16));
	show("preadv2_offset_cur_pos_moved_again", pos(filefd));
	show("preadv2_at_eof", SYS(SYS_preadv2, filefd, iov, 2, passwd_len, 0, 0));
	show("preadv2_past_eof", SYS(SYS_preadv2, filefd, iov, 2, 1L << 40, 0, 0));
	show_bool("preadv2_tail", SYS(SYS_preadv2, filefd, iov, 2, passwd_len - 3, 0, 0) == 3);
	show("preadv2_offset_neg2", SYS(SYS_preadv2, filefd, iov, 2, -2, 0, 0));
	show("preadv2_offset_neg2_badfd", SYS(SYS_preadv2, 9999, iov, 2, -2, 0, 0));
	show("preadv2_unknown_flag", SYS(SYS_preadv2, filefd, iov, 2, 0, 0, RWF_UNKNOWN));
	show("preadv2_unknown_flag_cur", SYS(SYS_preadv2, filefd, iov, 2, -1, 0, RWF_UNKNOWN));
	show("preadv2_iovcnt_0", SYS(SYS_preadv2, filefd, iov, 0, 0, 0, 0));
	show("preadv2_iovcnt_1025", SYS(SYS_preadv2, filefd, many, 1025, 0, 0, 0));
	show("preadv2_iovcnt_neg", SYS(SYS_preadv2, filefd, iov, -1, 0, 0, 0));
	show("preadv2_iov_efault", SYS(SYS_preadv2, filefd, BADPTR1, 2, 0, 0, 0));
	show("preadv2_iov_base_kernel", SYS(SYS_preadv2, filefd, kiov, 1, 0, 0, 0));
	show("preadv2_len_overflow", SYS(SYS_preadv2, filefd, badlen, 2, 0, 0, 0));
	show("preadv2_len_negative", SYS(SYS_preadv2, filefd, neglen, 2, 0, 0, 0));
	memset(a, 1, sizeof a);
	show("preadv2_dev_zero", SYS(SYS_preadv2, zerofd, iov, 1, 0, 0, 0));
	show_bool("preadv2_dev_zero_data", !memcmp(a, "\0\0\0\0\0\0\0\0", 8));
	{
		long rfd = SYS(SYS_open, "/dev/null", O_RDONLY);
		show("preadv2_dev_null", SYS(SYS_preadv2, rfd, iov, 2, 0, 0, 0));
		SYS(SYS_close, rfd);
	}
	show("preadv2_write_only", SYS(SYS_preadv2, nullfd, iov, 2, 0, 0, 0));
	show("preadv2_dir", SYS(SYS_preadv2, dirfd, iov, 2, 0, 0, 0));
	show("preadv2_dir_cur", SYS(SYS_preadv2, dirfd, iov, 2, -1, 0, 0));
	show("preadv2_opath", SYS(SYS_preadv2, pathfd, iov, 2, 0, 0, 0));
	show("preadv2_badfd", SYS(SYS_preadv2, 9999, iov, 2, 0, 0, 0));
	SYS(SYS_write, pw, "pipe data\n", 10);
	show("preadv2_pipe_offset_0", SYS(SYS_preadv2, pr, iov, 2, 0, 0, 0));
	memset(a, 0, sizeof a);
	memset(b, 0, sizeof b);
	show("preadv2_pipe_cur", SYS(SYS_preadv2, pr, iov, 2, -1, 0, 0));
	show_bool("preadv2_pipe_cur_data", !memcmp(a, "pipe dat", 8) && !memcmp(b, "a\n", 2));
	show("preadv2_pipe_write_end", SYS(SYS_preadv2, pw, iov, 2, -1, 0, 0));

	/* --- pwritev2 -------------------------------------------------- */
	show("pwritev2_pipe_cur", SYS(SYS_pwritev2, pw, wiov, 2, -1, 0, 0));
	memset(got, 0, sizeof got);
	show("pwritev2_pipe_cur_readback", drain(got, sizeof got));
	show_str("pwritev2_pipe_cur_data", got);
	show("pwritev2_pipe_offset_0", SYS(SYS_pwritev2, pw, wiov, 2, 0, 0, 0));
	show("pwritev2_pipe_offset_neg2", SYS(SYS_pwritev2, pw, wiov, 2, -2, 0, 0));
	show("pwritev2_pipe_read_end", SYS(SYS_pwritev2, pr, wiov, 2, -1, 0, 0));
	show("pwritev2_pipe_unknown_flag", SYS(SYS_pwritev2, pw, wiov, 2, -1, 0, RWF_UNKNOWN));
	show("pwritev2_pipe_empty", drain(NULL, 0));
	show("pwritev2_dev_null_offset_0", SYS(SYS_pwritev2, nullfd, wiov, 2, 0, 0, 0));
	show("pwritev2_dev_null_cur", SYS(SYS_pwritev2, nullfd, wiov, 2, -1, 0, 0));
	show("pwritev2_dev_null_far", SYS(SYS_pwritev2, nullfd, wiov, 2, 1L << 40, 0, 0));
	show("pwritev2_dev_null_neg2", SYS(SYS_pwritev2, nullfd, wiov, 2, -2, 0, 0));
	show("pwritev2_dev_null_unknown_flag", SYS(SYS_pwritev2, nullfd, wiov, 2, 0, 0, RWF_UNKNOWN));
	show("pwritev2_dev_full", SYS(SYS_pwritev2, fullfd, wiov, 2, -1, 0, 0));
	show("pwritev2_iovcnt_0", SYS(SYS_pwritev2, nullfd, wiov, 0, -1, 0, 0));
	show("pwritev2_iovcnt_1025", SYS(SYS_pwritev2, nullfd, many, 1025, -1, 0, 0));
	show("pwritev2_iov_efault", SYS(SYS_pwritev2, nullfd, BADPTR1, 2, -1, 0, 0));
	show("pwritev2_len_overflow", SYS(SYS_pwritev2, nullfd, badlen, 2, -1, 0, 0));
	show("pwritev2_len_negative", SYS(SYS_pwritev2, nullfd, neglen, 2, -1, 0, 0));
	show("pwritev2_rdonly_file", SYS(SYS_pwritev2, filefd, wiov, 2, 0, 0, 0));
	show("pwritev2_rdonly_file_cur", SYS(SYS_pwritev2, filefd, wiov, 2, -1, 0, 0));
	show("pwritev2_dir", SYS(SYS_pwritev2, dirfd, wiov, 2, -1, 0, 0));
	show("pwritev2_opath", SYS(SYS_pwritev2, pathfd, wiov, 2, -1, 0, 0));
	show("pwritev2_badfd", SYS(SYS_pwritev2, 9999, wiov, 2, -1, 0, 0));
}

static void sendfile_cases(void)
{
	static char got[32768];
	long off;

	SYS(SYS_lseek, filefd, 0, SEEK_SET);
	long n = SYS(SYS_sendfile, pw, filefd, NULL, 100);
	show_bool("sendfile_pipe_count", n == (passwd_len < 100 ? passwd_len : 100));
	show_bool("sendfile_pipe_pos_advanced", pos(filefd) == n);
	long m = drain(got, sizeof got);
	show_bool("sendfile_pipe_data", m == n && !memcmp(got, passwd, n));
	off = 10;
	n = SYS(SYS_sendfile, pw, filefd, &off, 20);
	show("sendfile_offset", n);
	show("sendfile_offset_updated", off);
	show_bool("sendfile_offset_pos_unchanged", pos(filefd) == (passwd_len < 100 ? passwd_len : 100));
	m = drain(got, sizeof got);
	show_bool("sendfile_offset_data", m == 20 && !memcmp(got, passwd + 10, 20));
	off = 0;
	n = SYS(SYS_sendfile, pw, filefd, &off, 1L << 40);
	show_bool("sendfile_whole_file", n == passwd_len && off == passwd_len);
	m = drain(got, sizeof got);
	show_bool("sendfile_whole_file_data", m == passwd_len && !memcmp(got, passwd, passwd_len));
	off = passwd_len;
	show("sendfile_at_eof", SYS(SYS_sendfile, pw, filefd, &off, 10));
	off = 1L << 40;
	show("sendfile_past_eof", SYS(SYS_sendfile, pw, filefd, &off, 10));
	off = 0;
	show("sendfile_count_0", SYS(SYS_sendfile, pw, filefd, &off, 0));
	show("sendfile_count_0_offset", off);
	off = -1;
	show("sendfile_offset_neg", SYS(SYS_sendfile, pw, filefd, &off, 10));
	show("sendfile_offset_efault", SYS(SYS_sendfile, pw, filefd, BADPTR1, 10));
	off = 0;
	show("sendfile_to_dev_null", SYS(SYS_sendfile, nullfd, filefd, &off, 50));
	show("sendfile_to_dev_null_offset", off);
	off = 0;
	show("sendfile_to_dev_full", SYS(SYS_sendfile, fullfd, filefd, &off, 50));
	show("sendfile_from_dev_zero", SYS(SYS_sendfile, nullfd, zerofd, NULL, 4096));
	off = 0;
	show("sendfile_from_dev_zero_offset", SYS(SYS_sendfile, nullfd, zerofd, &off, 4096));
	{
		long appfd = SYS(SYS_open, "/dev/null", O_WRONLY | O_APPEND | O_CLOEXEC);
		off = 0;
		show("sendfile_to_append", SYS(SYS_sendfile, appfd, filefd, &off, 10));
		SYS(SYS_close, appfd);
	}
	show("sendfile_in_write_only", SYS(SYS_sendfile, pw, nullfd, NULL, 10));
	show("sendfile_out_read_only", SYS(SYS_sendfile, filefd, filefd, NULL, 10));
	show("sendfile_out_pipe_read_end", SYS(SYS_sendfile, pr, filefd, NULL, 10));
	show("sendfile_in_dir", SYS(SYS_sendfile, pw, dirfd, NULL, 10));
	show("sendfile_in_opath", SYS(SYS_sendfile, pw, pathfd, NULL, 10));
	show("sendfile_out_opath", SYS(SYS_sendfile, pathfd, filefd, NULL, 10));
	show("sendfile_in_badfd", SYS(SYS_sendfile, pw, 9999, NULL, 10));
	show("sendfile_out_badfd", SYS(SYS_sendfile, 9999, filefd, NULL, 10));
	SYS(SYS_write, pw, "abc", 3);
	off = 0;
	show("sendfile_in_pipe_offset", SYS(SYS_sendfile, nullfd, pr, &off, 3));
	show("sendfile_pipe_empty", drain(NULL, 0));
}

static void show_fd_state(const char *name, long fd)
{
	long r = SYS(SYS_fcntl, fd, F_GETFD);
	show(name, r);
}

static void close_range_cases(void)
{
	char nm[64];
	for (int fd = 100; fd <= 106; fd++)
		SYS(SYS_dup2, filefd, fd);
	show("close_range_middle", SYS(SYS_close_range, 102, 103, 0));
	for (int fd = 101; fd <= 104; fd++) {
		snprintf(nm, sizeof nm, "close_range_middle_fd%d", fd);
		show_fd_state(nm, fd);
	}
	show("close_range_first_gt_last", SYS(SYS_close_range, 105, 104, 0));
	show("close_range_unknown_flag", SYS(SYS_close_range, 104, 106, 1U << 3));
	show_fd_state("close_range_unknown_flag_fd104", 104);
	/* flags is an unsigned int: bits above 31 are not flags at all, so
	 * this closes 104..106 */
	show("close_range_flags_high_bits", SYS(SYS_close_range, 104, 106, 1UL << 32));
	show_fd_state("close_range_flags_high_bits_fd104", 104);
	for (int fd = 104; fd <= 106; fd++)
		SYS(SYS_dup2, filefd, fd);
	show("close_range_cloexec", SYS(SYS_close_range, 100, 101, CLOSE_RANGE_CLOEXEC));
	show_fd_state("close_range_cloexec_fd100", 100);
	show_fd_state("close_range_cloexec_fd101", 101);
	show("close_range_cloexec_over_hole", SYS(SYS_close_range, 101, 104, CLOSE_RANGE_CLOEXEC));
	show_fd_state("close_range_cloexec_over_hole_fd104", 104);
	show_fd_state("close_range_cloexec_over_hole_fd103", 103);
	show("close_range_single", SYS(SYS_close_range, 104, 104, 0));
	show_fd_state("close_range_single_fd104", 104);
	show("close_range_unshare", SYS(SYS_close_range, 105, 105, CLOSE_RANGE_UNSHARE));
	show_fd_state("close_range_unshare_fd105", 105);
	show("close_range_none_open", SYS(SYS_close_range, 200, 300, 0));
	show("close_range_max", SYS(SYS_close_range, 106, ~0U, 0));
	show_fd_state("close_range_max_fd106", 106);
	show("close_range_max_max", SYS(SYS_close_range, ~0U, ~0U, 0));
	show("close_range_high_args", SYS(SYS_close_range, 1UL << 32 | 100, 1UL << 32 | 101, 0));
	show_fd_state("close_range_high_args_fd100", 100);
	show("close_range_rest", SYS(SYS_close_range, 100, 101, 0));
	show_fd_state("close_range_rest_fd100", 100);
	show_bool("close_range_others_intact",
		  SYS(SYS_fcntl, filefd, F_GETFD) >= 0 && SYS(SYS_fcntl, pw, F_GETFD) >= 0 &&
		  SYS(SYS_fcntl, 1, F_GETFD) >= 0);
}

static void sizes_and_syncs(void)
{
	/* --- ftruncate ------------------------------------------------- */
	show("ftruncate_rdonly_file", SYS(SYS_ftruncate, filefd, 0));
	show("ftruncate_rdonly_file_neg", SYS(SYS_ftruncate, filefd, -1));
	show("ftruncate_dir", SYS(SYS_ftruncate, dirfd, 0));
	show("ftruncate_opath", SYS(SYS_ftruncate, pathfd, 0));
	show("ftruncate_pipe", SYS(SYS_ftruncate, pw, 0));
	show("ftruncate_pipe_read_end", SYS(SYS_ftruncate, pr, 0));
	show("ftruncate_dev_null", SYS(SYS_ftruncate, nullfd, 0));
	show("ftruncate_badfd", SYS(SYS_ftruncate, 9999, 0));
	show("ftruncate_negfd", SYS(SYS_ftruncate, -1, 0));
	show("ftruncate_neg_badfd", SYS(SYS_ftruncate, 9999, -1));

	/* --- fallocate ------------------------------------------------- */
	show("fallocate_rdonly_file", SYS(SYS_fallocate, filefd, 0, 0, 4096));
	show("fallocate_rdonly_file_keep_size", SYS(SYS_fallocate, filefd, FALLOC_FL_KEEP_SIZE, 0, 4096));
	show("fallocate_len_0", SYS(SYS_fallocate, filefd, 0, 0, 0));
	show("fallocate_len_neg", SYS(SYS_fallocate, filefd, 0, 0, -1));
	show("fallocate_offset_neg", SYS(SYS_fallocate, filefd, 0, -1, 10));
	show("fallocate_unknown_mode", SYS(SYS_fallocate, filefd, 0x1000, 0, 10));
	show("fallocate_punch_without_keep", SYS(SYS_fallocate, filefd, FALLOC_FL_PUNCH_HOLE, 0, 10));
	show("fallocate_punch_keep", SYS(SYS_fallocate, filefd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 10));
	show("fallocate_dir", SYS(SYS_fallocate, dirfd, 0, 0, 10));
	show("fallocate_opath", SYS(SYS_fallocate, pathfd, 0, 0, 10));
	show("fallocate_pipe", SYS(SYS_fallocate, pw, 0, 0, 10));
	show("fallocate_pipe_read_end", SYS(SYS_fallocate, pr, 0, 0, 10));
	show("fallocate_dev_null", SYS(SYS_fallocate, nullfd, 0, 0, 10));
	show("fallocate_badfd", SYS(SYS_fallocate, 9999, 0, 0, 10));
	show("fallocate_len_0_badfd", SYS(SYS_fallocate, 9999, 0, 0, 0));

	/* --- fsync / fdatasync / sync / syncfs -------------------------- */
	const struct {
		const char *label;
		long fd;
	} fds[] = {
		{ "file", filefd }, { "dir", dirfd }, { "opath", pathfd }, { "pipe", pw },
		{ "pipe_read_end", pr }, { "dev_null", nullfd }, { "badfd", 9999 }, { "negfd", -1 },
	};
	char nm[64];
	for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++) {
		snprintf(nm, sizeof nm, "fsync(%s)", fds[i].label);
		show(nm, SYS(SYS_fsync, fds[i].fd));
		snprintf(nm, sizeof nm, "fdatasync(%s)", fds[i].label);
		show(nm, SYS(SYS_fdatasync, fds[i].fd));
		snprintf(nm, sizeof nm, "syncfs(%s)", fds[i].label);
		show(nm, SYS(SYS_syncfs, fds[i].fd));
	}
	show("sync", SYS(SYS_sync));
}

int main(void)
{
	int p[2];

	if (chdir("/") != 0)
		return 2;
	if (access("/", W_OK) == 0 || errno != EROFS) {
		fprintf(stderr, "fsio: / is not read-only; run me through rolaunch\n");
		return 3;
	}
	filefd = SYS(SYS_open, "/etc/passwd", O_RDONLY);
	dirfd = SYS(SYS_open, "/usr/share/doc", O_RDONLY | O_DIRECTORY);
	pathfd = SYS(SYS_open, "/etc/passwd", O_PATH);
	nullfd = SYS(SYS_open, "/dev/null", O_WRONLY);
	zerofd = SYS(SYS_open, "/dev/zero", O_RDWR);
	fullfd = SYS(SYS_open, "/dev/full", O_WRONLY);
	show("pipe2", SYS(SYS_pipe2, p, 0));
	pr = p[0];
	pw = p[1];
	show_bool("fds_open", filefd >= 0 && dirfd >= 0 && pathfd >= 0 && nullfd >= 0 && zerofd >= 0 &&
		  fullfd >= 0);
	passwd_len = SYS(SYS_pread64, filefd, passwd, sizeof passwd, 0);
	show_bool("passwd_read", passwd_len > 48 && passwd_len < (long)sizeof passwd);

	vectored();
	sendfile_cases();
	close_range_cases();
	sizes_and_syncs();
	printf("done\n");
	return 0;
}
