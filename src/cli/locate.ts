import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { LANGS, type Lang } from '../config/lang.js';
import { loadConfig } from '../config/loader.js';
import { openStateDb } from '../core/database.js';
import { L2Store } from '../topology/l2-store.js';
import { locate, uplinkPorts, type LocateAnswer, type Location } from '../topology/locate.js';
import { parseLocateQuery } from '../topology/locate-query.js';
import { OuiRegistry } from '../topology/oui.js';
import { TopologyStore } from '../topology/store.js';
import { parseFlags, UsageError, type CliCommand } from './command.js';

/** The words of `noctua locate`, in both languages. */
const TEXT = {
  en: {
    none: (q: string) => `nothing known about ${q}: no FDB or ARP entry of any polled device has it`,
    host: (mac: string, maker: string) => `${mac}  ${maker}`,
    at: 'plugged in at', notIn: 'not in any forwarding table', ips: 'IP addresses', also: 'also learned on',
    uplink: 'uplink', edge: 'edge port', macs: (n: number) => `${n} MACs on the port`, since: 'on this port since', last: 'last seen', first: 'first seen',
    stale: 'no longer in the table', devices: 'inventory devices matched', neighbours: 'LLDP/CDP neighbours matched',
  },
  'zh-CN': {
    none: (q: string) => `未找到 ${q}：已轮询设备的 FDB 和 ARP 表中都没有它`,
    host: (mac: string, maker: string) => `${mac}  ${maker}`,
    at: '接入位置', notIn: '不在任何转发表中', ips: 'IP 地址', also: '也在以下端口学到',
    uplink: '上联口', edge: '接入端口', macs: (n: number) => `该端口 ${n} 个 MAC`, since: '在此端口起始于', last: '最后出现', first: '首次出现',
    stale: '已不在表中', devices: '匹配的资产设备', neighbours: '匹配的 LLDP/CDP 邻居',
  },
} as const;

function place(l: Location, t: (typeof TEXT)[Lang]): string {
  const vlan = l.vlan !== undefined ? ` VLAN ${l.vlan}` : '';
  const kind = l.uplink ? t.uplink : t.edge;
  const state = l.current ? `${t.last} ${l.lastSeen.toISOString()}` : `${t.stale}, ${t.last} ${l.lastSeen.toISOString()}`;
  return `${l.device} ${l.ifName}${vlan} (${kind}, ${t.macs(l.macsOnPort)}; ${t.first} ${l.firstSeen.toISOString()}, ${t.since} ${l.portSince.toISOString()}, ${state})`;
}

/** The answer as text lines. */
export function locateLines(a: LocateAnswer, query: string, lang: Lang): string[] {
  const t = TEXT[lang];
  const out: string[] = [];
  if (a.devices.length > 0) out.push(`${t.devices}: ${a.devices.join(', ')}`);
  for (const n of a.neighbours) out.push(`${t.neighbours}: ${n.sysName} (${n.chassisId || n.mgmtAddress}) @ ${n.seenBy.map((s) => `${s.device} ${s.port}`).join(', ')}`);
  if (a.hosts.length === 0) out.push(t.none(query));
  for (const h of a.hosts) {
    out.push(t.host(h.mac, h.vendor ?? `(${h.vendorNote ?? ''})`));
    out.push(`  ${t.at}: ${h.best ? place(h.best, t) : t.notIn}`);
    if (h.ips.length > 0) out.push(`  ${t.ips}: ${h.ips.map((i) => `${i.ip} (${i.device})`).join(', ')}`);
    for (const l of h.locations.slice(1)) out.push(`  ${t.also}: ${place(l, t)}`);
  }
  return out;
}

/** `noctua locate <mac|ip|host>`: the switch port a host is plugged in, from the tables a running Noctua stored. */
export const command: CliCommand = {
  name: 'locate',
  summary: 'Show the switch port a MAC, IP address or host is plugged in (from the ARP and FDB tables).',
  usage: [
    'noctua locate <mac|ip|host-name-part> [--config DIR] [--lang zh-CN|en] [--json]',
    '  Reads the ARP and forwarding tables a running Noctua stored in <stateDir>/noctua.db. Edge ports come before',
    '  LLDP/CDP uplinks, then the port with the fewest MACs. The maker comes from /usr/share/ieee-data (apt install ieee-data).',
  ].join('\n'),
  async run(argv) {
    const { values, positionals } = parseFlags(argv, {
      config: { type: 'string', short: 'c', default: 'config' }, json: { type: 'boolean', default: false }, lang: { type: 'string' },
    }, true);
    if (positionals.length !== 1) throw new UsageError('expected: noctua locate <mac|ip|host-name-part> [--config DIR] [--lang zh-CN|en] [--json]');
    if (values.lang !== undefined && !(LANGS as readonly string[]).includes(values.lang)) throw new UsageError(`--lang: expected ${LANGS.join(' or ')}, got ${JSON.stringify(values.lang.slice(0, 20))}`);
    const query = parseLocateQuery(positionals[0]!);
    if (typeof query === 'string') {
      const raw = positionals[0]!;
      throw new UsageError(`query: expected ${query}, got ${raw.length > 40 ? `${raw.length} characters` : JSON.stringify(raw)}`);
    }
    const cfg = loadConfig(values.config!);
    const lang = (values.lang as Lang | undefined) ?? cfg.settings.locale;
    if (!existsSync(join(cfg.stateDir, 'noctua.db'))) {
      throw new UsageError(`no state database at ${join(cfg.stateDir, 'noctua.db')}: start Noctua (noctua start) so it polls the ARP and forwarding tables first`);
    }
    const db = openStateDb(cfg.stateDir);
    try {
      const answer = locate(query, {
        store: new L2Store(db), uplinks: uplinkPorts(new TopologyStore(db).all()), devices: cfg.devices, unmanaged: [], oui: new OuiRegistry(),
      });
      if (values.json) process.stdout.write(`${JSON.stringify(answer)}\n`);
      else for (const line of locateLines(answer, positionals[0]!, lang)) process.stdout.write(`${line}\n`);
      return answer.hosts.length > 0 || answer.neighbours.length > 0 ? 0 : 1;
    } finally {
      db.close();
    }
  },
};
