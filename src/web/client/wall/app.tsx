/** The NOC wall page: banner, counters, on-call, the availability map and the incident/WAN panel. */
import { useEffect } from 'preact/hooks';
import type { Lang } from '../shared/lang.js';
import type { WallFeed, WallView } from './feed.js';
import { useFeed, useNow } from './hooks.js';
import { Incidents, WanLinks } from './panel.js';
import { SiteMap } from './site-map.js';
import { staleReason } from './stale.js';
import { wallText, type WallTextKey } from './text.js';

function Banner({ view }: { view: WallView }) {
  const reason = staleReason(view, useNow());
  useEffect(() => { document.body.classList.toggle('stale', reason?.kind === 'stale'); }, [reason?.kind]);
  return (
    <div id="banner" class={reason?.kind === 'auth' ? 'banner auth' : 'banner'} role="alert" hidden={!reason} data-kind={reason?.kind ?? ''}>
      {reason?.text ?? ''}
    </div>
  );
}

function Clock({ lang }: { lang: Lang }) {
  return <div id="clock" class="clock">{new Date(useNow()).toLocaleTimeString(lang, { hour12: false })}</div>;
}

function Counter({ id, cls, value, label, hot, lang }: { id: string; cls: string; value: string; label: WallTextKey; hot?: boolean; lang: Lang }) {
  return (
    <div class={`counter ${cls}${hot ? ' hot' : ''}`}>
      <span class="value" id={id}>{value}</span>
      <span class="label" data-i18n={label}>{wallText(lang, label)}</span>
    </div>
  );
}

function Counters({ view, lang }: { view: WallView; lang: Lang }) {
  const devices = [...view.devices.values()];
  const open = [...view.incidents.values()];
  const p1 = open.filter((i) => i.severity === 'P1').length;
  const p2 = open.filter((i) => i.severity === 'P2').length;
  const shown = view.loaded;
  return (
    <div class="counters">
      <Counter id="c-up" cls="up" lang={lang} label="devicesUp" value={shown ? `${devices.filter((d) => d.state === 'up').length}/${devices.length}` : '–'} />
      <Counter id="c-p1" cls="p1" lang={lang} label="openP1" value={shown ? String(p1) : '–'} hot={p1 > 0} />
      <Counter id="c-p2" cls="p2" lang={lang} label="openP2" value={shown ? String(p2) : '–'} hot={p2 > 0} />
      <Counter id="c-maint" cls="maint" lang={lang} label="inMaintenance" value={shown ? String(devices.filter((d) => d.state === 'maintenance').length) : '–'} />
    </div>
  );
}

function OnCall({ view, lang }: { view: WallView; lang: Lang }) {
  return (
    <div id="oncall" class="oncall">
      <span>{`${wallText(lang, 'onCall')}: `}</span>
      {view.onCall.length === 0 && <span class="empty">{wallText(lang, 'nobodyOnCall')}</span>}
      {view.onCall.map((e, i) => (
        <span key={i}>
          {i > 0 && ' · '}
          {wallText(lang, 'tier', { tier: e.tier })}
          <b>{e.name}</b>
          {e.contact && ` ${e.contact}`}
        </span>
      ))}
    </div>
  );
}

/** The page; `pageEveryMs` from the address wins over the server's `api.wall.pageEvery`. */
export function App({ feed, pageEveryMs }: { feed: WallFeed; pageEveryMs: number | undefined }) {
  useFeed(feed);
  const v = feed.view;
  const lang = v.lang ?? 'en';
  useEffect(() => { document.documentElement.lang = lang; }, [lang]);
  return (
    <>
      <Banner view={v} />
      <header class="top">
        <div class="brand"><span class="owl">Noctua</span> <span data-i18n="title">{wallText(lang, 'title')}</span></div>
        <Counters view={v} lang={lang} />
        <div class="side">
          <Clock lang={lang} />
          <button id="lang" class="lang" type="button" onClick={() => feed.toggleLang()}>{wallText(lang, 'lang')}</button>
        </div>
      </header>
      <OnCall view={v} lang={lang} />
      <main class="layout">
        <SiteMap devices={v.devices} devicesVersion={v.devicesVersion} pageEveryMs={pageEveryMs ?? v.pageEveryMs} lang={lang} />
        <aside class="panel">
          <h2 data-i18n="incidents">{wallText(lang, 'incidents')}</h2>
          <Incidents incidents={v.incidents} lang={lang} />
          <h2 data-i18n="wan">{wallText(lang, 'wan')}</h2>
          <WanLinks wan={v.wan} devices={v.devices} lang={lang} />
        </aside>
      </main>
    </>
  );
}
