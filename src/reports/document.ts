/** Kept at its old path for importers outside src/reports (the PDF renderer, tests); the code lives in render/document.ts. */
export * from './render/document.js';
