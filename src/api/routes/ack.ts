import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { LINK_ACTIONS, type LinkAction } from '../../alerting/escalation/ack-token.js';
import type { Principal } from '../access.js';
import { noteAudit } from '../../auth/audit-hook.js';
import { incidentAuditState } from './incidents.js';
import { apiPlugin } from '../plugin.js';
import type { AckRefusal } from '../services/index.js';
import { REFUSAL_STATUS, pickLang, renderLinkPage, type LinkPage } from '../link-page.js';
import { type Lang } from '../../config/lang.js';

/** An ack token is at most this long; the app's maxParamLength (app.ts) is set above it. */
export const MAX_ACK_TOKEN_LENGTH = 2000;
const params = z.strictObject({ token: z.string().min(1).max(MAX_ACK_TOKEN_LENGTH) });

/**
 * Who acted through a link or a chat button, for the audit trail: the person the link names (or the chat
 * user), with operator rights over that one incident, and the path it came by.
 */
export function actingPrincipal(name: string, via: 'link' | 'chat'): Principal {
  return { name, role: 'operator', via };
}

/** The audit trail's name for each action from a notice (the console's routes use the same words). */
export const LINK_AUDIT_ACTION: Record<LinkAction, string> = { ack: 'incident.acknowledge', claim: 'incident.claim', mute: 'incident.mute' };

/**
 * True when a POST may act: a browser says where the form was (Sec-Fetch-Site, Origin) and it must be
 * this page's origin (or api.publicUrl's). Clients that send neither (curl, scripts) hold the token itself.
 */
function sameOrigin(request: FastifyRequest, publicUrl: string | undefined): boolean {
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') return false;
  const origin = request.headers.origin;
  if (typeof origin !== 'string' || origin === 'null') return true;
  const allowed = new Set([`${request.protocol}://${request.host}`]);
  if (publicUrl) {
    try { allowed.add(new URL(publicUrl).origin); } catch { /* api.publicUrl is checked at load */ }
  }
  return allowed.has(origin);
}

/**
 * /ack/{token}, /claim/{token}, /mute/{token}: the links in notices. Public (the signed token is the
 * credential, and it is signed for its action: an ack token does nothing at /mute/). GET (and the HEAD
 * fastify derives from it) only shows what the link would do, with the incident and a button: chat previews
 * and mail scanners open links, and must not change an incident nobody read. The button POSTs back to the
 * same URL, which acts; each token acts once (recorded in the state database), also across restarts.
 */
export const ackRoutes = apiPlugin('noctua-ack', [], async (app, { services, locale, now, settings }) => {
  // The confirm page's form posts as a browser does; its body carries nothing the route reads.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_req, body, done) => done(null, body));

  const start = (request: FastifyRequest, reply: FastifyReply): { lang: Lang; token?: string } => {
    const lang = pickLang(request, locale);
    // The page tells a person what happened; nothing about it may be cached, nor its URL (the token) passed on.
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').header('referrer-policy', 'same-origin').header('vary', 'accept-language');
    const parsed = params.safeParse(request.params);
    return { lang, token: parsed.success ? parsed.data.token : undefined };
  };
  const send = (reply: FastifyReply, status: number, p: Omit<LinkPage, 'now'>) => reply.code(status).send(renderLinkPage({ ...p, now: now() }));
  const refuse = (request: FastifyRequest, reply: FastifyReply, lang: Lang, action: LinkAction, r: AckRefusal) => {
    request.log.info({ reason: r.reason, action }, 'link in a notice refused');
    return send(reply, REFUSAL_STATUS[r.reason], { lang, action, kind: r.reason });
  };
  const noToken: AckRefusal = { ok: false, reason: 'malformed', message: 'no token' };
  const noPaging: AckRefusal = { ok: false, reason: 'unavailable', message: 'no escalation' };

  for (const action of LINK_ACTIONS) {
    app.get(`/${action}/:token`, { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
      const { lang, token } = start(request, reply);
      if (!token) return refuse(request, reply, lang, action, noToken);
      if (!services.paging) return refuse(request, reply, lang, action, noPaging);
      const found = await services.paging.inspectLink(action, token);
      if (!found.ok) return refuse(request, reply, lang, action, found);
      const { incident, recipient, muteForMs } = found;
      const base = { lang, action, incident, recipient, muteForMs };
      if (incident.state === 'resolved') return send(reply, 200, { ...base, kind: 'resolved' });
      if (action === 'ack' && incident.state === 'acknowledged') return send(reply, 200, { ...base, kind: 'already' });
      return send(reply, 200, { ...base, kind: 'confirm' });
    });

    app.post(`/${action}/:token`, { config: { access: 'public', audit: LINK_AUDIT_ACTION[action] }, schema: { hide: true } }, async (request, reply) => {
      const { lang, token } = start(request, reply);
      if (!sameOrigin(request, settings.publicUrl)) {
        request.log.warn({ origin: request.headers.origin, site: request.headers['sec-fetch-site'], action }, 'cross-site link action refused');
        return send(reply, 403, { lang, action, kind: 'cross-site' });
      }
      if (!token) return refuse(request, reply, lang, action, noToken);
      if (!services.paging) return refuse(request, reply, lang, action, noPaging);
      // Read first (changes nothing) so the audit row names the link's recipient and the state before.
      const seen = await services.paging.inspectLink(action, token);
      noteAudit(request, { via: 'link', who: seen.ok ? seen.recipient : 'notice link', ...(seen.ok ? { target: `incident:${seen.incident.id}`, before: incidentAuditState(seen.incident) } : {}) });
      const result = await services.paging.actWithLink(action, token);
      if (!result.ok) return refuse(request, reply, lang, action, result);
      const inc = result.incident;
      noteAudit(request, {
        target: `incident:${inc.id}`, after: incidentAuditState(inc),
        ...(result.mutedUntil ? { detail: `pages held until ${result.mutedUntil.toISOString()}` } : result.changed ? {} : { detail: 'nothing changed' }),
      });
      const base = { lang, action, incident: inc, mutedUntil: result.mutedUntil };
      if (!result.changed && inc.state === 'resolved') return send(reply, 409, { ...base, kind: 'resolved' });
      if (result.changed) {
        // The audit trail records who acted and that it came through a link in a notice.
        request.principal = actingPrincipal(result.by ?? 'link', 'link');
        request.log.info({ incident: inc.id, action }, 'incident acted on through a link');
      }
      return send(reply, 200, { ...base, kind: result.changed ? 'done' : 'already' });
    });
  }
});
