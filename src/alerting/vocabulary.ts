/**
 * The measurements, tags and fields of docs/SCHEMA.md that rules may name. A rule on `load` instead of
 * `load_pct` would never match and never page: it is an error at load, with the names that exist.
 * When SCHEMA.md gains a field, it is added here too.
 */

const COMMON_TAGS = ['device', 'site', 'class', 'vendor'];

interface MeasurementVocabulary {
  tags: string[];
  /** Undefined: an open set (vendor counters documented in the profiles). */
  fields?: string[];
  /** Tags that name the instance, joined with "/"; none for device-level measurements. */
  instance?: string[];
  /** The instance from a sample's tags when joining tags does not fit (events: the interface, else the entity). */
  instanceOf?: (tags: Readonly<Record<string, string>>) => string;
  /** String fields `match`/`exclude` may test besides the tags (bounded texts only: a glob runs over them). */
  matchFields?: string[];
}

/**
 * An event concerns an interface (ifName, else its ifIndex) or an entity (PSU, fan, BGP peer), or the whole device:
 * the same key storm control uses, so a clearing event (link-up) reaches the alert of the fault it ends.
 */
function eventInstance(tags: Readonly<Record<string, string>>): string {
  if (tags.ifName) return tags.ifName;
  if (tags.ifIndex) return `ifIndex ${tags.ifIndex}`;
  return tags.entity ?? '';
}

const IF_COUNTERS = ['in_octets', 'out_octets', 'in_ucast_pkts', 'out_ucast_pkts', 'in_mcast_pkts', 'out_mcast_pkts', 'in_bcast_pkts',
  'out_bcast_pkts', 'in_errors', 'out_errors', 'in_discards', 'out_discards'];
const IF_RATES = ['in_bps', 'out_bps', 'in_pps', 'out_pps', 'in_errors_ps', 'out_errors_ps', 'in_discards_ps', 'out_discards_ps', 'in_util_pct', 'out_util_pct'];

/** Every measurement a rule can select. */
export const VOCABULARY: Record<string, MeasurementVocabulary> = {
  system: { tags: [], fields: ['uptime_s', 'sysName', 'sysObjectID', 'sysDescr', 'sysLocation', 'sysContact', 'model', 'os', 'version', 'serial', 'vendor', 'firmware', 'hardware'] },
  interface: { tags: ['ifIndex', 'ifName', 'ifAlias', 'ifDescr'], fields: ['oper_up', 'admin_up', 'speed_bps', ...IF_COUNTERS, ...IF_RATES], instance: ['ifName'] },
  cpu: { tags: ['cpu'], fields: ['load_pct', 'load_1m', 'load_5m', 'load_15m'], instance: ['cpu'] },
  memory: { tags: ['pool'], fields: ['used_bytes', 'total_bytes', 'used_pct'], instance: ['pool'] },
  storage: { tags: ['mount'], fields: ['used_bytes', 'total_bytes', 'used_pct'], instance: ['mount'] },
  sensor: { tags: ['kind', 'name', 'ifName', 'quantity'], fields: ['value', 'status', 'ok', 'low_alarm', 'low_warn', 'high_warn', 'high_alarm', 'low', 'high'], instance: ['name'] },
  ups: {
    tags: ['ups'],
    fields: ['battery_status', 'charge_pct', 'runtime_min', 'battery_temp_c', 'input_v', 'input_hz', 'output_v', 'output_hz', 'load_pct',
      'on_battery', 'alarms', 'replace_battery', 'seconds_on_battery', 'battery_v', 'ambient_temp_c'],
    instance: ['ups'],
  },
  ups_line: { tags: ['direction', 'line'], fields: ['voltage_v', 'current_a', 'power_w', 'load_pct', 'hz'], instance: ['direction', 'line'] },
  pdu: { tags: ['scope', 'index', 'name'], fields: ['current_a', 'power_w', 'load_pct', 'voltage_v', 'energy_kwh', 'status'], instance: ['scope', 'name'] },
  firewall: { tags: [] },
  bgp_peer: {
    tags: ['peer'],
    fields: ['state', 'established', 'admin_up', 'remote_as', 'peer_id', 'local_addr', 'in_updates', 'out_updates',
      'established_transitions', 'established_s', 'accepted_prefixes', 'advertised_prefixes', 'flaps'],
    instance: ['peer'],
  },
  snmp_poll: { tags: ['kind'], fields: ['ok', 'duration_ms', 'varbinds', 'error', 'error_kind'] },
  event: {
    tags: ['type', 'source', 'severity', 'ifIndex', 'ifName', 'entity'],
    fields: ['message', 'uptime_s', 'message_zh', 'count', 'storm', 'from', 'raw', 'key', 'clears', 'parse_error', 'truncated'],
    instance: ['ifName', 'ifIndex', 'entity'], instanceOf: eventInstance, matchFields: ['key', 'message', 'message_zh', 'from', 'clears'],
  },
  // Configuration backup (src/config-backup): a new version, and each rule's verdict on the newest one.
  config_change: { tags: ['trigger'], fields: ['added', 'removed', 'first', 'commit', 'by', 'reason'] },
  compliance: { tags: ['rule', 'platform', 'severity'], fields: ['violations', 'passed', 'rules', 'commit'], instance: ['rule'] },
  icmp: { tags: [], fields: ['sent', 'received', 'loss_pct', 'rtt_min_ms', 'rtt_median_ms', 'rtt_p90_ms', 'rtt_avg_ms', 'rtt_max_ms', 'jitter_ms', 'up'] },
  // Noctua about itself. Only samples that carry a `device` tag can raise alerts: the cluster's per-poller
  // `cluster_member` samples do (the member is the device), so "a poller is down" is one incident.
  noctua_self: { tags: ['component', 'instance', 'group', 'member', 'kind'] },
};

/** Names for "expected a or b" messages. */
function orList(values: readonly string[]): string {
  return values.length <= 1 ? (values[0] ?? '') : `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`;
}

/** Undefined when the measurement exists, else what was expected. */
export function checkMeasurement(m: string): string | undefined {
  if (VOCABULARY[m]) return undefined;
  return `unknown measurement "${m}" (expected ${orList(Object.keys(VOCABULARY))}; see docs/SCHEMA.md)`;
}

/** Undefined when the field exists in the measurement (or the measurement's fields are an open set). */
export function checkField(m: string, field: string): string | undefined {
  const v = VOCABULARY[m];
  if (!v?.fields || v.fields.includes(field)) return undefined;
  return `unknown field "${field}" of measurement ${m} (expected ${orList(v.fields)})`;
}

/** Undefined when the tag exists on the measurement's samples. */
export function checkTag(m: string, tag: string): string | undefined {
  const v = VOCABULARY[m];
  if (!v) return undefined;
  const all = [...COMMON_TAGS, ...v.tags];
  return all.includes(tag) ? undefined : `unknown tag "${tag}" of measurement ${m} (expected ${orList(all)})`;
}

/** Undefined when `match`/`exclude` may test this name on the measurement: a tag, or one of its matchable fields. */
export function checkMatchKey(m: string, key: string): string | undefined {
  const fields = VOCABULARY[m]?.matchFields;
  if (fields?.includes(key)) return undefined;
  const bad = checkTag(m, key);
  if (!bad || !fields) return bad;
  return `unknown tag or matchable field "${key}" of measurement ${m} (expected ${orList([...COMMON_TAGS, ...VOCABULARY[m]!.tags, ...fields])})`;
}

/** The instance of a sample, when its measurement names it otherwise than by joining tags. */
export function instanceFunction(m: string): ((tags: Readonly<Record<string, string>>) => string) | undefined {
  return VOCABULARY[m]?.instanceOf;
}

/** The fields `match`/`exclude` may test on a measurement besides its tags. */
export function matchFields(m: string): readonly string[] {
  return VOCABULARY[m]?.matchFields ?? [];
}

/** The tags that name an alert's instance for a measurement (empty: one alert per device). */
export function instanceTags(m: string): readonly string[] {
  return VOCABULARY[m]?.instance ?? [];
}
