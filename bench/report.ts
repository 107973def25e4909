import type { Summary } from './measure.js';

/** One contender's figures in one case of a section, with the peer it is compared with. */
export interface ResultRow {
  section: string;
  /** What was measured, e.g. "1,000 targets" or "sequential, 23 devices". */
  case: string;
  contender: string;
  /** The contender of the same case this row is compared with (absent for the peer itself). */
  peer?: string;
  summary: Summary;
  /** Extra figures (keys of summary.median.extra) to print, with their labels, in order. */
  show?: { key: string; label: string; digits?: number }[];
  note?: string;
}

/** Ratios of a row to its peer: wall and CPU (below 1 = faster / cheaper than the peer), and of each shown extra figure. */
export interface PeerRatio { wall: number; cpu: number; extra: Record<string, number> }

/** The ratio of a row's medians to its peer's medians, or undefined when it has no peer in `rows`. */
export function peerRatio(row: ResultRow, rows: readonly ResultRow[]): PeerRatio | undefined {
  if (!row.peer) return undefined;
  const peer = rows.find((r) => r.section === row.section && r.case === row.case && r.contender === row.peer);
  if (!peer) return undefined;
  const div = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || b === 0 || !Number.isFinite(a) || !Number.isFinite(b) ? NaN : a / b);
  const extra: Record<string, number> = {};
  for (const { key } of row.show ?? []) extra[key] = div(row.summary.median.extra?.[key], peer.summary.median.extra?.[key]);
  return { wall: div(row.summary.median.wallS, peer.summary.median.wallS), cpu: div(row.summary.median.cpuS, peer.summary.median.cpuS), extra };
}

/** A number for a table: fixed digits, thousands separators, "–" for a missing figure. */
export function fmt(x: number | undefined, digits = 2): string {
  if (x === undefined || !Number.isFinite(x)) return '–';
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function withSpread(s: Summary, pick: (f: Summary['median']) => number | undefined, digits: number): string {
  const m = pick(s.median), lo = pick(s.min), hi = pick(s.max);
  if (m === undefined || !Number.isFinite(m)) return '–';
  if (s.runs < 2 || lo === undefined || hi === undefined || lo === hi) return fmt(m, digits);
  return `${fmt(m, digits)} (${fmt(lo, digits)}–${fmt(hi, digits)})`;
}

/** The Markdown table of every row: medians with min–max spread, and ratios to the peer. */
export function markdownTable(rows: readonly ResultRow[]): string {
  const head = '| section | case | contender | runs | wall s | CPU s | peak RSS MiB | × peer wall | × peer CPU | figures |';
  const out = [head, '|---|---|---|---|---|---|---|---|---|---|'];
  for (const r of rows) {
    const ratio = peerRatio(r, rows);
    const figures = (r.show ?? []).map(({ key, label, digits }) => {
      const v = withSpread(r.summary, (f) => f.extra?.[key], digits ?? 1);
      const x = ratio?.extra[key];
      return `${label} ${v}${x !== undefined && Number.isFinite(x) ? ` (×${fmt(x, 2)})` : ''}`;
    });
    if (r.note) figures.push(r.note);
    out.push(`| ${r.section} | ${r.case} | ${r.contender}${r.peer ? ` vs ${r.peer}` : ''} | ${r.summary.runs} | ${withSpread(r.summary, (f) => f.wallS, 3)} | ${withSpread(r.summary, (f) => f.cpuS, 3)} | ${withSpread(r.summary, (f) => f.peakRssMiB, 0)} | ${ratio ? fmt(ratio.wall, 2) : '–'} | ${ratio ? fmt(ratio.cpu, 2) : '–'} | ${figures.join('; ').replace(/\|/g, '/')} |`);
  }
  return out.join('\n');
}
