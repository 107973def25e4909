/**
 * What the request log may say about a request. Credentials travel in URLs where headers cannot
 * (`?access_token=` for EventSource and report downloads, `/wall?token=`, the acknowledge, claim and
 * mute links' paths), so every logged URL is redacted here, for every route, before pino writes it.
 */
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';

/** Query parameter names that carry a credential (matched case-insensitively, anywhere in the name). */
const SECRET_PARAM = /token|secret|password|passwd|api[-_]?key|signature|auth|session|nonce/i;
/** Path segments after these prefixes are credentials themselves. */
const SECRET_PATH = /^(\/(?:ack|claim|mute)\/)[^/?#]+/;
/** Headers never written to a log. */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key']);

const REDACTED = '[redacted]';

/** The URL with credential-bearing query values and path segments replaced by `[redacted]`. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  const path = (q < 0 ? url : url.slice(0, q)).replace(SECRET_PATH, `$1${REDACTED}`);
  if (q < 0) return path;
  const query = url.slice(q + 1).split('&').map((pair) => {
    const eq = pair.indexOf('=');
    let name = eq < 0 ? pair : pair.slice(0, eq);
    try { name = decodeURIComponent(name.replace(/\+/g, ' ')); } catch { /* keep the raw name */ }
    return eq >= 0 && SECRET_PARAM.test(name) ? `${pair.slice(0, eq)}=${REDACTED}` : pair;
  });
  return `${path}?${query.join('&')}`;
}

/** Headers as they may be logged: credentials replaced. */
export function redactHeaders(headers: IncomingHttpHeaders): Record<string, unknown> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, SECRET_HEADERS.has(k.toLowerCase()) ? REDACTED : v]));
}

/** Serializers for every request's child logger: `req` (fastify's own fields, URL redacted) and `headers`. */
export const requestLogSerializers = {
  req(req: FastifyRequest) {
    return {
      method: req.method, url: redactUrl(req.url ?? ''), host: req.host, remoteAddress: req.ip,
      remotePort: req.socket?.remotePort,
    };
  },
  headers: redactHeaders,
};

/**
 * fastify's childLoggerFactory: each request's logger gets the redacting serializers, whatever a
 * route adds (a route's own `req` serializer cannot bring the raw URL back).
 */
export function redactingChildLogger(logger: FastifyBaseLogger, bindings: Record<string, unknown>, opts: { serializers?: Record<string, (v: never) => unknown> }): FastifyBaseLogger {
  return logger.child(bindings, { ...opts, serializers: { ...opts.serializers, ...requestLogSerializers } });
}
