/** Kept at its old path for importers outside src/reports (the PDF renderer); the code lives in render/charts.ts. */
export * from './render/charts.js';
