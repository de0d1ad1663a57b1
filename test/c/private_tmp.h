/*
 * The start of the file-system tests that run natively as root: a mount
 * namespace of their own with / made private (so nothing reaches the
 * host's), and a fresh tmpfs on /tmp with the given options, so a native
 * run and a run under tsvisor start from the same empty tree.
 */
#ifndef TSVISOR_TEST_PRIVATE_TMP_H
#define TSVISOR_TEST_PRIVATE_TMP_H

#include "common.h"
#include <sched.h>
#include <sys/mount.h>

/* 0, or -1 after printing "setup: ..." (the caller exits with 3). */
static __attribute__((unused)) int private_tmp(const char *opts)
{
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		printf("setup: cannot make a private mount namespace: %s\n", errname(errno));
		return -1;
	}
	if (mount("tmpfs", "/tmp", "tmpfs", 0, opts) < 0) {
		printf("setup: mount tmpfs: %s\n", errname(errno));
		return -1;
	}
	return 0;
}

#endif
