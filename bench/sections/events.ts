import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startInfluxd } from '../../src/lab/influxd.js';
import type { BenchContext } from '../context.js';
import { repeatInterleaved, summarize, treeCpuSeconds, type RunFigures } from '../measure.js';
import { rsyslogdContender, snmptrapdContender, startNoctua, type Contender, type EventKind } from '../events/contenders.js';
import { SOURCES, sendPaced, sendTcp, syslogLines, trapPdus, udpSenders, udpSocketState } from '../events/load.js';

/** How one mode runs: the window of every UDP run, the rates the ladder tries, the TCP backlog, the InfluxDB path. */
interface Plan { windowS: number; ladder?: Record<EventKind, number[]>; tcpLines: number; influx: boolean }

const QUICK: Plan = { windowS: 1, tcpLines: 20_000, influx: false };
const FULL: Plan = {
  windowS: 5, tcpLines: 200_000, influx: true,
  ladder: { trap: [2_500, 5_000, 10_000, 20_000, 40_000], syslog: [10_000, 20_000, 40_000, 80_000, 160_000] },
};
/** The issue's goal: one Noctua process, one core. */
const GOAL: Record<EventKind, number> = { trap: 5_000, syslog: 20_000 };
/** Distinct payloads, a multiple of SOURCES (payload k always leaves from source k mod SOURCES). */
const PAYLOADS = SOURCES * 48;
const TCP_CONNECTIONS = 4;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What one UDP run found, besides CPU and wall. */
export interface UdpOutcome { ok: boolean; why: string; run: RunFigures }

/** The backlog a receiver may leave when the sender stops and still count as keeping up: 0.5 s + 10 % of the window. */
const drainAllowanceS = (windowS: number) => 0.5 + windowS * 0.1;

/**
 * One paced UDP run against one contender: `rate` datagrams/s for `windowS`, then wait (bounded) until it has handled
 * them all. Kernel drops are the socket's `drops` column of /proc/net/udp before and after; CPU is the process's
 * from /proc over the send and the drain.
 */
export async function udpRun(c: Contender, kind: EventKind, payloads: readonly Buffer[], rate: number, windowS: number): Promise<UdpOutcome> {
  const port = kind === 'trap' ? c.ports.trap! : c.ports.syslogUdp!;
  const senders = await udpSenders(port);
  try {
    const before = udpSocketState(port, readFileSync('/proc/net/udp', 'utf8'));
    if (!before) throw new Error(`${c.name}: no UDP socket on 127.0.0.1:${port} in /proc/net/udp`);
    const p0 = await c.processed();
    const cpu0 = c.cpuS();
    const t0 = performance.now();
    const sent = await sendPaced(senders.sockets, payloads, rate, windowS, senders.errors);
    const sendEnd = performance.now();
    // Bounded: a receiver that has not caught up within max(2 s, the window) has failed the step anyway.
    const limit = sendEnd + Math.max(2, windowS) * 1000;
    let done = 0;
    for (let now = sendEnd; ; now = performance.now()) {
      done = (await c.processed()) - p0;
      if (done >= sent.sent || now > limit) break;
      await sleep(20);
    }
    const end = performance.now();
    const cpuS = c.cpuS() - cpu0;
    const after = udpSocketState(port, readFileSync('/proc/net/udp', 'utf8'));
    const drops = (after?.drops ?? NaN) - before.drops;
    const drainS = (end - sendEnd) / 1000;
    const lost = Math.max(0, sent.sent - done);
    const paced = sent.ratePerS >= rate * 0.95;
    const cores = cpuS / ((end - t0) / 1000);
    // The cores it used say whether it ran out of CPU (near 1) or was not given the CPU (a loaded machine).
    const failure = !paced ? `the sender reached only ${Math.round(sent.ratePerS)}/s` : drops > 0 ? `${drops} kernel drops` : lost > 0 ? `${lost} not handled within ${Math.round((limit - sendEnd) / 1000)} s`
      : drainS > drainAllowanceS(windowS) ? `backlog took ${drainS.toFixed(2)} s to clear` : '';
    const why = failure && `${failure}, receiver at ${cores.toFixed(2)} cores`;
    const run: RunFigures = {
      wallS: (end - t0) / 1000, cpuS, peakRssMiB: c.peakRssMiB(),
      extra: { ratePerS: sent.ratePerS, cpuUsPerMsg: done > 0 ? (cpuS * 1e6) / done : NaN, cores, drops, lost, drainS, sendErrors: sent.errors },
    };
    return { ok: why === '', why, run };
  } finally {
    await senders.close();
  }
}

/** Steps the rate up (each step once, retried once when it fails) until a step fails; the last one that held is the result. */
async function ladder(ctx: BenchContext, c: Contender, kind: EventKind, payloads: readonly Buffer[], rates: readonly number[], windowS: number): Promise<{ best?: UdpOutcome; rate: number; failedAt?: string; steps: string[] }> {
  let best: UdpOutcome | undefined, bestRate = 0;
  const steps: string[] = [];
  for (const rate of rates) {
    let r = await udpRun(c, kind, payloads, rate, windowS);
    if (!r.ok) { steps.push(`${rate}/s: ${r.why}, retried`); r = await udpRun(c, kind, payloads, rate, windowS); }
    steps.push(`${rate}/s: ${r.ok ? `held (CPU ${r.run.extra!.cpuUsPerMsg!.toFixed(1)} µs/msg, ${r.run.extra!.cores!.toFixed(2)} cores)` : r.why}`);
    ctx.say(`events: ${c.name} ${kind} ladder ${steps[steps.length - 1]}`);
    if (!r.ok) return { best, rate: bestRate, failedAt: `${rate}/s (${r.why})`, steps };
    best = r; bestRate = rate;
  }
  return { best, rate: bestRate, steps };
}

/** Sends `count` syslog lines over TCP as fast as the contender takes them and waits (bounded) until it handled them. */
async function tcpRun(c: Contender, lines: readonly string[], count: number): Promise<RunFigures> {
  const p0 = await c.processed();
  const cpu0 = c.cpuS();
  const t0 = performance.now();
  const sent = await sendTcp(c.ports.syslogTcp!, lines, count, TCP_CONNECTIONS, 120_000);
  const limit = performance.now() + 60_000;
  let done = 0;
  for (;;) {
    done = (await c.processed()) - p0;
    if (done >= sent.sent || performance.now() > limit) break;
    await sleep(20);
  }
  const wallS = (performance.now() - t0) / 1000;
  const cpuS = c.cpuS() - cpu0;
  return { wallS, cpuS, peakRssMiB: c.peakRssMiB(), extra: { linesPerS: done / wallS, cpuUsPerMsg: (cpuS * 1e6) / done, cores: cpuS / wallS, lost: Math.max(0, sent.sent - done) } };
}

const UDP_SHOW = [
  { key: 'ratePerS', label: 'sent/s', digits: 0 }, { key: 'cpuUsPerMsg', label: 'CPU µs/msg', digits: 1 }, { key: 'cores', label: 'cores', digits: 2 },
  { key: 'drops', label: 'kernel drops', digits: 0 }, { key: 'lost', label: 'not handled', digits: 0 }, { key: 'drainS', label: 'drain s', digits: 2 },
];
const LADDER_SHOW = [{ key: 'maxRate', label: 'highest zero-drop rate/s', digits: 0 }, { key: 'cpuUsPerMsg', label: 'CPU µs/msg there', digits: 1 }, { key: 'cores', label: 'cores there', digits: 2 }];
const TCP_SHOW = [{ key: 'linesPerS', label: 'lines/s', digits: 0 }, { key: 'cpuUsPerMsg', label: 'CPU µs/msg', digits: 1 }, { key: 'cores', label: 'cores', digits: 2 }, { key: 'lost', label: 'not handled', digits: 0 }];

/**
 * Section 7: traps/s and syslog lines/s one Noctua process takes with zero kernel drops, and its CPU per message,
 * against Net-SNMP snmptrapd and rsyslogd receiving the same load in the same run. See bench/README.md.
 */
export async function eventsSection(ctx: BenchContext): Promise<void> {
  const plan = ctx.quick ? QUICK : FULL;
  // Line k names the device that sends it (the receivers' inventory calls source k mod SOURCES dev-(k mod SOURCES + 1)).
  const lines = syslogLines(PAYLOADS, (i) => `dev-${(i % SOURCES) + 1}`);
  const payloads: Record<EventKind, Buffer[]> = { trap: trapPdus(PAYLOADS), syslog: lines.map((l) => Buffer.from(l)) };
  ctx.say('events: starting the Noctua receiver process, snmptrapd and rsyslogd');
  const noctua = await startNoctua({ stateDir: ctx.dir('events/noctua'), ...(ctx.profileDir ? { profileDir: ctx.profileDir } : {}) });
  ctx.onCleanup(() => noctua.stop());
  const trapd = await snmptrapdContender(ctx.dir('events/snmptrapd'));
  ctx.onCleanup(() => trapd.stop());
  const rsyslog = await rsyslogdContender(ctx.dir('events/rsyslogd'));
  ctx.onCleanup(() => rsyslog.stop());
  const peers: Record<EventKind, Contender> = { trap: trapd, syslog: rsyslog };
  const unit: Record<EventKind, string> = { trap: 'v2c traps', syslog: 'syslog lines (RFC 3164/5424, UDP)' };

  // Warm-up (JIT, buffers), not measured: half a second at the goal rate to each receiver.
  for (const kind of ['trap', 'syslog'] as const) for (const c of [noctua, peers[kind]]) await udpRun(c, kind, payloads[kind], GOAL[kind], 0.5);

  const ladders: Record<string, unknown> = {};
  for (const kind of ['trap', 'syslog'] as const) {
    const rate = GOAL[kind];
    const label = `${unit[kind]} at ${rate.toLocaleString('en-US')}/s for ${plan.windowS} s from ${SOURCES} sources`;
    ctx.say(`events: ${label}`);
    const res = await repeatInterleaved(ctx.repeats, [noctua, peers[kind]].map((c) => ({ name: c.name, run: async () => (await udpRun(c, kind, payloads[kind], rate, plan.windowS)).run })));
    for (const [name, summary] of res) ctx.rows.push({ section: 'events', case: label, contender: name, ...(name === 'noctua' ? { peer: peers[kind].name } : {}), summary, show: UDP_SHOW });
    if (!plan.ladder) continue;
    const ladderLabel = `${unit[kind]}: highest rate with zero drops (steps ${plan.ladder[kind].map((r) => `${r / 1000}k`).join(', ')}/s, ${plan.windowS} s each)`;
    for (const c of [noctua, peers[kind]]) {
      const l = await ladder(ctx, c, kind, payloads[kind], plan.ladder[kind], plan.windowS);
      ladders[`${c.name} ${kind}`] = l.steps;
      const run: RunFigures = l.best ? { ...l.best.run, extra: { ...l.best.run.extra, maxRate: l.rate } } : { wallS: NaN, cpuS: NaN, peakRssMiB: c.peakRssMiB(), extra: { maxRate: 0 } };
      ctx.rows.push({
        section: 'events', case: ladderLabel, contender: c.name, ...(c === noctua ? { peer: peers[kind].name } : {}), summary: summarize([run]), show: LADDER_SHOW,
        note: l.failedAt ? `failed at ${l.failedAt}` : 'held at every step (the ladder ends there)',
      });
    }
  }

  const tcpLabel = `${plan.tcpLines.toLocaleString('en-US')} syslog lines over ${TCP_CONNECTIONS} TCP connections, as fast as taken`;
  ctx.say(`events: ${tcpLabel}`);
  const tcp = await repeatInterleaved(ctx.repeats, [noctua, rsyslog].map((c) => ({ name: c.name, run: () => tcpRun(c, lines, plan.tcpLines) })));
  for (const [name, summary] of tcp) ctx.rows.push({ section: 'events', case: tcpLabel, contender: name, ...(name === 'noctua' ? { peer: 'rsyslogd' } : {}), summary, show: TCP_SHOW });

  const facts: Record<string, unknown> = {
    load: `pre-encoded before the clock starts: ${PAYLOADS} distinct v2c traps (IF-MIB linkDown/linkUp with ifDescr, Huawei hwPortDown/hwPowerFail, H3C, Cisco, APC, coldStart) and syslog lines (Huawei, H3C, Cisco, Ruijie, Junos, FortiGate in RFC 3164; RFC 5424; sshd), ` +
      `sent from ${SOURCES} loopback addresses (each an inventory device for Noctua) paced in 1 ms steps; a step holds when the kernel dropped nothing, everything was handled and the backlog cleared within 0.5 s + 10 % of the window`,
    noctua: 'one process (bench/events/noctua-receiver.ts): startEventReceivers → SampleBus → counting sink; rate limit and storm control set so nothing is held back (every message becomes an event sample on the bus)',
    peers: 'snmptrapd -f -Lo -n -C -X (authCommunity log public, no MIB files, output to a file); rsyslogd -n -f with imudp + imtcp, DNS off, omfile; both with the 4 MiB receive buffer Noctua asks for',
  };
  if (plan.ladder) facts.ladders = ladders;
  if (plan.influx) facts.influx = await influxPath(ctx, payloads, plan, peers, unit);
  ctx.facts.events = facts;
}

/** The full path once: a second Noctua process whose bus also feeds its InfluxDB writer, at the goal rates; influxd's CPU apart. */
async function influxPath(ctx: BenchContext, payloads: Record<EventKind, Buffer[]>, plan: Plan, peers: Record<EventKind, Contender>, unit: Record<EventKind, string>): Promise<Record<string, unknown>> {
  const influx = await startInfluxd({ dir: join(ctx.dir('events'), 'influxdb') });
  ctx.onCleanup(() => influx.stop());
  const full = await startNoctua({ stateDir: ctx.dir('events/noctua-influx'), influxUrl: influx.url, name: 'noctua + InfluxDB writer' });
  ctx.onCleanup(() => full.stop());
  const out: Record<string, unknown> = {};
  for (const kind of ['trap', 'syslog'] as const) await udpRun(full, kind, payloads[kind], GOAL[kind], 0.5);
  for (const kind of ['trap', 'syslog'] as const) {
    const label = `${unit[kind]} at ${GOAL[kind].toLocaleString('en-US')}/s for ${plan.windowS} s from ${SOURCES} sources`;
    ctx.say(`events: ${label}, with the InfluxDB writer`);
    const d0 = treeCpuSeconds([influx.process.pid]);
    const r = await udpRun(full, kind, payloads[kind], GOAL[kind], plan.windowS);
    out[`${kind} influxd CPU s`] = treeCpuSeconds([influx.process.pid]) - d0;
    ctx.rows.push({ section: 'events', case: label, contender: full.name, peer: peers[kind].name, summary: summarize([r.run]), show: UDP_SHOW, note: r.ok ? 'held' : r.why });
  }
  const before = await full.stats();
  await full.stop();
  out['samples on the bus / written by the writer'] = `${before.counted} / ${before.written} before the stop flushed the rest`;
  return out;
}
