/**
 * Who is signed in: read from `GET /api/v1/session` (cookie sessions) and kept in a store the whole page
 * renders from. The server decides every action; the role here only hides buttons a user may not press.
 */
import { api, ApiError, UNAUTHORIZED_EVENT } from './api.js';
import { Store } from './store.js';

/** The roles, weakest first (the server's `api.tokens[].role`). */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
/** One of {@link ROLES}. */
export type Role = (typeof ROLES)[number];

/** The signed-in user as the server describes them. */
export interface Session {
  name: string;
  role: Role;
  /** Sites the user is limited to; null or absent means every site. */
  sites?: string[] | null;
  /** How the caller is authenticated: `session` (a console login) or `token` (an API token). */
  via?: string;
}

/** What the console shows: still asking, signed in, or the login page (with `sso` when single sign-on is offered). */
export type SessionState = { kind: 'loading' } | { kind: 'in'; session: Session } | { kind: 'out'; sso: boolean; message?: string };

/** The page's session. */
export const session = new Store<SessionState>({ kind: 'loading' });

/** Public settings the login page needs before anyone is signed in (`GET /api/v1/console-config`). */
export interface ConsoleConfig {
  sso: boolean;
  locale: 'en' | 'zh-CN';
  /** The caller as the server sees it, when the request carried a credential (bearer tokens for machines and tests). */
  principal?: { name: string; role: Role };
}

/** True when the signed-in role is at least `needed`. */
export function can(state: SessionState, needed: Role): boolean {
  return state.kind === 'in' && ROLES.indexOf(state.session.role) >= ROLES.indexOf(needed);
}

function ssoHint(body: unknown): boolean {
  const b = body as { sso?: unknown } | undefined;
  return b?.sso === true || typeof b?.sso === 'string';
}

/** Asks the server who we are and sets {@link session}. */
export async function loadSession(): Promise<void> {
  const config = await api<ConsoleConfig>('GET', '/console-config', undefined, { quiet401: true });
  try {
    const s = await api<Session>('GET', '/session', undefined, { quiet401: true });
    session.set({ kind: 'in', session: s });
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    // A server without cookie sessions (404) still knows a bearer-token caller through console-config.
    if (err.status === 404 && config.principal) {
      session.set({ kind: 'in', session: { ...config.principal, via: 'token' } });
    } else if (err.status === 401 || err.status === 404) {
      session.set({ kind: 'out', sso: config.sso || ssoHint(err.body) });
    } else throw err;
  }
}

/** Signs in with a username and password; the server sets the session cookies. */
export async function signIn(username: string, password: string): Promise<void> {
  await api('POST', '/session', { username, password }, { quiet401: true });
  await loadSession();
}

/** Ends the session on the server and shows the login page. */
export async function signOut(): Promise<void> {
  try { await api('DELETE', '/session', undefined, { quiet401: true }); } finally { await loadSession(); }
}

window.addEventListener(UNAUTHORIZED_EVENT, () => {
  if (session.get().kind !== 'out') session.set({ kind: 'out', sso: false });
  // Ask again to learn whether single sign-on is offered.
  void loadSession().catch(() => undefined);
});
