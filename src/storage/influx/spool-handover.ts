import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { InfluxSection } from '../../config/sections/influx.js';
import type { Logger } from '../../core/log.js';
import { Spool } from './spool.js';

/**
 * Copies what a single-InfluxDB run left unacknowledged in `<stateDir>/spool/` into each target's spool, oldest first,
 * then acknowledges it there: switching to `influx.targets` while InfluxDB was down loses nothing. Each record is in
 * every target spool (fsync'd) before it is acknowledged in the old one, so a crash half-way only copies some twice,
 * which InfluxDB absorbs (the same point written again overwrites itself).
 */
export async function handOverSingleSpool(stateDir: string, targetDirs: readonly string[], caps: InfluxSection['spool'], log: Logger): Promise<void> {
  const dir = join(stateDir, 'spool');
  const files = await readdir(dir).catch(() => [] as string[]);
  if (!files.some((f) => f.endsWith('.seg'))) return;
  const old = await Spool.open({ dir, ...caps, log });
  if (old.isEmpty()) { await old.close(); return; }
  const targets = await Promise.all(targetDirs.map((d) => Spool.open({ dir: d, ...caps, log })));
  let points = 0;
  try {
    for (let rec = await old.head(); rec; rec = await old.head()) {
      await Promise.all(targets.map((t) => t.append(rec!.bytes, rec!.points, rec!.precision)));
      await old.ack(rec);
      points += rec.points;
    }
  } finally {
    await Promise.all([old.close(), ...targets.map((t) => t.close())]);
  }
  log.info({ points, from: dir, to: targetDirs }, 'influx: copied the single-InfluxDB spool into every target\'s spool; each replays it');
}
