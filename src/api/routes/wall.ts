import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { routeSchema } from '../json-schema.js';
import { apiPlugin, type ApiContext } from '../plugin.js';
import { servicesFor } from '../services/scoped.js';
import type { ApiServices } from '../services/index.js';
import { problemSchema } from '../problems.js';
import { deviceJson, deviceToJson, incidentJson, incidentToJson, onCallJson, onCallToJson } from '../views.js';
import { streamStatus, streamStatusJson } from './stream.js';
import { serveWebApp } from '../web-app.js';

/** Devices carrying this tag get latency/loss sparklines on the wall. */
export const WAN_TAG = 'wan';
const SPARK_POINTS = 60;

const point = z.object({ time: z.string(), value: z.number().nullable() });
/** The answer of /api/v1/wall (the wall's client reads it as src/web/client/wall/wire.ts). */
export const wallJson = z.object({
  generatedAt: z.string(),
  locale: z.enum(['en', 'zh-CN']),
  staleAfterMs: z.number().int(),
  heartbeatMs: z.number().int(),
  /** 0: the wall shows every site at once; otherwise it pages through the sites this often (`api.wall.pageEvery`). */
  pageEveryMs: z.number().int(),
  devices: z.array(deviceJson),
  incidents: z.array(incidentJson),
  onCall: z.array(onCallJson),
  counters: z.object({
    devicesUp: z.number().int(), devicesTotal: z.number().int(),
    openP1: z.number().int(), openP2: z.number().int(), inMaintenance: z.number().int(),
  }),
  // rtt is the median RTT per bucket; rttMin/rttMax (same buckets) are the band the wall shades behind it.
  wan: z.array(z.object({ device: z.string(), site: z.string(), rtt: z.array(point), rttMin: z.array(point), rttMax: z.array(point), loss: z.array(point) })),
  status: streamStatusJson,
});

async function sparkline(ctx: ApiContext, device: string, field: string, from: Date, to: Date) {
  const stepMs = Math.max(1000, Math.floor((to.getTime() - from.getTime()) / SPARK_POINTS));
  const series = await ctx.services.metrics.series({ device, measurement: 'icmp', field, where: {}, from, to, stepMs });
  return (series[0]?.points ?? []).map((p) => ({ time: p.time.toISOString(), value: p.value }));
}

/** Where the wall lives; its bundle's files are under WALL_PATH/assets/. */
export const WALL_PATH = '/wall';

/**
 * /wall: the NOC wall, a Preact app (src/web/client/wall) bundled in memory at start (src/web/bundle.ts).
 * The page and its code are public; its data (/api/v1/wall, /api/v1/stream) needs a token unless `publicWall`.
 */
export const wallPageRoutes = apiPlugin('noctua-wall-page', [], async (app) => {
  await serveWebApp(app, {
    app: 'wall', path: WALL_PATH, assetsBase: `${WALL_PATH}/assets/`, title: 'Noctua · NOC wall', rootId: 'wall',
    head: '<meta name="referrer" content="no-referrer">\n<link rel="icon" href="data:,">\n',
    noscript: 'The NOC wall needs JavaScript. 监控墙需要启用 JavaScript。',
    staleAsset: 'no such wall asset; reload the page',
  });
});

/** How long WAN sparklines are reused: every open wall asks on load and every 30 s; InfluxDB need not answer each. */
export const DEFAULT_WALL_SPARKLINE_CACHE_MS = 3000;

type WanLine = z.infer<typeof wallJson>['wan'][number];

type WallJson = z.infer<typeof wallJson>;
/** Everything in the snapshot but the WAN sparklines: all of it from memory. */
type WallCore = Omit<WallJson, 'wan'>;

/** What one scope (the whole fleet, or one set of sites a login is limited to) shares between its callers. */
interface Shared {
  core?: { tick: number; generation: number; value: Promise<WallCore> };
  wan?: { at: number; key: string; lines: Promise<WanLine[]> };
  body?: { core: WallCore; wan: WanLine[]; text: string };
}

/** Scopes kept at once: the whole fleet plus the site sets of the logins using walls; the oldest is forgotten first. */
const MAX_SCOPES = 32;

/**
 * /api/v1/wall: the wall's first picture; the stream keeps it current afterwards. Devices, incidents, on-call
 * and status are read from memory into one snapshot that every caller of the same scope shares (a login limited
 * to some sites gets its own, through the scoped services): it is built again at the next heartbeat tick
 * (`api.wall.heartbeat`), or as soon as a device or incident changes on the live feed, so a wall that re-reads it
 * after its stream opened never misses a change, and a room of wall screens on a 2,000-device fleet costs one
 * build per tick, not one per screen. The WAN sparklines, four InfluxDB queries per WAN device (median, min, max,
 * loss), are shared for a few seconds between callers, and concurrent callers wait for the same queries.
 */
export const wallDataRoutes = apiPlugin('noctua-wall-data', ['@fastify/swagger'], async (app, ctx) => {
  const cacheMs = ctx.limits?.wallSparklineCacheMs ?? DEFAULT_WALL_SPARKLINE_CACHE_MS;
  const scopes = new Map<string, Shared>();
  // Counts the live feed's events: a snapshot built before the latest one is not handed out again.
  let generation = 0;
  let unsubscribe: (() => void) | undefined;
  app.addHook('onClose', async () => { unsubscribe?.(); });

  const sharedFor = (request: FastifyRequest): Shared => {
    const sites = request.principal?.sites;
    const key = sites ? JSON.stringify([...sites].sort()) : '*';
    let s = scopes.get(key);
    if (!s) {
      if (scopes.size >= MAX_SCOPES) scopes.delete(scopes.keys().next().value!);
      s = {};
      scopes.set(key, s);
    }
    return s;
  };

  // Monotonic time: the answer's clock (ctx.now) may be pinned or jump, the caches' ages must not.
  const wanLines = (shared: Shared, devices: readonly { name: string; site: string; tags: readonly string[] }[], t: Date, log: FastifyBaseLogger): Promise<WanLine[]> => {
    const wan = devices.filter((d) => d.tags.includes(WAN_TAG));
    const key = wan.map((d) => `${d.name}@${d.site}`).join('\n');
    const cached = shared.wan;
    if (cached && cached.key === key && performance.now() - cached.at < cacheMs) return cached.lines;
    const from = new Date(t.getTime() - ctx.settings.wall.sparklineWindow);
    const lines: Promise<WanLine[]> = Promise.all(wan.map(async (d) => {
      try {
        const [rtt, rttMin, rttMax, loss] = await Promise.all(['rtt_median_ms', 'rtt_min_ms', 'rtt_max_ms', 'loss_pct'].map((f) => sparkline(ctx, d.name, f, from, t)));
        return { device: d.name, site: d.site, rtt: rtt!, rttMin: rttMin!, rttMax: rttMax!, loss: loss! };
      } catch (err) {
        // InfluxDB trouble must not blank the whole wall: the tiles and incidents still come from memory.
        log.warn({ err, device: d.name }, 'wall sparkline query failed');
        return { device: d.name, site: d.site, rtt: [], rttMin: [], rttMax: [], loss: [] };
      }
    }));
    shared.wan = { at: performance.now(), key, lines };
    return lines;
  };

  const buildCore = async (services: ApiServices): Promise<WallCore> => {
    const { settings, now } = ctx;
    const t = now();
    const [devices, incidents, onCall, status] = await Promise.all([
      services.devices.list(), services.incidents.listIncidents(t), services.onCall.current(t), streamStatus(ctx),
    ]);
    const open = incidents.filter((i) => i.state !== 'resolved');
    const counts = { up: 0, maintenance: 0 };
    for (const d of devices) if (d.state === 'up' || d.state === 'maintenance') counts[d.state] += 1;
    return {
      generatedAt: t.toISOString(), locale: ctx.locale,
      staleAfterMs: settings.wall.staleAfter, heartbeatMs: settings.wall.heartbeat, pageEveryMs: settings.wall.pageEvery,
      devices: devices.map(deviceToJson).sort((a, b) => a.site.localeCompare(b.site) || a.name.localeCompare(b.name)),
      incidents: open.map(incidentToJson),
      onCall: onCall.map(onCallToJson),
      counters: {
        devicesUp: counts.up, devicesTotal: devices.length,
        openP1: open.filter((i) => i.severity === 'P1').length, openP2: open.filter((i) => i.severity === 'P2').length,
        inMaintenance: counts.maintenance,
      },
      status,
    };
  };

  const coreSnapshot = (shared: Shared, request: FastifyRequest): Promise<WallCore> => {
    unsubscribe ??= ctx.services.live.subscribe(() => { generation += 1; });
    const tick = Math.floor(performance.now() / ctx.settings.wall.heartbeat);
    const core = shared.core;
    if (core && core.tick === tick && core.generation === generation) return core.value;
    const value = buildCore(servicesFor(request, ctx.services));
    const built = { tick, generation, value };
    shared.core = built;
    // A failed build is not shared: the next caller tries again.
    value.catch(() => { if (shared.core === built) shared.core = undefined; });
    return value;
  };

  app.get('/wall', {
    config: { access: 'wall' },
    schema: routeSchema({
      summary: 'Everything the NOC wall shows: devices, open incidents, on-call, counters, WAN sparklines',
      tags: ['wall'], response: { 200: wallJson },
    }, problemSchema),
  }, async (request, reply) => {
    const shared = sharedFor(request);
    const snapshot = await coreSnapshot(shared, request);
    const wan = await wanLines(shared, snapshot.devices, new Date(snapshot.generatedAt), request.log);
    // Serialised once per snapshot too: at 2,000 devices the text is about 470 kB, and every screen asks for it.
    const body = shared.body;
    if (body?.core === snapshot && body.wan === wan) return reply.type('application/json; charset=utf-8').send(body.text);
    const text = reply.serialize({ ...snapshot, wan }) as string;
    shared.body = { core: snapshot, wan, text };
    return reply.type('application/json; charset=utf-8').send(text);
  });
});
