import { describe, expect, it } from 'vitest';
import type { Notice } from '../../../src/alerting/escalation/notice.js';
import { fitBytes, renderNotice } from '../../../src/alerting/escalation/templates.js';
import { chatMarkdown, plainText, slackMrkdwn } from '../../../src/alerting/notifiers/markup.js';

const notice: Notice = {
  id: 'ntc-1', kind: 'opened', channel: 'dt', locale: 'zh-CN', timezone: 'Asia/Shanghai', createdAt: '2026-01-05T02:00:00.000Z',
  incident: {
    id: 'inc-1', key: 'device:core-sw-01', title: 'core-sw-01 不可达', severity: 'P1', state: 'open', device: 'core-sw-01', site: 'hq',
    openedAt: '2026-01-05T02:00:00.000Z',
    alerts: [{ fingerprint: 'f', rule: 'device-down', severity: 'P1', device: 'core-sw-01', instance: '', state: 'firing', summary: 'core-sw-01 无法 ping 通', labels: {}, startsAt: '2026-01-05T02:00:00.000Z' }],
  },
  step: 0, tier: '现场工程师', repeat: 0, recipients: [{ name: 'zw', displayName: '张伟', mobile: '13800000001' }],
  links: { ack: 'https://noc.example.com/ack/t.s', dashboard: 'https://noc.example.com/wall?incident=inc-1' },
};

describe('notice templates', () => {
  it('writes a zh-CN fault notice with device, site, severity, what, local start time and both links', () => {
    const text = renderNotice(notice, chatMarkdown, undefined, (r) => `@${r.mobile}`);
    expect(text.title).toBe('【P1 故障】core-sw-01 不可达');
    expect(text.body.split('\n\n')).toEqual([
      '级别：P1（紧急）', '设备：core-sw-01', '站点：hq', '故障内容：core-sw-01 无法 ping 通', '开始时间：2026-01-05 10:00:00 GMT+8',
      '通知：@13800000001', '[确认故障](https://noc.example.com/ack/t.s)  [查看面板](https://noc.example.com/wall?incident=inc-1)',
    ]);
  });

  it('writes an English recovery notice with the outage duration and no acknowledge link', () => {
    const resolved: Notice = { ...notice, kind: 'resolved', locale: 'en', outageMs: 3_723_000, incident: { ...notice.incident, state: 'resolved', resolvedAt: '2026-01-05T03:02:03.000Z' } };
    const text = renderNotice(resolved, slackMrkdwn);
    expect(text.title).toBe('[RECOVERED after 1h 2m] core-sw-01 不可达');
    expect(text.body).toContain('Recovered at 2026-01-05 11:02:03 GMT+8 after an outage of 1h 2m.');
    expect(text.body).toContain('<https://noc.example.com/wall?incident=inc-1|Dashboard>');
    expect(text.body).not.toContain('ack/');
  });

  it('uses a channel template override for its kind and locale', () => {
    const text = renderNotice(notice, plainText, { opened: { 'zh-CN': { title: '{{device}}@{{site}} {{severity}}', body: '{{what}} / {{ackUrl}}' } } });
    expect(text).toEqual({ title: 'core-sw-01@hq P1', body: 'core-sw-01 无法 ping 通 / https://noc.example.com/ack/t.s' });
  });

  it('cuts text to a byte budget without splitting a character', () => {
    const cut = fitBytes('告警'.repeat(100), 50);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(50);
    expect(cut.endsWith('…(truncated)')).toBe(true);
    expect(cut).not.toContain('\uFFFD');
  });
});
