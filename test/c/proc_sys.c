/*
 * The system files of /proc and /sys against the system calls that tell
 * the same things: sysinfo (memory, uptime), sched_getaffinity and
 * get_nprocs (CPUs), uname (names), getrlimit, the clock. Each line is a
 * check, so native and sandboxed runs print the same lines.
 */
#include "common.h"
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <time.h>

static char buf[1 << 16];

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

/* The number after "key" in buf, or -1. */
static long long after(const char *key)
{
	char *p = strstr(buf, key);
	if (p == NULL)
		return -1;
	return strtoll(p + strlen(key), NULL, 10);
}

/* How many CPUs a list like "0-3,5" names. */
static int count_list(const char *s)
{
	int n = 0;
	while (*s && *s != '\n') {
		char *end;
		long a = strtol(s, &end, 10), b = a;
		if (*end == '-')
			b = strtol(end + 1, &end, 10);
		n += b - a + 1;
		s = *end == ',' ? end + 1 : end;
	}
	return n;
}

static void chomp(char *s)
{
	char *nl = strchr(s, '\n');
	if (nl)
		*nl = 0;
}

int main(void)
{
	struct sysinfo si;
	sysinfo(&si);

	/* memory */
	show_ok("read meminfo", slurp("/proc/meminfo"));
	show_bool("MemTotal is sysinfo totalram",
		  after("MemTotal:") == (long long)((unsigned long long)si.totalram * si.mem_unit / 1024));
	show_bool("MemFree at most MemTotal", after("MemFree:") <= after("MemTotal:"));
	show_bool("MemAvailable at most MemTotal", after("MemAvailable:") <= after("MemTotal:"));
	show_bool("meminfo has SwapTotal", after("SwapTotal:") >= 0);
	show_bool("meminfo line format", strncmp(buf, "MemTotal:       ", 16) == 0 && strstr(buf, " kB\nMemFree:") != NULL);

	/* CPUs */
	cpu_set_t cs;
	sched_getaffinity(0, sizeof cs, &cs);
	int aff = CPU_COUNT(&cs);
	slurp("/proc/cpuinfo");
	int procs = 0;
	for (char *p = buf; (p = strstr(p, "processor\t: ")) != NULL; p++)
		if (p == buf || p[-1] == '\n')
			procs++;
	show_bool("cpuinfo processors = affinity", procs == aff);
	show_bool("get_nprocs = affinity", get_nprocs() == aff);
	show_bool("get_nprocs_conf = affinity", get_nprocs_conf() == aff);
	show_bool("sysconf NPROCESSORS_ONLN = affinity", sysconf(_SC_NPROCESSORS_ONLN) == aff);
	slurp("/sys/devices/system/cpu/online");
	show_bool("sys cpu online = affinity", count_list(buf) == aff);
	slurp("/sys/devices/system/cpu/possible");
	show_bool("sys cpu possible >= affinity", count_list(buf) >= aff);
	struct stat st;
	show_ok("stat /sys/devices/system/cpu/cpu0", stat("/sys/devices/system/cpu/cpu0", &st));
	slurp("/proc/stat");
	int cpulines = 0;
	for (char *p = buf; (p = strstr(p, "\ncpu")) != NULL; p++)
		if (p[4] >= '0' && p[4] <= '9')
			cpulines++;
	show_bool("/proc/stat has a line per CPU", cpulines == aff);
	show_bool("/proc/stat begins with the cpu total", strncmp(buf, "cpu  ", 5) == 0);
	show_bool("/proc/stat procs_running >= 1", after("procs_running ") >= 1);
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	long long btime = after("btime ");
	struct timespec mono;
	clock_gettime(CLOCK_BOOTTIME, &mono);
	long long drift = now.tv_sec - mono.tv_sec - btime;
	show_bool("btime is now less uptime", drift >= -2 && drift <= 2);

	/* uptime and loadavg */
	slurp("/proc/uptime");
	double up = 0, idle = -1;
	sscanf(buf, "%lf %lf", &up, &idle);
	show_bool("uptime agrees with sysinfo", up >= si.uptime - 2 && up <= si.uptime + 3);
	show_bool("uptime idle >= 0", idle >= 0);
	slurp("/proc/loadavg");
	double l1 = -1, l5 = -1, l15 = -1;
	int running = 0, total = 0;
	show("loadavg fields", sscanf(buf, "%lf %lf %lf %d/%d", &l1, &l5, &l15, &running, &total));
	show_bool("loadavg running <= total", running >= 1 && running <= total);

	/* names */
	struct utsname u;
	uname(&u);
	slurp("/proc/sys/kernel/osrelease");
	chomp(buf);
	show_bool("osrelease is uname release", strcmp(buf, u.release) == 0);
	slurp("/proc/sys/kernel/ostype");
	show_str("ostype", buf);
	slurp("/proc/sys/kernel/hostname");
	chomp(buf);
	show_bool("hostname is uname nodename", strcmp(buf, u.nodename) == 0);
	slurp("/proc/version");
	show_bool("version names the release", strncmp(buf, "Linux version ", 14) == 0 && strstr(buf, u.release) != NULL);

	/* kernel limits */
	slurp("/proc/sys/kernel/pid_max");
	show_bool("pid_max above our pid", atol(buf) > getpid());
	slurp("/proc/sys/kernel/ngroups_max");
	show_bool("ngroups_max is sysconf", atol(buf) == sysconf(_SC_NGROUPS_MAX));
	slurp("/proc/sys/kernel/cap_last_cap");
	show_bool("cap_last_cap >= 40", atol(buf) >= 40);
	slurp("/proc/sys/vm/max_map_count");
	show_bool("max_map_count", atol(buf) >= 65530);
	slurp("/proc/sys/vm/mmap_min_addr");
	show_bool("mmap_min_addr > 0", atol(buf) > 0);
	slurp("/proc/sys/fs/nr_open");
	show_bool("nr_open >= 1048576", atol(buf) >= 1048576);
	slurp("/proc/sys/fs/file-max");
	show_bool("file-max > 0", atol(buf) > 0);
	slurp("/proc/sys/fs/pipe-max-size");
	show_bool("pipe-max-size", atol(buf) == 1048576);

	/* random */
	char id1[64], id2[64];
	slurp("/proc/sys/kernel/random/boot_id");
	snprintf(id1, sizeof id1, "%.40s", buf);
	slurp("/proc/sys/kernel/random/boot_id");
	snprintf(id2, sizeof id2, "%.40s", buf);
	show_bool("boot_id stays", strcmp(id1, id2) == 0 && strlen(id1) == 37);
	slurp("/proc/sys/kernel/random/uuid");
	snprintf(id1, sizeof id1, "%.40s", buf);
	slurp("/proc/sys/kernel/random/uuid");
	snprintf(id2, sizeof id2, "%.40s", buf);
	show_bool("uuid changes", strcmp(id1, id2) != 0 && strlen(id1) == 37 && id1[14] == '4');

	/* writes */
	show("open ostype for writing", open("/proc/sys/kernel/ostype", O_WRONLY));
	int fd = open("/proc/cpuinfo", O_WRONLY);
	show("write cpuinfo", write(fd, "x", 1));
	close(fd);
	show("open sysfs online for writing", open("/sys/devices/system/cpu/online", O_WRONLY));
	show("mkdir in /sys", mkdir("/sys/newdir", 0755));

	/* mounts */
	slurp("/proc/mounts");
	show_bool("mounts has /proc", strstr(buf, " /proc proc ") != NULL);
	slurp("/proc/self/mountinfo");
	show_bool("mountinfo has /proc", strstr(buf, " / /proc ") != NULL && strstr(buf, " - proc proc ") != NULL);
	char l[64];
	ssize_t n = readlink("/proc/mounts", l, sizeof l - 1);
	l[n < 0 ? 0 : n] = 0;
	show_str("/proc/mounts link", l);
	slurp("/proc/filesystems");
	show_bool("filesystems lists proc", strstr(buf, "nodev\tproc\n") != NULL);
	show_bool("filesystems lists sysfs", strstr(buf, "nodev\tsysfs\n") != NULL);

	/* the root lists this process */
	DIR *d = opendir("/proc");
	int seen = 0, self = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (atoi(de->d_name) == getpid() && de->d_type == DT_DIR)
			seen = 1;
		if (strcmp(de->d_name, "self") == 0 && de->d_type == DT_LNK)
			self = 1;
	}
	closedir(d);
	show_bool("/proc lists our pid", seen);
	show_bool("/proc lists self", self);
	printf("done\n");
	return 0;
}
