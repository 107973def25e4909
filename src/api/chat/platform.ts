/** The shape every chat platform's callback handling shares: verify, then name who pressed which button. */
import { timingSafeEqual } from 'node:crypto';
import type { LinkAction } from '../../alerting/escalation/ack-token.js';
import { LINK_ACTIONS } from '../../alerting/escalation/ack-token.js';
import type { Lang } from '../../config/lang.js';
import type { ChatSettings } from '../services/index.js';

/** The parts of an HTTP request a verifier reads; `body` is the raw text, exactly as signed. */
export interface ChatRequest {
  headers: Record<string, string | string[] | undefined>;
  query: Record<string, unknown>;
  body: string;
}

/** What a verified callback asks for, or a handshake to answer, or why it is refused. */
export type ChatParse =
  | { kind: 'act'; replayId: string; userId: string; action: LinkAction; token: string }
  | { kind: 'handshake'; reply: ChatReply }
  | { kind: 'refused'; status: 400 | 401 | 409; reason: string };

/** The answer the platform gets. */
export interface ChatReply { status: number; type: 'application/json; charset=utf-8' | 'text/plain; charset=utf-8'; body: string }

/** What acting did, in both languages, for platforms that show it to the person (Feishu's toast). */
export interface ChatOutcome { ok: boolean; status: number; message: Record<Lang, string>; reason?: string }

/** One platform: its settings under notify.yaml `chat:`, its verification and its answer. */
export interface ChatPlatform<S = unknown> {
  name: 'slack' | 'feishu' | 'dingtalk' | 'wecom';
  settings(chat: ChatSettings): S | undefined;
  parse(request: ChatRequest, settings: S, nowMs: number, maxAgeMs: number): ChatParse;
  reply(settings: S, outcome: ChatOutcome, nowMs: number): ChatReply;
}

/** A header's single value ('' when absent or repeated: a repeated signature header is not trusted). */
export function header(req: ChatRequest, name: string): string {
  const v = req.headers[name.toLowerCase()];
  return typeof v === 'string' ? v : '';
}

/** A query parameter's single value ('' when absent or repeated). */
export function queryValue(req: ChatRequest, name: string): string {
  const v = req.query[name];
  return typeof v === 'string' ? v : '';
}

/** Equal strings in constant time for equal lengths (a length difference says nothing worth hiding). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Refusal when a platform timestamp (milliseconds) is further than `maxAgeMs` from now, either way: an old
 * callback is a replay or a stale click, one from the future a clock to distrust.
 */
export function staleness(tsMs: number, nowMs: number, maxAgeMs: number): ChatParse | undefined {
  if (!Number.isFinite(tsMs)) return { kind: 'refused', status: 401, reason: 'the callback carries no readable timestamp' };
  if (Math.abs(nowMs - tsMs) > maxAgeMs) return { kind: 'refused', status: 401, reason: `the callback timestamp is ${Math.round((nowMs - tsMs) / 1000)} s from now (at most ${maxAgeMs / 1000} s accepted)` };
  return undefined;
}

/** Reads a button's `{action, token}` (Noctua puts both in every button it sends). */
export function buttonValue(v: unknown): { action: LinkAction; token: string } | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const { action, token } = v as { action?: unknown; token?: unknown };
  if (typeof action !== 'string' || !(LINK_ACTIONS as readonly string[]).includes(action)) return undefined;
  if (typeof token !== 'string' || token.length === 0 || token.length > 2000) return undefined;
  return { action: action as LinkAction, token };
}

/** Reads "<action>:<token>" (notifiers/buttons.ts `buttonKey` writes it). */
export function parseButtonKey(key: string): { action: LinkAction; token: string } | undefined {
  const i = key.indexOf(':');
  return i < 0 ? undefined : buttonValue({ action: key.slice(0, i), token: key.slice(i + 1) });
}

/** Parses JSON, undefined when it is not. */
export function jsonOf(text: string): unknown {
  try { return JSON.parse(text) as unknown; } catch { return undefined; }
}
