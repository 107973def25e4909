import type { NotifyConfig } from './config.js';
import type { NoticeRecipient } from './notice.js';
import { onCallAt } from './rotation.js';
import type { TargetConfig } from './schema.js';

/** A person of notify.yaml as a notice addresses them (with the ids some chat channels mention people by). */
function person(config: Pick<NotifyConfig, 'people'>, name: string): NoticeRecipient & { wecomUserId?: string; feishuOpenId?: string } {
  const p = config.people[name]!;
  return { name, displayName: p.displayName ?? name, mobile: p.mobile, wecomUserId: p.wecomUserId, feishuOpenId: p.feishuOpenId };
}

/** Channel -> people to address there, for a step's targets at `nowMs` (whoever a schedule has on call then). */
export function resolveTargets(config: Pick<NotifyConfig, 'people' | 'schedules'>, timezone: string, targets: readonly TargetConfig[], nowMs: number): Map<string, NoticeRecipient[]> {
  const out = new Map<string, NoticeRecipient[]>();
  const add = (channel: string, who?: NoticeRecipient) => {
    const list = out.get(channel) ?? [];
    if (who && !list.some((r) => r.name === who.name)) list.push(who);
    out.set(channel, list);
  };
  for (const t of targets) {
    if ('channel' in t) add(t.channel);
    else {
      const name = 'person' in t ? t.person : onCallAt(config.schedules[t.schedule]!, timezone, nowMs).person;
      for (const c of config.people[name]!.channels) add(c, person(config, name));
    }
  }
  return out;
}
