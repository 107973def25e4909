import { isIP } from 'node:net';
import { z } from 'zod';
import { durationSchema } from '../duration.js';
import { AUTH_PROTOCOLS, PRIV_PROTOCOLS } from '../inventory-schema.js';
import { secret } from '../secret.js';

/** `host:port` (IPv6 as `[::1]:port`); port 0 asks the system for a free port (tests). */
export const listenSchema = z.string().transform((v, ctx) => {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(v);
  const host = m?.[1] ?? m?.[2];
  const port = m ? Number(m[3]) : NaN;
  if (!m || !host || isIP(host) === 0 || port > 65535) {
    ctx.addIssue({ code: 'custom', message: `expected an IP address and port such as 127.0.0.1:10162 or [::1]:10162, got ${JSON.stringify(v)}` });
    return z.NEVER;
  }
  return { host, port };
});
/** A parsed `host:port`. */
export type Listen = z.output<typeof listenSchema>;

/** One SNMPv3 USM user whose traps and informs are accepted; keys usually come from `${ENV}` variables. */
export const trapUserSchema = z.strictObject({
  name: z.string().min(1),
  level: z.enum(['authNoPriv', 'authPriv']),
  authProtocol: z.enum(AUTH_PROTOCOLS),
  authKey: secret(z.string().min(8, 'expected at least 8 characters (RFC 3414)')),
  privProtocol: z.enum(PRIV_PROTOCOLS).optional(),
  privKey: secret(z.string().min(8, 'expected at least 8 characters (RFC 3414)')).optional(),
}).superRefine((u, ctx) => {
  if (u.level !== 'authPriv') return;
  if (!u.privProtocol) ctx.addIssue({ code: 'custom', path: ['privProtocol'], message: `required for level authPriv (expected ${PRIV_PROTOCOLS.join(', ')})` });
  if (!u.privKey) ctx.addIssue({ code: 'custom', path: ['privKey'], message: 'required for level authPriv' });
});
export type TrapUser = z.output<typeof trapUserSchema>;

/** `events:` in noctua.yaml: the SNMP trap and syslog receivers (docs/EVENTS.md). */
export const eventsSectionSchema = z.strictObject({
  traps: z.strictObject({
    enabled: z.boolean().default(false),
    /** Port 162 needs root or CAP_NET_BIND_SERVICE; the default stays unprivileged. */
    listen: listenSchema.default({ host: '127.0.0.1', port: 10162 }),
    /** v1/v2c communities accepted; a trap with another community is refused and counted. */
    communities: z.array(secret(z.string().min(1))).default(['public']),
    users: z.array(trapUserSchema).default([]),
    /** SNMPv3 engine ID of the receiver (hex), which informs are sent to; generated at each start when absent. */
    engineID: z.string().regex(/^(0x)?[0-9A-Fa-f]{10,64}$/, 'expected 5 to 32 bytes as hex digits').optional(),
  }).prefault({}),
  syslog: z.strictObject({
    enabled: z.boolean().default(false),
    /** UDP listener; `false` turns it off. */
    udp: z.union([listenSchema, z.literal(false)]).default({ host: '127.0.0.1', port: 10514 }),
    /** TCP listener (newline or octet-counted framing, RFC 6587); `false` turns it off. */
    tcp: z.union([listenSchema, z.literal(false)]).default({ host: '127.0.0.1', port: 10514 }),
    /** Bytes of one message kept; the rest is cut and the event flagged `truncated`. */
    maxMessageBytes: z.number().int().min(512).max(65_536).default(8192),
    /** TCP connections open at once; more are refused, so one sender cannot take every socket. */
    maxConnections: z.number().int().min(1).max(10_000).default(200),
  }).prefault({}),
  /** Messages one source address may send per second (token bucket); the excess is counted, not processed. */
  rateLimit: z.strictObject({
    perSecond: z.number().min(1).default(200),
    burst: z.number().int().min(1).default(1000),
  }).prefault({}),
  /** Identical events (device, kind, interface or entity) beyond `threshold` in `window` are held and summarised. */
  storm: z.strictObject({
    window: durationSchema.default(60_000),
    threshold: z.number().int().min(1).default(5),
  }).prefault({}),
  /**
   * Events of these types make Noctua poll the device's SNMP data at once (interfaces confirm a linkDown within
   * seconds); requests within `minGap` of a re-poll fold into one more poll at the end of the gap. `types: []` turns it off.
   */
  repoll: z.strictObject({
    types: z.array(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected an event type such as link-down')).default(['link-down', 'link-up']),
    minGap: durationSchema.default(5000),
  }).prefault({}),
  /** Extra catalog directories, after the built-in catalogs and config/events/; relative to the config directory. */
  catalogDirs: z.array(z.string().min(1)).default([]),
});
/** The validated `events:` section. */
export type EventsSection = z.output<typeof eventsSectionSchema>;
