/**
 * The console's pages, in menu order. A new page is one file in this folder and one line here
 * (topology, config-diff, problems and asset pages are expected next).
 */
import type { PageDef } from '../page.js';
import { homePage } from './home.js';

/** Every page the console routes to. */
export const PAGES: readonly PageDef[] = [
  homePage,
];
