/**
 * The report laid out in one language: headings, tables, charts and sentences, independent of the
 * output format. HTML (and through it PDF) and Markdown are serialisations of this document. Each
 * numbered section is built by its own function in sections/.
 */
import type { ReportModel } from '../model/types.js';
import { paren, sectionContext, type Block, type Cell, type ReportSection, type SectionContext } from './blocks.js';
import { periodText, reportTitle, sectionTitle, strings, verdictText } from './i18n.js';
import { assetChangeBlocks } from './sections/assets.js';
import { capacityBlocks } from './sections/capacity.js';
import { carriedOverBlocks, dailyIncidentBlocks, dailySummaryBlocks, handOverBlocks, topFaultyBlocks } from './sections/daily.js';
import { changeBlocks } from './sections/changes.js';
import { complianceBlocks } from './sections/compliance.js';
import { configChangeBlocks } from './sections/config-changes.js';
import { deviceBlocks } from './sections/devices.js';
import { eventBlocks } from './sections/events.js';
import { incidentBlocks } from './sections/incidents.js';
import { linkBlocks } from './sections/links.js';
import { powerBlocks } from './sections/power.js';
import { recommendationBlocks } from './sections/recommendations.js';
import { summaryBlocks } from './sections/summary.js';
import { type Lang } from '../../config/lang.js';

export type { Block, Cell, ReportSection };

/** A whole report in one language. */
export interface ReportDocument {
  lang: Lang;
  title: string;
  /** Period line for headers: `2026-W47 · 2026年11月16日 至 2026年11月22日`. */
  periodLine: string;
  meta: { label: string; value: string }[];
  verdict: { text: string; tone: 'good' | 'bad' | 'muted' };
  sections: ReportSection[];
  footnotes: string[];
}

/** A section builder; it may carry its own `title`, else the title is the one of its position in `strings().sections`. */
type SectionBuilder = ((ctx: SectionContext) => Block[]) & { title?: Record<Lang, string> };

/** The sections in report order; the position is the section number (sectionTitle). */
const SECTIONS: readonly SectionBuilder[] = [
  summaryBlocks, deviceBlocks, linkBlocks, powerBlocks, incidentBlocks, changeBlocks, capacityBlocks, recommendationBlocks,
  eventBlocks,
  configChangeBlocks, complianceBlocks,
];

/** A weekly/monthly builder under the title it has there (its index in `strings().sections`), for the daily order. */
function titled(build: (ctx: SectionContext) => Block[], index: number): SectionBuilder {
  return Object.assign((ctx: SectionContext) => build(ctx), { title: { en: strings('en').sections[index]!, 'zh-CN': strings('zh-CN').sections[index]! } });
}

/** The daily summary (日报): its own day sections, then the weekly/monthly builders for events, configuration and assets. */
const DAILY_SECTIONS: readonly SectionBuilder[] = [
  dailySummaryBlocks, dailyIncidentBlocks, carriedOverBlocks, topFaultyBlocks, handOverBlocks,
  titled(eventBlocks, SECTIONS.indexOf(eventBlocks)), configChangeBlocks, complianceBlocks, assetChangeBlocks,
  titled(recommendationBlocks, SECTIONS.indexOf(recommendationBlocks)),
];

/** Lays out the model in one language. */
export function buildDocument(model: ReportModel, lang: Lang): ReportDocument {
  const ctx = sectionContext(model, lang);
  const { s, fmt, zh } = ctx;
  const period = model.period;
  const sections = (model.daily ? DAILY_SECTIONS : SECTIONS).map((build, i) => ({ title: sectionTitle(lang, i, build.title?.[lang]), blocks: build(ctx) }));
  const tz = period.timeZone;
  return {
    lang,
    title: reportTitle(lang, period),
    periodLine: paren(zh, periodText(fmt, period), tz),
    meta: [
      { label: s.period, value: `${periodText(fmt, period)}${period.kind === 'custom' ? '' : ` · ${period.label}`}` },
      { label: s.timeZone, value: tz },
      { label: s.generated, value: fmt.dateTime(model.generatedAt) },
    ],
    verdict: { text: verdictText(lang, model), tone: model.summary.verdict === 'normal' ? 'good' : model.summary.verdict === 'abnormal' ? 'bad' : 'muted' },
    sections,
    footnotes: [
      zh
        ? `可用率：设备 ICMP 探测结果为在线的样本数占本周期全部探测样本数的比例；中断时长 =（1 − 可用率）× 周期时长；整体可用率为各设备可用率的平均值。SLA 按响应（发生→确认）与解决（发生→恢复）时间计算。${s.legendDash}。`
        : `Availability: the share of the period's ICMP probe samples in which the device answered; downtime = (1 − availability) × period length; overall availability is the mean over devices. SLA response is opened → acknowledged, resolution opened → resolved. ${s.legendDash}.`,
    ],
  };
}
