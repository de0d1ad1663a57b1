// /proc/net for the sandbox (the kernel's NetworkStack: kernel/inet_stack.ts;
// gVisor's fsimpl/proc net files over its inet.Stack). Two sources:
//
// - The network namespace the Sentry runs in, which is the sandbox's own
//   (its inet sockets are host sockets there): dev, if_inet6, route,
//   ipv6_route, netstat, snmp, snmp6, tcp, tcp6, udp, udp6, raw, raw6,
//   icmp, icmp6, packet, read from the host's files for that
//   namespace through descriptors opened at boot, before the seal (as
//   gVisor's hostinet keeps /proc/net/snmp and netstat open), so they are
//   live: counters move, sockets come and go. In a namespace of the
//   sandbox's own (--network=none) that is exactly the sandbox's traffic
//   and sockets; with --network=host it is the host's, as a runc
//   container in the host's namespace sees them.
// - The Sentry's own Unix domain sockets (unix), which the host never sees.
//
// In tcp, tcp6, udp, udp6, raw, raw6 and packet (AF_PACKET sockets, with
// --net-raw) a socket the sandbox holds shows its own inode and owner
// (relabel(), hostinet/labels.ts) where the host wrote its own, so that
// `ss -p` finds the process.
//
// Differs from Linux: a socket relabel() does not know (the host's own,
// with --network=host) keeps the host's inode and uid; unix's RefCount
// is always 2 and Num 0 (a kernel address, which Linux hides too); no
// sockstat or sockstat6 (the host's counts leave out the Sentry's own Unix
// and netlink sockets, so they would be wrong), no protocols, ptype or
// the netfilter files.

import * as fs from 'node:fs';
import type { NetworkStack } from '../kernel/inet_stack.js';
import type { UnixNamespace, UnixSocket } from '../kernel/unix_socket.js';

/** The host files passed through, in Linux's /proc/net listing order. */
const HOST_FILES = ['dev', 'if_inet6', 'ipv6_route', 'netstat', 'packet', 'raw', 'raw6', 'route', 'snmp', 'snmp6', 'tcp', 'tcp6',
  'udp', 'udp6', 'icmp', 'icmp6'];
/**
 * Those with a socket per line whose inode and uid relabel() may rewrite:
 * the index of the uid field and of the inode field (packet_seq_show's
 * "sk RefCnt Type Proto Iface R Rmem User Inode" has no queues or timers).
 */
const SOCKET_TABLES: ReadonlyMap<string, { uid: number; ino: number }> = new Map([
  ...['tcp', 'tcp6', 'udp', 'udp6', 'raw', 'raw6', 'icmp', 'icmp6'].map((n) => [n, { uid: 7, ino: 9 }] as const),
  ['packet', { uid: 7, ino: 8 }],
]);
/** The most a host file is read to (a host with that many sockets is not a sandbox's namespace). */
const MAX_FILE = 16 << 20;

const SS_UNCONNECTED = 1, SS_CONNECTED = 3;
const SO_ACCEPTCON = 0x10000;

/** What the sandbox knows of one of its host sockets: its own inode and its owner's uid. */
export interface SocketLabel {
  ino: number;
  uid: number;
}

export class SandboxNetwork implements NetworkStack {
  private readonly fds = new Map<string, number>();

  /**
   * hostNamespace: whether the Sentry's namespace is the sandbox's (the
   * host files are then shown); relabel: the sandbox's label for a host
   * socket inode, if it is one of its own.
   */
  constructor(private readonly unix: UnixNamespace, hostNamespace: boolean,
    private readonly relabel: (hostIno: number) => SocketLabel | undefined = () => undefined) {
    if (!hostNamespace) return;
    for (const name of HOST_FILES) {
      try {
        this.fds.set(name, fs.openSync(`/proc/self/net/${name}`, fs.constants.O_RDONLY));
      } catch {
        // A kernel without it (IPv6 off): the sandbox has none either.
      }
    }
  }

  procNetFiles(): readonly string[] {
    return [...this.fds.keys(), 'unix'].sort();
  }

  procNet(name: string): string | null {
    if (name === 'unix') return this.unixTable();
    const fd = this.fds.get(name);
    if (fd === undefined) return null;
    const text = readWhole(fd);
    const cols = SOCKET_TABLES.get(name);
    return cols === undefined ? text : this.relabelTable(text, cols.uid, cols.ino);
  }

  /** The inode (field ino, from 0) and uid (field uid) of each line whose inode is one of the sandbox's sockets. */
  private relabelTable(text: string, uid: number, ino: number): string {
    const lines = text.split('\n');
    for (let i = 1; i < lines.length; i++) {
      const f = lines[i].match(/\S+/g);
      if (f === null || f.length <= ino) continue;
      const label = this.relabel(Number(f[ino]));
      if (label === undefined) continue;
      // Keep the columns: replace the two fields in place, padded as Linux pads them (%5u uid, %lu inode).
      let n = 0;
      lines[i] = lines[i].replace(/\S+/g, (w) => {
        n++;
        if (n === uid + 1) return String(label.uid).padStart(w.length);
        if (n === ino + 1) return String(label.ino);
        return w;
      });
    }
    return lines.join('\n');
  }

  /** unix_seq_show's table of the sandbox's Unix sockets. */
  private unixTable(): string {
    const out = ['Num       RefCount Protocol Flags    Type St Inode Path'];
    for (const s of this.unix.live) out.push(unixLine(s));
    return `${out.join('\n')}\n`;
  }
}

function hex(v: number, width: number): string {
  return v.toString(16).toUpperCase().padStart(width, '0');
}

function unixLine(s: UnixSocket): string {
  // TCP_ESTABLISHED once connected (a stream's stays so after its peer goes); every socket here has its file.
  const st = !s.listening && (s.peer !== null || s.target !== null || s.peerGone) ? SS_CONNECTED : SS_UNCONNECTED;
  let line = `0000000000000000: ${hex(2, 8)} ${hex(0, 8)} ${hex(s.listening ? SO_ACCEPTCON : 0, 8)} ${hex(s.type, 4)} ${hex(st, 2)} ${String(s.ino).padStart(5)}`;
  if (s.name !== null && s.name.length > 0) {
    // An abstract name starts with a NUL; Linux shows every NUL of it as '@'.
    const raw = s.name[0] === 0 ? s.name : s.name.subarray(0, s.name.indexOf(0) >= 0 ? s.name.indexOf(0) : s.name.length);
    line += ` ${Buffer.from(raw).toString('latin1').replace(/\0/g, '@')}`;
  }
  return line;
}

/** A seq file read from its start to its end (pread regenerates it). */
function readWhole(fd: number): string {
  const parts: Buffer[] = [];
  let size = 0;
  for (;;) {
    const b = Buffer.alloc(64 * 1024);
    const n = fs.readSync(fd, b, 0, b.length, size);
    if (n <= 0) break;
    parts.push(b.subarray(0, n));
    size += n;
    if (size >= MAX_FILE) break;
  }
  return Buffer.concat(parts).toString('latin1');
}
