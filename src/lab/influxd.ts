import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { awaitReady } from './parts.js';
import { GiveUpWaiting, freeTcpPort, tcpPortFree, waitFor } from './ports.js';
import { superviseProcess, type SupervisedProcess } from './supervisor.js';

/** A running influxd from Debian's `influxdb` package, private to one directory. */
export interface InfluxdInstance {
  url: string;
  port: number;
  dir: string;
  process: SupervisedProcess;
  stop(): Promise<void>;
  /** Starts the same instance again (same data and port) after stop(): for outage tests. */
  restart(): Promise<void>;
}

/** Writes an influxd config whose meta, data and WAL live under `dir`, HTTP and RPC on loopback. */
export function writeInfluxdConfig(dir: string, httpPort: number, rpcPort: number, cqRunInterval = '1s'): string {
  for (const d of ['meta', 'data', 'wal']) mkdirSync(join(dir, d), { recursive: true });
  const file = join(dir, 'influxdb.conf');
  writeFileSync(file, [
    'reporting-disabled = true',
    `bind-address = "127.0.0.1:${rpcPort}"`,
    '[meta]', `  dir = "${join(dir, 'meta')}"`,
    '[data]', `  dir = "${join(dir, 'data')}"`, `  wal-dir = "${join(dir, 'wal')}"`, '  query-log-enabled = false',
    '[http]', `  bind-address = "127.0.0.1:${httpPort}"`, '  log-enabled = false', '  max-body-size = 0',
    '[monitor]', '  store-enabled = false',
    '[continuous_queries]', `  run-interval = "${cqRunInterval}"`, '  log-enabled = false',
    '[logging]', '  level = "warn"',
    '',
  ].join('\n'));
  return file;
}

/** Starts influxd on a free (or the preferred) port and waits until /ping answers. */
export async function startInfluxd(opts: { dir: string; logFile?: string; preferredPort?: number; onCrash?: (p: SupervisedProcess) => void }): Promise<InfluxdInstance> {
  const port = opts.preferredPort && (await tcpPortFree(opts.preferredPort)) ? opts.preferredPort : await freeTcpPort();
  const rpcPort = await freeTcpPort();
  const conf = writeInfluxdConfig(opts.dir, port, rpcPort);
  const logFile = opts.logFile ?? join(opts.dir, 'influxd.log');
  const url = `http://127.0.0.1:${port}`;
  const launch = async () => {
    const p = superviseProcess('influxd', 'influxd', ['-config', conf], { logFile, onCrash: (proc) => opts.onCrash?.(proc) });
    await awaitReady(p, () => waitFor(`influxd /ping on ${url}`, async () => {
      if (!p.alive()) throw new GiveUpWaiting('influxd exited');
      const r = await fetch(`${url}/ping`).catch(() => undefined);
      return r?.status === 204;
    }, 30_000));
    return p;
  };
  const inst: InfluxdInstance = {
    url, port, dir: opts.dir, process: await launch(),
    async stop() { await inst.process.stop(); },
    async restart() { await inst.process.stop(); inst.process = await launch(); },
  };
  return inst;
}

/** Runs one InfluxQL statement and returns its results, throwing when any statement failed (errors come in a 200 body). */
export async function influxQuery(url: string, q: string, db?: string): Promise<{ series?: { name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] }[] }[]> {
  const body = new URLSearchParams({ q, ...(db ? { db } : {}), epoch: 'ms' });
  const res = await fetch(`${url}/query`, { method: 'POST', body });
  const json = (await res.json()) as { error?: string; results?: { error?: string; series?: never[] }[] };
  if (json.error) throw new Error(`InfluxDB: ${json.error} (query: ${q})`);
  for (const r of json.results ?? []) if (r.error) throw new Error(`InfluxDB: ${r.error} (query: ${q})`);
  return json.results ?? [];
}
