/**
 * Writes docs/examples/ from a real influxd seeded through Noctua's writer with the known week of the
 * tests (the lab's pollers are not wired into `noctua lab` yet). Run: npx tsx tests/reports/write-examples.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { influxSectionSchema } from '../../src/config/sections/influx.js';
import { renderReport } from '../../src/reports/generate.js';
import { InfluxMetricsSource } from '../../src/reports/influx-source.js';
import { MemoryIncidentSource } from '../../src/reports/memory-incidents.js';
import { buildReportModel } from '../../src/reports/model.js';
import { lastCompleteWeek, previousPeriod } from '../../src/reports/period.js';
import { createInfluxSink } from '../../src/storage/index.js';
import { realInfluxd } from '../helpers/real-parts.js';
import { tempDir } from '../helpers/tmp.js';
import { knownWeek } from './known-week.js';

const out = resolve(process.argv[2] ?? 'docs/examples');
const influx = await realInfluxd();
const tmp = tempDir('noctua-examples-');
try {
  const week = lastCompleteWeek(new Date(), 'Asia/Shanghai');
  const known = knownWeek(week, previousPeriod(week));
  const sink = await createInfluxSink({ settings: influxSectionSchema.parse({ url: influx.url, database: 'noctua' }), stateDir: tmp.dir, log: pino({ level: 'silent' }) });
  await sink.write(known.samples);
  await sink.flush();
  await sink.close();
  const model = await buildReportModel({
    period: week, metrics: new InfluxMetricsSource({ url: influx.url, database: 'noctua' }),
    incidents: new MemoryIncidentSource(known.incidents), inventory: known.inventory, now: new Date(week.end.getTime() + 8 * 3_600_000),
  });
  mkdirSync(out, { recursive: true });
  for (const [lang, format] of [['zh-CN', 'pdf'], ['en', 'html'], ['zh-CN', 'html'], ['en', 'md']] as const) {
    const r = await renderReport(model, lang, format);
    const file = join(out, `weekly-${week.label}.${lang}.${format}`);
    writeFileSync(file, r.content);
    console.log(file);
  }
} finally {
  await influx.cleanup();
  tmp.cleanup();
}
