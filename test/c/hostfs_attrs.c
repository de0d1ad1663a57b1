/*
 * Attributes of files in a volume: chmod, chown (as root), truncate,
 * utimensat with UTIME_OMIT, fchmodat on a symlink without following,
 * lchown, fallocate, user.* extended attributes, statfs. Given an empty
 * directory; run natively on a scratch directory and under tsvisor on /data.
 */
#include "common.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/xattr.h>

static char pa[4096];
static const char *A(const char *dir, const char *n) { snprintf(pa, sizeof pa, "%s/%s", dir, n); return pa; }

static void mode_of(const char *label, const char *p) {
	struct stat st;
	if (lstat(p, &st) < 0) { printf("%s: -1 %s\n", label, errname(errno)); return; }
	printf("%s: mode %o uid %u gid %u size %ld\n", label, st.st_mode & 07777, st.st_uid, st.st_gid, (long)st.st_size);
}

int main(int argc, char **argv) {
	if (argc < 2) return 2;
	const char *d = argv[1];
	struct stat st;
	int fd = open(A(d, "f"), O_CREAT | O_WRONLY, 0600);
	write(fd, "0123456789", 10);
	close(fd);
	show("chmod", chmod(A(d, "f"), 0754));
	mode_of("after chmod", A(d, "f"));
	show("chmod setuid", chmod(A(d, "f"), 04755));
	mode_of("after chmod setuid", A(d, "f"));
	if (getuid() == 0) {
		show("chown", chown(A(d, "f"), 1234, 5678));
		mode_of("after chown", A(d, "f"));
		show("chown gid only", chown(A(d, "f"), -1, 42));
		mode_of("after chown gid", A(d, "f"));
	}
	show("truncate", truncate(A(d, "f"), 4));
	mode_of("after truncate", A(d, "f"));
	show("truncate a directory", truncate(d, 0));
	struct timespec ts[2] = {{1000, 5}, {2000, 7}};
	show("utimensat", utimensat(AT_FDCWD, A(d, "f"), ts, 0));
	stat(A(d, "f"), &st);
	printf("times: %ld.%ld %ld.%ld\n", (long)st.st_atim.tv_sec, st.st_atim.tv_nsec, (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	struct timespec omit[2] = {{0, UTIME_OMIT}, {3000, 0}};
	show("utimensat omit atime", utimensat(AT_FDCWD, A(d, "f"), omit, 0));
	stat(A(d, "f"), &st);
	printf("times: %ld.%ld %ld.%ld\n", (long)st.st_atim.tv_sec, st.st_atim.tv_nsec, (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	show("symlink", symlink("f", A(d, "l")));
	show("fchmodat nofollow on a symlink", fchmodat(AT_FDCWD, A(d, "l"), 0600, AT_SYMLINK_NOFOLLOW));
	show("utimensat nofollow on a symlink", utimensat(AT_FDCWD, A(d, "l"), ts, AT_SYMLINK_NOFOLLOW));
	lstat(A(d, "l"), &st);
	printf("link mtime: %ld\n", (long)st.st_mtim.tv_sec);
	if (getuid() == 0) {
		show("lchown", lchown(A(d, "l"), 99, 98));
		lstat(A(d, "l"), &st);
		printf("link owner: %u %u\n", st.st_uid, st.st_gid);
	}
	fd = open(A(d, "f"), O_RDWR);
	show("fallocate", fallocate(fd, 0, 0, 8192));
	fstat(fd, &st);
	printf("size after fallocate: %ld\n", (long)st.st_size);
	show("fallocate keep size", fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 65536));
	fstat(fd, &st);
	printf("size after keep size: %ld\n", (long)st.st_size);
	close(fd);
	show("setxattr", setxattr(A(d, "f"), "user.k", "v1", 2, 0));
	char v[32] = {0};
	show("getxattr", getxattr(A(d, "f"), "user.k", v, sizeof v));
	printf("value: %s\n", v);
	show("getxattr size", getxattr(A(d, "f"), "user.k", NULL, 0));
	show("getxattr small", getxattr(A(d, "f"), "user.k", v, 1));
	show("setxattr create existing", setxattr(A(d, "f"), "user.k", "v2", 2, XATTR_CREATE));
	show("setxattr replace missing", setxattr(A(d, "f"), "user.x", "v2", 2, XATTR_REPLACE));
	char names[256] = {0};
	long n = listxattr(A(d, "f"), names, sizeof names);
	printf("listxattr user names:");
	for (long i = 0; i < n; i += strlen(names + i) + 1)
		if (strncmp(names + i, "user.", 5) == 0) printf(" %s", names + i);
	printf("\n");
	show("removexattr", removexattr(A(d, "f"), "user.k"));
	show("removexattr again", removexattr(A(d, "f"), "user.k"));
	show("getxattr missing", getxattr(A(d, "f"), "user.k", v, sizeof v));
	show("lsetxattr user on a symlink", lsetxattr(A(d, "l"), "user.k", "v", 1, 0));
	struct statfs sf, sfd;
	statfs(A(d, "f"), &sf);
	statfs("/", &sfd);
	printf("statfs bsize: %ld namelen: %ld\n", (long)sf.f_bsize, (long)sf.f_namelen);
	return 0;
}
