/**
 * The knowledge base (知识库): search in Chinese or English with the words marked in each hit, the team's
 * runbooks, and (for operators) an entry written by hand. The query lives in the address, so a search can be shared.
 */
import { useState } from 'preact/hooks';
import { api, withQuery } from '../../shared/api.js';
import { href, navigate, replaceQuery } from '../../shared/router.js';
import { can, session } from '../../shared/session.js';
import { useStore } from '../../shared/store.js';
import type { PageDef } from '../page.js';
import { useText } from '../text.js';
import { Loading, Time, useApi } from '../ui.js';
import type { Page } from '../wire.js';
import { Highlighted, MAX_QUERY, searchTerms, snippet, type KnowledgeEntry, type KnowledgeHit } from './service-records.js';

/** Longest title and body the API keeps (MAX_TITLE, MAX_BODY in the knowledge store). */
const MAX_TITLE = 200;
const MAX_BODY = 20_000;

/** What an entry is about (rule, vendor, model, class, device), as small tags. */
export function Subject({ e }: { e: KnowledgeEntry }) {
  const parts = [e.rule, e.vendor, e.model, e.class, e.device].filter((x): x is string => Boolean(x));
  return <span class="subject">{parts.map((x, n) => <span key={n} class="badge"><bdi>{x}</bdi></span>)}</span>;
}

/** One hit: title and a piece of the body around the first match, both with the words marked. */
export function Hit({ h, terms, q }: { h: KnowledgeHit; terms: readonly string[]; q?: string }) {
  const e = h.entry;
  return (
    <li class="hit" data-entry={e.id}>
      <a class="title" href={href(`/knowledge/${e.id}`, { q })}><Highlighted text={e.title} terms={terms} /></a>
      {' '}<Subject e={e} />
      <p class="body"><Highlighted text={snippet(e.body, terms)} terms={terms} /></p>
      <p class="muted">{e.by && <><bdi>{e.by}</bdi> · </>}<Time at={e.createdAt} /></p>
    </li>
  );
}

function Results({ q }: { q: string }) {
  const t = useText();
  const loaded = useApi<Page<KnowledgeHit>>(withQuery('/knowledge', { q, limit: 50 }));
  const terms = searchTerms(q);
  return (
    <Loading loaded={loaded}>{(p) => <>
      <p class="count">{t('knowledge.count', { n: p.total })}</p>
      {p.items.length === 0 ? <p class="empty">{t('knowledge.none')}</p>
        : <ol class="hits">{p.items.map((h) => <Hit key={h.entry.id} h={h} terms={terms} q={q} />)}</ol>}
    </>}</Loading>
  );
}

function Runbooks() {
  const t = useText();
  const loaded = useApi<{ items: string[] }>('/runbooks');
  return (
    <section class="runbooks">
      <h2>{t('knowledge.runbooks')}</h2>
      <Loading loaded={loaded}>{(r) => (r.items.length === 0 ? <p class="empty">{t('knowledge.noRunbooks')}</p> : (
        <ul class="runbooks">{r.items.map((n) => <li key={n}><a href={href(`/runbooks/${encodeURIComponent(n)}`)}>{n}</a></li>)}</ul>
      ))}</Loading>
    </section>
  );
}

function AddEntry() {
  const t = useText();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const body: Record<string, string> = {};
    for (const k of ['title', 'body', 'rule', 'vendor', 'model', 'class']) {
      const v = String(f.get(k) ?? '').trim();
      if (v) body[k] = v;
    }
    setBusy(true);
    setError(undefined);
    try {
      const made = await api<KnowledgeEntry>('POST', '/knowledge', body);
      navigate(`/knowledge/${made.id}`);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const field = (name: string, label: string) => <label>{label}<input name={name} maxLength={200} /></label>;
  return (
    <form class="create knowledge-add" onSubmit={(e) => void submit(e)}>
      <h2>{t('knowledge.add')}</h2>
      <label>{t('knowledge.title')}<input name="title" required maxLength={MAX_TITLE} /></label>
      {field('rule', t('col.rule'))}{field('vendor', t('assets.vendor'))}{field('model', t('assets.model'))}{field('class', t('assets.class'))}
      <label class="wide">{t('knowledge.body')}<textarea name="body" required rows={4} maxLength={MAX_BODY} /></label>
      <button type="submit" class="primary action-add" disabled={busy}>{t('knowledge.save')}</button>
      {error && <p class="error" role="alert">{error}</p>}
    </form>
  );
}

function Knowledge({ query }: { query: URLSearchParams }) {
  const t = useText();
  const s = useStore(session);
  const q = (query.get('q') ?? '').trim();
  const [typed, setTyped] = useState(q);
  return (
    <section class="knowledge">
      <h1>{t('nav.knowledge')}</h1>
      <form class="filters search" role="search" onSubmit={(e) => { e.preventDefault(); replaceQuery({ q: typed.trim() }); }}>
        <label>{t('knowledge.search')}<input type="search" name="q" value={typed} maxLength={MAX_QUERY} placeholder={t('knowledge.placeholder')}
          onInput={(e) => setTyped((e.currentTarget as HTMLInputElement).value)} /></label>
        <button type="submit" class="primary">{t('knowledge.go')}</button>
      </form>
      {q ? <Results q={q} /> : <p class="muted">{t('knowledge.hint')}</p>}
      <Runbooks />
      {can(s, 'operator') && <AddEntry />}
    </section>
  );
}

/** `#/knowledge`. */
export const knowledgePage: PageDef = { path: '/knowledge', title: 'nav.knowledge', nav: true, role: 'viewer', component: Knowledge };
