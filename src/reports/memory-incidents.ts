/** Kept at its old path for importers outside src/reports (API tests); the code lives in sources/memory-incidents.ts. */
export * from './sources/memory-incidents.js';
