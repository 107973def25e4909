import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadInventory } from '../../src/config/loader.js';
import { formatConfigError } from '../../src/config/yaml-source.js';
import { tempDir } from '../helpers/tmp.js';

/** The operator's `asset:` blocks in devices.yaml: merged file → site → device, and mistakes named with file:line. */

const tmp = tempDir('noctua-asset-fields-');
afterAll(() => tmp.cleanup());

function load(text: string) {
  const file = join(tmp.dir, 'devices.yaml');
  writeFileSync(file, text);
  const r = loadInventory(file);
  return { ...r, messages: r.errors.map(formatConfigError) };
}

describe('asset fields in devices.yaml', () => {
  it('merges defaults, site and device blocks, the device winning; unquoted dates stay dates as written', () => {
    const r = load([
      'defaults:', '  asset: { owner: 网络组, contract: HT-2026-001 }',
      'sites:', '  - name: branch', '    defaults: { asset: { contract: HT-2026-BR } }',
      'devices:',
      '  - { name: sw1, address: 192.0.2.1, class: switch, site: branch, asset: { assetTag: ZC-0001, purchaseDate: 2024-01-15, warrantyEnd: 2027-01-14 } }',
      '  - { name: sw2, address: 192.0.2.2, class: switch }',
    ].join('\n'));
    expect(r.messages).toEqual([]);
    expect(r.devices.find((d) => d.name === 'sw1')!.asset).toEqual({ owner: '网络组', contract: 'HT-2026-BR', assetTag: 'ZC-0001', purchaseDate: '2024-01-15', warrantyEnd: '2027-01-14' });
    expect(r.devices.find((d) => d.name === 'sw2')!.asset).toEqual({ owner: '网络组', contract: 'HT-2026-001' });
  });

  it('names the file, line and field of an impossible date, a reversed warranty, an unknown key and blank text', () => {
    const r = load([
      'devices:',
      '  - name: sw1',
      '    address: 192.0.2.1',
      '    class: switch',
      '    asset:',
      '      warrantyEnd: 2027-02-30',
      '  - { name: sw2, address: 192.0.2.2, class: switch, asset: { purchaseDate: 2025-05-01, warrantyEnd: 2024-05-01 } }',
      '  - { name: sw3, address: 192.0.2.3, class: switch, asset: { warranty: 2027-01-01 } }',
      '  - { name: sw4, address: 192.0.2.4, class: switch, asset: { owner: "  " } }',
    ].join('\n'));
    const all = r.messages.join('\n');
    expect(all).toMatch(/devices\.yaml:6:\d+.*devices\[0\]\.asset\.warrantyEnd.*exists in the calendar/);
    expect(all).toMatch(/devices\.yaml:7:\d+.*devices\[1\]\.asset\.warrantyEnd.*before purchaseDate/);
    expect(all).toMatch(/devices\.yaml:8:\d+.*warranty/);
    expect(all).toMatch(/devices\.yaml:9:\d+.*devices\[3\]\.asset\.owner.*not blank/);
  });
});
