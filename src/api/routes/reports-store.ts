/**
 * The API's report service over the state directory: lists the files the report scheduler and the CLI
 * store under `<stateDir>/reports/<kind>/`, generates one on demand with the same model and renderers,
 * and reads one back. File names are built from checked parts only, never from a client's string.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPORT_FORMATS, renderReport, reportPath, writeReportFile, type ReportFormatName } from '../../reports/generate.js';
import { buildReportModel } from '../../reports/model/build.js';
import type { ModelInputs } from '../../reports/model/types.js';
import { REPORT_KINDS, type ReportKindName, type ReportService, type StoredReport } from '../services/index.js';
import { LANGS, type Lang } from '../../config/lang.js';

/** A period label as reportPath writes it: `2026-11-16` (a day), `2026-W47`, `2026-11`, `2026` or `2026-11-16_2026-11-22`. */
export const PERIOD_LABEL = /^\d{4}(-(W\d{2}|\d{2}|\d{2}-\d{2}(_\d{4}-\d{2}-\d{2})?))?$/;

/** What {@link reportStoreFor} needs from the running Noctua. */
export interface ReportStoreOptions {
  stateDir: string;
  timeZone: string;
  locale: Lang;
  /** Fresh sources for each report (the inventory may have been reloaded). */
  sources(): Omit<ModelInputs, 'period' | 'now'>;
  now?: () => Date;
}

/** Splits `2026-W47.zh-CN.pdf` into its parts, or undefined for any name the store would not have written. */
export function parseReportFileName(name: string): { period: string; lang: Lang; format: ReportFormatName } | undefined {
  const m = /^(.+)\.(zh-CN|en)\.(html|pdf|md)$/.exec(name);
  if (!m || !PERIOD_LABEL.test(m[1]!)) return undefined;
  if (!(LANGS as readonly string[]).includes(m[2]!) || !(REPORT_FORMATS as readonly string[]).includes(m[3]!)) return undefined;
  return { period: m[1]!, lang: m[2] as Lang, format: m[3] as ReportFormatName };
}

/** The ReportService over `<stateDir>/reports`. */
export function reportStoreFor(opts: ReportStoreOptions): ReportService {
  const root = join(opts.stateDir, 'reports');
  const describe = (kind: ReportKindName, name: string): StoredReport | undefined => {
    const parts = parseReportFileName(name);
    if (!parts) return undefined;
    try {
      const st = statSync(join(root, kind, name));
      return st.isFile() ? { kind, ...parts, bytes: st.size, modifiedAt: st.mtime } : undefined;
    } catch {
      return undefined;
    }
  };
  return {
    timeZone: opts.timeZone,
    locale: opts.locale,
    list() {
      const out: StoredReport[] = [];
      for (const kind of REPORT_KINDS) {
        let names: string[] = [];
        try { names = readdirSync(join(root, kind)); } catch { continue; }
        // Temporary files of a write in progress (`.tmp`) and anything foreign fail the name check.
        for (const name of names) {
          const r = describe(kind, name);
          if (r) out.push(r);
        }
      }
      return out;
    },
    async generate({ period, lang, format }) {
      const model = await buildReportModel({ ...opts.sources(), period, now: opts.now?.() ?? new Date() });
      const rendered = await renderReport(model, lang, format);
      const path = reportPath(opts.stateDir, period, lang, format);
      writeReportFile(path, rendered.content);
      const report = describe(period.kind, `${period.label}.${lang}.${format}`);
      if (!report) throw new Error(`report written to ${path} but not found there afterwards`);
      const s = model.summary;
      return { report, verdict: s.verdict, attentionCount: s.attentionCount, devicesInspected: s.devicesInspected };
    },
    read(kind, period, lang, format) {
      const name = `${period}.${lang}.${format}`;
      const report = describe(kind, name);
      if (!report) return undefined;
      return { report, content: readFileSync(join(root, kind, name)) };
    },
  };
}
