import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseIpv4Range } from '../../src/config/sections/discovery.js';
import { loadConfig } from '../../src/config/loader.js';
import { ConfigInvalidError } from '../../src/config/yaml-source.js';
import { sortAgainstInventory } from '../../src/discovery/dedupe.js';
import { Pacer } from '../../src/discovery/pacer.js';
import { expandTargets, parseRanges } from '../../src/discovery/ranges.js';
import { passArgs, sentinelFor, sweepArgs } from '../../src/discovery/sweep.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir('noctua-discover-cfg-');
afterAll(() => tmp.cleanup());

describe('discovery ranges', () => {
  it.each([
    ['10.1.0.0/24', { first: 167837696, last: 167837951 }],
    ['10.1.0.77/30', { first: 167837772, last: 167837775 }],
    ['10.1.0.10-10.1.0.20', { first: 167837706, last: 167837716 }],
    ['10.1.0.10-20', { first: 167837706, last: 167837716 }],
    ['10.1.0.9', { first: 167837705, last: 167837705 }],
  ])('reads %s', (text, range) => { expect(parseIpv4Range(text)).toEqual(range); });

  it.each([
    ['10.0.0.0/15', /at most 65,536 addresses \(a \/16\) per range, got 131,072/],
    ['10.1.0.300/24', /expected an IPv4 CIDR/],
    ['10.1.0.20-10.1.0.10', /first address before its last/],
    ['fd00::/64', /expected an IPv4 address, CIDR/],
    ['10.0.0.0-10.2.0.0', /at most 65,536/],
  ])('refuses %s', (text, message) => { expect(parseIpv4Range(text)).toMatch(message); });

  it('leaves out network, broadcast, duplicates and excluded addresses', () => {
    const targets = expandTargets(parseRanges(['10.1.0.0/29', '10.1.0.5-10.1.0.9'], 'range'), parseRanges(['10.1.0.2', '10.1.0.8-9'], 'exclude', false));
    expect(targets).toEqual(['10.1.0.1', '10.1.0.3', '10.1.0.4', '10.1.0.5', '10.1.0.6', '10.1.0.7']);
  });
});

describe('the discovery section in noctua.yaml', () => {
  it('names the file, line and field of a range that is too large, and never prints a refused community', () => {
    const dir = join(tmp.dir, 'bad');
    mkdirSync(dir);
    writeFileSync(join(dir, 'devices.yaml'), 'devices: []\n');
    writeFileSync(join(dir, 'noctua.yaml'), [
      'discovery:',
      '  ranges:',
      '    - 10.1.0.0/24',
      '    - 10.0.0.0/8',
      '  credentials:',
      '    - { name: ro, version: 2c, community: "" }',
      '    - { name: v3, version: 3, user: noc, securityLevel: authPriv, authProtocol: sha, authKey: "longenough1" }',
      '  rate: 0',
      '',
    ].join('\n'));
    let err: unknown;
    try { loadConfig(dir, {}); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(ConfigInvalidError);
    const lines = (err as ConfigInvalidError).errors.map((e) => `${e.file.split('/').pop()}:${e.line} ${e.path}: ${e.message}`);
    expect(lines).toEqual(expect.arrayContaining([
      expect.stringMatching(/^noctua\.yaml:4 discovery\.ranges\[1\]: expected at most 65,536 addresses \(a \/16\) per range, got 16,777,216/),
      expect.stringMatching(/^noctua\.yaml:6 discovery\.credentials\[0\]\.community: expected a community of at least one character/),
      expect.stringMatching(/^noctua\.yaml:7 discovery\.credentials\[1\]\.privProtocol: required for securityLevel authPriv/),
      expect.stringMatching(/^noctua\.yaml:8 discovery\.rate: /),
    ]));
    expect((err as Error).message).not.toContain('longenough1');
  });

  it('is off by default: no ranges, no credentials, no interval', () => {
    const dir = join(tmp.dir, 'empty');
    mkdirSync(dir);
    writeFileSync(join(dir, 'devices.yaml'), 'devices: []\n');
    const cfg = loadConfig(dir, {});
    expect(cfg.settings.discovery).toMatchObject({ ranges: [], credentials: [], ports: [161], followNeighbours: false, rate: 200 });
    expect(cfg.settings.discovery.interval).toBeUndefined();
  });
});

describe('the pacer', () => {
  it('lets no more than rate packets out per second, on a fake clock', async () => {
    let t = 0;
    const sends: number[] = [];
    const pacer = new Pacer(10, () => t, async (ms) => { t += ms; });
    for (let i = 0; i < 35; i++) { await pacer.take(1); sends.push(t); }
    expect(pacer.sent).toBe(35);
    // In any window of one second at most 10 (+1 for the boundary) packets left.
    for (let i = 0; i < sends.length; i++) expect(sends.filter((x) => x >= sends[i]! && x < sends[i]! + 1000).length).toBeLessThanOrEqual(11);
    expect(t).toBeGreaterThanOrEqual(3300);
  });

  it('paces fping under the same rate: its gap between any two packets is 1.1 × 1000/rate ms (fping overshoots the exact gap)', () => {
    const args = sweepArgs({ rate: 200, timeoutMs: 500, retries: 1 });
    expect(args[args.indexOf('-i') + 1]).toBe('5.50');
    expect(args).toEqual(expect.arrayContaining(['-a', '-s', '-r', '1', '-t', '500']));
    // Discovery's own passes: one echo per target, the timeout backed off by 1.5 per pass.
    const second = passArgs({ rate: 200, timeoutMs: 500, retries: 1 }, 1);
    expect(second).toEqual(expect.arrayContaining(['-r', '0', '-t', '750', '-i', '5.50']));
  });

  it('charges a self-paced sender at once, and holds the packets queued behind it until it has sent its last', async () => {
    let t = 0;
    const pacer = new Pacer(10, () => t, async (ms) => { t += ms; });
    let lastSent!: () => void;
    await pacer.spread(20, new Promise<void>((resolve) => { lastSent = resolve; }));
    // The spread took one packet's worth to start, then 20 tokens at once.
    expect(t).toBe(0);
    let took = false;
    const next = pacer.take(1).then(() => { took = true; });
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    // The sender has not said it is done: nothing behind it goes, whatever the clock.
    expect(took).toBe(false);
    lastSent();
    await next;
    // ... and then only once its 20 packets' time has passed (~2 s at 10/s).
    expect(t).toBeGreaterThanOrEqual(1900);
    expect(pacer.sent).toBe(1);
  });

  it('pings a loopback sentinel after the targets, never one of them', () => {
    expect(sentinelFor(new Set(['10.0.0.1']))).toBe('127.0.0.1');
    expect(sentinelFor(new Set(['127.0.0.1', '127.0.0.2']))).toBe('127.0.0.3');
  });
});

describe('sorting against the inventory', () => {
  const snmp = (sysName: string, chassisId?: string) => ({
    credential: 'ro', port: 161, sysName, sysDescr: '', sysObjectID: '1.3.6.1.4.1.9.1.1', vendor: 'cisco', vendorName: 'Cisco', class: 'switch' as const, vendorSource: 'profile',
    ...(chassisId ? { chassisId } : {}),
  });
  it('finds moved devices by chassis id before sysName, names new ones uniquely and safely', () => {
    const sorted = sortAgainstInventory([
      { address: '10.0.0.1', snmp: snmp('whatever', 'AA:BB') },
      { address: '10.0.0.2', snmp: snmp('edge-1') },
      { address: '10.0.0.3', snmp: snmp('core 1 "evil"\n# x') },
      { address: '10.0.0.4', snmp: snmp('core-1-evil-x') },
      { address: '10.0.0.5', snmp: snmp('') },
      { address: '10.0.0.9', reason: 'SNMP did not answer with any credential' },
      { address: '10.0.0.7', reason: 'x' },
    ], [
      { name: 'core-sw', address: '10.9.0.1', chassisId: 'aa:bb' },
      { name: 'edge-1', address: '10.9.0.2' },
      { name: 'printer', address: '10.0.0.7' },
    ], () => 'sweep');
    expect(sorted.moved).toEqual([
      { device: 'core-sw', from: '10.9.0.1', to: '10.0.0.1', matchedBy: 'chassisId' },
      { device: 'edge-1', from: '10.9.0.2', to: '10.0.0.2', matchedBy: 'sysName' },
    ]);
    expect(sorted.proposed.map((d) => d.name)).toEqual(['core-1-evil-x', 'core-1-evil-x-2', 'host-10-0-0-5']);
    expect(sorted.known).toEqual(['printer']);
    expect(sorted.icmpOnly.map((h) => h.address)).toEqual(['10.0.0.9']);
  });
});
