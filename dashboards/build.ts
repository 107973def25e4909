/** The catalogue of Noctua dashboards and the writer of their JSON and provisioning files. */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DashboardJson } from './common.js';
import { buildDevice } from './device.js';
import { buildInterfaces } from './interfaces.js';
import { buildNocWall } from './noc-wall.js';
import { buildPollerHealth } from './poller-health.js';
import { dashboardProvisioning, datasourceProvisioning, type ProvisioningOptions } from './provisioning.js';
import { buildUpsPower } from './ups-power.js';

/** One dashboard: the JSON file it is written to and the function that builds it. */
export interface DashboardEntry {
  file: string;
  build(): DashboardJson;
}

/** Every dashboard, in the order a NOC opens them. */
export const DASHBOARDS: readonly DashboardEntry[] = [
  { file: 'noctua-noc-wall.json', build: buildNocWall },
  { file: 'noctua-device.json', build: buildDevice },
  { file: 'noctua-interfaces.json', build: buildInterfaces },
  { file: 'noctua-ups-power.json', build: buildUpsPower },
  { file: 'noctua-poller-health.json', build: buildPollerHealth },
];

/** Paths `writeDashboards` produced, relative to its output directory. */
export interface WrittenFiles {
  dashboards: string[];
  provisioning: string[];
}

/**
 * Writes `OUT/dashboards/*.json` and `OUT/provisioning/{datasources,dashboards}/noctua.yaml`.
 * Earlier `noctua-*.json` files are removed first, so a dropped dashboard does not linger in Grafana.
 */
export function writeDashboards(outDir: string, opts: ProvisioningOptions): WrittenFiles {
  const jsonDir = join(outDir, 'dashboards');
  mkdirSync(jsonDir, { recursive: true });
  for (const f of readdirSync(jsonDir)) if (/^noctua-.*\.json$/.test(f)) rmSync(join(jsonDir, f));
  const dashboards: string[] = [];
  for (const d of DASHBOARDS) {
    writeFileSync(join(jsonDir, d.file), `${JSON.stringify(d.build(), null, 2)}\n`);
    dashboards.push(join('dashboards', d.file));
  }
  const provisioning: [string, string][] = [
    [join('provisioning', 'datasources', 'noctua.yaml'), datasourceProvisioning(opts)],
    [join('provisioning', 'dashboards', 'noctua.yaml'), dashboardProvisioning(opts)],
  ];
  for (const [rel, text] of provisioning) {
    mkdirSync(join(outDir, rel, '..'), { recursive: true });
    writeFileSync(join(outDir, rel), text);
  }
  return { dashboards, provisioning: provisioning.map(([rel]) => rel) };
}
