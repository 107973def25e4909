import { z } from 'zod';
import { DEVICE_CLASSES } from '../../config/inventory-schema.js';
import { routeSchema } from '../json-schema.js';
import { apiPlugin } from '../plugin.js';
import { RequestProblem, problemSchema } from '../problems.js';
import type { DiscoveryStatus } from '../services/discovery.js';

const proposed = z.object({
  name: z.string(), address: z.string(), class: z.enum(DEVICE_CLASSES), vendor: z.string(), vendorName: z.string(), profile: z.string().optional(),
  sysName: z.string(), sysObjectID: z.string(), credential: z.string().describe('the credential that answered, by name (never the secret)'),
  port: z.number().int(), foundBy: z.string().describe('how it was found: the range swept, or the neighbour that announced it'),
});
const lastRun = z.object({
  startedAt: z.string(), finishedAt: z.string(), ranges: z.array(z.string()), exclude: z.array(z.string()),
  swept: z.number().int(), alive: z.number().int(), echoesSent: z.number().int(), snmpPackets: z.number().int(),
  sweepMs: z.number(), probeMs: z.number(), credentialsUsed: z.record(z.string(), z.number().int()),
  proposed: z.array(proposed),
  icmpOnly: z.array(z.object({ address: z.string(), reason: z.string(), foundBy: z.string() })),
  moved: z.array(z.object({ device: z.string(), from: z.string(), to: z.string(), matchedBy: z.enum(['sysName', 'chassisId']) })),
  known: z.array(z.string()),
});
const statusJson = z.object({
  scheduled: z.boolean(), intervalMs: z.number().optional(), running: z.boolean(), file: z.string(),
  progress: z.object({
    startedAt: z.string(), round: z.number().int().describe('0: the ranges; k: k hops out along LLDP/CDP neighbours'),
    addresses: z.number().int().describe('addresses swept so far and in this round'), answered: z.number().int().describe('hosts that answered ping so far'),
    probed: z.number().int().describe('hosts whose SNMP probe has ended so far'),
  }).optional().describe('while running: how far the run has come'),
  nextRunAt: z.string().optional(), lastError: z.string().optional(), last: lastRun.optional(),
  kept: z.array(z.object({ name: z.string(), address: z.string() })).describe('entries of earlier runs not adopted yet'),
});

function toJson(s: DiscoveryStatus): z.infer<typeof statusJson> {
  if (!s.last) return { ...s, last: undefined };
  const l = s.last;
  return {
    ...s,
    last: {
      ...l,
      // Only the fields the schema names: sysDescr and the rest stay in discovered.yaml's comments.
      proposed: l.proposed.map((d) => ({
        name: d.name, address: d.address, class: d.class, vendor: d.vendor, vendorName: d.vendorName, ...(d.profile ? { profile: d.profile } : {}),
        sysName: d.sysName, sysObjectID: d.sysObjectID, credential: d.credential, port: d.port, foundBy: d.foundBy,
      })),
    },
  };
}

/** /api/v1/discovery: what scheduled discovery found (new devices, ICMP-only hosts, moved devices), and a run on demand. */
export const discoveryRoutes = apiPlugin('noctua-discovery', ['@fastify/swagger'], async (app, { services }) => {
  const view = () => {
    if (!services.discovery) throw new RequestProblem(404, 'discovery runs in the process that runs the alert engine; this one has none');
    return services.discovery;
  };
  app.get('/discovery', {
    config: { access: 'operator' },
    schema: routeSchema({ summary: 'Devices discovery proposes, hosts that answer ping only, devices seen at another address', tags: ['discovery'], response: { 200: statusJson } }, problemSchema),
  }, async () => toJson(view().status()));

  app.post('/discovery/run', {
    config: { access: 'operator', audit: 'discovery.run' },
    schema: routeSchema({ summary: 'Start a discovery run now (or join the one in progress); answers at once', tags: ['discovery'], response: { 202: statusJson } }, problemSchema),
  }, async (request, reply) => {
    const v = view();
    v.runNow().catch((err: unknown) => request.log.error({ err }, 'discovery run failed'));
    return reply.code(202).send(toJson(v.status()));
  });
});
