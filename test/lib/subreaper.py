#!/usr/bin/env python3
# What conmon and containerd's shim are to `exec --detach`: a child
# subreaper. Runs CMD..., then waits for the process whose pid CMD wrote
# to PIDFILE (reparented here once CMD exits) and prints
# "cmd=STATUS pid=STATUS", each as a shell reports a status.
#   subreaper.py PIDFILE CMD...
import ctypes, os, sys

PR_SET_CHILD_SUBREAPER = 36
ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
pidfile, cmd = sys.argv[1], sys.argv[2:]

def shell(st):
    return 128 + os.WTERMSIG(st) if os.WIFSIGNALED(st) else os.WEXITSTATUS(st)

child = os.fork()
if child == 0:
    os.execvp(cmd[0], cmd)
_, st = os.waitpid(child, 0)
cmd_status = shell(st)
try:
    pid = int(open(pidfile).read().strip())
except (OSError, ValueError):
    print('cmd=%d pid=none' % cmd_status)
    sys.exit(0)
# Reap whatever else ends first (another reparented process); stop at pid.
while True:
    try:
        p, st = os.waitpid(-1, 0)
    except ChildProcessError:
        print('cmd=%d pid=not-a-child' % cmd_status)
        sys.exit(0)
    if p == pid:
        print('cmd=%d pid=%d' % (cmd_status, shell(st)))
        sys.exit(0)
