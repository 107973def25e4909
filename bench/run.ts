/**
 * `npm run bench [-- --quick] [-- --only icmp|snmp|fleet|influx|alerts|cluster|consume|events|discovery]`: starts every component it needs on
 * loopback, measures Noctua and its peer in the same run on the same targets, prints a Markdown table on stdout
 * and writes bench/results/<date>-<host>.json. See bench/README.md for what each figure means.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, hostname, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../src/core/log.js';
import { scratchDir, type BenchContext } from './context.js';
import { parseBenchArgs, type Section } from './options.js';
import { issueTargets, targetsTable } from './targets.js';
import { markdownTable, type ResultRow } from './report.js';
import { alertsSection } from './sections/alerts.js';
import { clusterSection } from './sections/cluster.js';
import { consumeSection } from './sections/consume.js';
import { discoverySection } from './sections/discovery.js';
import { eventsSection } from './sections/events.js';
import { fleetSection } from './sections/fleet.js';
import { icmpSection } from './sections/icmp.js';
import { influxSection } from './sections/influx.js';
import { snmpSection } from './sections/snmp.js';

const RUNNERS: Record<Section, (ctx: BenchContext) => Promise<void>> = {
  icmp: icmpSection, snmp: snmpSection, fleet: fleetSection, influx: influxSection, alerts: alertsSection, cluster: clusterSection, consume: consumeSection, events: eventsSection, discovery: discoverySection,
};

/** The machine the figures came from, for the JSON and the README table. */
function machine() {
  const model = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpus()[0]?.model ?? 'unknown';
  return { host: hostname(), cores: cpus().length, model, node: process.version, memGiB: Math.round(Number(/MemTotal:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0) / 1048576) };
}

async function main(): Promise<number> {
  let opts;
  try {
    opts = parseBenchArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\n`);
    return 2;
  }
  const started = new Date();
  const work = mkdtempSync(join(tmpdir(), 'noctua-bench-'));
  // snmpsimd drops to nobody (as root): it must be able to enter the work dir to read the recordings linked there.
  chmodSync(work, 0o755);
  const cleanups: (() => Promise<void> | void)[] = [];
  const rows: ResultRow[] = [];
  const facts: Record<string, unknown> = {};
  const failures: Record<string, string> = {};
  const t0 = performance.now();
  const say = (msg: string) => process.stderr.write(`[bench ${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${msg}\n`);
  const ctx: BenchContext = {
    quick: opts.quick, repeats: opts.repeats, rows, facts, say, ...(opts.profileDir ? { profileDir: opts.profileDir } : {}), ...(opts.fleet ? { fleet: opts.fleet } : {}),
    dir: (name) => scratchDir(work, name),
    log: createLogger({ level: 'error', name: 'bench' }),
    onCleanup: (fn) => { cleanups.push(fn); },
  };
  const stop = async () => {
    for (const fn of cleanups.splice(0).reverse()) {
      try { await fn(); } catch (err) { say(`clean-up failed: ${(err as Error).message}`); }
    }
  };
  // Ctrl-C: stop every child we started (the supervisor kills their process groups) before leaving.
  process.once('SIGINT', () => { void stop().finally(() => process.exit(130)); });
  process.once('SIGTERM', () => { void stop().finally(() => process.exit(143)); });

  say(`${opts.quick ? 'quick' : 'full'} run: ${opts.sections.join(', ')}; load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  const loadBefore = loadavg();
  for (const section of opts.sections) {
    const s0 = performance.now();
    try {
      await RUNNERS[section](ctx);
    } catch (err) {
      failures[section] = (err as Error).stack ?? String(err);
      say(`${section} FAILED: ${(err as Error).message}`);
    } finally {
      await stop();
    }
    facts[`${section} section seconds`] = Math.round((performance.now() - s0) / 100) / 10;
  }
  const m = machine();
  const result = {
    started: started.toISOString(), finished: new Date().toISOString(), mode: opts.quick ? 'quick' : 'full', repeats: opts.repeats,
    machine: m, loadBefore, loadAfter: loadavg(), sections: opts.sections, rows, facts, failures,
    targets: issueTargets({ rows, facts }),
  };
  const outDir = opts.outDir ?? join(dirname(fileURLToPath(import.meta.url)), 'results');
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `${started.toISOString().slice(0, 10)}-${m.host}${opts.quick ? '-quick' : ''}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  rmSync(work, { recursive: true, force: true });

  const out = [
    `## Noctua bench (${result.mode}, ${result.started})`, '',
    `Machine: ${m.cores} cores, ${m.model}, ${m.memGiB} GiB, Node ${m.node}; load average before ${loadBefore.map((x) => x.toFixed(2)).join(' ')}, after ${result.loadAfter.map((x) => x.toFixed(2)).join(' ')}.`,
    `Medians of ${opts.repeats} runs, (min–max) spread; "× peer" is the median's ratio to the peer's median (below 1: faster or cheaper than the peer).`, '',
    markdownTable(rows), '',
    targetsTable(result.targets), '',
    ...Object.entries(facts).map(([k, v]) => `- ${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`),
    ...Object.entries(failures).map(([k, v]) => `- **${k} failed**: ${v.split('\n')[0]}`),
    '', `Results: ${file}`, '',
  ];
  process.stdout.write(out.join('\n'));
  return Object.keys(failures).length ? 1 : 0;
}

process.exitCode = await main();
