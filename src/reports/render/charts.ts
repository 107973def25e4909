/**
 * Inline SVG charts for the report: no charting library, no script, so the same markup prints
 * identically in the browser, in the PDF and in an e-mail client that shows HTML.
 */

const FONT = 'font-family="Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, PingFang SC, DejaVu Sans, sans-serif"';
const PALETTE = ['#1f5fa8', '#d9822b', '#2e8b57', '#9b59b6', '#c0392b', '#16a085', '#7f8c8d', '#b8860b'];

/** Escapes text for XML (SVG and XHTML). */
export function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const r1 = (v: number) => Math.round(v * 10) / 10;

/** Vertical bars for values that may be missing (a missing bar is labelled, not drawn as zero). */
export function barChart(opts: { title: string; bars: { label: string; value?: number }[]; min: number; max: number; valueText: (v: number) => string; missingText: string; width?: number; height?: number; warnBelow?: number }): string {
  const W = opts.width ?? 640; const H = opts.height ?? 220;
  const left = 48; const right = 10; const top = 40; const bottom = 30;
  const plotW = W - left - right; const plotH = H - top - bottom;
  const n = Math.max(1, opts.bars.length);
  const slot = plotW / n; const barW = Math.min(48, slot * 0.6);
  const y = (v: number) => top + plotH - ((Math.min(Math.max(v, opts.min), opts.max) - opts.min) / (opts.max - opts.min)) * plotH;
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ${FONT} font-size="11" role="img">`,
    `<title>${xml(opts.title)}</title>`, `<text x="${left}" y="16" font-size="12" font-weight="bold" fill="#222">${xml(opts.title)}</text>`];
  for (let i = 0; i <= 4; i++) {
    const v = opts.min + ((opts.max - opts.min) * i) / 4;
    parts.push(`<line x1="${left}" y1="${r1(y(v))}" x2="${W - right}" y2="${r1(y(v))}" stroke="#e3e3e3"/>`,
      `<text x="${left - 4}" y="${r1(y(v) + 4)}" text-anchor="end" fill="#666">${xml(opts.valueText(v))}</text>`);
  }
  // A month has 30 bars: label every few days and print only the values worth reading, so nothing overlaps.
  const crowded = n > 12;
  const labelEvery = crowded ? Math.ceil(n / 10) : 1;
  opts.bars.forEach((b, i) => {
    const cx = left + slot * i + slot / 2;
    if (i % labelEvery === 0) parts.push(`<text x="${r1(cx)}" y="${H - bottom + 14}" text-anchor="middle" fill="#444">${xml(b.label)}</text>`);
    if (b.value === undefined) {
      if (crowded) parts.push(`<rect x="${r1(cx - barW / 2)}" y="${r1(top + plotH - 3)}" width="${r1(barW)}" height="3" fill="#c8c8c8"/>`);
      else parts.push(`<text x="${r1(cx)}" y="${r1(top + plotH - 6)}" text-anchor="middle" fill="#999">${xml(opts.missingText)}</text>`);
      return;
    }
    const yy = y(b.value);
    const low = opts.warnBelow !== undefined && b.value < opts.warnBelow;
    parts.push(`<rect x="${r1(cx - barW / 2)}" y="${r1(yy)}" width="${r1(barW)}" height="${r1(Math.max(1, top + plotH - yy))}" fill="${low ? '#d9822b' : '#1f5fa8'}"/>`);
    if (!crowded || low) parts.push(`<text x="${r1(cx)}" y="${r1(yy - 4)}" text-anchor="middle" fill="#222" font-size="10">${xml(opts.valueText(b.value))}</text>`);
  });
  if (crowded && opts.bars.some((b) => b.value === undefined)) {
    parts.push(`<rect x="${W - right - 90}" y="8" width="10" height="3" fill="#c8c8c8"/>`, `<text x="${W - right - 76}" y="13" fill="#666">${xml(opts.missingText)}</text>`);
  }
  parts.push(`<line x1="${left}" y1="${top + plotH}" x2="${W - right}" y2="${top + plotH}" stroke="#888"/>`, '</svg>');
  return parts.join('');
}

/** Lines over time, one per series, with a legend. */
export function lineChart(opts: { title: string; series: { name: string; points: { time: Date; value: number }[] }[]; start: Date; end: Date; tickText: (t: Date) => string; ticks: Date[]; valueText: (v: number) => string; width?: number; height?: number }): string {
  const W = opts.width ?? 640; const H = opts.height ?? 230;
  const left = 48; const right = 10; const top = 32; const bottom = 46;
  const plotW = W - left - right; const plotH = H - top - bottom;
  const all = opts.series.flatMap((s) => s.points.map((p) => p.value));
  const maxV = all.length > 0 ? Math.max(...all) : 1;
  const step = niceStep(maxV / 4);
  const top4 = Math.max(step * 4, step * Math.ceil(maxV / step));
  const t0 = opts.start.getTime(); const t1 = opts.end.getTime();
  const x = (t: Date) => left + ((t.getTime() - t0) / (t1 - t0)) * plotW;
  const y = (v: number) => top + plotH - (v / top4) * plotH;
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ${FONT} font-size="11" role="img">`,
    `<title>${xml(opts.title)}</title>`, `<text x="${left}" y="16" font-size="12" font-weight="bold" fill="#222">${xml(opts.title)}</text>`];
  for (let v = 0; v <= top4 + 1e-9; v += step) {
    parts.push(`<line x1="${left}" y1="${r1(y(v))}" x2="${W - right}" y2="${r1(y(v))}" stroke="#e3e3e3"/>`,
      `<text x="${left - 4}" y="${r1(y(v) + 4)}" text-anchor="end" fill="#666">${xml(opts.valueText(v))}</text>`);
  }
  for (const t of opts.ticks) {
    parts.push(`<line x1="${r1(x(t))}" y1="${top}" x2="${r1(x(t))}" y2="${top + plotH}" stroke="#f0f0f0"/>`,
      `<text x="${r1(x(t))}" y="${top + plotH + 14}" text-anchor="middle" fill="#444">${xml(opts.tickText(t))}</text>`);
  }
  opts.series.forEach((s, i) => {
    const colour = PALETTE[i % PALETTE.length]!;
    if (s.points.length > 1) {
      const d = s.points.map((p, j) => `${j === 0 ? 'M' : 'L'}${r1(x(p.time))},${r1(y(p.value))}`).join(' ');
      parts.push(`<path d="${d}" fill="none" stroke="${colour}" stroke-width="1.5"/>`);
    } else if (s.points[0]) {
      parts.push(`<circle cx="${r1(x(s.points[0].time))}" cy="${r1(y(s.points[0].value))}" r="2.5" fill="${colour}"/>`);
    }
    const lx = left + (i % 5) * 120; const ly = H - 10 - Math.floor(i / 5) * 0;
    parts.push(`<rect x="${lx}" y="${ly - 8}" width="10" height="3" fill="${colour}"/>`, `<text x="${lx + 14}" y="${ly - 4}" fill="#333">${xml(s.name)}</text>`);
  });
  parts.push(`<line x1="${left}" y1="${top + plotH}" x2="${W - right}" y2="${top + plotH}" stroke="#888"/>`, '</svg>');
  return parts.join('');
}

/** Horizontal bars on a 0-100 % scale, longest first. */
export function hbarChart(opts: { title: string; items: { label: string; value: number }[]; valueText: (v: number) => string; width?: number; warnAt?: number }): string {
  const W = opts.width ?? 640; const rowH = 18; const top = 28; const labelW = 220; const right = 60;
  const H = top + opts.items.length * rowH + 10;
  const plotW = W - labelW - right;
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ${FONT} font-size="11" role="img">`,
    `<title>${xml(opts.title)}</title>`, `<text x="0" y="16" font-size="12" font-weight="bold" fill="#222">${xml(opts.title)}</text>`];
  opts.items.forEach((it, i) => {
    const yy = top + i * rowH;
    const w = (Math.min(100, Math.max(0, it.value)) / 100) * plotW;
    const colour = opts.warnAt !== undefined && it.value >= opts.warnAt ? '#c0392b' : '#1f5fa8';
    parts.push(`<text x="${labelW - 6}" y="${yy + 12}" text-anchor="end" fill="#333">${xml(truncate(it.label, 34))}</text>`,
      `<rect x="${labelW}" y="${yy + 3}" width="${r1(plotW)}" height="12" fill="#f1f3f6"/>`,
      `<rect x="${labelW}" y="${yy + 3}" width="${r1(Math.max(1, w))}" height="12" fill="${colour}"/>`,
      `<text x="${r1(labelW + plotW + 4)}" y="${yy + 12}" fill="#222">${xml(opts.valueText(it.value))}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

function niceStep(raw: number): number {
  if (!(raw > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}
