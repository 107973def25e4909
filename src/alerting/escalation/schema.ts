import { z } from 'zod';
import { durationSchema } from '../../config/duration.js';
import { SEVERITIES, type Severity } from '../../core/incident.js';
import { calendarSpecSchema, timeZoneSchema } from '../../service/schema.js';
import { channelConfigSchema } from '../notifiers/registry.js';
import { secret } from '../../config/secret.js';
import { LINK_ACTIONS, type LinkAction } from './link-actions.js';

const nameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected a name of letters, digits, ".", "_" or "-"');
const localizedText = z.union([z.string().min(1), z.strictObject({ en: z.string().min(1), 'zh-CN': z.string().min(1) })]);

/** A person: how to reach them, configured once and referenced by name everywhere else. */
export const personSchema = z.strictObject({
  /** Name shown in notices (defaults to the key). */
  displayName: z.string().min(1).optional(),
  /** Mobile number, used by DingTalk to @mention the person in a group. */
  mobile: z.string().regex(/^\+?[0-9-]{5,20}$/, 'expected a phone number of digits').optional(),
  /** WeCom user id, used to @mention in WeCom markdown (written raw into `<@id>`, so no markup characters). */
  wecomUserId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/, 'expected a WeCom user id of letters, digits, ".", "_", "@" or "-"').optional(),
  /** Feishu open_id (ou_...), used to @mention in Feishu cards (written raw into `<at id=...>`). */
  feishuOpenId: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'expected a Feishu open_id such as "ou_0123abcd"').optional(),
  /** Channels (names under `channels:`) that reach this person. */
  channels: z.array(nameSchema).min(1, 'expected at least one channel name'),
});

/** A date, or a date and time, in the schedule's time zone ("2026-01-10", "2026-01-10 09:00"), or ISO 8601 with an offset. */
export const localDateTimeSchema = z.string().regex(
  /^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:?\d{2})?)?$/,
  'expected a date "2026-01-10", a local time "2026-01-10 09:00", or ISO 8601 with an offset',
);

/** An on-call rotation. */
export const scheduleSchema = z.strictObject({
  /** daily: the next person takes over every day at `handoff`; weekly: every week on `handoffDay` at `handoff`. */
  rotation: z.enum(['daily', 'weekly']),
  /** Local time of the hand-off, HH:MM (24 h). */
  handoff: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a time HH:MM such as "09:00"').default('09:00'),
  handoffDay: z.enum(['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday']).default('monday'),
  /** Time zone of the hand-off and the overrides; defaults to noctua.yaml's timezone. */
  timezone: timeZoneSchema.optional(),
  /** The date the first person's first shift starts (at the hand-off time). */
  start: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date such as "2026-01-05"'),
  /** People in rotation order. */
  people: z.array(nameSchema).min(1, 'expected at least one person in the rotation'),
  /** Someone else on call for a date range (holiday, swap). The latest matching override wins. */
  overrides: z.array(z.strictObject({
    from: localDateTimeSchema,
    to: localDateTimeSchema,
    person: nameSchema,
    reason: z.string().optional(),
  })).default([]),
});

/** Who a step notifies: a person, whoever is on call for a schedule now, or a channel directly (a team group). */
export const targetSchema = z.union([
  z.strictObject({ person: nameSchema }),
  z.strictObject({ schedule: nameSchema }),
  z.strictObject({ channel: nameSchema }),
], { error: (iss) => (iss.code === 'invalid_union' ? 'expected one of { person: NAME }, { schedule: NAME } or { channel: NAME }' : undefined) });

/** An escalation tier: a named group of targets (on-site engineer, team lead, manager). */
export const tierSchema = z.strictObject({
  /** How notices name the tier; one text or one per locale. */
  label: localizedText.optional(),
  notify: z.array(targetSchema).min(1, 'expected at least one target'),
});

/** One escalation step. */
export const stepSchema = z.strictObject({
  /** How long after the incident opened this step fires. */
  after: durationSchema,
  /** A tier name under `tiers:`, or... */
  tier: nameSchema.optional(),
  /** ...targets listed here. */
  notify: z.array(targetSchema).min(1).optional(),
  /** The step fires only while the incident is not yet acknowledged (default), or not yet resolved. */
  until: z.enum(['acknowledged', 'resolved']).default('acknowledged'),
  /** Last step only: notify again at this interval while the condition holds. */
  repeat: durationSchema.optional(),
});

/** An escalation policy with the SLA targets it is graded against. */
export const policySchema = z.strictObject({
  /** Response target: open -> acknowledged. */
  respond: durationSchema,
  /** Resolution target: open -> resolved. */
  resolve: durationSchema,
  /** Send an SLA reminder this long before a target is missed; 0 switches reminders off. */
  remindBefore: durationSchema.optional(),
  steps: z.array(stepSchema).min(1, 'expected at least one step').optional(),
});

/**
 * Which incidents a service calendar applies to (a contract, a site, a device tag): every field given must
 * match, and a list matches any of its values. The first matching rule wins; none: `calendar`.
 */
export const calendarRuleSchema = z.strictObject({
  /** A name under `calendars:`, or "7x24". */
  calendar: nameSchema,
  sites: z.array(z.string().min(1)).min(1).optional(),
  devices: z.array(z.string().min(1)).min(1).optional(),
  /** Device tags from devices.yaml. */
  tags: z.array(z.string().min(1)).min(1).optional(),
  /** Alert labels (a rule's `labels: { contract: bank-a }`): the incident matches when one of its alerts has them all. */
  labels: z.record(z.string().min(1), z.string()).optional(),
  severities: z.array(z.enum(SEVERITIES as [Severity, ...Severity[]])).min(1).optional(),
});

/** The whole notify.yaml. */
export const notifyFileSchema = z.strictObject({
  /** Signed acknowledge links in notices. */
  ackLinks: z.strictObject({
    /** HMAC key for link tokens; keep it in the environment: ${NOCTUA_ACK_SECRET}. */
    secret: z.string().min(16, 'expected a secret of at least 16 characters'),
    /** How long a link works. */
    ttl: durationSchema.default(86_400_000),
    /** Link template; {publicUrl} and {token} are filled in. */
    url: z.string().default('{publicUrl}/ack/{token}'),
    /** The claim ("I'm on it") link's template. */
    claimUrl: z.string().default('{publicUrl}/claim/{token}'),
    /** The "mute for 1 h" link's template. */
    muteUrl: z.string().default('{publicUrl}/mute/{token}'),
    /** Which links notices carry, in this order. */
    actions: z.array(z.enum(LINK_ACTIONS as [LinkAction, ...LinkAction[]])).min(1).default(['ack', 'claim', 'mute']),
    /** How long a mute link holds the incident's pages. */
    muteFor: durationSchema.default(3_600_000),
  }).optional(),
  /**
   * A phone fallback: when an incident of these severities passes its response target unacknowledged, these
   * targets (SMS or voice channels) are paged once, as well as whatever the policy's steps do then.
   */
  phoneFallback: z.strictObject({
    severities: z.array(z.enum(SEVERITIES as [Severity, ...Severity[]])).min(1).default(['P1']),
    notify: z.array(targetSchema).min(1, 'expected at least one target'),
  }).optional(),
  /** Buttons in chat messages that call back into Noctua (POST /api/v1/chat/<platform>/callback); each platform's own verification. */
  chat: z.strictObject({
    /** Slack app: the Signing Secret (Basic Information page); requests older than 5 minutes are refused. */
    slack: z.strictObject({ signingSecret: secret(z.string().min(8, 'expected the Slack signing secret')) }).optional(),
    /** Feishu/Lark app: Verification Token, and Encrypt Key when the app encrypts callbacks (then X-Lark-Signature is checked). */
    feishu: z.strictObject({
      verificationToken: secret(z.string().min(8, 'expected the Feishu verification token')),
      encryptKey: secret(z.string().min(1)).optional(),
    }).optional(),
    /** DingTalk app's HTTP callback: token, aes_key (43 characters) and the owner key (corpId, or the app key). */
    dingtalk: z.strictObject({
      token: secret(z.string().min(1)),
      aesKey: secret(z.string().regex(/^[A-Za-z0-9]{43}$/, 'expected an aes_key of 43 letters and digits')),
      ownerKey: z.string().min(1),
    }).optional(),
    /** WeCom app's callback: Token, EncodingAESKey (43 characters) and the corp id (ReceiveId). */
    wecom: z.strictObject({
      token: secret(z.string().min(1)),
      encodingAesKey: secret(z.string().regex(/^[A-Za-z0-9]{43}$/, 'expected an EncodingAESKey of 43 letters and digits')),
      corpId: z.string().min(1),
    }).optional(),
    /** Chat users who are Noctua users: "slack:U024BE7LH": alice. Anyone else is recorded as "<platform>:<user id>". */
    users: z.record(z.string().regex(/^(slack|feishu|dingtalk|wecom):[A-Za-z0-9_@.$-]{1,128}$/), z.string().min(1).max(128), {
      error: (iss) => (iss.code === 'invalid_key' ? 'expected a key "<platform>:<user id>" (slack, feishu, dingtalk or wecom)' : undefined),
    }).default({}),
    /** Oldest callback accepted (its platform timestamp); Slack documents 5 minutes. */
    maxAge: durationSchema.default(300_000),
  }).optional(),
  /** Dashboard link template in notices; {publicUrl}, {incident}, {device} and {site} are filled in. */
  dashboardUrl: z.string().default('{publicUrl}/wall?incident={incident}'),
  channels: z.record(nameSchema, channelConfigSchema).default({}),
  people: z.record(nameSchema, personSchema).default({}),
  schedules: z.record(nameSchema, scheduleSchema).default({}),
  tiers: z.record(nameSchema, tierSchema).default({}),
  /** Who hears that a weekly or monthly report is ready (with its link); the same targets as a tier. Absent: nobody. */
  reports: z.strictObject({
    notify: z.array(targetSchema).min(1, 'expected at least one target'),
  }).optional(),
  /** Directory of your own holiday data files (<region>-<year>.yaml), relative to notify.yaml; a year found there replaces the shipped file of that year. */
  calendarDir: z.string().min(1).default('calendars'),
  /** Service calendars by name; "7x24" is built in (every minute counts). */
  calendars: z.record(nameSchema, calendarSpecSchema).default({}),
  /** The calendar of incidents no `calendarFor` rule matches. */
  calendar: nameSchema.default('7x24'),
  calendarFor: z.array(calendarRuleSchema).default([]),
  policies: z.strictObject({ P1: policySchema.optional(), P2: policySchema.optional(), P3: policySchema.optional(), P4: policySchema.optional() }).default({}),
  outbox: z.strictObject({
    /** After this long without a successful delivery a notice is marked failed. */
    giveUpAfter: durationSchema.default(6 * 3_600_000),
    /** First retry delay; doubled on each failure up to `maxBackoff`, with jitter. */
    initialBackoff: durationSchema.default(5_000),
    maxBackoff: durationSchema.default(600_000),
    /** Notices in flight at once, across all channels (one at a time per channel keeps their order). */
    concurrency: z.number().int().min(1).max(64).default(4),
  }).default({ giveUpAfter: 6 * 3_600_000, initialBackoff: 5_000, maxBackoff: 600_000, concurrency: 4 }),
});
export type NotifyFile = z.output<typeof notifyFileSchema>;
export type PersonConfig = z.output<typeof personSchema>;
export type ScheduleConfig = z.output<typeof scheduleSchema>;
export type TargetConfig = z.output<typeof targetSchema>;
export type StepConfig = z.output<typeof stepSchema>;
export type CalendarRule = z.output<typeof calendarRuleSchema>;
