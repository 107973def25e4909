/**
 * Discovery against real agents: one snmpsimd answering several shared recordings, each on its own loopback
 * address of a /28, a host that knows only another community, an excluded address that holds an agent (and must
 * never see a packet), a device already in the inventory and one that moved; every other address answers ping only
 * (the kernel owns 127/8).
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverySectionSchema } from '../../src/config/sections/discovery.js';
import { loadFullConfig } from '../../src/config-check/load.js';
import { main } from '../../src/cli/main.js';
import { discoveryProfiles, runDiscovery, type DiscoveryResult } from '../../src/discovery/index.js';
import { repoRoot } from '../../src/lab/paths.js';
import { tempDir } from '../helpers/tmp.js';
import { loopbackBlock, startAgents, transportId, type AgentSpec } from './agents.js';

const net = loopbackBlock();
const at = (n: number) => `${net}.${n}`;
const AGENTS: AgentSpec[] = [
  { address: at(1), recording: 'cisco-c3560', community: 'lab' },
  { address: at(2), recording: 'huawei-s5720', community: 'lab' },
  { address: at(3), recording: 'topsec-ngfw4000-uf', community: 'lab' },
  { address: at(4), recording: 'eaton-93e-80', community: 'lab' },
  { address: at(5), recording: 'h3c-e528-2', community: 'only-this-one' },
  { address: at(6), recording: 'juniper-mx960-12-3r6-6', community: 'lab', untouched: true },
  { address: at(7), recording: 'ruijie-s5750-24gt12sfp', community: 'lab' },
  { address: at(8), recording: 'dlink-des3038', community: 'lab' },
];
const EXCLUDED = 5; // index of at(6) in AGENTS
const tmp = tempDir('noctua-discover-');
let sim: Awaited<ReturnType<typeof startAgents>>;
let result: DiscoveryResult;
let dlinkSysName: string;
const env = { DISCOVERY_LAB_COMMUNITY: 'lab', DISCOVERY_WRONG_COMMUNITY: 'public' };

function configDir(port: number): string {
  const dir = join(tmp.dir, 'config');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'noctua.yaml'), [
    'discovery:',
    `  ranges: [${net}.0/28]`,
    `  exclude: [${at(6)}]`,
    '  credentials:',
    '    - { name: guess-public, version: 2c, community: "${DISCOVERY_WRONG_COMMUNITY}" }',
    '    - { name: lab-ro, version: 2c, community: "${DISCOVERY_LAB_COMMUNITY}" }',
    `  ports: [${port}]`,
    '  timeoutMs: 1500',
    '  retries: 1',
    '  rate: 400',
    '',
  ].join('\n'));
  writeFileSync(join(dir, 'devices.yaml'), [
    'devices:',
    `  - { name: known-ruijie, address: ${at(7)}, class: switch, snmp: false }`,
    `  - { name: ${dlinkSysName}, address: 10.254.0.8, class: switch, snmp: false }`,
    '',
  ].join('\n'));
  return dir;
}

beforeAll(async () => {
  // The CLI reads the environment of the process, as it does for a person.
  Object.assign(process.env, env);
  sim = await startAgents(AGENTS);
  const dlink = JSON.parse(readFileSync(join(repoRoot, '..', 'shared', 'fixtures', 'expected', 'dlink-des3038.json'), 'utf8')) as { sysName: string };
  dlinkSysName = dlink.sysName;
  const dir = configDir(sim.port);
  const cfg = loadFullConfig(dir, env);
  result = await runDiscovery({
    settings: cfg.settings.discovery, profiles: discoveryProfiles(dir),
    inventory: cfg.devices.map((d) => ({ name: d.name, address: d.address })),
  }, AbortSignal.timeout(120_000));
}, 180_000);
afterAll(async () => {
  for (const k of Object.keys(env)) delete process.env[k];
  await sim?.cleanup();
  tmp.cleanup();
});

describe('discovery of a /28 of loopback agents', () => {
  it('sweeps every address but the excluded one, and all of them answer ping', () => {
    expect(result.swept).toBe(13);
    expect(result.alive).toBe(13);
    expect(result.echoesSent).toBeGreaterThanOrEqual(13);
  });

  it('proposes the new agents with the vendor and class their recordings name', () => {
    const byAddress = new Map(result.proposed.map((d) => [d.address, d]));
    const expected: Record<string, [string, string]> = { [at(1)]: ['cisco', 'switch'], [at(2)]: ['huawei', 'switch'], [at(3)]: ['topsec', 'firewall'], [at(4)]: ['eaton', 'ups'] };
    expect([...byAddress.keys()].sort()).toEqual(Object.keys(expected).sort());
    for (const [address, [vendor, cls]] of Object.entries(expected)) {
      const d = byAddress.get(address)!;
      expect({ address, vendor: d.vendor, class: d.class }).toEqual({ address, vendor, class: cls });
      expect(d.credential).toBe('lab-ro');
      expect(d.foundBy).toBe(`ICMP sweep of ${net}.0/28`);
      expect(d.name).toMatch(/^[^\s,="]+$/);
    }
    expect(result.credentialsUsed).toEqual({ 'lab-ro': 6 });
  });

  it('reports the host that knows only another community as SNMP not answering with any credential', () => {
    const h = result.icmpOnly.find((x) => x.address === at(5));
    expect(h?.reason).toMatch(/^SNMP did not answer with any credential \(2 tried: guess-public, lab-ro; last: timeout\)/);
  });

  it('keeps hosts that answer ping only as ICMP-only candidates', () => {
    expect(result.icmpOnly.map((h) => h.address).sort()).toEqual([5, 9, 10, 11, 12, 13, 14].map(at).sort());
  });

  it('knows the inventory device at its address and finds the one that moved by its sysName', () => {
    expect(result.known).toEqual(['known-ruijie']);
    expect(result.moved).toEqual([{ device: dlinkSysName, from: '10.254.0.8', to: at(8), matchedBy: 'sysName' }]);
  });

  it('never sent the excluded agent a packet (snmpsimd logged no request on its endpoint)', () => {
    const log = readFileSync(sim.logFile, 'utf8');
    // Every request snmpsimd takes is logged with the endpoint's transport ID; the other agents' are there.
    expect(log).toContain(`transport ID ${transportId(0)},`);
    expect(log).toContain(`transport ID ${transportId(4)},`);
    expect(log).not.toContain(`transport ID ${transportId(EXCLUDED)},`);
  });
});

describe('noctua discover --write', () => {
  it('writes a devices file the inventory loader accepts as devices.yaml, secrets by reference', async () => {
    const out = join(tmp.dir, 'discovered.yaml');
    const code = await main(['discover', '--config', join(tmp.dir, 'config'), '--write', out, `${net}.1-4`]);
    expect(code).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text).toContain('community: ${DISCOVERY_LAB_COMMUNITY}');
    expect(text).not.toMatch(/community: "?lab"?\s*$/m);
    expect(text).toMatch(/# found \d{4}-\d\d-\d\d by ICMP sweep of .*credential "lab-ro"/);
    const adopt = join(tmp.dir, 'adopt');
    mkdirSync(adopt);
    writeFileSync(join(adopt, 'devices.yaml'), text);
    const cfg = loadFullConfig(adopt, env);
    expect(cfg.devices.map((d) => d.address).sort()).toEqual([1, 2, 3, 4].map(at).sort());
    expect(cfg.devices.every((d) => d.snmp !== false && d.snmp.community === 'lab' && d.snmp.port === sim.port)).toBe(true);
  }, 60_000);

  it('refuses to overwrite a file discovery did not write', async () => {
    const own = join(tmp.dir, 'config', 'devices.yaml');
    const before = readFileSync(own, 'utf8');
    // A usage error (exit 2), found before a single packet is sent.
    await expect(main(['discover', '--config', join(tmp.dir, 'config'), '--write', own, at(1)])).resolves.toBe(2);
    expect(readFileSync(own, 'utf8')).toBe(before);
  }, 60_000);

  it('refuses a range larger than a /16, naming the field', () => {
    const r = discoverySectionSchema.safeParse({ ranges: ['10.0.0.0/15'] });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path).toEqual(['ranges', 0]);
    expect(r.error!.issues[0]!.message).toMatch(/at most 65,536 addresses \(a \/16\) per range, got 131,072/);
  });
});
