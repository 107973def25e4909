import { isIP } from 'node:net';
import { z } from 'zod';
import { assetFieldsSchema, type AssetFields } from './asset-schema.js';
import { secret } from './secret.js';
import { durationSchema } from './duration.js';
import { sshPartialSchema } from './sections/config-backup.js';

/** Device classes a NOC sorts its fleet into. */
export const DEVICE_CLASSES = ['switch', 'router', 'firewall', 'server', 'storage', 'wireless', 'ups', 'pdu', 'other'] as const;
export const AUTH_PROTOCOLS = ['md5', 'sha', 'sha224', 'sha256', 'sha384', 'sha512'] as const;
export const PRIV_PROTOCOLS = ['des', 'aes', 'aes256b', 'aes256r'] as const;
export const SECURITY_LEVELS = ['noAuthNoPriv', 'authNoPriv', 'authPriv'] as const;

const port = z.number().int().min(1).max(65535);
const name = z.string().min(1).regex(/^[^\s,="]+$/, 'expected a name without spaces, commas, quotes or "="');

/** Accepts `2c`, `"2c"`, `2`, `1`, `3`, so YAML's number/string ambiguity does not bite. */
const snmpVersion = z
  .union([z.number(), z.string()])
  .transform((v) => String(v))
  .refine((v) => v === '1' || v === '2c' || v === '3', { message: 'expected 1, 2c or 3' })
  .transform((v) => v as '1' | '2c' | '3');

/** SNMP settings as written in a file: every key optional, since sites and defaults fill the gaps. */
export const snmpPartialSchema = z.strictObject({
  version: snmpVersion.optional(),
  community: secret(z.string().min(1)).optional(),
  port: port.optional(),
  timeoutMs: z.number().int().min(50).max(60_000).optional(),
  retries: z.number().int().min(0).max(10).optional(),
  maxRepetitions: z.number().int().min(1).max(200).optional(),
  user: z.string().min(1).optional(),
  securityLevel: z.enum(SECURITY_LEVELS).optional(),
  authProtocol: z.enum(AUTH_PROTOCOLS).optional(),
  authKey: secret(z.string().min(8, 'expected at least 8 characters (RFC 3414)')).optional(),
  privProtocol: z.enum(PRIV_PROTOCOLS).optional(),
  privKey: secret(z.string().min(8, 'expected at least 8 characters (RFC 3414)')).optional(),
  context: z.string().optional(),
});

/** Most echo requests one ICMP cycle may send to a device (Smokeping's WAN default is 20). */
export const ICMP_MAX_COUNT = 100;

/** ICMP settings as written in a file: `count` echo requests per cycle, `intervalMs` apart, each waited for `timeoutMs`. */
export const icmpPartialSchema = z.strictObject({
  count: z.number().int(`expected a whole number of echo requests per cycle (1 to ${ICMP_MAX_COUNT}; e.g. 20 for a WAN link)`)
    .min(1, `expected at least 1 echo request per cycle (1 to ${ICMP_MAX_COUNT})`)
    .max(ICMP_MAX_COUNT, `expected at most ${ICMP_MAX_COUNT} echo requests per cycle (Smokeping uses 20 for WAN links)`).optional(),
  intervalMs: z.number().int().min(10).max(10_000).optional(),
  timeoutMs: z.number().int().min(50).max(60_000).optional(),
});

export const intervalsPartialSchema = z.strictObject({
  icmp: durationSchema.optional(),
  snmp: durationSchema.optional(),
  inventory: durationSchema.optional(),
});

/** What a site or the file-wide `defaults` may preset for its devices. */
export const deviceDefaultsSchema = z.strictObject({
  snmp: z.union([snmpPartialSchema, z.literal(false)]).optional(),
  icmp: z.union([icmpPartialSchema, z.literal(false)]).optional(),
  intervals: intervalsPartialSchema.optional(),
  /** SSH access for configuration backup (docs/CONFIG-BACKUP.md). */
  ssh: z.union([sshPartialSchema, z.literal(false)]).optional(),
  tags: z.array(name).optional(),
  enabled: z.boolean().optional(),
  /** `auto`: devices without their own `parent:` take the one derived from the topology (docs/TOPOLOGY.md). */
  parent: z.literal('auto').optional(),
  /** Operator-kept asset fields (warranty, owner, contract) its devices share (docs/SERVICE.md "Asset register"). */
  asset: assetFieldsSchema.optional(),
});

export const siteSchema = z.strictObject({
  name,
  description: z.string().optional(),
  location: z.string().optional(),
  defaults: deviceDefaultsSchema.optional(),
});

const address = z.string().min(1).refine(
  (a) => isIP(a) !== 0 || /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(a),
  { message: 'expected an IPv4 address, IPv6 address or host name' },
);

export const deviceEntrySchema = z.strictObject({
  name,
  address,
  class: z.enum(DEVICE_CLASSES),
  site: name.optional(),
  tags: z.array(name).optional(),
  /** A device name, or `auto` for the parent derived from the topology (docs/TOPOLOGY.md). */
  parent: z.union([z.literal('auto'), name]).optional(),
  snmp: z.union([snmpPartialSchema, z.literal(false)]).optional(),
  icmp: z.union([icmpPartialSchema, z.literal(false)]).optional(),
  intervals: intervalsPartialSchema.optional(),
  ssh: z.union([sshPartialSchema, z.literal(false)]).optional(),
  enabled: z.boolean().optional(),
  description: z.string().optional(),
  asset: assetFieldsSchema.optional(),
});

/** The whole `devices.yaml`. */
export const inventoryFileSchema = z.strictObject({
  defaults: deviceDefaultsSchema.optional(),
  sites: z.array(siteSchema).optional(),
  devices: z.array(deviceEntrySchema).default([]),
});

export type InventoryFile = z.output<typeof inventoryFileSchema>;
export type DeviceEntry = z.output<typeof deviceEntrySchema>;

/** SNMP settings after defaults are merged; v3 fields are checked together here. */
export const snmpSettingsSchema = z
  .strictObject({
    version: z.enum(['1', '2c', '3']),
    community: secret(z.string().min(1)),
    port,
    timeoutMs: z.number().int(),
    retries: z.number().int(),
    maxRepetitions: z.number().int(),
    user: z.string().optional(),
    securityLevel: z.enum(SECURITY_LEVELS).optional(),
    authProtocol: z.enum(AUTH_PROTOCOLS).optional(),
    authKey: secret(z.string()).optional(),
    privProtocol: z.enum(PRIV_PROTOCOLS).optional(),
    privKey: secret(z.string()).optional(),
    context: z.string().optional(),
  })
  .superRefine((s, ctx) => {
    if (s.version !== '3') return;
    if (!s.user) ctx.addIssue({ code: 'custom', path: ['user'], message: 'required for SNMP v3 (expected a USM user name)' });
    const level = s.securityLevel ?? (s.privKey ? 'authPriv' : s.authKey ? 'authNoPriv' : 'noAuthNoPriv');
    if (level !== 'noAuthNoPriv') {
      if (!s.authProtocol) ctx.addIssue({ code: 'custom', path: ['authProtocol'], message: `required for securityLevel ${level} (expected ${AUTH_PROTOCOLS.join(', ')})` });
      if (!s.authKey) ctx.addIssue({ code: 'custom', path: ['authKey'], message: `required for securityLevel ${level}` });
    }
    if (level === 'authPriv') {
      if (!s.privProtocol) ctx.addIssue({ code: 'custom', path: ['privProtocol'], message: `required for securityLevel authPriv (expected ${PRIV_PROTOCOLS.join(', ')})` });
      if (!s.privKey) ctx.addIssue({ code: 'custom', path: ['privKey'], message: 'required for securityLevel authPriv' });
    }
  });

export type SnmpSettings = z.output<typeof snmpSettingsSchema> & { securityLevel?: (typeof SECURITY_LEVELS)[number] };
export interface IcmpSettings { count: number; intervalMs: number; timeoutMs: number }
export interface PollIntervals { icmp: number; snmp: number; inventory: number }
export type DeviceClass = (typeof DEVICE_CLASSES)[number];

/** A device as the pollers see it: every default resolved, intervals in milliseconds. */
export interface Device {
  name: string;
  address: string;
  class: DeviceClass;
  site: string;
  tags: string[];
  parent?: string;
  /** True when the parent is derived from the topology (`parent: auto` here or in defaults, no explicit parent). */
  parentAuto?: boolean;
  description?: string;
  snmp: SnmpSettings | false;
  icmp: IcmpSettings | false;
  intervals: PollIntervals;
  enabled: boolean;
  /** Operator-kept asset fields, defaults merged. */
  asset?: AssetFields;
}

export interface Site { name: string; description?: string; location?: string }

/** The built-in defaults under every file's own: what a LibreNMS or Zabbix user would expect. */
export const BUILTIN_DEFAULTS = {
  snmp: { version: '2c', community: 'public', port: 161, timeoutMs: 2000, retries: 1, maxRepetitions: 25 },
  icmp: { count: 3, intervalMs: 200, timeoutMs: 1000 },
  intervals: { icmp: 30_000, snmp: 60_000, inventory: 6 * 3_600_000 },
} as const;
