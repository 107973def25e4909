import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startInfluxd, type InfluxdInstance } from '../../src/lab/influxd.js';
import { readFixtures, type FixtureFacts } from '../../src/lab/inventory.js';
import { fixturesDir } from '../../src/lab/paths.js';
import { startSnmpsim, type SnmpsimInstance } from '../../src/lab/snmpsim.js';
import { tempDir } from './tmp.js';

/** A private influxd in a temp directory, for one test file. */
export async function realInfluxd(): Promise<InfluxdInstance & { cleanup(): Promise<void> }> {
  const tmp = tempDir('noctua-influx-');
  // A failed start stops its own process (awaitReady); the temp dir is this helper's to remove.
  const inst = await startInfluxd({ dir: tmp.dir }).catch((err: unknown) => { tmp.cleanup(); throw err; });
  return Object.assign(inst, { async cleanup() { await inst.stop(); tmp.cleanup(); } });
}

/** A private snmpsimd serving every shared recording on 127.0.0.1 (community = recording name). */
export async function realSnmpsim(): Promise<SnmpsimInstance & { fixtures: FixtureFacts[]; cleanup(): Promise<void> }> {
  const dir = fixturesDir();
  const fixtures = readFixtures(dir);
  const tmp = tempDir('noctua-snmpsim-');
  const inst = await startSnmpsim({ dataDir: join(dir, 'snmprec'), workDir: tmp.dir, probeCommunity: fixtures[0]!.community })
    .catch((err: unknown) => { tmp.cleanup(); throw err; });
  return Object.assign(inst, { fixtures, async cleanup() { await inst.stop(); tmp.cleanup(); } });
}

/** A private snmpsimd serving only `recordings` (community = key, text = .snmprec lines), staged in a temp directory. */
export async function snmpsimWith(recordings: Record<string, string>): Promise<SnmpsimInstance & { cleanup(): Promise<void> }> {
  const tmp = tempDir('noctua-snmpsim-');
  // As root snmpsimd drops to nobody, who must be able to read the recordings (mkdtemp makes 0700 directories).
  chmodSync(tmp.dir, 0o755);
  const data = join(tmp.dir, 'data');
  mkdirSync(data, { mode: 0o755 });
  for (const [community, text] of Object.entries(recordings)) writeFileSync(join(data, `${community}.snmprec`), text, { mode: 0o644 });
  const inst = await startSnmpsim({ dataDir: data, workDir: tmp.dir, probeCommunity: Object.keys(recordings)[0]! })
    .catch((err: unknown) => { tmp.cleanup(); throw err; });
  return Object.assign(inst, { async cleanup() { await inst.stop(); tmp.cleanup(); } });
}

/** A shared recording's text with some OIDs given new values (`type|value` as snmprec writes them): a device that changed. */
export function recordingVariation(base: string, changes: Record<string, string>): string {
  const text = readFileSync(join(fixturesDir(), 'snmprec', `${base}.snmprec`), 'utf8');
  const left = new Set(Object.keys(changes));
  const out = text.split('\n').map((line) => {
    const oid = line.slice(0, line.indexOf('|'));
    if (!(oid in changes)) return line;
    left.delete(oid);
    return `${oid}|${changes[oid]}`;
  }).join('\n');
  if (left.size > 0) throw new Error(`recording ${base} has no ${[...left].join(', ')} to change`);
  return out;
}
