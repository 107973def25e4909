import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigInvalidError, formatConfigError } from '../../../src/config/yaml-source.js';
import { repoRoot } from '../../../src/lab/paths.js';
import { tempDir } from '../../helpers/tmp.js';
import { notifyConfig, threeTierYaml } from './notify-fixture.js';

const tmp = tempDir('noctua-notify-');
afterAll(() => tmp.cleanup());

/** Every error line for a notify.yaml text, file name reduced to its base name. */
function errorsFor(yaml: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    notifyConfig(tmp.dir, yaml, env);
  } catch (err) {
    if (!(err instanceof ConfigInvalidError)) throw err;
    return err.errors.map((e) => formatConfigError({ ...e, file: e.file.replace(/^.*\//, '').replace(/-\d+/, '') }));
  }
  return [];
}

const base = threeTierYaml('http://127.0.0.1:9');

describe('notify.yaml', () => {
  it('accepts the shipped example with its environment variables set', () => {
    const env = { NOCTUA_ACK_SECRET: 'a'.repeat(20), NOCTUA_WEBHOOK_SECRET: 'b'.repeat(20), NOCTUA_DINGTALK_TOKEN: 't', NOCTUA_DINGTALK_SECRET: 'SEC1', NOCTUA_WECOM_KEY: 'k', NOCTUA_FEISHU_HOOK: 'h', NOCTUA_FEISHU_SECRET: 'f', NOCTUA_SLACK_PATH: 'T/B/x', NOCTUA_PD_ROUTING_KEY: 'r',
      NOCTUA_SLACK_SIGNING_SECRET: 's'.repeat(32), NOCTUA_FEISHU_VERIFICATION_TOKEN: 'v'.repeat(32), NOCTUA_FEISHU_ENCRYPT_KEY: 'e', NOCTUA_ALIYUN_KEY_ID: 'LTAI', NOCTUA_ALIYUN_KEY_SECRET: 'x' };
    const cfg = notifyConfig(tmp.dir, readFileSync(join(repoRoot, 'config', 'notify.example.yaml'), 'utf8'), env);
    expect(Object.keys(cfg.channels)).toEqual(['noc-webhook', 'am-bridge', 'noc-dingtalk', 'ops-wecom', 'leads-feishu', 'managers-slack', 'oncall-sms', 'oncall-voice', 'pagerduty']);
    expect(cfg.ackLinks).toMatchObject({ actions: ['ack', 'claim', 'mute'], muteFor: 3_600_000 });
    expect(cfg.phoneFallback).toEqual({ severities: ['P1'], notify: [{ channel: 'oncall-sms' }, { channel: 'oncall-voice' }] });
    expect(cfg.chat?.users['slack:U024BE7LH']).toBe('zhang.wei');
    expect(cfg.policies.P1.steps.map((s) => [s.after, s.until, s.repeat])).toEqual([[0, 'acknowledged', undefined], [1_800_000, 'acknowledged', undefined], [7_200_000, 'resolved', 1_800_000]]);
    expect(cfg.policies.P4.steps).toHaveLength(1);
  });

  it('fills the default policies from the service-contract SLA targets and the three tiers', () => {
    const cfg = notifyConfig(tmp.dir, base);
    const summary = Object.fromEntries(Object.values(cfg.policies).map((p) => [p.severity, [p.respond / 60_000, p.resolve / 60_000, p.steps.map((s) => `${s.label.en}@${s.after / 60_000}m/${s.until}`).join(' -> ')]]));
    expect(summary).toEqual({
      P1: [30, 120, 'on-site engineer@0m/acknowledged -> team lead@30m/acknowledged -> manager@120m/resolved'],
      P2: [60, 240, 'on-site engineer@0m/acknowledged -> team lead@60m/acknowledged -> manager@240m/resolved'],
      P3: [120, 480, 'on-site engineer@0m/acknowledged -> team lead@120m/acknowledged -> manager@480m/resolved'],
      P4: [240, 1440, 'on-site engineer@0m/acknowledged -> team lead@240m/acknowledged -> manager@1440m/resolved'],
    });
  });

  it('checks the report announcement targets like a tier\'s, with their positions', () => {
    const at = base.split('\n').length + 1;
    expect(errorsFor(`${base}reports:\n  notify: [{ channel: eng-a }, { person: ghost }]\n`))
      .toEqual([`notify.yaml:${at}:42 reports.notify[1].person: unknown person "ghost" (people: alice, bob, lin, max)`]);
    expect(errorsFor(`${base}reports:\n  notify: []\n`)).toEqual([`notify.yaml:${at}:11 reports.notify: expected at least one target, got a list`]);
  });

  it('refuses mention ids that would be written into a message as markup', () => {
    const yaml = base.replace('alice: { displayName: Alice, channels: [eng-a] }', 'alice: { displayName: Alice, wecomUserId: "a><@all", feishuOpenId: "x></at><at id=all", channels: [eng-a] }');
    const errors = errorsFor(yaml);
    expect(errors.some((e) => /people\.alice\.wecomUserId: expected a WeCom user id/.test(e))).toBe(true);
    expect(errors.some((e) => /people\.alice\.feishuOpenId: expected a Feishu open_id/.test(e))).toBe(true);
  });

  it('reports an unknown channel type with its position and the types it knows', () => {
    expect(errorsFor(`channels:\n  x:\n    type: telegram\n    url: http://127.0.0.1/\n`)).toContain(
      'notify.yaml:3:11 channels.x.type: expected type to be one of webhook, alertmanager, slack, dingtalk, wecom, feishu, pagerduty, aliyun-sms, aliyun-voice, tencent-sms, tencent-voice, got "telegram"');
  });

  it('reports names that point nowhere, each at its own line and column', () => {
    const yaml = `channels:
  a: { type: slack, url: "http://127.0.0.1/x" }
people:
  p1: { channels: [a, nope] }
schedules:
  s:
    rotation: weekly
    start: "2026-01-05"
    people: [p1, ghost]
tiers:
  engineer: { notify: [{ schedule: s }] }
  lead: { notify: [{ person: p2 }] }
  manager: { notify: [{ channel: b }] }
`;
    expect(errorsFor(yaml)).toEqual([
      'notify.yaml:4:23 people.p1.channels[1]: unknown channel "nope" (channels: a)',
      'notify.yaml:9:18 schedules.s.people[1]: unknown person "ghost" (people: p1)',
      'notify.yaml:12:30 tiers.lead.notify[0].person: unknown person "p2" (people: p1)',
      'notify.yaml:13:34 tiers.manager.notify[0].channel: unknown channel "b" (channels: a)',
    ]);
  });

  it('reports a bad duration, a bad hand-off time and a repeat that is not on the last step', () => {
    const yaml = base.replace('handoff: "09:00"', 'handoff: "9am"') + `policies:
  P2:
    respond: 1 hour
    resolve: 4h
    steps:
      - { after: 0s, tier: engineer, repeat: 10m }
      - { after: 1h, tier: lead }
`;
    expect(errorsFor(yaml)).toEqual([
      'notify.yaml:17:14 schedules.engineers.handoff: expected a time HH:MM such as "09:00", got "9am"',
      'notify.yaml:31:14 policies.P2.respond: expected a duration such as "30s", "5m" or "6h", got "1 hour"',
    ]);
    const cross = base + `policies:
  P2:
    respond: 1h
    resolve: 4h
    steps:
      - { after: 10m, tier: engineer, repeat: 10m }
      - { after: 5m, tier: boss }
`;
    expect(errorsFor(cross)).toEqual([
      'notify.yaml:34:47 policies.P2.steps[0].repeat: only the last step can repeat',
      'notify.yaml:35:18 policies.P2.steps[1].after: expected steps in order of "after" (at least 10 min, the step before)',
      'notify.yaml:35:28 policies.P2.steps[1].tier: unknown tier "boss" (tiers: engineer, lead, manager)',
    ]);
  });

  it('says which tiers the default policies need when they are missing', () => {
    const yaml = `channels:\n  a: { type: slack, url: "http://127.0.0.1/x" }\ntiers:\n  engineer: { notify: [{ channel: a }] }\n`;
    expect(errorsFor(yaml)).toEqual(['notify.yaml:3:1 tiers: the default P1 policy escalates through tiers engineer -> lead -> manager: define tiers lead, manager or give policies.P1.steps']);
  });

  it('rejects a template variable that does not exist, naming the ones that do', () => {
    const yaml = base.replace('eng-a: { type: webhook, url: "http://127.0.0.1:9/eng-a", secret: webhook-secret-0123456789 }',
      'eng-a:\n    type: webhook\n    url: "http://127.0.0.1:9/eng-a"\n    templates:\n      opened:\n        en: { title: "{{severty}} down" }');
    const errs = errorsFor(yaml);
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatch(/^notify\.yaml:10:22 channels\.eng-a\.templates\.opened\.en\.title: unknown template variable \{\{severty\}\} \(expected one of: kind, severity, /);
  });

  it('reports a missing secret variable and an invalid robot URL', () => {
    const yaml = `ackLinks:\n  secret: \${ACK}\nchannels:\n  d: { type: dingtalk, url: "not a url" }\n`;
    expect(errorsFor(yaml)).toEqual(['notify.yaml:2:11 ackLinks.secret: environment variable ACK is not set (referenced as ${ACK})']);
    expect(errorsFor(yaml, { ACK: 'short' })).toEqual([
      'notify.yaml:2:11 ackLinks.secret: expected a secret of at least 16 characters, got a value of 5 characters (from ${ACK})',
      'notify.yaml:4:29 channels.d.url: expected url, got a value of 9 characters',
    ]);
  });

  it('rejects link templates with placeholders it cannot fill', () => {
    const yaml = `ackLinks:\n  secret: 0123456789abcdef\n  url: "{publicUrl}/ack/{tok}"\ndashboardUrl: "{grafana}/d/x"\n` + base.slice(base.indexOf('channels:'));
    expect(errorsFor(yaml)).toEqual([
      'notify.yaml:3:8 ackLinks.url: unknown placeholder {tok} (expected {publicUrl}, {token}, {incident}, {device}, {site})',
      'notify.yaml:3:8 ackLinks.url: expected the link to contain {token}',
      'notify.yaml:4:15 dashboardUrl: unknown placeholder {grafana} (expected {publicUrl}, {incident}, {device}, {site})',
    ]);
  });
});

describe('notify.yaml: links, chat and phone fallback', () => {
  it('names each mistake in the new sections with its position', () => {
    const yaml = `ackLinks:\n  secret: 0123456789abcdef\n  claimUrl: "{publicUrl}/claim"\n  actions: [ack, snooze]\nphoneFallback:\n  notify: [{ channel: nowhere }]\nchat:\n  wecom: { token: t, encodingAesKey: short, corpId: c }\n  users: { "teams:U1": x }\n` + base.slice(base.indexOf('channels:'));
    expect(errorsFor(yaml)).toEqual([
      'notify.yaml:4:18 ackLinks.actions[1]: expected ack, claim or mute, got "snooze"',
      'notify.yaml:8:38 chat.wecom.encodingAesKey: expected an EncodingAESKey of 43 letters and digits, got a value of 5 characters',
      'notify.yaml:9:24 chat.users.teams:U1: expected a key "<platform>:<user id>" (slack, feishu, dingtalk or wecom), got "teams:U1"',
    ]);
    const refs = `ackLinks:\n  secret: 0123456789abcdef\n  claimUrl: "{publicUrl}/claim"\nphoneFallback:\n  notify: [{ channel: nowhere }]\n` + base.slice(base.indexOf('channels:'));
    expect(errorsFor(refs)).toEqual([
      'notify.yaml:3:13 ackLinks.claimUrl: expected the link to contain {token}',
      'notify.yaml:5:23 phoneFallback.notify[0].channel: unknown channel "nowhere" (channels: eng-a, eng-b, lead, mgr)',
    ]);
    expect(errorsFor(`chat:\n  slack: { signingSecret: abcdef0123456789 }\n` + base.slice(base.indexOf('channels:')).replace(/ackLinks:[\s\S]*?channels:/, 'channels:'))).toEqual([
      'notify.yaml:2:3 chat: expected ackLinks to be configured too: chat buttons carry signed link tokens',
    ]);
  });
});
