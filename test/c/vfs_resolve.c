/*
 * openat2(2)'s RESOLVE_* flags and the path walk's corner cases: BENEATH,
 * IN_ROOT, NO_SYMLINKS, NO_XDEV, CACHED; trailing slashes, "." and ".."
 * across a mount root, AT_EMPTY_PATH and AT_SYMLINK_NOFOLLOW. Runs in a
 * private mount namespace on a tmpfs over /tmp, natively and under tsvisor.
 */
#include "private_tmp.h"
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <linux/openat2.h>

static ino_t file_ino;

static long o2(int dirfd, const char *path, unsigned long long flags, unsigned long long resolve)
{
	struct open_how how = { .flags = flags, .mode = flags & O_CREAT ? 0644 : 0, .resolve = resolve };
	return syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

/* Prints the error, or which file was opened: "file" (the test file), "dir", or "other". */
static void try(const char *name, int dirfd, const char *path, unsigned long long flags, unsigned long long resolve)
{
	long fd = o2(dirfd, path, flags, resolve);
	if (fd < 0) {
		printf("%s: -1 %s\n", name, errname(errno));
		return;
	}
	struct stat st;
	fstat(fd, &st);
	printf("%s: %s\n", name, st.st_ino == file_ino ? "file" : S_ISDIR(st.st_mode) ? "dir" :
		S_ISLNK(st.st_mode) ? "symlink" : "other");
	close(fd);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (private_tmp("size=1m") < 0) return 3;
	mkdir("/tmp/r", 0755);
	mkdir("/tmp/r/a", 0755);
	mkdir("/tmp/r/a/b", 0755);
	close(open("/tmp/r/a/b/file", O_CREAT | O_WRONLY, 0644));
	struct stat st;
	stat("/tmp/r/a/b/file", &st);
	file_ino = st.st_ino;
	symlink("/tmp/r/a", "/tmp/r/link_abs");
	symlink("a", "/tmp/r/link_rel");
	symlink("..", "/tmp/r/a/up");
	symlink("/b/file", "/tmp/r/a/abs_in");
	symlink("b/file", "/tmp/r/a/rel_in");
	mkdir("/tmp/r/m", 0755);
	mount("tmpfs", "/tmp/r/m", "tmpfs", 0, "size=64k");
	mkdir("/tmp/r/m/x", 0755);
	symlink("/tmp/r/a", "/tmp/r/m/out");
	int r = open("/tmp/r", O_PATH | O_DIRECTORY);
	int a = open("/tmp/r/a", O_RDONLY | O_DIRECTORY);
	int m = open("/tmp/r/m", O_RDONLY | O_DIRECTORY);

	try("plain", r, "a/b/file", O_RDONLY, 0);
	try("beneath_ok", a, "b/file", O_RDONLY, RESOLVE_BENEATH);
	try("beneath_dotdot_inside", a, "b/../b/file", O_RDONLY, RESOLVE_BENEATH);
	try("beneath_dotdot_out", a, "../a/b/file", O_RDONLY, RESOLVE_BENEATH);
	try("beneath_absolute", a, "/tmp/r/a/b/file", O_RDONLY, RESOLVE_BENEATH);
	try("beneath_abs_symlink", a, "abs_in", O_RDONLY, RESOLVE_BENEATH);
	try("beneath_rel_symlink", a, "rel_in", O_RDONLY, RESOLVE_BENEATH);
	try("beneath_up_symlink", a, "up/a/b/file", O_RDONLY, RESOLVE_BENEATH);
	try("in_root_absolute", a, "/b/file", O_RDONLY, RESOLVE_IN_ROOT);
	try("in_root_dotdot_clamped", a, "../../../b/file", O_RDONLY, RESOLVE_IN_ROOT);
	try("in_root_abs_symlink", a, "abs_in", O_RDONLY, RESOLVE_IN_ROOT);
	try("in_root_up_symlink", a, "up/b/file", O_RDONLY, RESOLVE_IN_ROOT);
	try("beneath_and_in_root", a, "b/file", O_RDONLY, RESOLVE_BENEATH | RESOLVE_IN_ROOT);
	try("no_symlinks_middle", r, "link_rel/b/file", O_RDONLY, RESOLVE_NO_SYMLINKS);
	try("no_symlinks_final", a, "rel_in", O_RDONLY, RESOLVE_NO_SYMLINKS);
	try("no_symlinks_final_opath_nofollow", a, "rel_in", O_PATH | O_NOFOLLOW, RESOLVE_NO_SYMLINKS);
	try("no_symlinks_plain", r, "a/b/file", O_RDONLY, RESOLVE_NO_SYMLINKS);
	try("no_xdev_into_mount", r, "m/x", O_RDONLY, RESOLVE_NO_XDEV);
	try("no_xdev_out_of_mount", m, "../a/b/file", O_RDONLY, RESOLVE_NO_XDEV);
	try("no_xdev_symlink_out", m, "out/b/file", O_RDONLY, RESOLVE_NO_XDEV);
	try("no_xdev_inside", m, "x", O_RDONLY, RESOLVE_NO_XDEV);
	try("no_xdev_abs_same_mount", m, "/tmp/r/m/x", O_RDONLY, RESOLVE_NO_XDEV);
	try("cached_creat", r, "new", O_CREAT | O_WRONLY, RESOLVE_CACHED);
	try("cached_trunc", r, "a/b/file", O_WRONLY | O_TRUNC, RESOLVE_CACHED);
	try("unknown_resolve", r, "a", O_RDONLY, 0x40);

	/* the walk */
	try("dotdot_mount_root", m, "..", O_RDONLY, 0);
	try("dot_in_mount", m, "./x/.", O_RDONLY, 0);
	try("trailing_slash_file", r, "a/b/file/", O_RDONLY, 0);
	try("trailing_dot_file", r, "a/b/file/.", O_RDONLY, 0);
	try("trailing_slash_symlink_dir", r, "link_rel/", O_RDONLY, 0);
	try("nofollow_symlink_dir_slash", r, "link_rel/", O_RDONLY | O_NOFOLLOW, 0);
	try("many_slashes", r, "a//b///file", O_RDONLY, 0);
	try("empty_path", r, "", O_RDONLY, 0);
	try("up_chain", a, "up/up/up/up/tmp/r/a/b/file", O_RDONLY, 0);
	show("fstatat_empty_path", fstatat(a, "", &st, AT_EMPTY_PATH));
	printf("fstatat_empty_path_isdir: %d\n", S_ISDIR(st.st_mode));
	show("fstatat_empty_no_flag", fstatat(a, "", &st, 0));
	show("fstatat_nofollow", fstatat(a, "rel_in", &st, AT_SYMLINK_NOFOLLOW));
	printf("fstatat_nofollow_islnk: %d\n", S_ISLNK(st.st_mode));
	show("fstatat_bad_flag", fstatat(a, "rel_in", &st, 0x4000000));
	show("faccessat2_nofollow", syscall(SYS_faccessat2, a, "rel_in", F_OK, AT_SYMLINK_NOFOLLOW));
	show("faccessat2_eaccess", syscall(SYS_faccessat2, a, "b/file", R_OK, AT_EACCESS));
	show("faccessat2_bad", syscall(SYS_faccessat2, a, "b/file", R_OK, 0x8000));
	show("openat_notdir_fd", openat(open("/tmp/r/a/b/file", O_RDONLY), "x", O_RDONLY));
	show("mkdir_through_symlink_dir", mkdirat(r, "link_rel/newdir", 0755));
	show("mkdir_via_dangling_symlink", (symlink("nowhere", "/tmp/r/dang"), mkdir("/tmp/r/dang", 0755)));
	show("rename_to_trailing_dot", rename("/tmp/r/a/b/file", "/tmp/r/a/b/."));
	printf("done\n");
	return 0;
}
