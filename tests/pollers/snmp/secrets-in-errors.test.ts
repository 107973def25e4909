import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Device, SnmpSettings } from '../../../src/config/inventory-schema.js';
import type { PollResult } from '../../../src/core/poller.js';
import { sampleToJson } from '../../../src/core/sample.js';
import { startSnmpd, type SnmpdInstance } from '../../../src/lab/snmpd.js';
import { createSnmpPoller, type SnmpPoller } from '../../../src/pollers/snmp/index.js';
import { classifyError } from '../../../src/pollers/snmp/session.js';
import { encodeSample } from '../../../src/storage/influx/line-protocol.js';
import { tempDir } from '../../helpers/tmp.js';
import { capturedLogger } from '../../storage/log-capture.js';
import { startUdpRelay, withCommunity, type UdpRelay } from './udp-proxy.js';

/**
 * A poll's reason ends up in the API, the public wall, InfluxDB and the log: it must never quote the community
 * or a v3 key. Real snmpd behind a relay that makes it answer with another community, or tampers with its v3 answers.
 */

const COMMUNITY = 'noctua-Secr3t-community';
const AUTH_KEY = 'noctua-auth-key-1';
const PRIV_KEY = 'noctua-priv-key-1';
const tmp = tempDir('noctua-secrets-');
let snmpd: SnmpdInstance;
let otherCommunity: UdpRelay;
let tampering: UdpRelay;
const captured = capturedLogger();
let poller: SnmpPoller;

function device(name: string, port: number, snmp: Partial<SnmpSettings>): Device {
  return {
    name, address: '127.0.0.1', class: 'server', site: 'lab', tags: [], enabled: true, icmp: false,
    snmp: { version: '2c', community: COMMUNITY, port, timeoutMs: 800, retries: 0, maxRepetitions: 20, ...snmp },
    intervals: { icmp: 30_000, snmp: 60_000, inventory: 3_600_000 },
  };
}

/** Everything a poll result can leak through: its samples as JSON and line protocol, the errors with causes, the log. */
function everythingSaid(r: PollResult): string {
  return [
    ...r.samples.map(sampleToJson),
    ...r.samples.map((s) => encodeSample(s, 'ms') ?? ''),
    inspect(r.errors, { depth: 20, showHidden: true }),
    JSON.stringify(r.errors.map((e) => ({ ...e, cause: inspect(e.cause, { depth: 20, showHidden: true }) }))),
    ...captured.records.map((rec) => JSON.stringify(rec)),
  ].join('\n');
}

beforeAll(async () => {
  snmpd = await startSnmpd({ dir: tmp.dir, community: COMMUNITY });
  otherCommunity = await startUdpRelay(snmpd.port, (answer) => withCommunity(answer, 'public'));
  // Flips the last byte of every answer: for an authenticated v3 answer that breaks the digest.
  tampering = await startUdpRelay(snmpd.port, (answer) => {
    const copy = Buffer.from(answer);
    copy[copy.length - 1] = copy[copy.length - 1]! ^ 0x01;
    return copy;
  });
  poller = createSnmpPoller({ log: captured.log });
}, 30_000);

afterAll(async () => {
  await poller?.close();
  await otherCommunity?.close();
  await tampering?.close();
  await snmpd?.stop();
  tmp.cleanup();
});

describe('the community and v3 keys never appear in what a poll reports', () => {
  it('the relay reaches the real agent (right community, answers unchanged through a pass-through relay)', async () => {
    const passThrough = await startUdpRelay(snmpd.port, (answer) => answer);
    try {
      const r = await poller.poll(device('direct', passThrough.port, {}), AbortSignal.timeout(10_000));
      expect(r.errors).toEqual([]);
    } finally {
      await passThrough.close();
    }
  });

  it('an agent answering with another community: kind community, fixed wording, no community anywhere', async () => {
    captured.records.length = 0;
    const r = await poller.poll(device('other-community', otherCommunity.port, {}), AbortSignal.timeout(10_000));
    expect(r.reachable).toBe(false);
    const poll = r.samples.find((s) => s.measurement === 'snmp_poll')!;
    expect(poll.fields).toMatchObject({ ok: false, error_kind: 'community' });
    expect(String(poll.fields.error)).toMatch(/wrong community: the agent answered .* with a community other than the configured one/);
    expect(captured.records.some((rec) => rec.msg === 'snmp poll failed')).toBe(true);
    const said = everythingSaid(r);
    expect(said).not.toContain(COMMUNITY);
    // The relay's community is the agent's word, not a secret, but it is not needed either.
    expect(said).not.toContain("'public'");
  });

  it.each([
    ['authNoPriv', { user: 'noctua-sha-auth', securityLevel: 'authNoPriv', authProtocol: 'sha', authKey: 'noctua-auth-key-3' }],
    ['authPriv', { user: 'noctua-sha-aes', securityLevel: 'authPriv', authProtocol: 'sha', authKey: AUTH_KEY, privProtocol: 'aes', privKey: PRIV_KEY }],
  ] as const)('a tampered v3 answer (%s): an authentication failure without digests or keys', async (_label, v3) => {
    captured.records.length = 0;
    const r = await poller.poll(device(`tampered-${_label}`, tampering.port, { version: '3', ...v3 } as Partial<SnmpSettings>), AbortSignal.timeout(10_000));
    expect(r.reachable).toBe(false);
    const poll = r.samples.find((s) => s.measurement === 'snmp_poll')!;
    expect(poll.fields.error_kind).toBe('auth');
    const said = everythingSaid(r);
    for (const secret of [v3.authKey, PRIV_KEY, AUTH_KEY]) expect(said).not.toContain(secret);
    // net-snmp's own text quotes the digest it computed with our key: an offline guess at the key.
    expect(said).not.toMatch(/[0-9a-f]{20,}/);
  });
});

describe('classification of net-snmp errors that quote secrets', () => {
  const settings = { version: '3', timeoutMs: 1000, retries: 0, community: 'c0mmunity', authKey: 'the-auth-key', privKey: 'the-priv-key' } as const;

  it('a digest mismatch keeps neither the digest nor the user (with its keys) that net-snmp attaches', () => {
    const raw = Object.assign(new Error('Authentication digest 0a1b2c3d4e5f60718293a4b5 received in message does not match digest ffeeddccbbaa998877665544 calculated for message'), {
      name: 'ResponseInvalidError', code: 5, info: { user: { name: 'u', authKey: 'the-auth-key', privKey: 'the-priv-key' } },
    });
    const e = classifyError(raw, 'GET x', settings);
    expect(e.kind).toBe('auth');
    const all = inspect(e, { depth: 20, showHidden: true });
    expect(all).not.toMatch(/the-auth-key|the-priv-key|0a1b2c3d|ffeeddcc/);
  });

  it('any other message naming a configured secret is redacted', () => {
    const raw = Object.assign(new Error("Unknown PDU type '7' for c0mmunity with the-priv-key"), { name: 'ResponseInvalidError', code: 3 });
    const all = inspect(classifyError(raw, 'GET x', settings), { depth: 20, showHidden: true });
    expect(all).not.toMatch(/c0mmunity|the-priv-key/);
    expect(all).toMatch(/<redacted>/);
  });
});
