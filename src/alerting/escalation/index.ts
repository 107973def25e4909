/** The escalation stage's public face for the integrator, the API and reports. */
export { loadNotifyConfig, type NotifyConfig, type ResolvedPolicy, type ResolvedStep, DEFAULT_SLA } from './config.js';
export { PAUSE_REASONS, type PauseReason, type SlaPause } from './pauses.js';
export { createEscalationService, type EscalationService, type EscalationOptions, type PauseOutcome, type ReportAnnouncementNotice } from './service.js';
export { verifyAckToken, signAckToken, type AckTokenCheck } from './ack-token.js';
export { onCallAt, type OnCall } from './rotation.js';
export type { SlaQuery, SlaRecord, SlaReport } from './sla.js';
export type { Notice, NoticeKind, NoticeReport } from './notice.js';
export type { FailedNotice, OutboxStats } from '../outbox.js';
