/**
 * A runbook as the page a person opens from a notice's link: the team's Markdown laid out as HTML. Only the
 * plain subset runbooks use is read (headings, numbered and bulleted lists, paragraphs, fenced code, inline
 * code, bold, links to http(s)); every character of the file is escaped first, so a runbook can carry no
 * script, style or markup of its own (the page is also served with a CSP that allows none).
 */
import type { Lang } from '../../config/lang.js';
import type { Runbook } from './runbooks.js';

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ESC[c]!);

/** Inline markup of one escaped line: `code`, **bold**, [text](http…). */
function inline(line: string): string {
  return esc(line)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    // The URL was escaped with the rest: quotes cannot leave the attribute; only http(s) becomes a link.
    .replace(/\[([^\]]+)\]\((https?:\/\/[^\s)]+)\)/g, '<a href="$2" rel="noopener noreferrer">$1</a>');
}

/** The runbook's Markdown as HTML body content. */
export function runbookHtml(markdown: string): string {
  const out: string[] = [];
  let list: 'ol' | 'ul' | undefined;
  let para: string[] = [];
  let code: string[] | undefined;
  const flush = () => {
    if (para.length > 0) { out.push(`<p>${para.map(inline).join(' ')}</p>`); para = []; }
    if (list) { out.push(`</${list}>`); list = undefined; }
  };
  for (const raw of markdown.replace(/\r\n?/g, '\n').split('\n')) {
    if (code) {
      if (/^```/.test(raw)) { out.push(`<pre><code>${esc(code.join('\n'))}</code></pre>`); code = undefined; } else code.push(raw);
      continue;
    }
    if (/^```/.test(raw)) { flush(); code = []; continue; }
    const h = /^(#{1,4})\s+(.*)$/.exec(raw);
    const item = /^\s*(\d+[.)]|[-*+])\s+(.*)$/.exec(raw);
    if (h) { flush(); out.push(`<h${h[1]!.length}>${inline(h[2]!)}</h${h[1]!.length}>`); } else if (item) {
      const kind = /^\d/.test(item[1]!) ? 'ol' : 'ul';
      if (para.length > 0 || list !== kind) flush();
      if (!list) { out.push(`<${kind}>`); list = kind; }
      out.push(`<li>${inline(item[2]!)}</li>`);
    } else if (raw.trim() === '') flush();
    else if (list && /^\s+\S/.test(raw)) out[out.length - 1] = out[out.length - 1]!.replace(/<\/li>$/, ` ${inline(raw.trim())}</li>`);
    else { if (list) flush(); para.push(raw.trim()); }
  }
  if (code) out.push(`<pre><code>${esc(code.join('\n'))}</code></pre>`);
  flush();
  return out.join('\n');
}

const WORDS: Record<Lang, { title: (name: string) => string; note: string }> = {
  en: { title: (name) => `Runbook: ${name}`, note: 'From the team\'s runbooks (config/runbooks). Write what fixed it when you resolve the incident.' },
  'zh-CN': { title: (name) => `处置手册：${name}`, note: '来自团队的处置手册（config/runbooks）。故障解决时请写明处理方法。' },
};

/** The whole page of one runbook, in the page language `lang` (the runbook itself is in its own language). */
export function runbookPage(r: Runbook, lang: Lang): string {
  const w = WORDS[lang];
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(w.title(r.name))}</title>
<style>body{font:16px/1.55 system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;max-width:46rem;margin:1.5rem auto;padding:0 1rem;color:#1d2330}
h1{font-size:1.5rem}code{background:#f1f3f6;padding:0 .2em;border-radius:3px}pre{background:#f1f3f6;padding:.75rem;overflow:auto}
li{margin:.3rem 0}.note{color:#5b6475;font-size:.85rem;border-top:1px solid #dde1e8;margin-top:2rem;padding-top:.5rem}</style></head>
<body><main>
${runbookHtml(r.markdown)}
<p class="note">${esc(w.note)}</p>
</main></body></html>
`;
}
