#!/usr/bin/env python3
# A host process in a user namespace of its own, mapping 0-999 to host
# 100000-100999 (what a pod's infra container or a rootless caller leaves
# for a container to join by path). Prints the namespace's process's pid,
# then waits; the namespace's process dies with this one (PR_SET_PDEATHSIG)
# and never holds the caller's stdout.
import ctypes, os, signal, sys, time
libc = ctypes.CDLL(None, use_errno=True)
PR_SET_PDEATHSIG = 1
r, w = os.pipe()
r2, w2 = os.pipe()
pid = os.fork()
if pid == 0:
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    devnull = os.open('/dev/null', os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    libc.unshare(0x10000000)
    os.write(w, b'x')
    os.read(r2, 1)
    time.sleep(3600)
    os._exit(0)
os.read(r, 1)
open(f'/proc/{pid}/uid_map', 'w').write('0 100000 1000\n')
open(f'/proc/{pid}/setgroups', 'w').write('deny')
open(f'/proc/{pid}/gid_map', 'w').write('0 100000 1000\n')
os.write(w2, b'x')
print(pid, flush=True)
os.waitpid(pid, 0)
