import { xml } from './charts.js';
import type { Block, Cell, ReportDocument } from './document.js';

const CSS = `
@page { size: A4; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei", "PingFang SC", "DejaVu Sans", sans-serif; font-size: 10pt; color: #1d2630; margin: 0 auto; max-width: 190mm; line-height: 1.45; }
header.cover { border-bottom: 3px solid #1f5fa8; padding: 6mm 0 3mm; margin-bottom: 4mm; display: flex; justify-content: space-between; align-items: flex-end; gap: 4mm; }
header.cover > div:first-child { flex: 1 1 auto; }
header.cover h1 { font-size: 18pt; margin: 0 0 2mm; color: #12365f; }
header.cover table.meta td { padding: 0 4mm 0 0; font-size: 9pt; color: #445; border: none; }
header.cover table.meta td.k { color: #778; }
.verdict { flex: 0 1 auto; max-width: 62mm; text-align: center; font-size: 12pt; font-weight: bold; padding: 2mm 4mm; border-radius: 2mm; }
.verdict.good { background: #e3f4ea; color: #1e7b45; } .verdict.bad { background: #fbe7e4; color: #b0281a; } .verdict.muted { background: #eee; color: #555; }
h2 { font-size: 13pt; color: #12365f; border-left: 4px solid #1f5fa8; padding-left: 2.5mm; margin: 6mm 0 2.5mm; break-after: avoid; page-break-after: avoid; }
h3 { font-size: 10.5pt; margin: 4mm 0 1.5mm; color: #283848; break-after: avoid; page-break-after: avoid; }
p { margin: 1.5mm 0; }
p.warn { background: #fff4e0; border: 1px solid #f0c36d; padding: 2mm 3mm; }
p.note { color: #5a6672; font-style: normal; }
table.data { width: 100%; border-collapse: collapse; font-size: 8.5pt; margin: 1mm 0 2mm; }
table.data th { background: #eef2f7; color: #283848; font-weight: 600; text-align: left; padding: 1.2mm 1.5mm; border-bottom: 1px solid #c9d3de; }
table.data td { padding: 1mm 1.5mm; border-bottom: 1px solid #e6eaef; vertical-align: top; }
table.data thead { display: table-header-group; }
table.data tr { break-inside: avoid; page-break-inside: avoid; }
table.data td.nw, table.data td:first-child { white-space: nowrap; }
table.data th.r, table.data th.c { white-space: normal; }
table.data.incidents, table.data.devices { font-size: 8pt; }
table.data.devices td, table.data.devices th { padding: 1mm 1.1mm; }
table.data .r { text-align: right; font-variant-numeric: tabular-nums; } table.data .c { text-align: center; }
td.good { color: #1e7b45; } td.warn { color: #b86400; font-weight: 600; } td.bad { color: #b0281a; font-weight: 600; } td.muted { color: #8a949e; }
.kpis { display: grid; grid-template-columns: repeat(3, 1fr); gap: 2.5mm; margin: 2mm 0 3mm; }
.kpi { border: 1px solid #d5dde6; border-radius: 2mm; padding: 2.5mm 3mm; break-inside: avoid; }
.kpi .l { font-size: 8.5pt; color: #5a6672; } .kpi .v { font-size: 16pt; font-weight: bold; color: #12365f; } .kpi .s { font-size: 8pt; color: #5a6672; }
.kpi.good .v { color: #1e7b45; } .kpi.warn .v { color: #b86400; } .kpi.bad .v { color: #b0281a; }
figure { margin: 2mm 0 3mm; break-inside: avoid; page-break-inside: avoid; } figure svg { max-width: 100%; height: auto; }
ol.recs li { margin-bottom: 1.5mm; }
footer.notes { margin-top: 6mm; border-top: 1px solid #d5dde6; padding-top: 2mm; font-size: 8pt; color: #5a6672; }
@media screen { body { padding: 0 6mm 10mm; } }
`;

function cellHtml(tag: 'td' | 'th', c: Cell, align: string | undefined): string {
  const text = typeof c === 'string' ? c : c.text;
  const classes = [align === 'r' ? (tag === 'td' ? 'r nw' : 'r') : align === 'c' ? (tag === 'td' ? 'c nw' : 'c') : '', typeof c === 'string' ? '' : (c.tone ?? '')].filter(Boolean).join(' ');
  return `<${tag}${classes ? ` class="${classes}"` : ''}>${xml(text).split('\n').join('<br/>')}</${tag}>`;
}

function blockHtml(b: Block): string {
  switch (b.type) {
    case 'p': return `<p${b.tone ? ` class="${b.tone}"` : ''}>${xml(b.text)}</p>`;
    case 'h3': return `<h3>${xml(b.text)}</h3>`;
    case 'kpis': return `<div class="kpis">${b.items.map((k) => `<div class="kpi${k.tone ? ` ${k.tone}` : ''}"><div class="l">${xml(k.label)}</div><div class="v">${xml(k.value)}</div>${k.sub ? `<div class="s">${xml(k.sub)}</div>` : ''}</div>`).join('')}</div>`;
    case 'table': return `<table class="data${b.variant ? ` ${b.variant}` : ''}"><thead><tr>${b.head.map((h, i) => cellHtml('th', h, b.align?.[i])).join('')}</tr></thead><tbody>${b.rows.map((r) => `<tr>${r.map((c, i) => cellHtml('td', c, b.align?.[i])).join('')}</tr>`).join('')}</tbody></table>`;
    case 'list': { const t = b.ordered ? 'ol' : 'ul'; return `<${t} class="recs">${b.items.map((i) => `<li>${xml(i)}</li>`).join('')}</${t}>`; }
    case 'chart': return `<figure>${b.svg}</figure>`;
  }
}

/** The report as one self-contained, well-formed (XHTML-parsable) HTML page: inline CSS and SVG, no script, no external resource. */
export function renderHtml(doc: ReportDocument): string {
  const head = `<head><meta charset="utf-8"/><meta name="viewport" content="width=device-width, initial-scale=1"/><title>${xml(doc.title)}</title><style>${CSS}</style></head>`;
  const cover = `<header class="cover"><div><h1>${xml(doc.title)}</h1><table class="meta"><tbody>${doc.meta.map((m) => `<tr><td class="k">${xml(m.label)}</td><td>${xml(m.value)}</td></tr>`).join('')}</tbody></table></div><div class="verdict ${doc.verdict.tone}">${xml(doc.verdict.text)}</div></header>`;
  const body = doc.sections.map((s) => `<section><h2>${xml(s.title)}</h2>${s.blocks.map(blockHtml).join('\n')}</section>`).join('\n');
  const notes = `<footer class="notes">${doc.footnotes.map((f) => `<p>${xml(f)}</p>`).join('')}</footer>`;
  return `<!DOCTYPE html>\n<html xmlns="http://www.w3.org/1999/xhtml" lang="${doc.lang}">${head}<body>${cover}\n${body}\n${notes}</body></html>\n`;
}
