/**
 * Hash routing (`#/incidents/inc-42?state=open`): the server serves one shell at /console/ and never needs
 * to know the console's paths, and a reload or a pasted link opens the same page.
 */
import { Store } from './store.js';

/** Where the page is: the path after `#`, and its query. */
export interface Location {
  path: string;
  query: URLSearchParams;
}

function read(): Location {
  const raw = location.hash.replace(/^#/, '') || '/';
  const q = raw.indexOf('?');
  return { path: q < 0 ? raw : raw.slice(0, q), query: new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)) };
}

/** The current location; changes on every hash change. */
export const route = new Store<Location>(read());
window.addEventListener('hashchange', () => route.set(read()));

/** A link target for a console path and query. */
export function href(path: string, query?: Record<string, string | readonly string[] | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined || v === '') continue;
    if (typeof v === 'string') q.append(k, v);
    else for (const item of v) q.append(k, item);
  }
  const s = q.toString();
  return `#${path}${s ? `?${s}` : ''}`;
}

/** Goes to a console path (keeps history, so Back works). */
export function navigate(path: string, query?: Record<string, string | readonly string[] | undefined>): void {
  location.hash = href(path, query);
}

/** Replaces the query of the current page without a new history entry (filters typed into a list). */
export function replaceQuery(query: Record<string, string | readonly string[] | undefined>): void {
  history.replaceState(null, '', href(route.get().path, query));
  route.set(read());
}

/**
 * Matches `path` against a pattern such as `/incidents/:id`; returns the decoded parameters or undefined.
 * Segments are compared whole, so no pattern can backtrack.
 */
export function match(pattern: string, path: string): Record<string, string> | undefined {
  const p = pattern.split('/');
  const s = path.split('/');
  if (p.length !== s.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const want = p[i]!;
    const got = s[i]!;
    if (want.startsWith(':')) {
      if (!got) return undefined;
      try { params[want.slice(1)] = decodeURIComponent(got); } catch { return undefined; }
    } else if (want !== got) return undefined;
  }
  return params;
}
