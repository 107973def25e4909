import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { formatTransition, replay } from '../../../src/cli/alerts.js';
import { main } from '../../../src/cli/main.js';
import { tempDir } from '../../helpers/tmp.js';

const FIX = 'tests/fixtures/alerting';
const tmp = tempDir('noctua-alerts-cli-');
afterAll(() => tmp.cleanup());

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = []; const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => { out.push(a.join(' ')); });
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => { err.push(a.join(' ')); });
  try {
    const code = await main(argv);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally { log.mockRestore(); error.mockRestore(); }
}

describe('noctua alerts test', () => {
  it('replays the recorded core outage through the default rules with exactly the expected transitions', async () => {
    const got = await replay({ rules: 'config/alerts.example.yaml', samples: `${FIX}/core-outage.jsonl`, devices: `${FIX}/core-outage.devices.yaml` });
    const expected = readFileSync(`${FIX}/core-outage.expected.txt`, 'utf8').trimEnd().split('\n');
    expect(got.map(formatTransition)).toEqual(expected);
    // The story the recording tells: one P1 incident for the router with both switches behind it.
    const opened = got.filter((t) => t.type === 'incident' && t.event === 'opened');
    expect(opened.map((t) => t.type === 'incident' && [t.id, t.severity, t.device, t.suppressedDevices])).toEqual([
      ['INC-1', 'P1', 'core-rtr-01', ['acc-sw-01', 'acc-sw-02']],
      ['INC-2', 'P1', 'ups-01', []],
      ['INC-3', 'P2', 'acc-sw-02', []],
      ['INC-4', 'P4', 'core-rtr-01', []],
    ]);
  });

  it('--json prints one object per transition and --tail lets timers run after the last sample', async () => {
    const r = await run(['alerts', 'test', '--rules', 'config/alerts.example.yaml', '--samples', `${FIX}/core-outage.jsonl`, '--devices', `${FIX}/core-outage.devices.yaml`, '--json', '--tail', '1h']);
    expect(r.code).toBe(0);
    const lines = r.out.split('\n').map((l) => JSON.parse(l) as { type: string; state?: string; rule?: string; time: string });
    expect(lines.at(-2)).toMatchObject({ type: 'alert', state: 'resolved', rule: 'device-rebooted', time: '2026-11-23T09:05:00.000Z' });
  });

  it('exits 1 with file:line:col errors on an invalid rules file', async () => {
    const bad = join(tmp.dir, 'bad.yaml');
    writeFileSync(bad, 'rules:\n  - name: cpu\n    severity: P9\n    select: { measurement: cpu }\n    condition: { threshold: { field: load_pct, op: ">", value: 90 } }\n    summary: x\n');
    const r = await run(['alerts', 'test', '--rules', bad, '--samples', `${FIX}/core-outage.jsonl`]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${bad}:3:15 rules[0].severity: expected P1, P2, P3 or P4, got "P9"`);
  });

  it('exits 1 naming the line of a sample that is not one', async () => {
    const bad = join(tmp.dir, 'bad.jsonl');
    writeFileSync(bad, `${readFileSync(`${FIX}/core-outage.jsonl`, 'utf8').split('\n')[0]}\n{"measurement":"icmp","tags":{},"fields":{"up":true}}\n`);
    const r = await run(['alerts', 'test', '--rules', 'config/alerts.example.yaml', '--samples', bad]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${bad}:2:1 expected a sample as printed by \`noctua poll --json\`: time: expected an RFC 3339 timestamp`);
  });

  it('exits 2 on bad flags, naming the flag', async () => {
    expect((await run(['alerts', 'test', '--rules', 'config/alerts.example.yaml'])).err).toContain('--samples: required');
    expect((await run(['alerts', 'test', '--rules', 'x', '--samples', 'y', '--tail', 'soon'])).code).toBe(2);
    expect((await run(['alerts', 'test', '--rulez', 'x'])).code).toBe(2);
    expect((await run(['alerts', 'frobnicate', '--rules', 'x'])).err).toContain('unknown subcommand "frobnicate" (expected check or test)');
  });
});

describe('noctua alerts check', () => {
  it('says what the default rules file holds', async () => {
    const r = await run(['alerts', 'check', '--rules', 'config/alerts.example.yaml']);
    expect(r).toMatchObject({ code: 0, out: 'ok: 33 rules, 1 maintenance window' });
  });
});
