#!/usr/bin/env python3
# The caller's side of the OCI console socket (what conmon, containerd's
# shim and runc's recvtty do): listen on PATH, take one connection, receive
# the pty master it carries as SCM_RIGHTS, optionally set the window size
# and type FEED into it, then print everything the container writes until
# the replica side is closed (EIO) or nothing comes for IDLE seconds.
# The resize (--resize-after S ROWS COLS: S seconds after the container
# wrote "ready") comes first, then the feed (0.3 s later), so that what the
# console shows is in an order that does not depend on start-up time.
#   console.py PATH [--size ROWS COLS] [--feed TEXT] [--idle S] [--resize-after S ROWS COLS]
import fcntl, os, select, socket, struct, sys, termios, time

args = sys.argv[1:]
path = args.pop(0)
size = feed = resize = None
idle = 20.0
while args:
    a = args.pop(0)
    if a == '--size': size = (int(args.pop(0)), int(args.pop(0)))
    elif a == '--feed': feed = args.pop(0).encode().decode('unicode_escape').encode('latin-1')
    elif a == '--idle': idle = float(args.pop(0))
    elif a == '--resize-after': resize = (float(args.pop(0)), int(args.pop(0)), int(args.pop(0)))
    else: sys.exit('console.py: unknown argument ' + a)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
s.listen(1)
print('listening', flush=True)
# Nobody connects (the runtime failed before it sent the console): give up rather than hold the test.
s.settimeout(60)
try:
    c, _ = s.accept()
except socket.timeout:
    sys.exit('console.py: nothing connected within 60 s')
msg, fds, _, _ = socket.recv_fds(c, 1024, 4)
c.close()
s.close()
if len(fds) != 1:
    sys.exit('console.py: expected one descriptor, got %d' % len(fds))
m = fds[0]
sys.stderr.write('console.py: got %r\n' % msg)
if size: fcntl.ioctl(m, termios.TIOCSWINSZ, struct.pack('HHHH', size[0], size[1], 0, 0))
ready_at = None
out = b''
fed = False
while True:
    if ready_at is None and b'ready\n' in out.replace(b'\r', b''):
        ready_at = time.time()
    if resize and ready_at is not None and time.time() - ready_at > resize[0]:
        fcntl.ioctl(m, termios.TIOCSWINSZ, struct.pack('HHHH', resize[1], resize[2], 0, 0))
        resize = None
        ready_at = time.time()
    if feed is not None and not fed and not resize and ready_at is not None and time.time() - ready_at > 0.3:
        os.write(m, feed)
        fed = True
    pending = resize is not None or (feed is not None and not fed)
    r, _, _ = select.select([m], [], [], 0.1 if pending else idle)
    if not r:
        if pending: continue
        break
    try:
        d = os.read(m, 4096)
    except OSError:
        break
    if not d:
        break
    out += d
sys.stdout.write(out.decode('utf-8', 'replace').replace('\r\n', '\n'))
