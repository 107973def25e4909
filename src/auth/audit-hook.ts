import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditEntry, AuditLog, AuditOutcome } from './audit.js';
import type { Via } from './principal.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The audit action name of a state-changing route (`incident.acknowledge`); default `METHOD /route`. */
    audit?: string;
  }
}

/** What a route adds to its request's audit row: the target and the state before and after, or who acted when no principal is set. */
export interface AuditNote {
  action?: string;
  target?: string;
  before?: unknown;
  after?: unknown;
  detail?: string;
  /** Who acted, when it is not the request's principal (a failed login's user name, a notice link's recipient). */
  who?: string;
  via?: Via;
}

const notes = new WeakMap<FastifyRequest, AuditNote>();
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Adds details to this request's audit row (later notes win field by field). Any route may call it; non-mutating requests are not audited. */
export function noteAudit(request: FastifyRequest, note: AuditNote): void {
  notes.set(request, { ...notes.get(request), ...note });
}

function outcomeOf(status: number): AuditOutcome {
  if (status < 400) return 'ok';
  return status === 401 || status === 403 || status === 429 ? 'refused' : 'failed';
}

/**
 * Writes one audit row for every POST/PUT/PATCH/DELETE that reached a declared route, when its answer is
 * sent: whoever added the route, it is audited. Routes add the target and before/after with {@link noteAudit}.
 */
export function installAuditHook(app: FastifyInstance, log: AuditLog, now: () => Date): void {
  app.addHook('onResponse', async (request, reply) => {
    if (!MUTATING.has(request.method) || request.is404) return;
    const note = notes.get(request) ?? {};
    const p = request.principal;
    const route = request.routeOptions.url ?? request.url.split('?')[0]!;
    const entry: AuditEntry = {
      at: now(), who: note.who ?? p?.name ?? 'anonymous', role: note.who === undefined ? p?.role : undefined,
      via: note.via ?? p?.via ?? 'anonymous', address: request.ip,
      action: note.action ?? request.routeOptions.config.audit ?? `${request.method} ${route}`,
      method: request.method, route, target: note.target, status: reply.statusCode, outcome: outcomeOf(reply.statusCode),
      before: note.before, after: note.after, detail: note.detail,
    };
    try {
      log.record(entry);
    } catch (err) {
      // The answer is already sent; losing the row must at least be loud.
      request.log.error({ err, action: entry.action }, 'audit row could not be written');
    }
  });
}
