/**
 * The entry point of reports (CLI, API, scheduler): build the model once from the sources (sources/ ->
 * model/), lay it out per language and serialise it per format (render/), store it.
 */
import { dirname, join } from 'node:path';
import { ensurePrivateDirSync, writePrivateFileSync } from '../core/private-files.js';
import { buildReportModel } from './model/build.js';
import type { ModelInputs, ReportModel } from './model/types.js';
import { REPORT_FORMATS, type ReportFormatName } from '../config/sections/reports.js';
import type { ReportPeriod } from './period.js';
import { renderPdf } from './render-pdf.js';
import { buildDocument } from './render/document.js';
import { renderHtml } from './render/html.js';
import { renderMarkdown } from './render/markdown.js';
import { type Lang } from '../config/lang.js';

// Defined with the config that names them (noctua.yaml `reports.formats`).
export { REPORT_FORMATS, type ReportFormatName };

/** A rendered report. */
export interface RenderedReport { format: ReportFormatName; lang: Lang; content: Buffer; mediaType: string }

const MEDIA: Record<ReportFormatName, string> = { html: 'text/html; charset=utf-8', pdf: 'application/pdf', md: 'text/markdown; charset=utf-8' };

/** Renders one model in one language and format (the PDF is printed from the same HTML). */
export async function renderReport(model: ReportModel, lang: Lang, format: ReportFormatName): Promise<RenderedReport> {
  const doc = buildDocument(model, lang);
  let content: Buffer;
  if (format === 'md') content = Buffer.from(renderMarkdown(doc), 'utf8');
  else {
    const html = renderHtml(doc);
    content = format === 'html' ? Buffer.from(html, 'utf8') : await renderPdf(doc, html);
  }
  return { format, lang, content, mediaType: MEDIA[format] };
}

/** Where a stored report lives: `<stateDir>/reports/<kind>/<label>.<lang>.<ext>`. */
export function reportPath(stateDir: string, period: ReportPeriod, lang: Lang, format: ReportFormatName): string {
  return join(stateDir, 'reports', period.kind, `${period.label}.${lang}.${format}`);
}

/**
 * Writes a file through a temporary name, so a reader never sees half a report; owner-only (0700/0600), since a
 * report names the customer's devices and faults.
 */
export function writeReportFile(path: string, content: Buffer): void {
  ensurePrivateDirSync(dirname(path));
  writePrivateFileSync(path, content);
}

/** Builds the model once and renders it in each requested language and format. */
export async function generateReports(inputs: ModelInputs, outputs: { lang: Lang; format: ReportFormatName }[]): Promise<{ model: ReportModel; rendered: RenderedReport[] }> {
  const model = await buildReportModel(inputs);
  const rendered: RenderedReport[] = [];
  for (const o of outputs) rendered.push(await renderReport(model, o.lang, o.format));
  return { model, rendered };
}
