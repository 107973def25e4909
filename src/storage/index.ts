/** Storage: the InfluxDB writer(s) with their disk spools, database set-up, and the read API. */
export { createInfluxSink, type InfluxSink, type InfluxSinkOptions, type InfluxSinkStats, type InfluxReadiness, type InfluxTargetStatus } from './influx/sink.js';
export { createStorageSink } from './influx/fan-out.js';
export { registerInfluxMetrics } from './influx/metrics.js';
export { setUpDatabase, RAW_POLICY, LONG_TERM_POLICY, DOWNSAMPLED_MEASUREMENTS } from './influx/setup.js';
export { createInfluxReader, InfluxQueryError, type InfluxReader, type QueryResult, type QuerySeries, type LatestRow, type SeriesResult, type AvailabilityRow, type TopRow } from './queries.js';
export { quoteIdent, quoteString, quoteRegex, timeLiteral, timeRange, durationLiteral, tagFilter } from './influxql.js';
