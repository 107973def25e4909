import type { Block, Cell, ReportDocument } from './document.js';

function mdText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\n/g, '<br>');
}

function cellMd(c: Cell): string {
  const text = mdText(typeof c === 'string' ? c : c.text);
  return typeof c !== 'string' && (c.tone === 'bad' || c.tone === 'warn') ? `**${text}**` : text;
}

function blockMd(b: Block): string {
  switch (b.type) {
    case 'p': return b.tone === 'warn' ? `> **${mdText(b.text)}**` : mdText(b.text);
    case 'h3': return `### ${mdText(b.text)}`;
    case 'kpis': return b.items.map((k) => `- **${mdText(k.label)}**: ${mdText(k.value)}${k.sub ? ` (${mdText(k.sub)})` : ''}`).join('\n');
    case 'table': {
      const sep = b.head.map((_, i) => (b.align?.[i] === 'r' ? '---:' : b.align?.[i] === 'c' ? ':---:' : '---'));
      return [`| ${b.head.map((h) => mdText(h) || ' ').join(' | ')} |`, `| ${sep.join(' | ')} |`, ...b.rows.map((r) => `| ${r.map(cellMd).join(' | ')} |`)].join('\n');
    }
    case 'list': return b.items.map((i, n) => `${b.ordered ? `${n + 1}.` : '-'} ${mdText(i)}`).join('\n');
    // Charts repeat numbers the tables already give; Markdown viewers rarely show inline SVG.
    case 'chart': return '';
  }
}

/** The report as Markdown (for chat channels and tickets): the same content as the HTML, without charts. */
export function renderMarkdown(doc: ReportDocument): string {
  const out = [`# ${mdText(doc.title)}`, '', ...doc.meta.map((m) => `- ${mdText(m.label)}: ${mdText(m.value)}`), `- **${mdText(doc.verdict.text)}**`, ''];
  for (const s of doc.sections) {
    out.push(`## ${mdText(s.title)}`, '');
    for (const b of s.blocks) { const t = blockMd(b); if (t) out.push(t, ''); }
  }
  out.push('---', '', ...doc.footnotes.map(mdText), '');
  return out.join('\n');
}
