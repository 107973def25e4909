import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeReportFile } from '../../src/reports/generate.js';
import { tempDir } from '../helpers/tmp.js';

describe('stored reports', () => {
  const tmp = tempDir('noctua-report-mode-');
  afterAll(() => tmp.cleanup());

  it('are written owner-only (0600 in 0700 folders) whatever the umask', () => {
    const old = process.umask(0o022);
    try {
      const path = join(tmp.dir, 'reports', 'weekly', '2026-W47.en.html');
      writeReportFile(path, Buffer.from('<p>report</p>'));
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(statSync(join(tmp.dir, 'reports', 'weekly')).mode & 0o777).toBe(0o700);
    } finally { process.umask(old); }
  });
});
