/*
 * Processes: fork, vfork, clone (without threads), posix_spawn, wait4,
 * waitid, exit statuses, SIGCHLD, zombies and reaping, orphans, kill to
 * other processes and process groups, setpgid on a child. Output comes
 * only from the parent after it has waited, or from a child the parent is
 * waiting for, so its order is fixed; pids are never printed.
 */
#include "common.h"
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>

extern char **environ;

/*
 * fork that ends the test if it fails: a -1 pid must never reach kill(),
 * where it would mean every process on the machine.
 */
static pid_t xfork(void)
{
	pid_t p = fork();
	if (p < 0) {
		printf("fork failed: %s\n", strerror(errno));
		exit(1);
	}
	return p;
}

static volatile sig_atomic_t chld_count, chld_pid, chld_code, chld_status;
static void on_chld(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	chld_count++;
	chld_pid = si->si_pid;
	chld_code = si->si_code;
	chld_status = si->si_status;
}

static int global = 1;

static void show_status(const char *name, int st)
{
	if (WIFEXITED(st))
		printf("%s: exited %d\n", name, WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		printf("%s: killed by %d\n", name, WTERMSIG(st));
	else
		printf("%s: other 0x%x\n", name, st);
}

/* Forks a child that runs fn and _exits with its result. */
static pid_t spawn_fn(int (*fn)(void *), void *arg)
{
	pid_t p = xfork();
	if (p == 0)
		_exit(fn(arg));
	return p;
}

static int child_memory(void *arg)
{
	int *stackvar = arg;
	/* The child sees the parent's values at fork, and its writes stay its own. */
	int ok = global == 2 && *stackvar == 42;
	global = 100;
	*stackvar = 100;
	return ok ? 0 : 1;
}

static int child_shared(void *arg)
{
	volatile int *shared = arg;
	shared[0] = 7;
	shared[1024] = 8; /* a page the parent never touched */
	return 0;
}

static int busy_child(void *arg)
{
	(void)arg;
	volatile unsigned long x = 0;
	for (unsigned long i = 0; i < 100000000UL; i++)
		x += i;
	return 0;
}

static int sleeper(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return 0;
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	int st;
	pid_t me = getpid();

	/* --- fork, exit statuses, memory ------------------------------- */
	pid_t p = xfork();
	if (p == 0) {
		show_bool("child_ppid_is_parent", getppid() == me);
		show_bool("child_pid_differs", getpid() != me);
		_exit(3);
	}
	show_bool("wait4_returns_pid", wait4(p, &st, 0, NULL) == p);
	show_bool("fork_positive", p > 0);
	show_status("exit3", st);
	show("wait_again_echild", wait4(p, &st, 0, NULL));

	global = 2;
	int stackvar = 42;
	p = spawn_fn(child_memory, &stackvar);
	waitpid(p, &st, 0);
	show_status("child_saw_parent_memory", st);
	show_bool("parent_memory_unchanged", global == 2 && stackvar == 42);

	int *shared = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	shared[0] = 1;
	p = spawn_fn(child_shared, shared);
	waitpid(p, &st, 0);
	printf("shared_after_child: %d %d\n", shared[0], shared[1024]);
	char *priv = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(priv, 'p', 1 << 20);
	p = xfork();
	if (p == 0) {
		int ok = 1;
		for (int i = 0; i < 1 << 20; i += 4096)
			ok &= priv[i] == 'p';
		priv[0] = 'c';
		_exit(ok ? 0 : 1);
	}
	waitpid(p, &st, 0);
	show_status("child_saw_private_pages", st);
	show_bool("private_page_not_shared_back", priv[0] == 'p');

	/* --- killed children, SIGCHLD ---------------------------------- */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_chld;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigaction(SIGCHLD, &sa, NULL);
	p = xfork();
	if (p == 0)
		_exit(9);
	waitpid(p, &st, 0);
	show("sigchld_count", chld_count);
	show_bool("sigchld_pid", chld_pid == p);
	show("sigchld_code_exited", chld_code);
	show("sigchld_status", chld_status);

	p = xfork();
	if (p == 0) {
		signal(SIGABRT, SIG_DFL);
		abort();
	}
	waitpid(p, &st, 0);
	show_status("abort", st);
	show("sigchld_code_killed_or_dumped", chld_code == CLD_KILLED || chld_code == CLD_DUMPED);
	show("sigchld_status_sig", chld_status);

	p = spawn_fn(sleeper, NULL);
	show("kill_0_alive", kill(p, 0));
	show("kill_term", kill(p, SIGTERM));
	waitpid(p, &st, 0);
	show_status("terminated", st);
	show("kill_reaped_esrch", kill(p, 0));

	/* A zombie takes signals and ignores them. */
	p = xfork();
	if (p == 0)
		_exit(0);
	while (chld_count < 4)
		usleep(1000);
	show("kill_zombie", kill(p, SIGTERM));
	show("waitid_wnowait", waitid(P_PID, p, &(siginfo_t){0}, WEXITED | WNOWAIT));
	{
		siginfo_t si;
		memset(&si, 0xff, sizeof si);
		show("waitid_reap", waitid(P_PID, p, &si, WEXITED));
		show("waitid_signo", si.si_signo);
		show("waitid_code", si.si_code);
		show("waitid_status", si.si_status);
		show_bool("waitid_pid", si.si_pid == p);
	}
	show("waitid_gone_echild", waitid(P_PID, p, &(siginfo_t){0}, WEXITED));
	show("waitid_bad_options", waitid(P_ALL, 0, &(siginfo_t){0}, WNOHANG));
	show("waitid_bad_idtype", waitid(77, 0, &(siginfo_t){0}, WEXITED));
	show("wait4_bad_options", wait4(-1, &st, 0x10, NULL));
	show("wait4_no_children", wait4(-1, &st, WNOHANG, NULL));

	/* WNOHANG while a child runs; waitid's zeroed record. */
	p = spawn_fn(sleeper, NULL);
	show("wnohang_running", waitpid(p, &st, WNOHANG));
	{
		siginfo_t si;
		memset(&si, 0xff, sizeof si);
		show("waitid_wnohang", waitid(P_ALL, 0, &si, WEXITED | WNOHANG));
		show("waitid_wnohang_pid", si.si_pid);
		show("waitid_wnohang_signo", si.si_signo);
	}
	kill(p, SIGKILL);
	show_bool("wait_killed", waitpid(p, &st, 0) == p);
	show_status("sigkill", st);

	/* --- process groups -------------------------------------------- */
	p = spawn_fn(sleeper, NULL);
	show("setpgid_child", setpgid(p, p));
	show_bool("getpgid_child", getpgid(p) == p);
	show("kill_group", kill(-p, SIGUSR1));
	waitpid(p, &st, 0);
	show_status("group_signalled", st);
	show("kill_empty_group", kill(-p, SIGUSR1));
	show("setpgid_not_child", setpgid(p, 0)); /* reaped: no such process */
	{
		/* After the child execs, setpgid on it is EACCES. */
		int fds[2];
		pipe(fds);
		p = xfork();
		if (p == 0) {
			dup2(fds[0], 0);
			close(fds[0]);
			close(fds[1]);
			execl("/bin/cat", "cat", NULL);
			_exit(127);
		}
		close(fds[0]);
		/* Wait until it has exec'd: its name changes. */
		int tries = 0;
		while (setpgid(p, 0) == 0 && tries++ < 5000)
			usleep(1000);
		show("setpgid_after_exec", setpgid(p, 0));
		close(fds[1]);
		waitpid(p, &st, 0);
		show_status("cat_eof", st);
	}

	/* --- pipes between processes, shared file offsets -------------- */
	{
		int fds[2];
		pipe(fds);
		p = xfork();
		if (p == 0) {
			close(fds[0]);
			const char msg[] = "through the pipe";
			write(fds[1], msg, sizeof msg);
			_exit(0);
		}
		close(fds[1]);
		char buf[64] = {0};
		read(fds[0], buf, sizeof buf);
		printf("pipe_read: %s\n", buf);
		show("pipe_eof_after_child", read(fds[0], buf, sizeof buf));
		close(fds[0]);
		waitpid(p, &st, 0);

		int fd = open("/etc/passwd", O_RDONLY);
		p = xfork();
		if (p == 0) {
			char b[10];
			read(fd, b, 10);
			_exit(0);
		}
		waitpid(p, &st, 0);
		show("shared_offset", lseek(fd, 0, SEEK_CUR));
		close(fd);
	}

	/* --- exec in a child, vfork, posix_spawn, clone ---------------- */
	{
		int fds[2];
		pipe(fds);
		p = xfork();
		if (p == 0) {
			dup2(fds[1], 1);
			execl("/bin/sh", "sh", "-c", "echo \"sh says $0 $1\"", "zero", "one", NULL);
			_exit(127);
		}
		close(fds[1]);
		char buf[128] = {0};
		read(fds[0], buf, sizeof buf - 1);
		printf("exec_output: %s", buf);
		close(fds[0]);
		waitpid(p, &st, 0);
		show_status("sh", st);
	}
	p = vfork();
	if (p == 0)
		_exit(5);
	waitpid(p, &st, 0);
	show_status("vfork_exit", st);
	p = vfork();
	if (p == 0) {
		execl("/bin/true", "true", NULL);
		_exit(127);
	}
	waitpid(p, &st, 0);
	show_status("vfork_exec_true", st);
	{
		char *args[] = {"echo", "posix_spawn", "says", "hi", NULL};
		pid_t sp;
		int r0 = posix_spawn(&sp, "/bin/echo", NULL, NULL, args, environ);
		waitpid(sp, &st, 0);
		show("posix_spawn", r0);
		show_status("posix_spawn_status", st);
		char *nargs[] = {"nope", NULL};
		int r = posix_spawn(&sp, "/nonexistent/prog", NULL, NULL, nargs, environ);
		if (r == 0) {
			/* Older libcs report the failure through the exit status. */
			waitpid(sp, &st, 0);
			r = WIFEXITED(st) && WEXITSTATUS(st) == 127 ? ENOENT : r;
		}
		printf("posix_spawn_missing: %s\n", errname(r));
	}
	p = syscall(SYS_clone, SIGCHLD, 0, NULL, NULL, 0);
	if (p == 0)
		_exit(6);
	waitpid(p, &st, 0);
	show_status("raw_clone", st);
	show("clone_thread_without_sighand", syscall(SYS_clone, CLONE_THREAD | SIGCHLD, 0, NULL, NULL, 0));
	{
		/* Legacy clone takes any exit signal; one past 64 is never sent. */
		long r = syscall(SYS_clone, 99, 0, NULL, NULL, 0);
		if (r == 0)
			_exit(0);
		show_bool("clone_odd_exit_signal_accepted", r > 0);
		show_bool("clone_child_waited_with_wall", waitpid(r, &st, __WALL) == r);
	}
	{
		/* CLONE_CHILD_SETTID writes the child's tid in its own memory; CLONE_PARENT_SETTID in ours. */
		static int ptid, ctid;
		p = syscall(SYS_clone, CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | SIGCHLD, 0, &ptid, &ctid, 0);
		if (p == 0)
			_exit(ctid == getpid() ? 0 : 1);
		waitpid(p, &st, 0);
		show_status("child_settid", st);
		show_bool("parent_settid", ptid == p);
		show_bool("child_settid_not_in_parent", ctid == 0);
	}

	/* --- job control: stop and continue ------------------------------ */
	{
		volatile long *counter = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		chld_count = 0;
		sa.sa_flags = SA_SIGINFO | SA_RESTART;
		sigaction(SIGCHLD, &sa, NULL);
		p = xfork();
		if (p == 0) {
			/* Never outlive the test, even if it is killed. */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			for (;;)
				(*counter)++;
		}
		while (*counter == 0)
			usleep(1000);
		show("kill_stop", kill(p, SIGSTOP));
		show_bool("waitpid_untraced", waitpid(p, &st, WUNTRACED) == p);
		show("stopped", WIFSTOPPED(st));
		show("stop_signal", WSTOPSIG(st));
		show("stop_reported_once", waitpid(p, &st, WUNTRACED | WNOHANG));
		while (chld_count < 1)
			usleep(1000);
		show("sigchld_code_stopped", chld_code);
		/* Linux reads the stop signal for si_status as it notifies, racing with our wait: 0 is possible. */
		show_bool("sigchld_status_stopped", chld_status == SIGSTOP || chld_status == 0);
		long before = *counter;
		usleep(50000);
		show_bool("stopped_child_does_not_run", *counter == before);
		show("kill_cont", kill(p, SIGCONT));
		show_bool("waitpid_continued", waitpid(p, &st, WCONTINUED) == p);
		show("continued", WIFCONTINUED(st));
		while (chld_count < 2)
			usleep(1000);
		show("sigchld_code_continued", chld_code);
		before = *counter;
		for (int i = 0; i < 5000 && *counter == before; i++)
			usleep(1000);
		show_bool("continued_child_runs", *counter != before);
		/*
		 * SIGTSTP stops too, unless the process group is orphaned (then
		 * Linux discards it): the child gets a group of its own in our
		 * session, which is never orphaned while we live.
		 */
		setpgid(p, p);
		kill(p, SIGTSTP);
		waitpid(p, &st, WUNTRACED);
		show("tstp_stop_signal", WSTOPSIG(st));
		{
			siginfo_t si;
			memset(&si, 0, sizeof si);
			kill(p, SIGCONT);
			show("waitid_continued", waitid(P_PID, p, &si, WCONTINUED));
			show("waitid_continued_code", si.si_code);
			kill(p, SIGSTOP);
			show("waitid_stopped", waitid(P_PID, p, &si, WSTOPPED));
			show("waitid_stopped_code", si.si_code);
			show("waitid_stopped_status", si.si_status);
		}
		kill(p, SIGKILL);
		waitpid(p, &st, 0);
		show_status("killed_while_stopped", st);
		/* In a new session the child's group is orphaned: SIGTSTP does not stop it, SIGSTOP does. */
		p = xfork();
		if (p == 0) {
			setsid();
			raise(SIGTSTP);
			_exit(12);
		}
		waitpid(p, &st, WUNTRACED);
		show_status("orphaned_group_ignores_tstp", st);
		signal(SIGCHLD, SIG_DFL);
	}

	/* --- clone3 ------------------------------------------------------ */
	{
		struct {
			uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
				set_tid_size, cgroup, extra;
		} ca;
		memset(&ca, 0, sizeof ca);
		ca.exit_signal = SIGCHLD;
		p = syscall(SYS_clone3, &ca, 88);
		if (p == 0)
			_exit(8);
		waitpid(p, &st, 0);
		show_status("clone3_fork", st);
		show("clone3_too_small", syscall(SYS_clone3, &ca, 32));
		show("clone3_too_big", syscall(SYS_clone3, &ca, 8192));
		ca.extra = 1;
		show("clone3_nonzero_tail", syscall(SYS_clone3, &ca, sizeof ca));
		ca.extra = 0;
		ca.flags = SIGCHLD;
		show("clone3_signal_in_flags", syscall(SYS_clone3, &ca, 88));
		ca.flags = 0;
		ca.stack = 4096;
		show("clone3_stack_without_size", syscall(SYS_clone3, &ca, 88));
		ca.stack = 0;
		ca.exit_signal = 99;
		show("clone3_bad_exit_signal", syscall(SYS_clone3, &ca, 88));
		show("clone3_efault", syscall(SYS_clone3, BADPTR1, 88));
	}

	/* --- orphans, ignored SIGCHLD, children's CPU time -------------- */
	{
		int fds[2];
		pipe(fds);
		p = xfork();
		if (p == 0) {
			pid_t mid = getpid();
			if (xfork() == 0) {
				/* Wait for the middle process to die, then report whether we were reparented. */
				while (getppid() == mid)
					usleep(1000);
				char c = 'r';
				write(fds[1], &c, 1);
				_exit(0);
			}
			_exit(0);
		}
		close(fds[1]);
		waitpid(p, &st, 0);
		char c = 0;
		read(fds[0], &c, 1);
		show_bool("orphan_reparented", c == 'r');
		close(fds[0]);
	}
	signal(SIGCHLD, SIG_IGN);
	p = xfork();
	if (p == 0)
		_exit(0);
	show("ignored_sigchld_wait_echild", waitpid(p, &st, 0));
	signal(SIGCHLD, SIG_DFL);

	p = spawn_fn(busy_child, NULL);
	waitpid(p, &st, 0);
	struct rusage ru;
	getrusage(RUSAGE_CHILDREN, &ru);
	show_bool("children_cpu_counted",
		  ru.ru_utime.tv_sec + ru.ru_stime.tv_sec > 0 || ru.ru_utime.tv_usec + ru.ru_stime.tv_usec > 0);
	printf("done\n");
	return 0;
}
