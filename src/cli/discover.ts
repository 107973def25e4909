import { join, resolve } from 'node:path';
import { loadConfig } from '../config/loader.js';
import { assertDiscoveredFile, credentialRefs, devicesYaml, discoveryProfiles, runDiscovery, writeDiscoveredFile, type DiscoveryResult } from '../discovery/index.js';
import { intFlag, parseFlags, UsageError, type CliCommand } from './command.js';

/** The run's outcome in a few lines for the person at the terminal (stderr; stdout carries the YAML). */
function summary(r: DiscoveryResult): string {
  const used = Object.entries(r.credentialsUsed).map(([name, n]) => `${name} ×${n}`).join(', ') || 'none';
  return [
    `discovery: ${r.swept} addresses swept, ${r.alive} answered ping (${r.echoesSent} echo requests, ${r.sweepMs} ms); ${r.snmpPackets} SNMP packets (${r.probeMs} ms)`,
    `  new devices: ${r.proposed.length}; ICMP-only: ${r.icmpOnly.length}; changed address: ${r.moved.length}; already in the inventory: ${r.known.length}`,
    `  credentials that worked: ${used}`,
    ...r.proposed.map((d) => `  + ${d.name} ${d.address} ${d.class} ${d.vendor}${d.profile ? ` (${d.profile})` : ''} via ${d.credential}`),
    ...r.moved.map((m) => `  ~ ${m.device}: ${m.from} -> ${m.to} (same ${m.matchedBy})`),
    ...r.icmpOnly.map((h) => `  ? ${h.address}: ${h.reason}`),
  ].join('\n');
}

/** `noctua discover`: sweep ranges, probe SNMP, identify, and propose devices.yaml entries. */
export const command: CliCommand = {
  name: 'discover',
  summary: 'Find devices in IPv4 ranges (ICMP sweep, SNMP probe, identification) and propose devices.yaml entries.',
  usage: [
    'noctua discover [CIDR|a-b ...] [--config DIR] [--write FILE] [--rate N] [--concurrency N] [--json]',
    '  Sweeps the ranges given (else discovery.ranges of noctua.yaml) with fping, probes every host that answers with',
    '  discovery.credentials in order, and prints devices.yaml entries for the devices not in the inventory.',
    '  --write FILE writes them to FILE instead (a file discovery wrote before, or a new one; never your devices.yaml).',
    '  --json prints the whole result as JSON. Excluded addresses (discovery.exclude) are never sent a packet.',
  ].join('\n'),
  async run(argv) {
    const { values, positionals } = parseFlags(argv, {
      config: { type: 'string', short: 'c', default: 'config' }, write: { type: 'string', short: 'w' },
      rate: { type: 'string' }, concurrency: { type: 'string' }, json: { type: 'boolean', default: false },
    }, true);
    const cfg = loadConfig(values.config!);
    const settings = {
      ...cfg.settings.discovery,
      ...(values.rate !== undefined ? { rate: intFlag('rate', values.rate, 1, 10_000)! } : {}),
      ...(values.concurrency !== undefined ? { concurrency: intFlag('concurrency', values.concurrency, 1, 256)! } : {}),
    };
    const ranges = positionals.length > 0 ? positionals : settings.ranges;
    if (ranges.length === 0) throw new UsageError('expected at least one range (10.1.0.0/24 or 10.1.0.10-10.1.0.50), or discovery.ranges in noctua.yaml');
    if (values.write) {
      try { assertDiscoveredFile(resolve(values.write)); } catch (err) { throw new UsageError(`--write: ${(err as Error).message}`); }
    }
    let result: DiscoveryResult;
    try {
      result = await runDiscovery({
        settings, ranges, profiles: discoveryProfiles(cfg.dir),
        inventory: cfg.devices.map((d) => ({ name: d.name, address: d.address })),
        progress: (line) => process.stderr.write(`${line}\n`),
      }, AbortSignal.timeout(6 * 3_600_000));
    } catch (err) {
      // A range given on the command line is checked here (the config's are checked at load).
      if (/^range "/.test((err as Error).message)) throw new UsageError((err as Error).message);
      throw err;
    }
    if (values.json) { process.stdout.write(`${JSON.stringify(result, null, 2)}\n`); return 0; }
    const text = devicesYaml({ ...result, credentials: settings.credentials, refs: credentialRefs(join(cfg.dir, 'noctua.yaml')), at: result.finishedAt });
    process.stderr.write(`${summary(result)}\n`);
    if (values.write) {
      writeDiscoveredFile(resolve(values.write), text);
      process.stderr.write(`wrote ${result.proposed.length} device entries to ${values.write}\n`);
    } else process.stdout.write(text);
    return 0;
  },
};
