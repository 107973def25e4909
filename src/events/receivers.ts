import type { EventsSection } from '../config/sections/events.js';
import type { Device } from '../config/inventory-schema.js';
import type { Sample } from '../core/sample.js';
import { BUILTIN_CATALOG_DIR, loadCatalogs, type Catalog } from './catalog.js';
import { classifySyslog, classifyTrap, type InterfaceNamer } from './classify.js';
import { eventToSample, UNKNOWN_SOURCE, type NoctuaEvent, type StormSummary } from './event.js';
import { LogThrottle, SourceRateLimiter } from './limits.js';
import { SourceIndex } from './sources.js';
import { StormControl } from './storm.js';
import { parseSyslog } from './syslog/parse.js';
import { startSyslogReceiver, type SyslogReceiver } from './syslog/receiver.js';
import { startTrapReceiver, type RefusalReason, type TrapReceiver } from './traps/receiver.js';
import type { DecodedTrap } from './traps/decode.js';

/** The few logger methods the receivers use (pino's Logger fits). */
export interface EventLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface EventReceiversOptions {
  config: EventsSection;
  /** The user's catalog directories (config/events, then `events.catalogDirs`), tried before the shipped ones. */
  userCatalogDirs?: readonly string[];
  /** A catalog already loaded (tests, `noctua events test`); otherwise loaded from the directories. */
  catalog?: Catalog;
  /** The current inventory; called per message, so return the same array until it changes. */
  devices: () => readonly Device[];
  /** The device's site time zone, for syslog times without a zone. */
  timeZoneOf?: (d: Device) => string | undefined;
  /** Noctua's own zone (noctua.yaml `timezone`), for unknown senders and devices without a site zone. */
  defaultTimeZone?: string;
  interfaceName?: InterfaceNamer;
  /** Puts event samples on the bus. */
  publish: (samples: Sample[]) => Promise<void> | void;
  log: EventLog;
  /** Milliseconds since the epoch (tests inject time). */
  now?: () => number;
}

/** Counters since start, for self metrics and the event view. */
export interface EventStats {
  received: { trap: number; syslog: number };
  /** Notifications refused by the trap receiver, by reason (community, usm, malformed, other). */
  refused: Record<RefusalReason, number>;
  rateLimited: number;
  /** Events counted into storm summaries instead of being emitted one by one. */
  heldBack: number;
  summaries: number;
  stormsOpen: number;
  unknownSource: number;
  parseErrors: number;
  published: number;
  publishErrors: number;
  tcpConnections: number;
  tcpRefused: number;
}

export interface EventReceivers {
  /** Bound addresses (real ports when the config asked for port 0). */
  addresses: { traps?: { host: string; port: number }; syslogUdp?: { host: string; port: number }; syslogTcp?: { host: string; port: number } };
  stats(): EventStats;
  /** Stops listening, emits open storm summaries and publishes what is queued. */
  stop(): Promise<void>;
}

const BATCH_MAX = 500;
const BATCH_MS = 200;
const TICK_MS = 1000;

/**
 * Starts the trap and syslog receivers that `events:` enables and turns every message into an `event`
 * sample: decode, find the device, classify with the catalogs, storm control, publish in small batches.
 */
// Long as a whole: a closure over the receivers' counters, queue and storm state; each handler is short.
export async function startEventReceivers(opts: EventReceiversOptions): Promise<EventReceivers> {
  const cfg = opts.config;
  const now = opts.now ?? Date.now;
  const catalog = opts.catalog ?? loadCatalogs([...(opts.userCatalogDirs ?? []), BUILTIN_CATALOG_DIR]);
  const sources = new SourceIndex(opts.devices, opts.timeZoneOf ?? (() => undefined), opts.defaultTimeZone ?? 'UTC');
  // One limiter per kind, keyed by the sender's address alone: no `kind address` key string built per message.
  const limiters = { trap: new SourceRateLimiter(cfg.rateLimit.perSecond, cfg.rateLimit.burst), syslog: new SourceRateLimiter(cfg.rateLimit.perSecond, cfg.rateLimit.burst) };
  const authLog = new LogThrottle(60_000);
  const counts = {
    trap: 0, syslog: 0, unknownSource: 0, parseErrors: 0, published: 0, publishErrors: 0,
    refused: { community: 0, usm: 0, malformed: 0, other: 0 } as Record<RefusalReason, number>,
  };

  let queue: Sample[] = [];
  let publishing: Promise<void> = Promise.resolve();
  const flushQueue = () => {
    if (queue.length === 0) return publishing;
    const batch = queue;
    queue = [];
    publishing = publishing.then(async () => {
      try { await opts.publish(batch); counts.published += batch.length; } catch (err) {
        counts.publishErrors += batch.length;
        opts.log.error({ err, samples: batch.length }, 'events: publishing event samples failed');
      }
    });
    return publishing;
  };
  const emit = (e: NoctuaEvent, summary?: StormSummary) => {
    queue.push(eventToSample(e, summary));
    if (queue.length >= BATCH_MAX) void flushQueue();
  };
  const storm = new StormControl({ windowMs: cfg.storm.window, threshold: cfg.storm.threshold }, emit);
  const accept = (e: NoctuaEvent, t: number) => {
    if (e.device === UNKNOWN_SOURCE) counts.unknownSource++;
    if (e.parseError) counts.parseErrors++;
    storm.offer(e, t);
  };

  const onTrap = (trap: DecodedTrap, from: string) => {
    counts.trap++;
    const t = now();
    if (!limiters.trap.take(from, t)) return;
    accept(classifyTrap(catalog, trap, from, sources.resolve(from, trap.agentAddress), new Date(t), opts.interfaceName), t);
  };
  const onRefused = (reason: RefusalReason, from: string, detail: string) => {
    counts.refused[reason]++;
    if (authLog.shouldLog(`${reason}\u0000${from}`, now())) {
      opts.log.warn({ from, reason, detail }, `events: refused a notification from ${from} (${reason}); further ones from it are counted, logged again in a minute`);
    }
  };
  const onSyslog = (bytes: Buffer, truncated: boolean, from: string) => {
    counts.syslog++;
    // One clock reading per message (limiter, event time, storm window): the clock does not move within a message.
    const t = now();
    if (!limiters.syslog.take(from, t)) return;
    const msg = parseSyslog(bytes, truncated);
    accept(classifySyslog(catalog, msg, from, sources.resolve(from, msg.host), new Date(t), opts.interfaceName), t);
  };

  let traps: TrapReceiver | undefined;
  let syslog: SyslogReceiver | undefined;
  try {
    if (cfg.traps.enabled) {
      traps = await startTrapReceiver({ listen: cfg.traps.listen, communities: cfg.traps.communities, users: cfg.traps.users, engineID: cfg.traps.engineID, onTrap, onRefused });
    }
    if (cfg.syslog.enabled) {
      syslog = await startSyslogReceiver({
        udp: cfg.syslog.udp, tcp: cfg.syslog.tcp, maxMessageBytes: cfg.syslog.maxMessageBytes, maxConnections: cfg.syslog.maxConnections,
        onMessage: onSyslog, onError: (err) => opts.log.error({ err }, 'events: syslog socket error'),
      });
    }
  } catch (err) {
    await traps?.close();
    throw err;
  }

  let lastRateReport = now();
  const reportRateLimited = (t: number) => {
    for (const source of ['trap', 'syslog'] as const) {
      for (const [from, n] of limiters[source].drainRefused()) {
        const src = sources.resolve(from);
        emit({
          source, ...src, vendor: 'unknown', type: 'rate-limited', family: 'rate-limited', severity: 'warning',
          message: `${n} ${source} messages from ${from} were over the rate limit (${cfg.rateLimit.perSecond}/s) and not processed`,
          from, raw: '', time: new Date(t),
        });
      }
    }
  };
  const batchTimer = setInterval(() => void flushQueue(), BATCH_MS);
  const tick = setInterval(() => {
    const t = now();
    storm.flush(t);
    if (t - lastRateReport >= cfg.storm.window) { reportRateLimited(t); lastRateReport = t; }
  }, TICK_MS);
  batchTimer.unref();
  tick.unref();

  const addresses: EventReceivers['addresses'] = { traps: traps?.address, syslogUdp: syslog?.udp, syslogTcp: syslog?.tcp };
  const rcvbuf = syslog?.udpReceiveBuffer;
  if (rcvbuf?.capped) {
    opts.log.warn({ receiveBufferBytes: rcvbuf.bytes, asked: rcvbuf.asked },
      `events: the kernel capped the syslog UDP receive buffer at ${rcvbuf.bytes} bytes (asked ${rcvbuf.asked}): bursts will be dropped by the kernel; raise it with sysctl -w net.core.rmem_max=${rcvbuf.asked} (docs/EVENTS.md)`);
  }
  opts.log.info({ addresses, syslogUdpReceiveBuffer: rcvbuf?.bytes, trapOids: catalog.traps.size, mnemonics: catalog.syslog.size }, 'events: receivers listening');
  return {
    addresses,
    stats: () => ({
      received: { trap: counts.trap, syslog: counts.syslog }, refused: { ...counts.refused }, rateLimited: limiters.trap.totalRefused + limiters.syslog.totalRefused,
      ...storm.stats(), unknownSource: counts.unknownSource, parseErrors: counts.parseErrors,
      published: counts.published, publishErrors: counts.publishErrors,
      tcpConnections: syslog?.stats().tcpConnections ?? 0, tcpRefused: syslog?.stats().tcpRefused ?? 0,
    }),
    async stop() {
      clearInterval(batchTimer);
      clearInterval(tick);
      await Promise.all([traps?.close(), syslog?.close()]);
      const t = now();
      storm.flush(t, true);
      reportRateLimited(t);
      await flushQueue();
    },
  };
}

/** Stats as `noctua_self` samples (component `events`), with the immediate re-polls when given, for the self-metrics cycle. */
export function eventStatsToSamples(s: EventStats, instance: string, time: Date, repoll?: { requested: number; started: number; coalesced: number }): Sample[] {
  const fields: Sample['fields'] = {
    ...(repoll ? { repolls_requested: repoll.requested, repolls_started: repoll.started, repolls_coalesced: repoll.coalesced } : {}),
    received_traps: s.received.trap, received_syslog: s.received.syslog,
    refused_community: s.refused.community, refused_usm: s.refused.usm, refused_malformed: s.refused.malformed + s.refused.other,
    rate_limited: s.rateLimited, held_back: s.heldBack, storm_summaries: s.summaries, storms_open: s.stormsOpen,
    unknown_source: s.unknownSource, parse_errors: s.parseErrors, published: s.published, publish_errors: s.publishErrors,
  };
  return [{ measurement: 'noctua_self', tags: { component: 'events', instance }, fields, time }];
}
