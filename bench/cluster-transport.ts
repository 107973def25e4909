/**
 * Measures what the cluster costs per device poll, for the capacity plan in docs/SCALE.md:
 * samples and bytes per SNMP poll of the shared recordings, counter state per device, Redis Stream
 * append and consume rates with those payloads, lease renewal and rendezvous split costs.
 * Run: `npx tsx bench/cluster-transport.ts` (starts its own redis-server and snmpsimd on loopback). A measurement of
 * parts, not a test, and not a section of `npm run bench` (the `cluster` section measures whole processes).
 */
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { decodeBatch, encodeBatch } from '../src/cluster/batch-codec.js';
import { ClusterKeys } from '../src/cluster/keys.js';
import { RedisLeaseStore } from '../src/cluster/lease.js';
import { rendezvousSplit } from '../src/cluster/rendezvous.js';
import { StreamConsumer } from '../src/cluster/stream-consumer.js';
import type { Device } from '../src/config/inventory-schema.js';
import { loadConfig } from '../src/config/loader.js';
import { createLogger } from '../src/core/log.js';
import { labAddress, labInventoryYaml, readFixtures } from '../src/lab/inventory.js';
import { fixturesDir, repoRoot } from '../src/lab/paths.js';
import { parseAlertRules } from '../src/alerting/rules.js';
import { startRedis } from '../src/lab/redis.js';
import { startSnmpsim } from '../src/lab/snmpsim.js';
import { createSnmpPoller } from '../src/pollers/snmp/index.js';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gunzipSync, gzipSync } from 'node:zlib';

const log = createLogger({ level: 'fatal' });
const tmp = { dir: mkdtempSync(join(tmpdir(), 'noctua-measure-')), cleanup: () => rmSync(tmp.dir, { recursive: true, force: true }) };
const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;
async function redisCpuMs(r: Redis): Promise<number> {
  const info = await r.info('cpu');
  const get = (k: string) => Number(new RegExp(`${k}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return (get('used_cpu_sys') + get('used_cpu_user')) * 1000;
}

const fixtures = fixturesDir();
const facts = readFixtures(fixtures);
const [redisInst, sim] = await Promise.all([
  startRedis({ dir: join(tmp.dir, 'redis') }),
  startSnmpsim({ dataDir: join(fixtures, 'snmprec'), workDir: tmp.dir, probeCommunity: facts[0]!.community, addresses: facts.map((_, i) => labAddress(i)) }),
]);
try {
  const cfgDir = join(tmp.dir, 'config');
  mkdirSync(cfgDir);
  writeFileSync(join(cfgDir, 'devices.yaml'), labInventoryYaml(facts, sim.port));
  writeFileSync(join(cfgDir, 'noctua.yaml'), 'stateDir: ' + join(tmp.dir, 'state') + '\n');
  const devices: Device[] = loadConfig(cfgDir).devices.filter((d) => d.snmp !== false);
  // 1. What an SNMP poll of each recording produces, on its second poll (with rates).
  const snmp = createSnmpPoller({ log });
  const payloads: string[] = [];
  let samples = 0;
  let stateBytes = 0;
  let stateGz = 0;
  let pollCpu = 0;
  for (const d of devices) {
    await snmp.poll(d, AbortSignal.timeout(10_000));
    const u = process.cpuUsage();
    const r = await snmp.poll(d, AbortSignal.timeout(10_000));
    pollCpu += cpuMs(process.cpuUsage(u));
    samples += r.samples.length;
    payloads.push(encodeBatch({ id: `poller-01:abcd1234:${payloads.length}`, samples: r.samples }));
    stateBytes += JSON.stringify(snmp.exportCounterState(d.name) ?? {}).length;
    stateGz += gzipSync(JSON.stringify(snmp.exportCounterState(d.name) ?? {})).length;
  }
  await snmp.close();
  const gz = payloads.reduce((n, p) => n + Buffer.byteLength(p), 0);
  const jsonBytes = payloads.reduce((n, p) => n + gunzipSync(Buffer.from(p.split(' ')[2]!, 'base64')).length, 0);
  const encCpu = (() => { const u = process.cpuUsage(); for (let k = 0; k < 5; k++) for (const p of payloads) encodeBatch(decodeBatch(p)); return cpuMs(process.cpuUsage(u)) / 5 / payloads.length; })();
  console.log(`SNMP polls of ${devices.length} recordings: ${(samples / devices.length).toFixed(1)} samples and ${(jsonBytes / devices.length / 1024).toFixed(1)} KiB JSON per device poll (${(gz / devices.length / 1024).toFixed(1)} KiB on the wire, gzip+base64; encode+decode ${encCpu.toFixed(2)} ms); poller CPU ${(pollCpu / devices.length).toFixed(1)} ms per SNMP device poll; counter state ${(stateBytes / devices.length / 1024).toFixed(2)} KiB per device (${(stateGz / devices.length / 1024).toFixed(2)} KiB gzipped, as stored)`);

  // 2a. Split consume, option (a) (docs/SCALE.md, "Split consume"): each writer would forward to the leader a reduced
  // batch of the samples the rules select. With the shipped rules, how much of a device poll is that, and what does
  // cutting and re-encoding it cost the writer (the leader's decode shrinks by the same share)?
  const rules = parseAlertRules(readFileSync(join(repoRoot, 'config', 'alerts.example.yaml'), 'utf8'), 'alerts.example.yaml', { ...process.env, NOCTUA_SNMP_COMMUNITY: 'x' });
  const selected = new Set(rules.rules.map((r) => r.spec.select.measurement));
  const decodedPolls = payloads.map((p) => decodeBatch(p));
  const kept = decodedPolls.map((b) => ({ id: b.id, samples: b.samples.filter((x) => selected.has(x.measurement)) }));
  const reduceCpu = (() => { const u = process.cpuUsage(); for (let k = 0; k < 5; k++) for (const b of decodedPolls) encodeBatch({ id: b.id, samples: b.samples.filter((x) => selected.has(x.measurement)) }); return cpuMs(process.cpuUsage(u)) / 5 / decodedPolls.length; })();
  const decodeCpu = (() => { const u = process.cpuUsage(); for (let k = 0; k < 5; k++) for (const p of payloads) decodeBatch(p); return cpuMs(process.cpuUsage(u)) / 5 / payloads.length; })();
  const keptSamples = kept.reduce((n, b) => n + b.samples.length, 0);
  const keptBytes = kept.reduce((n, b) => n + Buffer.byteLength(encodeBatch(b)), 0);
  console.log(`reduced stream for the shipped rules (measurements ${[...selected].sort().join(', ')}): ${(keptSamples / samples * 100).toFixed(0)} % of the samples, ${(keptBytes / gz * 100).toFixed(0)} % of the bytes per device poll; cutting + re-encoding it ${reduceCpu.toFixed(2)} ms on the writer; decoding a whole batch ${decodeCpu.toFixed(2)} ms`);

  // 2. Appending device-poll batches to a stream (the forwarder's capped XADD, 8 in flight), then consuming them.
  const redis = new Redis(redisInst.url);
  const keys = new ClusterKeys('m');
  await redis.sadd(keys.groups(), 'g');
  const N = 5000;
  // Every batch its own id, as pollers send them (the core would drop repeated ids as duplicates).
  const polls = payloads.map((p) => decodeBatch(p).samples);
  const batches = Array.from({ length: N }, (_, i) => encodeBatch({ id: `poller-01:run2:${i}`, samples: polls[i % polls.length]! }));
  const XADD = `if redis.call('XLEN', KEYS[1]) >= tonumber(ARGV[1]) then return false end
return redis.call('XADD', KEYS[1], '*', 'b', ARGV[2], 'd', ARGV[3])`;
  let c0 = process.cpuUsage();
  let r0 = await redisCpuMs(redis);
  let t0 = performance.now();
  for (let i = 0; i + 8 <= N; i += 8) {
    await Promise.all(Array.from({ length: 8 }, (_, k) => redis.eval(XADD, 1, keys.stream('g'), 10_000_000, `b${i + k}`, batches[i + k]!)));
  }
  let wall = performance.now() - t0;
  const memory = Number(await redis.call('MEMORY', 'USAGE', keys.stream('g'), 'SAMPLES', '0'));
  console.log(`XADD: ${(N / wall * 1000).toFixed(0)} device-poll batches/s; client CPU ${(cpuMs(process.cpuUsage(c0)) / N * 1000).toFixed(0)} µs and redis CPU ${((await redisCpuMs(redis) - r0) / N * 1000).toFixed(0)} µs per batch; stream memory ${(memory / N / 1024).toFixed(1)} KiB per batch`);
  const consumerRedis = new Redis(redisInst.url);
  let delivered = 0;
  const consumer = new StreamConsumer({ redis: consumerRedis, keys, consumer: 'core-1', readCount: 500, claimIdleMs: 60_000, dedupWindowMs: 86_400_000, lingerMs: 0, deliver: async (s) => { delivered += s.length; }, log });
  c0 = process.cpuUsage();
  r0 = await redisCpuMs(redis);
  t0 = performance.now();
  let entries = 0;
  for (let i = 0; i < 1000 && entries < N; i++) entries += await consumer.round();
  wall = performance.now() - t0;
  console.log(`consume (XREADGROUP 500, decode, dedup check, SET done + XACK, trim): ${(entries / wall * 1000).toFixed(0)} batches/s (${(delivered / wall * 1000).toFixed(0)} samples/s); core CPU ${(cpuMs(process.cpuUsage(c0)) / entries * 1000).toFixed(0)} µs and redis CPU ${((await redisCpuMs(redis) - r0) / entries * 1000).toFixed(0)} µs per batch; applied mark ${(Number(await redis.call('MEMORY', 'USAGE', keys.applied('poller-01:run2'))))} B per poller run`);
  consumerRedis.disconnect();

  // Counter state: one SET per SNMP device poll, gzipped as the pollers write it.
  const stateBlob = gzipSync(JSON.stringify({ v: 1, at: 1, uptimeWraps: 0, counters: Object.fromEntries(Array.from({ length: 48 }, (_, i) => [String(i), { in_octets: '123456789012', out_octets: '98765432101', in_ucast_pkts: '1234567', out_ucast_pkts: '7654321' }])) }));
  r0 = await redisCpuMs(redis);
  for (let i = 0; i < 5000; i += 50) { const p = redis.pipeline(); for (let k = 0; k < 50; k++) p.set(keys.counters(`dev-${i + k}`), stateBlob, 'PX', 86_400_000); await p.exec(); }
  console.log(`counter state SET (${stateBlob.length} B): redis CPU ${((await redisCpuMs(redis) - r0) / 5000 * 1000).toFixed(0)} µs each`);

  // 3. Lease renewal of 10,000 devices in one pipeline, and the rendezvous split of 100,000 devices over 10 pollers.
  const leases = new RedisLeaseStore(redis);
  const leaseKeys = Array.from({ length: 10_000 }, (_, i) => keys.deviceLease(`dev-${i}`));
  await leases.acquireMany(leaseKeys, 'poller-01', 60_000);
  c0 = process.cpuUsage();
  r0 = await redisCpuMs(redis);
  t0 = performance.now();
  for (let i = 0; i < 5; i++) await leases.renewMany(leaseKeys, 'poller-01', 60_000);
  wall = (performance.now() - t0) / 5;
  console.log(`renew 10,000 leases: ${wall.toFixed(0)} ms wall; client CPU ${(cpuMs(process.cpuUsage(c0)) / 5).toFixed(0)} ms, redis CPU ${((await redisCpuMs(redis) - r0) / 5).toFixed(0)} ms per round`);
  const names = Array.from({ length: 100_000 }, (_, i) => `sw-${i}.site-${i % 300}`);
  const members = Array.from({ length: 10 }, (_, i) => `poller-${i}`);
  t0 = performance.now();
  rendezvousSplit(names, members);
  console.log(`rendezvous split of 100,000 devices over 10 pollers: ${(performance.now() - t0).toFixed(0)} ms`);
  redis.disconnect();
} finally {
  await Promise.all([redisInst.stop(), sim.stop()]);
  tmp.cleanup();
}
