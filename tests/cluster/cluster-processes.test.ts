import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterKeys } from '../../src/cluster/keys.js';
import { rendezvousSplit } from '../../src/cluster/rendezvous.js';
import { readClusterStatus, type ClusterStatus } from '../../src/cluster/status.js';
import { influxQuery, startInfluxd, type InfluxdInstance } from '../../src/lab/influxd.js';
import { labAddress, labInventoryYaml, readFixtures } from '../../src/lab/inventory.js';
import { fixturesDir, repoRoot } from '../../src/lab/paths.js';
import { freeTcpPort, freeUdpPort, waitFor } from '../../src/lab/ports.js';
import { startAll } from '../../src/lab/parts.js';
import { startRedis, type RedisInstance } from '../../src/lab/redis.js';
import { startSnmpsim, type SnmpsimInstance } from '../../src/lab/snmpsim.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import { tempDir } from '../helpers/tmp.js';

/** SNMP and ICMP interval of every device, and the cluster heartbeat: short, so the whole file stays near a minute and a half. */
const INTERVAL_MS = 3000;
const HEARTBEAT_MS = 1000;
const LEADER_LEASE_MS = 3000;
/** The scheduler ticks once a second, so a poll starts up to a second after its slot. */
const TICK_JITTER_MS = 1100;
const POLLERS = ['poller-1', 'poller-2', 'poller-3'];
const DB = 'noctua_cluster';

interface Member { name: string; configDir: string; logFile: string; child?: ChildProcess; exited?: Promise<void> }

/** Times (ms) of every `snmp_poll` kind=snmp per device since `from`, as stored in InfluxDB. */
async function pollTimes(influx: string, from: number, to = Date.now() + 60_000): Promise<Map<string, number[]>> {
  const res = await influxQuery(influx, `SELECT "ok" FROM "snmp_poll" WHERE "kind" = 'snmp' AND time >= ${from}ms AND time <= ${to}ms GROUP BY "device"`, DB);
  const out = new Map<string, number[]>();
  for (const s of res[0]?.series ?? []) out.set(s.tags!.device!, s.values.map((v) => Number(v[0])).sort((a, b) => a - b));
  return out;
}

/** Gaps between consecutive polls of each device. */
function gaps(times: Map<string, number[]>): Map<string, number[]> {
  return new Map([...times].map(([d, t]) => [d, t.slice(1).map((x, i) => x - t[i]!)]));
}

describe('three poller processes and two cores sharing one inventory through a real Redis', () => {
  const tmp = tempDir('noctua-cluster-');
  let redis: RedisInstance;
  let influx: InfluxdInstance;
  let sim: SnmpsimInstance;
  let receiver: WebhookReceiver;
  let client: Redis;
  const keys = new ClusterKeys('noctua');
  const members = new Map<string, Member>();
  let snmpDevices: string[] = [];
  let apiPort = 0;
  /** The wall's picture from whichever core leads (the API runs only on the leader). */
  const wall = async () => (await (await fetch(`http://127.0.0.1:${apiPort}/api/v1/wall`)).json()) as { devices: { name: string; state: string }[] };

  const start = (m: Member) => {
    const fd = openSync(m.logFile, 'a');
    // Its own process group, like a service, so kill -9 takes exactly this member.
    m.child = spawn(process.execPath, [join(repoRoot, 'bin', 'noctua.js'), 'start', '--config', m.configDir], { stdio: ['ignore', fd, fd], detached: true });
    closeSync(fd);
    m.exited = new Promise((r) => m.child!.once('exit', () => r()));
  };
  /** The last log lines of every member, for a failure message. */
  const tails = () => [...members.values()].map((m) => `--- ${m.name}\n${readFileSync(m.logFile, 'utf8').trimEnd().split('\n').slice(-4).join('\n')}`).join('\n');
  /** A member's JSON log lines logged at or after `since` (ms). */
  const logOf = (name: string, since = 0) => readFileSync(members.get(name)!.logFile, 'utf8').split('\n')
    .flatMap((l) => { try { return [JSON.parse(l) as { msg: string; time: number; [k: string]: unknown }]; } catch { return []; } })
    .filter((l) => l.time >= since);
  const kill9 = async (m: Member) => { process.kill(-m.child!.pid!, 'SIGKILL'); await m.exited; };
  const status = (): Promise<ClusterStatus> => readClusterStatus(client, keys);
  const held = (s: ClusterStatus) => new Map((s.groups.find((g) => g.group === 'default')?.members ?? []).filter((m) => m.alive).map((m) => [m.id, m.devices]));
  const totalDevices = () => snmpDevices.length + 2; // + the two ICMP-only WAN probes

  beforeAll(async () => {
    const fixtures = fixturesDir();
    // A dozen recordings keep snmpsimd (one Python process) answering well within a 3 s interval.
    const facts = readFixtures(fixtures).slice(0, 12);
    // startAll, not Promise.all: when one part fails the others are stopped, not left behind as orphans.
    ({ redis, influx, sim, receiver } = await startAll({
      redis: startRedis({ dir: join(tmp.dir, 'redis') }),
      influx: startInfluxd({ dir: join(tmp.dir, 'influx') }),
      sim: startSnmpsim({ dataDir: join(fixtures, 'snmprec'), workDir: tmp.dir, probeCommunity: facts[0]!.community, addresses: facts.map((_, i) => labAddress(i)) }),
      receiver: startWebhookReceiver(),
    }));
    client = new Redis(redis.url, { maxRetriesPerRequest: 1, retryStrategy: () => 200 });
    client.on('error', () => {});
    const deadPort = await freeUdpPort('127.0.3.7');
    apiPort = await freeTcpPort();
    const every = `${INTERVAL_MS}ms`;
    const inv = parse(labInventoryYaml(facts, sim.port, { icmp: every, snmp: every })) as { defaults: { snmp: Record<string, unknown> }; devices: Record<string, unknown>[] };
    inv.defaults.snmp.timeoutMs = 800;
    inv.defaults.snmp.retries = 0;
    // Answers ping, never SNMP: opens one snmp-unreachable incident early, which must be notified once across the core failover.
    inv.devices.push({ name: 'dead-snmp-01', address: '127.0.3.7', class: 'switch', site: 'campus', snmp: { community: 'public', port: deadPort } });
    snmpDevices = inv.devices.filter((d) => d.snmp !== false).map((d) => String(d.name));
    const alerts = {
      evaluationInterval: '1s',
      rules: [{
        name: 'snmp-unreachable', severity: 'P3', select: { measurement: 'snmp_poll', match: { kind: 'snmp' } },
        condition: { threshold: { field: 'ok', op: '==', value: false } }, consecutive: 2, summary: { en: '{{device}} answers ping but not SNMP', 'zh-CN': '{{device}} SNMP 无响应' },
      }],
    };
    const notify = `channels:\n  hook: { type: webhook, url: "${receiver.url}/engineer" }\npeople:\n  eng: { displayName: eng, channels: [hook] }\ntiers:\n  engineer: { notify: [{ person: eng }] }\n` +
      `policies:\n${['P1', 'P2', 'P3', 'P4'].map((p) => `  ${p}: { respond: 1h, resolve: 4h, remindBefore: 0s, steps: [{ after: 0s, tier: engineer }] }`).join('\n')}\n` +
      `outbox: { giveUpAfter: 10m, initialBackoff: 1s, maxBackoff: 2s }\n`;
    const cluster = { redis: { url: redis.url }, heartbeat: `${HEARTBEAT_MS}ms`, leaderLease: `${LEADER_LEASE_MS}ms` };
    const influxSettings = { url: influx.url, database: DB, precision: 'ms', flushInterval: '200ms' };
    // The two cores share one state directory: active/standby on one host (docs/SCALE.md says why not across hosts).
    const coreState = join(tmp.dir, 'core-state');
    const make = (name: string, role: 'poller' | 'core') => {
      const configDir = join(tmp.dir, name);
      mkdirSync(configDir);
      writeFileSync(join(configDir, 'devices.yaml'), stringify(inv));
      writeFileSync(join(configDir, 'noctua.yaml'), stringify({
        stateDir: role === 'core' ? coreState : join(tmp.dir, `${name}-state`), logLevel: 'info', influx: influxSettings,
        api: role === 'core' ? { enabled: true, host: '127.0.0.1', port: apiPort, publicWall: true } : { enabled: false }, scheduler: { instance: name, selfInterval: '2s', drainTimeout: '1s' }, cluster: { ...cluster, role },
      }));
      if (role === 'core') {
        writeFileSync(join(configDir, 'alerts.yaml'), stringify(alerts));
        writeFileSync(join(configDir, 'notify.yaml'), notify);
      }
      const m: Member = { name, configDir, logFile: join(tmp.dir, `${name}.log`) };
      members.set(name, m);
      return m;
    };
    for (const p of POLLERS) start(make(p, 'poller'));
    start(make('core-1', 'core'));
    try {
      await waitFor('core-1 to lead', async () => (await client.get(keys.leader())) === 'core-1', 60_000, 200);
      start(make('core-2', 'core'));
      await waitFor('every device held by the three pollers', async () => {
        const h = held(await status());
        return h.size === 3 && [...h.values()].every((n) => n > 0) && [...h.values()].reduce((a, b) => a + b, 0) === totalDevices();
      }, 60_000, 250);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${tails()}`);
    }
  }, 150_000);

  afterAll(async () => {
    for (const m of members.values()) if (m.child && m.child.exitCode === null && m.child.signalCode === null) { try { process.kill(-m.child.pid!, 'SIGKILL'); } catch { /* gone */ } await m.exited; }
    client?.disconnect();
    await Promise.all([redis?.stop(), influx?.stop(), sim?.stop(), receiver?.close()]);
    tmp.cleanup();
  });

  it('polls every device exactly once per interval, split by rendezvous hashing', async () => {
    const from = Date.now();
    await new Promise((r) => setTimeout(r, 4 * INTERVAL_MS + 2000));
    const s = await status();
    const expected = rendezvousSplit([...snmpDevices, 'wan-probe-1', 'wan-probe-2'], POLLERS);
    for (const p of POLLERS) expect(held(s).get(p)).toBe(expected.get(p)!.length);
    const g = gaps(await pollTimes(influx.url, from, Date.now() - 2000));
    expect([...g.keys()].sort()).toEqual([...snmpDevices].sort());
    for (const [device, d] of g) {
      expect(d.length, device).toBeGreaterThanOrEqual(2);
      for (const x of d) {
        expect(x, `${device} polled twice within an interval`).toBeGreaterThan(INTERVAL_MS - TICK_JITTER_MS);
        expect(x, `${device} missed a poll`).toBeLessThan(INTERVAL_MS + TICK_JITTER_MS);
      }
    }
  }, 30_000);

  it('the leading core\'s wall shows every device as the pollers see it', async () => {
    await waitFor('the wall to show the devices polled', async () => {
      const w = await wall();
      return w.devices.filter((d) => d.state === 'up').length >= snmpDevices.length - 1 && w.devices.find((d) => d.name === 'dead-snmp-01')?.state === 'down';
    }, 15_000, 500);
    const w = await wall();
    expect(w.devices.map((d) => d.name).sort()).toEqual([...snmpDevices, 'wan-probe-1', 'wan-probe-2'].sort());
  }, 20_000);

  it('kill -9 of a poller: its devices move to the others within two heartbeats, none polled twice, none missed beyond one slot', async () => {
    const victim = members.get('poller-2')!;
    const before = rendezvousSplit([...snmpDevices, 'wan-probe-1', 'wan-probe-2'], POLLERS).get('poller-2')!;
    const killedAt = Date.now();
    await kill9(victim);
    let takenOverAt = 0;
    await waitFor('poller-1 and poller-3 to hold every device', async () => {
      const h = held(await status());
      const ok = !h.has('poller-2') && (h.get('poller-1') ?? 0) + (h.get('poller-3') ?? 0) === totalDevices();
      if (ok) takenOverAt = Date.now();
      return ok;
    }, 15_000, 100);
    // Two heartbeats, plus what reading the status every 100 ms on a busy two-core machine adds.
    expect(takenOverAt - killedAt).toBeLessThan(2 * HEARTBEAT_MS + 700);
    await new Promise((r) => setTimeout(r, 3 * INTERVAL_MS + 2000));
    const g = gaps(await pollTimes(influx.url, killedAt - 2 * INTERVAL_MS, Date.now() - 2000));
    for (const device of snmpDevices) {
      const d = g.get(device) ?? [];
      expect(d.length, device).toBeGreaterThanOrEqual(3);
      for (const x of d) {
        expect(x, `${device} polled twice within an interval`).toBeGreaterThan(INTERVAL_MS - TICK_JITTER_MS);
        // A device whose slot fell inside the takeover misses that one slot, no more.
        expect(x, `${device} (${before.includes(device) ? "the dead poller's" : 'not moved'}) missed more than one slot`).toBeLessThan((before.includes(device) ? 2 : 1) * INTERVAL_MS + TICK_JITTER_MS);
      }
    }
    // The survivors found the dead poller's counters in Redis...
    const takeovers = ['poller-1', 'poller-3'].flatMap((p) => logOf(p, killedAt).filter((l) => l.msg === 'took devices over'));
    expect(takeovers.reduce((n, l) => n + Number(l.devices), 0)).toBe(before.length);
    expect(takeovers.reduce((n, l) => n + Number(l.withCounters), 0)).toBeGreaterThan(0);
    // ...so the first interface poll after the takeover already has a rate (no gap), and no rate jumps (no spike).
    const moved = before.filter((d) => snmpDevices.includes(d)).map((d) => `'${d}'`).join(' OR "device" = ');
    const q = async (from: number, to: number) => (await influxQuery(influx.url, `SELECT count("in_octets") AS polled, count("in_bps") AS rated, max("in_bps") AS peak FROM "interface" WHERE ("device" = ${moved}) AND time >= ${from}ms AND time <= ${to}ms GROUP BY "device", "ifIndex"`, DB))[0]?.series ?? [];
    const after = await q(killedAt, Date.now());
    expect(after.length).toBeGreaterThan(0);
    const peakBefore = Math.max(0, ...(await q(killedAt - 20_000, killedAt)).map((x) => Number(x.values[0]![3] ?? 0)));
    for (const x of after) {
      const [, polled, rated, peak] = x.values[0]! as [unknown, number, number, number | null];
      expect(rated, `${x.tags!.device} ifIndex ${x.tags!.ifIndex}: every poll after the takeover has a rate`).toBe(polled);
      expect(Number(peak ?? 0), `${x.tags!.device} ifIndex ${x.tags!.ifIndex}: no rate spike`).toBeLessThanOrEqual(peakBefore * 1.5 + 1000);
    }
  }, 40_000);

  it('the restarted poller gets its own share back, with no device polled twice meanwhile', async () => {
    const restartedAt = Date.now();
    start(members.get('poller-2')!);
    const expected = rendezvousSplit([...snmpDevices, 'wan-probe-1', 'wan-probe-2'], POLLERS);
    await waitFor('shares rebalanced over three pollers', async () => {
      const h = held(await status());
      return POLLERS.every((p) => h.get(p) === expected.get(p)!.length);
    }, 30_000, 250);
    await new Promise((r) => setTimeout(r, 2 * INTERVAL_MS + 2000));
    const g = gaps(await pollTimes(influx.url, restartedAt, Date.now() - 2000));
    for (const device of snmpDevices) {
      for (const x of g.get(device) ?? []) {
        expect(x, `${device} polled twice within an interval`).toBeGreaterThan(INTERVAL_MS - TICK_JITTER_MS);
        expect(x, `${device} missed more than one slot`).toBeLessThan(2 * INTERVAL_MS + TICK_JITTER_MS);
      }
    }
  }, 60_000);

  it('Redis stopped for 12 s: pollers spool and replay; every poll reaches InfluxDB once and none is missing', async () => {
    const stoppedAt = Date.now();
    await redis.stop();
    await new Promise((r) => setTimeout(r, 12_000));
    await redis.restart();
    const back = Date.now();
    // Spools replay, the core catches up and its writer flushes.
    await waitFor('polls from after the restart in InfluxDB', async () => {
      const t = await pollTimes(influx.url, back + INTERVAL_MS);
      return snmpDevices.every((d) => (t.get(d)?.length ?? 0) > 0);
    }, 30_000, 500);
    const g = gaps(await pollTimes(influx.url, stoppedAt - 2 * INTERVAL_MS, back + INTERVAL_MS));
    for (const device of snmpDevices) {
      const d = g.get(device) ?? [];
      expect(d.length, `${device}: polls during the outage`).toBeGreaterThanOrEqual(5);
      for (const x of d) {
        expect(x, `${device} has a duplicate`).toBeGreaterThan(INTERVAL_MS - TICK_JITTER_MS);
        expect(x, `${device} lost a poll during the Redis outage`).toBeLessThan(INTERVAL_MS + TICK_JITTER_MS);
      }
    }
    for (const p of POLLERS) {
      const log = logOf(p, stoppedAt);
      expect(log.some((l) => /spooling them to disk/.test(l.msg)), `${p} spooled`).toBe(true);
      expect(log.some((l) => l.msg === 'cluster spool replayed; forwarding directly again'), `${p} replayed`).toBe(true);
    }
  }, 60_000);

  it('core killed while samples flow: the standby takes the lease, nothing is lost, no incident is notified twice', async () => {
    await receiver.waitFor((reqs) => reqs.some((r) => (r.json as { incident?: { device?: string } } | undefined)?.incident?.device === 'dead-snmp-01'), 20_000);
    expect(await client.get(keys.leader())).toBe('core-1');
    const killedAt = Date.now();
    await kill9(members.get('core-1')!);
    await waitFor('core-2 to take the leader lease', async () => (await client.get(keys.leader())) === 'core-2', 3 * LEADER_LEASE_MS + 5000, 100);
    await new Promise((r) => setTimeout(r, 3 * INTERVAL_MS + 3000));
    const g = gaps(await pollTimes(influx.url, killedAt - 2 * INTERVAL_MS, Date.now() - 3000));
    for (const device of snmpDevices) {
      const d = g.get(device) ?? [];
      expect(d.length, device).toBeGreaterThanOrEqual(4);
      for (const x of d) {
        expect(x, `${device} has a duplicate`).toBeGreaterThan(INTERVAL_MS - TICK_JITTER_MS);
        expect(x, `${device} lost a poll across the core failover`).toBeLessThan(INTERVAL_MS + TICK_JITTER_MS);
      }
    }
    const s = await status();
    expect(s.groups[0]!.stream!.lag).toBeLessThan(20);
    const opened = receiver.requests.map((r) => r.json as { kind?: string; incident?: { id: string; device?: string } }).filter((n) => n.incident?.device === 'dead-snmp-01');
    const perIncidentAndKind = new Map<string, number>();
    for (const n of opened) perIncidentAndKind.set(`${n.incident!.id}/${n.kind}`, (perIncidentAndKind.get(`${n.incident!.id}/${n.kind}`) ?? 0) + 1);
    expect(opened.length).toBeGreaterThan(0);
    for (const [k, n] of perIncidentAndKind) expect(n, `${k} notified ${n} times`).toBe(1);
    expect(logOf('core-2', killedAt).some((l) => l.msg === 'leader lease taken: this core runs the alert engine')).toBe(true);
    // The new leader serves the API and its wall knows the devices' states from the pollers' samples.
    await waitFor('the new leader\'s wall', async () => (await wall().catch(() => ({ devices: [] }))).devices.filter((d) => d.state === 'up').length >= snmpDevices.length - 1, 15_000, 500);
  }, 60_000);

  it('noctua cluster status lists the pollers, their devices, the stream and the leader; the core writes it as self metrics', async () => {
    const out = await new Promise<string>((resolve, reject) => {
      const c = spawn(process.execPath, [join(repoRoot, 'bin', 'noctua.js'), 'cluster', 'status', '--json', '--config', members.get('poller-1')!.configDir], { stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      c.stdout.on('data', (d) => { text += String(d); });
      c.stderr.on('data', (d) => { text += String(d); });
      c.once('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`exit ${code}: ${text}`))));
    });
    const st = JSON.parse(out) as ClusterStatus;
    expect(st.leader).toBe('core-2');
    expect(st.cores.find((c) => c.id === 'core-1')?.alive).toBe(false);
    const g = st.groups.find((x) => x.group === 'default')!;
    expect(g.members.filter((m) => m.alive).map((m) => m.id).sort()).toEqual(POLLERS);
    expect(g.members.reduce((n, m) => n + m.devices, 0)).toBe(totalDevices());
    expect(g.stream).toMatchObject({ group: 'default' });
    const self = await influxQuery(influx.url, `SELECT last("devices") FROM "noctua_self" WHERE "component" = 'cluster_member' AND time > now() - 1m GROUP BY "member"`, DB);
    expect((self[0]?.series ?? []).map((x) => x.tags!.member).sort()).toEqual(POLLERS);
  }, 30_000);
});
