import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../config/loader.js';
import { LANGS, type Lang } from '../config/lang.js';
import { openStateDb } from '../core/database.js';
import { assetTable, toCsv, toXlsx } from '../service/assets/export.js';
import { assetService } from '../service/assets/service.js';
import { parseFlags, UsageError, type CliCommand } from './command.js';

const FORMATS = ['csv', 'xlsx'] as const;

/** `noctua assets export`: the asset register as CSV or an Excel workbook. */
export const command: CliCommand = {
  name: 'assets',
  summary: 'Export the asset register (资产统计): devices, parts, serials, firmware and warranty fields, as CSV or xlsx.',
  usage: [
    'noctua assets export --format csv|xlsx [--out FILE] [--lang zh-CN|en] [--config DIR]',
    '  Reads the state database of <stateDir> and the inventory of DIR/devices.yaml. Without --out the file is',
    '  written to standard output (csv) or to assets.xlsx (xlsx). Headers follow noctua.yaml locale unless --lang is given.',
  ].join('\n'),
  async run(argv) {
    const { values, positionals } = parseFlags(argv, {
      format: { type: 'string' }, out: { type: 'string', short: 'o' }, lang: { type: 'string' }, config: { type: 'string', short: 'c', default: 'config' },
    }, true);
    if (positionals[0] !== 'export' || positionals.length !== 1) throw new UsageError('expected: noctua assets export --format csv|xlsx');
    const format = values.format;
    if (!format || !(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format: expected csv or xlsx, got ${JSON.stringify(format ?? '')}`);
    if (format === 'xlsx' && values.out === '-') throw new UsageError('--out -: an xlsx workbook is binary; give a file name');
    if (values.lang !== undefined && !(LANGS as readonly string[]).includes(values.lang)) throw new UsageError(`--lang: expected ${LANGS.join(' or ')}, got ${JSON.stringify(values.lang)}`);
    const cfg = loadConfig(values.config!);
    const lang = (values.lang as Lang | undefined) ?? cfg.settings.locale;
    if (!existsSync(join(cfg.stateDir, 'noctua.db'))) {
      console.error(`no state database at ${join(cfg.stateDir, 'noctua.db')}: the asset register is filled by a running Noctua's inventory polls (noctua start)`);
      return 1;
    }
    const db = openStateDb(cfg.stateDir);
    let table;
    try { table = assetTable(assetService(db, () => cfg.devices).list(), lang); } finally { db.close(); }
    const out = values.out ?? (format === 'xlsx' ? 'assets.xlsx' : '-');
    const content = format === 'csv' ? toCsv(table) : await toXlsx(table, lang === 'zh-CN' ? '资产' : 'Assets');
    if (out === '-') {
      process.stdout.write(content);
      return 0;
    }
    writeFileSync(out, content);
    console.log(`${out}: ${table.rows.length} rows (${format}, ${lang})`);
    return 0;
  },
};
