/**
 * Scheduled discovery over real agents: it writes config/discovered.yaml (never devices.yaml), announces each new device
 * once, follows LLDP/CDP neighbours' management addresses (never an excluded one), forgets an entry once a person adopted
 * it, and GET /api/v1/discovery shows the outcome to operators.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverySectionSchema, type DiscoverySection } from '../../src/config/sections/discovery.js';
import { createLogger } from '../../src/core/log.js';
import type { Sample } from '../../src/core/sample.js';
import { discoveryProfiles } from '../../src/discovery/index.js';
import { ScheduledDiscovery, type DiscoveryStatus } from '../../src/discovery/schedule.js';
import { repoRoot } from '../../src/lab/paths.js';
import { appOver, bearer } from '../api/memory-noc.js';
import { tempDir } from '../helpers/tmp.js';
import { loopbackBlock, startAgents, transportId } from './agents.js';

const net = loopbackBlock();
const at = (n: number) => `${net}.${n}`;
const tmp = tempDir('noctua-discover-sched-');
const config = join(tmp.dir, 'config');
let sim: Awaited<ReturnType<typeof startAgents>>;
let settings: DiscoverySection;
const published: Sample[] = [];
const inventory: { name: string; address: string }[] = [];
let discovery: ScheduledDiscovery;
const profiles = discoveryProfiles(join(repoRoot, 'config'));

beforeAll(async () => {
  sim = await startAgents([
    { address: at(1), recording: 'cisco-c3560', community: 'lab' },
    { address: at(2), recording: 'huawei-s5720', community: 'lab' },
    { address: at(20), recording: 'sangfor-ad1800-fp2', community: 'lab' },
    { address: at(21), recording: 'paloalto-pa-5000', community: 'lab', untouched: true },
  ]);
  mkdirSync(config);
  const devicesYaml = 'devices:\n  - { name: my-own, address: 10.254.0.1, class: switch }\n';
  writeFileSync(join(config, 'devices.yaml'), devicesYaml);
  writeFileSync(join(config, 'noctua.yaml'), 'discovery:\n  credentials:\n    - { name: lab-ro, version: 2c, community: "${LAB_COMMUNITY}" }\n');
  settings = discoverySectionSchema.parse({
    // The cisco-c3560 recording's CDP neighbours announce 10.1.100.x: followed, they would be pinged for real.
    ranges: [`${net}.0/29`], exclude: [at(21), '10.0.0.0/8'], credentials: [{ name: 'lab-ro', version: '2c', community: 'lab' }], ports: [sim.port],
    followNeighbours: true, interval: '1h', timeoutMs: 1500, retries: 1,
  });
  discovery = new ScheduledDiscovery({
    configDir: config, settings: () => settings, inventory: () => inventory, profiles: () => profiles,
    seeds: () => [{ address: at(20), seenBy: 'core-1' }, { address: at(21), seenBy: 'core-1' }],
    publish: async (x) => { published.push(...x); }, log: createLogger({ level: 'silent' }), instance: 'noctua-test',
  });
}, 120_000);
afterAll(async () => { await discovery?.stop(); await sim?.cleanup(); tmp.cleanup(); });

describe('scheduled discovery', () => {
  it('writes discovered.yaml with the new devices, the neighbour seed among them, and announces them once', async () => {
    const r = await discovery.runNow();
    expect(r.proposed.map((d) => [d.address, d.vendor, d.foundBy]).sort()).toEqual([
      [at(1), 'cisco', `ICMP sweep of ${net}.0/29`], [at(2), 'huawei', `ICMP sweep of ${net}.0/29`], [at(20), 'sangfor', 'LLDP/CDP neighbour of core-1'],
    ]);
    const text = readFileSync(join(config, 'discovered.yaml'), 'utf8');
    expect(text).toContain('community: ${LAB_COMMUNITY}');
    expect(readFileSync(join(config, 'devices.yaml'), 'utf8')).toBe('devices:\n  - { name: my-own, address: 10.254.0.1, class: switch }\n');
    expect(published).toHaveLength(1);
    expect(published[0]!.tags).toMatchObject({ source: 'discovery', type: 'devices-discovered', device: 'noctua-test' });
    expect(published[0]!.fields.message).toMatch(/^3 new devices found: /);
    expect(published[0]!.fields.count).toBe(3n);
  }, 60_000);

  it('never probes an excluded neighbour address', () => {
    const log = readFileSync(sim.logFile, 'utf8');
    expect(log).toContain(`transport ID ${transportId(2)},`);
    expect(log).not.toContain(`transport ID ${transportId(3)},`);
  });

  it('does not announce the same devices again, and keeps them until adopted', async () => {
    const r = await discovery.runNow();
    expect(r.proposed).toEqual([]);
    expect(published).toHaveLength(1);
    expect(discovery.status().kept.map((k) => k.address).sort()).toEqual([at(1), at(2), at(20)].sort());
  }, 60_000);

  it('forgets an entry once a person moved it into the inventory', async () => {
    const first = discovery.status().kept.find((k) => k.address === at(1))!;
    inventory.push(first);
    const r = await discovery.runNow();
    expect(r.known).toEqual([first.name]);
    const text = readFileSync(join(config, 'discovered.yaml'), 'utf8');
    expect(text).not.toContain(`address: ${at(1)}\n`);
    expect(text).toContain(`address: ${at(2)}\n`);
  }, 60_000);

  it('shows the outcome on GET /api/v1/discovery to operators, not viewers', async () => {
    let status: DiscoveryStatus | undefined;
    const { app } = appOver({}, undefined, (s) => { s.discovery = { status: () => (status = discovery.status()), runNow: () => discovery.runNow() }; });
    try {
      expect((await app.inject({ url: '/api/v1/discovery', headers: bearer('viewer') })).statusCode).toBe(403);
      const res = await app.inject({ url: '/api/v1/discovery', headers: bearer('operator') });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.scheduled).toBe(true);
      expect(body.last.known).toEqual([status!.last!.known[0]]);
      expect(body.last.credentialsUsed).toEqual({ 'lab-ro': 3 });
      expect(JSON.stringify(body)).not.toContain('"lab"');
    } finally {
      await app.close();
    }
  });

  it('runs on POST /api/v1/discovery/run as a job whose progress GET shows until it ends', async () => {
    // Slow enough (5 packets/s for the sweep and the probes) that the run is seen in progress.
    settings = { ...settings, rate: 5 };
    const { app } = appOver({}, undefined, (s) => { s.discovery = { status: () => discovery.status(), runNow: () => discovery.runNow() }; });
    try {
      const before = discovery.status().last!.finishedAt;
      const started = await app.inject({ method: 'POST', url: '/api/v1/discovery/run', headers: bearer('operator') });
      expect(started.statusCode).toBe(202);
      const seen: { round: number; addresses: number; answered: number; probed: number }[] = [];
      const deadline = Date.now() + 60_000;
      let body = started.json();
      while (Date.now() < deadline) {
        if (body.progress) seen.push(body.progress);
        if (!body.running && body.last?.finishedAt !== before) break;
        await new Promise((r) => setTimeout(r, 25));
        body = (await app.inject({ url: '/api/v1/discovery', headers: bearer('operator') })).json();
      }
      expect(body.running).toBe(false);
      expect(body.progress).toBeUndefined();
      expect(body.last.finishedAt).not.toBe(before);
      expect(seen.length).toBeGreaterThan(0);
      // The /29's six addresses in round 0; counts only grow; every host that answered was probed by the end.
      expect(seen[0]!.addresses).toBeGreaterThanOrEqual(6);
      for (let i = 1; i < seen.length; i++) {
        expect(seen[i]!.answered).toBeGreaterThanOrEqual(seen[i - 1]!.answered);
        expect(seen[i]!.probed).toBeGreaterThanOrEqual(seen[i - 1]!.probed);
      }
      expect(seen.some((p) => p.answered > 0 && p.probed < p.answered)).toBe(true);
    } finally {
      await app.close();
    }
  }, 90_000);
});
