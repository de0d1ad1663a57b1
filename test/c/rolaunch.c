/*
 * Not a test: runs a program natively with the root file system read-only,
 * as tsvisor presents it, so that calls that would change the tree fail
 * natively the way they do in the sandbox (test/lib/harness.js, option
 * nativeReadOnlyRoot). Needs root (CAP_SYS_ADMIN) on the host.
 *
 *   rolaunch PROG [ARGS...]
 *
 * In a private mount namespace it bind-mounts the host root file system
 * (non-recursively: only the root file system itself, none of the mounts
 * below it) onto a directory, makes that bind mount read-only (keeping the
 * host root mount's other flags, nosuid, noatime..., so that statfs(2)
 * reports the host's f_flags plus ST_RDONLY, as tsvisor does), binds the
 * host /dev (read-write, like the sandbox's own devices), /proc and /sys
 * into it, chroots there, returns to the working directory it was started
 * in, and execs PROG with ARGS and the same environment. Nothing of the
 * host's mount table changes, no directory is created, and nothing is left
 * to clean up: the namespace ends with the program.
 *
 * It refuses to run PROG (exit 125, message on stderr) unless "/" is
 * read-only once it is set up, with the host's other mount flags; exec
 * failures exit 127.
 */
#include "common.h"
#include <dirent.h>
#include <limits.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

/* Any existing directory will do as the mount point: in the private
 * namespace the read-only view is mounted over it, and inside the view
 * (a non-recursive bind) the path is again the plain directory of the
 * root file system. */
/* Whether dir has nothing but "." and "..". */
static int dir_is_empty(const char *dir)
{
	DIR *d = opendir(dir);
	if (d == NULL)
		return 1;
	struct dirent *e;
	int n = 0;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n == 0;
}

static const char *const MOUNT_POINTS[] = { "/srv", "/media", "/mnt", "/opt", "/tmp" };

static int die(const char *what)
{
	fprintf(stderr, "rolaunch: %s: %s\n", what, strerror(errno));
	return 125;
}

/* The MS_* flags that keep a mount's ST_* flags through a remount. */
static unsigned long mount_flags_of(unsigned long st)
{
	unsigned long ms = 0;
	if (st & ST_NOSUID)
		ms |= MS_NOSUID;
	if (st & ST_NODEV)
		ms |= MS_NODEV;
	if (st & ST_NOEXEC)
		ms |= MS_NOEXEC;
	if (st & ST_NOATIME)
		ms |= MS_NOATIME;
	if (st & ST_NODIRATIME)
		ms |= MS_NODIRATIME;
	if (st & ST_RELATIME)
		ms |= MS_RELATIME;
	else if (!(st & ST_NOATIME))
		ms |= MS_STRICTATIME;
#ifdef ST_NOSYMFOLLOW
	if (st & ST_NOSYMFOLLOW)
		ms |= MS_NOSYMFOLLOW;
#endif
	return ms;
}

static int bind_into(const char *root, const char *dir, int recursive)
{
	char target[PATH_MAX];
	struct stat st;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return 0; /* nothing to bind */
	snprintf(target, sizeof target, "%s%s", root, dir);
	if (stat(target, &st) != 0 || !S_ISDIR(st.st_mode))
		return 0; /* no mount point for it in the view */
	return mount(dir, target, NULL, MS_BIND | (recursive ? MS_REC : 0), NULL);
}

int main(int argc, char **argv)
{
	char cwd[PATH_MAX];
	const char *root = NULL;
	struct statvfs host, sv;

	if (argc < 2) {
		fprintf(stderr, "usage: rolaunch PROG [ARGS...]\n");
		return 2;
	}
	if (!getcwd(cwd, sizeof cwd))
		return die("getcwd");
	if (statvfs("/", &host) != 0)
		return die("statvfs / (host)");
	if (unshare(CLONE_NEWNS) != 0)
		return die("unshare(CLONE_NEWNS)");
	/* Nothing done below may propagate back to the host's mounts. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
		return die("make / private");
	for (size_t i = 0; i < sizeof MOUNT_POINTS / sizeof MOUNT_POINTS[0]; i++) {
		struct stat st;
		if (lstat(MOUNT_POINTS[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			root = MOUNT_POINTS[i];
			break;
		}
	}
	if (!root) {
		errno = ENOENT;
		return die("no directory to mount the read-only root on");
	}
	if (mount("/", root, NULL, MS_BIND, NULL) != 0)
		return die("bind /");
	if (mount(NULL, root, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | mount_flags_of(host.f_flag), NULL) != 0)
		return die("remount the root read-only");
	if (bind_into(root, "/dev", 1) != 0)
		return die("bind /dev");
	if (bind_into(root, "/proc", 1) != 0)
		return die("bind /proc");
	if (bind_into(root, "/sys", 1) != 0)
		return die("bind /sys");
	/*
	 * As in the sandbox, /tmp is a tmpfs of its own where the host's is
	 * empty; where it has files (a checkout under /tmp) it stays, read-only
	 * with the rest, as the sandbox leaves it (runsc's mountTmp rule).
	 */
	char tmp[PATH_MAX];
	snprintf(tmp, sizeof tmp, "%s/tmp", root);
	if (dir_is_empty("/tmp") && mount("tmpfs", tmp, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") != 0)
		return die("mount tmpfs on /tmp");
	if (chroot(root) != 0)
		return die("chroot");
	if (chdir(cwd) != 0 && chdir("/") != 0)
		return die("chdir");
	if (statvfs("/", &sv) != 0)
		return die("statvfs /");
	if (sv.f_flag != (host.f_flag | ST_RDONLY)) {
		fprintf(stderr, "rolaunch: / has mount flags %#lx, not the host's %#lx plus ST_RDONLY; not running %s\n",
			sv.f_flag, host.f_flag, argv[1]);
		return 125;
	}
	execv(argv[1], argv + 1);
	fprintf(stderr, "rolaunch: exec %s: %s\n", argv[1], strerror(errno));
	return 127;
}
