import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';
import { device, startTestReceivers, waitFor } from './helpers.js';
import type { Sample } from '../../src/core/sample.js';
import type { EventReceivers } from '../../src/events/receivers.js';

// A real rsyslogd (Debian `rsyslog`) with its own config in a temp dir: it takes syslog on a UDP port and
// forwards over TCP with octet counting in RFC 5424 form to the receiver, as a site relay would.
// The relay is 127.0.0.1; the originating host (this machine's name, passed on in HOSTNAME) is the inventory device.
const tmp = tempDir('noctua-rsyslog-');
let rx: EventReceivers;
let samples: Sample[];
let rsyslogd: ChildProcess | undefined;
let inPort = 0;
const origin = hostname();

async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function logger(line: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn('logger', ['--server', '127.0.0.1', '--udp', '--port', String(inPort), '--rfc3164', '-t', 'dev'], { env: { ...process.env, TZ: 'Asia/Shanghai' } });
    child.on('close', (code) => resolve(code ?? 1));
    child.stdin.end(line + '\n');
  });
}

beforeAll(async () => {
  ({ rx, samples } = await startTestReceivers({ syslog: { enabled: true, udp: false, tcp: '127.0.0.1:0' }, storm: { window: '1m', threshold: 100 } },
    [device(origin, '127.0.0.50'), device('relay', '127.0.0.1', 'server')], () => 'Asia/Shanghai'));
  inPort = await freeUdpPort();
  const conf = join(tmp.dir, 'rsyslog.conf');
  writeFileSync(conf, [
    `global(workDirectory="${tmp.dir}")`,
    'module(load="imudp")',
    `input(type="imudp" address="127.0.0.1" port="${inPort}")`,
    `*.* action(type="omfwd" target="127.0.0.1" port="${rx.addresses.syslogTcp!.port}" protocol="tcp" TCP_Framing="octet-counted" template="RSYSLOG_SyslogProtocol23Format")`,
    '',
  ].join('\n'));
  rsyslogd = spawn('rsyslogd', ['-n', '-f', conf, '-i', join(tmp.dir, 'rsyslogd.pid')], {
    // A relay that rewrites to RFC 5424 stamps zone-less device times in its own zone: it runs in the site's zone.
    stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, TZ: 'Asia/Shanghai' },
  });
  // Ready when a probe sent through it arrives (polled: rsyslogd binds and connects on its own time).
  const until = Date.now() + 15_000;
  while (!samples.some((s) => String(s.fields.raw).includes('probe'))) {
    if (Date.now() > until || rsyslogd.exitCode !== null) throw new Error(`rsyslogd did not relay (exit ${rsyslogd.exitCode})`);
    await logger('probe');
    await new Promise((r) => setTimeout(r, 200));
  }
}, 30_000);

afterAll(async () => {
  if (rsyslogd && rsyslogd.exitCode === null) {
    rsyslogd.kill('SIGTERM');
    await new Promise((r) => rsyslogd!.once('exit', r));
  }
  await rx?.stop();
  tmp.cleanup();
});

describe('through a real rsyslogd relay (TCP, octet-counted RFC 5424)', () => {
  const lines: [string, string, string][] = [
    ['%%01IFNET/4/LINK_STATE(l)[0]:The line protocol IP on the interface GigabitEthernet0/0/8 has entered the UP state.', 'link-up', 'GigabitEthernet0/0/8'],
    ['%LINEPROTO-5-UPDOWN: Line protocol on Interface GigabitEthernet0/9, changed state to down', 'link-down', 'GigabitEthernet0/9'],
    ['%LINK-5-CHANGED: Interface GigabitEthernet 0/10, changed state to down.', 'link-down', 'GigabitEthernet 0/10'],
  ];
  it.each(lines)('%s', async (line, type, ifName) => {
    expect(await logger(line)).toBe(0);
    const e = await waitFor(`${type} on ${ifName}`, () => samples.find((s) => s.tags.ifName === ifName));
    // The relay is 127.0.0.1; the device is the originating host rsyslog passed on.
    expect(e.tags).toMatchObject({ device: origin, type, source: 'syslog' });
    expect(e.fields.from).toBe('127.0.0.1');
    expect(e.fields.parse_error).toBeUndefined();
    expect(Math.abs(e.time.getTime() - Date.now())).toBeLessThan(10_000);
  });
});
