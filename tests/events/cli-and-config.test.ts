import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { command } from '../../src/cli/events.js';
import { eventsSectionSchema } from '../../src/config/sections/events.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir('noctua-events-cli-');
afterAll(() => tmp.cleanup());

async function runCli(args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => { lines.push(a.join(' ')); });
  try { return { code: await command.run(args), out: lines.join('\n') }; } finally { spy.mockRestore(); }
}

describe('noctua events test', () => {
  it('decodes a captured trap with the inventory and the user catalog in config/events', async () => {
    const cfg = join(tmp.dir, 'config');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(cfg, 'events'), { recursive: true });
    writeFileSync(join(cfg, 'devices.yaml'), 'devices:\n  - { name: core-sw, address: 10.1.1.1, class: switch }\n');
    writeFileSync(join(cfg, 'events', 'acme.yaml'), 'vendor: acme\ntraps:\n  - { oid: 1.3.6.1.4.1.99999.0.1, name: acmeDoorOpen, type: door-open, severity: minor, text: { en: "Cabinet door open", zh-CN: "机柜门打开" } }\n');
    const trap = join(tmp.dir, 'trap.json');
    writeFileSync(trap, JSON.stringify({ from: '10.1.1.1', trapOid: '1.3.6.1.4.1.99999.0.1', varbinds: [] }));
    const r = await runCli(['test', trap, '--config', cfg]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('device "core-sw"');
    expect(r.out).toContain('type door-open  severity minor  vendor acme');
    expect(r.out).toContain('zh-CN: 机柜门打开');
  });

  it('prints syslog lines as event samples with --json', async () => {
    const file = join(tmp.dir, 'lines.log');
    writeFileSync(file, '<189>Dec  2 07:00:00 sw %LINK-3-UPDOWN: Interface Gi0/1, changed state to down\n');
    const r = await runCli(['test', file, '--config', join(tmp.dir, 'none'), '--json']);
    const sample = JSON.parse(r.out) as { tags: Record<string, string> };
    expect(sample.tags).toMatchObject({ type: 'link-down', ifName: 'Gi0/1', source: 'syslog', device: 'unknown source' });
  });

  it('says what is wrong with a bad trap file', async () => {
    const file = join(tmp.dir, 'bad.json');
    writeFileSync(file, '{"varbinds": []}');
    await expect(runCli(['test', file, '--config', join(tmp.dir, 'none')])).rejects.toThrow(/expected "trapOid"/);
  });
});

describe('events: config section', () => {
  it('defaults to unprivileged loopback ports, both receivers off', () => {
    const s = eventsSectionSchema.parse({});
    expect(s.traps).toMatchObject({ enabled: false, listen: { host: '127.0.0.1', port: 10162 }, communities: ['public'] });
    expect(s.syslog).toMatchObject({ enabled: false, udp: { host: '127.0.0.1', port: 10514 }, tcp: { host: '127.0.0.1', port: 10514 }, maxMessageBytes: 8192 });
    expect(s.storm).toEqual({ window: 60_000, threshold: 5 });
  });

  it('rejects a bad listen address and an authPriv user without privacy settings, naming the field', () => {
    const r = eventsSectionSchema.safeParse({ traps: { listen: 'localhost:162', users: [{ name: 'u', level: 'authPriv', authProtocol: 'sha', authKey: '12345678' }] } });
    expect(r.success).toBe(false);
    const issues = r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues).toEqual(expect.arrayContaining([
      expect.stringMatching(/^traps\.listen: expected an IP address and port/),
      expect.stringMatching(/^traps\.users\.0\.privProtocol: required for level authPriv/),
      expect.stringMatching(/^traps\.users\.0\.privKey: required/),
    ]));
  });
});
