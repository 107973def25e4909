import type { DiscoveryCredential } from '../config/sections/discovery.js';
import type { DeviceClass, SnmpSettings } from '../config/inventory-schema.js';
import { SYSTEM_OIDS, identifyProfile, systemInfo, type SystemInfo } from '../pollers/snmp/identify.js';
import type { Profile } from '../pollers/snmp/profile.js';
import { SnmpError, openSession, type SnmpSession, type SnmpValue } from '../pollers/snmp/session.js';
import { identifyVendor } from '../pollers/snmp/vendors/identify-vendor.js';
import { snmpText } from '../pollers/snmp/metrics.js';
import { announcedNeighbours, type AnnouncedNeighbour } from './neighbours.js';
import type { Pacer } from './pacer.js';

/** LLDP-MIB lldpLocChassisId.0: the box's own chassis id, matched against the inventory's (IEEE 802.1AB). */
export const LLDP_LOC_CHASSIS_ID = '1.0.8802.1.1.2.1.3.2.0';

/** What one host said over SNMP, and who made it. */
export interface SnmpAnswer {
  /** The credential's name (never its secret) and the port it answered on. */
  credential: string;
  port: number;
  sysName: string;
  sysDescr: string;
  sysObjectID: string;
  chassisId?: string;
  vendor: string;
  vendorName: string;
  class: DeviceClass;
  profile?: string;
  /** Which evidence named the vendor: profile, sysDescr, enterprise number, none. */
  vendorSource: string;
}

/** A host that answered ping: its SNMP answer, or why there was none. */
export type ProbeOutcome = { address: string; snmp: SnmpAnswer; neighbours?: AnnouncedNeighbour[] } | { address: string; snmp?: undefined; reason: string };

/** How probes are made; `open` is the seam for the session (net-snmp in production). */
export interface ProbeOptions {
  credentials: readonly DiscoveryCredential[];
  ports: readonly number[];
  timeoutMs: number;
  retries: number;
  profiles: readonly Profile[];
  pacer: Pacer;
  /** Also read the management addresses its LLDP/CDP neighbours announce (following neighbours). */
  neighbours?: boolean;
  open?: (address: string, settings: SnmpSettings) => SnmpSession;
}

/** The SNMP settings of a credential on one port: what a device entry would carry. */
export function credentialSettings(c: DiscoveryCredential, port: number, timeoutMs: number, retries: number): SnmpSettings {
  const base = { port, timeoutMs, retries, maxRepetitions: 10 };
  if (c.version === '3') {
    return {
      ...base, version: '3', community: '', user: c.user, securityLevel: c.securityLevel, authProtocol: c.authProtocol,
      authKey: c.authKey, privProtocol: c.privProtocol, privKey: c.privKey,
    };
  }
  return { ...base, version: c.version, community: c.community };
}

/** Varbinds a walk is charged one request for: GETBULK asks 10 repetitions per column, so a request brings ~10 or more. */
const VARBINDS_PER_WALK_REQUEST = 10;

/**
 * A session that waits for the pacer before each packet it sends. The inner session is opened without retries;
 * the retries are made here, each taking its token when it is sent (a request that is answered costs one packet,
 * not 1 + retries). A v3 request before the agent's engine is known costs two (engine discovery, then the request).
 * A walk is many requests, each waiting for the answer to the one before: it waits for its first, and the requests
 * it took beyond that (one per {@link VARBINDS_PER_WALK_REQUEST} varbinds it brought back) are charged after it, so
 * the packets after it wait for them; a walk that times out is walked again, as a retry.
 */
function paced(inner: SnmpSession, pacer: Pacer, retries: number, v3: boolean): SnmpSession {
  const attempt = async <R>(signal: AbortSignal | undefined, send: () => Promise<R>): Promise<R> => {
    for (let i = 0; ; i++) {
      await pacer.take(v3 && !inner.engine() ? 2 : 1, signal);
      try {
        return await send();
      } catch (err) {
        // As net-snmp's own retries: only a request that got no (valid) answer is sent again.
        if (i >= retries || signal?.aborted || !(err instanceof SnmpError && (err.kind === 'timeout' || err.kind === 'garbage'))) throw err;
      }
    }
  };
  return {
    get: (oids, signal) => attempt(signal, () => inner.get(oids, signal)),
    walk: (cols, signal) => attempt(signal, async () => {
      const before = inner.varbinds;
      try {
        return await inner.walk(cols, signal);
      } finally {
        const more = Math.ceil((inner.varbinds - before) / VARBINDS_PER_WALK_REQUEST) - 1;
        if (more > 0) await pacer.take(more, signal);
      }
    }),
    firstUnder: (oids, signal) => attempt(signal, () => inner.firstUnder(oids, signal)),
    get varbinds() { return inner.varbinds; },
    engine: () => inner.engine(),
    close: () => inner.close(),
  };
}

const PROBE_OIDS = [SYSTEM_OIDS.sysDescr, SYSTEM_OIDS.sysObjectID, SYSTEM_OIDS.sysName, LLDP_LOC_CHASSIS_ID];

/** A chassis id as text: printable as is, else hex pairs (MAC addresses mostly). */
function chassisText(v: SnmpValue | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (Buffer.isBuffer(v)) {
    const printable = v.length > 0 && [...v].every((b) => b >= 0x20 && b < 0x7f);
    return (printable ? v.toString('latin1') : [...v].map((b) => b.toString(16).padStart(2, '0')).join(':')).slice(0, 128) || undefined;
  }
  return snmpText(v)?.slice(0, 128);
}

/**
 * Tries each credential (on each port) in order until one answers the system group, then identifies the
 * host with the poller's own identification (profile, sysDescr, enterprise number). A host that answers no
 * credential is kept with the reason: it answered ping, so it is a candidate still.
 */
export async function probeHost(address: string, o: ProbeOptions, signal: AbortSignal): Promise<ProbeOutcome> {
  const open = o.open ?? openSession;
  let lastKind = 'timeout';
  for (const port of o.ports) {
    for (const cred of o.credentials) {
      signal.throwIfAborted();
      // Retries are the paced session's own, so that each takes its token only when it is sent.
      const session = paced(open(address, credentialSettings(cred, port, o.timeoutMs, 0)), o.pacer, o.retries, cred.version === '3');
      try {
        const values = await session.get(PROBE_OIDS, signal);
        const map = new Map(PROBE_OIDS.map((oid, i) => [oid, values[i]]));
        const sys: SystemInfo = systemInfo(map);
        // An agent that answers but holds no system group (a context without MIB-2) has not said who it is.
        if (!sys.sysObjectID && !sys.sysDescr && !sys.sysName) { lastKind = 'empty'; continue; }
        const profile = await identifyProfile(session, o.profiles, sys, signal).catch(() => undefined);
        const guess = identifyVendor(profile, sys);
        const chassisId = chassisText(map.get(LLDP_LOC_CHASSIS_ID));
        // A device without neighbour tables (or that stops answering) announces nobody: it is found all the same.
        const neighbours = o.neighbours ? await announcedNeighbours(session, signal).catch((err: unknown) => { if (signal.aborted) throw err; return []; }) : undefined;
        return {
          address, ...(neighbours ? { neighbours } : {}),
          snmp: {
            credential: cred.name, port, sysName: sys.sysName, sysDescr: sys.sysDescr.slice(0, 512), sysObjectID: sys.sysObjectID,
            ...(chassisId ? { chassisId } : {}), vendor: guess.vendor, vendorName: guess.name, class: guess.class ?? 'other',
            ...(profile ? { profile: profile.name } : {}), vendorSource: guess.source,
          },
        };
      } catch (err) {
        if (signal.aborted) throw err;
        lastKind = err instanceof SnmpError ? err.kind : 'other';
      } finally {
        session.close();
      }
    }
  }
  const tried = o.credentials.length * o.ports.length;
  return {
    address,
    reason: o.credentials.length === 0 ? 'no SNMP credential configured (discovery.credentials)'
      : `SNMP did not answer with any credential (${tried} tried: ${o.credentials.map((c) => c.name).join(', ')}; last: ${lastKind})`,
  };
}
