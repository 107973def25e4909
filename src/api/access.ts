import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { API_ROLES, type ApiRole, type ApiSection } from '../config/sections/api.js';
import { problem } from './problems.js';

/**
 * Who may call a route: a role (and every stronger one), or a public class whose openness the
 * `api:` section decides (`health` follows publicHealth, `wall` follows publicWall).
 */
export type Access = ApiRole | 'health' | 'wall' | 'public';

/** The caller behind a valid token; `name` is what incidents record as "acknowledged by". */
export interface Principal {
  name: string;
  role: ApiRole;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Required on every API route; a route without it is refused, so nothing is open by accident. */
    access?: Access;
    /** Accept the token as `?access_token=` (EventSource cannot send headers). */
    tokenInQuery?: boolean;
  }
  interface FastifyRequest {
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
      if (timingSafeEqual(e.digest, digest) && !found) found = { name: e.name, role: e.role };
    }
    return found;
  }
}

/** True when `role` is at least `needed`. */
export function roleAllows(role: ApiRole, needed: ApiRole): boolean {
  return API_ROLES.indexOf(role) >= API_ROLES.indexOf(needed);
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

/**
 * Checks every request against its route's `access` before anything else runs. Routes not declared
 * by the API (fastify's 404 handler) pass through; declared routes without `access` are refused.
 */
export function installAccessControl(app: FastifyInstance, settings: ApiSection): void {
  const tokens = new TokenTable(settings.tokens);
  app.addHook('onRequest', async (request, reply) => {
    if (request.is404) return;
    const access = request.routeOptions.config.access;
    if (access === undefined) return deny(reply, 403, 'this route declares no access rule');
    const token = presentedToken(request);
    if (token) request.principal = tokens.resolve(token);
    if (access === 'public') return;
    if (access === 'health' && settings.publicHealth) return;
    if (access === 'wall' && settings.publicWall) return;
    if (token === undefined) return deny(reply, 401, 'missing token: send "Authorization: Bearer <token>"');
    if (!request.principal) return deny(reply, 401, 'invalid token');
    const needed: ApiRole = access === 'health' || access === 'wall' ? 'viewer' : access;
    if (!roleAllows(request.principal.role, needed)) {
      return deny(reply, 403, `role ${request.principal.role} may not do this; it needs ${needed}`);
    }
  });
}

/** The name actions are recorded under; routes that act always require a token, so it is there. */
export function actor(request: FastifyRequest): string {
  return request.principal?.name ?? 'anonymous';
}
