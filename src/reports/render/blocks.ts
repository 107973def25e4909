/**
 * The pieces a report document is made of, independent of the output format, and what every section
 * builder is handed: the model, the words and number formats of one language.
 */
import type { ReportModel } from '../model/types.js';
import { ReportFormat } from './format.js';
import { strings, type Strings } from './i18n.js';
import { type Lang } from '../../config/lang.js';

/** A cell with an optional emphasis. */
export type Cell = string | { text: string; tone?: 'good' | 'warn' | 'bad' | 'muted' };

/** One block of content. */
export type Block =
  | { type: 'p'; text: string; tone?: 'warn' | 'note' }
  | { type: 'h3'; text: string }
  | { type: 'kpis'; items: { label: string; value: string; sub?: string; tone?: 'good' | 'warn' | 'bad' }[] }
  | { type: 'table'; head: string[]; rows: Cell[][]; align?: ('l' | 'r' | 'c')[]; variant?: 'incidents' | 'devices' }
  | { type: 'list'; items: string[]; ordered: boolean }
  | { type: 'chart'; svg: string; alt: string };

/** One numbered section of the report. */
export interface ReportSection { title: string; blocks: Block[] }

/** Printed where a value is missing (explained in the footnote). */
export const DASH = '—';

/** `text（note）` in Chinese, `text (note)` in English. */
export function paren(zh: boolean, text: string, note: string): string {
  return zh ? `${text}（${note}）` : `${text} (${note})`;
}

/** The model in one language: what every section builder needs. */
export interface SectionContext {
  model: ReportModel;
  lang: Lang;
  zh: boolean;
  s: Strings;
  fmt: ReportFormat;
  /** A percentage with 1 / 3 decimals, or a dash. */
  pct1(v: number | undefined): string;
  pct3(v: number | undefined): string;
  /** Milliseconds with 1 decimal, or a dash. */
  ms(v: number | undefined): string;
  /** The notice a section shows when the period has no data at all. */
  noDataNote: Block;
}

/** The context of one model in one language. */
export function sectionContext(model: ReportModel, lang: Lang): SectionContext {
  const s = strings(lang);
  const fmt = new ReportFormat(lang, model.period.timeZone);
  const opt = (v: number | undefined, f: (v: number) => string): string => (v === undefined ? DASH : f(v));
  return {
    model, lang, zh: lang === 'zh-CN', s, fmt,
    pct1: (v) => opt(v, (x) => fmt.pct(x)),
    pct3: (v) => opt(v, (x) => fmt.pct(x, 3)),
    ms: (v) => opt(v, (x) => `${fmt.num(x, 1)} ms`),
    noDataNote: { type: 'p', text: s.noDataPeriod, tone: 'warn' },
  };
}
