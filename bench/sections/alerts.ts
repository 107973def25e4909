import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { createAlertEngine } from '../../src/alerting/engine.js';
import { createEscalationService, loadNotifyConfig } from '../../src/alerting/escalation/index.js';
import { parseAlertRules } from '../../src/alerting/rules.js';
import type { Device } from '../../src/config/inventory-schema.js';
import { loadFullConfig } from '../../src/config-check/load.js';
import { openStateDb } from '../../src/core/database.js';
import { createNetnsHost, netnsUnavailableReason } from '../../src/lab/netns.js';
import { startNoctua } from '../../src/main.js';
import { startWebhookReceiver, type ReceivedRequest, type WebhookReceiver } from '../../tests/helpers/webhook-receiver.js';
import type { BenchContext } from '../context.js';
import { measureEngineCpu } from '../engine-cpu.js';
import { measureInProcess, measureSelf, percentile, summarize, type RunFigures } from '../measure.js';

/** notify.yaml paging every severity at once through one webhook channel on the local receiver. */
function notifyYaml(receiver: string): string {
  const policy = { respond: '30m', resolve: '4h', remindBefore: '0s', steps: [{ after: '0s', notify: [{ channel: 'bench-hook' }] }] };
  return stringify({
    channels: { 'bench-hook': { type: 'webhook', url: `${receiver}/hook` } },
    policies: { P1: policy, P2: policy, P3: policy, P4: policy },
    outbox: { initialBackoff: '1s', maxBackoff: '5s', giveUpAfter: '1h' },
  });
}

/** The device an `opened` notice is about, from the generic webhook body. */
function openedDevice(r: ReceivedRequest): string | undefined {
  const body = r.json as { kind?: string; incident?: { device?: string } } | undefined;
  return body?.kind === 'opened' ? body.incident?.device : undefined;
}

function benchDevice(name: string, address: string, icmpMs: number): Device {
  return {
    name, address, class: 'router', site: 'bench', tags: [], enabled: true, snmp: false,
    icmp: { count: 3, intervalMs: 200, timeoutMs: 1000 },
    intervals: { icmp: icmpMs, snmp: 60_000, inventory: 21_600_000 },
  };
}

/** One run: `n` devices go down one after another at `perS`; each down sample must reach the receiver as an `opened` notice. */
async function engineRun(ctx: BenchContext, receiver: WebhookReceiver, run: number, n: number, perS: number, pooled: number[] = []): Promise<RunFigures> {
  const dir = ctx.dir(`alerts-engine-${run}`);
  const prefix = `r${run}-dev-`;
  const devices = Array.from({ length: n }, (_, i) => benchDevice(`${prefix}${i}`, '127.0.0.1', 30_000));
  const rules = parseAlertRules(stringify({
    rules: [{ name: 'bench-down', description: 'No echo reply.', severity: 'P2', select: { measurement: 'icmp' }, condition: { threshold: { field: 'up', op: '==', value: false } }, summary: { en: '{{device}} down', 'zh-CN': '{{device}} 宕机' } }],
  }), 'alerts.yaml');
  writeFileSync(join(dir, 'notify.yaml'), notifyYaml(receiver.url));
  const db = openStateDb(dir);
  const engine = createAlertEngine({ db, rules, devices, log: ctx.log, locale: 'en' });
  const escalation = createEscalationService({ db, config: loadNotifyConfig(join(dir, 'notify.yaml')), log: ctx.log, actions: engine, locale: 'en', timezone: 'UTC' });
  engine.addListener(escalation);
  await escalation.start();
  engine.start();
  const sent = new Map<string, number>();
  const arrived = () => receiver.requests.filter((r) => openedDevice(r)?.startsWith(prefix)).length;
  try {
    const f = await measureInProcess(async () => {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) {
        // Paced, so the figure is the pipeline's latency rather than a queue of our own making.
        const due = t0 + (i * 1000) / perS;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const d = devices[i]!;
        sent.set(d.name, Date.now());
        await engine.write([{ measurement: 'icmp', tags: { device: d.name, site: 'bench', class: d.class, vendor: 'unknown' }, fields: { up: false, sent: 3n, received: 0n, loss_pct: 100 }, time: new Date() }]);
      }
      const deadline = Date.now() + 60_000;
      while (arrived() < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    }, { children: false });
    const lat = receiver.requests.flatMap((r) => { const d = openedDevice(r); const t = d ? sent.get(d) : undefined; return t === undefined ? [] : [r.at - t]; });
    if (run >= 0) pooled.push(...lat);
    return { ...f, extra: { p50Ms: percentile(lat, 50), p99Ms: percentile(lat, 99), maxMs: Math.max(...lat), notices: lat.length } };
  } finally {
    await engine.stop();
    await escalation.stop();
    db.close();
  }
}

/** Section 5: alert latency inside the engine (sample in → webhook arrives) and from a real link going down to the first notice. */
export async function alertsSection(ctx: BenchContext): Promise<void> {
  const receiver = await startWebhookReceiver();
  ctx.onCleanup(() => receiver.close());
  // A webhook channel sends at most 600 notices a minute (the notifier's flood guard, not configurable upwards): pace
  // under it, or the figure is the guard's queue. 1,000 alerts are three runs of 334, pooled for the percentiles.
  const n = ctx.quick ? 18 : Math.ceil(1000 / ctx.repeats);
  const perS = 9;
  ctx.say(`alerts: ${ctx.repeats} × ${n} alerts through engine, escalation and webhook, ${perS}/s`);
  // A warm-up run (JIT, SQLite statements, the HTTP connection) that is not counted.
  await engineRun(ctx, receiver, -1, 10, perS);
  const runs: RunFigures[] = [];
  const pooled: number[] = [];
  for (let r = 0; r < ctx.repeats; r++) runs.push(await engineRun(ctx, receiver, r, n, perS, pooled));
  ctx.facts['alerts pooled'] = `${pooled.length} alerts over ${ctx.repeats} runs: p50 ${percentile(pooled, 50)} ms, p99 ${percentile(pooled, 99)} ms, max ${Math.max(...pooled)} ms, over 1 s: ${pooled.filter((x) => x > 1000).length}`;
  ctx.rows.push({
    section: 'alerts', case: `${ctx.repeats} × ${n.toLocaleString('en-US')} alerts at ${perS}/s, sample into engine → webhook received`, contender: 'noctua engine + escalation + webhook', summary: summarize(runs),
    show: [{ key: 'p50Ms', label: 'p50 ms', digits: 1 }, { key: 'p99Ms', label: 'p99 ms', digits: 1 }, { key: 'maxMs', label: 'max ms', digits: 0 }, { key: 'notices', label: 'notices', digits: 0 }],
  });

  await engineCpu(ctx);

  const whyNot = netnsUnavailableReason();
  if (whyNot) { ctx.facts['alerts down-to-notice'] = `not measured: ${whyNot}`; return; }
  await downToNotice(ctx, receiver);
}

/** The engine's own CPU at fleet size (bench/engine-cpu.ts): polls of every device through the shipped rules, fake time, real SQLite. */
export async function engineCpu(ctx: BenchContext): Promise<void> {
  const devices = ctx.quick ? 300 : 5000;
  const cycles = ctx.quick ? 3 : 8;
  const rules = fileURLToPath(new URL('../../config/alerts.example.yaml', import.meta.url));
  ctx.say(`alerts: engine CPU, ${devices} devices × 20 samples a minute for ${cycles} simulated minutes`);
  const runs: RunFigures[] = [];
  // One run at full size takes a minute or two: the spread comes from its steady cycles, not from repeats.
  for (let r = 0; r < (ctx.quick ? ctx.repeats : 1); r++) {
    const f = await measureSelf(async () => {
      const res = await measureEngineCpu({ devices, cycles, rules });
      runs.push({ wallS: 0, cpuS: 0, peakRssMiB: 0, extra: { msPerBatch: res.cpuMsPerBatch, usPerSample: res.cpuUsPerSample, tickMsPerMin: res.tickCpuMsPerCycle, cores: res.engineCoresAtRealTime } });
    });
    Object.assign(runs.at(-1)!, { wallS: f.wallS, cpuS: f.cpuS, peakRssMiB: f.peakRssMiB });
  }
  ctx.rows.push({
    section: 'alerts', case: `engine CPU, ${devices.toLocaleString('en-US')} devices × 20 samples a minute, shipped rules, ${cycles} simulated minutes`, contender: 'noctua engine (real SQLite, fake time)', summary: summarize(runs),
    show: [{ key: 'msPerBatch', label: 'CPU ms/batch', digits: 3 }, { key: 'usPerSample', label: 'CPU µs/sample', digits: 2 }, { key: 'tickMsPerMin', label: 'ticks CPU ms/min', digits: 0 }, { key: 'cores', label: 'cores at real time', digits: 4 }],
    note: 'steady cycles after the first; some devices keep alerts firing, some flap a port (bench/engine-cpu.ts)',
  });
}

/** A netns host pinged by `noctua`'s runtime; its link is taken down at a random point of the ICMP cycle. */
async function downToNotice(ctx: BenchContext, receiver: WebhookReceiver): Promise<void> {
  const icmpMs = ctx.quick ? 1000 : 5000;
  // Quick: one echo with a 500 ms timeout so a poll fits a 1 s interval; full: Noctua's default 3 echoes 200 ms apart, 1 s timeout.
  const icmp = ctx.quick ? { count: 1, intervalMs: 200, timeoutMs: 500 } : { count: 3, intervalMs: 200, timeoutMs: 1000 };
  const pollMs = icmp.timeoutMs + (icmp.count - 1) * icmp.intervalMs;
  const consecutive = 2;
  const host = createNetnsHost(`bn${process.pid % 10000}`, 200 + (process.pid % 40));
  ctx.onCleanup(() => host.remove());
  const dir = ctx.dir('alerts-netns');
  const config = join(dir, 'config');
  mkdirSync(config, { recursive: true });
  writeFileSync(join(config, 'devices.yaml'), stringify({ sites: [{ name: 'bench' }], devices: [{ name: 'wan-gw', address: host.address4, class: 'router', site: 'bench', snmp: false, icmp, intervals: { icmp: `${icmpMs}ms` } }] }));
  writeFileSync(join(config, 'noctua.yaml'), stringify({ stateDir: join(dir, 'state'), locale: 'en', logLevel: 'error', api: { enabled: false }, scheduler: { icmpBackend: 'fping' } }));
  // The shipped device-down rule's shape: two failed polls in a row; the engine evaluates its timers every second.
  writeFileSync(join(config, 'alerts.yaml'), stringify({
    evaluationInterval: '1s',
    // Every repetition is one down/up cycle of the same alert: without this the flapping muter would silence the third.
    flapping: { changes: 100 },
    rules: [{ name: 'device-down', description: 'No echo reply.', severity: 'P2', select: { measurement: 'icmp' }, condition: { threshold: { field: 'up', op: '==', value: false } }, consecutive, deviceDown: true, summary: { en: '{{device}} is down', 'zh-CN': '{{device}} 宕机' } }],
  }));
  writeFileSync(join(config, 'notify.yaml'), notifyYaml(receiver.url));
  const runtime = await startNoctua(loadFullConfig(config), ctx.log, { noStorage: true, noApi: true });
  ctx.onCleanup(() => runtime.stop());
  const opened = () => receiver.requests.filter((r) => openedDevice(r) === 'wan-gw').length;
  const resolved = () => receiver.requests.filter((r) => (r.json as { kind?: string; incident?: { device?: string } } | undefined)?.kind === 'resolved' && (r.json as { incident?: { device?: string } }).incident?.device === 'wan-gw').length;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const budgetMs = icmpMs * consecutive + pollMs + 2000;
  const lat: number[] = [];
  ctx.say(`alerts: down-to-notice, ICMP every ${icmpMs / 1000} s, device-down after ${consecutive} failed polls`);
  await sleep(icmpMs + 2000); // one answered poll first: the device is known up
  for (let r = 0; r < ctx.repeats; r++) {
    await sleep(Math.random() * icmpMs); // a random point of the ICMP cycle
    const before = opened();
    const t0 = Date.now();
    host.linkDown();
    const deadline = t0 + budgetMs * 3;
    while (opened() === before && Date.now() < deadline) await sleep(20);
    const got = receiver.requests.filter((q) => openedDevice(q) === 'wan-gw').at(-1);
    lat.push(opened() > before && got ? got.at - t0 : NaN);
    const res0 = resolved();
    host.linkUp();
    const upBy = Date.now() + budgetMs * 3;
    while (resolved() === res0 && Date.now() < upBy) await sleep(50);
    // Stay up for two more polls, so the next repetition starts from a device that is plainly up.
    await sleep(2 * icmpMs);
  }
  const target = icmpMs + (consecutive - 1) * icmpMs;
  ctx.rows.push({
    section: 'alerts', case: `link down → first notice, ICMP ${icmpMs / 1000} s, consecutive ${consecutive}`, contender: 'noctua runtime (fping) + engine + webhook',
    summary: summarize(lat.filter(Number.isFinite).map((ms) => ({ wallS: ms / 1000, cpuS: NaN, peakRssMiB: NaN, extra: { latencyMs: ms, targetMs: target } }))),
    show: [{ key: 'latencyMs', label: 'down→notice ms', digits: 0 }, { key: 'targetMs', label: 'target (interval + for) ms', digits: 0 }],
    note: `${lat.some(Number.isNaN) ? `**${lat.filter(Number.isNaN).length} of ${lat.length} repetitions got no notice within ${budgetMs * 3} ms**; ` : ''}each repetition takes the link down at a random point of the ICMP cycle; a poll takes up to ${pollMs / 1000} s (${icmp.count} echo(es), ${icmp.timeoutMs} ms timeout), not counted in the target`,
  });
}
