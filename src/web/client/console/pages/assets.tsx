/**
 * The asset register (资产统计): every device with its hardware, filters by site, class, vendor and model,
 * a serial search over devices and parts, and the register as CSV or Excel with the same filters.
 */
import { withQuery } from '../../shared/api.js';
import { lang } from '../../shared/lang.js';
import { href, replaceQuery } from '../../shared/router.js';
import { useStore } from '../../shared/store.js';
import type { PageDef } from '../page.js';
import { useText, type TextKey } from '../text.js';
import { Loading, Time, useApi } from '../ui.js';
import type { Page } from '../wire.js';
import { Highlighted, type Asset } from './service-records.js';

const FILTERS = ['site', 'class', 'vendor', 'model', 'serial'] as const;
type Filter = (typeof FILTERS)[number];
const LABEL: Record<Filter, TextKey> = { site: 'filter.site', class: 'assets.class', vendor: 'assets.vendor', model: 'assets.model', serial: 'assets.serialSearch' };

/** The filters the address holds, without empty ones. */
function filtersOf(query: URLSearchParams): Partial<Record<Filter, string>> {
  const out: Partial<Record<Filter, string>> = {};
  for (const k of FILTERS) { const v = query.get(k)?.trim(); if (v) out[k] = v; }
  return out;
}

/** Distinct non-empty values of one column, sorted, for a filter's suggestions. */
function values(items: Asset[], key: 'site' | 'class' | 'vendor' | 'model'): string[] {
  return [...new Set(items.map((a) => a[key]).filter(Boolean))].sort();
}

function Filters({ query, all }: { query: URLSearchParams; all: Asset[] }) {
  const t = useText();
  const set = (key: Filter, value: string) => replaceQuery({ ...filtersOf(query), [key]: value.trim() });
  // Text boxes are uncontrolled and remounted when the address changes: typing survives another filter's re-render.
  return (
    <form class="filters" onSubmit={(e) => e.preventDefault()}>
      {FILTERS.map((k) => (
        <label key={k}>{t(LABEL[k])}<input key={query.get(k) ?? ''} name={k} defaultValue={query.get(k) ?? ''} maxLength={200} list={k === 'serial' ? undefined : `assets-${k}`}
          type={k === 'serial' ? 'search' : 'text'} onChange={(e) => set(k, (e.currentTarget as HTMLInputElement).value)} /></label>
      ))}
      {(['site', 'class', 'vendor', 'model'] as const).map((k) => (
        <datalist key={k} id={`assets-${k}`}>{values(all, k).map((v) => <option key={v} value={v} />)}</datalist>
      ))}
    </form>
  );
}

/** Download links for the register as shown: the browser sends the session cookie, the server names the file. */
function Exports({ filters }: { filters: Partial<Record<Filter, string>> }) {
  const t = useText();
  const l = useStore(lang);
  return (
    <p class="exports">
      {(['csv', 'xlsx'] as const).map((format) => (
        <a key={format} class={`button export-${format}`} download href={`/api/v1${withQuery('/assets/export', { ...filters, format, lang: l })}`}>
          {t(format === 'csv' ? 'assets.exportCsv' : 'assets.exportXlsx')}
        </a>
      ))}
    </p>
  );
}

/** Which parts of a device matched the serial search, as "Gi0/49: FNS…" lines. */
function PartMatches({ a, serial }: { a: Asset; serial?: string }) {
  if (!serial) return null;
  const s = serial.toLowerCase();
  const hits = a.parts.filter((p) => p.serial.toLowerCase().includes(s)).slice(0, 5);
  return <>{hits.map((p) => <div key={p.entity} class="part-match muted"><bdi>{p.name || p.part}</bdi>: <Highlighted text={p.serial} terms={[s]} /></div>)}</>;
}

function Row({ a, serial }: { a: Asset; serial?: string }) {
  const t = useText();
  return (
    <tr class="asset" data-device={a.device}>
      <td><a href={href(`/assets/${encodeURIComponent(a.device)}`)}><bdi>{a.device}</bdi></a>{!a.inInventory && <span class="muted-tag"> · {t('assets.removed')}</span>}</td>
      <td><bdi>{a.site}</bdi></td><td><bdi>{a.class}</bdi></td><td><bdi>{a.vendor || '–'}</bdi></td><td><bdi>{a.model || '–'}</bdi></td>
      <td class="serial"><bdi><Highlighted text={a.serial || '–'} terms={serial ? [serial.toLowerCase()] : []} /></bdi><PartMatches a={a} serial={serial} /></td>
      <td><bdi>{a.firmware || '–'}</bdi></td>
      <td class="count">{a.parts.length}</td>
      <td>{a.asset.warrantyEnd ?? '–'}</td>
      <td>{a.polled ? <Time at={a.lastSeen} /> : <span class="muted">{t('assets.neverPolled')}</span>}</td>
    </tr>
  );
}

function Assets({ query }: { query: URLSearchParams }) {
  const t = useText();
  const filters = filtersOf(query);
  const loaded = useApi<Page<Asset>>(withQuery('/assets', { ...filters, limit: 500 }));
  // The unfiltered register (one request) feeds the filters' suggestions.
  const all = useApi<Page<Asset>>('/assets?limit=500');
  return (
    <section class="assets">
      <h1>{t('nav.assets')}</h1>
      <Filters query={query} all={all.data?.items ?? []} />
      <Exports filters={filters} />
      <Loading loaded={loaded}>{(p) => <>
        <p class="count">{t('assets.count', { n: p.total })}</p>
        {p.items.length === 0 ? <p class="empty">{t('assets.none')}</p> : (
          <div class="scroll"><table class="list assets">
            <thead><tr><th>{t('col.device')}</th><th>{t('col.site')}</th><th>{t('assets.class')}</th><th>{t('assets.vendor')}</th><th>{t('assets.model')}</th>
              <th>{t('assets.serial')}</th><th>{t('assets.firmware')}</th><th>{t('assets.parts')}</th><th>{t('assets.warrantyEnd')}</th><th>{t('assets.lastSeen')}</th></tr></thead>
            <tbody>{p.items.map((a) => <Row key={a.device} a={a} serial={filters.serial} />)}</tbody>
          </table></div>
        )}
      </>}</Loading>
    </section>
  );
}

/** `#/assets`. */
export const assetsPage: PageDef = { path: '/assets', title: 'nav.assets', nav: true, role: 'viewer', component: Assets };
