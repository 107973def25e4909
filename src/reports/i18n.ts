/** Kept at its old path for importers outside src/reports (scheduler); the code lives in render/i18n.ts. */
export * from './render/i18n.js';
