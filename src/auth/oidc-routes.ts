import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { apiPlugin } from '../api/plugin.js';
import { jsonSchema } from '../api/json-schema.js';
import { readCookie, serializeCookie } from './cookies.js';
import { OidcLogin, safeReturnTo, type OidcFailureReason } from './oidc.js';
import { signInFailedPage } from './oidc-page.js';
import type { AuthRuntime } from './runtime.js';
import { startSession } from './start-session.js';

/** The cookie that binds a callback to the browser that started the login (it holds the `state`). */
export const OIDC_STATE_COOKIE = 'noctua_oidc';
const COOKIE_PATH = '/auth/oidc/';

const loginQuery = z.object({ next: z.string().max(500).optional() });
// Providers add their own parameters (session_state, iss …): those are allowed, every value is bounded.
const callbackQuery = z.looseObject({
  code: z.string().max(4096).optional(),
  state: z.string().max(512).optional(),
  iss: z.string().max(2048).optional(),
  error: z.string().max(256).optional(),
  error_description: z.string().max(2048).optional(),
}).catchall(z.string().max(4096));

/** The origin a request was made to, as the browser sees it (X-Forwarded-* only from a trusted proxy); '' when unreadable. */
function originOf(request: FastifyRequest): string {
  try { return new URL(`${request.protocol}://${request.host}`).origin; } catch { return ''; }
}

/**
 * Single sign-on routes (public: they are how one logs in): `GET /auth/oidc/login` sends the browser to the
 * provider, `GET /auth/oidc/callback` finishes the login, opens a console session and goes to `/console/`
 * (or the `next` path given at the start). Each login, success or failure, is in the audit trail.
 */
export const oidcRoutes = apiPlugin('noctua-oidc', [], async (app, ctx) => {
  const auth = ctx.auth as AuthRuntime;
  const settings = auth.settings.oidc!;
  const sso = new OidcLogin(settings, () => ctx.now().getTime());
  const limited = app.rateLimit({ max: auth.settings.loginRateLimitPerMinute, timeWindow: 60_000 });
  const home = new URL(settings.redirectUrl);
  const secure = (r: FastifyRequest) => r.protocol === 'https' || home.protocol === 'https:';

  const audit = (request: FastifyRequest, status: number, who: string, ok: boolean, detail: string, after?: unknown) => {
    try {
      auth.audit.record({
        at: ctx.now(), who, via: ok ? 'session' : 'anonymous', address: request.ip, action: ok ? 'login.success' : 'login.failure',
        method: request.method, route: '/auth/oidc/callback', target: `user:${who}`, status, outcome: ok ? 'ok' : 'refused', detail, after,
      });
    } catch (err) {
      request.log.error({ err }, 'audit row of a single sign-on could not be written');
    }
  };
  const fail = (reply: FastifyReply, reason: OidcFailureReason, detail: string) => {
    const page = signInFailedPage(reason, detail);
    return reply.code(page.status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page.html);
  };

  app.get<{ Querystring: z.infer<typeof loginQuery> }>('/auth/oidc/login', {
    config: { access: 'public' }, onRequest: limited,
    schema: { hide: true, querystring: jsonSchema(loginQuery) },
  }, async (request, reply) => {
    // The state cookie must come back to the callback: start the login on the callback's origin, not on the
    // address this browser happened to use (http://10.0.0.5:8080 and https://noc.example.com share no cookies).
    if (originOf(request) !== home.origin) {
      const next = request.query.next === undefined ? '' : `?next=${encodeURIComponent(safeReturnTo(request.query.next))}`;
      return reply.header('cache-control', 'no-store').redirect(`${home.origin}/auth/oidc/login${next}`, 302);
    }
    const begun = await sso.begin(safeReturnTo(request.query.next));
    if (!begun.ok) {
      request.log.warn({ detail: begun.detail }, 'single sign-on: provider unavailable');
      return fail(reply, 'unavailable', begun.detail);
    }
    reply.header('set-cookie', serializeCookie(OIDC_STATE_COOKIE, begun.state, { httpOnly: true, secure: secure(request), maxAge: begun.maxAgeMs / 1000, path: COOKIE_PATH }));
    return reply.header('cache-control', 'no-store').redirect(begun.url.href, 302);
  });

  app.get<{ Querystring: z.infer<typeof callbackQuery> }>('/auth/oidc/callback', {
    config: { access: 'public' }, onRequest: limited,
    schema: { hide: true, querystring: jsonSchema(callbackQuery) },
  }, async (request, reply) => {
    const raw = request.url.indexOf('?') >= 0 ? request.url.slice(request.url.indexOf('?') + 1) : '';
    const result = await sso.complete(new URLSearchParams(raw), readCookie(request.headers.cookie, OIDC_STATE_COOKIE));
    // The state cookie is spent either way: a second try starts from /auth/oidc/login.
    reply.header('set-cookie', serializeCookie(OIDC_STATE_COOKIE, '', { httpOnly: true, secure: secure(request), maxAge: 0, path: COOKIE_PATH }));
    if (!result.ok) {
      const status = signInFailedPage(result.reason, '').status;
      audit(request, status, 'anonymous', false, `oidc ${result.reason}: ${result.detail}`);
      request.log.warn({ reason: result.reason, detail: result.detail }, 'single sign-on refused');
      return fail(reply, result.reason, result.detail);
    }
    const answer = startSession(request, reply, result.user, 'session');
    audit(request, 303, result.user.name, true, 'by oidc', answer);
    return reply.redirect(result.returnTo, 303);
  });
});
