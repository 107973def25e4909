/**
 * One Noctua process receiving events, for the bench's events section (run with `fork`, an IPC channel to the
 * bench): Noctua's own receivers (`startEventReceivers`) on free loopback ports publishing into a `SampleBus` with
 * a counting sink, and with `--influx URL` Noctua's InfluxDB writer on the same bus. The bench reads this process's
 * CPU from /proc; it asks for counts over IPC (`{ cmd: 'stats' }`) and stops it with `{ cmd: 'stop' }`.
 */
import { join } from 'node:path';
import { eventsSectionSchema } from '../../src/config/sections/events.js';
import { influxSectionSchema } from '../../src/config/sections/influx.js';
import type { Device } from '../../src/config/inventory-schema.js';
import { SampleBus, type Sink } from '../../src/core/bus.js';
import { createLogger } from '../../src/core/log.js';
import { startEventReceivers } from '../../src/events/receivers.js';
import { createInfluxSink, type InfluxSink } from '../../src/storage/index.js';
import { SOURCES, sourceAddress } from './load.js';

/** The arguments the bench passes: `--influx URL --state DIR` for the full path, `--profile` is node's own. */
function args(): { influx?: string; stateDir?: string } {
  const a = process.argv.slice(2);
  const get = (flag: string) => { const i = a.indexOf(flag); return i >= 0 ? a[i + 1] : undefined; };
  const influx = get('--influx'), stateDir = get('--state');
  return { ...(influx ? { influx } : {}), ...(stateDir ? { stateDir } : {}) };
}

/** The simulated devices, one per sending address, each in a site with its own zone (syslog times have none). */
function inventory(): Device[] {
  return Array.from({ length: SOURCES }, (_, i) => ({
    name: `dev-${i + 1}`, address: sourceAddress(i), class: 'switch', site: i % 2 ? 'beijing' : 'shenzhen', tags: [], snmp: false, icmp: false, enabled: true,
    intervals: { icmp: 30_000, snmp: 60_000, inventory: 3_600_000 },
  }));
}

const log = createLogger({ level: 'error', name: 'bench-events' });
const opts = args();
const devices = inventory();
const bus = new SampleBus((sink, err) => log.error({ err, sink }, 'sink failed'));
let counted = 0;
const counter: Sink = { name: 'count', write: async (b) => { counted += b.length; }, close: async () => {} };
bus.add(counter);
let influx: InfluxSink | undefined;
if (opts.influx) {
  influx = await createInfluxSink({
    settings: influxSectionSchema.parse({ url: opts.influx, database: 'noctua_events', batchSize: 5000, maxQueue: 500_000, timeout: 60_000 }),
    stateDir: join(opts.stateDir ?? '.', 'influx-state'), log,
  });
  bus.add(influx);
}
// Nothing held back: the rate limit and storm control are set so every message becomes a sample on the bus (the
// costliest path; with the shipped defaults a flood from a few sources is mostly counted and summarised instead).
const config = eventsSectionSchema.parse({
  traps: { enabled: true, listen: '127.0.0.1:0', communities: ['public'] },
  syslog: { enabled: true, udp: '127.0.0.1:0', tcp: '127.0.0.1:0' },
  rateLimit: { perSecond: 1e9, burst: 1_000_000_000 },
  storm: { window: '1m', threshold: 1_000_000_000 },
});
const rx = await startEventReceivers({
  config, devices: () => devices, timeZoneOf: (d) => (d.site === 'beijing' ? 'Asia/Shanghai' : 'Asia/Hong_Kong'), defaultTimeZone: 'UTC',
  publish: (b) => bus.publish(b), log,
});

const send = (m: unknown) => process.send?.(m);
process.on('message', (m: { cmd?: string }) => {
  if (m.cmd === 'stats') {
    const s = rx.stats();
    send({ stats: { trap: s.received.trap, syslog: s.received.syslog, published: s.published, counted, refused: s.refused, parseErrors: s.parseErrors, written: influx?.stats().writtenPoints ?? 0 } });
  } else if (m.cmd === 'stop') {
    void (async () => {
      await rx.stop();
      await bus.close();
      send({ stopped: { counted, written: influx?.stats().writtenPoints ?? 0 } });
      process.disconnect?.();
    })();
  }
});
send({ ready: rx.addresses });
