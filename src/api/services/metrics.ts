/** One question to the time-series store: one field of one measurement of one device. */
export interface DeviceSeriesQuery {
  device: string;
  measurement: string;
  field: string;
  /** Extra tag matches such as { ifName: 'GE0/0/1' }. */
  where: Record<string, string>;
  from: Date;
  to: Date;
  /** Bucket width; each point is the mean of its bucket. */
  stepMs: number;
}

/** One series per distinct tag set (e.g. one per interface). */
export interface Series {
  tags: Record<string, string>;
  points: { time: Date; value: number | null }[];
}

/** Storage's query reader (InfluxDB). */
export interface MetricsReader {
  series(query: DeviceSeriesQuery): Promise<Series[]>;
}
