/** What the wall's banner says: a bad or missing token, or why the picture may be out of date. */
import { age } from './format.js';
import type { WallView } from './feed.js';
import { wallText } from './text.js';

/** The banner: `auth` (purple) for the token, `stale` (red) for old data. */
export interface BannerReason {
  kind: 'auth' | 'stale';
  text: string;
}

/** Why the wall's picture cannot be trusted at `now`, or null when it can. */
export function staleReason(v: WallView, now: number): BannerReason | null {
  const lang = v.lang ?? 'en';
  const t = (key: Parameters<typeof wallText>[1], vars?: Record<string, string>) => wallText(lang, key, vars);
  const e = v.error;
  if (e?.kind === 'auth') return { kind: 'auth', text: t(e.reason === 'missing' ? 'authMissing' : e.reason === 'bad' ? 'authBad' : 'authRole') };
  if (e?.kind === 'load') return { kind: 'stale', text: t('loadFailed', { reason: e.reason }) };
  if (!v.loaded) return null;
  if (v.streamLostAt) {
    return { kind: 'stale', text: t('staleStream', { since: new Date(v.streamLostAt).toLocaleTimeString(lang, { hour12: false }) }) };
  }
  if (now - v.lastMessageAt > v.staleAfterMs) {
    return { kind: 'stale', text: t('staleSilent', { age: age(new Date(v.lastMessageAt).toISOString(), now) }) };
  }
  const s = v.status;
  if (s?.pollerStale) return { kind: 'stale', text: s.lastCycleAt ? t('stalePoller', { age: age(s.lastCycleAt, now) }) : t('stalePollerNever') };
  return null;
}
