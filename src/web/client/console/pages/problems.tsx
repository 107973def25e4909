/** The problem records (问题管理): devices (or device + rule) whose incidents keep coming back; filters in the address. */
import { withQuery } from '../../shared/api.js';
import { href, replaceQuery } from '../../shared/router.js';
import type { PageDef } from '../page.js';
import { useText } from '../text.js';
import { Loading, Time, useApi } from '../ui.js';
import type { Page } from '../wire.js';
import { seenRange, type ProblemRecord } from './service-records.js';

/** The time filter: problems opened, or with an incident, this recently. */
const SINCE = { '7d': 7, '30d': 30, '90d': 90, '365d': 365 } as const;
type Since = keyof typeof SINCE;

function Filters({ query }: { query: URLSearchParams }) {
  const t = useText();
  const set = (key: string, value: string) => {
    const next: Record<string, string> = {};
    for (const k of ['state', 'device', 'site', 'rule', 'since']) next[k] = query.get(k) ?? '';
    next[key] = value.trim();
    replaceQuery(next);
  };
  // Uncontrolled, remounted when the address changes: a re-render from another filter landing while someone types
  // must not reset the box to the address's old value (it did: the typed site was lost, the list unfiltered).
  const text = (key: 'device' | 'site' | 'rule', label: string) => (
    <label>{label}<input key={query.get(key) ?? ''} name={key} defaultValue={query.get(key) ?? ''} maxLength={200}
      onChange={(e) => set(key, (e.currentTarget as HTMLInputElement).value)} /></label>
  );
  return (
    <form class="filters" onSubmit={(e) => e.preventDefault()}>
      <label>{t('filter.state')}<select name="state" value={query.get('state') ?? ''} onChange={(e) => set('state', (e.currentTarget as HTMLSelectElement).value)}>
        <option value="">{t('problems.any')}</option>
        <option value="open">{t('problems.state.open')}</option>
        <option value="closed">{t('problems.state.closed')}</option>
      </select></label>
      {text('device', t('filter.device'))}
      {text('site', t('filter.site'))}
      {text('rule', t('col.rule'))}
      <label>{t('filter.since')}<select name="since" value={query.get('since') ?? ''} onChange={(e) => set('since', (e.currentTarget as HTMLSelectElement).value)}>
        <option value="">{t('problems.any')}</option>
        {Object.keys(SINCE).map((k) => <option key={k} value={k}>{t('problems.sinceDays', { n: SINCE[k as Since] })}</option>)}
      </select></label>
    </form>
  );
}

/** A problem's state as a badge: open in the incident colours of open, closed in those of resolved. */
export function ProblemState({ state }: { state: ProblemRecord['state'] }) {
  const t = useText();
  return <span class={`badge problem-state state-${state === 'open' ? 'open' : 'resolved'}`} data-value={state}>{t(`problems.state.${state}`)}</span>;
}

/** One problem row. */
function Row({ p }: { p: ProblemRecord }) {
  const t = useText();
  const seen = seenRange(p);
  return (
    <tr class="problem" data-problem={p.id} data-state={p.state}>
      <td><a href={href(`/problems/${encodeURIComponent(p.id)}`)}>{p.id}</a></td>
      <td><ProblemState state={p.state} /></td>
      <td><a href={href(`/devices/${encodeURIComponent(p.device)}`)}><bdi>{p.device}</bdi></a></td>
      <td>{p.rule ? <bdi>{p.rule}</bdi> : t('problems.anyRule')}</td>
      <td><bdi>{p.site ?? '–'}</bdi></td>
      <td class="count">{p.incidents.length}</td>
      <td><Time at={seen.first} /></td>
      <td><Time at={seen.last} /></td>
      <td>{t(`problems.fix.${p.fixStatus}`)}</td>
      <td>{p.reopened > 0 ? t('problems.reopenedTimes', { n: p.reopened }) : ''}</td>
    </tr>
  );
}

function Problems({ query }: { query: URLSearchParams }) {
  const t = useText();
  const days = SINCE[(query.get('since') ?? '') as Since];
  // Rounded to the minute so the request does not change on every render.
  const since = days ? new Date(Math.floor((Date.now() - days * 86_400_000) / 60_000) * 60_000).toISOString() : undefined;
  const path = withQuery('/problems', {
    state: query.get('state') ?? undefined, device: query.get('device') ?? undefined, site: query.get('site') ?? undefined,
    rule: query.get('rule') ?? undefined, since, limit: 500,
  });
  const loaded = useApi<Page<ProblemRecord>>(path);
  return (
    <section class="problems">
      <h1>{t('nav.problems')}</h1>
      <Filters query={query} />
      <Loading loaded={loaded}>{(p) => <>
        <p class="count">{t('problems.count', { n: p.total })}</p>
        {p.items.length === 0 ? <p class="empty">{t('problems.none')}</p> : (
          <div class="scroll"><table class="list problems">
            <thead><tr><th>{t('problems.id')}</th><th>{t('col.state')}</th><th>{t('col.device')}</th><th>{t('col.rule')}</th><th>{t('col.site')}</th>
              <th>{t('problems.incidents')}</th><th>{t('problems.firstSeen')}</th><th>{t('problems.lastSeen')}</th><th>{t('problems.fixStatus')}</th><th /></tr></thead>
            <tbody>{p.items.map((r) => <Row key={r.id} p={r} />)}</tbody>
          </table></div>
        )}
      </>}</Loading>
    </section>
  );
}

/** `#/problems`. */
export const problemsPage: PageDef = { path: '/problems', title: 'nav.problems', nav: true, role: 'viewer', component: Problems };
