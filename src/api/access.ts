import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiRole, ApiSection } from '../config/sections/api.js';
import { CSRF_HEADER, SESSION_COOKIE, readCookie } from '../auth/cookies.js';
import { roleAllows, type Principal } from '../auth/principal.js';
import { resolveSession, type AuthRuntime } from '../auth/runtime.js';
import { problem } from './problems.js';

export { roleAllows, type Principal } from '../auth/principal.js';

/**
 * Who may call a route: a role (and every stronger one), or a public class whose openness the
 * `api:` section decides (`health` follows publicHealth, `wall` follows publicWall).
 */
export type Access = ApiRole | 'health' | 'wall' | 'public';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Required on every API route; a route without it is refused, so nothing is open by accident. */
    access?: Access;
    /** Accept the token as `?access_token=` (EventSource cannot send headers). */
    tokenInQuery?: boolean;
  }
  interface FastifyRequest {
    /** Who is calling: from a bearer token, a console session, or (set by their routes) a notice link or chat callback. */
    principal?: Principal;
  }
}

/** The sha256 hex digest config stores instead of a token (`noctua` prints it for new tokens). */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A new random token and the hash config stores for it (for `noctua lab` and for operators adding a token). */
export function newToken(): { token: string; sha256: string } {
  const token = randomBytes(24).toString('base64url');
  return { token, sha256: hashToken(token) };
}

/** The configured tokens, looked up by digest in constant time. */
export class TokenTable {
  private readonly entries: { name: string; role: ApiRole; digest: Buffer }[];

  constructor(tokens: ApiSection['tokens']) {
    this.entries = tokens.map((t) => ({ name: t.name, role: t.role, digest: Buffer.from(t.sha256, 'hex') }));
  }

  /** The principal for a presented token, or undefined. */
  resolve(token: string): Principal | undefined {
    const digest = createHash('sha256').update(token, 'utf8').digest();
    let found: Principal | undefined;
    // Compare with every entry, not stopping at a match, so timing says nothing about which entry matched.
    for (const e of this.entries) {
      if (timingSafeEqual(e.digest, digest) && !found) found = { name: e.name, role: e.role, via: 'token' };
    }
    return found;
  }
}

function presentedToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return m ? m[1] : '';
  }
  if (request.routeOptions.config.tokenInQuery) {
    const q = request.query as Record<string, unknown> | undefined;
    if (typeof q?.access_token === 'string') return q.access_token;
  }
  return undefined;
}

function deny(reply: FastifyReply, status: 401 | 403, message: string): FastifyReply {
  if (status === 401) reply.header('www-authenticate', 'Bearer realm="noctua"');
  return reply.code(status).send(problem(status, message));
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** True when the request's `x-csrf-token` header equals the session's token (constant time). */
function csrfMatches(request: FastifyRequest, expected: string): boolean {
  const sent = request.headers[CSRF_HEADER];
  if (typeof sent !== 'string' || sent.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(sent), Buffer.from(expected));
}

/** What access control needs beyond the `api:` settings: console sessions, and the clock they expire by. */
export interface AccessOptions {
  auth?: AuthRuntime;
  now?: () => Date;
}

/**
 * Checks every request against its route's `access` before anything else runs. A bearer token wins; without
 * one, the `noctua_session` cookie names a console session, and then every POST/PUT/PATCH/DELETE must carry
 * the session's CSRF token in `x-csrf-token` (bearer requests need none: browsers never add that header on
 * their own). Admin routes need an admin of every site. Routes not declared by the API (fastify's 404 handler)
 * pass through; declared routes without `access` are refused.
 */
export function installAccessControl(app: FastifyInstance, settings: ApiSection, opts: AccessOptions = {}): void {
  const tokens = new TokenTable(settings.tokens);
  const now = opts.now ?? (() => new Date());
  app.addHook('onRequest', async (request, reply) => {
    if (request.is404) return;
    const access = request.routeOptions.config.access;
    if (access === undefined) return deny(reply, 403, 'this route declares no access rule');
    const token = presentedToken(request);
    let csrf: string | undefined;
    let staleCookie = false;
    if (token) {
      request.principal = tokens.resolve(token);
    } else if (opts.auth) {
      const sid = readCookie(request.headers.cookie, SESSION_COOKIE);
      const session = sid !== undefined ? resolveSession(opts.auth, sid, now()) : undefined;
      if (typeof session === 'object') { request.principal = session.principal; csrf = session.csrf; } else staleCookie = session === 'ended';
    }
    if (access === 'public') return;
    if (access === 'health' && settings.publicHealth) return;
    if (access === 'wall' && settings.publicWall) return;
    if (!request.principal) {
      if (token !== undefined) return deny(reply, 401, 'invalid token');
      if (staleCookie) return deny(reply, 401, 'your login has expired or ended; log in again');
      return deny(reply, 401, 'missing token: send "Authorization: Bearer <token>" or log in (POST /api/v1/session)');
    }
    if (csrf !== undefined && MUTATING.has(request.method) && !csrfMatches(request, csrf)) {
      return deny(reply, 403, `missing or wrong ${CSRF_HEADER} header: a console request that changes something must echo the noctua_csrf cookie`);
    }
    const needed: ApiRole = access === 'health' || access === 'wall' ? 'viewer' : access;
    if (!roleAllows(request.principal.role, needed)) {
      return deny(reply, 403, `role ${request.principal.role} may not do this; it needs ${needed}`);
    }
    if (needed === 'admin' && request.principal.sites) {
      return deny(reply, 403, 'this needs an admin of every site; this login is limited to some sites');
    }
  });
}

/** The name actions are recorded under: the person's or the token's; routes that act always require one, so it is there. */
export function actor(request: FastifyRequest): string {
  return request.principal?.name ?? 'anonymous';
}
