import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configServiceFor } from '../../src/api/config-service.js';
import type { LoadedConfig } from '../../src/config-check/load.js';
import { tempDir } from '../helpers/tmp.js';
import { appOver, bearer, MemoryNoc } from './memory-noc.js';

const tmp = tempDir('noctua-api-config-');
const dir = join(tmp.dir, 'config');
mkdirSync(dir);
const applied: { devices: string[]; by: string }[] = [];
const service = configServiceFor(dir, async (cfg: LoadedConfig, by) => { applied.push({ devices: cfg.devices.map((d) => d.name), by }); }, {});
const { app } = appOver({}, new MemoryNoc(), (services) => { services.config = service; });
afterAll(async () => { await app.close(); tmp.cleanup(); });

const good = `sites:
  - name: hq
devices:
  - name: core-sw-01
    address: 192.0.2.1
    class: switch
    site: hq
  - name: old-printer
    address: 192.0.2.9
    class: other
    site: hq
    enabled: false
`;
const bad = `devices:
  - name: core-sw-01
    address: 192.0.2.1
    class: toaster
  - name: core-sw-01
    address: 192.0.2.2
    class: switch
`;

const call = (what: 'validate' | 'reload', role: 'admin' | 'operator' = 'admin') =>
  app.inject({ method: 'POST', url: `/api/v1/config/${what}`, headers: bearer(role) });

describe('config validate and reload', () => {
  it('validates the directory on disk and sums it up', async () => {
    writeFileSync(join(dir, 'devices.yaml'), good);
    const r = await call('validate');
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ ok: true, devices: 2, sites: 1, disabled: 1 });
    expect(applied).toEqual([]);
  });

  it('reports every mistake with file:line:col like check-config, and applies nothing', async () => {
    writeFileSync(join(dir, 'devices.yaml'), bad);
    const v = await call('validate');
    expect(v.statusCode).toBe(200);
    const errors = v.json().errors as { text: string; line: number; path: string }[];
    expect(v.json().ok).toBe(false);
    expect(errors.map((e) => e.text.replace(/^.*devices\.yaml/, 'devices.yaml'))).toEqual([
      expect.stringMatching(/^devices\.yaml:4:12 devices\[0\]\.class: .*switch.*toaster/),
    ]);
    const reload = await call('reload');
    expect(reload.statusCode).toBe(422);
    expect(reload.json().ok).toBe(false);
    expect(applied).toEqual([]);
  });

  it('applies a valid configuration on reload, as the admin who asked', async () => {
    writeFileSync(join(dir, 'devices.yaml'), good);
    const r = await call('reload');
    expect(r.statusCode).toBe(200);
    expect(applied).toEqual([{ devices: ['core-sw-01', 'old-printer'], by: 'root' }]);
  });

  it('is for admins only', async () => {
    expect((await call('validate', 'operator')).statusCode).toBe(403);
    expect((await call('reload', 'operator')).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: '/api/v1/config/reload' })).statusCode).toBe(401);
  });
});
