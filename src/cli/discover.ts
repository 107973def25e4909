import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig } from '../config/loader.js';
import { MAX_FOLLOW_DEPTH } from '../config/sections/discovery.js';
import {
  assertDiscoveredFile, credentialRefs, devicesYaml, discoveryProfiles, runDiscovery, writeDiscoveredFile,
  DISCOVERED_HEADER, type DiscoveryResult,
} from '../discovery/index.js';
import { loadCredentialsFile } from '../discovery/credentials-file.js';
import { mergeErrorText, planMerge, writeMerge, type MergePlan } from '../discovery/merge.js';
import { intFlag, parseFlags, UsageError, type CliCommand } from './command.js';

/** The run's outcome in a few lines for the person at the terminal (stderr; stdout carries the YAML). */
function summary(r: DiscoveryResult): string {
  const used = Object.entries(r.credentialsUsed).map(([name, n]) => `${name} ×${n}`).join(', ') || 'none';
  const outside = r.followed.filter((f) => f.outsideRanges).length;
  return [
    `discovery: ${r.swept} addresses swept, ${r.alive} answered ping (${r.echoesSent} echo requests, ${r.sweepMs} ms); ${r.snmpPackets} SNMP packets (${r.probeMs} ms)`,
    `  new devices: ${r.proposed.length}; ICMP-only: ${r.icmpOnly.length}; changed address: ${r.moved.length}; already in the inventory: ${r.known.length}`,
    `  credentials that worked: ${used}`,
    ...(r.followed.length > 0 ? [`  followed LLDP/CDP neighbours: ${r.followed.length} addresses, ${outside} outside the ranges given`] : []),
    ...r.proposed.map((d) => `  + ${d.name} ${d.address} ${d.class} ${d.vendor}${d.profile ? ` (${d.profile})` : ''}${d.site ? ` site ${d.site}` : ''} via ${d.credential}`),
    ...r.moved.map((m) => `  ~ ${m.device}: ${m.from} -> ${m.to} (same ${m.matchedBy})`),
    ...r.icmpOnly.map((h) => `  ? ${h.address}: ${h.reason}`),
    ...r.followed.map((f) => `  > ${f.address} followed: neighbour of ${f.seenBy}, ${f.depth} hop${f.depth === 1 ? '' : 's'} out${f.outsideRanges ? ', outside the ranges given' : ''}`),
  ].join('\n');
}

/** The merge's outcome: what was added, renamed, left out. */
function mergeSummary(plan: MergePlan, dryRun: boolean): string {
  const verb = dryRun ? 'would add' : 'added';
  return [
    `${plan.file}: ${verb} ${plan.added.length} device entr${plan.added.length === 1 ? 'y' : 'ies'}${dryRun ? ' (dry run: nothing written)' : ''}`,
    ...plan.added.filter((a) => a.renamedFrom).map((a) => `  ${a.address}: named ${a.name} (${a.renamedFrom} is taken)`),
    ...plan.skipped.map((s) => `  ${s.address}: left out, the file has it as ${s.existing}`),
  ].join('\n');
}

const USAGE = [
  'noctua discover [CIDR|a-b ...] [--config DIR] [--credentials FILE] [--write FILE | --merge FILE [--dry-run]]',
  '                [--follow-neighbours [--depth N]] [--rate N] [--concurrency N] [--json]',
  '  Sweeps the ranges given (else discovery.ranges of noctua.yaml) with fping, probes every host that answers with',
  '  discovery.credentials in order, and prints devices.yaml entries for the devices not in the inventory.',
  '  --credentials FILE  try the credentials this YAML list holds instead of discovery.credentials (same schema).',
  '  --write FILE        write the entries to FILE (a file discovery wrote before, or a new one; never your own file).',
  '  --merge FILE        append the new devices to your devices file (config/devices.yaml): entries whose address it',
  '                      has are left out, names it has get a suffix, nothing else changes; the diff goes to stderr.',
  '  --dry-run           with --merge: print the diff only, write nothing.',
  `  --follow-neighbours also sweep and probe the management addresses LLDP/CDP neighbours of found devices announce,`,
  `                      --depth hops out (default discovery.followDepth, 1; at most ${MAX_FOLLOW_DEPTH}).`,
  '  --json prints the whole result as JSON. Excluded addresses (discovery.exclude) are never sent a packet.',
].join('\n');

/** The flags that must go together, checked before a packet is sent. */
function checkFlagCombinations(v: { write?: string; merge?: string; 'dry-run'?: boolean; json?: boolean; depth?: string; 'follow-neighbours'?: boolean }): void {
  if (v.write && v.merge) throw new UsageError('--write and --merge: choose one (--write makes a file of proposals, --merge appends to your devices file)');
  if (v['dry-run'] && !v.merge) throw new UsageError('--dry-run goes with --merge FILE (it prints the diff a merge would make)');
  if (v.json && (v.write || v.merge)) throw new UsageError('--json prints the result and writes nothing: leave out --write/--merge');
  if (v.depth !== undefined && !v['follow-neighbours']) throw new UsageError('--depth goes with --follow-neighbours');
}

/** Refuses a --merge target discovery wrote (that is --write's file), or one that cannot take entries, before the run. */
function checkMergeTarget(file: string): void {
  if (existsSync(file) && readFileSync(file, 'utf8').slice(0, 200).includes(DISCOVERED_HEADER)) {
    throw new UsageError(`--merge: ${file} was written by discovery; it is replaced with --write, merged into your own devices file with --merge`);
  }
}

/** `noctua discover`: sweep ranges, probe SNMP, identify, and propose devices.yaml entries. */
export const command: CliCommand = {
  name: 'discover',
  summary: 'Find devices in IPv4 ranges (ICMP sweep, SNMP probe, identification) and propose devices.yaml entries, or merge them.',
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseFlags(argv, {
      config: { type: 'string', short: 'c', default: 'config' }, write: { type: 'string', short: 'w' }, merge: { type: 'string' },
      'dry-run': { type: 'boolean', default: false }, credentials: { type: 'string' }, 'follow-neighbours': { type: 'boolean', default: false },
      depth: { type: 'string' }, rate: { type: 'string' }, concurrency: { type: 'string' }, json: { type: 'boolean', default: false },
    }, true);
    checkFlagCombinations(values);
    const cfg = loadConfig(values.config!);
    const creds = values.credentials !== undefined ? loadCredentialsFile(resolve(values.credentials)) : undefined;
    const settings = {
      ...cfg.settings.discovery,
      ...(creds ? { credentials: creds.credentials } : {}),
      ...(values.rate !== undefined ? { rate: intFlag('rate', values.rate, 1, 10_000)! } : {}),
      ...(values.concurrency !== undefined ? { concurrency: intFlag('concurrency', values.concurrency, 1, 256)! } : {}),
    };
    const depth = values['follow-neighbours'] ? intFlag('depth', values.depth, 1, MAX_FOLLOW_DEPTH) ?? settings.followDepth : undefined;
    const ranges = positionals.length > 0 ? positionals : settings.ranges;
    if (ranges.length === 0) throw new UsageError('expected at least one range (10.1.0.0/24 or 10.1.0.10-10.1.0.50), or discovery.ranges in noctua.yaml');
    if (values.write) {
      try { assertDiscoveredFile(resolve(values.write)); } catch (err) { throw new UsageError(`--write: ${(err as Error).message}; to add devices to your own devices file use --merge`); }
    }
    const refs = creds?.refs ?? credentialRefs(join(cfg.dir, 'noctua.yaml'));
    const mergeFile = values.merge !== undefined ? resolve(values.merge) : undefined;
    if (mergeFile) {
      checkMergeTarget(mergeFile);
      // The file must load before the run (a syntax error, a flow list): found before a single packet is sent.
      try { planMerge(mergeFile, [], settings.credentials, refs, ''); } catch (err) { throw new UsageError(`--merge: ${mergeErrorText(err)}`); }
    }
    let result: DiscoveryResult;
    try {
      result = await runDiscovery({
        settings, ranges, profiles: discoveryProfiles(cfg.dir), ...(depth !== undefined ? { follow: { depth } } : {}),
        inventory: cfg.devices.map((d) => ({ name: d.name, address: d.address })),
        progress: (line) => process.stderr.write(`${line}\n`),
      }, AbortSignal.timeout(6 * 3_600_000));
    } catch (err) {
      // A range given on the command line is checked here (the config's are checked at load).
      if (/^range "/.test((err as Error).message)) throw new UsageError((err as Error).message);
      throw err;
    }
    if (values.json) { process.stdout.write(`${JSON.stringify(result, null, 2)}\n`); return 0; }
    process.stderr.write(`${summary(result)}\n`);
    if (mergeFile) {
      let plan: MergePlan;
      try { plan = planMerge(mergeFile, result.proposed, settings.credentials, refs, result.finishedAt); } catch (err) {
        process.stderr.write(`--merge: nothing written: ${mergeErrorText(err)}\n`);
        return 1;
      }
      process.stderr.write(plan.diff);
      if (!values['dry-run']) writeMerge(plan);
      process.stderr.write(`${mergeSummary(plan, values['dry-run']!)}\n`);
      return 0;
    }
    const text = devicesYaml({ ...result, credentials: settings.credentials, refs, at: result.finishedAt });
    if (values.write) {
      writeDiscoveredFile(resolve(values.write), text);
      process.stderr.write(`wrote ${result.proposed.length} device entries to ${values.write}\n`);
    } else process.stdout.write(text);
    return 0;
  },
};
