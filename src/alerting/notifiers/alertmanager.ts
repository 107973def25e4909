import { z } from 'zod';
import type { Notice } from '../escalation/notice.js';
import { classifyStatus, postBody } from './http.js';
import { channelBaseFields, effectiveLimits, type ChannelType, type Notifier } from './notifier.js';
import { secret } from '../../config/secret.js';

/** `type: alertmanager`: the body Alertmanager's webhook_config sends (version 4), so existing receivers work unchanged. */
export const alertmanagerSchema = z.strictObject({
  type: z.literal('alertmanager'),
  url: secret(z.url({ protocol: /^https?$/ })),
  /** The `receiver` field receivers see; defaults to the channel name. */
  receiver: z.string().min(1).optional(),
  /** Where `externalURL` points (Noctua's public URL when unset). */
  externalUrl: z.string().optional(),
  headers: z.record(z.string(), secret(z.string())).default({}),
  ...channelBaseFields,
});

/** Builds an Alertmanager webhook (version 4) body from a notice: one alert per Noctua alert of the incident. */
export function alertmanagerBody(notice: Notice, receiver: string, externalUrl: string) {
  const inc = notice.incident;
  const resolved = notice.kind === 'resolved';
  const common = { incident: inc.id, severity: inc.severity, ...(inc.device ? { device: inc.device } : {}), ...(inc.site ? { site: inc.site } : {}) };
  const source = inc.alerts.length > 0 ? inc.alerts : [{ fingerprint: inc.id, rule: inc.title, severity: inc.severity, device: inc.device ?? '', instance: '', state: inc.state, summary: inc.title, labels: {}, startsAt: inc.openedAt, endsAt: inc.resolvedAt }];
  const alerts = source.map((a) => {
    const done = resolved || a.state === 'resolved';
    return {
      status: done ? 'resolved' : 'firing',
      labels: { ...a.labels, alertname: a.rule, ...common, severity: a.severity, ...(a.device ? { device: a.device } : {}), ...(a.instance ? { instance: a.instance } : {}) },
      annotations: { summary: a.summary, ...(a.value !== undefined ? { value: String(a.value) } : {}), ...(notice.links.ack && !done ? { ack_url: notice.links.ack } : {}), ...(notice.links.runbook ? { runbook_url: notice.links.runbook } : {}) },
      startsAt: a.startsAt,
      // Alertmanager writes the zero time for alerts that have not ended.
      endsAt: done ? (a.endsAt ?? inc.resolvedAt ?? notice.createdAt) : '0001-01-01T00:00:00Z',
      generatorURL: notice.links.dashboard ?? '',
      fingerprint: a.fingerprint,
    };
  });
  return {
    version: '4',
    groupKey: `{}:{incident="${inc.key}"}`,
    truncatedAlerts: inc.omittedAlerts ?? 0,
    status: resolved ? 'resolved' : 'firing',
    receiver,
    groupLabels: { incident: inc.id },
    commonLabels: common,
    commonAnnotations: { summary: inc.title },
    externalURL: externalUrl,
    alerts,
  };
}

/** The Alertmanager-compatible webhook channel. */
export const alertmanagerChannel: ChannelType<typeof alertmanagerSchema> = {
  type: 'alertmanager',
  schema: alertmanagerSchema,
  create(name, cfg): Notifier {
    return {
      name, type: 'alertmanager', timeoutMs: cfg.timeout,
      limits: effectiveLimits({ perMinute: 600 }, cfg.perMinute),
      // Alertmanager has no acknowledged state; its receivers only know firing and resolved.
      // Alertmanager receivers know firing and resolved alerts only; a report is no alert for them.
      handles: (kind) => kind !== 'acknowledged' && kind !== 'report',
      async send(notice, signal) {
        const body = JSON.stringify(alertmanagerBody(notice, cfg.receiver ?? name, cfg.externalUrl ?? new URL(notice.links.dashboard ?? 'http://localhost/').origin));
        const r = await postBody(cfg.url, body, { ...cfg.headers, 'idempotency-key': notice.id, 'user-agent': 'Noctua' }, signal);
        return 'failure' in r ? r.failure : classifyStatus(r.reply, `alertmanager receiver ${name}`);
      },
    };
  },
};
