import { z } from 'zod';
import { DEVICE_CLASSES } from '../../config/inventory-schema.js';
import { routeSchema } from '../json-schema.js';
import { apiPlugin } from '../plugin.js';
import { RequestProblem, problemSchema } from '../problems.js';
import { DEVICE_CONDITIONS } from '../services/index.js';
import type { TopologySnapshot } from '../services/topology.js';

const iso = z.string().describe('RFC 3339 date-time');
const linkEnd = z.object({ device: z.string(), port: z.string(), speedBps: z.number().optional().describe('the port speed from its latest interface sample') });
/** The answer of GET /api/v1/topology (the console infers its types from it). */
export const topologyJson = z.object({
  nodes: z.array(z.object({
    name: z.string(), site: z.string(), class: z.enum(DEVICE_CLASSES), state: z.enum(DEVICE_CONDITIONS), sysName: z.string().optional(),
    parent: z.string().optional(), parentFrom: z.enum(['configured', 'derived']).optional(),
  })),
  links: z.array(z.object({
    id: z.string(), a: linkEnd, b: linkEnd, protocol: z.string(), matchedBy: z.string(), firstSeen: iso, lastSeen: iso,
    lost: z.boolean().describe('not reported for topology.lostAfter inventory cycles'), missed: z.number().int(),
  })),
  unmanaged: z.array(z.object({
    key: z.string(), sysName: z.string(), chassisId: z.string(), mgmtAddress: z.string(), platform: z.string(),
    seenBy: z.array(z.object({ device: z.string(), port: z.string(), remotePort: z.string(), protocol: z.string() })),
  })),
});

function toJson(t: TopologySnapshot): z.infer<typeof topologyJson> {
  return { ...t, links: t.links.map((l) => ({ ...l, firstSeen: l.firstSeen.toISOString(), lastSeen: l.lastSeen.toISOString() })) };
}

/** /api/v1/topology: devices with live state and derived parents, LLDP/CDP links with both ports and speeds, unmanaged neighbours. */
export const topologyRoutes = apiPlugin('noctua-topology', ['@fastify/swagger'], async (app, { services }) => {
  app.get('/topology', {
    config: { access: 'viewer' },
    schema: routeSchema({ summary: 'The LLDP/CDP topology: nodes, links and unmanaged neighbours', tags: ['topology'], response: { 200: topologyJson } }, problemSchema),
  }, async () => {
    if (!services.topology) throw new RequestProblem(404, 'the topology is kept by the process that runs the alert engine; this one has none');
    return toJson(await services.topology.snapshot());
  });
});
