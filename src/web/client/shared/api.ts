/**
 * The one way browser code talks to the API: same-origin cookies, the CSRF header on every mutating
 * request, problems (RFC 7807-like JSON) turned into {@link ApiError}, and a 401 announced to whoever
 * shows the login page.
 */

/** An error answer from the API, with its status and message as the server wrote them. */
export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly body?: unknown) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Fired on `window` when the API answers 401: the session is gone or never was. */
export const UNAUTHORIZED_EVENT = 'noctua:unauthorized';

const CSRF_COOKIE = 'noctua_csrf';

/** The value of a cookie readable by scripts, or undefined. */
export function cookie(name: string): string | undefined {
  for (const part of document.cookie.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Query-string values: arrays become repeated keys (`state=open&state=acknowledged`), empty values are left out. */
export type Query = Record<string, string | number | boolean | readonly string[] | undefined>;

/** `path` with `query` appended. */
export function withQuery(path: string, query: Query = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === '') continue;
    if (Array.isArray(v)) for (const item of v as readonly string[]) q.append(k, item);
    else q.append(k, String(v));
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** Calls the API at `/api/v1<path>` and returns its JSON answer (undefined for 204). */
export async function api<T>(method: Method, path: string, body?: unknown, opts: { quiet401?: boolean } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') {
    const csrf = cookie(CSRF_COOKIE);
    if (csrf) headers['x-csrf-token'] = csrf;
  }
  const res = await fetch(`/api/v1${path}`, {
    method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
  if (!res.ok) {
    if (res.status === 401 && !opts.quiet401) window.dispatchEvent(new CustomEvent(UNAUTHORIZED_EVENT, { detail: json }));
    const message = (json as { message?: unknown } | undefined)?.message;
    throw new ApiError(res.status, typeof message === 'string' ? message : `${res.status} ${res.statusText}`, json);
  }
  return json as T;
}
