/**
 * What the problem, knowledge and asset pages share: their API types (inferred from the server's zod schemas,
 * type-only, so nothing of the server reaches the bundle) and search-word highlighting that builds text nodes
 * and <mark> elements, never HTML from the text.
 */
import type { ComponentChildren } from 'preact';
import type { z } from 'zod';
import type { assetEventJson, assetJson } from '../../../../api/routes/assets.js';
import type { knowledgeEntryJson, knowledgeHitJson } from '../../../../api/routes/knowledge.js';
import type { problemLogJson, problemRecordJson } from '../../../../api/routes/problem-records.js';

/** A problem record (问题记录). */
export type ProblemRecord = z.infer<typeof problemRecordJson>;
/** One line of a problem's history. */
export type ProblemLogEntry = z.infer<typeof problemLogJson>;
/** `GET /problems/:id`. */
export interface ProblemDetail { problem: ProblemRecord; log: ProblemLogEntry[] }
/** Where a problem stands in its examination, in the order a person moves through them. */
export const FIX_STATUSES = ['investigating', 'known-error', 'fix-planned', 'fixed', 'wont-fix'] as const satisfies readonly ProblemRecord['fixStatus'][];
/** A knowledge entry. */
export type KnowledgeEntry = z.infer<typeof knowledgeEntryJson>;
/** A search hit. */
export type KnowledgeHit = z.infer<typeof knowledgeHitJson>;
/** `GET /incidents/:id/similar`. */
export interface SimilarAnswer { items: KnowledgeHit[]; runbook?: string }
/** `GET /runbooks/:name`. */
export interface RunbookAnswer { name: string; lang: string; markdown: string }
/** A device of the asset register. */
export type Asset = z.infer<typeof assetJson>;
/** An asset event. */
export type AssetEvent = z.infer<typeof assetEventJson>;

/** Longest query the server takes (MAX_QUERY_CHARS in text-index.ts). */
export const MAX_QUERY = 200;
/** Marks drawn in one text at most; a 20 KB note full of one letter stays cheap. */
const MAX_MARKS = 300;
const CJK_RUN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+|[^\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+/gu;

/**
 * The words of a search as the server matches them (text-index.ts): Chinese runs as they are, Latin words
 * lower-cased (the server matches them as prefixes, so a highlight of the word itself is right).
 */
export function searchTerms(query: string): string[] {
  const terms = new Set<string>();
  for (const word of query.slice(0, MAX_QUERY).split(/[\s\p{P}\p{S}]+/u)) {
    for (const part of word.match(CJK_RUN) ?? []) terms.add(part.toLowerCase());
  }
  return [...terms].filter(Boolean).slice(0, 12);
}

/** Where the terms stand in `text`: sorted, merged [start, end) ranges, found with indexOf (nothing a user types becomes a pattern). */
export function matchRanges(text: string, terms: readonly string[]): [number, number][] {
  const lower = text.toLowerCase();
  // Lower-casing may change a string's length (İ); then positions would drift, so match case-sensitively.
  const hay = lower.length === text.length ? lower : text;
  const found: [number, number][] = [];
  for (const term of terms) {
    for (let at = hay.indexOf(term); at >= 0 && found.length < MAX_MARKS; at = hay.indexOf(term, at + term.length)) found.push([at, at + term.length]);
  }
  found.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const r of found) {
    const last = merged.at(-1);
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}

/** `text` with the search terms in <mark>; everything stays text (Preact escapes it). */
export function Highlighted({ text, terms }: { text: string; terms: readonly string[] }) {
  const out: ComponentChildren[] = [];
  let at = 0;
  for (const [s, e] of matchRanges(text, terms)) {
    if (s > at) out.push(text.slice(at, s));
    out.push(<mark key={s}>{text.slice(s, e)}</mark>);
    at = e;
  }
  out.push(text.slice(at));
  return <>{out}</>;
}

/** A piece of `text` around its first match (or its start), about `size` characters, with … where it was cut. */
export function snippet(text: string, terms: readonly string[], size = 240): string {
  if (text.length <= size) return text;
  const first = matchRanges(text, terms)[0]?.[0] ?? 0;
  const start = Math.max(0, Math.min(first - Math.floor(size / 3), text.length - size));
  return `${start > 0 ? '…' : ''}${text.slice(start, start + size)}${start + size < text.length ? '…' : ''}`;
}

/** The first and last time an incident of the problem opened. */
export function seenRange(p: ProblemRecord): { first?: string; last?: string } {
  return { first: p.incidents[0]?.openedAt, last: p.incidents.at(-1)?.openedAt };
}
