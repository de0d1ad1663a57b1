#!/usr/bin/env python3
# A terminal for a command (what a user's terminal emulator, or script(1),
# is to `runc run` and `runc exec -t` without --console-socket): runs
# COMMAND... on a new pty, as its session's controlling terminal, sized
# ROWS x COLS; once the command's output holds "ready" it resizes the pty
# (--resize-after S ROWS COLS, S seconds later) and then types FEED (0.3 s
# after that); it prints everything the command writes until the pty is
# closed and exits with the command's status (128 + N for signal N).
#   terminal.py [--size ROWS COLS] [--feed TEXT] [--resize-after S ROWS COLS] [--idle S] -- COMMAND...
import fcntl, os, pty, select, struct, sys, termios, time

args = sys.argv[1:]
size, feed, resize, idle = (24, 80), None, None, 30.0
while args and args[0] != '--':
    a = args.pop(0)
    if a == '--size': size = (int(args.pop(0)), int(args.pop(0)))
    elif a == '--feed': feed = args.pop(0).encode().decode('unicode_escape').encode('latin-1')
    elif a == '--resize-after': resize = (float(args.pop(0)), int(args.pop(0)), int(args.pop(0)))
    elif a == '--idle': idle = float(args.pop(0))
    else: sys.exit('terminal.py: unknown argument ' + a)
if not args: sys.exit('terminal.py: no command')
cmd = args[1:]
pid, m = pty.fork()
if pid == 0:
    os.execvp(cmd[0], cmd)
fcntl.ioctl(m, termios.TIOCSWINSZ, struct.pack('HHHH', size[0], size[1], 0, 0))
out = b''
ready_at = None
resized = fed = False
last = time.time()
while True:
    now = time.time()
    if ready_at is not None:
        if resize and not resized and now >= ready_at + resize[0]:
            fcntl.ioctl(m, termios.TIOCSWINSZ, struct.pack('HHHH', resize[1], resize[2], 0, 0))
            resized = True
        if feed is not None and not fed and now >= ready_at + (resize[0] if resize else 0) + 0.3:
            os.write(m, feed)
            fed = True
    if now - last > idle:
        break
    r, _, _ = select.select([m], [], [], 0.05)
    if not r:
        continue
    try:
        b = os.read(m, 4096)
    except OSError:
        break
    if not b:
        break
    last = time.time()
    out += b
    if ready_at is None and b'ready' in out:
        ready_at = time.time()
sys.stdout.buffer.write(out)
sys.stdout.flush()
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))
