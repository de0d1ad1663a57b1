// The sandbox's netlink, interface ioctls and /proc/net (docs/syscalls.md's
// socket rows, src/net/netlink, src/net/proc_net.ts): C programs
// (test/c/netlink.c, netdev_ioctl.c, proc_net.c)
// and iproute2's ip, run natively in a fresh network namespace with lo up
// (`unshare -rn`, as the sandbox's --network=none has it) and under
// tsvisor, and compared; with --network=host the host's own interfaces
// and routes, as `ip` shows them on the host. What differs from Linux on
// purpose (NETLINK_KOBJECT_UEVENT, changes refused) is checked under
// tsvisor alone.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HOSTILE_DIR, REPO, SELFCHECK, assertNoSentryCrash, compileC, firstDifference, ms, runNative, runTsvisor } from './lib/harness.js';

const IP = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'].find((p) => spawnSync(p, ['-V']).status === 0);
const GO = ['/usr/bin/go', '/usr/lib/go/bin/go'].find((p) => spawnSync(p, ['version']).status === 0);
const UNSHARE_OK = spawnSync('unshare', ['-rn', 'true']).status === 0;
const skipNative = SELFCHECK ? 'the self-check\'s fake tsvisor runs programs natively' : !UNSHARE_OK ? 'unshare -rn is not allowed here' : false;
const skipIp = skipNative || (IP === undefined ? 'iproute2 is not installed (apt-get install iproute2)' : false);

/** argv natively in a new network namespace whose lo is up, as the sandbox's own. */
function nativeInNetns(argv) {
  // lo comes up by ip when there is one, else the program runs with lo down (and the comparison says so).
  const up = IP === undefined ? '' : `${IP} link set lo up && `;
  return runNative(['unshare', '-rn', '--', 'sh', '-c', `${up}exec "$@"`, 'sh', ...argv], { timeout: ms(60_000) });
}

function sameAsNativeNetns(argv, extraArgs = ['--network=none']) {
  const native = nativeInNetns(argv);
  assert.equal(native.code, 0, `native ${argv.join(' ')}: ${native.stderr}`);
  const sandboxed = runTsvisor(argv, { extraArgs, timeout: ms(60_000) });
  assertNoSentryCrash(sandboxed);
  assert.ok(sandboxed.stdout === native.stdout, `${argv.join(' ')} differs under tsvisor:\n${firstDifference(native.stdout, sandboxed.stdout)}\n${sandboxed.stderr}`);
  assert.equal(sandboxed.code, native.code, sandboxed.stderr);
  return sandboxed;
}

test('netlink.c: sockets, names, dumps, a link by index and name, acks, errors, truncation, readiness, options, unicast, as Linux', { skip: skipIp }, () => {
  sameAsNativeNetns([compileC('netlink')]);
});

test('netlink.c ifaddrs: glibc\'s getifaddrs, if_nameindex and if_nametoindex, as Linux', { skip: skipIp }, () => {
  sameAsNativeNetns([compileC('netlink'), 'ifaddrs']);
});

test('Go\'s net.Interfaces and Addrs (test/go/ifaces), as Linux', { skip: skipIp || (GO === undefined ? 'Go is not installed (apt-get install golang-go)' : false), timeout: ms(300_000) }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsv-go-'));
  try {
    const out = join(dir, 'ifaces');
    const b = spawnSync(GO, ['build', '-o', out, '.'], {
      cwd: join(REPO, 'test', 'go', 'ifaces'), encoding: 'utf8', timeout: ms(240_000),
      env: { ...process.env, CGO_ENABLED: '0', GOCACHE: join(dir, 'cache'), GOPATH: join(dir, 'gopath'), GOFLAGS: '-mod=mod', GO111MODULE: 'off' },
    });
    assert.equal(b.status, 0, `go build: ${b.stderr}`);
    const r = sameAsNativeNetns([out]);
    assert.match(r.stdout, /^1 lo 65536 up\|loopback \[127\.0\.0\.1\/8/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('netdev_ioctl.c: SIOCGIF* on unix, inet, inet6 and netlink sockets, as Linux', { skip: skipIp }, () => {
  sameAsNativeNetns([compileC('netdev_ioctl')]);
});

test('proc_net.c: /proc/net/unix lists the sandbox\'s Unix sockets as Linux does; the interface, route and socket tables are there', { skip: skipIp }, () => {
  sameAsNativeNetns([compileC('proc_net')]);
});

test('cat /proc/net/{dev,if_inet6,route,ipv6_route,tcp,tcp6,udp,udp6,snmp,netstat}: the namespace\'s own, as natively', { skip: skipIp }, () => {
  for (const f of ['dev', 'if_inet6', 'route', 'ipv6_route', 'tcp', 'tcp6', 'udp', 'udp6', 'snmp', 'netstat']) {
    sameAsNativeNetns(['/bin/cat', `/proc/net/${f}`]);
  }
});

test('ip addr, ip -br addr, ip link, ip -s link, ip route, ip -6 route, ip neigh, ip -j addr: the same as in a fresh namespace natively', { skip: skipIp }, () => {
  for (const args of [['addr'], ['-br', 'addr'], ['link'], ['-s', 'link'], ['route'], ['-6', 'route'], ['route', 'show', 'table', 'all'], ['neigh'],
    ['-j', 'addr'], ['link', 'show', 'dev', 'lo'], ['-d', 'link', 'show', 'lo'],
    ['route', 'get', '127.0.0.1'], ['route', 'get', '127.0.0.5'], ['route', 'get', '127.255.255.255']]) {
    sameAsNativeNetns([IP, ...args]);
  }
  // A link that is not there, an address no route reaches: the same error and status.
  for (const args of [['link', 'show', 'dev', 'nosuch0'], ['route', 'get', '10.1.2.3'], ['route', 'get', '1']]) {
    const native = nativeInNetns([IP, ...args]);
    const sandboxed = runTsvisor([IP, ...args], { timeout: ms(60_000) });
    assert.equal(sandboxed.code, native.code, args.join(' '));
    assert.equal(sandboxed.stderr.trim(), native.stderr.trim(), args.join(' '));
  }
});

/**
 * Lines of the host's own: those of the links other tests make and unmake while this one runs (podman's
 * bridge and veths, CNI's) are left out, since the sandbox's snapshot is of the moment it booted.
 */
function hostOwn(out) {
  return out.split('\n').filter((l) => !/cni|podman|veth|docker|virbr/.test(l)).join('\n');
}

test('--network=host: ip -br addr and ip route are the host\'s own', { skip: skipIp }, () => {
  // route get: the host's default route (if it has one), its own address, a neighbour on its link.
  for (const args of [['-br', 'link'], ['-br', 'addr'], ['route'], ['-6', 'route'], ['route', 'get', '1'], ['route', 'get', '8.8.8.8']]) {
    const native = runNative([IP, ...args], { timeout: ms(30_000) });
    const sandboxed = runTsvisor([IP, ...args], { extraArgs: ['--network=host'], timeout: ms(60_000) });
    assertNoSentryCrash(sandboxed);
    assert.equal(sandboxed.code, native.code, sandboxed.stderr);
    assert.ok(hostOwn(sandboxed.stdout) === hostOwn(native.stdout), `ip ${args.join(' ')}:\n${firstDifference(hostOwn(native.stdout), hostOwn(sandboxed.stdout))}`);
  }
});

test('what differs on purpose: NETLINK_KOBJECT_UEVENT is EPROTONOSUPPORT; changes are EOPNOTSUPP with CAP_NET_ADMIN, EPERM without; no IPv6 route lookup', { skip: skipNative || (IP === undefined ? 'no ip' : false) }, () => {
  const uevent = runTsvisor([compileC('netlink'), 'uevent']);
  assert.equal(uevent.stdout, 'socket NETLINK_KOBJECT_UEVENT: -1 EPROTONOSUPPORT\n');
  const add = runTsvisor([IP, 'addr', 'add', '10.9.9.9/8', 'dev', 'lo']);
  assert.equal(add.code, 2);
  assert.match(add.stderr, /RTNETLINK answers: Operation not supported/);
  const after = runTsvisor([IP, '-br', 'addr']);
  assert.doesNotMatch(after.stdout, /10\.9\.9\.9/);
  // Route lookups are IPv4's alone.
  const route6 = runTsvisor([IP, '-6', 'route', 'get', '::1']);
  assert.equal(route6.code, 2);
  assert.match(route6.stderr, /Operation not supported/);
});

test('hostile: random datagrams, addresses, options and reads on a netlink socket; the Sentry answers them all and survives', { skip: SELFCHECK ? 'the self-check runs programs natively' : false }, () => {
  const fuzz = compileC('netlink_fuzz', { dir: HOSTILE_DIR });
  for (const seed of ['1', '7', '0xdeadbeef']) {
    const r = runTsvisor([fuzz, '30000', seed], { timeout: ms(120_000) });
    assertNoSentryCrash(r, { strict: true });
    assert.equal(r.code, 0, `seed ${seed}: ${r.stderr}`);
    assert.equal(r.stdout, 'survived, with replies\n', `seed ${seed}`);
  }
});
