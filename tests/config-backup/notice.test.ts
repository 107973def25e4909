import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEscalationService } from '../../src/alerting/escalation/index.js';
import type { Lang } from '../../src/config/lang.js';
import { ChangeIndex } from '../../src/config-backup/changes.js';
import { ConfigStore } from '../../src/config-backup/store.js';
import { FakeClock } from '../../src/core/clock.js';
import { openStateDb } from '../../src/core/database.js';
import { tempDir } from '../helpers/tmp.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import { event, incident, notifyConfig, threeTierYaml } from '../alerting/escalation/notify-fixture.js';

// The opened notice of a link-down incident 5 minutes after a configuration change names the change and links its
// diff: the change comes from a real git store (commits dated by the injected clock) through the change index.
const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 5, 2, 0, 0);
const tmp = tempDir('noctua-cfgbak-notice-');
let receiver: WebhookReceiver;
let commit = '';
const index = new ChangeIndex();

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  const store = new ConfigStore(`${tmp.dir}/repo`);
  await store.save('core-sw-01', 'sysname core\n#\ninterface GE0/0/1\n undo shutdown\n', { by: 'alice', reason: 'first', kind: 'cli' }, new Date(T0 - 600 * MIN));
  const r = await store.save('core-sw-01', 'sysname core\n#\ninterface GE0/0/1\n shutdown\n', { by: 'bob', reason: 'on demand: API', kind: 'api' }, new Date(T0 - 5 * MIN));
  if (!r.changed) throw new Error('expected a change');
  commit = r.commit;
  index.add(await store.history());
});
afterAll(async () => { await receiver.close(); tmp.cleanup(); });

async function openedNotice(locale: Lang, id: string): Promise<{ text: { body: string }; configChanges?: unknown[] }> {
  const clock = new FakeClock(T0);
  const db = openStateDb(tmp.dir, `esc-${id}.db`);
  const svc = createEscalationService({
    db, config: notifyConfig(tmp.dir, threeTierYaml(receiver.url)), clock, log: pino({ level: 'silent' }), locale, timezone: 'Asia/Shanghai',
    publicUrl: 'https://noc.example.com', random: () => 0.5, configChanges: (d, at) => index.before([d], at, 60 * MIN),
  });
  try {
    await svc.start();
    const before = receiver.requests.length;
    const inc = incident(id, 'P2', new Date(T0), { title: 'core-sw-01 GE0/0/1 link down' });
    await svc.onIncidentEvent(event('opened', inc, new Date(T0)));
    await svc.flush();
    const got = receiver.requests.slice(before).map((r) => r.json as { kind: string; text: { body: string }; configChanges?: unknown[] }).find((j) => j.kind === 'opened');
    if (!got) throw new Error('no opened notice arrived');
    return got;
  } finally { await svc.stop(); db.close(); }
}

describe('opened notices name a configuration change shortly before the incident', () => {
  it('says "configuration changed 5 min before" with the diff link, in English', async () => {
    const n = await openedNotice('en', 'inc-en');
    expect(n.text.body).toContain(`Configuration changed 5 min before on core-sw-01 (+1 -1 lines, ${commit.slice(0, 10)})`);
    expect(n.text.body).toContain(`https://noc.example.com/api/v1/devices/core-sw-01/configs/diff?to=${commit}`);
    expect(n.configChanges).toEqual([{ device: 'core-sw-01', commit, minutesBefore: 5, added: 1, removed: 1, link: `https://noc.example.com/api/v1/devices/core-sw-01/configs/diff?to=${commit}` }]);
  });

  it('says it in Chinese for a zh-CN team', async () => {
    const n = await openedNotice('zh-CN', 'inc-zh');
    expect(n.text.body).toContain(`故障前 5 分钟配置有变更：core-sw-01（+1 -1 行，${commit.slice(0, 10)}）`);
  });

  it('leaves the line out when the last change is outside the window', () => {
    expect(index.before(['core-sw-01'], new Date(T0 + 56 * MIN), 60 * MIN)).toEqual([]);
    // The first backup is not a change, however close.
    expect(index.before(['core-sw-01'], new Date(T0 - 599 * MIN), 60 * MIN)).toEqual([]);
  });
});
