/** Kept at its old path for importers outside src/reports (CLI, API, scheduler); the code lives in render/format.ts. */
export * from './render/format.js';
