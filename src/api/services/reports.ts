import type { ReportFormatName } from '../../reports/generate.js';
import type { ReportPeriod } from '../../reports/period.js';
import type { Awaitable } from './awaitable.js';
import { type Lang } from '../../config/lang.js';

/** Folders reports are stored in: the scheduled kinds, plus `custom` for a --from/--to range. */
export const REPORT_KINDS = ['daily', 'weekly', 'monthly', 'yearly', 'custom'] as const;
/** One report folder. */
export type ReportKindName = (typeof REPORT_KINDS)[number];

/** A report file under the state directory (`reports/<kind>/<period>.<lang>.<format>`). */
export interface StoredReport {
  kind: ReportKindName;
  /** The period label: `2026-W47`, `2026-11` or `2026-11-16_2026-11-22`. */
  period: string;
  lang: Lang;
  format: ReportFormatName;
  bytes: number;
  modifiedAt: Date;
}

/** A report asked for through the API; the period is already checked. */
export interface ReportRequest {
  period: ReportPeriod;
  lang: Lang;
  format: ReportFormatName;
}

/** What generating a report produced. */
export interface GeneratedReport {
  report: StoredReport;
  verdict: 'normal' | 'abnormal' | 'no-data';
  attentionCount: number;
  devicesInspected: number;
}

/** The report store and generator (src/reports) over the state directory. */
export interface ReportService {
  /** Time zone periods are read in (noctua.yaml `timezone`). */
  readonly timeZone: string;
  /** Lang a report is written in when the request names none. */
  readonly locale: Lang;
  list(): Awaitable<StoredReport[]>;
  generate(request: ReportRequest): Promise<GeneratedReport>;
  /** The stored file, or undefined when there is none; the name parts are already checked. */
  read(kind: ReportKindName, period: string, lang: Lang, format: ReportFormatName): Awaitable<{ report: StoredReport; content: Buffer } | undefined>;
}
