/* What tsvisor's own Node processes (the CLI, the Sentry) are started
 * without, though the environment they are given has it: Node 20 reads
 * and parses every certificate of NODE_EXTRA_CA_CERTS before it runs a
 * line of script (40 ms of a 150 ms `tsvisor do /bin/true` with Debian's
 * bundle), and the Sentry makes no TLS connection. It is set aside under
 * another name, which src/boot/launch.ts's restoreNodeEnv puts back, so
 * the sandbox's programs and the runtime's hooks still get it. */
#ifndef TSVISOR_NODE_ENV_H
#define TSVISOR_NODE_ENV_H

#include <stdlib.h>

static inline void set_aside_node_env(void) {
  const char *v = getenv("NODE_EXTRA_CA_CERTS");
  if (v == NULL) return;
  if (setenv("TSVISOR_SAVED_NODE_EXTRA_CA_CERTS", v, 1) == 0) unsetenv("NODE_EXTRA_CA_CERTS");
}

#endif
