import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Device, SnmpSettings } from '../../../src/config/inventory-schema.js';
import type { Sample } from '../../../src/core/sample.js';
import { freeUdpPort } from '../../../src/lab/ports.js';
import { DEFAULT_SNMPD_USERS, startSnmpd, type SnmpdInstance } from '../../../src/lab/snmpd.js';
import { createSnmpPoller, type SnmpPoller } from '../../../src/pollers/snmp/index.js';
import { tempDir } from '../../helpers/tmp.js';

/** SNMPv3 and failure classification against Debian's real snmpd, started privately on loopback. */

let snmpd: SnmpdInstance;
let poller: SnmpPoller;
const tmp = tempDir('noctua-snmpd-');

function device(name: string, snmp: Partial<SnmpSettings>): Device {
  return {
    name, address: '127.0.0.1', class: 'server', site: 'lab', tags: [], enabled: true, icmp: false,
    snmp: { version: '3', community: 'unused', port: snmpd.port, timeoutMs: 1500, retries: 1, maxRepetitions: 20, ...snmp },
    intervals: { icmp: 30_000, snmp: 60_000, inventory: 3_600_000 },
  };
}
const of = (samples: Sample[], m: string) => samples.filter((s) => s.measurement === m);
const signal = () => AbortSignal.timeout(30_000);

beforeAll(async () => {
  snmpd = await startSnmpd({
    dir: tmp.dir,
    users: [
      ...DEFAULT_SNMPD_USERS,
      { name: 'noctua-sha512-aes', auth: 'SHA-512', authKey: 'noctua-auth-key-4', priv: 'AES', privKey: 'noctua-priv-key-4' },
      { name: 'noctua-md5-des', auth: 'MD5', authKey: 'noctua-auth-key-5', priv: 'DES', privKey: 'noctua-priv-key-5' },
    ],
  });
  poller = createSnmpPoller();
}, 30_000);

afterAll(async () => {
  await poller?.close();
  await snmpd?.stop();
  tmp.cleanup();
});

describe('SNMPv3 against a real snmpd', () => {
  it.each([
    ['authPriv SHA/AES', { user: 'noctua-sha-aes', securityLevel: 'authPriv', authProtocol: 'sha', authKey: 'noctua-auth-key-1', privProtocol: 'aes', privKey: 'noctua-priv-key-1' }],
    ['authPriv SHA-256/AES', { user: 'noctua-sha256-aes', securityLevel: 'authPriv', authProtocol: 'sha256', authKey: 'noctua-auth-key-2', privProtocol: 'aes', privKey: 'noctua-priv-key-2' }],
    ['authNoPriv SHA', { user: 'noctua-sha-auth', securityLevel: 'authNoPriv', authProtocol: 'sha', authKey: 'noctua-auth-key-3' }],
    ['authPriv SHA-512/AES', { user: 'noctua-sha512-aes', securityLevel: 'authPriv', authProtocol: 'sha512', authKey: 'noctua-auth-key-4', privProtocol: 'aes', privKey: 'noctua-priv-key-4' }],
  ] as const)('%s: values arrive (system, interfaces with 64-bit counters, memory)', async (label, v3) => {
    const name = `v3-${label}`;
    const r = await poller.poll(device(name, v3 as Partial<SnmpSettings>), signal());
    expect(r.errors).toEqual([]);
    expect(r.reachable).toBe(true);
    const sys = of(r.samples, 'system')[0]!;
    expect(sys.fields.sysName).toBe('noctua-snmpd');
    expect(sys.tags.vendor).toBe('linux');
    const lo = of(r.samples, 'interface').find((s) => s.tags.ifName === 'lo');
    expect(lo).toBeDefined();
    expect(typeof lo!.fields.in_octets).toBe('bigint');
    expect(of(r.samples, 'memory').length).toBeGreaterThan(0);
    expect(of(r.samples, 'snmp_poll')[0]!.fields.ok).toBe(true);
  });

  it('rates appear from the second poll of the real agent', { timeout: 15_000 }, async () => {
    const dev = device('v3-rates', { user: 'noctua-sha-aes', securityLevel: 'authPriv', authProtocol: 'sha', authKey: 'noctua-auth-key-1', privProtocol: 'aes', privKey: 'noctua-priv-key-1' });
    await poller.poll(dev, signal());
    // snmpd caches interface counters for a few seconds: wait past its cache so the counters have moved.
    await new Promise((r) => setTimeout(r, 3200));
    const r = await poller.poll(dev, signal());
    const lo = of(r.samples, 'interface').find((s) => s.tags.ifName === 'lo')!;
    // Our own SNMP traffic crosses lo, so its counters moved.
    expect(typeof lo.fields.in_bps).toBe('number');
    expect(lo.fields.in_bps as number).toBeGreaterThan(0);
  });

  it('a wrong auth key is reported as an authentication failure', async () => {
    const r = await poller.poll(device('v3-wrong-key', { user: 'noctua-sha-aes', securityLevel: 'authPriv', authProtocol: 'sha', authKey: 'not-the-right-key', privProtocol: 'aes', privKey: 'noctua-priv-key-1' }), signal());
    expect(r.reachable).toBe(false);
    const poll = of(r.samples, 'snmp_poll')[0]!;
    expect(poll.fields.ok).toBe(false);
    expect(poll.fields.error_kind).toBe('auth');
    expect(String(poll.fields.error)).toMatch(/authentication failure.*Wrong Digest/i);
  });

  it('MD5/DES either works or says plainly that this Node needs the OpenSSL legacy provider for DES', async () => {
    const r = await poller.poll(device('v3-des', { user: 'noctua-md5-des', securityLevel: 'authPriv', authProtocol: 'md5', authKey: 'noctua-auth-key-5', privProtocol: 'des', privKey: 'noctua-priv-key-5' }), signal());
    if (r.reachable) expect(of(r.samples, 'system')[0]!.fields.sysName).toBe('noctua-snmpd');
    else expect(String(r.errors[0]!.message)).toMatch(/DES needs OpenSSL's legacy provider: start Noctua with NODE_OPTIONS=--openssl-legacy-provider/);
  });

  it('an unknown user is reported as an authentication failure', async () => {
    const r = await poller.poll(device('v3-no-user', { user: 'nobody-here', securityLevel: 'authNoPriv', authProtocol: 'sha', authKey: 'whatever-key' }), signal());
    expect(of(r.samples, 'snmp_poll')[0]!.fields).toMatchObject({ ok: false, error_kind: 'auth' });
    expect(String(r.errors[0]!.message)).toMatch(/Unknown User Name/);
  });

  it('v2c with the right community works and a wrong community is a timeout that says so', async () => {
    const ok = await poller.poll(device('v2c-ok', { version: '2c', community: snmpd.community }), signal());
    expect(ok.reachable).toBe(true);
    const bad = await poller.poll(device('v2c-bad', { version: '2c', community: 'wrong', timeoutMs: 300, retries: 0 }), signal());
    expect(bad.reachable).toBe(false);
    expect(of(bad.samples, 'snmp_poll')[0]!.fields.error_kind).toBe('timeout');
    expect(String(bad.errors[0]!.message)).toMatch(/wrong community/);
  });

  it('v1 walks with GETNEXT', async () => {
    const r = await poller.poll(device('v1', { version: '1', community: snmpd.community }), signal());
    expect(r.errors).toEqual([]);
    expect(of(r.samples, 'interface').some((s) => s.tags.ifName === 'lo')).toBe(true);
  });

  it('a dead port times out within timeout x (retries+1) without holding up a concurrent poll of another device', async () => {
    const deadPort = await freeUdpPort();
    const timeoutMs = 800, retries = 1;
    const dead = device('dead', { version: '2c', community: 'x', port: deadPort, timeoutMs, retries });
    const live = device('live', { version: '2c', community: snmpd.community });
    const started = Date.now();
    let liveDoneAt = 0;
    const [deadResult] = await Promise.all([
      poller.poll(dead, signal()),
      poller.poll(live, signal()).then((r) => { liveDoneAt = Date.now(); return r; }),
    ]);
    const deadElapsed = Date.now() - started;
    expect(of(deadResult.samples, 'snmp_poll')[0]!.fields.error_kind).toBe('timeout');
    expect(deadElapsed).toBeGreaterThanOrEqual(timeoutMs * (retries + 1) * 0.9);
    // Bound, not a benchmark: the timeout budget plus scheduling slack on a shared 2-core machine.
    expect(deadElapsed).toBeLessThan(timeoutMs * (retries + 1) + 1500);
    expect(liveDoneAt - started).toBeLessThan(deadElapsed);
  });

  it('an aborted poll stops at once and says the deadline passed', async () => {
    const deadPort = await freeUdpPort();
    const ac = new AbortController();
    const p = poller.poll(device('aborted', { version: '2c', community: 'x', port: deadPort, timeoutMs: 5000, retries: 2 }), ac.signal);
    setTimeout(() => ac.abort(), 100);
    const r = await p;
    expect(String(r.errors[0]!.message)).toMatch(/aborted/);
  });
});

describe('an agent that answers garbage', () => {
  it('is reported as garbage, not as a timeout', async () => {
    const { createSocket } = await import('node:dgram');
    const sock = createSocket('udp4');
    // Answers every request with bytes that are not BER-encoded SNMP.
    sock.on('message', (_msg, rinfo) => sock.send(Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n'), rinfo.port, rinfo.address));
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    try {
      const port = sock.address().port;
      const r = await poller.poll(device('garbage', { version: '2c', community: 'public', port, timeoutMs: 300, retries: 0 }), signal());
      expect(r.reachable).toBe(false);
      const poll = of(r.samples, 'snmp_poll')[0]!;
      expect(poll.fields.error_kind).toBe('garbage');
      expect(String(poll.fields.error)).toMatch(/not a valid SNMP message/);
    } finally {
      sock.close();
    }
  });
});
