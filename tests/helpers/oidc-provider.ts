/**
 * A real OpenID Connect provider for the single sign-on tests: npm `oidc-provider` (the certified Node
 * implementation) on a free loopback port, with one confidential client, PKCE required, and a minimal login page
 * of its own (the provider ships no production login UI). The id_token carries the `groups` claim, as Keycloak,
 * Authentik and Azure AD can be set to do.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import Provider, { type Configuration } from 'oidc-provider';
import { freeTcpPort } from '../../src/lab/ports.js';

/** One person the provider knows. */
export interface IdpAccount { sub: string; username: string; password: string; name: string; groups: string[] }

/** The people every test provider knows: their groups are what the tests map to roles. */
export const IDP_ACCOUNTS: IdpAccount[] = [
  { sub: 'u-1001', username: 'olivia', password: 'olivia-idp-pw', name: 'Olivia Ops', groups: ['noc-operators'] },
  { sub: 'u-1002', username: 'adam', password: 'adam-idp-pw', name: 'Adam Admin', groups: ['noc-operators', 'noc-admins'] },
  { sub: 'u-1003', username: 'sam', password: 'sam-idp-pw', name: 'Sam Shanghai', groups: ['branch-shanghai'] },
  { sub: 'u-1004', username: 'nina', password: 'nina-idp-pw', name: 'Nina Nogroup', groups: ['marketing'] },
];

/** A running provider. */
export interface OidcProviderInstance {
  issuer: string;
  port: number;
  clientId: string;
  clientSecret: string;
  /** Number of token requests the provider answered, by outcome (to see a replayed code refused at the provider). */
  tokenRequests: { ok: number; failed: number };
  stop(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => { body += c; if (body.length > 10_000) req.destroy(); });
    req.on('end', () => resolve(new URLSearchParams(body)));
    req.on('error', reject);
  });
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The provider's own login page: GET shows the form, POST …/login checks it, POST …/abort is "Cancel". */
async function interaction(provider: Provider, req: IncomingMessage, res: ServerResponse, accounts: IdpAccount[]): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  const form = (error = '') => {
    res.writeHead(error ? 401 : 200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><title>Test IdP</title>${error ? `<p id="error">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(details.uid)}/login"><input name="username"><input name="password" type="password"><button>Sign in</button></form>`);
  };
  if (req.method === 'GET') { form(); return; }
  if (req.url?.endsWith('/abort')) {
    await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'the person cancelled the sign-in' }, { mergeWithLastSubmission: false });
    return;
  }
  const body = await readBody(req);
  const who = accounts.find((a) => a.username === body.get('username') && a.password === body.get('password'));
  if (!who) { form('wrong user name or password'); return; }
  await provider.interactionFinished(req, res, { login: { accountId: who.sub } }, { mergeWithLastSubmission: false });
}

/** Starts the provider on a free port of 127.0.0.1; `redirectUri` is the one callback URL its client may use. */
export async function startOidcProvider(opts: { redirectUri: string; accounts?: IdpAccount[] }): Promise<OidcProviderInstance> {
  const accounts = opts.accounts ?? IDP_ACCOUNTS;
  const port = await freeTcpPort();
  const issuer = `http://127.0.0.1:${port}`;
  const clientId = 'noctua-console';
  const clientSecret = randomBytes(24).toString('base64url');
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const tokenRequests = { ok: 0, failed: 0 };
  const config: Configuration = {
    clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: [opts.redirectUri], grant_types: ['authorization_code'], response_types: ['code'] }],
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), alg: 'RS256', use: 'sig', kid: 'test-key-1' }] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    pkce: { required: () => true },
    scopes: ['openid', 'profile', 'email', 'groups'],
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'], email: ['email'], groups: ['groups'] },
    // Scope claims go into the id_token too (not only the userinfo endpoint), as the IdPs Noctua targets can.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, i) => `/interaction/${i.uid}` },
    async findAccount(_ctx, sub) {
      const a = accounts.find((x) => x.sub === sub);
      if (!a) return undefined;
      return { accountId: a.sub, claims: () => ({ sub: a.sub, name: a.name, preferred_username: a.username, email: `${a.username}@idp.test`, groups: a.groups }) };
    },
    // A first-party console: no consent screen; the grant covers what was asked.
    async loadExistingGrant(ctx) {
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId });
      grant.addOIDCScope(String(ctx.oidc.params?.scope ?? 'openid'));
      await grant.save();
      return grant;
    },
  };
  const provider = new Provider(issuer, config);
  provider.on('grant.success', () => { tokenRequests.ok += 1; });
  provider.on('grant.error', () => { tokenRequests.failed += 1; });
  const callback = provider.callback();
  const server: Server = createServer((req, res) => {
    if (req.url?.startsWith('/interaction/')) {
      interaction(provider, req, res, accounts).catch((err: unknown) => { res.writeHead(500); res.end(String(err)); });
      return;
    }
    void callback(req, res);
  });
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(port, '127.0.0.1', resolve); });
  return {
    issuer, port, clientId, clientSecret, tokenRequests,
    stop: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** A browser's part at the provider: follows redirects on the provider's origin, keeps its cookies, fills the login form. */
export class IdpBrowser {
  private readonly jar = new Map<string, string>();

  constructor(private readonly issuer: string) {}

  private async request(url: string, init: { method?: string; body?: URLSearchParams } = {}): Promise<Response> {
    const res = await fetch(url, {
      method: init.method ?? 'GET', redirect: 'manual', body: init.body,
      headers: { cookie: [...this.jar].map(([k, v]) => `${k}=${v}`).join('; '), ...(init.body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      const [k, v] = [pair!.slice(0, at), pair!.slice(at + 1)];
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(line) || v === '') this.jar.delete(k); else this.jar.set(k, v);
    }
    return res;
  }

  /** Follows redirects while they stay at the provider; returns the first URL elsewhere, or the provider page it stopped at. */
  private async follow(res: Response, from: string): Promise<{ leftTo?: URL; page?: Response }> {
    let current = res;
    let base = from;
    for (let hops = 0; hops < 10; hops++) {
      const location = current.headers.get('location');
      if (current.status < 300 || current.status >= 400 || !location) return { page: current };
      const next = new URL(location, base);
      if (next.origin !== new URL(this.issuer).origin) return { leftTo: next };
      base = next.href;
      current = await this.request(next.href);
    }
    throw new Error('too many redirects at the provider');
  }

  /** Opens `authorizeUrl` and signs in; returns where the provider sends the browser back (the callback URL with code and state). */
  async signIn(authorizeUrl: URL, username: string, password: string, opts: { cancel?: boolean } = {}): Promise<URL> {
    const first = await this.follow(await this.request(authorizeUrl.href), authorizeUrl.href);
    if (first.leftTo) return first.leftTo;
    const html = await first.page!.text();
    const action = /action="([^"]+)"/.exec(html)?.[1];
    if (!action) throw new Error(`the provider showed no login form (HTTP ${first.page!.status}): ${html.slice(0, 300)}`);
    const target = new URL(opts.cancel ? action.replace(/\/login$/, '/abort') : action, this.issuer).href;
    const posted = await this.request(target, { method: 'POST', body: new URLSearchParams({ username, password }) });
    const after = await this.follow(posted, target);
    if (!after.leftTo) throw new Error(`the provider did not send the browser back (HTTP ${after.page!.status}): ${(await after.page!.text()).slice(0, 300)}`);
    return after.leftTo;
  }
}
