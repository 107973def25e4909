/** Kept at its old path for importers outside src/reports (runtime, CLI); the code lives in sources/alert-store.ts. */
export * from './sources/alert-store.js';
