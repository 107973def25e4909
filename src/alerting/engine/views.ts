import type { AlertState, AlertView } from '../../core/incident.js';
import type { Sample } from '../../core/sample.js';
import type { CompiledRule } from '../rules.js';
import { renderTemplate } from '../templates.js';
import type { EngineContext } from './context.js';
import type { Tracker } from './trackers.js';

/** How a tracker looks to people and to the API: labels, rendered summary, the `alert_event` sample. */
export class AlertViews {
  constructor(private readonly ctx: EngineContext) {}

  /** The labels an alert is grouped by and shown with. */
  labels(tr: Tracker, rule: CompiledRule | undefined): Record<string, string> {
    const d = this.ctx.devices.of(tr.device, tr.tags);
    return {
      ...tr.tags, ...(rule?.spec.labels ?? {}),
      alertname: tr.rule, rule: tr.rule, device: tr.device, site: d.site, class: String(d.class), instance: tr.instance,
      severity: tr.severity, measurement: tr.measurement,
    };
  }

  alertView(tr: Tracker): AlertView {
    const rule = this.ctx.rules.get(tr.rule);
    const labels = this.labels(tr, rule);
    const data = {
      vars: { device: tr.device, instance: tr.instance, value: tr.value, threshold: tr.threshold, site: labels.site, class: labels.class, rule: tr.rule, severity: tr.severity, measurement: tr.measurement },
      tags: tr.tags, labels: rule?.spec.labels ?? {},
    };
    const render = (t: { en: string; 'zh-CN': string }) => ({ en: renderTemplate(t.en, data), 'zh-CN': renderTemplate(t['zh-CN'], data) });
    const summary = rule ? render(rule.spec.summary) : { en: `${tr.rule} on ${tr.device}`, 'zh-CN': `${tr.device} ${tr.rule}` };
    const state: AlertState = tr.state === 'inactive' ? 'resolved' : tr.state;
    return {
      fingerprint: tr.fingerprint, rule: tr.rule, severity: tr.severity, device: tr.device, instance: tr.instance, state,
      ...(tr.value !== undefined ? { value: typeof tr.value === 'boolean' ? String(tr.value) : tr.value } : {}),
      summary,
      ...(rule?.spec.text ? { description: render(rule.spec.text) } : {}),
      labels,
      startsAt: new Date(tr.firedAt !== undefined && tr.state !== 'pending' ? tr.firedAt : tr.activeSince ?? tr.firedAt ?? 0),
      ...(state === 'resolved' && tr.endsAt !== undefined ? { endsAt: new Date(tr.endsAt) } : {}),
      ...(tr.mutedBy && state !== 'pending' ? { mutedBy: tr.mutedBy } : {}),
    };
  }

  /** The `alert_event` sample of a transition (docs/SCHEMA.md), for Grafana annotations. */
  alertEventSample(state: string, at: number, view: AlertView, incident: string): Sample {
    const locale = this.ctx.locale;
    const fields: Sample['fields'] = { title: view.summary[locale], text: view.description?.[locale] ?? view.summary[locale], instance: view.instance };
    if (typeof view.value === 'number') fields.value = view.value;
    return {
      measurement: 'alert_event',
      tags: { device: view.device, site: view.labels.site ?? '', severity: view.severity, rule: view.rule, state, incident },
      fields, time: new Date(at),
    };
  }
}
