import { z } from 'zod';
import type { LocateAnswer, Location } from '../../topology/locate.js';
import { LOCATE_EXPECTED, LOCATE_QUERY_MAX, parseLocateQuery, type LocateQuery } from '../../topology/locate-query.js';
import { routeSchema } from '../json-schema.js';
import { apiPlugin } from '../plugin.js';
import { badRequest, problemSchema, RequestProblem } from '../problems.js';

// Lengths are checked in the handler, so a 10 KB value gets the same field-named 400 as a malformed one.
const locateQuery = z.strictObject({
  q: z.string().optional().describe(`${LOCATE_EXPECTED}; at most ${LOCATE_QUERY_MAX} characters`),
  mac: z.string().optional().describe('a MAC address (instead of q)'),
  ip: z.string().optional().describe('an IPv4 or IPv6 address (instead of q)'),
});
type LocateQuerystring = z.infer<typeof locateQuery>;

const iso = z.string().describe('RFC 3339 date-time');
const locationJson = z.object({
  device: z.string(), ifName: z.string(), ifIndex: z.string(), vlan: z.number().int().optional(), status: z.string(),
  firstSeen: iso, lastSeen: iso, portSince: iso.describe('since when the MAC is on this port'),
  current: z.boolean().describe("the device's latest inventory poll still reported it"),
  uplink: z.boolean().describe('the port has an LLDP/CDP link to another inventory device'),
  macsOnPort: z.number().int(),
});
/** The answer of GET /api/v1/locate (the console infers its types from it). */
export const locateAnswerJson = z.object({
  query: z.object({ kind: z.enum(['mac', 'ip', 'name']), value: z.string() }),
  hosts: z.array(z.object({
    mac: z.string(), vendor: z.string().optional(), vendorNote: z.string().optional(),
    ips: z.array(z.object({ ip: z.string(), device: z.string(), lastSeen: iso, current: z.boolean() })),
    best: locationJson.optional(), locations: z.array(locationJson),
  })),
  devices: z.array(z.string()),
  neighbours: z.array(z.object({ sysName: z.string(), chassisId: z.string(), mgmtAddress: z.string(), seenBy: z.array(z.object({ device: z.string(), port: z.string() })) })),
});

const locJson = (l: Location): z.infer<typeof locationJson> => ({ ...l, firstSeen: l.firstSeen.toISOString(), lastSeen: l.lastSeen.toISOString(), portSince: l.portSince.toISOString() });
const valueOf = (q: LocateQuery): string => (q.kind === 'mac' ? q.mac : q.kind === 'ip' ? q.ip : q.text);

function toJson(a: LocateAnswer): z.infer<typeof locateAnswerJson> {
  return {
    query: { kind: a.query.kind, value: valueOf(a.query) },
    hosts: a.hosts.map(({ best, ...h }) => ({
      ...h, ips: h.ips.map((i) => ({ ...i, lastSeen: i.lastSeen.toISOString() })),
      ...(best ? { best: locJson(best) } : {}), locations: h.locations.map(locJson),
    })),
    devices: a.devices, neighbours: a.neighbours,
  };
}

/** The one query among q, mac and ip, parsed; a 400 naming the field otherwise. */
function queryOf(qs: LocateQuerystring): LocateQuery {
  const given = (['q', 'mac', 'ip'] as const).filter((k) => qs[k] !== undefined);
  if (given.length !== 1) throw badRequest({ path: 'querystring', expected: 'exactly one of q, mac or ip', got: given.length === 0 ? 'none' : given.join(', ') });
  const field = given[0]!;
  const raw = qs[field]!;
  const parsed = parseLocateQuery(raw);
  const got = raw.length > 40 ? `${raw.length} characters` : JSON.stringify(raw);
  if (typeof parsed === 'string') throw badRequest({ path: `querystring.${field}`, expected: parsed, got });
  if (field === 'mac' && parsed.kind !== 'mac') throw badRequest({ path: 'querystring.mac', expected: 'a MAC address (aa:bb:cc:dd:ee:ff, aa-bb-cc-dd-ee-ff or aabb.ccdd.eeff)', got });
  if (field === 'ip' && parsed.kind !== 'ip') throw badRequest({ path: 'querystring.ip', expected: 'an IPv4 or IPv6 address', got });
  return parsed;
}

/** /api/v1/locate: where a MAC, IP address or named host is plugged in (docs/TOPOLOGY.md, "Locate"). */
export const locateRoutes = apiPlugin('noctua-locate', ['@fastify/swagger'], async (app, { services }) => {
  app.get<{ Querystring: LocateQuerystring }>('/locate', {
    config: { access: 'viewer' },
    schema: routeSchema({
      summary: 'The switch port a MAC, IP address or host is learned on (edge ports first), with the MAC\'s maker',
      tags: ['topology'], querystring: locateQuery, response: { 200: locateAnswerJson },
    }, problemSchema),
  }, async (request) => {
    const query = queryOf(request.query);
    const answer = await services.topology?.locate(query);
    if (!answer) throw new RequestProblem(404, 'the layer-2 tables are kept by the process that runs the alert engine; this one has none');
    return toJson(answer);
  });
});
