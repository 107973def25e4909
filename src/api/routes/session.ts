import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { authenticateWith } from '../../auth/authenticator.js';
import { MAX_PASSWORD_LENGTH } from '../../auth/passwords.js';
import { ROLES } from '../../auth/principal.js';
import type { AuthRuntime } from '../../auth/runtime.js';
import { endSession, sessionAnswer, startSession } from '../../auth/start-session.js';
import { noteAudit } from '../../auth/audit-hook.js';
import { routeSchema } from '../json-schema.js';
import { apiPlugin } from '../plugin.js';
import { problemSchema, RequestProblem } from '../problems.js';

/** Longest user name a login may send; longer is a 400 naming the field, before any password check. */
export const MAX_LOGIN_NAME_LENGTH = 200;
/** A password check that takes longer than this (a directory that hangs) answers 503. */
const LOGIN_TIMEOUT_MS = 10_000;

const loginBody = z.strictObject({
  username: z.string().min(1).max(MAX_LOGIN_NAME_LENGTH),
  password: z.string().min(1).max(MAX_PASSWORD_LENGTH),
});
type LoginBody = z.infer<typeof loginBody>;

/** The person behind the console session (or token); sites null means every site. */
export const sessionJson = z.object({
  name: z.string(),
  role: z.enum(ROLES),
  sites: z.array(z.string()).nullable().describe('the sites this person sees and acts on; null means every site'),
  via: z.string().optional().describe('how the caller is authenticated: session or token'),
});

/** One answer for unknown names and wrong passwords, so the API does not tell which names exist. */
const WRONG = 'wrong user name or password';

/**
 * /api/v1/session: log in with a user name and password (local users, then the other authenticators in
 * src/auth/registry.ts), see who is logged in, log out. Logins are rate-limited per client and locked
 * after repeated failures per user name and per client address (auth.lockout).
 */
export const sessionRoutes = apiPlugin('noctua-session', ['@fastify/swagger'], async (app, ctx) => {
  const auth = ctx.auth as AuthRuntime;
  // A limiter of its own (createRateLimit): the app-wide hook has already marked the request as limited,
  // so a second app.rateLimit() hook on this route would be skipped.
  const max = auth.settings.loginRateLimitPerMinute;
  const check = app.createRateLimit({ max, timeWindow: 60_000 });
  const limited = async (request: FastifyRequest, reply: FastifyReply) => {
    const r = await check(request);
    if (r.isAllowed || !r.isExceeded) return;
    reply.header('retry-after', String(r.ttlInSeconds));
    throw new RequestProblem(429, `login rate limit of ${max} requests per minute exceeded; retry in ${r.ttlInSeconds}s`);
  };

  app.post<{ Body: LoginBody }>('/session', {
    config: { access: 'public' },
    onRequest: limited,
    schema: routeSchema({
      summary: 'Log in: sets the noctua_session (HttpOnly) and noctua_csrf cookies',
      tags: ['session'], body: loginBody, response: { 200: sessionJson }, secured: false,
    }, problemSchema),
  }, async (request, reply) => {
    const { username, password } = request.body;
    const address = request.ip;
    const t = ctx.now();
    const locked = auth.lockout.lockedUntil(username, address, t);
    if (locked) {
      const seconds = Math.max(1, Math.ceil((locked.getTime() - t.getTime()) / 1000));
      noteAudit(request, { action: 'login.failure', who: username, target: `user:${username}`, detail: 'locked' });
      reply.header('retry-after', String(seconds));
      throw new RequestProblem(429, `too many failed logins for this user name or from this address; try again in ${seconds}s`);
    }
    const signal = AbortSignal.timeout(LOGIN_TIMEOUT_MS);
    const result = await authenticateWith(auth.authenticators, username, password, signal);
    if (result.ok) {
      auth.lockout.succeeded(username);
      const answer = startSession(request, reply, result.user, 'session', result.by);
      noteAudit(request, { action: 'login.success', target: `user:${result.user.name}`, detail: `by ${result.by ?? 'unknown'}`, after: answer });
      return { ...answer, via: 'session' };
    }
    noteAudit(request, { action: 'login.failure', who: username, target: `user:${username}`, detail: `${result.reason}${result.by ? ` (${result.by})` : ''}` });
    if (result.reason === 'unavailable') {
      request.log.warn({ authenticator: result.by, detail: result.detail }, 'login: authenticator unavailable');
      throw new RequestProblem(503, 'the login service is unavailable; try again later');
    }
    auth.lockout.failed(username, address, t);
    if (result.reason === 'refused') throw new RequestProblem(403, `login refused: ${result.detail ?? 'this account may not log in'}`);
    throw new RequestProblem(401, WRONG);
  });

  app.get('/session', {
    config: { access: 'viewer' },
    schema: routeSchema({ summary: 'Who is logged in (or which token is used); 401 when nobody', tags: ['session'], response: { 200: sessionJson } }, problemSchema),
  }, async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const p = request.principal!;
    return { ...sessionAnswer(p), via: p.via };
  });

  app.delete('/session', {
    config: { access: 'viewer' },
    schema: routeSchema({ summary: 'Log out: ends the session and clears its cookies', tags: ['session'], response: { 204: null } }, problemSchema),
  }, async (request, reply) => {
    const ended = endSession(request, reply);
    noteAudit(request, { action: 'logout', target: `user:${request.principal!.name}`, detail: ended ? undefined : 'no session to end' });
    return reply.code(204).send();
  });
});
