import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IncidentEvent, IncidentEventKind, IncidentView, Severity } from '../../../src/core/incident.js';
import { loadNotifyConfig, type NotifyConfig } from '../../../src/alerting/escalation/index.js';

let n = 0;

/** Writes notify.yaml text into `dir` and loads it, as the integrator would. */
export function notifyConfig(dir: string, yaml: string, env: NodeJS.ProcessEnv = {}): NotifyConfig {
  const file = join(dir, `notify-${n++}.yaml`);
  writeFileSync(file, yaml);
  return loadNotifyConfig(file, env);
}

/** A notify.yaml with three people on webhook channels pointing at `base` (a local receiver), one per person. */
export function threeTierYaml(base: string, extra = ''): string {
  return `ackLinks:
  secret: test-secret-0123456789
  ttl: 1h
channels:
  eng-a: { type: webhook, url: "${base}/eng-a", secret: webhook-secret-0123456789 }
  eng-b: { type: webhook, url: "${base}/eng-b", secret: webhook-secret-0123456789 }
  lead: { type: webhook, url: "${base}/lead", secret: webhook-secret-0123456789 }
  mgr: { type: webhook, url: "${base}/mgr", secret: webhook-secret-0123456789 }
people:
  alice: { displayName: Alice, channels: [eng-a] }
  bob: { displayName: Bob, channels: [eng-b] }
  lin: { displayName: Lin, channels: [lead] }
  max: { displayName: Max, channels: [mgr] }
schedules:
  engineers:
    rotation: daily
    handoff: "09:00"
    timezone: Asia/Shanghai
    start: "2026-01-01"
    people: [alice, bob]
tiers:
  engineer: { notify: [{ schedule: engineers }] }
  lead: { notify: [{ person: lin }] }
  manager: { notify: [{ person: max }] }
outbox:
  initialBackoff: 1s
  maxBackoff: 8s
  giveUpAfter: 1h
${extra}`;
}

/** An incident view as the alert engine would hand it over. */
export function incident(id: string, severity: Severity, openedAt: Date, over: Partial<IncidentView> = {}): IncidentView {
  return {
    id, key: `device:${id}`, title: `core-sw-01 unreachable`, severity, state: 'open', device: 'core-sw-01', site: 'hq', openedAt,
    alerts: [{
      fingerprint: `fp-${id}`, rule: 'device-down', severity, device: 'core-sw-01', instance: '', state: 'firing',
      summary: { en: 'core-sw-01 does not answer ping', 'zh-CN': 'core-sw-01 无法 ping 通' }, labels: { class: 'switch' }, startsAt: openedAt,
    }],
    muted: false, flapping: false, suppressedDevices: [], ...over,
  };
}

let seq = 0;
/** An incident event with a fresh sequence number. */
export function event(kind: IncidentEventKind, inc: IncidentView, at: Date, by?: string): IncidentEvent {
  return { seq: ++seq, kind, at, incident: inc, by };
}
