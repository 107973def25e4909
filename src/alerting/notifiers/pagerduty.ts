import { z } from 'zod';
import type { Notice } from '../escalation/notice.js';
import { classifyStatus, postBody } from './http.js';
import { channelBaseFields, effectiveLimits, type ChannelType, type Notifier } from './notifier.js';
import { secret } from '../../config/secret.js';

/** PagerDuty rejects a summary over 1024 characters. */
const PD_SUMMARY_MAX = 1024;
const PD_SEVERITY = { P1: 'critical', P2: 'error', P3: 'warning', P4: 'info' } as const;

/** `type: pagerduty`: PagerDuty Events API v2; one PagerDuty alert per incident, keyed by the incident id. */
export const pagerdutySchema = z.strictObject({
  type: z.literal('pagerduty'),
  /** The integration's routing key (32 characters). */
  routingKey: secret(z.string().min(1)),
  /** Events API endpoint; change it only for an EU account or a test receiver. */
  url: secret(z.url({ protocol: /^https?$/ })).default('https://events.pagerduty.com/v2/enqueue'),
  ...channelBaseFields,
});

/** The Events API v2 body for a notice: trigger for opened/escalated, acknowledge, resolve; dedup key = incident id. */
export function pagerdutyBody(notice: Notice, routingKey: string) {
  const inc = notice.incident;
  const action = notice.kind === 'acknowledged' ? 'acknowledge' : notice.kind === 'resolved' ? 'resolve' : 'trigger';
  if (action !== 'trigger') return { routing_key: routingKey, event_action: action, dedup_key: inc.id };
  const summary = `[${inc.severity}] ${inc.device ? `${inc.device}: ` : ''}${inc.title}`;
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: inc.id,
    payload: {
      summary: summary.length > PD_SUMMARY_MAX ? `${summary.slice(0, PD_SUMMARY_MAX - 1)}…` : summary,
      source: inc.device ?? 'noctua',
      severity: PD_SEVERITY[inc.severity],
      timestamp: inc.openedAt,
      ...(inc.site ? { group: inc.site } : {}),
      ...(inc.alerts[0] ? { class: inc.alerts[0].rule } : {}),
      custom_details: { incident: inc.id, site: inc.site, tier: notice.tier, alerts: inc.alerts.map((a) => ({ rule: a.rule, instance: a.instance, summary: a.summary, value: a.value })) },
    },
    client: 'Noctua',
    ...(notice.links.dashboard ? { client_url: notice.links.dashboard } : {}),
    ...(notice.links.dashboard || notice.links.runbook ? { links: [
      ...(notice.links.dashboard ? [{ href: notice.links.dashboard, text: 'Noctua' }] : []),
      ...(notice.links.runbook ? [{ href: notice.links.runbook, text: 'Runbook' }] : []),
    ] } : {}),
  };
}

/** The PagerDuty Events API v2 channel. */
export const pagerdutyChannel: ChannelType<typeof pagerdutySchema> = {
  type: 'pagerduty',
  schema: pagerdutySchema,
  create(name, cfg): Notifier {
    return {
      name, type: 'pagerduty', timeoutMs: cfg.timeout,
      // PagerDuty throttles events per integration key; 120 a minute stays within it.
      limits: effectiveLimits({ perMinute: 120 }, cfg.perMinute),
      // PagerDuty runs its own escalation and reminders; a repeated trigger would only add noise to its log.
      // PagerDuty keeps its own SLA reminders, and a report sent as an event would open a PagerDuty incident.
      handles: (kind) => kind !== 'sla-reminder' && kind !== 'report',
      async send(notice, signal) {
        const r = await postBody(cfg.url, JSON.stringify(pagerdutyBody(notice, cfg.routingKey)), {}, signal);
        return 'failure' in r ? r.failure : classifyStatus(r.reply, `PagerDuty ${name}`);
      },
    };
  },
};
