import * as client from 'openid-client';
import type { OidcSection } from '../config/sections/auth-directory.js';
import { accessFromGroups, type GrantedAccess } from './group-roles.js';

/** Logins started and not yet finished are kept at most this many; the oldest is forgotten first. */
const MAX_PENDING = 10_000;
/** At most this many groups are read from a token (a bound on what a provider can make us hold). */
const MAX_GROUPS = 1000;
/** Longest name Noctua shows (acks, comments, the audit trail). */
const MAX_NAME = 100;

/** Why a single sign-on did not log someone in. */
export type OidcFailureReason =
  /** The callback does not belong to a login this browser started (tampered, replayed or expired state). */
  | 'state'
  /** The provider or the person said no (access_denied, login_required …). */
  | 'denied'
  /** The provider vouched for the person, but no group of theirs maps to a role, or their name is unusable. */
  | 'refused'
  /** The provider's answer failed one of the protocol's checks (signature, issuer, audience, nonce, PKCE). */
  | 'invalid'
  /** The provider could not be reached. */
  | 'unavailable';

/** The outcome of a callback. */
export type OidcResult =
  | { ok: true; user: { name: string } & GrantedAccess; returnTo: string }
  | { ok: false; reason: OidcFailureReason; detail: string };

interface PendingLogin { nonce: string; codeVerifier: string; returnTo: string; expiresAt: number }

/** A failure that ends a callback with a result (caught in `complete`). */
class Outcome extends Error {
  constructor(readonly reason: OidcFailureReason, detail: string) { super(detail); }
}

/** Where to go after login: a path on this server only (never `//host` or `/\host`, which browsers treat as another site). */
export function safeReturnTo(next: unknown, fallback = '/console/'): string {
  if (typeof next !== 'string' || next.length > 500 || !/^\/(?![/\\])[\x21-\x7e]*$/.test(next)) return fallback;
  return next;
}

/** Single sign-on through an OpenID Connect provider: authorization code with PKCE, state and nonce, groups → role. */
export class OidcLogin {
  private discovered?: Promise<client.Configuration>;
  /** Keyed by the `state` value, which is also kept in the browser's cookie so the callback is bound to it. */
  private readonly pending = new Map<string, PendingLogin>();

  constructor(private readonly cfg: OidcSection, private readonly now: () => number = Date.now) {}

  /** The provider's metadata, read once; a failed read is forgotten so the next login tries again. */
  private configuration(): Promise<client.Configuration> {
    this.discovered ??= client.discovery(new URL(this.cfg.issuer), this.cfg.clientId,
      { redirect_uris: [this.cfg.redirectUrl], response_types: ['code'] },
      this.cfg.clientSecret === undefined ? client.None() : client.ClientSecretBasic(this.cfg.clientSecret),
      { timeout: Math.ceil(this.cfg.timeout / 1000), ...(this.cfg.allowInsecureHttp ? { execute: [client.allowInsecureRequests] } : {}) },
    ).then((c) => { c.timeout = Math.ceil(this.cfg.timeout / 1000); return c; });
    this.discovered.catch(() => { this.discovered = undefined; });
    return this.discovered;
  }

  /** Starts a login: the provider URL to send the browser to, and the state to keep in its cookie. */
  async begin(returnTo: string): Promise<{ ok: true; url: URL; state: string; maxAgeMs: number } | { ok: false; reason: 'unavailable'; detail: string }> {
    let config: client.Configuration;
    try { config = await this.configuration(); } catch (err) {
      return { ok: false, reason: 'unavailable', detail: `cannot read the provider's configuration at ${this.cfg.issuer}/.well-known/openid-configuration: ${describe(err)}` };
    }
    const state = client.randomState();
    const nonce = client.randomNonce();
    const codeVerifier = client.randomPKCECodeVerifier();
    this.remember(state, { nonce, codeVerifier, returnTo: safeReturnTo(returnTo), expiresAt: this.now() + this.cfg.loginTimeout });
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.cfg.redirectUrl, scope: this.cfg.scopes.join(' '), state, nonce,
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier), code_challenge_method: 'S256',
    });
    return { ok: true, url, state, maxAgeMs: this.cfg.loginTimeout };
  }

  private remember(state: string, login: PendingLogin): void {
    const now = this.now();
    for (const [k, v] of this.pending) if (v.expiresAt <= now) this.pending.delete(k);
    // Map order is insertion order: past the bound, the oldest started login is the one forgotten.
    while (this.pending.size >= MAX_PENDING) this.pending.delete(this.pending.keys().next().value!);
    this.pending.set(state, login);
  }

  /**
   * Finishes a login from the callback's query string and the state kept in the browser's cookie. The pending
   * login is used up before the code is exchanged, so a replayed callback is refused even if it raced the first.
   */
  async complete(query: URLSearchParams, cookieState: string | undefined): Promise<OidcResult> {
    try {
      const state = query.get('state') ?? '';
      if (!cookieState) throw new Outcome('state', 'this browser has no login in progress (cookies blocked, or the login was started elsewhere)');
      if (state !== cookieState) throw new Outcome('state', 'the state in the callback does not match the login this browser started');
      const login = this.pending.get(state);
      this.pending.delete(state);
      if (!login) throw new Outcome('state', 'this login was already completed, or was never started here');
      if (login.expiresAt <= this.now()) throw new Outcome('state', 'this login took too long at the provider: start it again');
      const config = await this.configuration().catch((err: unknown) => { throw new Outcome('unavailable', `cannot read the provider's configuration: ${describe(err)}`); });
      const callbackUrl = new URL(this.cfg.redirectUrl);
      callbackUrl.search = query.toString();
      const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: login.codeVerifier, expectedState: state, expectedNonce: login.nonce, idTokenExpected: true,
      }).catch((err: unknown) => { throw grantFailure(err); });
      const claims = tokens.claims();
      if (!claims) throw new Outcome('invalid', 'the provider sent no id_token');
      let groupsClaim: unknown = claims[this.cfg.claims.groups];
      if (groupsClaim === undefined && tokens.access_token) {
        // Providers that keep groups out of the id_token still give them at the userinfo endpoint.
        const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub).catch((err: unknown) => { throw grantFailure(err); });
        groupsClaim = info[this.cfg.claims.groups];
      }
      return { ok: true, user: this.person(claims, groupsClaim), returnTo: login.returnTo };
    } catch (err) {
      const o = err instanceof Outcome ? err : new Outcome('unavailable', describe(err));
      return { ok: false, reason: o.reason, detail: o.message };
    }
  }

  private person(claims: Record<string, unknown>, groupsClaim: unknown): { name: string } & GrantedAccess {
    const nameClaim = this.cfg.claims.name;
    const name = claims[nameClaim];
     
    if (typeof name !== 'string' || name.length === 0 || name.length > MAX_NAME || /[\u0000-\u001f\u007f]/.test(name) || name.trim() !== name) {
      throw new Outcome('refused', `the provider's ${nameClaim} claim is missing or not a usable name (1–${MAX_NAME} characters, no control characters): set auth.oidc.claims.name`);
    }
    const list = typeof groupsClaim === 'string' ? [groupsClaim] : Array.isArray(groupsClaim) ? groupsClaim : [];
    const groups = list.filter((g): g is string => typeof g === 'string' && g.length > 0 && g.length <= 1000).slice(0, MAX_GROUPS);
    const access = accessFromGroups(groups, this.cfg.groups);
    if (!access) {
      throw new Outcome('refused', `${name} is in no group that auth.oidc.groups maps to a role (the ${this.cfg.claims.groups} claim holds ${groups.length} group${groups.length === 1 ? '' : 's'})`);
    }
    return { name, ...access };
  }
}

/** One line on an error and its causes (openid-client wraps the specific check, e.g. the nonce, in `cause`). */
function describe(err: unknown): string {
  const parts: string[] = [];
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e; depth++) {
    const { message, code } = e as { message?: unknown; code?: unknown };
    for (const p of [message, code]) {
      const text = typeof p === 'string' ? p.split('\n')[0]!.slice(0, 200) : '';
      if (text && !parts.includes(text)) parts.push(text);
    }
    e = (e as { cause?: unknown }).cause;
  }
  return parts.length > 0 ? parts.join(': ') : String(err).slice(0, 200);
}

/** What a failed code exchange means: the provider said no, or the answer failed a check, or it was unreachable. */
function grantFailure(err: unknown): Outcome {
  if (err instanceof client.AuthorizationResponseError) {
    return new Outcome('denied', `the provider answered ${err.error}${err.error_description ? `: ${err.error_description.slice(0, 300)}` : ''}`);
  }
  if (err instanceof client.ResponseBodyError) {
    return new Outcome('state', `the provider refused the code (${err.error}${err.error_description ? `: ${err.error_description.slice(0, 300)}` : ''}); a code is good for one login only`);
  }
  if (err instanceof TypeError || (err as { name?: string })?.name === 'TimeoutError' || (err as { name?: string })?.name === 'AbortError') {
    return new Outcome('unavailable', `cannot reach the provider: ${describe(err)}`);
  }
  // openid-client's checks: nonce, issuer, audience, signature, PKCE, state; each is a refusal of this answer.
  return new Outcome('invalid', `the provider's answer failed a check: ${describe(err)}`);
}
