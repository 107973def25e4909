import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/loader.js';
import { ConfigInvalidError, formatConfigError } from '../../src/config/yaml-source.js';
import { tempDir } from '../helpers/tmp.js';

const L2_DEFAULTS = { maxFdbRows: 16_384, maxArpRows: 16_384, maxVlans: 4094, keepFor: 86_400_000, macMoveEvents: 10 };

/** `parent: auto` on a device, in a site's or the file's defaults, and the `topology:` section of noctua.yaml. */

const tmp = tempDir('noctua-parent-auto-');
afterAll(() => tmp.cleanup());
let n = 0;
function load(devices: string, noctua?: string) {
  const dir = join(tmp.dir, `c${n++}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'devices.yaml'), devices);
  if (noctua !== undefined) writeFileSync(join(dir, 'noctua.yaml'), noctua);
  return loadConfig(dir, {});
}
function errors(devices: string, noctua?: string): string[] {
  try { load(devices, noctua); } catch (err) {
    if (!(err instanceof ConfigInvalidError)) throw err;
    return err.errors.map((e) => formatConfigError({ ...e, file: e.file.replace(/^.*\//, '') }));
  }
  return [];
}

const INVENTORY = `defaults:
  parent: auto
sites:
  - name: lab
    defaults: { parent: auto }
devices:
  - { name: core, address: 10.0.0.1, class: router }
  - { name: dist, address: 10.0.0.2, class: switch, parent: core }
  - { name: acc, address: 10.0.0.3, class: switch, parent: auto }
`;

describe('parent: auto', () => {
  it('marks devices without an explicit parent as derived; an explicit parent wins', () => {
    const cfg = load(INVENTORY, 'topology: { root: core, lostAfter: 5, l2: { maxFdbRows: 2048, keepFor: 6h } }\n');
    expect(cfg.devices.map((d) => [d.name, d.parent, d.parentAuto])).toEqual([['core', undefined, true], ['dist', 'core', undefined], ['acc', undefined, true]]);
    expect(cfg.settings.topology).toEqual({ root: 'core', lostAfter: 5, l2: { ...L2_DEFAULTS, maxFdbRows: 2048, keepFor: 6 * 3_600_000 } });
  });

  it('is off unless asked for, and the topology section has defaults', () => {
    const cfg = load('devices:\n  - { name: a, address: 10.0.0.1, class: switch }\n');
    expect(cfg.devices[0]!.parentAuto).toBeUndefined();
    expect(cfg.settings.topology).toEqual({ lostAfter: 3, l2: L2_DEFAULTS });
  });

  it('rejects another word in defaults and a bad lostAfter, naming file, line and field', () => {
    expect(errors('defaults: { parent: core }\ndevices:\n  - { name: core, address: 10.0.0.1, class: router }\n')).toEqual([
      'devices.yaml:1:21 defaults.parent: expected auto, got "core"',
    ]);
    expect(errors('devices:\n  - { name: a, address: 10.0.0.1, class: switch }\n', 'topology: { lostAfter: 0 }\n')).toEqual([
      'noctua.yaml:1:24 topology.lostAfter: expected a value >= 1, got 0',
    ]);
    expect(errors('devices:\n  - { name: a, address: 10.0.0.1, class: switch }\n', 'topology: { root: core }\n')).toEqual([
      'noctua.yaml:1:19 topology.root: unknown device "core" (expected the name of a device in devices.yaml)',
    ]);
    expect(errors('devices:\n  - { name: a, address: 10.0.0.1, class: switch }\n', 'topology:\n  l2: { maxFdbRows: 0, keepFor: soon }\n')).toEqual([
      'noctua.yaml:2:21 topology.l2.maxFdbRows: expected a value >= 1, got 0',
      'noctua.yaml:2:33 topology.l2.keepFor: expected a duration such as "30s", "5m" or "6h", got "soon"',
    ]);
  });
});
