/**
 * A knowledge entry, a runbook, and the "similar past incidents" section the incident page shows. Entry text
 * and runbook Markdown are shown as text (pre-wrapped), never parsed into HTML: they are written by people
 * and pasted from devices.
 */
import { lang } from '../../shared/lang.js';
import { href } from '../../shared/router.js';
import { useStore } from '../../shared/store.js';
import type { PageDef } from '../page.js';
import { useText } from '../text.js';
import { Loading, Time, useApi } from '../ui.js';
import { Hit, Subject } from './knowledge.js';
import { Highlighted, searchTerms, type KnowledgeEntry, type RunbookAnswer, type SimilarAnswer } from './service-records.js';

function EntryPage({ params, query }: { params: Record<string, string>; query: URLSearchParams }) {
  const t = useText();
  const loaded = useApi<KnowledgeEntry>(`/knowledge/${encodeURIComponent(params.id!)}`);
  const q = query.get('q') ?? '';
  const terms = searchTerms(q);
  return (
    <Loading loaded={loaded}>{(e) => (
      <article class="knowledge-entry" data-entry={e.id}>
        <p><a href={href('/knowledge', { q: q || undefined })}>← {t('nav.knowledge')}</a></p>
        <h1><span class="title"><Highlighted text={e.title} terms={terms} /></span></h1>
        <p class="facts"><Subject e={e} />{' '}{e.by && <><bdi>{e.by}</bdi> · </>}<Time at={e.createdAt} />
          {e.incidentId && <> · {t('knowledge.fromIncident')} <a href={href(`/incidents/${encodeURIComponent(e.incidentId)}`)}><bdi>{e.incidentId}</bdi></a></>}
          {e.rule && <> · <a href={href(`/runbooks/${encodeURIComponent(e.rule)}`)}>{t('knowledge.runbook')}</a></>}
        </p>
        <div class="entry-body note"><Highlighted text={e.body} terms={terms} /></div>
      </article>
    )}</Loading>
  );
}

function RunbookPage({ params }: { params: Record<string, string> }) {
  const t = useText();
  const l = useStore(lang);
  const loaded = useApi<RunbookAnswer>(`/runbooks/${encodeURIComponent(params.name!)}?lang=${l}`);
  return (
    <Loading loaded={loaded}>{(r) => (
      <article class="runbook" data-runbook={r.name}>
        <p><a href={href('/knowledge')}>← {t('nav.knowledge')}</a></p>
        <h1>{t('knowledge.runbookOf', { name: r.name })}</h1>
        <pre class="runbook-text note">{r.markdown}</pre>
      </article>
    )}</Loading>
  );
}

/** "Similar past incidents and what fixed them" for one incident, with its rule's runbook; a viewer's section of the incident page. */
export function SimilarPast({ incident }: { incident: string }) {
  const t = useText();
  const loaded = useApi<SimilarAnswer>(`/incidents/${encodeURIComponent(incident)}/similar`);
  // A Noctua without a knowledge base answers 404: then the section is left out, not shown as an error.
  if (loaded.error && !loaded.data) return null;
  return (
    <section class="similar">
      <h2>{t('knowledge.similar')}</h2>
      <Loading loaded={loaded}>{(s) => <>
        {s.runbook && <p><a class="runbook-link" href={href(`/runbooks/${encodeURIComponent(s.runbook)}`)}>{t('knowledge.runbookOf', { name: s.runbook })}</a></p>}
        {s.items.length === 0 ? <p class="empty">{t('knowledge.noSimilar')}</p>
          : <ol class="hits">{s.items.map((h) => <Hit key={h.entry.id} h={h} terms={[]} />)}</ol>}
      </>}</Loading>
    </section>
  );
}

/** `#/knowledge/:id`. */
export const knowledgeEntryPage: PageDef = { path: '/knowledge/:id', title: 'nav.knowledge', nav: false, role: 'viewer', component: EntryPage };
/** `#/runbooks/:name`. */
export const runbookPage: PageDef = { path: '/runbooks/:name', title: 'nav.knowledge', nav: false, role: 'viewer', component: RunbookPage };
