import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Device } from '../../src/config/inventory-schema.js';
import { eventsSectionSchema } from '../../src/config/sections/events.js';
import type { Sample } from '../../src/core/sample.js';
import { startEventReceivers, type EventLog, type EventReceivers } from '../../src/events/receivers.js';

/** A device as the inventory resolves it, reachable on a loopback address. */
export function device(name: string, address: string, cls: Device['class'] = 'switch', site = 'hq'): Device {
  return {
    name, address, class: cls, site, tags: [], snmp: false, icmp: false, enabled: true,
    intervals: { icmp: 30_000, snmp: 60_000, inventory: 3_600_000 },
  };
}

/** Receivers on free loopback ports, with every published sample and warning kept for assertions. */
export async function startTestReceivers(events: unknown, devices: Device[], timeZoneOf?: (d: Device) => string | undefined): Promise<{
  rx: EventReceivers; samples: Sample[]; warnings: { obj: object; msg: string }[];
}> {
  const samples: Sample[] = [];
  const warnings: { obj: object; msg: string }[] = [];
  const log: EventLog = { info: () => {}, warn: (obj, msg) => { warnings.push({ obj, msg }); }, error: (obj, msg) => { warnings.push({ obj, msg }); } };
  const config = eventsSectionSchema.parse(events);
  const rx = await startEventReceivers({
    config, devices: () => devices, timeZoneOf, defaultTimeZone: 'UTC', publish: (b) => { samples.push(...b); }, log,
  });
  return { rx, samples, warnings };
}

/** Polls until `check` returns a value (not undefined/false), or fails naming what was awaited. */
export async function waitFor<T>(what: string, check: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Net-SNMP tools rewrite their persistent file (snmpapp.conf) at exit; test files running at once would share
 * /var/lib/snmp and read each other's half-written file ("buffer too small to read octet string"). One per process.
 */
const SNMP_PERSISTENT_DIR = join(tmpdir(), `noctua-snmpapp-${process.pid}`);

/** Runs a command; resolves with its exit code and output (never rejects on a non-zero exit). */
export function run(cmd: string, args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { timeout: 20_000, env: { ...process.env, MIBS: '', SNMP_PERSISTENT_DIR } }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
    if (input !== undefined) { child.stdin?.end(input); }
  });
}

/** Event samples of one type (and device, when given). */
export function eventsOf(samples: readonly Sample[], type: string, dev?: string): Sample[] {
  return samples.filter((s) => s.measurement === 'event' && s.tags.type === type && (dev === undefined || s.tags.device === dev));
}
