/*
 * Capabilities: capget/capset (versions 1, 2 and 3, the version probe, the
 * subset rules), the bounding set (PR_CAPBSET_READ/DROP), ambient
 * capabilities (PR_CAP_AMBIENT), keepcaps and securebits, the capability
 * fix-ups of setuid/setreuid/setresuid, execve's transformation of the
 * sets (the program re-executes itself: "caps exec STAGE"), the privilege
 * checks that look at single capabilities once one is dropped, and the
 * Cap lines of /proc/PID/status.
 *
 * Run as root. Natively root's sets are the host's (here without
 * CAP_SYS_RESOURCE), under tsvisor all 41: the program first prints only
 * relative facts about its starting sets, then narrows them to TESTSET
 * (bounding, permitted and effective), which both worlds contain, so every
 * mask printed after that is the same in both. Each scenario that changes
 * ids or sets runs in a child, so the next one starts from TESTSET again.
 * Files live in a fresh directory under /tmp, removed at the end.
 */
#include "common.h"
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <sched.h>
#include <signal.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#define LAST_CAP 40
#define BIT(c) (1ULL << (c))
#define FULL ((1ULL << (LAST_CAP + 1)) - 1)
/* Every capability but CAP_SYS_RESOURCE, which root lacks on the test host, and CAP_NET_RAW, which tsvisor without --net-raw removes. */
#define TESTSET (FULL & ~BIT(CAP_SYS_RESOURCE) & ~BIT(CAP_NET_RAW))

#ifndef SECBIT_EXEC_RESTRICT_FILE
#define SECBIT_EXEC_RESTRICT_FILE (1 << 8)
#endif

static const char *self;
static char dir[64];

struct sets { unsigned long long e, p, i; };

static long capget3(int pid, struct sets *s)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, pid };
	struct __user_cap_data_struct d[2];
	long r = SYS(SYS_capget, &h, d);
	if (r == 0) {
		s->e = d[0].effective | (unsigned long long)d[1].effective << 32;
		s->p = d[0].permitted | (unsigned long long)d[1].permitted << 32;
		s->i = d[0].inheritable | (unsigned long long)d[1].inheritable << 32;
	}
	return r;
}

static long capset3(unsigned long long e, unsigned long long p, unsigned long long i)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = {
		{ (uint32_t)e, (uint32_t)p, (uint32_t)i },
		{ (uint32_t)(e >> 32), (uint32_t)(p >> 32), (uint32_t)(i >> 32) },
	};
	return SYS(SYS_capset, &h, d);
}

static struct sets own(void)
{
	struct sets s = { 0, 0, 0 };
	capget3(0, &s);
	return s;
}

static unsigned long long bounding(void)
{
	unsigned long long b = 0;
	for (int c = 0; c <= LAST_CAP; c++)
		if (prctl(PR_CAPBSET_READ, (long)c, 0L, 0L, 0L) == 1)
			b |= BIT(c);
	return b;
}

static unsigned long long ambient(void)
{
	unsigned long long a = 0;
	for (int c = 0; c <= LAST_CAP; c++)
		if (prctl(PR_CAP_AMBIENT, (long)PR_CAP_AMBIENT_IS_SET, (long)c, 0L, 0L) == 1)
			a |= BIT(c);
	return a;
}

/* "name: e=... p=... i=... b=... a=..." for the calling thread. */
static void show_sets(const char *name)
{
	struct sets s = own();
	printf("%s: e=%llx p=%llx i=%llx b=%llx a=%llx\n", name, s.e, s.p, s.i, bounding(), ambient());
}

/* Drops caps from the effective set only. */
static long drop_eff(unsigned long long caps)
{
	struct sets s = own();
	return capset3(s.e & ~caps, s.p, s.i);
}

/* Execs this program as "caps exec STAGE" and waits for it (the caller is already a child). */
static void reexec(const char *stage)
{
	fflush(stdout);
	execl(self, self, "exec", stage, (char *)NULL);
	printf("reexec %s: -1 %s\n", stage, errname(errno));
}

static void status_lines(const char *who, const char *path)
{
	char buf[8192];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
	if (fd >= 0)
		close(fd);
	if (n < 0) {
		printf("%s status: -1 %s\n", who, errname(errno));
		return;
	}
	buf[n] = 0;
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
		if (strncmp(line, "Cap", 3) == 0 || strncmp(line, "NoNewPrivs", 10) == 0)
			printf("%s status: %s\n", who, line);
}

static void path_of(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "%s/%s", dir, name);
}

/* ---- the stages run after an execve ---- */

static int exec_stage(const char *stage)
{
	char name[64];
	snprintf(name, sizeof name, "exec %s", stage);
	show_sets(name);
	uid_t r, e, su;
	gid_t rg, eg, sg;
	getresuid(&r, &e, &su);
	getresgid(&rg, &eg, &sg);
	printf("exec %s: uids=%d,%d,%d gids=%d,%d,%d keepcaps=%d secure=%lu\n", stage, (int)r, (int)e, (int)su,
	       (int)rg, (int)eg, (int)sg,
	       prctl(PR_GET_KEEPCAPS, 0L, 0L, 0L, 0L), getauxval(AT_SECURE));
	status_lines(name, "/proc/self/status");
	return 0;
}

/* ---- capget and capset ---- */

static const struct __user_cap_header_struct ro_header = { 0x12345678, 0 };

/* An unknown version: the call fails (or, for capget's probe with NULL data, succeeds) and the header says 3. */
static void bad_version(const char *name, long nr, void *data)
{
	struct __user_cap_header_struct h = { 0x12345678, 0 };
	show(name, SYS(nr, &h, data));
	printf("%s header: %x\n", name, h.version);
}

static void capget_versions(void)
{
	struct __user_cap_header_struct h;
	struct __user_cap_data_struct d[2];
	unsigned int versions[] = { _LINUX_CAPABILITY_VERSION_1, _LINUX_CAPABILITY_VERSION_2, _LINUX_CAPABILITY_VERSION_3 };
	for (int v = 0; v < 3; v++) {
		memset(d, 0xab, sizeof d);
		h.version = versions[v];
		h.pid = 0;
		char name[32];
		snprintf(name, sizeof name, "capget v%d", v + 1);
		show(name, SYS(SYS_capget, &h, d));
		printf("capget v%d data: %x %x %x / %x %x %x\n", v + 1, d[0].effective, d[0].permitted, d[0].inheritable,
		       d[1].effective, d[1].permitted, d[1].inheritable);
	}
	bad_version("capget bad version", SYS_capget, d);
	bad_version("capget probe (NULL data)", SYS_capget, NULL);
	h.version = _LINUX_CAPABILITY_VERSION_3;
	show("capget v3 NULL data", SYS(SYS_capget, &h, NULL));
	show("capget NULL header", SYS(SYS_capget, NULL, d));
	show("capget bad header", SYS(SYS_capget, BADPTR1, d));
	show("capget read-only header, bad version", SYS(SYS_capget, &ro_header, d));
	show("capget bad data", SYS(SYS_capget, &h, BADPTR1));
	h.pid = -1;
	show("capget pid -1", SYS(SYS_capget, &h, d));
	h.pid = getpid();
	show("capget own pid", SYS(SYS_capget, &h, d));
	h.pid = 0x3ffffff0;
	show("capget no such pid", SYS(SYS_capget, &h, d));
	bad_version("capset bad version", SYS_capset, d);
	h.version = _LINUX_CAPABILITY_VERSION_3;
	h.pid = 0;
	show("capset NULL data", SYS(SYS_capset, &h, NULL));
	show("capset bad header", SYS(SYS_capset, BADPTR1, d));
}

/* A child that narrows its own sets, then waits: capget reads its sets, capset on it is refused. */
static void capget_other(void)
{
	int ready[2], go[2];
	if (pipe(ready) < 0 || pipe(go) < 0)
		return;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		capset3(BIT(CAP_KILL), BIT(CAP_KILL) | BIT(CAP_CHOWN), BIT(CAP_CHOWN));
		char c = 1;
		if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(1);
		_exit(0);
	}
	char c;
	if (read(ready[0], &c, 1) != 1)
		return;
	struct sets s = { 0, 0, 0 };
	show("capget child", capget3(pid, &s));
	printf("capget child sets: e=%llx p=%llx i=%llx\n", s.e, s.p, s.i);
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, pid };
	struct __user_cap_data_struct d[2] = { { 0, 0, 0 }, { 0, 0, 0 } };
	show("capset child", SYS(SYS_capset, &h, d));
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	status_lines("child", path);
	if (write(go[1], &c, 1) != 1)
		return;
	waitpid(pid, NULL, 0);
	close(ready[0]);
	close(ready[1]);
	close(go[0]);
	close(go[1]);
}

static void capset_rules(void)
{
	struct sets s = own();
	unsigned long long p = s.p;
	show("capset same", capset3(s.e, s.p, s.i));
	show("capset drop nice from permitted", capset3(p & ~BIT(CAP_SYS_NICE), p & ~BIT(CAP_SYS_NICE), 0));
	show_sets("after drop");
	show("capset raise nice again", capset3(p, p, 0));
	show("capset effective not permitted", capset3(BIT(CAP_SYS_NICE), p & ~BIT(CAP_SYS_NICE), 0));
	p &= ~BIT(CAP_SYS_NICE);
	show("capset inheritable in permitted", capset3(p, p, BIT(CAP_CHOWN)));
	show("capset inheritable in bounding, with setpcap", capset3(p, p, BIT(CAP_CHOWN) | BIT(CAP_SYS_NICE)));
	show("capset inheritable outside bounding", capset3(p, p, BIT(CAP_SYS_RESOURCE)));
	show("capset clear inheritable", capset3(p, p, 0));
	show("capset inheritable without setpcap",
	     capset3(p & ~BIT(CAP_SETPCAP), p, BIT(CAP_SYS_NICE)));
	show("capset keep inheritable without setpcap",
	     capset3(p & ~BIT(CAP_SETPCAP), p, BIT(CAP_SYS_NICE)));
	show_sets("without setpcap");
	show("capset drop it all", capset3(0, 0, 0));
	show_sets("nothing");
	show("capset back", capset3(p, p, 0));
}

static void capset_v1(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_1, 0 };
	struct __user_cap_data_struct d[2] = {
		{ 0xffffffff & (uint32_t)TESTSET, 0xffffffff & (uint32_t)TESTSET, 0 },
		{ 0x11111111, 0x11111111, 0x11111111 }, /* ignored: version 1 has one struct */
	};
	show("capset v1", SYS(SYS_capset, &h, d));
	show_sets("after capset v1");
}

/* ---- bounding, ambient, keepcaps, securebits ---- */

static void bounding_set(void)
{
	show("capbset read 0", prctl(PR_CAPBSET_READ, 0L, 0L, 0L, 0L));
	show("capbset read sys_resource", prctl(PR_CAPBSET_READ, (long)CAP_SYS_RESOURCE, 0L, 0L, 0L));
	show("capbset read 40", prctl(PR_CAPBSET_READ, 40L, 0L, 0L, 0L));
	show("capbset read 41", prctl(PR_CAPBSET_READ, 41L, 0L, 0L, 0L));
	show("capbset read -1", prctl(PR_CAPBSET_READ, -1L, 0L, 0L, 0L));
	show("capbset read 2^32", prctl(PR_CAPBSET_READ, 1L << 32, 0L, 0L, 0L));
	show("capbset drop 41", prctl(PR_CAPBSET_DROP, 41L, 0L, 0L, 0L));
	show("capbset drop mknod", prctl(PR_CAPBSET_DROP, (long)CAP_MKNOD, 0L, 0L, 0L));
	show("capbset drop mknod again", prctl(PR_CAPBSET_DROP, (long)CAP_MKNOD, 0L, 0L, 0L));
	show("capbset read mknod", prctl(PR_CAPBSET_READ, (long)CAP_MKNOD, 0L, 0L, 0L));
	struct sets s = own();
	show_bool("mknod still permitted", (s.p & BIT(CAP_MKNOD)) != 0);
	show("capset inheritable mknod, out of bounding", capset3(s.e, s.p, BIT(CAP_MKNOD)));
	show("capset without setpcap", drop_eff(BIT(CAP_SETPCAP)));
	show("capbset drop without setpcap", prctl(PR_CAPBSET_DROP, (long)CAP_KILL, 0L, 0L, 0L));
	show("capbset drop 41 without setpcap", prctl(PR_CAPBSET_DROP, 41L, 0L, 0L, 0L));
	show_sets("bounding");
}

static void ambient_set(void)
{
	struct sets s = own();
	show("ambient is_set chown", prctl(PR_CAP_AMBIENT, (long)PR_CAP_AMBIENT_IS_SET, (long)CAP_CHOWN, 0L, 0L));
	show("ambient raise not inheritable", prctl(PR_CAP_AMBIENT, (long)PR_CAP_AMBIENT_RAISE, (long)CAP_CHOWN, 0L, 0L));
	show("capset inheritable chown kill", capset3(s.e, s.p, BIT(CAP_CHOWN) | BIT(CAP_KILL)));
	show("ambient raise chown", prctl(PR_CAP_AMBIENT, (long)PR_CAP_AMBIENT_RAISE, (long)CAP_CHOWN, 0L, 0L));
	show("ambient raise kill", prctl(PR_CAP_AMBIENT, (long)PR_CAP_AMBIENT_RAISE, (long)CAP_KILL, 0L, 0L));
	show("ambient is_set chown", prctl(PR_CAP_AMBIENT, (long)PR_CAP_AMBIENT_IS_SET, (long)CAP_CHOWN, 0L, 0L));
	show_sets("ambient");
	status_lines("ambient", "/proc/self/status");
	show("ambient lower chown", prctl(PR_CAP_AMBIENT, (long)PR_CAP_AMBIENT_LOWER, (long)CAP_CHOWN, 0L, 0L));
	show("ambient is_set chown", prctl(PR_CAP_AMBIENT, (long)PR_CAP_AMBIENT_IS_SET, (long)CAP_CHOWN, 0L, 0L));
	show("ambient lower chown again", prctl(PR_CAP_AMBIENT, (long)PR_CAP_AMBIENT_LOWER, (long)CAP_CHOWN, 0L, 0L));
	show("ambient raise chown", prctl(PR_CAP_AMBIENT, (long)PR_CAP_AMBIENT_RAISE, (long)CAP_CHOWN, 0L, 0L));
	show("ambient clear_all with arg", prctl(PR_CAP_AMBIENT, (long)PR_CAP_AMBIENT_CLEAR_ALL, 1L, 0L, 0L));
	show("ambient is_set 41", prctl(PR_CAP_AMBIENT, (long)PR_CAP_AMBIENT_IS_SET, 41L, 0L, 0L));
	show("ambient is_set extra arg", prctl(PR_CAP_AMBIENT, (long)PR_CAP_AMBIENT_IS_SET, 0L, 1L, 0L));
	show("ambient unknown op", prctl(PR_CAP_AMBIENT, 9L, 0L, 0L, 0L));
	show("ambient unknown op, bad cap", prctl(PR_CAP_AMBIENT, 9L, 41L, 0L, 0L));
	/* Taking kill out of inheritable takes it out of ambient. */
	show("capset inheritable chown", capset3(s.e, s.p, BIT(CAP_CHOWN)));
	show_sets("ambient after capset");
	show("ambient clear_all", prctl(PR_CAP_AMBIENT, (long)PR_CAP_AMBIENT_CLEAR_ALL, 0L, 0L, 0L));
	show_sets("ambient cleared");
	show("securebits no_cap_ambient_raise", prctl(PR_SET_SECUREBITS, (long)SECBIT_NO_CAP_AMBIENT_RAISE, 0L, 0L, 0L));
	show("ambient raise refused", prctl(PR_CAP_AMBIENT, (long)PR_CAP_AMBIENT_RAISE, (long)CAP_CHOWN, 0L, 0L));
}

static void securebits(void)
{
	show("get securebits", prctl(PR_GET_SECUREBITS, 0L, 0L, 0L, 0L));
	show("get keepcaps", prctl(PR_GET_KEEPCAPS, 0L, 0L, 0L, 0L));
	show("set keepcaps 2", prctl(PR_SET_KEEPCAPS, 2L, 0L, 0L, 0L));
	show("set keepcaps 2^32+1", prctl(PR_SET_KEEPCAPS, (1L << 32) + 1, 0L, 0L, 0L));
	show("set keepcaps 1", prctl(PR_SET_KEEPCAPS, 1L, 0L, 0L, 0L));
	show("get keepcaps", prctl(PR_GET_KEEPCAPS, 0L, 0L, 0L, 0L));
	show("get securebits", prctl(PR_GET_SECUREBITS, 0L, 0L, 0L, 0L));
	show("set securebits unknown bit", prctl(PR_SET_SECUREBITS, 1L << 12, 0L, 0L, 0L));
	show("set securebits 2^32", prctl(PR_SET_SECUREBITS, 1L << 32, 0L, 0L, 0L));
	show("set securebits exec_restrict_file", prctl(PR_SET_SECUREBITS, (long)SECBIT_EXEC_RESTRICT_FILE, 0L, 0L, 0L));
	show("get securebits", prctl(PR_GET_SECUREBITS, 0L, 0L, 0L, 0L));
	show("set securebits keepcaps locked",
	     prctl(PR_SET_SECUREBITS, (long)(SECBIT_KEEP_CAPS | SECBIT_KEEP_CAPS_LOCKED), 0L, 0L, 0L));
	show("set keepcaps 0 while locked", prctl(PR_SET_KEEPCAPS, 0L, 0L, 0L, 0L));
	show("set keepcaps 1 while locked", prctl(PR_SET_KEEPCAPS, 1L, 0L, 0L, 0L));
	show("unlock", prctl(PR_SET_SECUREBITS, (long)SECBIT_KEEP_CAPS, 0L, 0L, 0L));
	show("change locked bit", prctl(PR_SET_SECUREBITS, (long)SECBIT_KEEP_CAPS_LOCKED, 0L, 0L, 0L));
	show("add noroot", prctl(PR_SET_SECUREBITS,
				 (long)(SECBIT_KEEP_CAPS | SECBIT_KEEP_CAPS_LOCKED | SECBIT_NOROOT), 0L, 0L, 0L));
	show("get securebits", prctl(PR_GET_SECUREBITS, 0L, 0L, 0L, 0L));
	show("drop setpcap", drop_eff(BIT(CAP_SETPCAP)));
	show("set securebits without setpcap", prctl(PR_SET_SECUREBITS,
				 (long)(SECBIT_KEEP_CAPS | SECBIT_KEEP_CAPS_LOCKED | SECBIT_NOROOT), 0L, 0L, 0L));
}

/* ---- uid changes ---- */

static void setuid_plain(void)
{
	show("setuid 1000", SYS(SYS_setuid, 1000));
	show_sets("setuid 1000");
	show("setuid 0 back", SYS(SYS_setuid, 0));
	show("capset raise", capset3(BIT(CAP_CHOWN), BIT(CAP_CHOWN), 0));
}

static void setuid_keepcaps(void)
{
	show("keepcaps", prctl(PR_SET_KEEPCAPS, 1L, 0L, 0L, 0L));
	struct sets s = own();
	show("capset inheritable chown", capset3(s.e, s.p, BIT(CAP_CHOWN)));
	show("ambient raise chown", prctl(PR_CAP_AMBIENT, (long)PR_CAP_AMBIENT_RAISE, (long)CAP_CHOWN, 0L, 0L));
	show("setuid 1000 keepcaps", SYS(SYS_setuid, 1000));
	show_sets("setuid 1000 keepcaps");
	show("keepcaps after setuid", prctl(PR_GET_KEEPCAPS, 0L, 0L, 0L, 0L));
	s = own();
	show("capset effective = permitted", capset3(s.p, s.p, s.i));
	char path[96];
	snprintf(path, sizeof path, "%s/owned", dir);
	show("chown as 1000 with cap_chown", SYS(SYS_chown, path, 2000, -1));
	show("chown back", SYS(SYS_chown, path, 0, -1));
	show("setuid 0 with cap_setuid", SYS(SYS_setuid, 0));
	show_sets("root again");
}

static void seteuid_only(void)
{
	show("seteuid 1000", SYS(SYS_setresuid, -1, 1000, -1));
	show_sets("euid 1000");
	show("seteuid 0", SYS(SYS_setresuid, -1, 0, -1));
	show_sets("euid 0 again");
	show("setresuid 1000 1000 0", SYS(SYS_setresuid, 1000, 1000, 0));
	show_sets("suid 0 kept");
	show("setresuid -1 0 -1", SYS(SYS_setresuid, -1, 0, -1));
	show_sets("euid 0 from suid");
	show("setreuid 1000 1000", SYS(SYS_setreuid, 1000, 1000));
	show_sets("setreuid 1000 1000");
}

static void no_setuid_fixup(void)
{
	show("securebits no_setuid_fixup", prctl(PR_SET_SECUREBITS, (long)SECBIT_NO_SETUID_FIXUP, 0L, 0L, 0L));
	show("setresuid 1000 1000 1000", SYS(SYS_setresuid, 1000, 1000, 1000));
	show_sets("no fixup");
}

/* The fs ids: setfsuid away from 0 takes the file system capabilities out of the effective set. */
static void fs_ids(void)
{
	char f[96], mine[96];
	struct stat st;
	path_of(f, sizeof f, "secret");
	path_of(mine, sizeof mine, "fsfile");
	show("setfsuid 1000", SYS(SYS_setfsuid, 1000));
	show("setfsuid -1 (ask)", SYS(SYS_setfsuid, -1));
	show_sets("fsuid 1000");
	show("open 000 as fsuid 1000", SYS(SYS_open, f, O_RDONLY));
	show("setfsgid 1000", SYS(SYS_setfsgid, 1000));
	int fd = (int)SYS(SYS_open, mine, O_WRONLY | O_CREAT, 0644);
	show_ok("create as fsuid 1000", fd);
	if (fd >= 0) {
		fstat(fd, &st);
		printf("new file owner: %d %d\n", (int)st.st_uid, (int)st.st_gid);
		close(fd);
	}
	unlink(mine);
	show("getuid is still", SYS(SYS_geteuid));
	show("setfsuid 0", SYS(SYS_setfsuid, 0));
	show_sets("fsuid 0 again");
	show("setfsuid 1000 again", SYS(SYS_setfsuid, 1000));
	show("seteuid 0 resets fsuid", SYS(SYS_setresuid, -1, 0, -1));
	show("setfsuid -1 (ask)", SYS(SYS_setfsuid, -1));
	show("setresuid 1000 1000 1000", SYS(SYS_setresuid, 1000, 1000, 1000));
	show("setfsuid 2000 unprivileged", SYS(SYS_setfsuid, 2000));
	show("setfsuid -1 (ask)", SYS(SYS_setfsuid, -1));
	show("setfsgid 2000 unprivileged", SYS(SYS_setfsgid, 2000));
	show("setfsgid -1 (ask)", SYS(SYS_setfsgid, -1));
}

/* ---- checks of single capabilities ---- */

static void drop_chown(void)
{
	char f[96];
	path_of(f, sizeof f, "owned");
	show("drop cap_chown", drop_eff(BIT(CAP_CHOWN)));
	show("chown to 1000 without cap_chown", SYS(SYS_chown, f, 1000, -1));
	show("chown to own uid without cap_chown", SYS(SYS_chown, f, 0, -1));
	show("chgrp to own group without cap_chown", SYS(SYS_chown, f, -1, 0));
	show("chgrp to 1000 without cap_chown", SYS(SYS_chown, f, -1, 1000));
}

static void drop_dac(void)
{
	char f[96], d[96], in[96];
	path_of(f, sizeof f, "secret");
	path_of(d, sizeof d, "closed");
	path_of(in, sizeof in, "closed/inside");
	show("drop cap_dac_read_search", drop_eff(BIT(CAP_DAC_READ_SEARCH)));
	int fd = (int)SYS(SYS_open, f, O_RDONLY);
	show_ok("open 000 for reading with dac_override", fd);
	if (fd >= 0)
		close(fd);
	show_ok("stat in a 000 dir with dac_override", SYS(SYS_access, in, F_OK));
	show("capset back", capset3(TESTSET, TESTSET, 0));
	show("drop cap_dac_override", drop_eff(BIT(CAP_DAC_OVERRIDE)));
	fd = (int)SYS(SYS_open, f, O_RDONLY);
	show_ok("open 000 for reading with dac_read_search", fd);
	if (fd >= 0)
		close(fd);
	show("open 000 for writing with dac_read_search", SYS(SYS_open, f, O_WRONLY));
	show("create in a 000 dir with dac_read_search", SYS(SYS_open, in, O_WRONLY | O_CREAT, 0600));
	show("drop cap_dac_read_search too", drop_eff(BIT(CAP_DAC_READ_SEARCH)));
	show("open 000 without dac caps", SYS(SYS_open, f, O_RDONLY));
	show("stat in a 000 dir without dac caps", SYS(SYS_access, in, F_OK));
	/* access(2) uses the permitted set for a root real uid; AT_EACCESS the effective one. */
	show("access R_OK (permitted set)", SYS(SYS_access, f, R_OK));
	show("faccessat2 AT_EACCESS", SYS(SYS_faccessat2, AT_FDCWD, f, R_OK, AT_EACCESS));
}

static void drop_fowner(void)
{
	char f[96];
	path_of(f, sizeof f, "theirs");
	show("drop cap_fowner", drop_eff(BIT(CAP_FOWNER)));
	show("chmod someone else's file", SYS(SYS_chmod, f, 0640));
	show("utimes someone else's file", SYS(SYS_utimensat, AT_FDCWD, f, NULL, 0));
	show("drop cap_dac_override too", drop_eff(BIT(CAP_DAC_OVERRIDE)));
	show("utimes someone else's 0644 file", SYS(SYS_utimensat, AT_FDCWD, f, NULL, 0));
}

static void drop_setid(void)
{
	show("drop cap_setuid cap_setgid", drop_eff(BIT(CAP_SETUID) | BIT(CAP_SETGID)));
	show("setuid 1000 without cap_setuid", SYS(SYS_setuid, 1000));
	show("setresuid 0 0 0 without cap_setuid", SYS(SYS_setresuid, 0, 0, 0));
	show("setgid 1000 without cap_setgid", SYS(SYS_setgid, 1000));
	gid_t g = 0;
	show("setgroups without cap_setgid", SYS(SYS_setgroups, 1, &g));
}

static void drop_misc(void)
{
	char n[96];
	path_of(n, sizeof n, "node");
	unsigned long long caps = BIT(CAP_SYS_CHROOT) | BIT(CAP_MKNOD) | BIT(CAP_SYS_ADMIN) | BIT(CAP_SYS_NICE);
	show("drop chroot mknod sys_admin sys_nice", drop_eff(caps));
	/* Natively these calls would change the host if the capabilities were still there. */
	if (own().e & caps)
		return;
	show("chroot without cap_sys_chroot", SYS(SYS_chroot, "/"));
	show("mknod without cap_mknod", SYS(SYS_mknod, n, S_IFCHR | 0600, makedev(1, 3)));
	show("sethostname without cap_sys_admin", SYS(SYS_sethostname, "x", 1));
	show("umount without cap_sys_admin", SYS(SYS_umount2, "/proc", 0));
	show("unshare newns without cap_sys_admin", SYS(SYS_unshare, CLONE_NEWNS));
	show("setpriority -5 without cap_sys_nice", SYS(SYS_setpriority, PRIO_PROCESS, 0, -5));
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_max++;
	show("raise hard limit without cap_sys_resource", SYS(SYS_setrlimit, RLIMIT_NOFILE, &rl));
}

static void drop_ipc_lock(void)
{
	static char page[4096] __attribute__((aligned(4096)));
	struct rlimit rl = { 0, 0 };
	show("memlock limit 0", SYS(SYS_setrlimit, RLIMIT_MEMLOCK, &rl));
	show("mlock with cap_ipc_lock", SYS(SYS_mlock, page, sizeof page));
	show("munlock", SYS(SYS_munlock, page, sizeof page));
	show("drop cap_ipc_lock", drop_eff(BIT(CAP_IPC_LOCK)));
	show("mlock without cap_ipc_lock", SYS(SYS_mlock, page, sizeof page));
}

static void drop_kill(void)
{
	int go[2];
	if (pipe(go) < 0)
		return;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		if (setresuid(1000, 1000, 1000) < 0 || read(go[0], &c, 1) != 1)
			_exit(1);
		_exit(0);
	}
	show("drop cap_kill", drop_eff(BIT(CAP_KILL)));
	/* The child may not have changed its uid yet: wait until kill says so. */
	long r = 0;
	for (int i = 0; i < 1000 && (r = SYS(SYS_kill, pid, 0)) == 0; i++)
		usleep(1000);
	show("kill 0 another user's process without cap_kill", r);
	show("capset back", capset3(TESTSET, TESTSET, 0));
	show("kill 0 with cap_kill", SYS(SYS_kill, pid, 0));
	char c = 1;
	if (write(go[1], &c, 1) != 1)
		return;
	waitpid(pid, NULL, 0);
}

/* ---- execve ---- */

static void exec_root(void)
{
	show("capset drop kill", capset3(TESTSET & ~BIT(CAP_KILL), TESTSET & ~BIT(CAP_KILL), 0));
	show("keepcaps", prctl(PR_SET_KEEPCAPS, 1L, 0L, 0L, 0L));
	reexec("root");
}

static void exec_root_nnp(void)
{
	show("capset drop kill", capset3(TESTSET & ~BIT(CAP_KILL), TESTSET & ~BIT(CAP_KILL), 0));
	show("no_new_privs", prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L));
	reexec("root-nnp");
}

static void exec_nonroot(void)
{
	show("keepcaps", prctl(PR_SET_KEEPCAPS, 1L, 0L, 0L, 0L));
	show("setresuid 1000", SYS(SYS_setresuid, 1000, 1000, 1000));
	reexec("nonroot");
}

static void exec_ambient(void)
{
	show("keepcaps", prctl(PR_SET_KEEPCAPS, 1L, 0L, 0L, 0L));
	show("capset inheritable chown", capset3(TESTSET, TESTSET, BIT(CAP_CHOWN) | BIT(CAP_KILL)));
	show("ambient raise kill", prctl(PR_CAP_AMBIENT, (long)PR_CAP_AMBIENT_RAISE, (long)CAP_KILL, 0L, 0L));
	/* Leaving uid 0 clears the ambient set, keepcaps or not; raised again after, it stays. */
	show("setresuid 1000", SYS(SYS_setresuid, 1000, 1000, 1000));
	show_sets("ambient as 1000");
	show("ambient raise chown", prctl(PR_CAP_AMBIENT, (long)PR_CAP_AMBIENT_RAISE, (long)CAP_CHOWN, 0L, 0L));
	reexec("ambient");
}

/*
 * Real id 0, effective id 1000 (the uids, or with gid the gids), ambient
 * CAP_KILL, permitted TESTSET less drop: the ambient set survives the
 * execve, which runs in secure mode (AT_SECURE). Under no_new_privs, with
 * a permitted set the execve would grow, the effective ids fall back to
 * the real ones.
 */
static void exec_differing_ids(const char *stage, int gid, unsigned long long drop, int nnp)
{
	show("capset inheritable kill", capset3(TESTSET & ~drop, TESTSET & ~drop, BIT(CAP_KILL)));
	show("ambient raise kill", prctl(PR_CAP_AMBIENT, (long)PR_CAP_AMBIENT_RAISE, (long)CAP_KILL, 0L, 0L));
	show("set effective id 1000", gid ? SYS(SYS_setresgid, 0, 1000, 1000) : SYS(SYS_setresuid, 0, 1000, 1000));
	show_sets("effective id 1000 with ambient");
	if (nnp)
		show("no_new_privs", prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L));
	reexec(stage);
}

static void exec_euid(void) { exec_differing_ids("euid-1000", 0, 0, 0); }
static void exec_euid_nnp(void) { exec_differing_ids("euid-1000-nnp", 0, BIT(CAP_CHOWN), 1); }
static void exec_egid(void) { exec_differing_ids("egid-1000", 1, 0, 0); }

static void exec_ruid(void)
{
	show("setresuid 1000 0 0", SYS(SYS_setresuid, 1000, 0, 0));
	reexec("ruid-1000");
}

static void exec_noroot(void)
{
	show("securebits noroot", prctl(PR_SET_SECUREBITS, (long)SECBIT_NOROOT, 0L, 0L, 0L));
	reexec("noroot");
}

static void exec_bounding(void)
{
	show("capbset drop kill", prctl(PR_CAPBSET_DROP, (long)CAP_KILL, 0L, 0L, 0L));
	show("capset inheritable chown", capset3(TESTSET, TESTSET, BIT(CAP_CHOWN)));
	reexec("bounding");
}

static void make_files(void)
{
	char p[96];
	strcpy(dir, "/tmp/caps.XXXXXX");
	if (mkdtemp(dir) == NULL || chmod(dir, 0777) < 0) {
		printf("mkdtemp: -1 %s\n", errname(errno));
		exit(1);
	}
	path_of(p, sizeof p, "owned");
	close(open(p, O_WRONLY | O_CREAT, 0644));
	path_of(p, sizeof p, "secret");
	close(open(p, O_WRONLY | O_CREAT, 0000));
	chmod(p, 0000);
	path_of(p, sizeof p, "theirs");
	close(open(p, O_WRONLY | O_CREAT, 0644));
	chown(p, 1000, 1000);
	path_of(p, sizeof p, "closed");
	mkdir(p, 0000);
	chmod(p, 0000);
	path_of(p, sizeof p, "closed/inside");
	close(open(p, O_WRONLY | O_CREAT, 0644));
}

static void remove_files(void)
{
	const char *names[] = { "closed/inside", "closed", "owned", "secret", "theirs", "node" };
	char p[96];
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		path_of(p, sizeof p, names[i]);
		if (unlink(p) < 0)
			rmdir(p);
	}
	rmdir(dir);
}

int main(int argc, char **argv)
{
	self = argv[0];
	if (argc == 3 && strcmp(argv[1], "exec") == 0)
		return exec_stage(argv[2]);

	/* What the program starts with, as facts that hold for root in both worlds. */
	struct sets s = own();
	show_bool("start: effective = permitted", s.e == s.p);
	show_bool("start: TESTSET in permitted", (s.p & TESTSET) == TESTSET);
	show_bool("start: TESTSET in bounding", (bounding() & TESTSET) == TESTSET);
	show_bool("start: bounding within caps 0-40", (bounding() & ~FULL) == 0);
	printf("start: inheritable=%llx ambient=%llx\n", s.i, ambient());
	show("start: securebits", prctl(PR_GET_SECUREBITS, 0L, 0L, 0L, 0L));
	int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY);
	char last[16] = "";
	if (fd >= 0 && read(fd, last, sizeof last - 1) > 0)
		show_str("cap_last_cap", last);
	if (fd >= 0)
		close(fd);

	/* Narrow everything to TESTSET. */
	for (int c = 0; c <= LAST_CAP; c++)
		if (!(TESTSET & BIT(c)) && prctl(PR_CAPBSET_DROP, (long)c, 0L, 0L, 0L) < 0)
			printf("narrow bounding %d: -1 %s\n", c, errname(errno));
	show("narrow", capset3(TESTSET, TESTSET, 0));
	show_sets("narrowed");
	status_lines("self", "/proc/self/status");

	make_files();
	capget_versions();
	capget_other();
	run_child("capset rules", capset_rules);
	run_child("capset v1", capset_v1);
	run_child("bounding", bounding_set);
	run_child("ambient", ambient_set);
	run_child("securebits", securebits);
	run_child("setuid", setuid_plain);
	run_child("setuid keepcaps", setuid_keepcaps);
	run_child("seteuid", seteuid_only);
	run_child("no setuid fixup", no_setuid_fixup);
	run_child("fs ids", fs_ids);
	run_child("chown", drop_chown);
	run_child("dac", drop_dac);
	run_child("fowner", drop_fowner);
	run_child("setid", drop_setid);
	run_child("misc", drop_misc);
	run_child("ipc_lock", drop_ipc_lock);
	run_child("kill", drop_kill);
	run_child("exec root", exec_root);
	run_child("exec root nnp", exec_root_nnp);
	run_child("exec nonroot", exec_nonroot);
	run_child("exec ambient", exec_ambient);
	run_child("exec euid", exec_euid);
	run_child("exec euid nnp", exec_euid_nnp);
	run_child("exec egid", exec_egid);
	run_child("exec ruid", exec_ruid);
	run_child("exec noroot", exec_noroot);
	run_child("exec bounding", exec_bounding);
	remove_files();
	show_sets("parent unchanged");
	printf("done\n");
	return 0;
}
