import { z } from 'zod';
import { noteAudit } from '../../auth/audit-hook.js';
import { hashPassword, MAX_PASSWORD_LENGTH } from '../../auth/passwords.js';
import { ROLES } from '../../auth/principal.js';
import type { AuthRuntime } from '../../auth/runtime.js';
import type { UserRecord } from '../../auth/users.js';
import { siteNameSchema, userNameSchema } from '../../config/sections/auth.js';
import { actor } from '../access.js';
import { routeSchema } from '../json-schema.js';
import { apiPlugin, type ApiContext } from '../plugin.js';
import { badRequest, conflict, notFound, problemSchema, type RequestIssue } from '../problems.js';

/** Shortest password an admin may set. */
export const MIN_PASSWORD_LENGTH = 8;
const password = z.string().min(MIN_PASSWORD_LENGTH).max(MAX_PASSWORD_LENGTH);
const sites = z.array(siteNameSchema).min(1).max(1000);

const createBody = z.strictObject({
  name: userNameSchema,
  password,
  role: z.enum(ROLES),
  sites: sites.optional().describe('absent: every site'),
  disabled: z.boolean().default(false),
});
type CreateBody = z.infer<typeof createBody>;

const changeBody = z.strictObject({
  password: password.optional(),
  role: z.enum(ROLES).optional(),
  sites: sites.nullable().optional().describe('null: every site'),
  disabled: z.boolean().optional(),
});
type ChangeBody = z.infer<typeof changeBody>;

const nameParams = z.strictObject({ name: z.string().min(1).max(200) });
type NameParams = z.infer<typeof nameParams>;

/** One user as the API answers it, never with a hash (the console reads its type). */
export const userJson = z.object({
  name: z.string(),
  role: z.enum(ROLES),
  sites: z.array(z.string()).nullable(),
  disabled: z.boolean(),
  source: z.enum(['config', 'database']).describe('config users are edited in noctua.yaml, not here'),
  createdAt: z.string().optional(),
  updatedAt: z.string().optional(),
});

function userToJson(u: UserRecord): z.infer<typeof userJson> {
  return { name: u.name, role: u.role, sites: u.sites ?? null, disabled: u.disabled, source: u.source, createdAt: u.createdAt?.toISOString(), updatedAt: u.updatedAt?.toISOString() };
}

/** What the audit trail keeps of a user: never the hash. */
function auditView(u: UserRecord): Record<string, unknown> {
  return { name: u.name, role: u.role, sites: u.sites ?? null, disabled: u.disabled };
}

/** Site names the inventory does not know, as issues naming each field. */
async function unknownSites(ctx: ApiContext, list: readonly string[] | null | undefined, path: string): Promise<RequestIssue[]> {
  if (!list) return [];
  const known = new Set((await ctx.services.devices.list()).map((d) => d.site));
  return list.flatMap((s, i) => (known.has(s) ? [] : [{ path: `${path}[${i}]`, expected: `a site in the inventory (${[...known].sort().join(', ')})`, got: JSON.stringify(s) }]));
}

/**
 * /api/v1/users: local users kept in the state database, managed by admins of every site. Users written in
 * noctua.yaml are listed but changed only there. Any change to a user ends their sessions.
 */
export const usersRoutes = apiPlugin('noctua-users', ['@fastify/swagger'], async (app, ctx) => {
  const auth = ctx.auth as AuthRuntime;

  app.get('/users', {
    config: { access: 'admin' },
    schema: routeSchema({ summary: 'Every local user, without password hashes', tags: ['users'], response: { 200: z.object({ items: z.array(userJson) }) } }, problemSchema),
  }, async () => ({ items: auth.users.list().map(userToJson) }));

  app.post<{ Body: CreateBody }>('/users', {
    config: { access: 'admin', audit: 'user.add' },
    schema: routeSchema({ summary: 'Add a local user', tags: ['users'], body: createBody, response: { 201: userJson } }, problemSchema),
  }, async (request, reply) => {
    const b = request.body;
    noteAudit(request, { target: `user:${b.name}` });
    const issues = await unknownSites(ctx, b.sites, 'body.sites');
    if (issues.length) throw badRequest(...issues);
    if (auth.users.find(b.name)) throw conflict(`user "${b.name}" exists already`);
    const passwordHash = await hashPassword(b.password);
    if (!auth.users.add({ name: b.name, passwordHash, role: b.role, sites: b.sites, disabled: b.disabled }, actor(request), ctx.now())) {
      throw conflict(`user "${b.name}" exists already`);
    }
    const created = auth.users.list().find((u) => u.name === b.name)!;
    noteAudit(request, { after: auditView(created) });
    return reply.code(201).send(userToJson(created));
  });

  app.patch<{ Params: NameParams; Body: ChangeBody }>('/users/:name', {
    config: { access: 'admin', audit: 'user.change' },
    schema: routeSchema({ summary: 'Change a local user\'s password, role, sites or disabled flag; ends their sessions', tags: ['users'], params: nameParams, body: changeBody, response: { 200: userJson } }, problemSchema),
  }, async (request) => {
    const { name } = request.params;
    const b = request.body;
    noteAudit(request, { target: `user:${name}` });
    const cur = auth.users.find(name);
    if (!cur) throw notFound(`user "${name}"`);
    if (cur.source === 'config') throw conflict(`user "${name}" is defined in noctua.yaml; change it there`);
    const issues = await unknownSites(ctx, b.sites, 'body.sites');
    if (issues.length) throw badRequest(...issues);
    const passwordHash = b.password !== undefined ? await hashPassword(b.password) : undefined;
    const updated = auth.users.change(name, { passwordHash, role: b.role, sites: b.sites, disabled: b.disabled }, actor(request), ctx.now());
    if (!updated) throw notFound(`user "${name}"`);
    const ended = auth.sessions.endAllOf(name);
    noteAudit(request, {
      before: auditView(cur), after: { ...auditView(updated), ...(passwordHash ? { passwordChanged: true } : {}) },
      detail: `${ended} session${ended === 1 ? '' : 's'} ended`,
    });
    return userToJson(updated);
  });

  app.delete<{ Params: NameParams }>('/users/:name', {
    config: { access: 'admin', audit: 'user.remove' },
    schema: routeSchema({ summary: 'Remove a local user; ends their sessions', tags: ['users'], params: nameParams, response: { 204: null } }, problemSchema),
  }, async (request, reply) => {
    const { name } = request.params;
    noteAudit(request, { target: `user:${name}` });
    const cur = auth.users.find(name);
    if (!cur) throw notFound(`user "${name}"`);
    if (cur.source === 'config') throw conflict(`user "${name}" is defined in noctua.yaml; remove it there`);
    if (!auth.users.remove(name)) throw notFound(`user "${name}"`);
    const ended = auth.sessions.endAllOf(name);
    noteAudit(request, { before: auditView(cur), detail: `${ended} session${ended === 1 ? '' : 's'} ended` });
    return reply.code(204).send();
  });
});
