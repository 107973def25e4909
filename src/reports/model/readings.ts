import type {
  AvailabilityBucket, DeviceLoad, DeviceReachability, DeviceSeen, DeviceTemperature, HardwareUnit,
  IdentityHistory, IncidentRecord, InterfaceStats, MetricsSource, RebootEvent, SiteLatency, StorageVolume, TimeRange, UpsState, ProblemRecordSummary,
} from '../sources/types.js';
import type { ModelInputs } from './types.js';

/** Everything the model reads for one report, fetched at once so a store can answer in parallel. */
export interface Readings {
  range: TimeRange;
  /** Width of the trend buckets (latency, storage, interfaces). */
  bucketMs: number;
  seen: DeviceSeen[];
  previousSeen: DeviceSeen[];
  reachability: DeviceReachability[];
  availabilityByDay: AvailabilityBucket[];
  siteLatency: SiteLatency[];
  siteLatencyTrend: SiteLatency[];
  load: DeviceLoad[];
  storage: StorageVolume[];
  temperatures: DeviceTemperature[];
  hardware: HardwareUnit[];
  reboots: RebootEvent[];
  ups: UpsState[];
  interfaces: InterfaceStats[];
  identity: IdentityHistory[];
  /** Undefined when no incident store is connected. */
  incidents?: IncidentRecord[];
  problems?: ProblemRecordSummary[];
}

/** About 168 points per series whatever the period: hourly for a week, 4-hourly for a month. */
export function trendBucketMs(p: TimeRange): number {
  const hours = Math.max(1, Math.round((p.end.getTime() - p.start.getTime()) / 168 / 3_600_000));
  return hours * 3_600_000;
}

/** Reads the period (and the previous period's device list) from the sources. */
export async function readAll(input: ModelInputs, range: TimeRange, previous: TimeRange): Promise<Readings> {
  const m: MetricsSource = input.metrics;
  const bucketMs = trendBucketMs(range);
  const [seen, previousSeen, reachability, availabilityByDay, siteLatency, siteLatencyTrend, load, storage, temperatures, hardware, reboots, ups, interfaces, identity, incidents, problems] = await Promise.all([
    m.devicesSeen(range), m.devicesSeen(previous), m.reachability(range),
    m.availabilityByDay(range, input.period.timeZone), m.siteLatency(range), m.siteLatencyTrend(range, bucketMs),
    m.load(range), m.storage(range, bucketMs), m.temperatures(range), m.hardware(range),
    m.reboots(range), m.ups(range), m.interfaces(range, bucketMs), m.identity(range),
    input.incidents ? input.incidents.incidents(range) : Promise.resolve(undefined),
    input.problems ? input.problems.problems(range) : Promise.resolve(undefined),
  ]);
  return { range, bucketMs, seen, previousSeen, reachability, availabilityByDay, siteLatency, siteLatencyTrend, load, storage, temperatures, hardware, reboots, ups, interfaces, identity, incidents, problems };
}

/** Percentage of `up` in `all`, undefined when nothing was counted. */
export function pctOf(up: number, all: number): number | undefined {
  return all > 0 ? (up / all) * 100 : undefined;
}
