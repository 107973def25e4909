/** Kept at its old path for importers outside src/reports (CLI, API, scheduler); the model lives in model/. */
export { buildReportModel } from './model/build.js';
export { THRESHOLDS } from './model/thresholds.js';
export type * from './model/types.js';
