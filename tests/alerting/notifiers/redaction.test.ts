import { createServer } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Notice } from '../../../src/alerting/escalation/notice.js';
import { redactUrl, redactUrlsIn } from '../../../src/alerting/notifiers/http.js';
import { createNotifier, type ChannelConfig } from '../../../src/alerting/notifiers/registry.js';
import { Outbox } from '../../../src/alerting/outbox.js';
import { FakeClock } from '../../../src/core/clock.js';
import { openStateDb } from '../../../src/core/database.js';
import { tempDir } from '../../helpers/tmp.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../helpers/webhook-receiver.js';

const tmp = tempDir('noctua-redact-');
const T0 = Date.UTC(2026, 0, 5, 2, 0, 0);
const SLACK_SECRET = 'XoXbSeCrEt0123456789abcd';
const FEISHU_TOKEN = '8a6f0c3e-5b1d-4e2f-9a7c-feishutoken';
let receiver: WebhookReceiver;

beforeAll(async () => { receiver = await startWebhookReceiver(); });
afterAll(async () => { await receiver.close(); tmp.cleanup(); });

const notice = (channel: string, id: string): Notice => ({
  id, kind: 'opened', channel, locale: 'en', timezone: 'UTC', createdAt: new Date(T0).toISOString(),
  incident: { id: `inc-${id}`, key: 'k', title: 't', severity: 'P1', state: 'open', openedAt: new Date(T0).toISOString(), alerts: [] },
  recipients: [], links: {},
});

/** An outbox whose log lines are kept, so a test can read what an operator would see. */
function outbox(channels: Record<string, ChannelConfig>) {
  const lines: string[] = [];
  const log = pino({ level: 'info' }, { write: (s: string) => { lines.push(s); } });
  const db = openStateDb(tmp.dir, `redact-${Object.keys(channels).join('-')}.db`);
  const notifiers = new Map(Object.entries(channels).map(([name, c]) => [name, createNotifier(name, c)]));
  const box = new Outbox({ db, clock: new FakeClock(T0), log, notifiers, settings: { giveUpAfter: 3_600_000, initialBackoff: 1000, maxBackoff: 8000, concurrency: 4 }, random: () => 0.5 });
  box.start();
  return { box, lines, async close() { await box.stop(); db.close(); } };
}

describe('receiver URLs are shown as scheme and host only', () => {
  it('drops the path and the query, where Slack, Feishu, DingTalk and WeCom keep their secrets', () => {
    expect(redactUrl(`https://hooks.slack.com/services/T0001/B0001/${SLACK_SECRET}`)).toBe('https://hooks.slack.com');
    expect(redactUrl(`https://open.feishu.cn/open-apis/bot/v2/hook/${FEISHU_TOKEN}`)).toBe('https://open.feishu.cn');
    expect(redactUrl('https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=1&sign=x')).toBe('https://oapi.dingtalk.com');
    expect(redactUrl('http://user:pw@127.0.0.1:8443/cgi-bin/webhook/send?key=k#frag')).toBe('http://127.0.0.1:8443');
    expect(redactUrl('not a url')).toBe('(invalid url)');
    expect(redactUrlsIn(`fetch to https://hooks.slack.com/services/T/B/${SLACK_SECRET}, then "http://[::1]:9/x?y=z" failed`))
      .toBe('fetch to https://hooks.slack.com, then "http://[::1]:9" failed');
  });

  it('keeps a Slack secret out of the warn log and the failed notice when the receiver cannot be reached', async () => {
    const port = await new Promise<number>((resolve) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); }); });
    const o = outbox({ slack: { type: 'slack', url: `http://127.0.0.1:${port}/services/T0001/B0001/${SLACK_SECRET}`, timeout: 1000 } as ChannelConfig });
    o.box.enqueue(notice('slack', 'ntc-redact-1'));
    await o.box.flush();
    const st = o.box.status('ntc-redact-1')!;
    expect(st.lastError).toMatch(new RegExp(`^no answer from http://127\\.0\\.0\\.1:${port}: ECONNREFUSED`));
    const warn = o.lines.find((l) => l.includes('notice not delivered'));
    expect(warn).toContain(`http://127.0.0.1:${port}`);
    expect(o.lines.join('\n')).not.toContain(SLACK_SECRET);
    expect(o.lines.join('\n')).not.toContain('/services/');
    await o.close();
  });

  it('keeps a Feishu hook token out of the failed notice even when the receiver quotes the URL back', async () => {
    receiver.respond((req) => ({ status: 404, body: `no route for ${receiver.url}${req.url}` }));
    const o = outbox({ feishu: { type: 'feishu', url: `${receiver.url}/open-apis/bot/v2/hook/${FEISHU_TOKEN}`, timeout: 2000 } as ChannelConfig });
    o.box.enqueue(notice('feishu', 'ntc-redact-2'));
    await o.box.flush();
    expect(receiver.requests.at(-1)!.path).toBe(`/open-apis/bot/v2/hook/${FEISHU_TOKEN}`); // the real URL was used
    const [failed] = o.box.failed();
    expect(failed).toMatchObject({ id: 'ntc-redact-2', lastStatus: 404 });
    expect(JSON.stringify(failed)).not.toContain(FEISHU_TOKEN);
    expect(failed!.response).toBe(`no route for ${receiver.url}`);
    expect(o.lines.join('\n')).not.toContain(FEISHU_TOKEN);
    await o.close();
  });
});
