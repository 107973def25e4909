import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import { routeSchema } from '../json-schema.js';
import { apiPlugin, type ApiContext } from '../plugin.js';
import type { LiveEvent } from '../ports.js';
import { problemSchema } from '../problems.js';
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
export async function streamStatus({ ports, now, settings }: ApiContext): Promise<z.infer<typeof streamStatusJson>> {
  const r = await ports.health.readiness();
  const t = now();
  const old = r.lastCycleAt !== undefined && t.getTime() - r.lastCycleAt.getTime() > settings.wall.staleAfter;
  return {
    at: t.toISOString(), schedulerRunning: r.schedulerRunning, influx: r.influx,
    lastCycleAt: r.lastCycleAt?.toISOString(), pollerStale: !r.schedulerRunning || old,
  };
}

/** Beyond this much unsent data the client is taken to be gone. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

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

/**
 * /api/v1/stream: Server-Sent Events for the wall. `device` and `incident` events as they happen,
 * `status` at once and then every `wall.heartbeat`. The token may come as `?access_token=`
 * because EventSource cannot send an Authorization header.
 */
export const streamRoutes = apiPlugin('noctua-stream', ['@fastify/swagger'], async (app, ctx) => {
  const open = new Set<ServerResponse>();
  // Streams never end on their own: end them, or closing the server would wait for them forever.
  app.addHook('preClose', async () => {
    for (const res of open) {
      res.end();
      // A hijacked response never counts as idle, so close the socket itself once the last bytes are out.
      res.socket?.end();
    }
    open.clear();
  });

  app.get('/stream', {
    config: { access: 'wall', tokenInQuery: true },
    // A HEAD would open a stream that never sends a body and never ends.
    exposeHeadRoute: false,
    // The token may sit in this URL; request logs get the URL without it.
    logSerializers: {
      req: (req: { method: string; url: string; ip?: string }) => ({
        method: req.method, url: req.url.replace(/access_token=[^&]*/g, 'access_token=[redacted]'), remoteAddress: req.ip,
      }),
    },
    schema: routeSchema({
      summary: 'Live device and incident changes as Server-Sent Events (device, incident, status)',
      tags: ['wall'],
      querystring: z.strictObject({ access_token: z.string().max(512).optional().describe('the API token, for EventSource') }),
      response: { 200: z.string().describe('text/event-stream') },
    }, problemSchema),
  }, async (request, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    open.add(res);
    // Kept aside: the response lets go of its socket when it closes, and that socket must still be closed.
    const socket = request.raw.socket;
    let closed = false;
    const send = (text: string) => {
      if (closed) return;
      // A client that stopped reading would make us buffer without end: drop it; it reconnects and reloads.
      if (res.writableLength > MAX_BUFFERED_BYTES) {
        request.log.warn({ buffered: res.writableLength }, 'wall stream client is not reading; closing its stream');
        stop();
        return;
      }
      res.write(text);
    };
    const beat = async () => {
      try { send(frame('status', await streamStatus(ctx))); } catch (err) { request.log.warn({ err }, 'stream status failed'); }
    };
    const unsubscribe = ctx.ports.live.subscribe((e) => send(liveFrame(e)));
    const timer = setInterval(() => void beat(), ctx.settings.wall.heartbeat);
    function stop(): void {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      unsubscribe();
      open.delete(res);
      // The client went away: nothing more will be written, and a half-open socket would hold a shutdown.
      socket.destroy();
    }
    res.on('close', stop);
    send(`retry: 3000\n\n`);
    await beat();
  });
});
