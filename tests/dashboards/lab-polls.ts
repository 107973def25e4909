import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { loadFullConfig } from '../../src/config-check/load.js';
import { createLogger } from '../../src/core/log.js';
import { influxQuery } from '../../src/lab/influxd.js';
import { startLab, type Lab } from '../../src/lab/lab.js';
import { startNoctua } from '../../src/main.js';

/** A device added to the lab inventory on a loopback address snmpsimd does not serve: pingable, SNMP times out. */
export const SILENT_SNMP_DEVICE = { name: 'snmp-silent-sw', address: '127.0.1.250', class: 'switch', site: 'campus', snmp: { community: 'no-such-recording', timeoutMs: 300, retries: 0 } };

/** What {@link pollLab} leaves running for the test to query and then stop. */
export interface PolledLab {
  lab: Lab;
  database: string;
  /** Earliest and latest sample time written, in ms since the epoch. */
  from: number;
  to: number;
  stop(): Promise<void>;
}

async function count(lab: Lab, db: string, q: string): Promise<number> {
  const [r] = await influxQuery(lab.influx.url, q, db).catch(() => [] as Awaited<ReturnType<typeof influxQuery>>);
  const v = r?.series?.[0]?.values?.[0]?.[1];
  return typeof v === 'number' ? v : 0;
}

/**
 * Starts the lab (real influxd and snmpsimd with every shared recording) and Noctua itself against it:
 * the real scheduler, SNMP and ICMP pollers and the InfluxDB writer, on short intervals. Returns once
 * every recording has answered an SNMP poll, a second poll has produced interface rates, ICMP samples
 * exist, the scheduler has written its own health and the alert engine (with config/alerts.example.yaml)
 * has fired an alert, or throws after `timeoutMs` saying what was missing.
 */
export async function pollLab(root: string, timeoutMs: number): Promise<PolledLab> {
  const lab = await startLab({ root, intervals: { icmp: '3s', snmp: '8s' } });
  try {
    const devicesFile = join(lab.configDir, 'devices.yaml');
    const inventory = parse(readFileSync(devicesFile, 'utf8')) as { devices: unknown[] };
    inventory.devices.push(SILENT_SNMP_DEVICE);
    writeFileSync(devicesFile, stringify(inventory));
    const settingsFile = join(lab.configDir, 'noctua.yaml');
    const settings = parse(readFileSync(settingsFile, 'utf8')) as { influx?: object; scheduler?: object };
    // Short flushes and self-metric periods, so a test-length run writes everything the panels read.
    writeFileSync(settingsFile, stringify({
      ...settings,
      logLevel: 'warn',
      influx: { ...settings.influx, flushInterval: '250ms', precision: 'ms' },
      scheduler: { ...settings.scheduler, selfInterval: '2s', instance: 'dashboards-test' },
    }));

    const cfg = loadFullConfig(lab.configDir);
    const log = createLogger({ name: 'dashboards-test', level: 'warn' });
    const from = Date.now();
    // The lab's config carries alerts.yaml (the shipped example rules) and notify.yaml, so the runtime wires
    // the writer, the alert engine and escalation itself, exactly as `noctua lab` does.
    const runtime = await startNoctua(cfg, log, { noApi: true });
    const sink = runtime.storage!;
    const dbName = cfg.settings.influx.database;
    const snmpDevices = cfg.devices.filter((d) => d.snmp && d.name !== SILENT_SNMP_DEVICE.name).length;
    const deadline = Date.now() + timeoutMs;
    let missing = 'nothing yet';
    // Bounded by the deadline; each round is a handful of small queries.
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1000));
      await sink.flush();
      const polled = await count(lab, dbName, 'SELECT count("n") FROM (SELECT count("ok") AS "n" FROM "snmp_poll" WHERE "ok" = true GROUP BY "device")');
      const rates = await count(lab, dbName, 'SELECT count("in_bps") FROM "interface"');
      const self = await count(lab, dbName, `SELECT count("cycle_ms") FROM "noctua_self" WHERE "kind" = 'snmp'`);
      const icmp = await count(lab, dbName, 'SELECT count("sent") FROM "icmp"');
      const firing = await count(lab, dbName, `SELECT count("title") FROM "alert_event" WHERE "state" = 'firing'`);
      missing = [
        polled < snmpDevices ? `${polled}/${snmpDevices} devices answered an SNMP poll` : '',
        rates === 0 ? 'no interface rates' : '', self === 0 ? 'no scheduler noctua_self samples' : '', icmp === 0 ? 'no icmp samples' : '',
        firing === 0 ? 'no alert fired' : '',
      ].filter(Boolean).join(', ');
      if (!missing) break;
    }
    // Stopping drains the scheduler, publishes the writer's and outbox's last health samples and closes the bus, which flushes the writer.
    await runtime.stop();
    const to = Date.now();
    if (missing) throw new Error(`the lab did not produce the data the dashboards need within ${timeoutMs} ms: ${missing}`);
    return { lab, database: dbName, from, to, async stop() { await lab.stop(); } };
  } catch (err) {
    await lab.stop();
    throw err;
  }
}
