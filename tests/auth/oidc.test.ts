import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oidcSectionSchema, type OidcSection } from '../../src/config/sections/auth-directory.js';
import { OidcLogin, safeReturnTo } from '../../src/auth/oidc.js';
import { IDP_ACCOUNTS, IdpBrowser, startOidcProvider, type OidcProviderInstance } from '../helpers/oidc-provider.js';

const REDIRECT = 'https://noctua.example.test/auth/oidc/callback';
let idp: OidcProviderInstance;

function settings(over: Record<string, unknown> = {}): OidcSection {
  return oidcSectionSchema.parse({
    issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, redirectUrl: REDIRECT, allowInsecureHttp: true,
    groups: [
      { group: 'noc-operators', role: 'operator' },
      { group: 'noc-admins', role: 'admin' },
      { group: 'branch-shanghai', role: 'operator', sites: ['shanghai'] },
    ],
    ...over,
  });
}
const pw = (u: string) => IDP_ACCOUNTS.find((a) => a.username === u)!.password;

/** Starts a login, signs in at the provider as `user`, and returns the callback's query and the state cookie. */
async function signIn(login: OidcLogin, user: string, opts: { returnTo?: string; alter?: (u: URL) => void; cancel?: boolean } = {}) {
  const begun = await login.begin(opts.returnTo ?? '/console/');
  if (!begun.ok) throw new Error(begun.detail);
  opts.alter?.(begun.url);
  const back = await new IdpBrowser(idp.issuer).signIn(begun.url, user, pw(user), { cancel: opts.cancel });
  expect(back.href.startsWith(`${REDIRECT}?`), back.href).toBe(true);
  return { query: back.searchParams, state: begun.state, authorizeUrl: begun.url };
}

beforeAll(async () => {
  idp = await startOidcProvider({ redirectUri: REDIRECT });
});
afterAll(async () => {
  await idp?.stop();
});

describe('OIDC single sign-on against a real oidc-provider', () => {
  it('sends the browser to the provider with a code challenge (S256), state, nonce and the configured scopes', async () => {
    const begun = await new OidcLogin(settings()).begin('/console/');
    if (!begun.ok) throw new Error(begun.detail);
    const p = begun.url.searchParams;
    expect(begun.url.origin + begun.url.pathname).toBe(`${idp.issuer}/auth`);
    expect(p.get('response_type')).toBe('code');
    expect(p.get('client_id')).toBe(idp.clientId);
    expect(p.get('redirect_uri')).toBe(REDIRECT);
    expect(p.get('scope')).toBe('openid profile email groups');
    expect(p.get('code_challenge_method')).toBe('S256');
    expect(p.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(p.get('state')).toBe(begun.state);
    expect(p.get('nonce')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(p.get('state')).not.toBe(p.get('nonce'));
  });

  it('the id_token\'s groups become the role and sites; the name is preferred_username', async () => {
    const login = new OidcLogin(settings());
    const cases = [
      ['olivia', { name: 'olivia', role: 'operator' }],
      ['adam', { name: 'adam', role: 'admin' }],
      ['sam', { name: 'sam', role: 'operator', sites: ['shanghai'] }],
    ] as const;
    for (const [user, expected] of cases) {
      const { query, state } = await signIn(login, user, { returnTo: '/console/incidents?state=open' });
      expect(await login.complete(query, state), user).toEqual({ ok: true, user: expected, returnTo: '/console/incidents?state=open' });
    }
  });

  it('another claim can name the person (claims.name)', async () => {
    const login = new OidcLogin(settings({ claims: { name: 'name' } }));
    const { query, state } = await signIn(login, 'olivia');
    expect(await login.complete(query, state)).toMatchObject({ ok: true, user: { name: 'Olivia Ops', role: 'operator' } });
  });

  it('a person in no mapped group is refused, saying so', async () => {
    const login = new OidcLogin(settings());
    const { query, state } = await signIn(login, 'nina');
    const r = await login.complete(query, state);
    expect(r).toMatchObject({ ok: false, reason: 'refused' });
    expect(!r.ok && r.detail).toMatch(/nina is in no group that auth\.oidc\.groups maps to a role \(the groups claim holds 1 group\)/);
  });

  it('a tampered state, or a state from another browser, is refused', async () => {
    const login = new OidcLogin(settings());
    const { query, state } = await signIn(login, 'olivia');
    const tampered = new URLSearchParams(query);
    tampered.set('state', `${state.slice(0, -1)}${state.endsWith('A') ? 'B' : 'A'}`);
    expect(await login.complete(tampered, state)).toMatchObject({ ok: false, reason: 'state', detail: expect.stringMatching(/does not match/) });
    // The attacker's own callback pushed into someone else's browser (login CSRF): the cookie holds another state.
    const other = await login.begin('/console/');
    expect(await login.complete(query, other.ok ? other.state : 'x')).toMatchObject({ ok: false, reason: 'state' });
    expect(await login.complete(query, undefined)).toMatchObject({ ok: false, reason: 'state', detail: expect.stringMatching(/no login in progress/) });
  });

  it('a replayed callback is refused, and the provider refuses a code used twice', async () => {
    const login = new OidcLogin(settings());
    const { query, state } = await signIn(login, 'olivia');
    expect(await login.complete(query, state)).toMatchObject({ ok: true });
    expect(await login.complete(query, state)).toMatchObject({ ok: false, reason: 'state', detail: expect.stringMatching(/already completed/) });
    // Even with a fresh login's state around the old code, the provider says no (code used, and PKCE does not match).
    const failedBefore = idp.tokenRequests.failed;
    const fresh = await login.begin('/console/');
    if (!fresh.ok) throw new Error(fresh.detail);
    const replay = new URLSearchParams(query);
    replay.set('state', fresh.state);
    expect(await login.complete(replay, fresh.state)).toMatchObject({ ok: false, reason: 'state', detail: expect.stringMatching(/provider refused the code \(invalid_grant/) });
    expect(idp.tokenRequests.failed).toBe(failedBefore + 1);
  });

  it('a nonce changed on the way to the provider is caught in the id_token', async () => {
    const login = new OidcLogin(settings());
    const { query, state } = await signIn(login, 'olivia', { alter: (u) => u.searchParams.set('nonce', 'attacker-chosen-nonce-0123456789abcdefghij') });
    expect(await login.complete(query, state)).toMatchObject({ ok: false, reason: 'invalid', detail: expect.stringMatching(/nonce/) });
  });

  it('a code challenge changed on the way to the provider fails PKCE at the token endpoint', async () => {
    const login = new OidcLogin(settings());
    const { query, state } = await signIn(login, 'olivia', { alter: (u) => u.searchParams.set('code_challenge', 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM') });
    expect(await login.complete(query, state)).toMatchObject({ ok: false, reason: 'state', detail: expect.stringMatching(/invalid_grant/) });
  });

  it('a person who cancels at the provider is told the provider said no', async () => {
    const login = new OidcLogin(settings());
    const { query, state } = await signIn(login, 'olivia', { cancel: true });
    expect(await login.complete(query, state)).toMatchObject({ ok: false, reason: 'denied', detail: expect.stringMatching(/access_denied: the person cancelled/) });
  });

  it('a login that stays at the provider past loginTimeout must be started again', async () => {
    let now = Date.now();
    const login = new OidcLogin(settings({ loginTimeout: '2m' }), () => now);
    const { query, state } = await signIn(login, 'olivia');
    now += 121_000;
    expect(await login.complete(query, state)).toMatchObject({ ok: false, reason: 'state', detail: expect.stringMatching(/too long/) });
  });

  it('groups kept out of the id_token are read from the userinfo endpoint', async () => {
    // A claim name the id_token does not carry: the provider is asked at userinfo, which carries no such claim either.
    const login = new OidcLogin(settings({ claims: { groups: 'roles' } }));
    const { query, state } = await signIn(login, 'adam');
    expect(await login.complete(query, state)).toMatchObject({ ok: false, reason: 'refused', detail: expect.stringMatching(/the roles claim holds 0 groups/) });
  });

  it('the provider down: the login cannot start and says why', async () => {
    const login = new OidcLogin(settings());
    await idp.stop();
    const r = await login.begin('/console/');
    expect(r).toMatchObject({ ok: false, reason: 'unavailable', detail: expect.stringMatching(/cannot read the provider's configuration at http:\/\/127\.0\.0\.1:\d+\/.well-known\/openid-configuration: .*(ECONNREFUSED|UND_ERR_SOCKET)/) });
  });
});

describe('where a login returns to', () => {
  it('only paths on this server; anything that browsers read as another site falls back to the console', () => {
    expect(safeReturnTo('/console/incidents/42')).toBe('/console/incidents/42');
    for (const evil of ['//evil.example/', '/\\evil.example', 'https://evil.example/', 'javascript:alert(1)', '/con sole', '/x\ny', `/${'a'.repeat(600)}`, undefined, 42]) {
      expect(safeReturnTo(evil), String(evil).slice(0, 30)).toBe('/console/');
    }
  });
});
