import type { FieldValue } from '../../core/sample.js';
import { deviceText } from '../../core/device-text.js';
import { snmpNumber, snmpText } from './metrics.js';
import { execPattern } from './patterns.js';
import { chooseProfile, existsProbes, type IdentitySource, type Profile } from './profile.js';
import type { SnmpSession, SnmpValue } from './session.js';
import { normaliseSysObjectID } from './vendors/enterprise-number.js';
import type { SystemText } from './vendors/identify-vendor.js';

/** MIB-2 system group and the SNMP engine clock (RFC 3418, RFC 3411). */
export const SYSTEM_OIDS = {
  sysDescr: '1.3.6.1.2.1.1.1.0', sysObjectID: '1.3.6.1.2.1.1.2.0', sysUpTime: '1.3.6.1.2.1.1.3.0',
  sysContact: '1.3.6.1.2.1.1.4.0', sysName: '1.3.6.1.2.1.1.5.0', sysLocation: '1.3.6.1.2.1.1.6.0',
  snmpEngineBoots: '1.3.6.1.6.3.10.2.1.2.0', snmpEngineTime: '1.3.6.1.6.3.10.2.1.3.0',
} as const;

/** ENTITY-MIB entPhysicalTable columns read for the chassis (RFC 6933). */
export const ENTITY = {
  descr: '1.3.6.1.2.1.47.1.1.1.1.2', class: '1.3.6.1.2.1.47.1.1.1.1.5', name: '1.3.6.1.2.1.47.1.1.1.1.7',
  hardwareRev: '1.3.6.1.2.1.47.1.1.1.1.8', firmwareRev: '1.3.6.1.2.1.47.1.1.1.1.9', softwareRev: '1.3.6.1.2.1.47.1.1.1.1.10',
  serial: '1.3.6.1.2.1.47.1.1.1.1.11', mfgName: '1.3.6.1.2.1.47.1.1.1.1.12', model: '1.3.6.1.2.1.47.1.1.1.1.13',
} as const;

/** What the system group said at one poll. */
export interface SystemInfo {
  sysDescr: string;
  sysObjectID: string;
  sysName: string;
  sysLocation: string;
  sysContact: string;
  uptimeTicks?: number;
  engineBoots?: number;
  engineTime?: number;
}

/** Reads the system group out of a GET answer aligned with `Object.values(SYSTEM_OIDS)`. */
export function systemInfo(values: Map<string, SnmpValue | undefined>): SystemInfo {
  const text = (oid: string) => snmpText(values.get(oid)) ?? '';
  const num = (oid: string) => snmpNumber(values.get(oid));
  const oidValue = values.get(SYSTEM_OIDS.sysObjectID);
  return {
    sysDescr: text(SYSTEM_OIDS.sysDescr),
    sysObjectID: typeof oidValue === 'string' ? deviceText(oidValue.replace(/^\./, '')) : text(SYSTEM_OIDS.sysObjectID),
    sysName: text(SYSTEM_OIDS.sysName), sysLocation: text(SYSTEM_OIDS.sysLocation), sysContact: text(SYSTEM_OIDS.sysContact),
    uptimeTicks: num(SYSTEM_OIDS.sysUpTime),
    engineBoots: num(SYSTEM_OIDS.snmpEngineBoots),
    engineTime: num(SYSTEM_OIDS.snmpEngineTime),
  };
}

/** The vendor profile for a device: sysObjectID and sysDescr first; `exists` probes (one GETNEXT) only where a rule needs them. */
export async function identifyProfile(session: SnmpSession, profiles: readonly Profile[], sys: SystemInfo, signal?: AbortSignal): Promise<Profile | undefined> {
  const sysObjectID = normaliseSysObjectID(sys.sysObjectID);
  const probes = existsProbes(profiles.filter((p) => p.match.some((m) => m.exists !== undefined && (m.sysObjectID === undefined || sysObjectID === m.sysObjectID || sysObjectID.startsWith(m.sysObjectID + '.')))));
  // One GETNEXT carries every probe: three subtrees share net-snmp's Linux sysObjectID, one request asks them all.
  const firsts = probes.length > 0 ? await session.firstUnder(probes, signal) : [];
  const found = new Map(probes.map((oid, i) => [oid, firsts[i] !== undefined]));
  return matchProfile(profiles, sys, (oid) => found.get(oid));
}

/** {@link chooseProfile} with sysObjectID normalised: malformed forms (`SNMPv2-SMI::enterprises.N`, `iso.3...`) read as the OID they mean. */
export function matchProfile(profiles: readonly Profile[], sys: SystemText, has: (oid: string) => boolean | undefined = () => undefined): Profile | undefined {
  return chooseProfile(profiles, normaliseSysObjectID(sys.sysObjectID), sys.sysDescr, has);
}

/** Scalar OIDs named by the profile's identity sources (GET with the system group). */
export function identityOids(profile: Profile | undefined): string[] {
  if (!profile) return [];
  return Object.values(profile.identity).flatMap((list) => (list ?? []).map((s: IdentitySource) => s.oid).filter((x): x is string => x !== undefined));
}

/** Resolves os/model/version/serial from the profile: first source that yields text wins. */
export function profileIdentity(profile: Profile | undefined, sys: SystemInfo, scalars: Map<string, SnmpValue | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  if (!profile) return out;
  for (const [key, list] of Object.entries(profile.identity)) {
    for (const src of list ?? []) {
      let v: string | undefined;
      if (src.sysDescr) {
        const m = execPattern(src.sysDescr, sys.sysDescr);
        v = m ? (src.value ?? m[1] ?? m[0]) : undefined;
      } else if (src.oid) v = snmpText(scalars.get(src.oid));
      else v = src.value;
      if (v !== undefined && v.trim() !== '') { out[key] = v.trim(); break; }
    }
  }
  return out;
}

/** Model, serial and firmware of the chassis (or the first physical entity), from ENTITY-MIB columns. */
export function chassisIdentity(cols: Map<string, Map<string, SnmpValue>>): Record<string, string> {
  const classes = cols.get(ENTITY.class) ?? new Map();
  const indexes = [...new Set([...classes.keys(), ...(cols.get(ENTITY.model)?.keys() ?? [])])].sort((a, b) => Number(a) - Number(b));
  // entPhysicalClass 3 = chassis; some agents have none, then the first entity with a model name stands for the box.
  const chassis = indexes.find((i) => snmpNumber(classes.get(i)) === 3 && snmpText(cols.get(ENTITY.model)?.get(i))) ??
    indexes.find((i) => snmpNumber(classes.get(i)) === 3) ??
    indexes.find((i) => snmpText(cols.get(ENTITY.model)?.get(i)));
  if (chassis === undefined) return {};
  const t = (col: string) => snmpText(cols.get(col)?.get(chassis)) ?? '';
  const out: Record<string, string> = {};
  if (t(ENTITY.model)) out.model = t(ENTITY.model);
  if (t(ENTITY.serial)) out.serial = t(ENTITY.serial);
  const fw = t(ENTITY.softwareRev) || t(ENTITY.firmwareRev);
  if (fw) out.firmware = fw;
  if (t(ENTITY.hardwareRev)) out.hardware = t(ENTITY.hardwareRev);
  if (t(ENTITY.mfgName)) out.manufacturer = t(ENTITY.mfgName);
  return out;
}

/** Fields of the `system` sample from the system group and identity. */
export function systemFields(sys: SystemInfo, vendor: string, identity: Record<string, string>, uptimeS: number | undefined): Record<string, FieldValue> {
  const f: Record<string, FieldValue> = {
    sysName: sys.sysName, sysObjectID: sys.sysObjectID, sysDescr: sys.sysDescr,
    sysLocation: sys.sysLocation, sysContact: sys.sysContact, vendor,
  };
  if (uptimeS !== undefined) f.uptime_s = uptimeS;
  for (const k of ['os', 'model', 'version', 'serial', 'firmware', 'hardware']) if (identity[k]) f[k] = identity[k]!;
  return f;
}
