import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { device, eventsOf, startTestReceivers, waitFor } from './helpers.js';
import type { Sample } from '../../src/core/sample.js';
import type { EventReceivers } from '../../src/events/receivers.js';
import { startSyslogReceiver, udpBufferState, UDP_RECEIVE_BUFFER_BYTES } from '../../src/events/syslog/receiver.js';

// util-linux `logger` sends recorded vendor lines to the receiver on free loopback ports, over UDP and TCP,
// in RFC 3164 and RFC 5424 form. The sender is 127.0.0.1, which the inventory knows as lab-sw (site zone Asia/Shanghai).
let rx: EventReceivers;
let samples: Sample[];

beforeAll(async () => {
  ({ rx, samples } = await startTestReceivers({
    syslog: { enabled: true, udp: '127.0.0.1:0', tcp: '127.0.0.1:0', maxMessageBytes: 8192 },
    storm: { window: '1m', threshold: 100 },
  }, [device('lab-sw', '127.0.0.1')], () => 'Asia/Shanghai'));
});
afterAll(async () => { await rx?.stop(); });

/** Runs logger with the message on stdin (bytes as given), in Shanghai time so its zone-less stamps need the site zone. */
function logger(args: string[], input: Buffer | string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn('logger', ['--server', '127.0.0.1', ...args, '-t', 'dev'], { env: { ...process.env, TZ: 'Asia/Shanghai' } });
    child.on('close', (code) => resolve(code ?? 1));
    child.stdin.end(input);
  });
}

const udp = () => ['--udp', '--port', String(rx.addresses.syslogUdp!.port)];
const tcp = () => ['--tcp', '--port', String(rx.addresses.syslogTcp!.port)];

const LINES: [string, string, string][] = [
  ['%%01IFNET/4/LINK_STATE(l)[0]:The line protocol IP on the interface GigabitEthernet0/0/1 has entered the DOWN state.', 'link-down', 'GigabitEthernet0/0/1'],
  ['%%10IFNET/3/PHY_UPDOWN: Physical state on the interface GigabitEthernet1/0/2 changed to down.', 'link-down', 'GigabitEthernet1/0/2'],
  ['%LINK-3-UPDOWN: Interface GigabitEthernet0/3, changed state to up', 'link-up', 'GigabitEthernet0/3'],
  ['%LINK-5-CHANGED: Interface GigabitEthernet 0/4, changed state to down.', 'link-down', 'GigabitEthernet 0/4'],
  ['SNMP_TRAP_LINK_DOWN: ifIndex 526, ifAdminStatus up(1), ifOperStatus down(2), ifName ge-0/0/5', 'link-down', 'ge-0/0/5'],
];

describe('syslog receiver with logger', () => {
  const variants: [string, () => string[]][] = [
    ['RFC 3164 over UDP', () => ['--rfc3164', ...udp()]],
    ['RFC 5424 over UDP', () => ['--rfc5424', ...udp()]],
    ['RFC 3164 over TCP (newline framing)', () => ['--rfc3164', ...tcp()]],
    ['RFC 5424 over TCP (octet counting)', () => ['--rfc5424', '--octet-count', ...tcp()]],
  ];
  it.each(variants)('%s: every vendor line becomes its catalog type on the sending device', async (_name, args) => {
    const start = samples.length;
    const code = await logger(args(), LINES.map((l) => l[0]).join('\n') + '\n');
    expect(code).toBe(0);
    const got = await waitFor('all vendor lines', () => { const s = samples.slice(start); return s.length >= LINES.length ? s : undefined; });
    for (const [, type, ifName] of LINES) {
      const e = got.find((s) => s.tags.ifName === ifName);
      expect(e, ifName).toBeDefined();
      expect(e!.tags).toMatchObject({ device: 'lab-sw', source: 'syslog', type, site: 'hq' });
      // logger stamps local (Shanghai) time without a zone in RFC 3164: the site zone makes it the right instant.
      expect(Math.abs(e!.time.getTime() - Date.now())).toBeLessThan(10_000);
      expect(e!.fields.parse_error).toBeUndefined();
    }
  });

  it('a 64 KiB garbage line over TCP is kept once, cut to the limit and flagged', async () => {
    const start = samples.length;
    let garbage = '';
    for (let i = 0; i < 65_536; i++) garbage += String.fromCharCode(33 + ((i * 7919) % 90));
    expect(await logger(['--rfc3164', '--size', '70000', ...tcp()], garbage + '\n')).toBe(0);
    const e = await waitFor('the garbage line', () => samples.slice(start).find((s) => s.tags.type === 'syslog'));
    expect(e.fields.truncated).toBe(true);
    expect(String(e.fields.parse_error)).toMatch(/cut/);
    expect(String(e.fields.raw).length).toBeLessThanOrEqual(8192);
    await new Promise((r) => setTimeout(r, 300));
    expect(samples.slice(start)).toHaveLength(1);
  });

  it('invalid UTF-8 over UDP is kept raw with parse_error', async () => {
    const start = samples.length;
    const bytes = Buffer.concat([Buffer.from('bad bytes: '), Buffer.from([0xff, 0xfe, 0xc3, 0x28]), Buffer.from(' end\n')]);
    expect(await logger(['--rfc3164', ...udp()], bytes)).toBe(0);
    const e = await waitFor('the invalid UTF-8 line', () => samples.slice(start).find((s) => String(s.fields.raw).includes('bad bytes')));
    expect(String(e.fields.parse_error)).toMatch(/neither UTF-8 nor GBK/);
    expect(String(e.fields.raw)).toContain('\uFFFD');
    expect(e.tags.device).toBe('lab-sw');
  });

  it('counts what it received', () => {
    expect(rx.stats().received.syslog).toBeGreaterThanOrEqual(LINES.length * 4 + 2);
    expect(eventsOf(samples, 'link-down', 'lab-sw').length).toBeGreaterThanOrEqual(16);
  });
});

describe('listening errors', () => {
  it('a port in use is a clear error at start, and nothing is left listening', async () => {
    const port = rx.addresses.syslogTcp!.port;
    await expect(startTestReceivers({ syslog: { enabled: true, udp: '127.0.0.1:0', tcp: `127.0.0.1:${port}` } }, []))
      .rejects.toThrow(`syslog tcp: 127.0.0.1:${port} is in use by another process`);
    const trapPort = rx.addresses.syslogUdp!.port;
    await expect(startTestReceivers({ traps: { enabled: true, listen: `127.0.0.1:${trapPort}` } }, []))
      .rejects.toThrow(`trap receiver: 127.0.0.1:${trapPort} is in use`);
  });
});

describe('syslog UDP receive buffer', () => {
  it('gets the 4 MiB it asks for when net.core.rmem_max allows it, and says so when the kernel capped it', async () => {
    const rmemMax = Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8').trim());
    const r = await startSyslogReceiver({ udp: { host: '127.0.0.1', port: 0 }, tcp: false, maxMessageBytes: 8192, maxConnections: 1, onMessage: () => {}, onError: () => {} });
    try {
      const buf = r.udpReceiveBuffer!;
      expect(buf.asked).toBe(UDP_RECEIVE_BUFFER_BYTES);
      // Linux sets twice the granted size; the grant is the request capped at rmem_max.
      expect(buf.bytes).toBe(2 * Math.min(UDP_RECEIVE_BUFFER_BYTES, rmemMax));
      expect(buf.capped).toBe(rmemMax < UDP_RECEIVE_BUFFER_BYTES);
    } finally { await r.close(); }
    // A request past the cap is always capped (SO_RCVBUF never exceeds rmem_max), and is reported as such.
    const big = createSocket({ type: 'udp4', recvBufferSize: rmemMax + 65_536 });
    await new Promise<void>((res) => big.bind(0, '127.0.0.1', () => res()));
    try {
      expect(udpBufferState(big, rmemMax + 65_536)).toEqual({ bytes: 2 * rmemMax, asked: rmemMax + 65_536, capped: true });
    } finally { big.close(); }
  });

  it('warns at start only when the kernel capped the buffer', async () => {
    const rmemMax = Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8').trim());
    const t = await startTestReceivers({ syslog: { enabled: true, udp: '127.0.0.1:0', tcp: false } }, []);
    try {
      const capped = t.warnings.filter((w) => w.msg.includes('capped the syslog UDP receive buffer'));
      expect(capped).toHaveLength(rmemMax < UDP_RECEIVE_BUFFER_BYTES ? 1 : 0);
    } finally { await t.rx.stop(); }
  });
});
