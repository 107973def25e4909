import { z } from 'zod';
import { durationSchema } from '../duration.js';
import { AUTH_PROTOCOLS, PRIV_PROTOCOLS, SECURITY_LEVELS } from '../inventory-schema.js';
import { secret } from '../secret.js';

/** Most addresses one range may hold: a /16. A larger sweep is a mistake more often than a plan (and floods a WAN). */
export const MAX_RANGE_ADDRESSES = 65_536;

/** An IPv4 range as two 32-bit numbers, both included. */
export interface Ipv4Range { first: number; last: number }

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** The 32-bit number of a dotted IPv4 address, or undefined when it is not one. */
export function ipv4ToNumber(text: string): number | undefined {
  const m = IPV4.exec(text.trim());
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!;
}

/** The dotted form of a 32-bit number. */
export function numberToIpv4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/**
 * Reads `10.1.0.0/24`, `10.1.0.10-10.1.0.50`, `10.1.0.10-50` or one address; a string says what was expected.
 * A range past {@link MAX_RANGE_ADDRESSES} is refused when `bounded`.
 */
export function parseIpv4Range(text: string, bounded = true): Ipv4Range | string {
  const t = text.trim();
  let range: Ipv4Range | undefined;
  const cidr = /^([\d.]+)\/(\d{1,2})$/.exec(t);
  const dash = /^([\d.]+)\s*-\s*([\d.]+)$/.exec(t);
  if (cidr) {
    const base = ipv4ToNumber(cidr[1]!);
    const bits = Number(cidr[2]);
    if (base === undefined || bits > 32) return `expected an IPv4 CIDR such as 10.1.0.0/24, got "${t.slice(0, 60)}"`;
    const size = 2 ** (32 - bits);
    const first = Math.floor(base / size) * size;
    range = { first, last: first + size - 1 };
  } else if (dash) {
    const first = ipv4ToNumber(dash[1]!);
    // `10.1.0.10-50`: the end written as the last octet only.
    const last = /^\d{1,3}$/.test(dash[2]!) && first !== undefined && Number(dash[2]) <= 255
      ? (first & 0xffffff00) + Number(dash[2]) : ipv4ToNumber(dash[2]!);
    if (first === undefined || last === undefined) return `expected an IPv4 range such as 10.1.0.10-10.1.0.50, got "${t.slice(0, 60)}"`;
    if (last < first) return `expected the range's first address before its last, got "${t.slice(0, 60)}"`;
    range = { first, last };
  } else {
    const one = ipv4ToNumber(t);
    if (one === undefined) return `expected an IPv4 address, CIDR (10.1.0.0/24) or range (10.1.0.10-10.1.0.50), got "${t.slice(0, 60)}"`;
    range = { first: one, last: one };
  }
  const count = range.last - range.first + 1;
  if (bounded && count > MAX_RANGE_ADDRESSES) {
    return `expected at most ${MAX_RANGE_ADDRESSES.toLocaleString('en-US')} addresses (a /16) per range, got ${count.toLocaleString('en-US')} in "${t}": split it, or sweep the parts that hold devices`;
  }
  return range;
}

/** A range field: refused with its own message (names the field through zod's path). */
const rangeSchema = (bounded: boolean) => z.string().transform((v, ctx) => {
  const r = parseIpv4Range(v, bounded);
  if (typeof r === 'string') { ctx.addIssue({ code: 'custom', message: r }); return z.NEVER; }
  return v.trim();
});

const credentialName = z.string().min(1).max(64).regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'expected a credential name of letters, digits, ".", "_" or "-"');

/** A v1/v2c community to try; `name` is what results and logs show, never the community. */
const communityCredential = z.strictObject({
  name: credentialName,
  version: z.union([z.literal('2c'), z.literal('1'), z.literal(2), z.literal(1)]).transform((v) => (String(v) === '1' ? '1' : '2c') as '1' | '2c'),
  community: secret(z.string().min(1, 'expected a community of at least one character')),
});

/** A v3 USM user to try. */
const usmCredential = z.strictObject({
  name: credentialName,
  version: z.union([z.literal('3'), z.literal(3)]).transform(() => '3' as const),
  user: z.string().min(1).max(64),
  securityLevel: z.enum(SECURITY_LEVELS).optional(),
  authProtocol: z.enum(AUTH_PROTOCOLS).optional(),
  authKey: secret(z.string().min(8, 'expected at least 8 characters (RFC 3414)')).optional(),
  privProtocol: z.enum(PRIV_PROTOCOLS).optional(),
  privKey: secret(z.string().min(8, 'expected at least 8 characters (RFC 3414)')).optional(),
}).superRefine((c, ctx) => {
  const level = c.securityLevel ?? (c.privKey ? 'authPriv' : c.authKey ? 'authNoPriv' : 'noAuthNoPriv');
  if (level !== 'noAuthNoPriv' && (!c.authProtocol || !c.authKey)) {
    ctx.addIssue({ code: 'custom', path: [c.authProtocol ? 'authKey' : 'authProtocol'], message: `required for securityLevel ${level} (authProtocol one of ${AUTH_PROTOCOLS.join(', ')}, and authKey)` });
  }
  if (level === 'authPriv' && (!c.privProtocol || !c.privKey)) {
    ctx.addIssue({ code: 'custom', path: [c.privProtocol ? 'privKey' : 'privProtocol'], message: `required for securityLevel authPriv (privProtocol one of ${PRIV_PROTOCOLS.join(', ')}, and privKey)` });
  }
});

/** One credential discovery tries, in list order: a community (v1/v2c) or a v3 user. */
// Told apart by version, so a mistake in a v3 user is reported against the v3 fields, not as "community: required".
export const discoveryCredentialSchema = z.discriminatedUnion('version', [communityCredential, usmCredential]);
/** A parsed credential. */
export type DiscoveryCredential = z.output<typeof discoveryCredentialSchema>;

/** Credentials tried in order, each name once: `discovery.credentials`, and the list a `--credentials FILE` holds. */
export const credentialListSchema = z.array(discoveryCredentialSchema).max(16).superRefine((list, ctx) => {
  const seen = new Set<string>();
  list.forEach((c, i) => {
    if (seen.has(c.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `credential "${c.name}" is listed twice (expected each name once)` });
    seen.add(c.name);
  });
});

/** Most depth `followNeighbours` may reach: three LLDP/CDP hops from a swept device. */
export const MAX_FOLLOW_DEPTH = 3;

/** A CIDR as its network address and prefix length; a string says what was expected. */
export function parseCidr(text: string): { first: number; last: number; bits: number } | string {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(text.trim());
  const base = m ? ipv4ToNumber(m[1]!) : undefined;
  const bits = m ? Number(m[2]) : NaN;
  if (!m || base === undefined || bits > 32) return `expected an IPv4 CIDR such as 10.1.0.0/24, got "${text.slice(0, 60)}"`;
  const size = 2 ** (32 - bits);
  const first = Math.floor(base / size) * size;
  if (first !== base) return `expected the network address of the prefix, ${numberToIpv4(first)}/${bits}, got "${text.trim()}"`;
  return { first, last: first + size - 1, bits };
}

/** One line of the CIDR→site map: devices found in `cidr` get `site:` (the most specific prefix wins). */
const siteMapEntry = z.strictObject({
  cidr: z.string().transform((v, ctx) => {
    const r = parseCidr(v);
    if (typeof r === 'string') { ctx.addIssue({ code: 'custom', message: r }); return z.NEVER; }
    return v.trim();
  }),
  site: z.string().min(1).max(64),
});

/** The CIDR→site map: each prefix once (nested prefixes are fine: the longer one wins). */
const siteMapSchema = z.array(siteMapEntry).max(1024).superRefine((list, ctx) => {
  const seen = new Map<string, number>();
  list.forEach((e, i) => {
    const r = parseCidr(e.cidr);
    if (typeof r === 'string') return;
    const key = `${r.first}/${r.bits}`;
    const prev = seen.get(key);
    if (prev !== undefined) ctx.addIssue({ code: 'custom', path: [i, 'cidr'], message: `prefix ${e.cidr} is listed twice (also sites[${prev}], site "${list[prev]!.site}"): expected each prefix once` });
    else seen.set(key, i);
  });
});

/** The site the map gives `address`: the longest prefix holding it, or undefined. */
export function siteOf(address: string, map: readonly { cidr: string; site: string }[]): string | undefined {
  const n = ipv4ToNumber(address);
  if (n === undefined) return undefined;
  let best: { bits: number; site: string } | undefined;
  for (const e of map) {
    const r = parseCidr(e.cidr);
    if (typeof r !== 'string' && n >= r.first && n <= r.last && (!best || r.bits > best.bits)) best = { bits: r.bits, site: e.site };
  }
  return best?.site;
}

/** The `discovery:` section of noctua.yaml: what `noctua discover` and scheduled discovery sweep (docs/DISCOVERY.md). */
export const discoverySectionSchema = z.strictObject({
  /** IPv4 CIDRs or a-b ranges to sweep; each at most a /16. */
  ranges: z.array(rangeSchema(true)).max(64).default([]),
  /** Addresses or ranges never sent a packet (a printer that crashes on SNMP, a partner's link). */
  exclude: z.array(rangeSchema(false)).max(256).default([]),
  /** Credentials tried in order on each host that answers ping; the first that answers wins. */
  credentials: credentialListSchema.default([]),
  /** UDP ports SNMP is tried on, in order (161 unless agents listen elsewhere). */
  ports: z.array(z.number().int().min(1).max(65535)).min(1).max(4).default([161]),
  /** How often scheduled discovery runs ("1d", "6h"); absent: never on its own, only `noctua discover`. */
  interval: durationSchema.refine((ms) => ms >= 600_000, { message: 'expected an interval of at least 10m' }).optional(),
  /** Also probe the management addresses LLDP/CDP neighbours announce that are not in the inventory. */
  followNeighbours: z.boolean().default(false),
  /** LLDP/CDP hops followed from a device the run found (1–3): 2 also follows the neighbours of neighbours. */
  followDepth: z.number().int().min(1).max(MAX_FOLLOW_DEPTH).default(1),
  /** CIDR→site map: a proposed device gets the site of the most specific prefix holding its address. */
  sites: siteMapSchema.default([]),
  /** Hosts probed over SNMP at the same time. */
  concurrency: z.number().int().min(1).max(256).default(32),
  /** Most packets per second the sweep and the probes send together, so discovery cannot flood a WAN link. */
  rate: z.number().int().min(1).max(10_000).default(200),
  /** How long one SNMP request or echo waits for its answer. */
  timeoutMs: z.number().int().min(100).max(10_000).default(1000),
  /** Retries of an unanswered echo or SNMP request (each retry is one more packet). */
  retries: z.number().int().min(0).max(3).default(1),
});
/** The parsed `discovery:` section. */
export type DiscoverySection = z.output<typeof discoverySectionSchema>;
