/**
 * The API over the in-memory NOC (tests/api/memory-noc.ts) with logins: a state database in memory,
 * local users for each role plus a branch operator limited to the shanghai site, and a clock tests move.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';
import { buildApp } from '../../src/api/app.js';
import type { ApiServices } from '../../src/api/services/index.js';
import { hashPassword } from '../../src/auth/passwords.js';
import { createAuth, type AuthRuntime } from '../../src/auth/runtime.js';
import { authSectionSchema } from '../../src/config/sections/auth.js';
import { openStateDb, type Db } from '../../src/core/database.js';
import { apiSettings, MemoryNoc, T0 } from '../api/memory-noc.js';

/** Every test user's password. */
export const PASSWORD = 'correct horse battery';

/** Cheap hashes for tests (ln=10); production uses ln=15. The format and the check are the same. */
async function cheapHash(pw: string): Promise<string> {
  return hashPassword(pw, { ln: 10, r: 8, p: 1 });
}

/** The app, its NOC, its auth parts and a clock (`clock.t`, ms since epoch) the app reads. */
export interface ConsoleApp {
  app: FastifyInstance;
  noc: MemoryNoc;
  auth: AuthRuntime;
  db: Db;
  clock: { t: number };
}

/** Builds the app with users vera (viewer), olga (operator), ada (admin), bob (operator of shanghai only), dan (disabled). */
export async function consoleApp(auth: Record<string, unknown> = {}, api: Record<string, unknown> = {}, patch: (s: ApiServices) => void = () => {}): Promise<ConsoleApp> {
  const clock = { t: T0.getTime() };
  const noc = new MemoryNoc(() => new Date(clock.t));
  const hash = await cheapHash(PASSWORD);
  const settings = authSectionSchema.parse({
    users: [
      { name: 'vera', role: 'viewer', passwordHash: hash },
      { name: 'olga', role: 'operator', passwordHash: hash },
      { name: 'ada', role: 'admin', passwordHash: hash },
      { name: 'bob', role: 'operator', sites: ['shanghai'], passwordHash: hash },
      { name: 'dan', role: 'operator', passwordHash: hash, disabled: true },
    ],
    ...auth,
  });
  const db = openStateDb('', ':memory:');
  const runtime = createAuth({ settings, db });
  const services = noc.services();
  patch(services);
  const app = buildApp({ settings: apiSettings(api), services, log: pino({ level: 'silent' }), now: () => new Date(clock.t), auth: runtime });
  return { app, noc, auth: runtime, db, clock };
}

/** The cookies a response set, by name (value only). */
export function setCookies(r: LightMyRequestResponse): Record<string, string> {
  const raw = r.headers['set-cookie'];
  const lines = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  return Object.fromEntries(lines.map((l) => { const [kv] = l.split(';'); const at = kv!.indexOf('='); return [kv!.slice(0, at), decodeURIComponent(kv!.slice(at + 1))]; }));
}

/** A logged-in console: the Cookie header and CSRF token to send. */
export interface Login { cookie: string; csrf: string; status: number }

/** Logs in through POST /api/v1/session. */
export async function login(app: FastifyInstance, username: string, password = PASSWORD, remoteAddress = '127.0.0.1'): Promise<Login> {
  const r = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { username, password }, remoteAddress });
  const c = setCookies(r);
  return { status: r.statusCode, cookie: `noctua_session=${c.noctua_session ?? ''}; noctua_csrf=${c.noctua_csrf ?? ''}`, csrf: c.noctua_csrf ?? '' };
}

/** Headers of a console request that changes something (cookie plus CSRF header). */
export function asConsole(l: Login): Record<string, string> {
  return { cookie: l.cookie, 'x-csrf-token': l.csrf };
}
