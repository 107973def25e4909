import { existsSync } from 'node:fs';
import { xml } from './render/charts.js';
import type { ReportDocument } from './render/document.js';

/** Debian's chromium: reports never download a browser. */
export const CHROMIUM_PATH = process.env.NOCTUA_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

const HEADER_FONT = 'font-family: \'Noto Sans CJK SC\', \'DejaVu Sans\', sans-serif; font-size: 8px; color: #667;';

/** What the page header and footer need from a report. */
export type PdfHeading = Pick<ReportDocument, 'title' | 'periodLine' | 'lang'>;

/**
 * Prints the report's HTML to an A4 PDF with headless Chromium: the period in every page header and
 * `page / pages` in the footer, so a forwarded page is never out of context.
 * The page runs no script and reaches no network: the HTML is self-contained, and a device name that got past
 * escaping still cannot act or call out.
 */
export async function renderPdf(doc: PdfHeading, html: string, opts: { timeoutMs?: number } = {}): Promise<Buffer> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`PDF reports need Chromium at ${CHROMIUM_PATH}: apt install chromium, or set NOCTUA_CHROMIUM to its path`);
  }
  // Loaded here, not at start: only a PDF needs the browser driver, and check-config or poll never pay for it.
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: opts.timeoutMs ?? 60_000 });
  try {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.route('**/*', (route) => (route.request().url().startsWith('data:') ? route.continue() : route.abort()));
    await page.setContent(html, { waitUntil: 'load', timeout: opts.timeoutMs ?? 60_000 });
    const pageWord = doc.lang === 'zh-CN' ? ['第 ', ' 页 / 共 ', ' 页'] : ['Page ', ' of ', ''];
    const pdf = await page.pdf({
      format: 'A4',
      printBackground: true,
      displayHeaderFooter: true,
      margin: { top: '18mm', bottom: '16mm', left: '12mm', right: '12mm' },
      headerTemplate: `<div style="${HEADER_FONT} width: 100%; margin: 0 12mm; display: flex; justify-content: space-between; border-bottom: 0.5px solid #ccd; padding-bottom: 1mm;"><span>${xml(doc.title)}</span><span>${xml(doc.periodLine)}</span></div>`,
      footerTemplate: `<div style="${HEADER_FONT} width: 100%; margin: 0 12mm; text-align: center;">${pageWord[0]}<span class="pageNumber"></span>${pageWord[1]}<span class="totalPages"></span>${pageWord[2]}</div>`,
    });
    return Buffer.from(pdf);
  } finally {
    await browser.close();
  }
}
