// Raw inet and AF_PACKET sockets behind --net-raw (docs/networking.md,
// docs/security.md): test/c/rawsock.c, static and dynamic, prints the same
// natively as root in a fresh network namespace with lo up (`unshare
// --net`) as under `tsvisor do --net-raw`; a program that dropped
// CAP_NET_RAW, or that runs as nobody, gets EPERM in both; without
// --net-raw the same program has CAP_NET_RAW in none of its capability
// sets and every raw and packet socket is EPERM, as natively without it;
// what is not served says so (ENOPROTOOPT, ESOCKTNOSUPPORT). iputils ping
// of 127.0.0.1 and ::1 prints what it prints natively (times aside). An
// OCI container whose spec grants CAP_NET_RAW lacks it without --net-raw
// (its exec'd processes too), and has raw sockets with `tsvisor --net-raw run`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  REPO, assertNoSentryCrash, assertSameAsNative, compileC, compileWarnings, firstDifference, ms, runNative, runTsvisor,
  withoutNetRaw,
} from './lib/harness.js';
import { OciWork, test as ociTest } from './lib/oci.js';

const PING = '/usr/bin/ping';
const NET = { nativeNamespaces: ['net'], timeout: ms(60_000) };

for (const isStatic of [true, false]) {
  test(`rawsock.c (${isStatic ? 'static' : 'dynamic'}) with --net-raw matches Linux with CAP_NET_RAW in a fresh network namespace`, { timeout: ms(120_000) }, () => {
    const bin = compileC('rawsock', { static: isStatic });
    assert.equal(compileWarnings.get(`rawsock.${isStatic ? 'static' : 'dynamic'}`) ?? '', '', 'rawsock.c compiles without warnings');
    const { native } = assertSameAsNative([bin], { ...NET, netRaw: true, expectCode: 0, strict: true });
    assert.match(native.stdout, /\necho second: 44 bytes.* icmp type 0 code 0 id 4660 seq 1 payload same\n/);
    assert.match(native.stdout, /\nraw frame in: len 20 family 17 protocol 0800 ifindex lo hatype 772 pkttype 0 halen 6\n/);
    assert.match(native.stdout, /\n\/proc\/net\/packet: opened 1 header 1 listed 1 lines 1\n/);
    assert.match(native.stdout, /\ndone\n$/);
  });
}

for (const mode of ['drop', 'nobody']) {
  test(`rawsock.c ${mode}: without CAP_NET_RAW in the program, EPERM even with --net-raw, as natively`, { timeout: ms(120_000) }, () => {
    const bin = compileC('rawsock', { static: true });
    const { native } = assertSameAsNative([bin, mode], { ...NET, netRaw: true, expectCode: 0, strict: true });
    assert.match(native.stdout, /CAP_NET_RAW in CapEff 0 /);
    assert.match(native.stdout, /\nraw icmp: -1 EPERM\n(.*\n)*packet raw: -1 EPERM\n/);
  });
}

test('without --net-raw: no CAP_NET_RAW in any set, raw and packet sockets EPERM, as natively without CAP_NET_RAW', { timeout: ms(120_000) }, () => {
  const bin = compileC('rawsock', { static: true });
  const native = runNative(withoutNetRaw([bin, 'eperm']), NET);
  assert.equal(native.code, 0, native.stderr);
  const r = runTsvisor([bin, 'eperm'], NET);
  assertNoSentryCrash(r, { strict: true });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, native.stdout, firstDifference(native.stdout, r.stdout));
  assert.match(r.stdout, /^CAP_NET_RAW in CapEff 0 CapPrm 0 CapBnd 0 CapInh 0 CapAmb 0\nraw icmp: -1 EPERM\nraw6 icmpv6: -1 EPERM\n/);
  assert.match(r.stdout, /\npacket raw: -1 EPERM\npacket dgram: -1 EPERM\n/);
});

test('with --net-raw, what is not served: the packet rings, fanout and socket filters ENOPROTOOPT, SOCK_PACKET ESOCKTNOSUPPORT', { timeout: ms(60_000) }, () => {
  const bin = compileC('rawsock', { static: true });
  const r = runTsvisor([bin, 'unserved'], { ...NET, netRaw: true });
  assertNoSentryCrash(r, { strict: true });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, ['PACKET_RX_RING', 'PACKET_TX_RING', 'PACKET_VERSION', 'PACKET_FANOUT', 'SO_ATTACH_FILTER']
    .map((o) => `${o}: -1 ENOPROTOOPT\n`).join('') + 'sock_packet: -1 ESOCKTNOSUPPORT\ninet sock_packet: -1 ESOCKTNOSUPPORT\ndone\n');
});

/** ping's output without its times. */
function pingText(s) {
  return s.replace(/time[=< ]?[0-9.]+ ?ms/g, 'time=T ms').replace(/^rtt .*$/m, 'rtt ...');
}

for (const addr of ['127.0.0.1', '::1']) {
  test(`ping -c 2 ${addr} with --net-raw prints what it prints natively`, { skip: existsSync(PING) ? false : `${PING} is not installed (iputils-ping)`, timeout: ms(120_000) }, () => {
    // A second in first: iputils ping takes a CLOCK_MONOTONIC_RAW of 0 seconds (the sandbox's
    // clock in its first second; never a host's) for "not started", and sends every probe at once.
    const argv = ['/bin/sh', '-c', `sleep 1; exec ${PING} -c 2 -i 0.2 ${addr}`];
    const native = runNative(argv, NET);
    assert.equal(native.code, 0, `native ping: ${native.stderr}`);
    const r = runTsvisor(argv, { ...NET, netRaw: true });
    assertNoSentryCrash(r);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(pingText(r.stdout), pingText(native.stdout), firstDifference(pingText(native.stdout), pingText(r.stdout)));
    // The probes 0.2 s apart, as asked.
    assert.ok(Number(/packet loss, time (\d+)ms/.exec(r.stdout)?.[1]) >= 190, r.stdout);
  });
}

test('ping without --net-raw fails as natively without CAP_NET_RAW', { skip: existsSync(PING) ? false : `${PING} is not installed (iputils-ping)`, timeout: ms(120_000) }, () => {
  // A copy without ping's file capability (cap_net_raw=ep), which tsvisor does not read and
  // which natively makes the exec itself fail where CAP_NET_RAW is out of the bounding set.
  const dir = join(REPO, 'test', 'out');
  mkdirSync(dir, { recursive: true });
  const ping = join(dir, 'ping-nocaps');
  copyFileSync(PING, ping);
  chmodSync(ping, 0o755);
  const argv = [ping, '-c', '1', '127.0.0.1'];
  const native = runNative(withoutNetRaw(argv), NET);
  const r = runTsvisor(argv, NET);
  assertNoSentryCrash(r);
  assert.notEqual(native.code, 0);
  assert.equal(r.code, native.code, r.stderr);
  assert.equal(r.stdout, native.stdout);
  assert.equal(r.stderr, native.stderr);
});

ociTest('an OCI container granted CAP_NET_RAW: none without --net-raw (init and exec), raw sockets with tsvisor --net-raw run', () => {
  const bin = compileC('rawsock', { static: true });
  const w = new OciWork('rawsock-oci-');
  try {
    const caps = ['CAP_NET_RAW', 'CAP_SETUID', 'CAP_SETGID', 'CAP_NET_BIND_SERVICE'];
    const capabilities = { bounding: caps, effective: caps, permitted: caps };
    const bundle = (args) => {
      const dir = w.bundle(args, { process: { capabilities }, mounts: [{ destination: '/proc', type: 'proc', source: 'proc' }] });
      copyFileSync(bin, join(dir, 'rootfs', 'rawsock'));
      chmodSync(join(dir, 'rootfs', 'rawsock'), 0o755);
      return dir;
    };
    const off = w.tsvisor(['run', '-b', bundle(['/rawsock', 'eperm']), w.newId()]);
    assert.equal(off.code, 0, off.stderr);
    assert.match(off.stdout, /^CAP_NET_RAW in CapEff 0 CapPrm 0 CapBnd 0 CapInh 0 CapAmb 0\nraw icmp: -1 EPERM\n/);
    assert.match(off.stdout, /\npacket raw: -1 EPERM\n/);

    // An exec'd process of a running container: the same.
    const id = w.newId();
    const c = w.create(id, bundle(['/bin/sleep', '60']));
    assert.equal(c.code, 0, c.stderr);
    assert.equal(w.tsvisor(['start', id]).code, 0);
    const ex = w.tsvisor(['exec', id, '/rawsock', 'eperm']);
    assert.equal(ex.code, 0, ex.stderr);
    assert.match(ex.stdout, /^CAP_NET_RAW in CapEff 0 CapPrm 0 CapBnd 0 CapInh 0 CapAmb 0\nraw icmp: -1 EPERM\n/);
    w.tsvisor(['kill', id, 'KILL']);
    w.tsvisor(['delete', '--force', id]);

    // --net-raw: CAP_NET_RAW as the spec grants it, and rawsock.c's whole run as natively.
    const native = runNative([bin], { ...NET });
    assert.equal(native.code, 0, native.stderr);
    const on = w.tsvisor(['--net-raw', 'run', '-b', bundle(['/rawsock']), w.newId()]);
    assert.equal(on.code, 0, on.stderr);
    assert.equal(on.stdout, native.stdout, firstDifference(native.stdout, on.stdout));
    const caps2 = w.tsvisor(['--net-raw', 'run', '-b', bundle(['/rawsock', 'drop']), w.newId()]);
    assert.match(caps2.stdout, /^capset drop CAP_NET_RAW: 0\nCAP_NET_RAW in CapEff 0 CapPrm 1 CapBnd 1 CapInh 0 CapAmb 0\n/);
  } finally {
    w.cleanup();
  }
});
