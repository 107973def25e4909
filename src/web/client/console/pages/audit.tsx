/**
 * The audit trail for admins: who did what, when, from which address, through which path, with the state
 * before and after. Filters and the page live in the address, so a filtered view can be shared. Every string
 * here came from a person or a device: it is rendered as text (Preact escapes), never as markup.
 */
import { withQuery } from '../../shared/api.js';
import { replaceQuery } from '../../shared/router.js';
import type { PageDef } from '../page.js';
import { useText } from '../text.js';
import { Loading, Time, useApi } from '../ui.js';
import type { AuditRow, Page } from '../wire.js';

/** Actions offered as suggestions in the action filter (any other name can be typed). */
const ACTIONS = [
  'login.success', 'login.failure', 'logout', 'incident.acknowledge', 'incident.resolve', 'incident.comment', 'incident.claim',
  'maintenance.create', 'maintenance.end', 'notice.retry', 'config.reload', 'user.add', 'user.change', 'user.remove',
];
const PAGE_SIZES = [20, 50, 100, 200];
/** Longest before/after shown in full; the API keeps the whole value. */
const MAX_STATE_CHARS = 4000;

/** A datetime-local value as an ISO time, or undefined when empty or not a time. */
function isoOf(local: string): string | undefined {
  const t = local ? new Date(local).getTime() : NaN;
  return Number.isFinite(t) ? new Date(t).toISOString() : undefined;
}

/** An ISO time as a datetime-local value in the browser's zone. */
function localOf(iso: string | null): string {
  const t = iso ? Date.parse(iso) : NaN;
  if (!Number.isFinite(t)) return '';
  const d = new Date(t - new Date(t).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

/** A before/after value: an object as one `key: value` line per field (strings bare), anything else as JSON. */
function StateValue({ value }: { value: unknown }) {
  if (value === undefined || value === null) return null;
  const text = typeof value === 'object' && !Array.isArray(value)
    ? Object.entries(value as Record<string, unknown>).map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`).join('\n')
    : JSON.stringify(value);
  return <pre>{text.length > MAX_STATE_CHARS ? `${text.slice(0, MAX_STATE_CHARS)}…` : text}</pre>;
}

function Filters({ query }: { query: URLSearchParams }) {
  const t = useText();
  const submit = (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const value = (k: string) => String(f.get(k) ?? '').trim() || undefined;
    // A new filter starts at the first page.
    replaceQuery({ who: value('who'), action: value('action'), since: isoOf(String(f.get('since') ?? '')), until: isoOf(String(f.get('until') ?? '')), limit: query.get('limit') ?? undefined });
  };
  return (
    <form class="filters audit-filters" onSubmit={submit}>
      <label>{t('audit.who')}<input name="who" defaultValue={query.get('who') ?? ''} maxLength={200} /></label>
      <label>{t('audit.action')}<input name="action" list="audit-actions" defaultValue={query.get('action') ?? ''} maxLength={100} /></label>
      <datalist id="audit-actions">{ACTIONS.map((a) => <option key={a} value={a} />)}</datalist>
      <label>{t('audit.since')}<input name="since" type="datetime-local" defaultValue={localOf(query.get('since'))} /></label>
      <label>{t('audit.until')}<input name="until" type="datetime-local" defaultValue={localOf(query.get('until'))} /></label>
      <button type="submit" class="primary">{t('audit.apply')}</button>
      <button type="button" onClick={() => replaceQuery({ limit: query.get('limit') ?? undefined })}>{t('audit.clear')}</button>
    </form>
  );
}

function Pager({ query, page }: { query: URLSearchParams; page: Page<AuditRow> }) {
  const t = useText();
  const go = (offset: number, limit = page.limit) => {
    const next: Record<string, string> = {};
    for (const k of ['who', 'action', 'since', 'until']) { const v = query.get(k); if (v) next[k] = v; }
    replaceQuery({ ...next, limit: String(limit), offset: offset > 0 ? String(offset) : undefined });
  };
  const first = page.total === 0 ? 0 : page.offset + 1;
  const last = Math.min(page.offset + page.items.length, page.total);
  return (
    <p class="pager">
      <button type="button" class="prev" disabled={page.offset === 0} onClick={() => go(Math.max(0, page.offset - page.limit))}>{t('audit.prev')}</button>
      <span class="range">{t('audit.range', { first, last, total: page.total })}</span>
      <button type="button" class="next" disabled={last >= page.total} onClick={() => go(page.offset + page.limit)}>{t('audit.next')}</button>
      <label>{t('audit.pageSize')}<select name="limit" value={String(page.limit)} onChange={(e) => go(0, Number((e.currentTarget as HTMLSelectElement).value))}>
        {[...new Set([...PAGE_SIZES, page.limit])].sort((a, b) => a - b).map((n) => <option key={n} value={String(n)}>{n}</option>)}
      </select></label>
    </p>
  );
}

function AuditTable({ rows }: { rows: AuditRow[] }) {
  const t = useText();
  if (rows.length === 0) return <p class="empty">{t('audit.none')}</p>;
  return (
    <div class="scroll"><table class="list audit">
      <thead><tr><th>{t('col.time')}</th><th>{t('audit.who')}</th><th>{t('audit.via')}</th><th>{t('audit.address')}</th>
        <th>{t('audit.action')}</th><th>{t('audit.path')}</th><th>{t('audit.target')}</th><th>{t('audit.outcome')}</th>
        <th>{t('audit.before')}</th><th>{t('audit.after')}</th></tr></thead>
      <tbody>{rows.map((r) => (
        <tr key={r.id} class="audit-row" data-id={r.id} data-action={r.action} data-outcome={r.outcome}>
          <td><Time at={r.at} /></td>
          <td class="who">{r.who}{r.role && <span class="muted"> · {t(`user.role.${r.role as 'viewer'}`)}</span>}</td>
          <td class="via">{t(`audit.via.${r.via}`)}</td>
          <td class="address">{r.address}</td>
          <td class="action">{r.action}</td>
          <td class="path"><code>{r.method} {r.route}</code></td>
          <td class="target">{r.target ?? ''}{r.detail && <div class="detail muted">{r.detail}</div>}</td>
          <td class={`outcome outcome-${r.outcome}`}>{t(`audit.outcome.${r.outcome}`)} ({r.status})</td>
          <td class="before"><StateValue value={r.before} /></td>
          <td class="after"><StateValue value={r.after} /></td>
        </tr>
      ))}</tbody>
    </table></div>
  );
}

function Audit({ query }: { query: URLSearchParams }) {
  const t = useText();
  const limit = Math.min(500, Math.max(1, Number(query.get('limit')) || 50));
  const offset = Math.max(0, Number(query.get('offset')) || 0);
  const loaded = useApi<Page<AuditRow>>(withQuery('/audit', {
    who: query.get('who') ?? undefined, action: query.get('action') ?? undefined,
    since: query.get('since') ?? undefined, until: query.get('until') ?? undefined, limit, offset,
  }));
  return (
    <section>
      <h1>{t('nav.audit')}</h1>
      {/* Keyed by the address: Clear and Back refill the form from it. */}
      <Filters key={query.toString()} query={query} />
      <Loading loaded={loaded}>{(p) => <>
        <Pager query={query} page={p} />
        <AuditTable rows={p.items} />
      </>}</Loading>
    </section>
  );
}

/** `#/audit` (admins: the API answers only them). */
export const auditPage: PageDef = { path: '/audit', title: 'nav.audit', nav: true, role: 'admin', component: Audit };
