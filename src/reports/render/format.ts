import { zonedParts } from '../time-zone.js';
import { type Lang } from '../../config/lang.js';


/** Formats numbers, durations and times for one language and time zone. */
export class ReportFormat {
  private readonly nf = new Map<number, Intl.NumberFormat>();
  constructor(readonly lang: Lang, readonly timeZone: string) {}

  /** A number with exactly `digits` decimals, grouped for the locale. */
  num(v: number, digits = 0): string {
    let f = this.nf.get(digits);
    if (!f) { f = new Intl.NumberFormat(this.lang, { minimumFractionDigits: digits, maximumFractionDigits: digits }); this.nf.set(digits, f); }
    return f.format(v);
  }

  /** A percentage: `98.571 %` in English, `98.571%` in Chinese. */
  pct(v: number, digits = 1): string {
    return this.lang === 'en' ? `${this.num(v, digits)} %` : `${this.num(v, digits)}%`;
  }

  /** A duration in the largest sensible units: `2 h 24 min`, `2小时24分钟`. */
  duration(ms: number): string {
    const zh = this.lang === 'zh-CN';
    if (ms < 60_000) {
      const s = Math.round(ms / 1000);
      return zh ? `${s}秒` : `${s} s`;
    }
    const totalMin = Math.round(ms / 60_000);
    const d = Math.floor(totalMin / 1440);
    const h = Math.floor((totalMin % 1440) / 60);
    const m = totalMin % 60;
    const parts: string[] = [];
    if (d) parts.push(zh ? `${d}天` : `${d} d`);
    if (h) parts.push(zh ? `${h}小时` : `${h} h`);
    if (m || parts.length === 0) parts.push(zh ? `${m}分钟` : `${m} min`);
    return parts.join(zh ? '' : ' ');
  }

  /** `2026-11-16 14:05` in the report's time zone (the same shape in both languages, sortable). */
  dateTime(d: Date): string {
    const p = zonedParts(d, this.timeZone);
    return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')} ${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`;
  }

  /** `2026-11-16` in the report's time zone. */
  date(d: Date): string {
    return this.dateTime(d).slice(0, 10);
  }

  /** A day written out for headings: `2026年11月16日`, `16 Nov 2026`. */
  longDate(d: Date): string {
    return new Intl.DateTimeFormat(this.lang, { timeZone: this.timeZone, year: 'numeric', month: this.lang === 'en' ? 'short' : 'long', day: 'numeric' }).format(d);
  }
}
