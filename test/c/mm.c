/*
 * Memory management: mmap (anonymous private/shared, MAP_FIXED,
 * MAP_FIXED_NOREPLACE, hints, file mappings), munmap, mprotect, mremap, brk,
 * madvise, mincore, msync, and their error cases. Addresses are never
 * printed, only relations between them. Nothing here faults.
 */
#include "common.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#define PG 4096L
/* A hint far from anything the loader or the kernel picks by itself. */
#define HINT ((void *)0x300000000000UL)

static void *mm(void *addr, long len, long prot, long flags, long fd, long off)
{
	return (void *)SYS(SYS_mmap, addr, len, prot, flags, fd, off);
}

static int all_bytes(const void *p, int c, long n)
{
	const unsigned char *s = p;
	for (long i = 0; i < n; i++)
		if (s[i] != (unsigned char)c)
			return 0;
	return 1;
}

/* An address that was mapped a moment ago and is not now. */
static char *hole(void)
{
	char *p = (char *)SYS(SYS_mmap, NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	SYS(SYS_munmap, p, PG);
	return p;
}

static long resident(void *addr)
{
	unsigned char v = 0xff;
	long r = SYS(SYS_mincore, addr, PG, &v);
	return r == 0 ? (v & 1) : r;
}

int main(void)
{
	const long RW = PROT_READ | PROT_WRITE;
	const long PA = MAP_PRIVATE | MAP_ANONYMOUS;
	printf("start\n");

	/* --- brk first: nothing below allocates from the heap ---------- */
	long cur = SYS(SYS_brk, 0);
	show_bool("brk_query_nonzero", cur > 0);
	show_bool("brk_query_stable", SYS(SYS_brk, 0) == cur);
	long want = cur + 64 * 1024;
	show_bool("brk_grow", SYS(SYS_brk, want) == want);
	show_bool("brk_query_after_grow", SYS(SYS_brk, 0) == want);
	memset((void *)cur, 0x5a, 64 * 1024);
	show_bool("brk_memory_usable", all_bytes((void *)cur, 0x5a, 64 * 1024));
	show_bool("brk_unaligned", SYS(SYS_brk, want + 100) == want + 100);
	show_bool("brk_shrink", SYS(SYS_brk, cur + PG) == cur + PG);
	show_bool("brk_shrunk_page_unmapped", resident((void *)(cur + 2 * PG)) == -1 && errno == ENOMEM);
	show_bool("brk_regrow_zeroed", SYS(SYS_brk, cur + 4 * PG) == cur + 4 * PG &&
				       all_bytes((void *)(cur + 2 * PG), 0, PG));
	show_bool("brk_restore", SYS(SYS_brk, cur) == cur);
	show_bool("brk_below_start_ignored", SYS(SYS_brk, 4096) == cur);
	show_bool("brk_huge_ignored", SYS(SYS_brk, 0x7fffffffffffUL) == cur);
	show_bool("brk_negative_ignored", SYS(SYS_brk, -1L) == cur);

	/* --- anonymous private ----------------------------------------- */
	char *a = show_ptr("mmap_anon_private", mm(NULL, 3 * PG, RW, PA, -1, 0));
	show_bool("mmap_anon_page_aligned", ((long)a & (PG - 1)) == 0);
	show_bool("mmap_anon_zeroed", all_bytes(a, 0, 3 * PG));
	memset(a, 0x11, 3 * PG);
	show_bool("mmap_anon_writable", all_bytes(a, 0x11, 3 * PG));
	show("mincore_touched", resident(a));

	/* --- MAP_FIXED / MAP_FIXED_NOREPLACE --------------------------- */
	char *f = mm(a + PG, PG, RW, PA | MAP_FIXED, -1, 0);
	show_bool("mmap_fixed_at_addr", f == a + PG);
	show_bool("mmap_fixed_replaced_zeroed", all_bytes(a + PG, 0, PG));
	show_bool("mmap_fixed_neighbours_kept", all_bytes(a, 0x11, PG) && all_bytes(a + 2 * PG, 0x11, PG));
	show_ptr("mmap_fixed_noreplace_busy", mm(a, PG, RW, PA | MAP_FIXED_NOREPLACE, -1, 0));
	show_ptr("mmap_fixed_noreplace_partial", mm(a - PG, 2 * PG, RW, PA | MAP_FIXED_NOREPLACE, -1, 0));
	show_ptr("mmap_fixed_unaligned", mm(a + 1, PG, RW, PA | MAP_FIXED, -1, 0));
	show_ptr("mmap_fixed_noreplace_unaligned", mm(a + 1, PG, RW, PA | MAP_FIXED_NOREPLACE, -1, 0));

	/* --- hints ----------------------------------------------------- */
	char *h = mm(HINT, PG, RW, PA, -1, 0);
	show_bool("mmap_hint_honoured", h == HINT);
	char *h2 = mm(HINT, PG, RW, PA, -1, 0);
	show_bool("mmap_hint_busy_elsewhere", h2 != (void *)-1 && h2 != HINT);
	show_bool("mmap_hint_busy_kept", h[0] == 0);
	char *h3 = mm((char *)HINT + 123, PG, RW, PA, -1, 0);
	show_bool("mmap_hint_unaligned_ok", h3 != (void *)-1 && ((long)h3 & (PG - 1)) == 0);
	char *nr = mm((char *)HINT + 16 * PG, PG, RW, PA | MAP_FIXED_NOREPLACE, -1, 0);
	show_bool("mmap_fixed_noreplace_free", nr == (char *)HINT + 16 * PG);

	/* --- mmap errors ------------------------------------------------ */
	show_ptr("mmap_len0", mm(NULL, 0, RW, PA, -1, 0));
	show_ptr("mmap_no_type", mm(NULL, PG, RW, MAP_ANONYMOUS, -1, 0));
	show_ptr("mmap_both_types", mm(NULL, PG, RW, MAP_PRIVATE | MAP_SHARED | MAP_ANONYMOUS, -1, 0));
	show_ptr("mmap_anon_unaligned_off", mm(NULL, PG, RW, PA, -1, 1));
	show_ptr("mmap_huge_len", mm(NULL, 1L << 47, RW, PA, -1, 0));
	show_ptr("mmap_neg_len", mm(NULL, -PG, RW, PA, -1, 0));
	show_ptr("mmap_fixed_kernel", mm(KADDR, PG, RW, PA | MAP_FIXED, -1, 0));
	show_ptr("mmap_fixed_past_task_size", mm((void *)0x7ffffffff000UL, 2 * PG, RW, PA | MAP_FIXED, -1, 0));
	show_ptr("mmap_badfd", mm(NULL, PG, PROT_READ, MAP_PRIVATE, 9999, 0));
	show_ptr("mmap_negfd", mm(NULL, PG, PROT_READ, MAP_PRIVATE, -1, 0));
	show_ptr("mmap_shared_validate_badflag", mm(NULL, PG, RW, MAP_SHARED_VALIDATE | MAP_ANONYMOUS | 0x800000, -1, 0));
	char *nolen = mm(NULL, 1L << 30, PROT_NONE, PA | MAP_NORESERVE, -1, 0);
	show_bool("mmap_1g_prot_none", nolen != (void *)-1);

	/* --- shared anonymous ------------------------------------------ */
	char *s = show_ptr("mmap_anon_shared", mm(NULL, 2 * PG, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
	memset(s, 0x22, 2 * PG);
	show_bool("mmap_shared_writable", all_bytes(s, 0x22, 2 * PG));

	/* --- madvise --------------------------------------------------- */
	show("madvise_dontneed_private", SYS(SYS_madvise, a, PG, MADV_DONTNEED));
	show_bool("madvise_dontneed_private_zeroes", all_bytes(a, 0, PG));
	show_bool("madvise_dontneed_private_rest_kept", all_bytes(a + 2 * PG, 0x11, PG));
	show("madvise_dontneed_shared", SYS(SYS_madvise, s, PG, MADV_DONTNEED));
	show_bool("madvise_dontneed_shared_keeps", all_bytes(s, 0x22, PG));
	show("madvise_normal", SYS(SYS_madvise, a, 3 * PG, MADV_NORMAL));
	show("madvise_willneed", SYS(SYS_madvise, a, 3 * PG, MADV_WILLNEED));
	show("madvise_badadvice", SYS(SYS_madvise, a, PG, 12345));
	show("madvise_unaligned", SYS(SYS_madvise, a + 1, PG, MADV_NORMAL));
	show("madvise_len0", SYS(SYS_madvise, a, 0, MADV_DONTNEED));

	/* --- munmap / mincore ------------------------------------------- */
	show("munmap_middle", SYS(SYS_munmap, a + PG, PG));
	show("mincore_unmapped", resident(a + PG));
	show("mincore_first_kept", SYS(SYS_mincore, a, PG, (unsigned char[1]){0}));
	a[2 * PG] = 1;
	show("mincore_touched_after_hole", resident(a + 2 * PG));
	show("mincore_span_hole", SYS(SYS_mincore, a, 3 * PG, (unsigned char[3]){0}));
	show("mincore_unaligned", SYS(SYS_mincore, a + 1, PG, (unsigned char[1]){0}));
	show("mincore_vec_efault", SYS(SYS_mincore, a, PG, BADPTR1));
	show("mincore_kernel", SYS(SYS_mincore, KADDR, PG, (unsigned char[1]){0}));
	show("munmap_again", SYS(SYS_munmap, a + PG, PG));
	show("munmap_len0", SYS(SYS_munmap, a, 0));
	show("munmap_unaligned", SYS(SYS_munmap, a + 1, PG));
	show("munmap_kernel", SYS(SYS_munmap, KADDR, PG));
	show("munmap_huge", SYS(SYS_munmap, a, 1L << 62));

	/* --- mprotect --------------------------------------------------- */
	a[0] = 42;
	show("mprotect_read", SYS(SYS_mprotect, a, PG, PROT_READ));
	show_bool("mprotect_read_value", a[0] == 42);
	show("mprotect_none", SYS(SYS_mprotect, a, PG, PROT_NONE));
	show("mprotect_rw_again", SYS(SYS_mprotect, a, PG, RW));
	show_bool("mprotect_rw_value", a[0] == 42);
	show("mprotect_hole", SYS(SYS_mprotect, a, 3 * PG, PROT_READ));
	/* Linux changes the pages before the hole before failing; put them back. */
	show("mprotect_restore_after_hole", SYS(SYS_mprotect, a, PG, RW));
	show("mprotect_unmapped", SYS(SYS_mprotect, a + PG, PG, PROT_READ));
	show("mprotect_badprot", SYS(SYS_mprotect, a, PG, 0x1000));
	show("mprotect_unaligned", SYS(SYS_mprotect, a + 1, PG, PROT_READ));
	show("mprotect_len0", SYS(SYS_mprotect, a, 0, PROT_READ));
	show("mprotect_kernel", SYS(SYS_mprotect, KADDR, PG, PROT_READ));
	a[0] = 43; /* still writable: the failed calls changed nothing */
	show_bool("mprotect_after_failures_writable", a[0] == 43);

	/* --- mremap ----------------------------------------------------- */
	char *r = mm(NULL, 4 * PG, PROT_NONE, PA, -1, 0);
	SYS(SYS_mprotect, r, PG, RW);
	r[0] = 7;
	show_ptr("mremap_grow_blocked", (void *)SYS(SYS_mremap, r, PG, 2 * PG, 0));
	SYS(SYS_munmap, r + PG, PG);
	show_bool("mremap_grow_in_place", (char *)SYS(SYS_mremap, r, PG, 2 * PG, 0) == r);
	show_bool("mremap_grown_data", r[0] == 7 && r[PG] == 0);
	show_bool("mremap_shrink", (char *)SYS(SYS_mremap, r, 2 * PG, PG, 0) == r);
	show("mremap_shrunk_tail_unmapped", resident(r + PG));
	show_bool("mremap_shrink_data", r[0] == 7);
	char *m = mm(NULL, 2 * PG, RW, PA, -1, 0);
	memset(m, 0x33, 2 * PG);
	mm(m + 2 * PG, PG, PROT_NONE, PA | MAP_FIXED_NOREPLACE, -1, 0); /* block growth */
	show_ptr("mremap_grow_no_maymove", (void *)SYS(SYS_mremap, m, 2 * PG, 8 * PG, 0));
	char *m2 = (char *)SYS(SYS_mremap, m, 2 * PG, 8 * PG, MREMAP_MAYMOVE);
	show_bool("mremap_maymove_moved", m2 != (void *)-1 && m2 != m);
	show_bool("mremap_maymove_data", all_bytes(m2, 0x33, 2 * PG) && all_bytes(m2 + 2 * PG, 0, 6 * PG));
	show("mremap_maymove_old_gone", resident(m));
	char *target = mm(NULL, 8 * PG, PROT_NONE, PA, -1, 0);
	char *m3 = (char *)SYS(SYS_mremap, m2, 8 * PG, 8 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, target);
	show_bool("mremap_fixed_at_target", m3 == target);
	show_bool("mremap_fixed_data", all_bytes(m3, 0x33, 2 * PG));
	show("mremap_fixed_without_maymove", SYS(SYS_mremap, m3, PG, PG, MREMAP_FIXED, HINT));
	show("mremap_badflags", SYS(SYS_mremap, m3, PG, PG, 0x100));
	show("mremap_unaligned", SYS(SYS_mremap, m3 + 1, PG, PG, 0));
	show("mremap_newlen0", SYS(SYS_mremap, m3, PG, 0, MREMAP_MAYMOVE));
	show("mremap_unmapped", SYS(SYS_mremap, hole(), PG, 2 * PG, MREMAP_MAYMOVE));
	show("mremap_fixed_overlap", SYS(SYS_mremap, m3, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, m3 + PG));
	show("mremap_huge", SYS(SYS_mremap, m3, PG, 1L << 47, MREMAP_MAYMOVE));

	/* --- file mappings ---------------------------------------------- */
	long fd = SYS(SYS_open, "/etc/passwd", O_RDONLY);
	struct stat st;
	SYS(SYS_fstat, fd, &st);
	long size = st.st_size;
	long maplen = (size + PG - 1) & ~(PG - 1);
	char *buf = mm(NULL, maplen, RW, PA, -1, 0);
	show_bool("read_whole_file", SYS(SYS_read, fd, buf, size) == size);
	char *fp = show_ptr("mmap_file_private", mm(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0));
	show_bool("mmap_file_matches_read", memcmp(fp, buf, size) == 0);
	show_bool("mmap_file_tail_zero", all_bytes(fp + size, 0, maplen - size));
	char *fs = show_ptr("mmap_file_shared_ro", mm(NULL, size, PROT_READ, MAP_SHARED, fd, 0));
	show_bool("mmap_file_shared_matches", memcmp(fs, buf, size) == 0);
	char *fw = show_ptr("mmap_file_private_rw", mm(NULL, size, RW, MAP_PRIVATE, fd, 0));
	fw[0] = fw[0] ^ 0x20;
	char c = 0;
	SYS(SYS_pread64, fd, &c, 1, 0);
	show_bool("mmap_private_write_not_in_file", c == buf[0]);
	show_bool("mmap_private_write_not_in_other_map", fp[0] == buf[0]);
	show("munmap_file", SYS(SYS_munmap, fw, size));
	show_ptr("mmap_file_shared_write_rdonly", mm(NULL, size, RW, MAP_SHARED, fd, 0));
	show_ptr("mmap_file_unaligned_off", mm(NULL, size, PROT_READ, MAP_PRIVATE, fd, 100));
	show_ptr("mmap_file_badfd", mm(NULL, size, PROT_READ, MAP_PRIVATE, 9999, 0));
	show_ptr("mmap_file_closedfd", mm(NULL, size, PROT_READ, MAP_PRIVATE, fd + 50, 0));
	long dfd = SYS(SYS_open, "/etc", O_RDONLY | O_DIRECTORY);
	show_ptr("mmap_dir", mm(NULL, PG, PROT_READ, MAP_PRIVATE, dfd, 0));
	long pfd = SYS(SYS_open, "/etc/passwd", O_PATH);
	show_ptr("mmap_opath", mm(NULL, PG, PROT_READ, MAP_PRIVATE, pfd, 0));
	{
		int p[2];
		SYS(SYS_pipe2, p, 0);
		show_ptr("mmap_pipe", mm(NULL, PG, PROT_READ, MAP_PRIVATE, p[0], 0));
	}
	long wfd = SYS(SYS_open, "/dev/null", O_WRONLY);
	show_ptr("mmap_wronly_read", mm(NULL, PG, PROT_READ, MAP_PRIVATE, wfd, 0));
	char *fo = mm(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 1L << 30);
	show_bool("mmap_file_beyond_eof_ok", fo != (void *)-1);

	/* --- msync ------------------------------------------------------- */
	show("msync_file", SYS(SYS_msync, fs, size, MS_SYNC));
	show("msync_anon", SYS(SYS_msync, s, PG, MS_ASYNC));
	show("msync_badflags", SYS(SYS_msync, s, PG, MS_SYNC | MS_ASYNC));
	show("msync_unaligned", SYS(SYS_msync, s + 1, PG, MS_SYNC));
	show("msync_unmapped", SYS(SYS_msync, hole(), PG, MS_SYNC));
	show("madvise_unmapped", SYS(SYS_madvise, hole(), PG, MADV_NORMAL));
	show("munmap_unmapped", SYS(SYS_munmap, hole(), PG));

	/* --- munmap of everything still mapped works --------------------- */
	show("munmap_anon", SYS(SYS_munmap, a, 3 * PG));
	show("munmap_shared", SYS(SYS_munmap, s, 2 * PG));
	show("munmap_1g", SYS(SYS_munmap, nolen, 1L << 30));
	show("mincore_after_munmap", resident(s));

	printf("done\n");
	return 0;
}
