/** Kept at its old path for importers outside src/reports (runtime, CLI, API tests); the code lives in sources/influx-metrics.ts. */
export * from './sources/influx-metrics.js';
