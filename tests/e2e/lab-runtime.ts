/**
 * The end-to-end bench: the lab (real influxd, snmpsimd, the lab's notice receiver) plus Noctua itself
 * in-process (startLab + loadFullConfig + startNoctua, the API on a free port), and, where the kernel allows,
 * a router in a network namespace with a server behind it (routed through it), so a fault is a real
 * link going down. Each test file starts one bench in beforeAll and stops it in afterAll.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { loadFullConfig } from '../../src/config-check/load.js';
import { createLogger } from '../../src/core/log.js';
import { startLab, type Lab } from '../../src/lab/lab.js';
import { createNetnsHost, netnsUnavailableReason, type NetnsHost } from '../../src/lab/netns.js';
import { freeTcpPort } from '../../src/lab/ports.js';
import { startNoctua, type NoctuaRuntime } from '../../src/main.js';
import { tempDir } from '../helpers/tmp.js';

/** One notice as the lab receiver took it, with the time it arrived. */
export interface ReceivedNotice {
  at: number;
  /** Receiver path: /engineer, /lead, /manager or /team. */
  path: string;
  kind: string;
  device?: string;
  incidentId: string;
  body: WebhookNotice;
}

/** The generic webhook body (docs/NOTIFY.md), as far as these tests read it. */
export interface WebhookNotice {
  id: string;
  kind: string;
  incident: { id: string; device?: string; state: string; severity: string; suppressedDevices?: string[] };
  links: { ack?: string; dashboard?: string; report?: string };
  text: { title: string; body: string };
}

/** A namespace router with one server routed behind it; both stop answering when the router's link goes down. */
export interface FaultySite {
  router: { name: string; address: string };
  server: { name: string; address: string };
  host: NetnsHost;
}

/** Notify timings of the bench: short enough to watch, long enough to act between steps. */
export interface BenchTimings {
  /** P1: lead tier after this long unacknowledged. */
  leadAfter: string;
  /** P1: manager tier after this long unacknowledged. */
  managerAfter: string;
}

/** What a bench is asked to set up. */
export interface BenchOptions {
  /** Keeps concurrent files' namespaces apart (0-255) and names them. */
  subnet: number;
  tag: string;
  timings: BenchTimings;
  /** Extra devices on loopback (no fault control). */
  extraDevices?: object[];
  /** How many namespace routers (each with a server behind it). */
  sites?: number;
}

/** The running bench. */
export interface Bench {
  lab: Lab;
  runtime: NoctuaRuntime;
  /** Namespace routers with a server behind; empty when namespaces are unavailable (see `netnsSkip`). */
  sites: FaultySite[];
  /** Why namespace cases are skipped, or undefined when they run. */
  netnsSkip?: string;
  notices: ReceivedNotice[];
  /** Enabled devices of the inventory the runtime polls. */
  inventory(): string[];
  api(method: 'GET' | 'POST' | 'DELETE', path: string, token: string, body?: unknown): Promise<{ status: number; json: any; text: string; headers: Headers }>;
  /** Polls `check` every 250 ms until it returns a value (not undefined/false), or throws after `timeoutMs` with `what`. */
  waitFor<T>(what: string, timeoutMs: number, check: () => T | undefined | false | Promise<T | undefined | false>): Promise<T>;
  /** Stops the runtime and starts a new one on the same config and state directory. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** How much ICMP the bench does: short cycles so a fault shows within seconds. */
export const ICMP_INTERVAL_MS = 2000;
const SNMP_INTERVAL = '5s';

function run(...args: string[]): void {
  execFileSync('ip', args, { stdio: 'pipe' });
}

/** A router in a namespace plus a server address behind it (a /32 on the namespace's loopback, routed via the router). */
function faultySite(tag: string, subnet: number, i: number): FaultySite {
  const host = createNetnsHost(`${tag}${i}`, subnet + i);
  const server = `10.201.${host.subnet}.1`;
  try {
    run('netns', 'exec', host.name, 'ip', 'addr', 'add', `${server}/32`, 'dev', 'lo');
    run('route', 'replace', `${server}/32`, 'via', host.address4);
  } catch (err) {
    host.remove();
    throw err;
  }
  return { host, router: { name: `${tag}-edge-rt-${i}`, address: host.address4 }, server: { name: `${tag}-app-srv-${i}`, address: server } };
}

/** The bench's notify.yaml: the lab's three tiers on the lab receiver, a `team` channel for reports, P1 delays shortened. */
function benchNotifyYaml(receiverUrl: string, t: BenchTimings): string {
  return `ackLinks:
  secret: e2e-ack-secret-0123456789
  ttl: 1h
channels:
  engineer-hook: { type: webhook, url: "${receiverUrl}/engineer" }
  lead-hook: { type: webhook, url: "${receiverUrl}/lead" }
  manager-hook: { type: webhook, url: "${receiverUrl}/manager" }
  team-hook: { type: webhook, url: "${receiverUrl}/team" }
people:
  engineer: { displayName: 值班工程师, channels: [engineer-hook] }
  lead: { displayName: 组长, channels: [lead-hook] }
  manager: { displayName: 经理, channels: [manager-hook] }
tiers:
  engineer: { notify: [{ person: engineer }] }
  lead: { notify: [{ person: lead }] }
  manager: { notify: [{ person: manager }] }
policies:
  P1: { respond: 10m, resolve: 1h, remindBefore: 0s, steps: [{ after: 0s, tier: engineer }, { after: ${t.leadAfter}, tier: lead }, { after: ${t.managerAfter}, tier: manager }] }
  P2: { respond: 10m, resolve: 1h, remindBefore: 0s, steps: [{ after: 0s, tier: engineer }, { after: 10m, tier: lead }] }
  P3: { respond: 10m, resolve: 1h, remindBefore: 0s, steps: [{ after: 0s, tier: engineer }] }
  P4: { respond: 10m, resolve: 1h, remindBefore: 0s, steps: [{ after: 0s, tier: engineer }] }
reports:
  notify: [{ channel: team-hook }]
outbox: { giveUpAfter: 10m, initialBackoff: 1s, maxBackoff: 5s }
`;
}

/** Starts the lab, the namespace sites and Noctua; everything is torn down by `stop` (or here, when start fails). */
export async function startBench(opts: BenchOptions): Promise<Bench> {
  const tmp = tempDir(`noctua-e2e-${opts.tag}-`);
  const notices: ReceivedNotice[] = [];
  const lab = await startLab({
    root: tmp.dir, apiPort: await freeTcpPort(), intervals: { icmp: `${ICMP_INTERVAL_MS / 1000}s`, snmp: SNMP_INTERVAL },
    onNotice: (path, body) => {
      const b = body as WebhookNotice;
      notices.push({ at: Date.now(), path, kind: b.kind, device: b.incident?.device, incidentId: b.incident?.id, body: b });
    },
  });
  const sites: FaultySite[] = [];
  let runtime: NoctuaRuntime | undefined;
  const netnsSkip = netnsUnavailableReason();
  try {
    if (netnsSkip) console.warn(`e2e ${opts.tag}: network namespace cases are skipped: ${netnsSkip}`);
    else for (let i = 0; i < (opts.sites ?? 1); i++) sites.push(faultySite(opts.tag, opts.subnet, i));

    const devicesFile = join(lab.configDir, 'devices.yaml');
    const inventory = parse(readFileSync(devicesFile, 'utf8')) as { devices: object[] };
    for (const s of sites) {
      // ICMP only: the fault is the link, and SNMP would only add timeouts to wait for.
      inventory.devices.push({ name: s.router.name, address: s.router.address, class: 'router', site: 'core', tags: ['core'], snmp: false });
      inventory.devices.push({ name: s.server.name, address: s.server.address, class: 'server', site: 'campus', parent: s.router.name, snmp: false });
    }
    inventory.devices.push(...(opts.extraDevices ?? []));
    writeFileSync(devicesFile, stringify(inventory));
    writeFileSync(join(lab.configDir, 'notify.yaml'), benchNotifyYaml(lab.notices.url, opts.timings));
    const settingsFile = join(lab.configDir, 'noctua.yaml');
    const settings = parse(readFileSync(settingsFile, 'utf8')) as { influx?: object; api?: object };
    writeFileSync(settingsFile, stringify({
      ...settings, logLevel: 'warn',
      influx: { ...settings.influx, flushInterval: '250ms' },
      // The wall's stale banner must not fire between the short test cycles; heartbeats keep the stream busy.
      api: { ...settings.api, wall: { heartbeat: '1s', staleAfter: '30s' } },
    }));

    const log = createLogger({ name: `e2e-${opts.tag}`, level: 'warn' });
    const cfg = loadFullConfig(lab.configDir);
    runtime = await startNoctua(cfg, log);
    const bench: Bench = {
      lab, runtime, sites, netnsSkip, notices,
      inventory: () => loadFullConfig(lab.configDir).devices.filter((d) => d.enabled).map((d) => d.name).sort(),
      async api(method, path, token, body) {
        const r = await fetch(lab.apiUrl + path, {
          method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
          body: body !== undefined ? JSON.stringify(body) : undefined,
        });
        const text = await r.text();
        let json: unknown;
        try { json = JSON.parse(text); } catch { json = undefined; }
        return { status: r.status, json, text, headers: r.headers };
      },
      async waitFor(what, timeoutMs, check) {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const v = await check();
          if (v !== undefined && v !== false) return v as never;
          if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
          await new Promise((r) => setTimeout(r, 250));
        }
      },
      async restart() {
        await bench.runtime.stop();
        bench.runtime = await startNoctua(loadFullConfig(lab.configDir), log);
      },
      async stop() {
        try { await bench.runtime.stop(); } finally {
          for (const s of sites) s.host.remove();
          await lab.stop();
          tmp.cleanup();
        }
      },
    };
    return bench;
  } catch (err) {
    await runtime?.stop().catch(() => undefined);
    for (const s of sites) s.host.remove();
    await lab.stop();
    tmp.cleanup();
    throw err;
  }
}
