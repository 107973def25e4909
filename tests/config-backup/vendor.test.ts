import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILTIN_VENDOR_DIR, loadVendors } from '../../src/config-backup/vendor.js';
import { ConfigInvalidError, formatConfigError } from '../../src/config/yaml-source.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir('noctua-cfgbak-vendors-');
afterAll(() => tmp.cleanup());

describe('vendor command sets are data, checked when loaded', () => {
  it('ships the vendors of issue 22', () => {
    expect([...loadVendors().keys()].sort()).toEqual(['cisco-ios', 'cisco-nxos', 'fortios', 'generic', 'h3c-comware', 'huawei-vrp', 'juniper-junos', 'ruijie-rgos']);
  });

  it('lets a user directory replace a shipped set by name and add a new one', () => {
    const dir = join(tmp.dir, 'ok');
    mkdirSync(dir);
    writeFileSync(join(dir, 'huawei.yaml'), "name: huawei-vrp\ndescription: site copy\nprompt: '^<[\\w-]+>$'\ncommands: ['display current-configuration all']\n");
    writeFileSync(join(dir, 'myos.yaml'), "name: my-os\ndescription: in-house\nprompt: '^[\\w-]+#$'\ncommands: ['show config']\n");
    const v = loadVendors([BUILTIN_VENDOR_DIR, dir]);
    expect(v.get('huawei-vrp')!.commands).toEqual(['display current-configuration all']);
    expect(v.get('my-os')!.file).toBe(join(dir, 'myos.yaml'));
    expect(v.get('cisco-ios')!.enable?.command).toBe('enable');
  });

  it('refuses a pattern that can backtrack, and a missing command, with file:line', () => {
    const dir = join(tmp.dir, 'bad');
    mkdirSync(dir);
    writeFileSync(join(dir, 'bad.yaml'), "name: bad-os\ndescription: x\nprompt: '^(\\w+\\s?)+#$'\ncommands: []\n");
    let errors: string[] = [];
    try { loadVendors([dir]); } catch (err) { if (err instanceof ConfigInvalidError) errors = err.errors.map(formatConfigError); else throw err; }
    expect(errors[0]).toMatch(/bad\.yaml:3:\d+ prompt: refused: a repeated group that contains a repeat/);
    expect(errors[1]).toMatch(/bad\.yaml:4:\d+ commands: /);
  });
});
