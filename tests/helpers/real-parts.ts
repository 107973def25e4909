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
