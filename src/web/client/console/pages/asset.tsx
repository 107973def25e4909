/** One device of the asset register: its hardware and operator fields, its parts, and its history of changes, newest first. */
import { withQuery } from '../../shared/api.js';
import { href } from '../../shared/router.js';
import type { PageDef } from '../page.js';
import { useText } from '../text.js';
import { Loading, Time, useApi } from '../ui.js';
import type { Page } from '../wire.js';
import type { Asset, AssetEvent } from './service-records.js';

/** A fact that may be empty: the value, or a dash. */
function Fact({ label, value }: { label: string; value?: string }) {
  return <><dt>{label}</dt><dd>{value ? <bdi>{value}</bdi> : <span class="muted">–</span>}</dd></>;
}

function Identity({ a }: { a: Asset }) {
  const t = useText();
  return (
    <dl class="identity">
      <dt>{t('col.device')}</dt><dd><a href={href(`/devices/${encodeURIComponent(a.device)}`)}><bdi>{a.device}</bdi></a>{!a.inInventory && <span class="muted-tag"> · {t('assets.removed')}</span>}</dd>
      <Fact label={t('col.site')} value={a.site} /><Fact label={t('assets.class')} value={a.class} />
      <Fact label={t('assets.vendor')} value={a.vendor} /><Fact label={t('assets.model')} value={a.model} />
      <dt>{t('assets.serial')}</dt><dd class="serial">{a.serial ? <bdi>{a.serial}</bdi> : <span class="muted">–</span>}</dd>
      <Fact label={t('assets.firmware')} value={a.firmware} /><Fact label={t('assets.hardware')} value={a.hardware} />
      <Fact label={t('assets.assetTag')} value={a.asset.assetTag} /><Fact label={t('assets.owner')} value={a.asset.owner} />
      <Fact label={t('assets.contract')} value={a.asset.contract} /><Fact label={t('assets.purchaseDate')} value={a.asset.purchaseDate} />
      <Fact label={t('assets.warrantyEnd')} value={a.asset.warrantyEnd} />
      <dt>{t('assets.firstSeen')}</dt><dd><Time at={a.firstSeen} /></dd>
      <dt>{t('assets.lastSeen')}</dt><dd>{a.polled ? <Time at={a.lastSeen} /> : <span class="muted">{t('assets.neverPolled')}</span>}</dd>
      {a.removedAt && <><dt>{t('assets.removedAt')}</dt><dd><Time at={a.removedAt} /></dd></>}
    </dl>
  );
}

function Parts({ a }: { a: Asset }) {
  const t = useText();
  if (a.parts.length === 0) return <p class="empty">{t('assets.noParts')}</p>;
  return (
    <div class="scroll"><table class="list parts">
      <thead><tr><th>{t('assets.position')}</th><th>{t('assets.part')}</th><th>{t('assets.name')}</th><th>{t('assets.model')}</th><th>{t('assets.serial')}</th>
        <th>{t('assets.firmware')}</th><th>{t('assets.hardware')}</th><th>{t('assets.vendor')}</th></tr></thead>
      <tbody>{a.parts.map((p) => (
        <tr key={p.entity} data-entity={p.entity}>
          <td>{p.entity}</td><td><bdi>{p.part}</bdi></td><td><bdi>{p.name || p.descr}</bdi></td><td><bdi>{p.model}</bdi></td>
          <td class="serial"><bdi>{p.serial}</bdi></td><td><bdi>{p.firmware}</bdi></td><td><bdi>{p.hardware}</bdi></td><td><bdi>{p.manufacturer}</bdi></td>
        </tr>
      ))}</tbody>
    </table></div>
  );
}

function History({ device }: { device: string }) {
  const t = useText();
  const loaded = useApi<Page<AssetEvent>>(withQuery('/assets/events', { device, limit: 500 }));
  return (
    <Loading loaded={loaded}>{(p) => (p.items.length === 0 ? <p class="empty">{t('assets.noEvents')}</p> : (
      <ol class="timeline asset-events">{[...p.items].reverse().map((e) => (
        <li key={e.seq} class={`step asset-${e.kind}`} data-kind={e.kind}>
          <Time at={e.at} /> <span class="what">{t(`assets.event.${e.kind}`)}</span>
          {(e.name || e.part) && <span> · <bdi>{e.name || e.part}</bdi>{e.entity && ` (${e.entity})`}</span>}
          {(e.from || e.to) && <p class="note change"><bdi>{e.from || '–'}</bdi> → <bdi>{e.to || '–'}</bdi></p>}
        </li>
      ))}</ol>
    ))}</Loading>
  );
}

function AssetPage({ params }: { params: Record<string, string> }) {
  const t = useText();
  const device = params.device!;
  const loaded = useApi<Page<Asset>>(withQuery('/assets', { device }));
  return (
    <Loading loaded={loaded}>{(p) => {
      const a = p.items[0];
      if (!a) return <p class="error">{t('assets.unknown', { device })}</p>;
      return (
        <article class="asset-detail" data-device={a.device}>
          <p><a href={href('/assets')}>← {t('nav.assets')}</a></p>
          <h1><bdi>{a.device}</bdi></h1>
          <Identity a={a} />
          <h2>{t('assets.parts')}</h2>
          <Parts a={a} />
          <h2>{t('assets.history')}</h2>
          <History device={a.device} />
        </article>
      );
    }}</Loading>
  );
}

/** `#/assets/:device`. */
export const assetPage: PageDef = { path: '/assets/:device', title: 'nav.assets', nav: false, role: 'viewer', component: AssetPage };
