#!/usr/bin/env python3
# A host process in a user namespace of its own, mapping 0-999 to host
# 100000-100999 (what a pod's infra container or a rootless caller leaves
# for a container to join by path). Prints its pid, then sleeps until killed.
import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
r, w = os.pipe(); r2, w2 = os.pipe()
pid = os.fork()
if pid == 0:
    libc.unshare(0x10000000)
    os.write(w, b'x'); os.read(r2, 1)
    time.sleep(3600); os._exit(0)
os.read(r, 1)
open(f'/proc/{pid}/uid_map', 'w').write('0 100000 1000\n')
open(f'/proc/{pid}/setgroups', 'w').write('deny')
open(f'/proc/{pid}/gid_map', 'w').write('0 100000 1000\n')
os.write(w2, b'x')
print(pid, flush=True)
