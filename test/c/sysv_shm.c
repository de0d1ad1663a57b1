/*
 * SysV shared memory: shmget, shmat, shmdt, shmctl and their errors, the
 * segment's memory across attachments, fork and unrelated processes,
 * attach counts and times, IPC_RMID while attached, permissions of
 * another user, the limits in /proc/sys/kernel, /proc/sysvipc/shm and
 * /proc/self/maps. Run natively in a fresh IPC namespace (unshare --ipc)
 * as root, and under tsvisor. Prints relations, never ids or times.
 */
#include "sysv.h"
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>

#ifndef SHM_STAT_ANY
#define SHM_STAT_ANY 15
#endif
#ifndef SHM_EXEC
#define SHM_EXEC 0100000
#endif

static const long PG = 4096;

static struct shmid_ds stat_of(int id)
{
	struct shmid_ds ds;
	memset(&ds, 0, sizeof ds);
	if (shmctl(id, IPC_STAT, &ds) != 0)
		printf("IPC_STAT failed: %s\n", errname(errno));
	return ds;
}

static long nattch(int id)
{
	struct shmid_ds ds;
	if (shmctl(id, IPC_STAT, &ds) != 0)
		return -errno;
	return (long)ds.shm_nattch;
}

static void showp(const char *name, void *p)
{
	if (p == (void *)-1)
		printf("%s: -1 %s\n", name, errname(errno));
	else
		printf("%s: ok\n", name);
}

/* Lines of /proc/sysvipc/shm (header included) and whether one shows id with perms and size. */
static void sysvipc_check(const char *what, int id, const char *perms, long size)
{
	char buf[8192];
	read_file("/proc/sysvipc/shm", buf, sizeof buf);
	int lines = 0, found = 0;
	for (char *l = strtok(buf, "\n"); l != NULL; l = strtok(NULL, "\n")) {
		lines++;
		int key, sid;
		char mode[16];
		long sz;
		if (sscanf(l, "%d %d %15s %ld", &key, &sid, mode, &sz) == 4 && sid == id)
			found = strcmp(mode, perms) == 0 && sz == size;
	}
	printf("%s: sysvipc lines %d, shows it %d\n", what, lines, found);
}

static void maps_check(int id, key_t key)
{
	char want[64], buf[65536];
	snprintf(want, sizeof want, "/SYSV%08x (deleted)", (unsigned)key);
	read_file("/proc/self/maps", buf, sizeof buf);
	int found = 0, inode_is_id = 0;
	for (char *l = strtok(buf, "\n"); l != NULL; l = strtok(NULL, "\n")) {
		if (strstr(l, want) == NULL)
			continue;
		found++;
		unsigned long a, b, off, ino;
		char perms[8], dev[16];
		if (sscanf(l, "%lx-%lx %7s %lx %15s %lu", &a, &b, perms, &off, dev, &ino) == 6 && ino == (unsigned long)id &&
		    strcmp(perms, "rw-s") == 0)
			inode_is_id = 1;
	}
	printf("maps: SYSV lines %d, rw-s with the id as inode %d\n", found, inode_is_id);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 2 && strcmp(argv[1], "exec-check") == 0) {
		/* After exec: the attachment made before it is gone. */
		printf("after exec: nattch %ld\n", nattch(atoi(argv[2])));
		return 0;
	}
	const key_t key = 0x7e5a0001;

	/* ---- shmget ---- */
	show("shmget size 0", shmget(IPC_PRIVATE, 0, 0600));
	show("shmget size ULONG_MAX", shmget(IPC_PRIVATE, (size_t)-1, 0600));
	show("shmget missing key", shmget(key, PG, 0600));
	int id = shmget(key, 3 * PG + 100, IPC_CREAT | 0600);
	printf("shmget create: %d\n", id >= 0);
	show("shmget IPC_EXCL", shmget(key, PG, IPC_CREAT | IPC_EXCL | 0600));
	printf("shmget again: same id %d\n", shmget(key, PG, 0) == id);
	printf("shmget again with IPC_CREAT: same id %d\n", shmget(key, PG, IPC_CREAT | 0600) == id);
	show("shmget larger", shmget(key, 4 * PG, 0));
	int priv = shmget(IPC_PRIVATE, PG, 0600);
	int priv2 = shmget(IPC_PRIVATE, PG, 0600);
	printf("shmget private twice: distinct %d\n", priv >= 0 && priv2 >= 0 && priv != priv2);
	show("shmget SHM_HUGETLB", shmget(IPC_PRIVATE, 2 << 20, SHM_HUGETLB | 0600));
	show("shmget 1 TiB", shmget(IPC_PRIVATE, 1UL << 40, 0600));
	int big = shmget(IPC_PRIVATE, 1UL << 40, SHM_NORESERVE | 0600);
	printf("shmget 1 TiB SHM_NORESERVE: %d\n", big >= 0);
	if (big >= 0)
		show("rmid big", shmctl(big, IPC_RMID, NULL));

	/* ---- IPC_STAT of a fresh segment ---- */
	struct shmid_ds ds = stat_of(id);
	printf("stat: segsz %zu mode %o nattch %lu cpid is me %d lpid %d atime %d dtime %d ctime set %d key %d\n",
	       ds.shm_segsz, ds.shm_perm.mode, (unsigned long)ds.shm_nattch, ds.shm_cpid == getpid(), ds.shm_lpid,
	       ds.shm_atime != 0, ds.shm_dtime != 0, ds.shm_ctime != 0, ds.shm_perm.__key == key);
	printf("stat: uid %u gid %u cuid %u cgid %u\n", ds.shm_perm.uid, ds.shm_perm.gid, ds.shm_perm.cuid, ds.shm_perm.cgid);

	/* ---- shmat ---- */
	char *a = shmat(id, NULL, 0);
	showp("shmat NULL", a);
	printf("shmat page aligned: %d\n", ((unsigned long)a % PG) == 0);
	strcpy(a, "hello");
	a[3 * PG + 99] = 'z';
	ds = stat_of(id);
	printf("after attach: nattch %lu lpid is me %d atime set %d\n", (unsigned long)ds.shm_nattch, ds.shm_lpid == getpid(),
	       ds.shm_atime != 0);
	char *b = shmat(id, NULL, SHM_RDONLY);
	showp("shmat second RDONLY", b);
	printf("second sees first: %s %c, nattch %ld\n", b, b[3 * PG + 99], nattch(id));
	maps_check(id, key);
	sysvipc_check("sysvipc", id, "600", 3 * PG + 100);

	/* Read-only attachment: a write is SIGSEGV. */
	pid_t p = fork();
	if (p == 0) {
		b[0] = 'x';
		_exit(0);
	}
	printf("write to SHM_RDONLY: status %d\n", child_status(p));
	show("shmdt second", shmdt(b));
	show("shmdt second again", shmdt(b));
	show("shmdt unaligned", shmdt(a + 1));
	show("shmdt not attached", shmdt((void *)(16UL << 30)));
	ds = stat_of(id);
	printf("after detach: nattch %lu dtime set %d\n", (unsigned long)ds.shm_nattch, ds.shm_dtime != 0);

	/* shmat's address checks. */
	showp("shmat bad id", shmat(id + 7 * 32768, NULL, 0));
	showp("shmat negative id", shmat(-1, NULL, 0));
	showp("shmat NULL SHM_REMAP", shmat(id, NULL, SHM_REMAP));
	char *hole = mmap(NULL, 16 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(hole, 16 * PG);
	char *c = shmat(id, hole, 0);
	printf("shmat at a free address: there %d\n", c == hole);
	shmdt(c);
	showp("shmat unaligned", shmat(id, hole + 100, 0));
	c = shmat(id, hole + 100, SHM_RND);
	printf("shmat SHM_RND: rounded down %d\n", c == hole);
	shmdt(c);
	showp("shmat SHM_RND to 0 with SHM_REMAP", shmat(id, (void *)100, SHM_RND | SHM_REMAP));
	char *m = mmap(hole, 8 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	m[0] = 'm';
	showp("shmat over a mapping", shmat(id, hole + 2 * PG, 0));
	c = shmat(id, hole + 2 * PG, SHM_REMAP);
	printf("shmat SHM_REMAP: there %d sees %s, first page kept %c\n", c == hole + 2 * PG, c, m[0]);
	shmdt(c);
	munmap(m, 8 * PG);
	showp("shmat past the user range", shmat(id, (void *)0x7ffffffff000UL, 0));
	c = shmat(id, NULL, SHM_EXEC);
	showp("shmat SHM_EXEC", c);
	shmdt(c);

	/* mprotect splitting an attachment makes another VMA: Linux counts it. */
	show("mprotect half", mprotect(a, 2 * PG, PROT_READ));
	printf("after split: nattch %ld\n", nattch(id));
	show("mprotect back", mprotect(a, 2 * PG, PROT_READ | PROT_WRITE));

	/* ---- fork: the child gets the attachment ---- */
	long before = nattch(id);
	p = fork();
	if (p == 0) {
		printf("child: nattch %ld (parent had %ld), sees %s\n", nattch(id), before, a);
		strcpy(a, "from child");
		shmdt(a);
		printf("child after shmdt: nattch %ld\n", nattch(id));
		_exit(0);
	}
	child_status(p);
	ds = stat_of(id);
	printf("parent: sees %s, nattch %lu, lpid is the child %d\n", a, (unsigned long)ds.shm_nattch, ds.shm_lpid == p);

	/* Exit detaches. */
	p = fork();
	if (p == 0) {
		shmat(id, NULL, 0);
		shmat(id, NULL, 0);
		_exit(nattch(id) == 2 * before + 2 ? 0 : 1);
	}
	int cst = child_status(p);
	printf("child with two more attachments: status %d, after its exit nattch %ld\n", cst, nattch(id));

	/* Exec detaches. */
	p = fork();
	if (p == 0) {
		char ids[16];
		shmat(id, NULL, 0);
		snprintf(ids, sizeof ids, "%d", id);
		execl("/proc/self/exe", argv[0], "exec-check", ids, (char *)NULL);
		_exit(99);
	}
	child_status(p);

	/* An unrelated process (attached only by key) shares the memory. */
	p = fork();
	if (p == 0) {
		shmdt(a);
		int cid = shmget(key, 0, 0);
		char *ca = shmat(cid, NULL, 0);
		printf("by key: same id %d, sees %s\n", cid == id, ca == (void *)-1 ? "(none)" : ca);
		strcpy(ca, "by key");
		_exit(0);
	}
	child_status(p);
	printf("parent sees: %s\n", a);

	/* ---- shmctl ---- */
	show("shmctl bad cmd", shmctl(id, 99, &ds));
	show("shmctl negative id", shmctl(-1, IPC_STAT, &ds));
	show("shmctl IPC_STAT bad id", shmctl(id + 7 * 32768, IPC_STAT, &ds));
	show("shmctl IPC_STAT EFAULT", shmctl(id, IPC_STAT, (void *)1));
	show("shmctl IPC_SET EFAULT", shmctl(id, IPC_SET, (void *)1));
	show("shmctl IPC_64 flag", shmctl(id, IPC_STAT | 0x100, &ds));
	ds = stat_of(id);
	ds.shm_perm.mode = 0644 | 01000;
	ds.shm_perm.uid = 0;
	show("shmctl IPC_SET", shmctl(id, IPC_SET, &ds));
	printf("after IPC_SET: mode %o\n", stat_of(id).shm_perm.mode);
	ds.shm_perm.uid = (uid_t)-1;
	show("shmctl IPC_SET unmapped uid", shmctl(id, IPC_SET, &ds));
	struct shminfo info;
	int maxidx = shmctl(0, IPC_INFO, (struct shmid_ds *)&info);
	printf("IPC_INFO: maxidx ok %d shmmin %lu shmmni %lu shmseg %lu\n", maxidx >= 0, info.shmmin, info.shmmni, info.shmseg);
	char lim[64];
	read_file("/proc/sys/kernel/shmmax", lim, sizeof lim);
	printf("IPC_INFO shmmax is /proc's: %d\n", strtoul(lim, NULL, 10) == info.shmmax);
	read_file("/proc/sys/kernel/shmall", lim, sizeof lim);
	printf("IPC_INFO shmall is /proc's: %d\n", strtoul(lim, NULL, 10) == info.shmall);
	struct shm_info si;
	int maxidx2 = shmctl(0, SHM_INFO, (struct shmid_ds *)&si);
	printf("SHM_INFO: same maxidx %d used_ids %d shm_tot %lu rss>0 %d\n", maxidx2 == maxidx, si.used_ids, si.shm_tot,
	       si.shm_rss > 0);
	int found = 0;
	for (int i = 0; i <= maxidx; i++) {
		struct shmid_ds d2;
		int r = shmctl(i, SHM_STAT, &d2);
		if (r == id)
			found = d2.shm_segsz == (size_t)(3 * PG + 100);
	}
	printf("SHM_STAT by index finds it: %d\n", found);
	show("SHM_STAT past maxidx", shmctl(maxidx + 1, SHM_STAT, &ds));
	printf("SHM_STAT_ANY: %d\n", shmctl(id % 32768, SHM_STAT_ANY, &ds) == id);
	show("SHM_LOCK", shmctl(id, SHM_LOCK, NULL));
	printf("locked mode %o\n", stat_of(id).shm_perm.mode);
	show("SHM_UNLOCK", shmctl(id, SHM_UNLOCK, NULL));
	printf("unlocked mode %o\n", stat_of(id).shm_perm.mode);
	show("SHM_LOCK bad id", shmctl(id + 7 * 32768, SHM_LOCK, NULL));
	show("IPC_INFO EFAULT", shmctl(0, IPC_INFO, (void *)1));

	/* ---- another user ---- */
	show("back to 0600", (ds = stat_of(id), ds.shm_perm.mode = 0600, shmctl(id, IPC_SET, &ds)));
	p = fork();
	if (p == 0) {
		become_nobody();
		printf("other: shmget key asking nothing: same id %d\n", shmget(key, 0, 0) == id);
		show("other: shmget key asking read", shmget(key, 0, 0400));
		showp("other: shmat", shmat(id, NULL, 0));
		show("other: IPC_STAT", shmctl(id, IPC_STAT, &ds));
		printf("other: SHM_STAT_ANY works %d\n", shmctl(id % 32768, SHM_STAT_ANY, &ds) == id);
		show("other: IPC_RMID", shmctl(id, IPC_RMID, NULL));
		show("other: IPC_SET", shmctl(id, IPC_SET, &ds));
		show("other: SHM_LOCK", shmctl(id, SHM_LOCK, NULL));
		int own = shmget(IPC_PRIVATE, PG, 0600);
		printf("other: own segment %d\n", own >= 0);
		show("other: rmid own", shmctl(own, IPC_RMID, NULL));
		_exit(0);
	}
	printf("other user: status %d\n", child_status(p));
	ds = stat_of(id);
	ds.shm_perm.mode = 0604;
	shmctl(id, IPC_SET, &ds);
	p = fork();
	if (p == 0) {
		become_nobody();
		printf("other 0604: shmget same id %d\n", shmget(key, 0, 0) == id);
		show("other 0604: shmget asking write", shmget(key, 0, 0600));
		showp("other 0604: shmat rw", shmat(id, NULL, 0));
		char *r = shmat(id, NULL, SHM_RDONLY);
		printf("other 0604: shmat read-only sees %s\n", r == (void *)-1 ? errname(errno) : r);
		_exit(0);
	}
	child_status(p);

	/* ---- IPC_RMID while attached ---- */
	show("IPC_RMID attached", shmctl(id, IPC_RMID, NULL));
	show("key gone", shmget(key, 0, 0));
	ds = stat_of(id);
	printf("removed: mode %o key %d nattch %lu\n", ds.shm_perm.mode, ds.shm_perm.__key, (unsigned long)ds.shm_nattch);
	sysvipc_check("removed", id, "1600", 3 * PG + 100);
	int nid = shmget(key, PG, IPC_CREAT | 0600);
	printf("key reused: new id differs %d\n", nid >= 0 && nid != id);
	c = shmat(id, NULL, 0);
	printf("attach removed by id: works %d sees %s\n", c != (void *)-1, c == (void *)-1 ? "" : c);
	shmdt(c);
	show("IPC_RMID again", shmctl(id, IPC_RMID, NULL));
	show("shmdt last", shmdt(a));
	show("IPC_STAT after last detach", shmctl(id, IPC_STAT, &ds));
	show("shmat after last detach", shmat(id, NULL, 0) == (void *)-1 ? -1 : 0);
	show("rmid new", shmctl(nid, IPC_RMID, NULL));
	show("rmid priv", shmctl(priv, IPC_RMID, NULL));
	show("rmid priv2", shmctl(priv2, IPC_RMID, NULL));
	show("rmid priv2 again", shmctl(priv2, IPC_RMID, NULL));
	sysvipc_check("empty", -1, "", 0);

	/* ---- limits ---- */
	char old[64];
	read_file("/proc/sys/kernel/shmmni", old, sizeof old);
	printf("shmmni default: %s", old);
	show("shmmni = 3", write_file("/proc/sys/kernel/shmmni", "3\n"));
	int ids[4], n = 0;
	for (; n < 4; n++) {
		ids[n] = shmget(IPC_PRIVATE, PG, 0600);
		if (ids[n] < 0)
			break;
	}
	printf("segments until the limit: %d, then %s\n", n, errname(errno));
	for (int i = 0; i < n; i++)
		shmctl(ids[i], IPC_RMID, NULL);
	show("shmmni too big", write_file("/proc/sys/kernel/shmmni", "32769\n"));
	show("shmmni garbage", write_file("/proc/sys/kernel/shmmni", "x\n"));
	write_file("/proc/sys/kernel/shmmni", old);
	read_file("/proc/sys/kernel/shmmax", old, sizeof old);
	show("shmmax = 8192", write_file("/proc/sys/kernel/shmmax", "8192\n"));
	show("shmget 8193", shmget(IPC_PRIVATE, 8193, 0600));
	int ok = shmget(IPC_PRIVATE, 8192, 0600);
	printf("shmget 8192: %d\n", ok >= 0);
	shmctl(ok, IPC_RMID, NULL);
	write_file("/proc/sys/kernel/shmmax", old);
	read_file("/proc/sys/kernel/shmall", old, sizeof old);
	show("shmall = 2", write_file("/proc/sys/kernel/shmall", "2\n"));
	ok = shmget(IPC_PRIVATE, 2 * PG, 0600);
	printf("shmget two pages: %d\n", ok >= 0);
	show("shmget one more page", shmget(IPC_PRIVATE, 1, 0600));
	shmctl(ok, IPC_RMID, NULL);
	write_file("/proc/sys/kernel/shmall", old);

	/* ---- IPC namespaces ---- */
	int keep = shmget(key, PG, IPC_CREAT | 0600);
	p = fork();
	if (p == 0) {
		show("unshare CLONE_NEWIPC", unshare(CLONE_NEWIPC));
		show("new ns: key not there", shmget(key, 0, 0));
		show("new ns: id not there", shmctl(keep, IPC_STAT, &ds));
		int mine = shmget(key, PG, IPC_CREAT | 0600);
		printf("new ns: own segment with the same key %d\n", mine >= 0);
		sysvipc_check("new ns", mine, "600", PG);
		_exit(0);
	}
	child_status(p);
	printf("old ns: still its own segment %d\n", shmget(key, 0, 0) == keep);
	sysvipc_check("old ns", keep, "600", PG);
	p = fork();
	if (p == 0) {
		become_nobody();
		show("unprivileged unshare CLONE_NEWIPC", unshare(CLONE_NEWIPC));
		_exit(0);
	}
	child_status(p);
	show("clone CLONE_NEWIPC|CLONE_SYSVSEM", syscall(SYS_clone, CLONE_NEWIPC | CLONE_SYSVSEM | SIGCHLD, 0, 0, 0, 0));
	shmctl(keep, IPC_RMID, NULL);
	printf("done\n");
	return 0;
}
