/**
 * Discovery over a namespace subnet of real snmpd agents (issue 19's discovery test): agents that answer, one that
 * knows another community, hosts that answer ping only, a silent address, an excluded agent and one outside every
 * range (neither may get a packet), and a chain of LLDP neighbours outside the /28 for --follow-neighbours. The
 * namespace's own kernel counters show what arrived and when: never more than the rate in any second.
 */
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { loadFullConfig } from '../../src/config-check/load.js';
import { discoveryProfiles, runDiscovery, type DiscoveryResult } from '../../src/discovery/index.js';
import { netnsUnavailableReason } from '../../src/lab/netns.js';
import { tempDir } from '../helpers/tmp.js';
import { startLan, type Lan } from './netns-lan.js';

const unavailable = netnsUnavailableReason();
const tmp = tempDir('noctua-discover-lan-');
const config = join(tmp.dir, 'config');
const RATE = 20;
/** Hosts of the /28 that answer ping and not SNMP (an address without an agent): enough packets arrive to meet the rate. */
const PING_ONLY = [20, 23, 24, 25, 26, 27, 28, 29, 30];
const HUAWEI = { sysObjectID: '1.3.6.1.4.1.2011.2.23.339', sysDescr: 'Huawei Versatile Routing Platform Software VRP (R) software, Version 5.170 (S5720 V200R011C10SPC500)' };
const env = { DISC_LAN_COMMUNITY: 'lab-secret-1', DISC_GUESS: 'public' };
let lan: Lan;
let result: DiscoveryResult;
/** Counter samples taken while the first run ran: [ms since start, packets arrived in the LAN namespace]. */
const samples: [number, number][] = [];
const DEVICES = (lanNet: string) => [
  '# The operator\'s inventory: comments, blank lines and flow entries stay as they are.',
  'sites:',
  '  - { name: lab, description: the test LAN }',
  '  - { name: lab-far }',
  '',
  'devices:',
  '  # a server somebody added by hand',
  `  - { name: srv-by-hand, address: ${lanNet}.18, class: server, site: lab }   # keep this comment`,
  '  - name: elsewhere',
  '    address: 10.254.9.9',
  '    class: switch',
  '    snmp: false',
  '# the end',
  '',
].join('\n');

beforeAll(async () => {
  if (unavailable) return;
  Object.assign(process.env, env);
  mkdirSync(config, { recursive: true });
  lan = await startLan(tmp.dir, [
    { host: 17, community: env.DISC_LAN_COMMUNITY, sysName: 'disc-core', ...HUAWEI, announces: [33, 22] },
    { host: 18, community: env.DISC_LAN_COMMUNITY, sysName: 'disc-srv' },
    { host: 19, community: 'only-its-own', sysName: 'disc-other' },
    { host: 33, community: env.DISC_LAN_COMMUNITY, sysName: 'disc-b', announces: [34, 17] },
    { host: 34, community: env.DISC_LAN_COMMUNITY, sysName: 'disc-c', announces: [35] },
    { host: 35, community: env.DISC_LAN_COMMUNITY, sysName: 'disc-d' },
    { host: 22, community: env.DISC_LAN_COMMUNITY, sysName: 'disc-excluded', unreachable: true },
    { host: 40, community: env.DISC_LAN_COMMUNITY, sysName: 'disc-outside', unreachable: true },
  ], PING_ONLY);
  writeFileSync(join(config, 'noctua.yaml'), [
    'discovery:',
    `  ranges: [${lan.net}.16/28]`,
    `  exclude: [${lan.at(22)}]`,
    '  credentials:',
    '    - { name: guess, version: 2c, community: "${DISC_GUESS}" }',
    '    - { name: lan-ro, version: 2c, community: "${DISC_LAN_COMMUNITY}" }',
    `  sites: [{ cidr: ${lan.net}.0/24, site: lab }, { cidr: ${lan.net}.32/29, site: lab-far }]`,
    '  timeoutMs: 500',
    '  retries: 1',
    '',
  ].join('\n'));
  writeFileSync(join(config, 'devices.yaml'), DEVICES(lan.net));
  const cfg = loadFullConfig(config, process.env);
  const t0 = performance.now();
  const poll = setInterval(() => samples.push([performance.now() - t0, lan.arrived('lan')]), 50);
  samples.push([0, lan.arrived('lan')]);
  try {
    result = await runDiscovery({
      settings: { ...cfg.settings.discovery, rate: RATE }, profiles: discoveryProfiles(config),
      inventory: cfg.devices.map((d) => ({ name: d.name, address: d.address })),
    }, AbortSignal.timeout(120_000));
  } finally {
    clearInterval(poll);
    samples.push([performance.now() - t0, lan.arrived('lan')]);
  }
}, 180_000);
afterAll(async () => {
  for (const k of Object.keys(env)) delete process.env[k];
  await lan?.stop();
  tmp.cleanup();
});

/** Runs the CLI, returning its exit code and what it wrote to stderr. */
async function cli(args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => { stderr += String(chunk); return true; });
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    return { code: await main(args), stderr };
  } finally {
    spy.mockRestore();
    out.mockRestore();
  }
}

describe.skipIf(unavailable !== undefined)('discovery of a namespace LAN of snmpd agents', () => {
  it('proposes the agents that answer, with vendor, class and the site of the most specific prefix', () => {
    expect(result.proposed.map((d) => [d.address, d.name, d.vendor, d.class, d.site, d.credential])).toEqual([
      [lan.at(17), 'disc-core', 'huawei', 'switch', 'lab', 'lan-ro'],
    ]);
    expect(result.known).toEqual(['srv-by-hand']);
    expect(result.credentialsUsed).toEqual({ 'lan-ro': 2 });
  });

  it('keeps the agent with another community and the ping-only host as ICMP-only candidates', () => {
    expect(result.icmpOnly.map((h) => h.address)).toEqual([19, ...PING_ONLY].map((h) => lan.at(h)));
    expect(result.icmpOnly[0]!.reason).toMatch(/^SNMP did not answer with any credential \(2 tried: guess, lan-ro; last: timeout\)/);
  });

  it('swept the /28 less the excluded address; the silent one did not answer', () => {
    expect(result.swept).toBe(13);
    expect(result.alive).toBe(12);
    // One echo to each of the 12 live hosts, 1 + retries to the silent one.
    expect(result.echoesSent).toBe(12 + 2);
  });

  it('sent nothing outside the /28 and nothing to the excluded agent', () => {
    for (const h of [22, 33, 34, 35, 40]) expect({ host: h, requests: lan.requests(h) }).toEqual({ host: h, requests: 0 });
    expect(lan.arrived('out')).toBe(0);
    // The agent with another community heard both credentials (each once and its retry).
    expect(lan.requests(19)).toBe(4);
  });

  it(`never let more than ${RATE} packets a second into the LAN (kernel counters, sampled every 50 ms)`, () => {
    const arrived = samples[samples.length - 1]![1] - samples[0]![1];
    // Everything that arrived was counted by the run itself (the silent address's echoes never arrive).
    expect(arrived).toBeGreaterThan(50);
    expect(arrived).toBeLessThanOrEqual(result.echoesSent + result.snmpPackets);
    let worst = 0;
    for (let i = 0; i < samples.length; i++) {
      for (let j = i + 1; j < samples.length && samples[j]![0] - samples[i]![0] <= 1000; j++) worst = Math.max(worst, samples[j]![1] - samples[i]![1]);
    }
    // The rate, plus the one request (and its retry) a one-second window can catch at its edge; and the run did
    // come near it (the check measures something).
    expect(worst).toBeLessThanOrEqual(RATE + 3);
    expect(worst).toBeGreaterThanOrEqual(RATE / 2);
  });
});

describe.skipIf(unavailable !== undefined)('noctua discover --follow-neighbours --merge on the LAN', () => {
  it('prints the diff of a dry run and leaves the file as it was', async () => {
    const devices = join(config, 'devices.yaml');
    const before = readFileSync(devices, 'utf8');
    const r = await cli(['discover', '--config', config, '--merge', devices, '--dry-run']);
    expect(r.code).toBe(0);
    expect(readFileSync(devices, 'utf8')).toBe(before);
    expect(r.stderr).toContain(`+  - name: disc-core\n+    address: ${lan.at(17)}\n+    class: switch\n+    site: lab\n`);
    expect(r.stderr).toContain('+      community: ${DISC_LAN_COMMUNITY}');
    expect(r.stderr).toMatch(/would add 1 device entry \(dry run: nothing written\)/);
  }, 60_000);

  it('follows LLDP neighbours two hops out (never the excluded one), merges them, and check-config accepts the file', async () => {
    const devices = join(config, 'devices.yaml');
    chmodSync(devices, 0o604);
    const before = readFileSync(devices, 'utf8');
    const creds = join(tmp.dir, 'creds.yaml');
    writeFileSync(creds, '- { name: from-file, version: 2c, community: "${DISC_LAN_COMMUNITY}" }\n');
    const r = await cli(['discover', '--config', config, '--credentials', creds, '--follow-neighbours', '--depth', '2', '--merge', devices]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`> ${lan.at(33)} followed: neighbour of disc-core, 1 hop out, outside the ranges given`);
    expect(r.stderr).toContain(`> ${lan.at(34)} followed: neighbour of disc-b, 2 hops out, outside the ranges given`);
    // Three hops out is past --depth 2; the excluded address announced by disc-core is never followed.
    expect(r.stderr).not.toContain(`> ${lan.at(35)}`);
    expect(r.stderr).not.toContain(`> ${lan.at(22)}`);
    expect(lan.requests(35)).toBe(0);
    expect(lan.requests(22)).toBe(0);
    expect(lan.arrived('out')).toBe(0);
    const after = readFileSync(devices, 'utf8');
    // Appended after the last entry: everything before it, comments and the flow entry included, byte for byte.
    const cut = before.indexOf('# the end');
    expect(after.startsWith(before.slice(0, cut))).toBe(true);
    expect(after.endsWith('# the end\n')).toBe(true);
    expect(statSync(devices).mode & 0o777).toBe(0o604);
    expect(after).toContain('LLDP/CDP neighbour of disc-b (2 hops out)');
    const cfg = loadFullConfig(config, process.env);
    expect(cfg.devices.map((d) => [d.name, d.address, d.site])).toEqual([
      ['srv-by-hand', lan.at(18), 'lab'], ['elsewhere', '10.254.9.9', 'default'],
      ['disc-core', lan.at(17), 'lab'], ['disc-b', lan.at(33), 'lab-far'], ['disc-c', lan.at(34), 'lab-far'],
    ]);
    expect(cfg.devices.slice(2).every((d) => d.snmp !== false && d.snmp.community === env.DISC_LAN_COMMUNITY)).toBe(true);
    await expect(main(['check-config', '--config', config])).resolves.toBe(0);
  }, 90_000);

  it('a second merge adds nothing: every address is in the file now', async () => {
    const devices = join(config, 'devices.yaml');
    const before = readFileSync(devices, 'utf8');
    const r = await cli(['discover', '--config', config, '--merge', devices]);
    expect(r.code).toBe(0);
    expect(readFileSync(devices, 'utf8')).toBe(before);
    expect(r.stderr).toMatch(/added 0 device entries/);
  }, 60_000);
});
