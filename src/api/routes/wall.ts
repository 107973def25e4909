import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyBaseLogger } from 'fastify';
import { z } from 'zod';
import { routeSchema } from '../json-schema.js';
import { apiPlugin, type ApiContext } from '../plugin.js';
import { servicesFor } from '../services/scoped.js';
import type { DeviceSummary } from '../services/index.js';
import { problemSchema } from '../problems.js';
import { deviceJson, deviceToJson, incidentJson, incidentToJson, onCallJson, onCallToJson } from '../views.js';
import { streamStatus, streamStatusJson } from './stream.js';

/** Devices carrying this tag get latency/loss sparklines on the wall. */
export const WAN_TAG = 'wan';
const SPARK_POINTS = 60;

const point = z.object({ time: z.string(), value: z.number().nullable() });
const wallJson = z.object({
  generatedAt: z.string(),
  locale: z.enum(['en', 'zh-CN']),
  staleAfterMs: z.number().int(),
  heartbeatMs: z.number().int(),
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

async function sparkline(ctx: ApiContext, device: DeviceSummary, field: string, from: Date, to: Date) {
  const stepMs = Math.max(1000, Math.floor((to.getTime() - from.getTime()) / SPARK_POINTS));
  const series = await ctx.services.metrics.series({ device: device.name, measurement: 'icmp', field, where: {}, from, to, stepMs });
  return (series[0]?.points ?? []).map((p) => ({ time: p.time.toISOString(), value: p.value }));
}

const WEB_DIR = fileURLToPath(new URL('../../web/', import.meta.url));
const ASSETS = {
  'wall.html': 'text/html; charset=utf-8',
  'wall.js': 'text/javascript; charset=utf-8',
  'wall-text.js': 'text/javascript; charset=utf-8',
  'wall.css': 'text/css; charset=utf-8',
} as const;

/** /wall (the NOC wall page, served from src/web) and /api/v1/wall (everything it shows, in one answer). */
export const wallPageRoutes = apiPlugin('noctua-wall-page', [], async (app) => {
  // Read once at start: the page is small, and a missing file should fail the start, not the night shift.
  const files = Object.fromEntries(Object.keys(ASSETS).map((f) => [f, readFileSync(WEB_DIR + f, 'utf8')])) as Record<keyof typeof ASSETS, string>;
  const serve = (url: string, file: keyof typeof ASSETS) => {
    app.get(url, { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) =>
      reply.type(ASSETS[file]).header('cache-control', 'no-cache').send(files[file]));
  };
  serve('/wall', 'wall.html');
  serve('/wall/wall.js', 'wall.js');
  serve('/wall/wall-text.js', 'wall-text.js');
  serve('/wall/wall.css', 'wall.css');
});

/** How long WAN sparklines are reused: every open wall asks on load and every 30 s; InfluxDB need not answer each. */
export const DEFAULT_WALL_SPARKLINE_CACHE_MS = 3000;

type WanLine = z.infer<typeof wallJson>['wan'][number];

/**
 * /api/v1/wall: the wall's first picture; the stream keeps it current afterwards. Devices, incidents and
 * status come from memory on every call (the wall re-reads them when its stream opens, so they must be
 * current); only the WAN sparklines, four InfluxDB queries per WAN device (median, min, max, loss), are shared for a few seconds
 * between callers, and concurrent callers wait for the same queries.
 */
export const wallDataRoutes = apiPlugin('noctua-wall-data', ['@fastify/swagger'], async (app, ctx) => {
  const cacheMs = ctx.limits?.wallSparklineCacheMs ?? DEFAULT_WALL_SPARKLINE_CACHE_MS;
  // Monotonic time: the answer's clock (ctx.now) may be pinned or jump, the cache's age must not.
  let cached: { at: number; key: string; lines: Promise<WanLine[]> } | undefined;

  const wanLines = (devices: DeviceSummary[], t: Date, log: FastifyBaseLogger): Promise<WanLine[]> => {
    const wan = devices.filter((d) => d.tags.includes(WAN_TAG));
    const key = wan.map((d) => `${d.name}@${d.site}`).join('\n');
    if (cached && cached.key === key && performance.now() - cached.at < cacheMs) return cached.lines;
    const from = new Date(t.getTime() - ctx.settings.wall.sparklineWindow);
    const lines = Promise.all(wan.map(async (d) => {
      try {
        const [rtt, rttMin, rttMax, loss] = await Promise.all(['rtt_median_ms', 'rtt_min_ms', 'rtt_max_ms', 'loss_pct'].map((f) => sparkline(ctx, d, f, from, t)));
        return { device: d.name, site: d.site, rtt: rtt!, rttMin: rttMin!, rttMax: rttMax!, loss: loss! };
      } catch (err) {
        // InfluxDB trouble must not blank the whole wall: the tiles and incidents still come from memory.
        log.warn({ err, device: d.name }, 'wall sparkline query failed');
        return { device: d.name, site: d.site, rtt: [], rttMin: [], rttMax: [], loss: [] };
      }
    }));
    cached = { at: performance.now(), key, lines };
    return lines;
  };

  app.get('/wall', {
    config: { access: 'wall' },
    schema: routeSchema({
      summary: 'Everything the NOC wall shows: devices, open incidents, on-call, counters, WAN sparklines',
      tags: ['wall'], response: { 200: wallJson },
    }, problemSchema),
  }, async (request) => {
    const { settings, now } = ctx;
    const services = servicesFor(request, ctx.services);
    const t = now();
    const [devices, incidents, onCall, status] = await Promise.all([
      services.devices.list(), services.incidents.listIncidents(t), services.onCall.current(t), streamStatus(ctx),
    ]);
    const open = incidents.filter((i) => i.state !== 'resolved');
    const wan = await wanLines(devices, t, request.log);
    return {
      generatedAt: t.toISOString(), locale: ctx.locale,
      staleAfterMs: settings.wall.staleAfter, heartbeatMs: settings.wall.heartbeat,
      devices: devices.map(deviceToJson).sort((a, b) => a.site.localeCompare(b.site) || a.name.localeCompare(b.name)),
      incidents: open.map(incidentToJson),
      onCall: onCall.map(onCallToJson),
      counters: {
        devicesUp: devices.filter((d) => d.state === 'up').length, devicesTotal: devices.length,
        openP1: open.filter((i) => i.severity === 'P1').length, openP2: open.filter((i) => i.severity === 'P2').length,
        inMaintenance: devices.filter((d) => d.state === 'maintenance').length,
      },
      wan, status,
    };
  });
});
