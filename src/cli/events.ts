import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadInventory, loadSettings } from '../config/loader.js';
import type { Device } from '../config/inventory-schema.js';
import { ConfigInvalidError } from '../config/yaml-source.js';
import { sampleToJson } from '../core/sample.js';
import { BUILTIN_CATALOG_DIR, loadCatalogs } from '../events/catalog.js';
import { classifySyslog, classifyTrap } from '../events/classify.js';
import { eventToSample, type NoctuaEvent } from '../events/event.js';
import { SourceIndex } from '../events/sources.js';
import { parseSyslog } from '../events/syslog/parse.js';
import { decodeCapturedTrap } from '../events/traps/decode.js';
import { parseFlags, UsageError, type CliCommand } from './command.js';

/** The inventory and zone of a config directory, when it has them (the test works without any config too). */
function inventoryOf(dir: string): { devices: Device[]; timeZone: string } {
  const devicesFile = join(dir, 'devices.yaml');
  const noctuaFile = join(dir, 'noctua.yaml');
  const inv = existsSync(devicesFile) ? loadInventory(devicesFile) : { devices: [], errors: [] };
  const settings = existsSync(noctuaFile) ? loadSettings(noctuaFile) : { settings: undefined, errors: [] };
  const errors = [...inv.errors, ...settings.errors];
  if (errors.length > 0) throw new ConfigInvalidError(errors);
  return { devices: inv.devices, timeZone: settings.settings?.timezone ?? 'UTC' };
}

function describeEvent(e: NoctuaEvent): string {
  const lines = [
    `${e.source} from ${e.from} -> device ${JSON.stringify(e.device)}${e.site ? ` (site ${e.site})` : ''}`,
    `  type ${e.type}  severity ${e.severity}  vendor ${e.vendor}${e.key ? `  key ${e.key}` : ''}${e.clears ? `  clears ${e.clears.join(', ')}` : ''}`,
  ];
  const where = [e.ifIndex && `ifIndex ${e.ifIndex}`, e.ifName && `ifName ${e.ifName}`, e.entity && `entity ${e.entity}`].filter(Boolean);
  if (where.length) lines.push(`  ${where.join('  ')}`);
  lines.push(`  time ${e.time.toISOString()}`, `  en: ${e.message}`);
  if (e.messageZh) lines.push(`  zh-CN: ${e.messageZh}`);
  if (e.parseError) lines.push(`  parse_error: ${e.parseError}`);
  return lines.join('\n');
}

/** `noctua events test FILE`: what Noctua makes of a captured trap (JSON) or syslog lines. */
export const command: CliCommand = {
  name: 'events',
  summary: 'Decode a captured SNMP trap (JSON) or syslog lines with the event catalogs and print the resulting events.',
  usage: [
    'noctua events test FILE [--config DIR] [--from ADDRESS] [--json]',
    '  FILE holds a trap as JSON ({"from","trapOid","varbinds":[{"oid","value"}]} or net-snmp\'s {"pdu","rinfo"}),',
    '  or syslog messages, one per line. Catalogs: the shipped ones plus DIR/events/*.yaml.',
    '  --from sets the sender address for syslog lines (default 127.0.0.1); --json prints event samples as JSON lines.',
  ].join('\n'),
  async run(argv) {
    const { values, positionals } = parseFlags(argv, {
      config: { type: 'string', short: 'c', default: 'config' }, from: { type: 'string', default: '127.0.0.1' }, json: { type: 'boolean', default: false },
    }, true);
    if (positionals[0] !== 'test' || positionals.length !== 2) throw new UsageError('expected: noctua events test FILE');
    const file = positionals[1]!;
    let bytes: Buffer;
    try { bytes = readFileSync(file); } catch (err) { throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`); }
    const catalog = loadCatalogs([join(values.config!, 'events'), BUILTIN_CATALOG_DIR]);
    const { devices, timeZone } = inventoryOf(values.config!);
    const sources = new SourceIndex(() => devices, () => undefined, timeZone);
    const now = new Date();
    const events: NoctuaEvent[] = [];
    const text = bytes.toString('utf8').trim();
    if (text.startsWith('{')) {
      let json: unknown;
      try { json = JSON.parse(text); } catch (err) { throw new UsageError(`${file}: not valid JSON: ${(err as Error).message}`); }
      let decoded;
      try { decoded = decodeCapturedTrap(json); } catch (err) { throw new UsageError(`${file}: ${(err as Error).message}`); }
      events.push(classifyTrap(catalog, decoded.trap, decoded.from, sources.resolve(decoded.from, decoded.trap.agentAddress), now));
    } else {
      let start = 0;
      while (start < bytes.length) {
        let end = bytes.indexOf(10, start);
        if (end < 0) end = bytes.length;
        const line = bytes.subarray(start, Math.min(end, start + 8192));
        if (line.length > 0) {
          const msg = parseSyslog(line, end - start > 8192);
          events.push(classifySyslog(catalog, msg, values.from!, sources.resolve(values.from!, msg.host), now));
        }
        start = end + 1;
      }
    }
    for (const e of events) console.log(values.json ? sampleToJson(eventToSample(e)) : describeEvent(e));
    return events.length > 0 ? 0 : 1;
  },
};
