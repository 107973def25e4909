import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { Document, isMap, isSeq, parseDocument, type YAMLMap } from 'yaml';
import type { DiscoveryCredential } from '../config/sections/discovery.js';
import { deviceText } from '../core/device-text.js';
import type { IcmpOnlyCandidate, MovedDevice, ProposedDevice } from './dedupe.js';

/** The first line of every file discovery writes: it replaces only files that carry it, never an operator's own. */
export const DISCOVERED_HEADER = 'Written by Noctua discovery';

/**
 * How a device entry refers to a credential's secrets: the text written in noctua.yaml, so `${SNMP_RO}` stays a
 * reference to the environment and the secret never lands in the file. Read from the raw YAML, before substitution.
 */
export type CredentialRefs = Map<string, Partial<Record<'community' | 'authKey' | 'privKey', string>>>;

/** The raw text of each credential's secret fields in a raw (unsubstituted) list of credentials. */
export function credentialRefsOf(list: unknown): CredentialRefs {
  const out: CredentialRefs = new Map();
  for (const c of Array.isArray(list) ? list as Record<string, unknown>[] : []) {
    if (typeof c?.name !== 'string') continue;
    const refs: Partial<Record<'community' | 'authKey' | 'privKey', string>> = {};
    for (const k of ['community', 'authKey', 'privKey'] as const) if (typeof c[k] === 'string') refs[k] = c[k] as string;
    out.set(c.name, refs);
  }
  return out;
}

/** The raw text of each credential's secret fields in noctua.yaml (`${NAME}` as written); empty when absent. */
export function credentialRefs(noctuaYaml: string): CredentialRefs {
  if (!existsSync(noctuaYaml)) return new Map();
  const raw = parseDocument(readFileSync(noctuaYaml, 'utf8')).toJS() as { discovery?: { credentials?: unknown } } | null;
  return credentialRefsOf(raw?.discovery?.credentials);
}

/** Device text fit for a one-line YAML comment. */
const commentText = (s: string, max = 80) => deviceText(s).replace(/#/g, ' ').slice(0, max);

/** The `snmp:` block of a proposed device: the credential that answered, secrets by reference. */
function snmpBlock(d: ProposedDevice, cred: DiscoveryCredential | undefined, refs: CredentialRefs): Record<string, unknown> {
  const r = refs.get(d.credential) ?? {};
  const port = d.port === 161 ? {} : { port: d.port };
  if (!cred) return { ...port };
  if (cred.version !== '3') return { version: cred.version, community: r.community ?? cred.community, ...port };
  return {
    version: '3', user: cred.user, ...(cred.securityLevel ? { securityLevel: cred.securityLevel } : {}),
    ...(cred.authProtocol ? { authProtocol: cred.authProtocol, authKey: r.authKey ?? cred.authKey } : {}),
    ...(cred.privProtocol ? { privProtocol: cred.privProtocol, privKey: r.privKey ?? cred.privKey } : {}),
    ...port,
  };
}

/** The comment above an entry: how it was found and what said so. */
export function provenance(d: ProposedDevice, at: string): string {
  return [
    ` found ${at.slice(0, 10)} by ${d.foundBy}; SNMP answered with credential "${d.credential}" on port ${d.port}`,
    ` ${d.vendorName} (${d.vendor}, by ${d.vendorSource}${d.profile ? `, profile ${d.profile}` : ''}); sysName "${commentText(d.sysName, 60)}"; sysObjectID ${commentText(d.sysObjectID, 60)}`,
    ...(d.sysDescr ? [` sysDescr: ${commentText(d.sysDescr)}`] : []),
  ].join('\n');
}

/** The devices.yaml entry of a proposal: name, address, class, site (from discovery.sites), tag, and its snmp block. */
export function deviceEntry(d: ProposedDevice, credentials: readonly DiscoveryCredential[], refs: CredentialRefs): Record<string, unknown> {
  return {
    name: d.name, address: d.address, class: d.class, ...(d.site ? { site: d.site } : {}), tags: ['discovered'],
    snmp: snmpBlock(d, credentials.find((x) => x.name === d.credential), refs),
  };
}

/** What one devices file holds: the proposals (written as entries), and comments for the rest. */
export interface DevicesFileContent {
  proposed: readonly ProposedDevice[];
  icmpOnly: readonly IcmpOnlyCandidate[];
  moved: readonly MovedDevice[];
  credentials: readonly DiscoveryCredential[];
  refs: CredentialRefs;
  at: string;
  /** Entries an earlier run wrote that nobody adopted yet: kept as they were. */
  kept?: readonly Record<string, unknown>[];
}

/**
 * A devices.yaml the inventory loader accepts as is: every proposal a device entry (tag `discovered`) with a comment
 * saying how it was found; ICMP-only candidates as commented-out entries; moved devices as a note.
 */
export function devicesYaml(c: DevicesFileContent): string {
  const kept = c.kept ?? [];
  const doc = new Document({ devices: [...c.proposed.map((d) => deviceEntry(d, c.credentials, c.refs)), ...kept] });
  doc.commentBefore = [
    ` ${DISCOVERED_HEADER} at ${c.at}; it rewrites this file, so do not edit it.`,
    ' Adopt a device: move its entry into devices.yaml (the next run then knows it). docs/DISCOVERY.md.',
  ].join('\n');
  const seq = (doc.contents as YAMLMap).get('devices', true);
  if (isSeq(seq)) {
    seq.items.forEach((item, i) => {
      if (!isMap(item)) return;
      item.commentBefore = i < c.proposed.length ? provenance(c.proposed[i]!, c.at) : ' kept from an earlier discovery run (not adopted yet)';
    });
  }
  const tail: string[] = [];
  if (c.moved.length > 0) {
    tail.push(' Inventory devices answering at another address (update devices.yaml if they really moved):');
    for (const m of c.moved) tail.push(`   ${m.device}: ${m.from} -> ${m.to} (same ${m.matchedBy})`);
  }
  if (c.icmpOnly.length > 0) {
    tail.push(' Hosts that answer ping only (no SNMP credential worked); to monitor one by ping, add it as:');
    for (const h of c.icmpOnly) {
      tail.push(`   - { name: host-${h.address.replace(/[.:]/g, '-')}, address: ${h.address}, class: other, snmp: false }   # ${h.foundBy}: ${commentText(h.reason, 120)}`);
    }
  }
  if (tail.length > 0) doc.comment = tail.join('\n');
  return doc.toString({ lineWidth: 0 });
}

/** The proposals a file written earlier holds (name, address and the rest of its entry), for a run to keep. */
export function readDiscoveredEntries(file: string): Record<string, unknown>[] {
  if (!existsSync(file)) return [];
  const doc = parseDocument(readFileSync(file, 'utf8'));
  const list = (doc.toJS() as { devices?: unknown } | null)?.devices;
  return Array.isArray(list) ? list.filter((d): d is Record<string, unknown> => typeof d === 'object' && d !== null) : [];
}

/** Throws unless `file` is absent or was written by discovery (checked before a run, and again before writing). */
export function assertDiscoveredFile(file: string): void {
  if (existsSync(file) && !readFileSync(file, 'utf8').slice(0, 200).includes(DISCOVERED_HEADER)) {
    throw new Error(`${file} exists and was not written by discovery: choose another file (discovery never edits your own files)`);
  }
}

/**
 * Writes `text` to `file` atomically, refusing to replace a file discovery did not write (the operator's own
 * devices.yaml, say): discovery never edits a person's files.
 */
export function writeDiscoveredFile(file: string, text: string): void {
  assertDiscoveredFile(file);
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode: 0o640 });
  renameSync(tmp, file);
}
