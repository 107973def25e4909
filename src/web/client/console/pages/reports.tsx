/** Stored reports: the list with download links, and generating one now. */
import { useState } from 'preact/hooks';
import { api } from '../../shared/api.js';
import { lang } from '../../shared/lang.js';
import { can, session } from '../../shared/session.js';
import { useStore } from '../../shared/store.js';
import type { PageDef } from '../page.js';
import { useText } from '../text.js';
import { Loading, Time, useApi } from '../ui.js';
import type { Page, Report } from '../wire.js';

function Generate({ onDone }: { onDone: () => void }) {
  const t = useText();
  const l = useStore(lang);
  const [kind, setKind] = useState<'weekly' | 'monthly'>('weekly');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ error: boolean; text: string }>();
  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const period = String(f.get('period') ?? '').trim();
    const body = { kind, lang: String(f.get('lang')), format: String(f.get('format')), ...(period ? { [kind === 'weekly' ? 'week' : 'month']: period } : {}) };
    setBusy(true);
    setMessage(undefined);
    try {
      const made = await api<{ report: Report; verdict: string }>('POST', '/reports', body);
      setMessage({ error: false, text: t('reports.made', { period: made.report.period, verdict: made.verdict }) });
      onDone();
    } catch (err) {
      setMessage({ error: true, text: (err as Error).message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="create report-generate" onSubmit={(e) => void submit(e)}>
      <h2>{t('reports.generate')}</h2>
      <label>{t('reports.kind')}<select name="kind" value={kind} onChange={(e) => setKind((e.currentTarget as HTMLSelectElement).value as 'weekly')}>
        <option value="weekly">{t('reports.weekly')}</option><option value="monthly">{t('reports.monthly')}</option>
      </select></label>
      <label>{t('reports.period')}<input name="period" maxLength={20} placeholder={kind === 'weekly' ? '2026-W47' : '2026-11'} /></label>
      <label>{t('reports.lang')}<select name="lang" value={l}><option value="zh-CN">中文</option><option value="en">English</option></select></label>
      <label>{t('reports.format')}<select name="format"><option value="html">HTML</option><option value="pdf">PDF</option><option value="md">Markdown</option></select></label>
      <button type="submit" class="primary" disabled={busy}>{busy ? t('reports.working') : t('reports.submit')}</button>
      {message && <p class={message.error ? 'error' : 'ok'} role="status">{message.text}</p>}
    </form>
  );
}

function Reports() {
  const t = useText();
  const s = useStore(session);
  const loaded = useApi<Page<Report>>('/reports?limit=200');
  return (
    <section>
      <h1>{t('nav.reports')}</h1>
      <Loading loaded={loaded}>{(p) => (p.items.length === 0 ? <p class="empty">{t('reports.none')}</p> : (
        <div class="scroll"><table class="list reports">
          <thead><tr><th>{t('reports.kind')}</th><th>{t('reports.period')}</th><th>{t('reports.lang')}</th><th>{t('reports.format')}</th>
            <th>{t('reports.size')}</th><th>{t('col.time')}</th><th /></tr></thead>
          <tbody>{p.items.map((r) => (
            <tr key={r.url} data-report={`${r.kind}/${r.period}.${r.lang}.${r.format}`}>
              <td>{t(`reports.${r.kind === 'monthly' ? 'monthly' : 'weekly'}`)}</td><td>{r.period}</td><td>{r.lang}</td><td>{r.format}</td>
              <td>{(r.bytes / 1024).toFixed(1)} KiB</td><td><Time at={r.modifiedAt} /></td>
              <td><a class="download" href={r.url} target="_blank" rel="noopener">{t('reports.download')}</a></td>
            </tr>
          ))}</tbody>
        </table></div>
      ))}</Loading>
      {can(s, 'operator') && <Generate onDone={loaded.reload} />}
    </section>
  );
}

/** `#/reports`. */
export const reportsPage: PageDef = { path: '/reports', title: 'nav.reports', nav: true, role: 'viewer', component: Reports };
