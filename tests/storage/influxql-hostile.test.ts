/**
 * Storage's InfluxQL quoting is the only quoting in Noctua (the API and the reports build their statements
 * with it). Against a real influxd, names and values a device controls — quotes, backslashes, newlines,
 * regex operators, `'; DROP` — must select exactly the series that were written, and nothing else.
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { influxSectionSchema, type InfluxSection } from '../../src/config/sections/influx.js';
import type { Sample } from '../../src/core/sample.js';
import { createInfluxSink } from '../../src/storage/influx/sink.js';
import { quoteIdent, quoteRegex, quoteString, tagFilter, timeRange } from '../../src/storage/influxql.js';
import { createInfluxReader, type InfluxReader, type QuerySeries } from '../../src/storage/queries.js';
import { realInfluxd } from '../helpers/real-parts.js';
import { tempDir } from '../helpers/tmp.js';

/** Tag values (line protocol cannot carry a newline in a tag, so those go in string fields below). */
const DEVICES = [
  "core'sw", "a\\'b", "x'; DROP DATABASE noctua; --", '"dq" dev', 'back\\slash', 'a.b', 'aXb', 'a.*', 'a+(b)[c]{2}|d^$?',
  '/slash/', 'sw\\/x', '交换机-01', 'plain',
];
/** String field values: newlines, a trailing backslash, both quotes. */
const MESSAGES = ['line1\nline2', 'line1 line2', 'line1\\nline2', "it's \\ \"quoted\"\n'; DROP MEASUREMENT event; --", 'ends with backslash\\', '\n'];
/** Identifiers with quotes and a backslash: measurement, tag key, field key. */
const ODD = { measurement: `we"ird'meas`, tagKey: `ta"g'key`, tagValue: 'v', fieldKey: `fi"eld\\x` };

const base = Date.now() - 3_600_000;
let influxd: Awaited<ReturnType<typeof realInfluxd>>;
let reader: InfluxReader;
const tmp = tempDir('noctua-influxql-');

beforeAll(async () => {
  influxd = await realInfluxd();
  const settings: InfluxSection = influxSectionSchema.parse({ url: influxd.url, database: 'noctua', precision: 'ms' });
  const samples: Sample[] = [];
  DEVICES.forEach((device, i) => {
    for (let n = 0; n < 3; n++) samples.push({ measurement: 'icmp', tags: { device, site: 'hq' }, fields: { up: true, loss_pct: 0 }, time: new Date(base + i * 1000 + n * 60_000) });
  });
  MESSAGES.forEach((message, i) => samples.push({ measurement: 'event', tags: { device: 'ev', type: 'log' }, fields: { message }, time: new Date(base + i * 1000) }));
  samples.push({ measurement: ODD.measurement, tags: { [ODD.tagKey]: ODD.tagValue }, fields: { [ODD.fieldKey]: 1 }, time: new Date(base) });
  const sink = await createInfluxSink({ settings, stateDir: tmp.dir, log: pino({ level: 'silent' }) });
  await sink.write(samples);
  await sink.flush();
  await sink.close();
  expect(sink.stats()).toMatchObject({ writtenPoints: samples.length, droppedPoints: 0, deadLetteredPoints: 0 });
  reader = createInfluxReader(settings);
});

afterAll(async () => {
  await influxd?.cleanup();
  tmp.cleanup();
});

const range = () => timeRange(new Date(base - 60_000), new Date(base + 3_600_000)).join(' AND ');

/** Count per device of the icmp points matching `condition`. */
async function devicesWhere(condition: string): Promise<Record<string, number>> {
  const [r] = await reader.query(`SELECT count("up") AS n FROM "icmp" WHERE ${range()} AND ${condition} GROUP BY "device"`);
  return Object.fromEntries((r?.series ?? []).map((s: QuerySeries) => [s.tags?.device ?? '', s.values[0]![1] as number]));
}

/** How many event points have a message matching `condition`. */
async function messagesWhere(condition: string): Promise<number> {
  const [r] = await reader.query(`SELECT count("message") AS n FROM "event" WHERE ${range()} AND ${condition}`);
  return (r?.series?.[0]?.values[0]?.[1] as number | undefined) ?? 0;
}

describe('InfluxQL quoting against a real influxd with hostile names and values', () => {
  it('selects exactly the one series of each hostile tag value with = and a quoted string', async () => {
    for (const device of DEVICES) expect(await devicesWhere(`"device" = ${quoteString(device)}`), device).toEqual({ [device]: 3 });
  });

  it('selects exactly that series with =~ and a regex built from the value, never a look-alike', async () => {
    for (const device of DEVICES) expect(await devicesWhere(`"device" =~ ${quoteRegex(device)}`), device).toEqual({ [device]: 3 });
    // Unanchored: a value found inside others, with its dot taken literally (so "aXb" is not matched).
    expect(await devicesWhere(`"device" =~ ${quoteRegex('a.', { anchored: false })}`)).toEqual({ 'a.b': 3, 'a.*': 3 });
  });

  it('builds tag filters over several hostile values that match those and only those', async () => {
    const pick = ["a\\'b", "x'; DROP DATABASE noctua; --", 'sw\\/x'];
    expect(await devicesWhere(tagFilter({ device: pick })[0]!)).toEqual(Object.fromEntries(pick.map((d) => [d, 3])));
    const rows = await reader.availability({ from: new Date(base - 60_000), to: new Date(base + 3_600_000), devices: pick });
    expect(rows.map((r) => [r.device, r.polls])).toEqual(pick.map((d) => [d, 3]));
  });

  it('matches string values with newlines, backslashes and quotes exactly, as literals and as regexes', async () => {
    for (const message of MESSAGES) {
      expect(await messagesWhere(`"message" = ${quoteString(message)}`), JSON.stringify(message)).toBe(1);
      expect(await messagesWhere(`"message" =~ ${quoteRegex(message)}`), JSON.stringify(message)).toBe(1);
    }
    expect(await messagesWhere(`"message" = ${quoteString('line1')}`)).toBe(0);
    // Unanchored, a trailing backslash sits right before the closing slash, where InfluxQL reads `\/` as an escaped slash.
    expect(await messagesWhere(`"message" =~ ${quoteRegex('backslash\\', { anchored: false })}`)).toBe(1);
    expect(await messagesWhere(`"message" =~ ${quoteRegex('\n', { anchored: false })}`)).toBe(3);
  });

  it('quotes a measurement, tag key and field key containing both quotes and a backslash', async () => {
    const [r] = await reader.query(`SELECT count(${quoteIdent(ODD.fieldKey)}) AS n FROM ${quoteIdent(ODD.measurement)} WHERE ${range()} AND ${quoteIdent(ODD.tagKey)} = ${quoteString(ODD.tagValue)}`);
    expect(r?.series?.[0]?.values[0]?.[1]).toBe(1);
  });

  it('leaves the database and every point in place after all the hostile statements', async () => {
    const [dbs] = await reader.query('SHOW DATABASES');
    expect(dbs?.series?.[0]?.values.flat()).toContain('noctua');
    expect(Object.values(await devicesWhere('"site" = \'hq\'')).reduce((a, n) => a + n, 0)).toBe(DEVICES.length * 3);
    expect(await messagesWhere('"type" = \'log\'')).toBe(MESSAGES.length);
  });
});

describe('quoteRegex', () => {
  it('writes every character but letters, digits, space, _ and - as \\x{HEX}', () => {
    expect(quoteRegex('a/b\\')).toBe('/^a\\x{2f}b\\x{5c}$/');
    expect(quoteRegex('x\ny', { anchored: false })).toBe('/x\\x{a}y/');
    expect(quoteRegex('核')).toBe('/^\\x{6838}$/');
  });
});
