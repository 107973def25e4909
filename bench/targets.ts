/**
 * Issue 23's targets, read from one bench result (the JSON `npm run bench` writes): each stated as met, not met or
 * not measured, with the figure it was judged on. Computed from the same rows and facts the table shows, so the
 * verdicts in bench/README.md come from the run, not from a hand-copied number.
 *
 * `node --import tsx bench/targets.ts bench/results/<file>.json` prints the table of a saved run.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ResultRow } from './report.js';

/** One target's verdict. */
export interface TargetVerdict {
  target: string;
  /** The figure(s) it was judged on, in words. */
  measured: string;
  met: boolean | undefined;
}

/** What the verdicts need of a result: its rows and facts (`bench/run.ts` writes both). */
export interface BenchResultLike {
  rows: readonly ResultRow[];
  facts: Record<string, unknown>;
}

/** A fleet run's figures as the fleet section records them (`fleet <devices>` facts). */
interface FleetFacts {
  noctuaCores?: number; steadyCores?: number; peakRssMiB?: number; countedSpanS?: number;
  snmpDue?: number; snmpCompleted?: number; snmpFailed?: number; snmpOverruns?: number;
  icmpDue?: number; icmpCompleted?: number; icmpOverruns?: number;
  snmpLatencyP99Ms?: number; steadySnmpLatencyP99Ms?: number;
  cpuMsPerDevicePoll?: number; simulatorCores?: number;
  /** SNMP polls that may still be in flight at the run's cut (the fleet section's estimate from the poll rate). */
  snmpInFlightAllowance?: number; snmpIntervalMs?: number;
}

const SNMP_INTERVAL_MS = 60_000;
const n = (x: number | undefined, digits = 2) => (x === undefined || !Number.isFinite(x) ? '–' : x.toLocaleString('en-US', { maximumFractionDigits: digits }));

/** The fleet runs of a result, by device count. */
export function fleetRuns(facts: Record<string, unknown>): Map<number, FleetFacts> {
  const out = new Map<number, FleetFacts>();
  for (const [key, value] of Object.entries(facts)) {
    const m = /^fleet (\d+)$/.exec(key);
    if (m && value && typeof value === 'object') out.set(Number(m[1]), value as FleetFacts);
  }
  return out;
}

/** Noctua's CPU ms per device-poll (SNMP and ICMP polls completed) over a fleet run's counted span. */
export function cpuMsPerDevicePoll(f: FleetFacts): number {
  if (f.cpuMsPerDevicePoll !== undefined) return f.cpuMsPerDevicePoll;
  const polls = (f.snmpCompleted ?? 0) + (f.icmpCompleted ?? 0);
  return polls > 0 && f.noctuaCores !== undefined && f.countedSpanS !== undefined ? (f.noctuaCores * f.countedSpanS * 1000) / polls : NaN;
}

/**
 * Whether a fleet run met the interval: no poll failed, no overruns, SNMP p99 under the interval, and every due poll
 * completed but those still in flight at the cut (the stop always leaves some; more than the allowance is a backlog).
 */
export function meetsInterval(f: FleetFacts): boolean {
  const due = f.snmpDue ?? NaN, completed = f.snmpCompleted ?? NaN;
  return (f.snmpFailed ?? 1) === 0 && (f.snmpOverruns ?? 1) === 0 && (f.icmpOverruns ?? 1) === 0
    && f.icmpCompleted !== undefined && f.icmpCompleted === f.icmpDue && due - completed <= (f.snmpInFlightAllowance ?? 0)
    && (f.snmpLatencyP99Ms ?? Infinity) < (f.snmpIntervalMs ?? SNMP_INTERVAL_MS);
}

/** A row's median of one figure divided by its peer's (NaN when either is missing). */
function ratio(r: ResultRow | undefined, rows: readonly ResultRow[], key: string): number {
  const peer = r && rows.find((p) => p.section === r.section && p.case === r.case && p.contender === r.peer);
  const a = r?.summary.median.extra?.[key], b = peer?.summary.median.extra?.[key];
  return a === undefined || b === undefined || b === 0 ? NaN : a / b;
}

function row(rows: readonly ResultRow[], section: string, caseHas: string, contenderStarts: string): ResultRow | undefined {
  return rows.find((r) => r.section === section && r.case.includes(caseHas) && r.contender.startsWith(contenderStarts) && r.peer !== undefined);
}

/** Every issue 23 target with its verdict, in the issue's order. */
export function issueTargets(result: BenchResultLike): TargetVerdict[] {
  const { rows, facts } = result;
  const out: TargetVerdict[] = [];
  const fleets = fleetRuns(facts);
  const f5 = fleets.get(5000);
  if (f5) {
    const failed = f5.snmpFailed ?? NaN;
    out.push({ target: '5,000 devices: every SNMP and ICMP poll completed, 0 overruns', measured: `SNMP ${n(f5.snmpCompleted, 0)}/${n(f5.snmpDue, 0)} (${n(failed, 0)} failed, ${n(f5.snmpInFlightAllowance, 0)} may be in flight at the cut), ICMP ${n(f5.icmpCompleted, 0)}/${n(f5.icmpDue, 0)}, overruns ${n((f5.snmpOverruns ?? 0) + (f5.icmpOverruns ?? 0), 0)} over ${n(f5.countedSpanS, 0)} s`, met: meetsInterval(f5) });
    out.push({ target: '5,000 devices: SNMP p99 below the 60 s interval', measured: `p99 ${n(f5.snmpLatencyP99Ms, 0)} ms (after the first interval ${n(f5.steadySnmpLatencyP99Ms, 0)} ms)`, met: (f5.snmpLatencyP99Ms ?? Infinity) < SNMP_INTERVAL_MS });
    out.push({ target: '5,000 devices: Noctua below 1 core on average', measured: `${n(f5.noctuaCores)} cores (${n(f5.steadyCores)} after the first interval); simulators ${n(f5.simulatorCores)}`, met: (f5.noctuaCores ?? Infinity) < 1 });
    out.push({ target: '5,000 devices: below 1 GiB RSS', measured: `peak ${n(f5.peakRssMiB, 0)} MiB`, met: (f5.peakRssMiB ?? Infinity) < 1024 });
  } else {
    out.push({ target: '5,000 devices at 60 s SNMP / 30 s ICMP', measured: 'no 5,000-device fleet run in this result', met: undefined });
  }
  const meeting = [...fleets].filter(([, f]) => meetsInterval(f)).sort((a, b) => b[0] - a[0]);
  const largestTried = Math.max(0, ...fleets.keys());
  if (meeting.length > 0) {
    const [devices, f] = meeting[0]!;
    out.push({ target: 'largest fleet that meets the interval (moonshot 10,000)', measured: `${n(devices, 0)} devices (largest tried ${n(largestTried, 0)}): ${n(f.noctuaCores)} cores, peak ${n(f.peakRssMiB, 0)} MiB`, met: devices >= 10_000 });
  } else {
    out.push({ target: 'largest fleet that meets the interval (moonshot 10,000)', measured: fleets.size ? `none of ${[...fleets.keys()].map((k) => n(k, 0)).join(', ')} met it` : 'no fleet run', met: fleets.size ? false : undefined });
  }
  const f2 = fleets.get(2000);
  out.push(f2
    ? { target: 'cost per device-poll at 2,000 devices ≤ 1.5 ms CPU (poll + writer + engine + self metrics)', measured: `${n(cpuMsPerDevicePoll(f2), 3)} ms per device-poll (SNMP + ICMP polls completed)`, met: cpuMsPerDevicePoll(f2) <= 1.5 }
    : { target: 'cost per device-poll at 2,000 devices ≤ 1.5 ms CPU', measured: 'no 2,000-device fleet run in this result', met: undefined });
  for (const c of ['1 concurrent', '4 concurrent']) {
    const r = row(rows, 'influx', c, 'noctua writer');
    const x = ratio(r, rows, 'pointsPerS');
    out.push({ target: `writer ≥ 1.0× raw line protocol, ${c}`, measured: r ? `${n(x)}× points/s (client CPU per point ${n(ratio(r, rows, 'clientCpuSPer100k'))}×)` : 'not measured', met: Number.isFinite(x) ? x >= 1 : undefined });
  }
  const snmpRows = rows.filter((r) => r.section === 'snmp' && r.case.startsWith('IF-MIB') && r.contender.startsWith('noctua') && r.peer);
  if (snmpRows.length > 0) {
    const ratios = snmpRows.map((r) => ({ c: r.case, x: ratio(r, rows, 'pollsPerCpuS') }));
    out.push({ target: 'SNMP ≥ 4× prometheus-snmp-exporter device-polls per CPU-second, IF-MIB', measured: ratios.map((r) => `${n(r.x)}× (${r.c.replace(/^IF-MIB part, /, '')})`).join('; '), met: ratios.every((r) => r.x >= 4) });
  } else {
    out.push({ target: 'SNMP ≥ 4× prometheus-snmp-exporter device-polls per CPU-second, IF-MIB', measured: 'not measured', met: undefined });
  }
  const icmp = row(rows, 'icmp', '10,000 targets', 'noctua (fping');
  if (icmp) {
    const cycle = icmp.summary.median.extra?.cycleS;
    const wallX = ratio(icmp, rows, 'cycleS'), cpuX = ratio(icmp, rows, 'cpuMsPerTarget');
    out.push({ target: 'ICMP 10,000 targets × 3 probes within the 30 s cycle, ≤ 1.2× fping\'s wall, ≤ 2× its CPU per target', measured: `cycle ${n(cycle)} s, ${n(wallX)}× wall, ${n(cpuX)}× CPU per target`, met: (cycle ?? Infinity) < 30 && wallX <= 1.2 && cpuX <= 2 });
  } else {
    out.push({ target: 'ICMP 10,000 targets × 3 probes', measured: 'not measured', met: undefined });
  }
  return out;
}

/** The verdicts as a Markdown table. */
export function targetsTable(verdicts: readonly TargetVerdict[]): string {
  const word = (m: boolean | undefined) => (m === undefined ? 'not measured' : m ? 'yes' : '**no**');
  return ['| target (issue 23) | measured | met |', '|---|---|---|', ...verdicts.map((v) => `| ${v.target} | ${v.measured.replace(/\|/g, '/')} | ${word(v.met)} |`)].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = process.argv[2];
  if (!file) { process.stderr.write('usage: node --import tsx bench/targets.ts bench/results/<file>.json\n'); process.exit(2); }
  process.stdout.write(targetsTable(issueTargets(JSON.parse(readFileSync(file, 'utf8')) as BenchResultLike)) + '\n');
}
