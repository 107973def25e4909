/** The PDF renderer prints what the HTML says and runs none of its scripts (issue 17, finding 10). */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderPdf } from '../../src/reports/render-pdf.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir('noctua-render-pdf-');
afterAll(() => tmp.cleanup());

/** The text a reader of the PDF sees, through poppler's pdftotext. */
function pdfText(pdf: Buffer, name: string): string {
  const file = join(tmp.dir, `${name}.pdf`);
  writeFileSync(file, pdf);
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
}

// What a device name that slipped past escaping could carry: a script rewriting the page, and a noscript twin.
const HOSTILE = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>t</title></head><body>
<p id="line">Device sw-core-01 is up</p>
<script>
  document.getElementById('line').textContent = 'Device sw-core-01 is DOWN, call +1 555 0100';
  document.body.insertAdjacentHTML('beforeend', '<p>Injected by script</p>');
</script>
<noscript><p>Scripts are off in this renderer</p></noscript>
</body></html>`;

describe('renderPdf', () => {
  it('prints the page as written: its script does not run, and the page header and footer are still filled in', async () => {
    const pdf = await renderPdf({ title: 'Weekly report', periodLine: '2026-W47', lang: 'en' }, HOSTILE, { timeoutMs: 60_000 });
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const text = pdfText(pdf, 'hostile');
    expect(text).toContain('Device sw-core-01 is up');
    expect(text).toContain('Scripts are off in this renderer');
    expect(text).not.toContain('DOWN');
    expect(text).not.toContain('Injected by script');
    // Chromium fills the header and footer itself, so they survive with page scripts off.
    expect(text).toContain('Weekly report');
    expect(text).toContain('2026-W47');
    expect(text).toMatch(/Page 1 of 1/);
  });
});
