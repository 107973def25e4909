import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEscalationService } from '../../../src/alerting/escalation/index.js';
import type { Notice } from '../../../src/alerting/escalation/notice.js';
import { chatMarkdown, oneLine, plainText, slackMrkdwn } from '../../../src/alerting/notifiers/markup.js';
import { createNotifier, type ChannelConfig } from '../../../src/alerting/notifiers/registry.js';
import { FakeClock } from '../../../src/core/clock.js';
import { openStateDb } from '../../../src/core/database.js';
import { tempDir } from '../../helpers/tmp.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../helpers/webhook-receiver.js';
import { event, incident, notifyConfig } from '../escalation/notify-fixture.js';
import { type Lang } from '../../../src/config/lang.js';

/** What a compromised device can put in sysName, ifAlias or a sensor name (issue 17, finding 1). */
const SLACK_PING = '<!channel> <https://evil.example|Acknowledge>';
const FEISHU_ALL = '<at id=all></at>';
const MD_LINK = '[确认故障](https://evil)';
const FORGED_LINE = '\n\n### RECOVERED';
const HOSTILE = `${SLACK_PING} ${FEISHU_ALL} ${MD_LINK}${FORGED_LINE}`;
const ACK = 'https://noc.example.com/ack/tok.sig';
const OWN_URL = /^https:\/\/noc\.example\.com\//;

let receiver: WebhookReceiver;
const tmp = tempDir('noctua-markup-');
beforeAll(async () => { receiver = await startWebhookReceiver(); });
afterAll(async () => { await receiver.close(); tmp.cleanup(); });

/** A fault notice whose every device- or person-supplied string is hostile; `benign` gives the same shape with plain strings. */
function notice(locale: Lang, benign = false): Notice {
  const v = (s: string) => (benign ? s : `${s} ${HOSTILE}`);
  return {
    id: `ntc-mk-${locale}-${benign}`, kind: 'opened', channel: 'x', locale, timezone: 'Asia/Shanghai', createdAt: '2026-01-05T02:00:00.000Z',
    incident: {
      id: 'inc-77', key: 'device:core-sw-01', title: v('Gi0/1 down'), severity: 'P1', state: 'open', device: v('core-sw-01'), site: v('hq'), openedAt: '2026-01-05T02:00:00.000Z',
      alerts: [{ fingerprint: 'fp', rule: 'if-down', severity: 'P1', device: 'core-sw-01', instance: v('Gi0/1'), state: 'firing', summary: v('Gi0/1 (uplink) is down'), labels: { ifAlias: v('uplink') }, startsAt: '2026-01-05T02:00:00.000Z' }],
    },
    step: 0, tier: v('engineer'), repeat: 0,
    recipients: [
      { name: 'zw', displayName: '张伟', mobile: '13800000001', wecomUserId: 'zhangwei', feishuOpenId: 'ou_0123abcd' } as Notice['recipients'][number],
      { name: 'eve', displayName: v('Eve') },
    ],
    links: { ack: ACK, dashboard: 'https://noc.example.com/wall?incident=inc-77' },
  };
}

async function sent(cfg: { type: string; url: string }, n: Notice): Promise<unknown> {
  receiver.respond(() => ({ status: 200, body: cfg.type === 'feishu' ? { code: 0, msg: 'success' } : cfg.type === 'slack' ? 'ok' : { errcode: 0, errmsg: 'ok' } }));
  const result = await createNotifier('x', { timeout: 2000, headers: {}, atAllForP1: false, ...cfg } as ChannelConfig).send(n, new AbortController().signal);
  expect(result).toMatchObject({ ok: true });
  return receiver.requests.at(-1)!.json;
}

/** Live markdown links `[text](url)` (also images) in a chat markdown text. */
const markdownLinks = (md: string) => [...md.matchAll(/\[([^\]\n]*)\]\(([^)\s]*)\)/g)].map((m) => ({ text: m[1]!, url: m[2]! }));
/** Angle-bracket tags (Slack links and mentions, WeCom <font>/<@id>, Feishu <at>). */
const tags = (text: string) => text.match(/<[^<>]*>/g) ?? [];
/** Lines that a chat app shows as a heading or that pretend to be a recovery. */
const forgedLines = (text: string) => text.split('\n').filter((l) => /^\s*(#|>|RECOVERED)/.test(l));

/** The markdown every robot channel must satisfy: only Noctua's links, no mention or heading from a value, same lines as a benign notice. */
function expectInertMarkdown(md: string, benignMd: string, allowedTags: RegExp, titleLines: number) {
  const links = markdownLinks(md);
  expect(links.length).toBeGreaterThan(0);
  for (const l of links) expect(l.url).toMatch(OWN_URL);
  expect(links).toContainEqual({ text: '确认故障', url: ACK });
  for (const t of tags(md)) expect(t).toMatch(allowedTags);
  expect(md).not.toMatch(/<!channel>|<at id=all/);
  expect(forgedLines(md)).toHaveLength(titleLines);
  expect(md.split('\n')).toHaveLength(benignMd.split('\n').length);
}

describe('device strings cannot add mentions, links or lines to chat notices', () => {
  it('DingTalk: values are inert markdown, the acknowledge link and the @mobile mention stay live', async () => {
    const cfg = { type: 'dingtalk', url: `${receiver.url}/robot/send?access_token=t` };
    const body = await sent(cfg, notice('zh-CN')) as { markdown: { title: string; text: string }; at: { atMobiles: string[]; isAtAll: boolean } };
    const benign = await sent(cfg, notice('zh-CN', true)) as typeof body;
    expectInertMarkdown(body.markdown.text, benign.markdown.text, /^$/, 1);
    expect(body.markdown.text.split('\n')[0]).toMatch(/^### 【P1 故障】Gi0\/1 down/); // Noctua's own heading, with the title inert in it
    expect(body.markdown.text).toContain('通知：@13800000001');
    expect(body.markdown.title).not.toContain('\n');
    expect(body.at).toEqual({ atMobiles: ['13800000001'], isAtAll: false });
  });

  it('WeCom: values are inert markdown; only Noctua\'s <font> and <@userid> are tags', async () => {
    const cfg = { type: 'wecom', url: `${receiver.url}/cgi-bin/webhook/send?key=k` };
    const body = await sent(cfg, notice('zh-CN')) as { markdown: { content: string } };
    const benign = await sent(cfg, notice('zh-CN', true)) as typeof body;
    expectInertMarkdown(body.markdown.content, benign.markdown.content, /^(<font color="warning">|<\/font>|<@zhangwei>)$/, 1);
    expect(body.markdown.content).toContain('<@zhangwei>');
  });

  it('Feishu: the card text has no <at id=all> or link from a value, the header stays one plain line', async () => {
    const cfg = { type: 'feishu', url: `${receiver.url}/open-apis/bot/v2/hook/h` };
    type Card = { card: { header: { title: { tag: string; content: string } }; elements: { text: { tag: string; content: string } }[] } };
    const body = await sent(cfg, notice('zh-CN')) as Card;
    const benign = await sent(cfg, notice('zh-CN', true)) as Card;
    expectInertMarkdown(body.card.elements[0]!.text.content, benign.card.elements[0]!.text.content, /^(<at id=ou_0123abcd>|<\/at>)$/, 0);
    expect(body.card.elements[0]!.text.content).toContain('<at id=ou_0123abcd></at>');
    expect(body.card.header.title.tag).toBe('plain_text');
    expect(body.card.header.title.content).not.toContain('\n');
  });

  it('Slack: no <!channel> or <url|text> from a value; Noctua\'s acknowledge link stays a live link', async () => {
    const cfg = { type: 'slack', url: `${receiver.url}/services/T/B/x` };
    const { text } = await sent(cfg, notice('en')) as { text: string };
    const benign = (await sent(cfg, notice('en', true)) as { text: string }).text;
    for (const t of tags(text)) expect(t).toMatch(/^<https:\/\/noc\.example\.com\/[^|<>\s]*\|(Acknowledge|Dashboard)>$/);
    expect(tags(text)).toContain(`<${ACK}|Acknowledge>`);
    expect(text).not.toContain('<!channel>');
    expect(text).toContain('&lt;!channel&gt; &lt;https://evil.example|Acknowledge&gt;'); // shown, not acted on
    expect(text.split('\n')[0]).toMatch(/^\*\[P1 FAULT\] Gi0\/1 down [^*]*\*$/); // the title's bold is not broken by a value
    expect(forgedLines(text)).toEqual([]);
    expect(text.split('\n')).toHaveLength(benign.split('\n').length);
  });

  it('generic webhook: the text has the values on their lines; the structured JSON keeps them as sent', async () => {
    const cfg = { type: 'webhook', url: `${receiver.url}/hook` };
    const body = await sent(cfg, notice('en')) as { text: { title: string; body: string }; incident: { device: string } };
    const benign = await sent(cfg, notice('en', true)) as typeof body;
    expect(body.text.title).not.toContain('\n');
    expect(forgedLines(body.text.body)).toEqual([]);
    expect(body.text.body.split('\n')).toHaveLength(benign.text.body.split('\n').length);
    expect(body.incident.device).toBe(`core-sw-01 ${HOSTILE}`);
  });

  it('escapes per markup: one line everywhere, no reordering controls, Slack entities, markdown look-alikes', () => {
    expect(oneLine('a\r\nb\u2028c\td\u202Eevil\u2066')).toBe('a b c devil');
    expect(plainText.escape('x\n\n### RECOVERED')).toBe('x ### RECOVERED');
    expect(slackMrkdwn.escape('<!here> & *bold* _it_ `code` ~s~')).toBe('&lt;!here&gt; &amp; ＊bold＊ ＿it＿ ｀code｀ ～s～');
    expect(chatMarkdown.escape('![x](https://evil) # > | \\ &lt;at id=all&gt;')).toBe('！［x］（https://evil） ＃ ＞ ｜ ＼ ＆lt;at id=all＆gt;');
    // Underscores inside names stay, so core_sw_01 can be copied from the chat; at a word's edge they could start emphasis.
    expect(chatMarkdown.escape('core_sw_01 _x_')).toBe('core_sw_01 ＿x＿');
    expect(slackMrkdwn.escape('to_core_sw1 _x_')).toBe('to_core_sw1 ＿x＿');
    expect(chatMarkdown.link('https://noc.example.com/wall?device=a)b c', 'x')).toBe('[x](https://noc.example.com/wall?device=a%29b%20c)');
    expect(slackMrkdwn.link('https://noc.example.com/x|y>', 'x')).toBe('<https://noc.example.com/x%7Cy%3E|x>');
  });
});

describe('structured channels get bounded values', () => {
  it('webhook, Alertmanager and PagerDuty bodies stay bounded when a device answers 64 KB strings and 200 alerts fire', async () => {
    receiver.respond(() => ({ status: 200 }));
    const base = `${receiver.url}/bounded`;
    const config = notifyConfig(tmp.dir, `channels:
  hook: { type: webhook, url: "${base}/hook" }
  am: { type: alertmanager, url: "${base}/am" }
  pd: { type: pagerduty, routingKey: R0UTINGKEY, url: "${base}/pd" }
tiers:
  engineer: { notify: [{ channel: hook }, { channel: am }, { channel: pd }] }
  lead: { notify: [{ channel: hook }] }
  manager: { notify: [{ channel: hook }] }
`);
    const T0 = Date.UTC(2026, 0, 5, 2, 0, 0);
    const db = openStateDb(tmp.dir, 'bounded.db');
    const svc = createEscalationService({ db, config, clock: new FakeClock(T0), log: pino({ level: 'silent' }), locale: 'en', timezone: 'UTC', publicUrl: 'https://noc.example.com' });
    await svc.start();
    const huge = 'x'.repeat(65_536);
    const base0 = incident('inc-big', 'P1', new Date(T0));
    const alerts = Array.from({ length: 200 }, (_, i) => ({ ...base0.alerts[0]!, fingerprint: `fp${i}`, instance: `${huge}${i}`, summary: { en: huge, 'zh-CN': huge }, labels: { ifAlias: huge, [huge]: 'k' } }));
    await svc.onIncidentEvent(event('opened', { ...base0, title: huge, device: huge, alerts }, new Date(T0)));
    await svc.flush();
    const got = await receiver.waitFor((rs) => ['hook', 'am', 'pd'].every((p) => rs.some((r) => r.path === `/bounded/${p}`)));
    const strings = (v: unknown): string[] => (typeof v === 'string' ? [v] : v && typeof v === 'object' ? Object.entries(v).flatMap(([k, x]) => [k, ...strings(x)]) : []);
    for (const p of ['hook', 'am', 'pd']) {
      const req = got.find((r) => r.path === `/bounded/${p}`)!;
      // The webhook's rendered text is composed of several values (up to five summaries); each value is bounded.
      const { text: _text, ...json } = req.json as Record<string, unknown>;
      expect(Math.max(...strings(json).filter((s) => !s.startsWith('https://')).map((s) => s.length)), p).toBeLessThanOrEqual(1024);
      expect(req.body.length, p).toBeLessThan(300_000);
    }
    const hook = got.find((r) => r.path === '/bounded/hook')!.json as { incident: { alerts: unknown[]; omittedAlerts: number } };
    expect(hook.incident.alerts).toHaveLength(100);
    expect(hook.incident.omittedAlerts).toBe(100);
    expect((got.find((r) => r.path === '/bounded/am')!.json as { truncatedAlerts: number }).truncatedAlerts).toBe(100);
    await svc.stop();
    db.close();
  });
});
