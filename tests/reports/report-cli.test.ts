import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';

let errors: string[] = [];
beforeEach(() => {
  errors = [];
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => { errors.push(a.join(' ')); });
});
afterEach(() => { vi.restoreAllMocks(); });

async function refused(...argv: string[]): Promise<string> {
  const code = await main(['report', ...argv, '--config', '/nonexistent-noctua-config']);
  expect(code).toBe(2);
  return errors.join('\n');
}

describe('noctua report flags', () => {
  it('refuses a week that does not exist, naming the flag and the valid weeks', async () => {
    expect(await refused('weekly', '--week', '2026-W60')).toContain('noctua report: --week: week 60 does not exist in 2026 (weeks 1 to 53)');
  });

  it('refuses an unknown language', async () => {
    expect(await refused('weekly', '--lang', 'fr')).toContain('--lang: expected zh-CN or en, got "fr"');
  });

  it('refuses an unknown format', async () => {
    expect(await refused('weekly', '--format', 'doc')).toContain('--format: expected html, pdf, md, got "doc"');
  });

  it('refuses a missing or unknown report kind, a month 13 and mixed period flags', async () => {
    expect(await refused()).toContain('expected "daily", "weekly", "monthly" or "yearly" after "report", got nothing');
    expect(await refused('hourly')).toContain('got "hourly"');
    expect(await refused('daily', '--day', '2026-02-30')).toContain('--day: expected a date such as 2026-11-16, got "2026-02-30"');
    expect(await refused('daily', '--week', '2026-W47')).toContain('use --day 2026-11-16');
    expect(await refused('weekly', '--day', '2026-11-16')).toContain('--day belongs to "report daily"');
    expect(await refused('monthly', '--month', '2026-13')).toContain('--month: month 13 does not exist');
    expect(await refused('weekly', '--week', '2026-W47', '--from', '2026-11-16', '--to', '2026-11-22')).toContain('either --week or --from/--to');
    expect(await refused('weekly', '--from', '2026-11-16')).toContain('--from and --to go together');
    expect(await refused('monthly', '--week', '2026-W47')).toContain('use --month 2026-11');
    expect(await refused('weekly', '--bogus')).toContain("Unknown option '--bogus'");
  });
});
