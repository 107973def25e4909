/**
 * The single vocabulary shared by pollers, storage, alerting, dashboards and reports.
 * See docs/SCHEMA.md for every measurement, tag and field.
 */

/**
 * A field value. `bigint` is written to InfluxDB as an integer (`123i`), `number` always as a float,
 * so a poller must use the same JS type for a field every time (InfluxDB rejects a type change within a shard).
 */
export type FieldValue = number | bigint | boolean | string;

/** One measurement of one instance at one time. */
export interface Sample {
  measurement: string;
  tags: Record<string, string>;
  fields: Record<string, FieldValue>;
  time: Date;
}

/**
 * Tags that describe an instance without identifying it. On the bus they are tags like any other (alert rules
 * match them, the API shows them); InfluxDB stores them as string fields of the same name, so a port that is
 * renamed stays one series: a device renaming 48 ports 1,000 times made 48,000 series and +166 MiB of influxd heap
 * as tags, 48 series and +18 MiB as fields (docs/SCHEMA.md, "Labels").
 */
export const STORED_AS_FIELDS: Readonly<Record<string, readonly string[]>> = {
  interface: ['ifAlias', 'ifDescr'],
};

/**
 * Measurements that travel on the bus to the topology store but are written neither to InfluxDB nor to the
 * latest-samples view: one row per MAC or ARP entry would make a series per MAC (docs/SCHEMA.md, "Layer-2 tables").
 */
export const BUS_ONLY_MEASUREMENTS: ReadonlySet<string> = new Set(['fdb', 'arp', 'vlan']);

/**
 * A new tag set holding `base`'s tags and then `extra`'s. Not `{ ...base, ...extra }`: V8 (Node 20) gives every object
 * made by a spread followed by more properties a hidden class of its own, allocated in the old generation with its
 * descriptors and enum cache (~0.4 KiB per sample); at 5,000 devices that was 87,000 retained tag objects with 87,000
 * classes, and old-generation garbage on every poll. Objects filled by assignment share their classes.
 */
export function mergeTags(base: Readonly<Record<string, string>>, extra: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k in base) out[k] = base[k]!;
  for (const k in extra) out[k] = extra[k]!;
  return out;
}

/** A failure while polling one device, kept as data: one failing target never stops a cycle. */
export interface PollError {
  device: string;
  kind: string;
  message: string;
  cause?: unknown;
}

/** Serialises a sample as the JSON-lines contract of `noctua poll --json` (bigint fields become JSON numbers). */
export function sampleToJson(sample: Sample): string {
  const fields: string[] = [];
  for (const [k, v] of Object.entries(sample.fields)) {
    const value = typeof v === 'bigint' ? v.toString() : JSON.stringify(v);
    fields.push(`${JSON.stringify(k)}:${value}`);
  }
  return (
    `{"measurement":${JSON.stringify(sample.measurement)},"tags":${JSON.stringify(sample.tags)},` +
    `"fields":{${fields.join(',')}},"time":${JSON.stringify(sample.time.toISOString())}}`
  );
}

/** Parses one JSON line written by {@link sampleToJson}; throws with the reason when the line is not a sample. */
export function sampleFromJson(line: string): Sample {
  const raw = JSON.parse(line) as unknown;
  if (typeof raw !== 'object' || raw === null) throw new Error('expected a JSON object');
  const o = raw as Record<string, unknown>;
  if (typeof o.measurement !== 'string' || o.measurement === '') throw new Error('measurement: expected a non-empty string');
  if (typeof o.tags !== 'object' || o.tags === null) throw new Error('tags: expected an object');
  if (typeof o.fields !== 'object' || o.fields === null) throw new Error('fields: expected an object');
  if (typeof o.time !== 'string' || Number.isNaN(Date.parse(o.time))) throw new Error('time: expected an RFC 3339 timestamp');
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(o.tags as Record<string, unknown>)) tags[k] = String(v);
  const fields: Record<string, FieldValue> = {};
  for (const [k, v] of Object.entries(o.fields as Record<string, unknown>)) {
    if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') fields[k] = v;
    else throw new Error(`fields.${k}: expected a number, boolean or string`);
  }
  return { measurement: o.measurement, tags, fields, time: new Date(o.time) };
}
