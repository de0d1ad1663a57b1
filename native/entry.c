/*
 * tsvisor-entry: the command line's front door (bin/tsvisor runs it), so
 * that `tsvisor do` starts Node once. Without it, `node bin/tsvisor.js do`
 * starts Node, which hands over to the launcher, which starts Node again
 * inside the sandbox's namespaces: the first Node's start-up, about 40 ms
 * on a quiet 2-vCPU machine, was a fifth of a short run.
 *
 *   tsvisor-entry ARGS...
 *
 * It reads only what shapes the launch, exactly as src/cli/handover.ts's
 * scanDo does (after the global flags do takes: --log, --debug, ...): for `do` with the walls it execs the launcher
 * (tsvisor-launch [--userns] --network=MODE -- node bin/tsvisor.js ARGS...);
 * for anything else (another command, help, --unsafe-no-walls, a value it
 * does not know) it execs node bin/tsvisor.js ARGS... and the CLI decides,
 * handing over to the launcher itself where it must (handover.ts). So this
 * scan can make start-up cheaper, never change what runs.
 *
 * Node is found as the CLI's own Node would be: $TSVISOR_NODE, else `node`
 * on PATH. bin/tsvisor.js and the launcher are found from this program's
 * own path (/proc/self/exe: BUILD/Release/tsvisor-entry in the repository).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "node_env.h"

/*
 * `do`'s options that take a value (src/cli/main.ts). test/cli.test.js
 * checks this list against the CLI's own (`--print-value-options`).
 */
static const char *const value_options[] = {
    "--root", "--cwd", "--env", "--debug-log", "--network", "--total-memory", "--vma-budget", "--max-host-fds",
    "--max-epoll-watches", "--max-pending-signals", "--max-descriptors", "-v", "--volume", "--overlay2", NULL,
};

/*
 * The global flags (before the command) that `do` takes, which the scan
 * steps over (src/cli/handover.ts has the same lists; --root before do is
 * refused by the CLI, so the scan leaves it to the CLI).
 */
static const char *const global_value_options[] = {"--log", "--log-format", "--rootless", NULL};
static const char *const global_flags[] = {"--debug", "--systemd-cgroup", NULL};

static int in_list(const char *const *list, const char *a, size_t n) {
  for (const char *const *o = list; *o != NULL; o++)
    if (strlen(*o) == n && strncmp(a, *o, n) == 0) return 1;
  return 0;
}

static int takes_value(const char *a) {
  return in_list(value_options, a, strlen(a));
}

/* Where the command is, after the global flags; -1 for a flag the scan does not know. */
static int command_index(int argc, char **argv) {
  int i = 1;
  for (; i < argc && argv[i][0] == '-'; i++) {
    const char *a = argv[i];
    const char *eq = strchr(a, '=');
    if (in_list(global_flags, a, strlen(a))) continue;
    if (eq != NULL && in_list(global_value_options, a, (size_t)(eq - a))) continue;
    if (in_list(global_value_options, a, strlen(a))) {
      i++;
      continue;
    }
    return -1;
  }
  return i;
}

/* The launch `do` asks for: 1 with *network and *userns set, 0 for none (run the CLI as it is). */
static int scan_do(int argc, char **argv, const char **network, int *userns) {
  int at = command_index(argc, argv);
  if (at < 0 || at >= argc || strcmp(argv[at], "do") != 0) return 0;
  *network = "none";
  *userns = 0;
  for (int i = at + 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--") == 0 || a[0] != '-') break;
    if (strcmp(a, "--unsafe-no-walls") == 0 || strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) return 0;
    if (strcmp(a, "--userns") == 0) {
      *userns = 1;
    } else if (strcmp(a, "--network") == 0 || strncmp(a, "--network=", 10) == 0) {
      const char *v = a[9] == '=' ? a + 10 : (i + 1 < argc ? argv[++i] : "");
      if (strcmp(v, "none") != 0 && strcmp(v, "host") != 0) return 0;
      *network = v;
    } else if (takes_value(a)) {
      i++;
    }
  }
  return 1;
}

static void die(const char *what, const char *path) {
  fprintf(stderr, "tsvisor: %s %s: %s\n", what, path, strerror(errno));
  exit(125);
}

int main(int argc, char **argv) {
  set_aside_node_env();
  if (argc == 2 && strcmp(argv[1], "--print-value-options") == 0) {
    for (const char *const *o = value_options; *o != NULL; o++) printf("%s\n", *o);
    return 0;
  }
  if (argc == 2 && strcmp(argv[1], "--print-global-options") == 0) {
    for (const char *const *o = global_value_options; *o != NULL; o++) printf("%s <value>\n", *o);
    for (const char *const *o = global_flags; *o != NULL; o++) printf("%s\n", *o);
    return 0;
  }
  char self[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n < 0) die("cannot read", "/proc/self/exe");
  self[n] = '\0';
  /* self is REPO/build/Release/tsvisor-entry. */
  char *slash = strrchr(self, '/');
  if (slash == NULL) die("cannot place", self);
  *slash = '\0';
  char launcher[PATH_MAX + 32], script[PATH_MAX + 32];
  snprintf(launcher, sizeof launcher, "%s/tsvisor-launch", self);
  snprintf(script, sizeof script, "%s/../../bin/tsvisor.js", self);

  const char *node = getenv("TSVISOR_NODE");
  if (node == NULL || node[0] == '\0') node = "node";

  const char *network;
  int userns;
  int launch = scan_do(argc, argv, &network, &userns);
  /* launcher [--userns] --network=MODE -- node script ARGS... NULL */
  char **out = calloc((size_t)argc + 8, sizeof *out);
  if (out == NULL) die("out of memory for", "argv");
  int k = 0;
  char netopt[32];
  if (launch) {
    out[k++] = launcher;
    if (userns) out[k++] = "--userns";
    snprintf(netopt, sizeof netopt, "--network=%s", network);
    out[k++] = netopt;
    out[k++] = "--";
  }
  int node_at = k;
  out[k++] = (char *)node;
  out[k++] = script;
  for (int i = 1; i < argc; i++) out[k++] = argv[i];
  out[k] = NULL;

  if (launch) {
    /* The launcher execs PROGRAM by path: give it Node's. */
    if (strchr(node, '/') == NULL) {
      const char *path = getenv("PATH");
      static char found[PATH_MAX];
      found[0] = '\0';
      for (const char *p = path ? path : "/usr/local/bin:/usr/bin:/bin"; *p != '\0';) {
        const char *end = strchr(p, ':');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > 0 && len < sizeof found - 8) {
          snprintf(found, sizeof found, "%.*s/%s", (int)len, p, node);
          if (access(found, X_OK) == 0) break;
        }
        found[0] = '\0';
        if (end == NULL) break;
        p = end + 1;
      }
      if (found[0] == '\0') {
        errno = ENOENT;
        die("cannot find", node);
      }
      out[node_at] = found;
    }
    execv(launcher, out);
    die("cannot run the launcher", launcher);
  }
  execvp(out[node_at], out + node_at);
  die("cannot run", node);
}
