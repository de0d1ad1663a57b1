/*
 * execve(2) and execveat(2): errors in Linux's order (the file before argv
 * and envp), then the program runs itself again, stage by stage, and each
 * stage checks what an exec keeps and what it resets: argv, envp,
 * AT_EXECFN, the pid, close-on-exec descriptors, caught signals back to
 * default and ignored ones still ignored, the blocked mask, a pending
 * signal, the alternate stack, the thread's name, a running interval timer.
 * Then a "#!" script, execveat with AT_EMPTY_PATH, and an empty argv.
 *
 * Fixtures (made by the test before the run, in exec-fixtures/ beside the
 * binary): notelf (executable text), noexec (not executable), script.sh
 * (prints its argv, then execs $1 empty-argv), link-exec.static and
 * link-exec.dynamic (symlinks to the binaries).
 */
#include "common.h"
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/time.h>

extern char **environ;
static char fixtures[4096];

static void on_usr1(int s) { (void)s; }

#define PATHBUF 8192

static void fixture(char *out, const char *name)
{
	snprintf(out, PATHBUF, "%s/%s", fixtures, name);
}

static int stage_after_exec(int argc, char **argv)
{
	printf("stage: %s\n", argv[1]);
	printf("argc: %d\n", argc);
	for (int i = 3; i < argc; i++) /* argv[2] is the pid */
		printf("argv[%d]: %s\n", i, argv[i]);
	const char *v = getenv("EXEC_TEST");
	printf("env EXEC_TEST: %s\n", v ? v : "(unset)");
	show_bool("env_is_only_ours", environ[0] != NULL && environ[1] == NULL);
	show_bool("execfn_is_argv0", strcmp((const char *)getauxval(AT_EXECFN), argv[0]) == 0);
	show_bool("vdso_present", getauxval(AT_SYSINFO_EHDR) != 0);
	show("fd_10_kept", SYS(SYS_fcntl, 10, F_GETFD));
	show("fd_11_closed_on_exec", SYS(SYS_fcntl, 11, F_GETFD));
	struct sigaction sa;
	sigaction(SIGUSR1, NULL, &sa);
	show_bool("caught_sigusr1_now_default", sa.sa_handler == SIG_DFL);
	sigaction(SIGUSR2, NULL, &sa);
	show_bool("ignored_sigusr2_still_ignored", sa.sa_handler == SIG_IGN);
	sigset_t set;
	sigprocmask(SIG_BLOCK, NULL, &set);
	show_bool("sigterm_still_blocked", sigismember(&set, SIGTERM));
	sigpending(&set);
	show_bool("pending_sigterm_kept", sigismember(&set, SIGTERM));
	stack_t ss;
	sigaltstack(NULL, &ss);
	show_bool("altstack_disabled", (ss.ss_flags & SS_DISABLE) != 0);
	char comm[17] = {0};
	prctl(PR_GET_NAME, comm);
	printf("comm: %s\n", comm);
	struct itimerval it;
	getitimer(ITIMER_REAL, &it);
	show_bool("itimer_still_running", it.it_value.tv_sec > 0 || it.it_value.tv_usec > 0);
	memset(&it, 0, sizeof it);
	setitimer(ITIMER_REAL, &it, NULL);
	printf("pid_same: %d\n", atoi(argv[2]) == getpid());

	/* Next: execveat with AT_EMPTY_PATH on a descriptor of this binary. */
	int fd = open(argv[0], O_RDONLY | O_CLOEXEC);
	char *next[] = {argv[0], "empty-path", NULL};
	char *env[] = {"EXEC_TEST=3", NULL};
	show("execveat_empty_path", SYS(SYS_execveat, fd, "", next, env, AT_EMPTY_PATH));
	return 1;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	/* Later stages run through the symlink, which lives in exec-fixtures/ itself. */
	const char *dir = argc > 0 ? dirname(strdup(argv[0])) : ".";
	size_t dl = strlen(dir);
	if (dl >= 14 && strcmp(dir + dl - 14, "/exec-fixtures") == 0)
		snprintf(fixtures, sizeof fixtures, "%s", dir);
	else
		snprintf(fixtures, sizeof fixtures, "%s/exec-fixtures", dir);
	if (argc > 1 && strcmp(argv[1], "after-exec") == 0)
		return stage_after_exec(argc, argv);
	if (argc > 1 && strcmp(argv[1], "empty-path") == 0) {
		printf("stage: empty-path (EXEC_TEST=%s)\n", getenv("EXEC_TEST"));
		/* Next: the script, which prints its argv, then an empty argv. */
		char script[PATHBUF];
		fixture(script, "script.sh");
		char *sargv[] = {"ignored-argv0", argv[0], "two words", NULL};
		show("execve_script_returned", SYS(SYS_execve, script, sargv, environ));
		return 1;
	}
	if (argc == 1 && argv[0][0] == '\0') {
		printf("stage: empty argv, given an argv[0] of \"\"\n");
		printf("done\n");
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "empty-argv") == 0) {
		/* Linux 5.18 on gives a program started with no argv an argv[0] of "". */
		char *none[] = {NULL};
		show("execve_empty_argv", SYS(SYS_execve, argv[0], none, environ));
		return 1;
	}

	char notelf[PATHBUF], noexec[PATHBUF], link[PATHBUF];
	fixture(notelf, "notelf");
	fixture(noexec, "noexec");
	{
		char name[512];
		snprintf(name, sizeof name, "link-%.400s", basename(strdup(argv[0])));
		fixture(link, name);
	}
	char *args[] = {argv[0], "x", NULL};
	char *bad_elem[] = {argv[0], (char *)BADPTR1, NULL};

	show("bad_path_ptr", SYS(SYS_execve, BADPTR1, args, environ));
	show("empty_path", SYS(SYS_execve, "", args, environ));
	show("missing", SYS(SYS_execve, "/nonexistent/prog", args, environ));
	show("missing_with_bad_argv", SYS(SYS_execve, "/nonexistent/prog", BADPTR1, environ));
	show("directory", SYS(SYS_execve, "/", args, environ));
	show("not_dir_component", SYS(SYS_execve, "/etc/passwd/x", args, environ));
	show("not_executable", SYS(SYS_execve, noexec, args, environ));
	show("not_elf", SYS(SYS_execve, notelf, args, environ));
	show("bad_argv_ptr", SYS(SYS_execve, argv[0], BADPTR1, environ));
	show("bad_argv_elem", SYS(SYS_execve, argv[0], bad_elem, environ));
	show("bad_envp_ptr", SYS(SYS_execve, argv[0], args, BADPTR1));
	show("execveat_bad_flags", SYS(SYS_execveat, AT_FDCWD, argv[0], args, environ, 0x4));
	show("execveat_nofollow_link", SYS(SYS_execveat, AT_FDCWD, link, args, environ, AT_SYMLINK_NOFOLLOW));
	show("execveat_bad_fd", SYS(SYS_execveat, 999, "relative", args, environ, 0));
	show("execveat_empty_without_flag", SYS(SYS_execveat, 0, "", args, environ, 0));
	{
		/* One argument longer than MAX_ARG_STRLEN (32 pages). */
		size_t n = 33 * 4096;
		char *big = malloc(n);
		memset(big, 'a', n - 1);
		big[n - 1] = 0;
		char *bigargs[] = {argv[0], big, NULL};
		show("arg_too_long", SYS(SYS_execve, argv[0], bigargs, environ));
		free(big);
	}

	/* Set up what the next stage checks, then exec through the symlink. */
	int fd = open("/dev/null", O_RDONLY);
	dup2(fd, 10);
	dup2(fd, 11);
	fcntl(11, F_SETFD, FD_CLOEXEC);
	signal(SIGUSR1, on_usr1);
	signal(SIGUSR2, SIG_IGN);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	kill(getpid(), SIGTERM);
	static char altstack[65536];
	stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
	sigaltstack(&ss, NULL);
	prctl(PR_SET_NAME, "before-exec");
	struct itimerval it = {{0, 0}, {100, 0}};
	setitimer(ITIMER_REAL, &it, NULL);
	char pid[32];
	snprintf(pid, sizeof pid, "%d", getpid());
	char *next[] = {link, "after-exec", pid, "an argument with spaces", "", NULL};
	char *env[] = {"EXEC_TEST=2", NULL};
	show("execve", SYS(SYS_execve, link, next, env));
	return 1;
}
