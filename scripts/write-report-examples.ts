/**
 * Writes the sample reports in docs/examples/ from a real influxd (Debian's, started in a temporary
 * directory) seeded through Noctua's own writer with the known week the report tests use.
 *
 *   node --import tsx scripts/write-report-examples.ts [--week 2026-W47] [OUT_DIR]
 *
 * The week is fixed (default 2026-W47, Asia/Shanghai) and the report's "now" is 8 h after it ends, so
 * the HTML and Markdown come out byte for byte the same on every run: a diff shows what a change did.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { influxSectionSchema } from '../src/config/sections/influx.js';
import { renderReport } from '../src/reports/generate.js';
import { buildReportModel } from '../src/reports/model/build.js';
import { previousPeriod, weekPeriod } from '../src/reports/period.js';
import { InfluxMetricsSource } from '../src/reports/sources/influx-metrics.js';
import { MemoryIncidentSource } from '../src/reports/sources/memory-incidents.js';
import { createInfluxSink } from '../src/storage/index.js';
import { realInfluxd } from '../tests/helpers/real-parts.js';
import { tempDir } from '../tests/helpers/tmp.js';
import { knownWeek } from '../tests/reports/known-week.js';

const TIME_ZONE = 'Asia/Shanghai';
const OUTPUTS = [['zh-CN', 'pdf'], ['en', 'html'], ['zh-CN', 'html'], ['en', 'md']] as const;

const { values, positionals } = parseArgs({ options: { week: { type: 'string', default: '2026-W47' } }, allowPositionals: true });
const week = weekPeriod(values.week, TIME_ZONE);
const out = resolve(positionals[0] ?? 'docs/examples');

const influx = await realInfluxd();
const tmp = tempDir('noctua-examples-');
try {
  const known = knownWeek(week, previousPeriod(week));
  const settings = influxSectionSchema.parse({ url: influx.url, database: 'noctua' });
  const sink = await createInfluxSink({ settings, stateDir: tmp.dir, log: pino({ level: 'silent' }) });
  await sink.write(known.samples);
  await sink.flush();
  await sink.close();
  const model = await buildReportModel({
    period: week, metrics: new InfluxMetricsSource({ url: influx.url, database: 'noctua' }),
    incidents: new MemoryIncidentSource(known.incidents), inventory: known.inventory, now: new Date(week.end.getTime() + 8 * 3_600_000),
  });
  mkdirSync(out, { recursive: true });
  for (const [lang, format] of OUTPUTS) {
    const file = join(out, `weekly-${week.label}.${lang}.${format}`);
    writeFileSync(file, (await renderReport(model, lang, format)).content);
    console.log(file);
  }
} finally {
  await influx.cleanup();
  tmp.cleanup();
}
