/*
 * /proc/self as a program knows itself: its pid and parent, its name, its
 * mappings, its descriptors, its limits, its arguments and environment,
 * its executable, its signal masks and its threads. Each line is a check
 * that compares what /proc says with what the program did or what a system
 * call says, so that native and sandboxed runs print the same lines.
 */
#include "common.h"
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

extern char **environ;

static char buf[1 << 16];

/* Reads a whole file into buf; returns its length or -1. */
static long slurp(const char *path)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	long n = 0, r;
	while ((r = read(fd, buf + n, sizeof buf - 1 - n)) > 0)
		n += r;
	close(fd);
	buf[n] = 0;
	return r < 0 ? -1 : n;
}

/* The value after "Key:\t" in buf (status format), or NULL. */
static const char *field(const char *key)
{
	static char val[256];
	char pat[64];
	snprintf(pat, sizeof pat, "\n%s:\t", key);
	const char *p = strstr(buf, pat);
	if (p != NULL) {
		p += strlen(pat);
	} else {
		snprintf(pat, sizeof pat, "%s:\t", key);
		if (strncmp(buf, pat, strlen(pat)) != 0)
			return NULL;
		p = buf + strlen(pat);
	}
	size_t i = 0;
	while (p[i] && p[i] != '\n' && i < sizeof val - 1) {
		val[i] = p[i];
		i++;
	}
	val[i] = 0;
	return val;
}

/* Field n (1-based, as proc(5) numbers them) of /proc/self/stat. */
static unsigned long long stat_field(int n, char *state)
{
	if (slurp("/proc/self/stat") < 0)
		return ~0ULL;
	if (n == 1)
		return strtoull(buf, NULL, 10);
	char *p = strrchr(buf, ')');
	if (p == NULL)
		return ~0ULL;
	p += 2;
	if (state)
		*state = *p;
	/* field 3 is the state; count from there */
	for (int i = 3; i < n; i++) {
		p = strchr(p, ' ');
		if (p == NULL)
			return ~0ULL;
		p++;
	}
	return strtoull(p, NULL, 10);
}

static volatile int ready;
static void *spin(void *arg)
{
	(void)arg;
	ready = 1;
	while (ready != 2)
		usleep(1000);
	return NULL;
}

static void on_hup(int s)
{
	(void)s;
}

int main(int argc, char **argv)
{
	char path[PATH_MAX], want[PATH_MAX];
	pid_t me = getpid();

	/* self and thread-self */
	ssize_t n = readlink("/proc/self", path, sizeof path - 1);
	path[n < 0 ? 0 : n] = 0;
	snprintf(want, sizeof want, "%d", me);
	show_bool("self is pid", strcmp(path, want) == 0);
	n = readlink("/proc/thread-self", path, sizeof path - 1);
	path[n < 0 ? 0 : n] = 0;
	snprintf(want, sizeof want, "%d/task/%ld", me, (long)syscall(SYS_gettid));
	show_bool("thread-self is pid/task/tid", strcmp(path, want) == 0);
	struct stat st;
	snprintf(want, sizeof want, "/proc/%d", me);
	show_ok("stat /proc/PID", stat(want, &st));
	show_bool("/proc/PID is a directory", S_ISDIR(st.st_mode));
	show_bool("/proc/PID owner is euid", st.st_uid == geteuid());

	/* stat */
	char state = 0;
	show_bool("stat pid", stat_field(1, NULL) == (unsigned long long)me);
	stat_field(3, &state);
	show_bool("stat state R", state == 'R');
	show_bool("stat ppid", stat_field(4, NULL) == (unsigned long long)getppid());
	show_bool("stat pgrp", stat_field(5, NULL) == (unsigned long long)getpgrp());
	show_bool("stat session", stat_field(6, NULL) == (unsigned long long)getsid(0));
	show_bool("stat nice", (long long)stat_field(19, NULL) == getpriority(PRIO_PROCESS, 0));
	show_bool("stat num_threads 1", stat_field(20, NULL) == 1);
	struct rlimit rl;
	getrlimit(RLIMIT_RSS, &rl);
	show_bool("stat rsslim", stat_field(25, NULL) == (unsigned long long)rl.rlim_cur);
	show_bool("stat startstack is below argv", stat_field(28, NULL) == (unsigned long long)(uintptr_t)argv - 8);
	show_bool("stat arg_start", stat_field(48, NULL) == (unsigned long long)(uintptr_t)argv[0]);
	show_bool("stat arg_end", stat_field(49, NULL) ==
		  (unsigned long long)(uintptr_t)(argv[argc - 1] + strlen(argv[argc - 1]) + 1));
	show_bool("stat env_start", environ[0] == NULL ||
		  stat_field(50, NULL) == (unsigned long long)(uintptr_t)environ[0]);
	show_bool("stat comm", slurp("/proc/self/stat") > 0 && strstr(buf, "(proc_self") != NULL);

	/* status, after changing what it shows */
	umask(027);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGUSR2, SIG_IGN);
	signal(SIGHUP, on_hup);
	prctl(PR_SET_NAME, "procname", 0, 0, 0);
	show_ok("read status", slurp("/proc/self/status"));
	const char *v = field("Name");
	show_str("status Name", v ? v : "?");
	v = field("Umask");
	show_str("status Umask", v ? v : "?");
	v = field("State");
	show_str("status State", v ? v : "?");
	snprintf(want, sizeof want, "%d", me);
	v = field("Pid");
	show_bool("status Pid", v && strcmp(v, want) == 0);
	v = field("Tgid");
	show_bool("status Tgid", v && strcmp(v, want) == 0);
	snprintf(want, sizeof want, "%d", getppid());
	v = field("PPid");
	show_bool("status PPid", v && strcmp(v, want) == 0);
	snprintf(want, sizeof want, "%d\t%d\t%d\t%d", getuid(), geteuid(), getuid(), geteuid());
	v = field("Uid");
	show_bool("status Uid", v && strcmp(v, want) == 0);
	v = field("Threads");
	show_str("status Threads", v ? v : "?");
	v = field("SigBlk");
	show_str("status SigBlk", v ? v : "?");
	v = field("SigIgn");
	show_str("status SigIgn", v ? v : "?");
	v = field("SigCgt");
	show_str("status SigCgt", v ? v : "?");
	v = field("SigPnd");
	show_str("status SigPnd", v ? v : "?");
	raise(SIGUSR1);
	slurp("/proc/self/status");
	v = field("SigPnd");
	show_str("status SigPnd after raise", v ? v : "?");
	signal(SIGUSR1, SIG_IGN); /* discards the pending one */
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	signal(SIGUSR1, SIG_DFL);
	v = field("NoNewPrivs");
	show_str("status NoNewPrivs", v ? v : "?");
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	slurp("/proc/self/status");
	v = field("NoNewPrivs");
	show_str("status NoNewPrivs after prctl", v ? v : "?");
	v = field("VmSize");
	unsigned long vmsize = v ? strtoul(v, NULL, 10) : 0;
	slurp("/proc/self/statm");
	show_bool("statm size agrees with VmSize", strtoul(buf, NULL, 10) * 4 == vmsize);
	slurp("/proc/self/comm");
	show_str("comm", buf);

	/* comm is writable by the task itself */
	int fd = open("/proc/self/comm", O_WRONLY | O_TRUNC);
	show_ok("open comm for writing", fd);
	show("write comm", write(fd, "renamed\n", 8));
	close(fd);
	char name[17] = {0};
	prctl(PR_GET_NAME, name, 0, 0, 0);
	show_str("PR_GET_NAME after comm write", name);

	/* maps: a mapping at a known address, split by mprotect */
	char *m = mmap((void *)0x200000000UL, 3 * 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	show_bool("mmap at 0x200000000", m == (char *)0x200000000UL);
	mprotect(m + 4096, 4096, PROT_READ);
	slurp("/proc/self/maps");
	show_bool("maps rw-p head", strstr(buf, "200000000-200001000 rw-p 00000000 00:00 0 \n") != NULL);
	show_bool("maps r--p middle", strstr(buf, "\n200001000-200002000 r--p 00000000 00:00 0 \n") != NULL);
	show_bool("maps rw-p tail", strstr(buf, "\n200002000-200003000 rw-p 00000000 00:00 0 \n") != NULL);
	show_bool("maps [stack]", strstr(buf, "[stack]\n") != NULL);
	show_bool("maps [vdso]", strstr(buf, "[vdso]\n") != NULL);
	munmap(m, 3 * 4096);
	slurp("/proc/self/maps");
	show_bool("maps after munmap", strstr(buf, "200000000-") == NULL);

	/* exe, and a mapping of it at an offset */
	n = readlink("/proc/self/exe", path, sizeof path - 1);
	path[n < 0 ? 0 : n] = 0;
	char *real = realpath(argv[0], NULL);
	show_bool("exe is the program", real && strcmp(path, real) == 0);
	int efd = open(path, O_RDONLY | O_CLOEXEC);
	fstat(efd, &st);
	char *fm = mmap((void *)0x300000000UL, 4096, PROT_READ, MAP_PRIVATE | MAP_FIXED_NOREPLACE, efd, 4096);
	show_bool("file mmap", fm == (char *)0x300000000UL);
	snprintf(want, sizeof want, "300000000-300001000 r--p 00001000 %02x:%02x %lu", major(st.st_dev),
		 minor(st.st_dev), (unsigned long)st.st_ino);
	slurp("/proc/self/maps");
	char *line = strstr(buf, want);
	show_bool("maps file line", line != NULL);
	if (line) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = 0;
		show_bool("maps file name at column 73", strlen(line) > 73 && strcmp(line + 73, path) == 0);
	}
	slurp("/proc/self/smaps");
	line = strstr(buf, "300000000-300001000");
	show_bool("smaps has the mapping", line != NULL);
	show_bool("smaps Size", line && strstr(line, "\nSize:                  4 kB\n") != NULL);
	show_bool("smaps VmFlags", line && strstr(line, "\nVmFlags: rd mr mw me ") != NULL);
	munmap(fm, 4096);

	/* fd and fdinfo */
	lseek(efd, 100, SEEK_SET);
	snprintf(want, sizeof want, "/proc/self/fd/%d", efd);
	n = readlink(want, path, sizeof path - 1);
	path[n < 0 ? 0 : n] = 0;
	show_bool("fd link names the file", real && strcmp(path, real) == 0);
	snprintf(want, sizeof want, "/proc/self/fdinfo/%d", efd);
	slurp(want);
	v = field("pos");
	show_str("fdinfo pos", v ? v : "?");
	v = field("flags");
	show_str("fdinfo flags", v ? v : "?");
	v = field("mnt_id");
	char mnt[32];
	snprintf(mnt, sizeof mnt, "%s", v ? v : "?");
	snprintf(want, sizeof want, "%lu", (unsigned long)st.st_ino);
	v = field("ino");
	show_bool("fdinfo ino", v && strcmp(v, want) == 0);
	slurp("/proc/self/mountinfo");
	snprintf(want, sizeof want, "\n%s ", mnt);
	show_bool("fdinfo mnt_id is in mountinfo", strncmp(buf, want + 1, strlen(want + 1)) == 0 || strstr(buf, want) != NULL);
	snprintf(want, sizeof want, "/proc/self/fd/%d", efd);
	show_ok("stat through the fd link", stat(want, &st));
	int pfd[2];
	pipe(pfd);
	snprintf(want, sizeof want, "/proc/self/fd/%d", pfd[0]);
	n = readlink(want, path, sizeof path - 1);
	path[n < 0 ? 0 : n] = 0;
	show_bool("pipe fd link", strncmp(path, "pipe:[", 6) == 0);
	lstat(want, &st);
	show_bool("read end link mode lr-x------", (st.st_mode & 07777) == 0500);
	snprintf(want, sizeof want, "/proc/self/fd/%d", pfd[1]);
	lstat(want, &st);
	show_bool("write end link mode l-wx------", (st.st_mode & 07777) == 0300);
	DIR *d = opendir("/proc/self/fd");
	int count = 0, seen_efd = 0, seen_dir = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		count++;
		if (atoi(de->d_name) == efd)
			seen_efd = 1;
		if (atoi(de->d_name) == dirfd(d))
			seen_dir = 1;
		if (de->d_type != DT_LNK)
			count += 1000;
	}
	closedir(d);
	show_bool("fd dir lists the file", seen_efd);
	show_bool("fd dir lists itself", seen_dir);
	int nfds = 0;
	for (int i = 0; i < 1024; i++)
		if (fcntl(i, F_GETFD) >= 0)
			nfds++;
	show_bool("fd dir count", count == nfds + 1);
	close(pfd[0]);
	close(pfd[1]);
	snprintf(want, sizeof want, "/proc/self/fd/%d", pfd[0]);
	show("readlink a closed fd", readlink(want, path, sizeof path));
	show("open fdinfo of a closed fd", open("/proc/self/fdinfo/1000", O_RDONLY));

	/* limits */
	struct rlimit nf = {200, 300};
	setrlimit(RLIMIT_NOFILE, &nf);
	slurp("/proc/self/limits");
	show_bool("limits header", strncmp(buf, "Limit                     Soft Limit           Hard Limit           Units     \n", 79) == 0);
	show_bool("limits open files", strstr(buf, "\nMax open files            200                  300                  files     \n") != NULL);
	struct rlimit core = {0, 0};
	setrlimit(RLIMIT_CORE, &core);
	slurp("/proc/self/limits");
	show_bool("limits core", strstr(buf, "\nMax core file size        0                    0                    bytes     \n") != NULL);

	/* cmdline and environ */
	n = slurp("/proc/self/cmdline");
	long off = 0;
	int ok = 1;
	for (int i = 0; i < argc; i++) {
		if (strcmp(buf + off, argv[i]) != 0)
			ok = 0;
		off += strlen(argv[i]) + 1;
	}
	show_bool("cmdline is argv", ok && off == n);
	n = slurp("/proc/self/environ");
	off = 0;
	ok = 1;
	for (char **e = environ; *e; e++) {
		if (off >= n || strcmp(buf + off, *e) != 0)
			ok = 0;
		off += strlen(*e) + 1;
	}
	show_bool("environ is the environment", ok && off == n);

	/* auxv against getauxval */
	n = slurp("/proc/self/auxv");
	unsigned long *aux = (unsigned long *)buf;
	int nok = 0, nchk = 0;
	for (long i = 0; i + 1 < n / 8 && aux[i] != AT_NULL; i += 2) {
		if (aux[i] == AT_PAGESZ || aux[i] == AT_ENTRY || aux[i] == AT_PHDR || aux[i] == AT_RANDOM ||
		    aux[i] == AT_EXECFN || aux[i] == AT_UID) {
			nchk++;
			nok += getauxval(aux[i]) == aux[i + 1];
		}
	}
	show_bool("auxv agrees with getauxval", nchk == 6 && nok == 6);
	show_bool("auxv ends with AT_NULL", n >= 16 && aux[n / 8 - 2] == AT_NULL);

	/* mem: this program's own memory at an address */
	static const char secret[] = "a string in memory";
	fd = open("/proc/self/mem", O_RDWR);
	char got[sizeof secret] = {0};
	show("pread mem", pread(fd, got, sizeof secret, (off_t)(uintptr_t)secret));
	show_bool("mem has the string", memcmp(got, secret, sizeof secret) == 0);
	static char target[8] = "xxxxxxx";
	show("pwrite mem", pwrite(fd, "written", 7, (off_t)(uintptr_t)target));
	show_str("written through mem", target);
	show("pread mem at 0", pread(fd, got, 8, 0));
	close(fd);

	/* oom_score_adj */
	fd = open("/proc/self/oom_score_adj", O_WRONLY);
	show("write oom_score_adj 500", write(fd, "500\n", 4));
	show("write oom_score_adj 2000", write(fd, "2000", 4));
	show("write oom_score_adj junk", write(fd, "x", 1));
	close(fd);
	slurp("/proc/self/oom_score_adj");
	show_str("oom_score_adj", buf);
	slurp("/proc/self/cgroup");
	show_bool("cgroup has 0::/", strstr(buf, "0::/") != NULL);
	slurp("/proc/self/uid_map");
	show_bool("uid_map has three numbers", sscanf(buf, "%*u %*u %*u") == 0);

	/* threads */
	pthread_t th;
	pthread_create(&th, NULL, spin, NULL);
	while (!ready)
		usleep(1000);
	show_bool("stat num_threads 2", stat_field(20, NULL) == 2);
	slurp("/proc/self/status");
	v = field("Threads");
	show_str("status Threads with a thread", v ? v : "?");
	d = opendir("/proc/self/task");
	count = 0;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			count++;
	closedir(d);
	show("task entries", count);
	ready = 2;
	pthread_join(th, NULL);

	/* errors */
	show("open /proc/self/nonesuch", open("/proc/self/nonesuch", O_RDONLY));
	show("open /proc/999999999/stat", open("/proc/999999999/stat", O_RDONLY));
	show("readlink /proc/self/stat", readlink("/proc/self/stat", path, sizeof path));
	fd = open("/proc/self/stat", O_RDONLY);
	show("lseek stat SEEK_END", lseek(fd, 0, SEEK_END));
	show("write stat opened read-only", write(fd, "x", 1));
	close(fd);
	fd = open("/proc/self/status", O_WRONLY);
	show("write status", write(fd, "x", 1));
	close(fd);
	show("unlink /proc/self/stat", unlink("/proc/self/stat"));
	show("chmod /proc/self/stat", chmod("/proc/self/stat", 0777));

	/* a child: another process's comm, ptrace access across users, a zombie */
	int sync_pipe[2];
	pipe(sync_pipe);
	pid_t parent = getpid();
	pid_t c = fork();
	if (c == 0) {
		char p2[64];
		snprintf(p2, sizeof p2, "/proc/%d/comm", parent);
		int cfd = open(p2, O_WRONLY);
		show("child writes parent's comm", write(cfd, "x", 1));
		close(cfd);
		if (getuid() == 0 && setresgid(1000, 1000, 1000) == 0 && setresuid(1000, 1000, 1000) == 0) {
			snprintf(p2, sizeof p2, "/proc/%d/environ", parent);
			show("other user's environ", open(p2, O_RDONLY));
			snprintf(p2, sizeof p2, "/proc/%d/maps", parent);
			show("other user's maps", open(p2, O_RDONLY));
			snprintf(p2, sizeof p2, "/proc/%d/mem", parent);
			show("other user's mem", open(p2, O_RDONLY));
			snprintf(p2, sizeof p2, "/proc/%d/exe", parent);
			show("other user's exe", readlink(p2, path, sizeof path));
			snprintf(p2, sizeof p2, "/proc/%d/fd", parent);
			show("other user's fd dir", open(p2, O_RDONLY | O_DIRECTORY));
			snprintf(p2, sizeof p2, "/proc/%d/stat", parent);
			int sfd = open(p2, O_RDONLY);
			show_ok("other user's stat", sfd);
			show_bool("other user's stat hides arg_start", sfd >= 0 && read(sfd, buf, sizeof buf) > 0 &&
				  strstr(buf, " 0 0 0 0 0\n") != NULL);
			/* Linux makes a process that changed its ids undumpable (its files root's): undo that. */
			prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
			snprintf(p2, sizeof p2, "/proc/%d/oom_score_adj", getpid());
			int ofd = open(p2, O_WRONLY);
			show("unprivileged lowers oom_score_adj", write(ofd, "-5", 2));
			show("unprivileged raises oom_score_adj", write(ofd, "900", 3));
		} else {
			for (int i = 0; i < 8; i++)
				printf("skip\n");
		}
		fflush(stdout);
		_exit(3);
	}
	waitid(P_PID, c, NULL, WEXITED | WNOWAIT);
	snprintf(want, sizeof want, "/proc/%d/stat", c);
	slurp(want);
	char *cp = strrchr(buf, ')');
	show_bool("zombie state Z", cp && cp[2] == 'Z');
	snprintf(want, sizeof want, "/proc/%d/exe", c);
	show("zombie exe", readlink(want, path, sizeof path));
	snprintf(want, sizeof want, "/proc/%d/cmdline", c);
	show("zombie cmdline", slurp(want));
	snprintf(want, sizeof want, "/proc/%d/stat", c);
	int zfd = open(want, O_RDONLY);
	waitpid(c, NULL, 0);
	show("read stat of a reaped process", read(zfd, buf, 100));
	snprintf(want, sizeof want, "/proc/%d", c);
	show("stat /proc/PID of a reaped process", stat(want, &st));
	printf("done\n");
	return 0;
}
