/**
 * What SMS and voice channels share: who to call (the recipients' mobiles, else the channel's own list),
 * and the values of a provider's pre-approved template, as short plain text. Providers only send texts
 * whose template was approved, so Noctua fills named variables rather than writing the message.
 */
import { z } from 'zod';
import type { Notice, NoticeKind } from '../escalation/notice.js';
import { boundText } from '../escalation/notice.js';
import { formatLocalTime } from '../escalation/templates.js';
import { oneLine } from './markup.js';

/** Values a template variable may be filled with. */
export const PHONE_VARIABLES = ['severity', 'device', 'site', 'title', 'incident', 'since', 'tier'] as const;
export type PhoneVariable = (typeof PHONE_VARIABLES)[number];
const variableSchema = z.enum(PHONE_VARIABLES, { error: () => `expected one of ${PHONE_VARIABLES.join(', ')}` });

/** Options every phone channel takes. */
export const phoneBaseFields = {
  /** Numbers to reach when the notice names nobody with a mobile (a { channel: … } target). */
  phoneNumbers: z.array(z.string().regex(/^\+?[0-9-]{5,20}$/, 'expected a phone number of digits')).default([]),
  /** Longest value put in a template variable; providers refuse longer ones (Aliyun: 35 characters). */
  maxParamLength: z.number().int().min(4).max(500).default(35),
};

/** Template variables as name -> Noctua value (Aliyun's TemplateParam object). */
export const namedParamsSchema = z.record(z.string().regex(/^[A-Za-z0-9_]{1,32}$/, 'expected a template variable name'), variableSchema);
/** Template variables in order (Tencent's TemplateParamSet). */
export const orderedParamsSchema = z.array(variableSchema).max(20);

/** Phone channels page; they say nothing when an incident is acknowledged or resolved (every SMS and call costs and wakes). */
export function pagesOnly(kind: NoticeKind): boolean {
  return kind === 'opened' || kind === 'escalated';
}

/** Digits, with the leading + kept: the form both providers start from. */
function digits(n: string): string {
  return n.replace(/-/g, '');
}

/** The numbers to reach, each once: recipients' mobiles, else the channel's list. */
export function phoneNumbersFor(notice: Notice, fallback: readonly string[]): string[] {
  const own = notice.recipients.flatMap((r) => (r.mobile ? [digits(r.mobile)] : []));
  return [...new Set(own.length > 0 ? own : fallback.map(digits))];
}

/** A number as E.164 (+86 for a mainland number written without a country code). */
export function e164(n: string): string {
  return n.startsWith('+') ? n : `+86${n}`;
}

/** One variable's value: one line, plain, bounded. */
export function phoneValue(notice: Notice, v: PhoneVariable, max: number): string {
  const inc = notice.incident;
  const raw: Record<PhoneVariable, string> = {
    severity: inc.severity, device: inc.device ?? '-', site: inc.site ?? '-', title: inc.title, incident: inc.id,
    since: formatLocalTime(inc.openedAt, notice.timezone), tier: notice.tier ?? '',
  };
  return boundText(oneLine(raw[v]).trim(), max);
}
