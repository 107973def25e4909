/** The session cookie: HttpOnly, so page scripts never see it. */
export const SESSION_COOKIE = 'noctua_session';
/** The CSRF cookie: readable by the console's scripts, which echo it in the `x-csrf-token` header. */
export const CSRF_COOKIE = 'noctua_csrf';
/** The header a cookie-authenticated state-changing request must carry. */
export const CSRF_HEADER = 'x-csrf-token';

/** Longest Cookie header read; browsers send at most a few kB. */
const MAX_COOKIE_HEADER = 8192;

/** The value of one cookie in a Cookie header, or undefined. Only the first occurrence counts. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header || header.length > MAX_COOKIE_HEADER) return undefined;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at < 0) continue;
    if (part.slice(0, at).trim() !== name) continue;
    let v = part.slice(at + 1).trim();
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1);
    try { return decodeURIComponent(v); } catch { return undefined; }
  }
  return undefined;
}

/** Options of a Set-Cookie line. */
export interface CookieOptions {
  httpOnly: boolean;
  secure: boolean;
  /** Seconds; 0 deletes the cookie. */
  maxAge: number;
  path?: string;
}

/** One Set-Cookie value; SameSite=Lax keeps cross-site form posts from carrying it. Values are URL-safe already. */
export function serializeCookie(name: string, value: string, o: CookieOptions): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, `Path=${o.path ?? '/'}`, `Max-Age=${Math.max(0, Math.floor(o.maxAge))}`, 'SameSite=Lax'];
  if (o.maxAge <= 0) parts.push('Expires=Thu, 01 Jan 1970 00:00:00 GMT');
  if (o.httpOnly) parts.push('HttpOnly');
  if (o.secure) parts.push('Secure');
  return parts.join('; ');
}
