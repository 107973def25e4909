import { signAckToken } from './ack-token.js';
import type { NotifyConfig } from './config.js';
import type { Notice, NoticeIncident } from './notice.js';

/** Fills `{name}` placeholders; unknown ones stay as written (config.ts already refused them at load). */
function fill(template: string, vars: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? vars[k]! : m));
}

/**
 * The links a notice carries: the dashboard, and with ackLinks configured one signed, expiring link per action
 * (acknowledge, claim, mute) for the person `by` it is addressed to, and the runbook page when the incident's
 * rule has one (`runbookPath`, under the public URL); none without a public URL.
 */
export function noticeLinks(
  config: Pick<NotifyConfig, 'dashboardUrl' | 'ackLinks'>, publicUrl: string, incidentId: string, inc: NoticeIncident, by: string, nowMs: number,
  runbookPath?: string,
): Pick<Notice, 'links' | 'actionTokens' | 'muteForMs'> {
  if (!publicUrl) return { links: {} };
  const vars = { publicUrl, incident: encodeURIComponent(incidentId), device: encodeURIComponent(inc.device ?? ''), site: encodeURIComponent(inc.site ?? '') };
  const out: Pick<Notice, 'links' | 'actionTokens' | 'muteForMs'> = { links: { dashboard: fill(config.dashboardUrl, vars) } };
  if (runbookPath) out.links.runbook = `${publicUrl}${runbookPath}`;
  const ack = config.ackLinks;
  if (ack) {
    out.actionTokens = {};
    out.muteForMs = ack.muteFor;
    const templates = { ack: ack.url, claim: ack.claimUrl, mute: ack.muteUrl };
    for (const action of ack.actions) {
      const token = signAckToken(ack.secret, { incidentId, by, expiresAt: new Date(nowMs + ack.ttl) }, action);
      out.links[action] = fill(templates[action], { ...vars, token });
      out.actionTokens[action] = token;
    }
  }
  return out;
}
