import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { device, eventsOf, run, startTestReceivers, waitFor } from './helpers.js';
import type { Sample } from '../../src/core/sample.js';
import type { EventReceivers } from '../../src/events/receivers.js';

// Real Net-SNMP `snmptrap` (Debian package `snmp`) against the receiver on a free loopback port.
// `--clientaddr` sends from another 127.0.0.x address, so each sender is a different inventory device.
const AUTH_KEY = 'trap-auth-key-1';
const PRIV_KEY = 'trap-priv-key-1';

let rx: EventReceivers;
let samples: Sample[];
let warnings: { obj: object; msg: string }[];
let target: string;

beforeAll(async () => {
  const started = await startTestReceivers({
    traps: {
      enabled: true, listen: '127.0.0.1:0', communities: ['nocpublic'],
      users: [{ name: 'trapuser', level: 'authPriv', authProtocol: 'sha256', authKey: AUTH_KEY, privProtocol: 'aes', privKey: PRIV_KEY }],
    },
    storm: { window: '2s', threshold: 3 },
    rateLimit: { perSecond: 100_000, burst: 100_000 },
  }, [device('sw-a', '127.0.0.2'), device('ups-1', '127.0.0.3', 'ups'), device('sw-b', '127.0.0.4'), device('sw-flap', '127.0.0.6')]);
  ({ rx, samples, warnings } = started);
  target = `127.0.0.1:${rx.addresses.traps!.port}`;
  // Port 0 means a free port, not net-snmp's default 162 (two receivers at once must not collide).
  if (rx.addresses.traps!.port === 162) throw new Error('the trap receiver bound 162 when asked for port 0');
});
afterAll(async () => { await rx?.stop(); });

const SNMP = ['-m', '', '-M', '/dev/null'];
const linkDownVarbinds = (ifIndex: number, name: string) => [
  `1.3.6.1.2.1.2.2.1.1.${ifIndex}`, 'i', String(ifIndex), `1.3.6.1.2.1.2.2.1.7.${ifIndex}`, 'i', '1',
  `1.3.6.1.2.1.2.2.1.8.${ifIndex}`, 'i', '2', `1.3.6.1.2.1.31.1.1.1.1.${ifIndex}`, 's', name,
];

describe('trap receiver with snmptrap', () => {
  it('a v2c linkDown trap becomes a link-down event on the sending device with its interface', async () => {
    const r = await run('snmptrap', [...SNMP, '-v', '2c', '-c', 'nocpublic', '--clientaddr=127.0.0.2', target, '', '1.3.6.1.6.3.1.1.5.3', ...linkDownVarbinds(3, 'GE0/0/3')]);
    expect(r.code, r.stderr).toBe(0);
    const [e] = await waitFor('link-down from sw-a', () => { const l = eventsOf(samples, 'link-down', 'sw-a'); return l.length ? l : undefined; });
    expect(e!.tags).toMatchObject({ source: 'trap', severity: 'major', ifIndex: '3', ifName: 'GE0/0/3', site: 'hq', class: 'switch' });
    expect(e!.fields.message).toBe('Interface GE0/0/3 went down (ifIndex 3)');
    expect(e!.fields.message_zh).toBe('接口 GE0/0/3 断开 (ifIndex 3)');
    expect(e!.fields.key).toBe('1.3.6.1.6.3.1.1.5.3');
  });

  it('a v1 enterprise trap (APC upsOnBattery) is translated per RFC 3584 and classified', async () => {
    const r = await run('snmptrap', [...SNMP, '-v', '1', '-c', 'nocpublic', '--clientaddr=127.0.0.3', target, '1.3.6.1.4.1.318', '127.0.0.3', '6', '5', '']);
    expect(r.code, r.stderr).toBe(0);
    const [e] = await waitFor('ups-on-battery from ups-1', () => { const l = eventsOf(samples, 'ups-on-battery', 'ups-1'); return l.length ? l : undefined; });
    expect(e!.tags).toMatchObject({ source: 'trap', severity: 'critical', vendor: 'apc', class: 'ups' });
    expect(e!.fields.key).toBe('1.3.6.1.4.1.318.0.5');
  });

  it('a v3 authPriv trap (SHA-256/AES) is accepted with the configured user', async () => {
    const r = await run('snmptrap', [...SNMP, '-v', '3', '-u', 'trapuser', '-l', 'authPriv', '-a', 'SHA-256', '-A', AUTH_KEY, '-x', 'AES', '-X', PRIV_KEY,
      '-e', '0x80001f8880aabbccdd01', '--clientaddr=127.0.0.4', target, '', '1.3.6.1.6.3.1.1.5.1']);
    expect(r.code, r.stderr).toBe(0);
    const [e] = await waitFor('reboot from sw-b', () => { const l = eventsOf(samples, 'reboot', 'sw-b'); return l.length ? l : undefined; });
    expect(e!.fields.message).toBe('Agent restarted (cold start)');
  });

  it('v2c and v3 informs are answered (snmptrap -Ci exits 0) and become events', async () => {
    const v2 = await run('snmptrap', [...SNMP, '-Ci', '-r', '2', '-t', '5', '-v', '2c', '-c', 'nocpublic', '--clientaddr=127.0.0.2', target, '', '1.3.6.1.6.3.1.1.5.4', ...linkDownVarbinds(7, 'GE0/0/7')]);
    expect(v2.code, v2.stderr).toBe(0);
    const v3 = await run('snmptrap', [...SNMP, '-Ci', '-r', '2', '-t', '5', '-v', '3', '-u', 'trapuser', '-l', 'authPriv', '-a', 'SHA-256', '-A', AUTH_KEY, '-x', 'AES', '-X', PRIV_KEY,
      '--clientaddr=127.0.0.4', target, '', '1.3.6.1.6.3.1.1.5.2']);
    expect(v3.code, v3.stderr).toBe(0);
    await waitFor('link-up from sw-a', () => eventsOf(samples, 'link-up', 'sw-a').find((s) => s.tags.ifName === 'GE0/0/7'));
    await waitFor('warm start from sw-b', () => eventsOf(samples, 'reboot', 'sw-b').find((s) => s.fields.message === 'Agent restarted (warm start)'));
  });

  it('a wrong community and a wrong v3 key are refused, counted, and logged once per source', async () => {
    const before = rx.stats().refused;
    for (let i = 0; i < 3; i++) {
      await run('snmptrap', [...SNMP, '-v', '2c', '-c', 'wrong', '--clientaddr=127.0.0.2', target, '', '1.3.6.1.6.3.1.1.5.1']);
    }
    await run('snmptrap', [...SNMP, '-v', '3', '-u', 'trapuser', '-l', 'authPriv', '-a', 'SHA-256', '-A', 'not-the-key', '-x', 'AES', '-X', PRIV_KEY,
      '-e', '0x80001f8880aabbccdd02', '--clientaddr=127.0.0.4', target, '', '1.3.6.1.6.3.1.1.5.1']);
    await waitFor('3 community refusals', () => rx.stats().refused.community - before.community >= 3);
    await waitFor('1 USM refusal', () => rx.stats().refused.usm - before.usm >= 1);
    const logged = warnings.filter((w) => (w.obj as { from?: string }).from === '127.0.0.2' && (w.obj as { reason?: string }).reason === 'community');
    expect(logged).toHaveLength(1);
    // The log never quotes the sender's community or a digest computed with our key.
    expect(JSON.stringify(warnings)).not.toMatch(/with community|digest|not-the-key/i);
    expect(eventsOf(samples, 'reboot', 'sw-a')).toHaveLength(0);
  });

  it('a trap from an address not in the inventory is kept as unknown source; a relayed one finds its device by snmpTrapAddress.0', async () => {
    await run('snmptrap', [...SNMP, '-v', '2c', '-c', 'nocpublic', '--clientaddr=127.0.0.9', target, '', '1.3.6.1.6.3.1.1.5.5']);
    const [u] = await waitFor('unknown source', () => { const l = eventsOf(samples, 'snmp-auth-failure', 'unknown source'); return l.length ? l : undefined; });
    expect(u!.fields.from).toBe('127.0.0.9');
    await run('snmptrap', [...SNMP, '-v', '2c', '-c', 'nocpublic', '--clientaddr=127.0.0.9', target, '', '1.3.6.1.6.3.1.1.5.5', '1.3.6.1.6.3.18.1.3.0', 'a', '127.0.0.3']);
    await waitFor('relayed trap on ups-1', () => eventsOf(samples, 'snmp-auth-failure', 'ups-1').length === 1);
  });

  it('a 1,000-trap flap storm on one port becomes a few events and one summary with the count', async () => {
    const { createSocket } = await import('node:dgram');
    // snmptrap forks once per trap (too slow for a storm): render one v2c linkDown and one linkUp with snmptrap's
    // own encoder by capturing them on a UDP socket, then replay the captured bytes 500 times each.
    const capture = createSocket('udp4');
    const packets: Buffer[] = [];
    capture.on('message', (m) => packets.push(m));
    await new Promise<void>((r) => capture.bind(0, '127.0.0.1', () => r()));
    const cap = `127.0.0.1:${capture.address().port}`;
    await run('snmptrap', [...SNMP, '-v', '2c', '-c', 'nocpublic', cap, '', '1.3.6.1.6.3.1.1.5.3', ...linkDownVarbinds(9, 'GE0/0/9')]);
    await run('snmptrap', [...SNMP, '-v', '2c', '-c', 'nocpublic', cap, '', '1.3.6.1.6.3.1.1.5.4', ...linkDownVarbinds(9, 'GE0/0/9')]);
    await waitFor('two captured traps', () => packets.length === 2);
    capture.close();
    const sender = createSocket('udp4');
    await new Promise<void>((r) => sender.bind(0, '127.0.0.6', () => r()));
    const port = rx.addresses.traps!.port;
    const base = rx.stats().received.trap;
    for (let i = 0; i < 1000; i++) {
      await new Promise<void>((r) => sender.send(packets[i % 2]!, port, '127.0.0.1', () => r()));
      // Paced a little: loopback UDP drops what the receiver's buffer cannot hold, and this test is about storms, not drops.
      if (i % 20 === 19) await new Promise((r) => setTimeout(r, 2));
    }
    sender.close();
    await waitFor('all 1,000 traps counted', () => rx.stats().received.trap >= base + 1000, 10_000);
    // Every trap is accounted for: emitted one by one, or counted in a summary (one, or two if the sending
    // straddled a window boundary on a busy machine).
    const flap = () => samples.filter((s) => s.tags.device === 'sw-flap');
    const accounted = () => flap().reduce((n, s) => n + Number(s.fields.count), 0);
    await waitFor('1,000 traps accounted for', () => accounted() === 1000, 8000);
    const single = flap().filter((s) => s.fields.storm === false);
    const summaries = flap().filter((s) => s.fields.storm === true);
    expect(single).toHaveLength(3);
    expect(summaries.length).toBeGreaterThanOrEqual(1);
    expect(summaries.length).toBeLessThanOrEqual(2);
    expect(summaries.reduce((n, s) => n + Number(s.fields.count), 0)).toBe(997);
    expect(summaries[0]!.tags.ifName).toBe('GE0/0/9');
    expect(String(summaries[0]!.fields.message)).toMatch(/^event storm on GE0\/0\/9: \d+ events held back \(\d+ link-(down|up)(, \d+ link-(down|up))?\)/);
    expect(rx.stats().heldBack).toBeGreaterThanOrEqual(997);
  });
});
