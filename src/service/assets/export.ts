import type { Lang } from '../../config/lang.js';
import type { AssetView } from './view.js';

/** Column keys of the asset export, in order. */
const COLUMNS = [
  'device', 'site', 'class', 'item', 'position', 'name', 'vendor', 'model', 'serial', 'firmware', 'hardware',
  'assetTag', 'owner', 'contract', 'purchaseDate', 'warrantyEnd', 'inInventory', 'lastSeen',
] as const;
type Column = (typeof COLUMNS)[number];

const HEAD: Record<Lang, Record<Column, string>> = {
  en: {
    device: 'Device', site: 'Site', class: 'Class', item: 'Item', position: 'Position (entPhysicalIndex)', name: 'Name', vendor: 'Vendor / maker',
    model: 'Model', serial: 'Serial number', firmware: 'Firmware / software', hardware: 'Hardware revision', assetTag: 'Asset tag', owner: 'Owner',
    contract: 'Contract', purchaseDate: 'Purchase date', warrantyEnd: 'Warranty end', inInventory: 'In inventory', lastSeen: 'Last inventory poll (UTC)',
  },
  'zh-CN': {
    device: '设备', site: '站点', class: '类别', item: '项目', position: '位置（entPhysicalIndex）', name: '名称', vendor: '厂商',
    model: '型号', serial: '序列号', firmware: '固件/软件版本', hardware: '硬件版本', assetTag: '资产编号', owner: '责任人',
    contract: '合同', purchaseDate: '采购日期', warrantyEnd: '保修截止', inInventory: '在清单中', lastSeen: '最近资产采集（UTC）',
  },
};

const WORDS: Record<Lang, { device: string; yes: string; no: string }> = {
  en: { device: 'device', yes: 'yes', no: 'no' },
  'zh-CN': { device: '整机', yes: '是', no: '否' },
};

/** The export as a table of text: a header row, then per device one device row followed by its parts. */
export function assetTable(assets: readonly AssetView[], lang: Lang): { head: string[]; rows: string[][] } {
  const w = WORDS[lang];
  const rows: string[][] = [];
  for (const a of assets) {
    const common = { device: a.device, site: a.site, class: a.class };
    const op = { assetTag: a.asset.assetTag ?? '', owner: a.asset.owner ?? '', contract: a.asset.contract ?? '', purchaseDate: a.asset.purchaseDate ?? '', warrantyEnd: a.asset.warrantyEnd ?? '' };
    const inInv = a.inInventory ? w.yes : w.no;
    const last = a.lastSeen?.toISOString().replace(/\.\d{3}Z$/, 'Z') ?? '';
    rows.push(line({ ...common, ...op, item: w.device, position: '', name: '', vendor: a.vendor, model: a.model, serial: a.serial, firmware: a.firmware, hardware: a.hardware, inInventory: inInv, lastSeen: last }));
    for (const p of a.parts) {
      rows.push(line({
        ...common, item: p.part, position: p.entity, name: p.name || p.descr, vendor: p.manufacturer, model: p.model, serial: p.serial, firmware: p.firmware,
        hardware: p.hardware, assetTag: '', owner: '', contract: '', purchaseDate: '', warrantyEnd: '', inInventory: inInv, lastSeen: last,
      }));
    }
  }
  return { head: COLUMNS.map((c) => HEAD[lang][c]), rows };
}

function line(v: Record<Column, string>): string[] {
  return COLUMNS.map((c) => printable(v[c]));
}

/** XML 1.0 (inside xlsx) cannot hold C0 control characters other than tab and newline; device text should have none, but operator text might. */
function printable(s: string): string {
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '');
}

/**
 * One CSV cell: a cell a spreadsheet would run as a formula (leading = + - @, or tab / carriage return that
 * some readers strip before looking) gets a leading apostrophe, since serials and names come from devices;
 * then RFC 4180 quoting.
 */
export function csvCell(s: string): string {
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) || safe !== safe.trim() ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The table as CSV: UTF-8 with a byte-order mark (so Excel reads Chinese right), CRLF line ends (RFC 4180). */
export function toCsv(t: { head: string[]; rows: string[][] }): string {
  return '\ufeff' + [t.head, ...t.rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** The table as an xlsx workbook (one sheet, header row frozen); every cell is written as text, never as a formula. */
export async function toXlsx(t: { head: string[]; rows: string[][] }, sheetName: string): Promise<Buffer> {
  // Loaded here: exceljs is large and only this command needs it.
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Noctua';
  const ws = wb.addWorksheet(sheetName, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.addRow(t.head).font = { bold: true };
  // addRow treats only { formula } objects as formulas: a string starting with "=" stays a string cell.
  for (const r of t.rows) ws.addRow(r);
  ws.columns.forEach((c, i) => { c.width = Math.min(40, Math.max(10, ...[t.head[i] ?? '', ...t.rows.slice(0, 200).map((r) => r[i] ?? '')].map((x) => x.length + 2))); });
  return Buffer.from(await wb.xlsx.writeBuffer());
}
