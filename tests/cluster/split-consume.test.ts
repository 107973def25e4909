import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORE_CONSUMER_GROUP, ClusterKeys } from '../../src/cluster/keys.js';
import { formatClusterStatus, readClusterStatus } from '../../src/cluster/status.js';
import { createSampleForwarder, type SampleForwarder } from '../../src/cluster/sample-forwarder.js';
import { systemClock } from '../../src/core/clock.js';
import { createLogger } from '../../src/core/log.js';
import type { Sample } from '../../src/core/sample.js';
import { influxQuery } from '../../src/lab/influxd.js';
import { repoRoot } from '../../src/lab/paths.js';
import { waitFor } from '../../src/lab/ports.js';
import { startRedis, type RedisInstance } from '../../src/lab/redis.js';
import { realInfluxd } from '../helpers/real-parts.js';
import { tempDir } from '../helpers/tmp.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

const DB = 'noctua_split';
/** Short, so a dead core's entries are claimed within seconds; the linger keeps read entries pending for a moment (the kill -9 test aims at that). */
const CLAIM_IDLE_MS = 2000;
const LINGER = '700ms';
const DEVICES = ['edge-1', 'edge-2', 'edge-3', 'edge-4'];
/** Answers no ping: the rule below opens one incident for it. */
const DOWN = 'edge-down';
const SAMPLES_PER_BATCH = DEVICES.length + 1;

interface Core { name: string; configDir: string; logFile: string; child?: ChildProcess; exited?: Promise<void> }

describe('split consume: several core processes write one stream to InfluxDB, only the leader evaluates rules', () => {
  const tmp = tempDir('noctua-split-');
  const log = createLogger({ level: 'fatal' });
  const keys = new ClusterKeys('noctua');
  const stream = keys.stream('default');
  const cores = new Map<string, Core>();
  let redis: RedisInstance;
  let influx: Awaited<ReturnType<typeof realInfluxd>>;
  let receiver: WebhookReceiver;
  let client: Redis;
  let forwarder: SampleForwarder;
  /** Batches sent so far; each batch's samples have their own timestamps, so every sample is one distinct point. */
  let sent = 0;
  const base = Date.now() - 3_600_000;

  const start = (c: Core) => {
    const fd = openSync(c.logFile, 'a');
    // Its own process group, like a service, so kill -9 takes exactly this core.
    c.child = spawn(process.execPath, [join(repoRoot, 'bin', 'noctua.js'), 'start', '--config', c.configDir], { stdio: ['ignore', fd, fd], detached: true });
    closeSync(fd);
    c.exited = new Promise((r) => c.child!.once('exit', () => r()));
  };
  const logOf = (name: string) => readFileSync(cores.get(name)!.logFile, 'utf8').split('\n')
    .flatMap((l) => { try { return [JSON.parse(l) as { msg: string; [k: string]: unknown }]; } catch { return []; } });
  const tails = () => [...cores.values()].map((c) => `--- ${c.name}\n${readFileSync(c.logFile, 'utf8').trimEnd().split('\n').slice(-5).join('\n')}`).join('\n');
  const count = async (q: string) => Number((await influxQuery(influx.url, q, DB).catch(() => []))[0]?.series?.[0]?.values[0]?.[1] ?? 0);
  const points = () => count('SELECT count("loss_pct") FROM "icmp"');
  /** Batches each core's writer applied, as its own `cluster_writer` self samples say (latest figure per member). */
  const shares = async () => {
    const res = await influxQuery(influx.url, `SELECT last("batches") FROM "noctua_self" WHERE "component" = 'cluster_writer' GROUP BY "member"`, DB).catch(() => []);
    return new Map((res[0]?.series ?? []).map((s) => [s.tags!.member!, Number(s.values[0]![1])]));
  };
  /** Entries of the writers' group pending with `consumer`. */
  const pendingWith = async (consumer: string) => ((await client.xpending(stream, CORE_CONSUMER_GROUP, '-', '+', 10_000, consumer)) as unknown[]).length;

  const batch = (seq: number): Sample[] => [...DEVICES, DOWN].map((device, i) => ({
    measurement: 'icmp', tags: { device, site: 'lab', class: 'other' },
    fields: { sent: 3, received: device === DOWN ? 0 : 3, loss_pct: device === DOWN ? 100 : 0, up: device !== DOWN }, time: new Date(base + seq * 1000 + i),
  }));
  /** Sends `n` batches, `perTick` at a time every 100 ms, as a poller's forwarder does. */
  const send = async (n: number, perTick = 10) => {
    for (let i = 0; i < n; i += perTick) {
      for (let k = 0; k < perTick && i + k < n; k++) await forwarder.write(batch(sent++));
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const allWritten = async (what: string) => {
    await waitFor(`${what}: ${sent * SAMPLES_PER_BATCH} points in InfluxDB`, async () => (await points()) >= sent * SAMPLES_PER_BATCH, 60_000, 250)
      .catch((err: unknown) => { throw new Error(`${(err as Error).message}\n${tails()}`); });
  };

  beforeAll(async () => {
    [redis, influx, receiver] = await Promise.all([startRedis({ dir: join(tmp.dir, 'redis') }), realInfluxd(), startWebhookReceiver()]);
    client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    client.on('error', () => {});
    const devices = { devices: [...DEVICES, DOWN].map((name, i) => ({ name, address: `127.0.4.${i + 1}`, class: 'other', site: 'lab', snmp: false })) };
    const alerts = {
      evaluationInterval: '1s',
      rules: [{ name: 'no-ping', severity: 'P3', select: { measurement: 'icmp' }, condition: { threshold: { field: 'loss_pct', op: '>=', value: 100 } }, consecutive: 2, summary: { en: '{{device}} does not answer ping', 'zh-CN': '{{device}} ping 无响应' } }],
    };
    const notify = `channels:\n  hook: { type: webhook, url: "${receiver.url}/engineer" }\npeople:\n  eng: { displayName: eng, channels: [hook] }\ntiers:\n  engineer: { notify: [{ person: eng }] }\n` +
      `policies:\n${['P1', 'P2', 'P3', 'P4'].map((p) => `  ${p}: { respond: 1h, resolve: 4h, remindBefore: 0s, steps: [{ after: 0s, tier: engineer }] }`).join('\n')}\n` +
      `outbox: { giveUpAfter: 10m, initialBackoff: 1s, maxBackoff: 2s }\n`;
    // One state directory for all cores (incidents on SQLite, docs/SCALE.md); each writer spools under writers/<id>.
    const state = join(tmp.dir, 'core-state');
    for (const name of ['core-a', 'core-b', 'core-c']) {
      const configDir = join(tmp.dir, name);
      mkdirSync(configDir);
      writeFileSync(join(configDir, 'devices.yaml'), stringify(devices));
      writeFileSync(join(configDir, 'alerts.yaml'), stringify(alerts));
      writeFileSync(join(configDir, 'notify.yaml'), notify);
      writeFileSync(join(configDir, 'noctua.yaml'), stringify({
        stateDir: state, logLevel: 'info', api: { enabled: false },
        influx: { url: influx.url, database: DB, precision: 'ms', flushInterval: '200ms' },
        scheduler: { instance: name, selfInterval: '1s', drainTimeout: '1s' },
        cluster: { role: 'core', consume: 'split', claimIdle: `${CLAIM_IDLE_MS}ms`, readLinger: LINGER, readCount: 50, redis: { url: redis.url }, heartbeat: '1s', leaderLease: '3s' },
      }));
      cores.set(name, { name, configDir, logFile: join(tmp.dir, `${name}.log`) });
    }
    await client.sadd(keys.groups(), 'default');
    forwarder = await createSampleForwarder({ redis: client, stream, member: 'test-poller', maxLen: 100_000, stateDir: join(tmp.dir, 'poller'), spoolMaxBytes: 1 << 24, spoolSegmentBytes: 1 << 20, clock: systemClock, log });
    start(cores.get('core-a')!);
    try {
      await waitFor('core-a to lead', async () => (await client.get(keys.leader())) === 'core-a', 60_000, 200);
      start(cores.get('core-b')!);
      await waitFor('core-b to register as a core', async () => (await client.exists(keys.coreHeartbeat('core-b'))) === 1, 60_000, 200);
      // core-b reads once its writer's consumer exists in the group.
      await waitFor('core-b reading the stream', async () => ((await client.xinfo('CONSUMERS', stream, CORE_CONSUMER_GROUP)) as unknown[][]).some((c) => c[1] === 'core-b'), 30_000, 200);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${tails()}`);
    }
  }, 120_000);

  afterAll(async () => {
    await forwarder?.close();
    for (const c of cores.values()) if (c.child && c.child.exitCode === null && c.child.signalCode === null) { try { process.kill(-c.child.pid!, 'SIGKILL'); } catch { /* gone */ } await c.exited; }
    client?.disconnect();
    await Promise.all([redis?.stop(), influx?.cleanup(), receiver?.close()]);
    tmp.cleanup();
  });

  it('two cores share the stream: every sample lands once, both wrote a share, only the leader opened the incident and paged once', async () => {
    await send(300);
    await allWritten('two cores');
    expect(await points()).toBe(sent * SAMPLES_PER_BATCH);
    await waitFor('both cores to report a share written', async () => {
      const s = await shares();
      return (s.get('core-a') ?? 0) > 0 && (s.get('core-b') ?? 0) > 0;
    }, 15_000, 250);
    const s = await shares();
    expect((s.get('core-a') ?? 0) + (s.get('core-b') ?? 0)).toBeLessThanOrEqual(sent);
    // The rule fires on the samples of the stream, in the leader's engine only: one incident, one "opened" notice.
    await receiver.waitFor((reqs) => reqs.some((r) => (r.json as { incident?: { device?: string } } | undefined)?.incident?.device === DOWN), 20_000);
    await new Promise((r) => setTimeout(r, 2000));
    const opened = receiver.requests.map((r) => r.json as { kind?: string; incident?: { id: string; device?: string } }).filter((n) => n.incident?.device === DOWN && n.kind === 'opened');
    expect(opened).toHaveLength(1);
    expect(logOf('core-a').some((l) => l.msg.startsWith('cluster core leading'))).toBe(true);
    // The standby wrote but never built an engine: no leading line, no incident store, no notice.
    expect(logOf('core-b').some((l) => l.msg.startsWith('cluster core leading'))).toBe(false);
    expect(logOf('core-b').some((l) => l.msg.startsWith('standby core: waiting'))).toBe(true);
    // Both groups acknowledged everything: the stream is trimmed to nothing.
    await waitFor('the stream trimmed once both groups acknowledged', async () => (await client.xlen(stream)) === 0, 15_000, 200);
  }, 90_000);

  it('a third core joins and takes a share; every sample still lands exactly once', async () => {
    start(cores.get('core-c')!);
    await waitFor('core-c reading the stream', async () => ((await client.xinfo('CONSUMERS', stream, CORE_CONSUMER_GROUP)) as unknown[][]).some((c) => c[1] === 'core-c'), 60_000, 200)
      .catch((err: unknown) => { throw new Error(`${(err as Error).message}\n${tails()}`); });
    await send(300);
    await allWritten('three cores');
    expect(await points()).toBe(sent * SAMPLES_PER_BATCH);
    await waitFor('core-c to report a share written', async () => ((await shares()).get('core-c') ?? 0) > 0, 15_000, 250);
    expect(logOf('core-c').some((l) => l.msg.startsWith('cluster core leading'))).toBe(false);
  }, 120_000);

  it('kill -9 of a writing core mid-run: another core claims its pending entries and writes them, none lost', async () => {
    const victim = cores.get('core-b')!;
    const flow = send(400, 5);
    // Entries sit pending with their reader through its linger: strike then.
    await waitFor('core-b holding read entries', async () => (await pendingWith('core-b')) > 0, 30_000, 10);
    process.kill(-victim.child!.pid!, 'SIGKILL');
    await victim.exited;
    const left = await pendingWith('core-b');
    expect(left, 'core-b died holding entries').toBeGreaterThan(0);
    await flow;
    await waitFor('core-b\'s entries claimed and acknowledged by another core', async () => (await pendingWith('core-b')) === 0, CLAIM_IDLE_MS * 5 + 10_000, 200);
    await allWritten('after the kill');
    expect(await points()).toBe(sent * SAMPLES_PER_BATCH);
    const claimed = ['core-a', 'core-c'].flatMap((n) => logOf(n).filter((l) => l.msg === 'claimed entries another core left pending' && l.group === CORE_CONSUMER_GROUP));
    expect(claimed.reduce((n, l) => n + Number(l.entries), 0)).toBeGreaterThanOrEqual(left);
    // The leader's engine group kept up too, as `noctua cluster status` shows it: nothing pending or unread there.
    await waitFor('the engine group caught up', async () => {
      const st = (await readClusterStatus(client, keys)).groups.find((g) => g.group === 'default')?.stream;
      return st?.engine?.lag === 0 && st.engine.pending === 0 && st.lag === 0 && st.pending === 0;
    }, 20_000, 200);
    expect(formatClusterStatus(await readClusterStatus(client, keys))).toMatch(/group default: .*; stream length \d+, lag 0, pending 0; engine lag 0, pending 0/);
    await waitFor('the stream trimmed once both groups acknowledged', async () => (await client.xlen(stream)) === 0, 15_000, 200);
  }, 120_000);
});
