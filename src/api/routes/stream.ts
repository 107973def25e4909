import { z } from 'zod';
import { routeSchema } from '../json-schema.js';
import { apiPlugin, type ApiContext } from '../plugin.js';
import type { LiveEvent } from '../services/index.js';
import { problem, problemSchema } from '../problems.js';
import { deviceToJson, incidentToJson } from '../views.js';

/** The status beat: lets the wall tell a quiet network from a dead stream or a stopped poller. */
export const streamStatusJson = z.object({
  at: z.string(),
  schedulerRunning: z.boolean(),
  influx: z.enum(['reachable', 'spooling', 'down']),
  lastCycleAt: z.string().optional(),
  /** True when the scheduler is stopped or has not finished a cycle within `wall.staleAfter`. */
  pollerStale: z.boolean(),
});

/** Builds one status beat from the health probe. */
export async function streamStatus({ services, now, settings }: ApiContext): Promise<z.infer<typeof streamStatusJson>> {
  const r = await services.health.readiness();
  const t = now();
  const old = r.lastCycleAt !== undefined && t.getTime() - r.lastCycleAt.getTime() > settings.wall.staleAfter;
  return {
    at: t.toISOString(), schedulerRunning: r.schedulerRunning, influx: r.influx,
    lastCycleAt: r.lastCycleAt?.toISOString(), pollerStale: !r.schedulerRunning || old,
  };
}

/** Beyond this much unsent data the client is taken to be gone. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

/** How many live streams may be open; a client over its share gets a 429, not a stream. */
export interface StreamLimits {
  /** Per client address (X-Forwarded-For's client when api.trustProxy is set). A wall screen holds one. */
  perClient: number;
  /** For the whole server. */
  total: number;
}

/** Enough for a NOC room of wall screens behind one address, and far below what exhausts sockets or memory. */
export const DEFAULT_STREAM_LIMITS: StreamLimits = { perClient: 10, total: 200 };

function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

function liveFrame(e: LiveEvent): string {
  if (e.type === 'device') return frame('device', deviceToJson(e.device));
  return frame('incident', {
    seq: e.event.seq, kind: e.event.kind, at: e.event.at.toISOString(), by: e.event.by, note: e.event.note,
    incident: incidentToJson(e.event.incident),
  });
}

/** One open stream: where to write, how to stop it, and (for a login limited to some sites) what it may see. */
interface Stream { client: string; send(text: string): void; stop(): void; sees?: (e: LiveEvent) => boolean }

/**
 * What a stream limited to `sites` may see: devices of those sites, incidents whose site (or device's site)
 * is one of them, as the scoped services decide (services/scoped.ts). Device sites are learnt at open and
 * from device events.
 */
function sitesFilter(sites: readonly string[], devices: readonly { name: string; site: string }[]): (e: LiveEvent) => boolean {
  const allowed = new Set(sites);
  const siteOf = new Map(devices.map((d) => [d.name, d.site]));
  return (e) => {
    if (e.type === 'device') {
      siteOf.set(e.device.name, e.device.site);
      return allowed.has(e.device.site);
    }
    const i = e.event.incident;
    const site = i.site ?? (i.device !== undefined ? siteOf.get(i.device) : undefined);
    return site !== undefined && allowed.has(site);
  };
}

/**
 * The open streams, fed by one subscription to the live feed while any is open: each event is
 * serialised once and the same text written to every stream.
 */
class StreamHub {
  readonly streams = new Set<Stream>();
  private readonly perClient = new Map<string, number>();
  private unsubscribe?: () => void;

  constructor(private readonly ctx: ApiContext, private readonly limits: StreamLimits) {}

  /** Why a new stream from `client` is refused, or undefined when it may open. */
  refusal(client: string): string | undefined {
    if (this.streams.size >= this.limits.total) return `too many live streams open on this server (limit ${this.limits.total}); retry later`;
    if ((this.perClient.get(client) ?? 0) >= this.limits.perClient) {
      return `too many live streams from ${client} (limit ${this.limits.perClient} per client address); close other wall pages first`;
    }
    return undefined;
  }

  add(s: Stream): void {
    this.streams.add(s);
    this.perClient.set(s.client, (this.perClient.get(s.client) ?? 0) + 1);
    this.unsubscribe ??= this.ctx.services.live.subscribe((e) => {
      let text: string | undefined;
      for (const x of this.streams) {
        if (x.sees && !x.sees(e)) continue;
        text ??= liveFrame(e);
        x.send(text);
      }
    });
  }

  remove(s: Stream): void {
    if (!this.streams.delete(s)) return;
    const n = (this.perClient.get(s.client) ?? 1) - 1;
    if (n > 0) this.perClient.set(s.client, n); else this.perClient.delete(s.client);
    if (this.streams.size === 0) { this.unsubscribe?.(); this.unsubscribe = undefined; }
  }
}

/**
 * /api/v1/stream: Server-Sent Events for the wall. `device` and `incident` events as they happen,
 * `status` at once and then every `wall.heartbeat`. The token may come as `?access_token=`
 * because EventSource cannot send an Authorization header (the request log redacts it, request-log.ts).
 */
export const streamRoutes = apiPlugin('noctua-stream', ['@fastify/swagger'], async (app, ctx) => {
  const hub = new StreamHub(ctx, ctx.limits?.streams ?? DEFAULT_STREAM_LIMITS);
  // Streams never end on their own: end them, or closing the server would wait for them forever.
  app.addHook('preClose', async () => {
    for (const s of [...hub.streams]) s.stop();
  });

  app.get('/stream', {
    config: { access: 'wall', tokenInQuery: true },
    // A HEAD would open a stream that never sends a body and never ends.
    exposeHeadRoute: false,
    schema: routeSchema({
      summary: 'Live device and incident changes as Server-Sent Events (device, incident, status)',
      tags: ['wall'],
      querystring: z.strictObject({ access_token: z.string().max(512).optional().describe('the API token, for EventSource') }),
      response: { 200: z.string().describe('text/event-stream') },
    }, problemSchema),
  }, async (request, reply) => {
    const client = request.ip;
    const refused = hub.refusal(client);
    if (refused) {
      request.log.warn({ client, open: hub.streams.size }, 'live stream refused: over the limit');
      return reply.code(429).header('retry-after', '30').send(problem(429, refused));
    }
    const sites = request.principal?.sites;
    const sees = sites ? sitesFilter(sites, await ctx.services.devices.list()) : undefined;
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    // Kept aside: the response lets go of its socket when it closes, and that socket must still be closed.
    const socket = request.raw.socket;
    let closed = false;
    const stream: Stream = {
      client, sees,
      send(text) {
        if (closed) return;
        // A client that stopped reading would make us buffer without end: drop it; it reconnects and reloads.
        if (res.writableLength > MAX_BUFFERED_BYTES) {
          request.log.warn({ buffered: res.writableLength }, 'wall stream client is not reading; closing its stream');
          stream.stop();
          return;
        }
        res.write(text);
      },
      stop() {
        if (closed) return;
        closed = true;
        clearInterval(timer);
        hub.remove(stream);
        res.end();
        // The client went away or the server closes: a half-open socket would hold a shutdown.
        socket.destroy();
      },
    };
    const beat = async () => {
      try { stream.send(frame('status', await streamStatus(ctx))); } catch (err) { request.log.warn({ err }, 'stream status failed'); }
    };
    const timer = setInterval(() => void beat(), ctx.settings.wall.heartbeat);
    hub.add(stream);
    res.on('close', () => stream.stop());
    stream.send(`retry: 3000\n\n`);
    await beat();
  });
});
