/**
 * The console's pages, in menu order. A new page is one file in this folder and one line here
 * (topology, config-diff, problems and asset pages are expected next).
 */
import type { PageDef } from '../page.js';
import { devicePage } from './device.js';
import { deviceConfigPage } from './device-config.js';
import { devicesPage } from './devices.js';
import { incidentPage } from './incident.js';
import { incidentsPage } from './incidents.js';
import { maintenancePage } from './maintenance.js';
import { noticesPage } from './notices.js';
import { onCallPage } from './on-call.js';
import { reportsPage } from './reports.js';
import { auditPage } from './audit.js';
import { usersPage } from './users.js';
import { problemsPage } from './problems.js';
import { problemPage } from './problem.js';
import { knowledgePage } from './knowledge.js';
import { knowledgeEntryPage, runbookPage } from './knowledge-entry.js';
import { assetsPage } from './assets.js';
import { assetPage } from './asset.js';
import { topologyPage } from './topology.js';

/** Every page the console routes to; `#/` opens the first. */
export const PAGES: readonly PageDef[] = [
  incidentsPage,
  incidentPage,
  devicesPage,
  devicePage,
  topologyPage,
  deviceConfigPage,
  maintenancePage,
  noticesPage,
  reportsPage,
  onCallPage,
  problemsPage,
  problemPage,
  knowledgePage,
  knowledgeEntryPage,
  runbookPage,
  assetsPage,
  assetPage,
  // Admin only: last in the menu.
  auditPage,
  usersPage,
];
