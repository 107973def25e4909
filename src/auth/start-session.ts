import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthenticatedUser } from './authenticator.js';
import { CSRF_COOKIE, SESSION_COOKIE, readCookie, serializeCookie } from './cookies.js';
import type { Principal, Via } from './principal.js';
import type { AuthRuntime } from './runtime.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The auth parts, when the app was built with a state database (src/api/app.ts). */
    noctuaAuth?: AuthRuntime;
    /** The clock the app answers by (tests pin it). */
    noctuaNow?: () => Date;
  }
}

/** What a login answers: the person the console shows. */
export interface SessionAnswer { name: string; role: Principal['role']; sites: string[] | null }

/** The answer body for a principal. */
export function sessionAnswer(p: Pick<Principal, 'name' | 'role' | 'sites'>): SessionAnswer {
  return { name: p.name, role: p.role, sites: p.sites ?? null };
}

function runtimeOf(request: FastifyRequest): AuthRuntime {
  const auth = request.server.noctuaAuth;
  if (!auth) throw new Error('startSession needs the app built with auth (buildApp({ auth }))');
  return auth;
}

/**
 * Opens a console session for a person an authenticator (or an OIDC callback) vouched for: a new session
 * id every login (the one presented is ended), `noctua_session` HttpOnly and `noctua_csrf` readable by
 * scripts, both SameSite=Lax and Secure when the request came over TLS (or X-Forwarded-Proto https from a
 * trusted proxy). `source` names the authenticator (`local` sessions are checked against the user on each
 * request). Returns the answer body.
 */
export function startSession(request: FastifyRequest, reply: FastifyReply, user: AuthenticatedUser, via: Via = 'session', source?: string): SessionAnswer {
  const auth = runtimeOf(request);
  const now = request.server.noctuaNow?.() ?? new Date();
  const principal: Principal = { name: user.name, role: user.role, ...(user.sites ? { sites: [...user.sites] } : {}), via };
  const previous = readCookie(request.headers.cookie, SESSION_COOKIE);
  const s = auth.sessions.open(principal, request.ip, now, previous, source);
  const secure = request.protocol === 'https';
  const maxAge = (s.expiresAt.getTime() - now.getTime()) / 1000;
  reply.header('set-cookie', [
    serializeCookie(SESSION_COOKIE, s.id, { httpOnly: true, secure, maxAge }),
    serializeCookie(CSRF_COOKIE, s.csrf, { httpOnly: false, secure, maxAge }),
  ]);
  reply.header('cache-control', 'no-store');
  request.principal = principal;
  return sessionAnswer(principal);
}

/** Ends the session presented in the cookie (if any) and clears both cookies; true when a session was ended. */
export function endSession(request: FastifyRequest, reply: FastifyReply): boolean {
  const auth = runtimeOf(request);
  const id = readCookie(request.headers.cookie, SESSION_COOKIE);
  const ended = id ? auth.sessions.end(id) : false;
  const secure = request.protocol === 'https';
  reply.header('set-cookie', [
    serializeCookie(SESSION_COOKIE, '', { httpOnly: true, secure, maxAge: 0 }),
    serializeCookie(CSRF_COOKIE, '', { httpOnly: false, secure, maxAge: 0 }),
  ]);
  return ended;
}
