import type { SendResult } from './notifier.js';

/** What a receiver answered. */
export interface HttpReply { status: number; headers: Headers; text: string }

/** Longest part of a receiver's answer kept with a failed notice; enough to read the reason, not a page of HTML. */
const KEEP_ANSWER = 2000;

/** POSTs a body; network errors, aborts and timeouts become a retryable failure instead of an exception. */
export async function postBody(
  url: string, body: string, headers: Record<string, string>, signal: AbortSignal,
): Promise<{ reply: HttpReply } | { failure: SendResult & { ok: false } }> {
  try {
    const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, signal, redirect: 'error' });
    const text = await res.text();
    return { reply: { status: res.status, headers: res.headers, text } };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const why = signal.aborted ? `timed out or cancelled (${String(signal.reason instanceof Error ? signal.reason.message : signal.reason ?? 'aborted')})` : `${e.cause?.code ?? e.name}: ${e.cause?.message ?? e.message}`;
    return { failure: { ok: false, retryable: true, detail: `no answer from ${redactUrl(url)}: ${redactUrlsIn(why)}` } };
  }
}

/** Reads Retry-After as seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, nowMs: number): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/**
 * Classifies an HTTP status the way every channel does: 2xx delivered; 429 retry, honouring Retry-After;
 * 408 and 5xx retry; any other 4xx is permanent, keeping the receiver's answer for the operator.
 */
export function classifyStatus(reply: HttpReply, service: string): SendResult {
  const answer = reply.text.slice(0, KEEP_ANSWER);
  if (reply.status >= 200 && reply.status < 300) return { ok: true, status: reply.status };
  if (reply.status === 429) {
    return { ok: false, retryable: true, status: 429, retryAfterMs: retryAfterMs(reply.headers.get('retry-after'), Date.now()), response: answer, detail: `${service} answered 429 Too Many Requests${reply.headers.get('retry-after') ? ` (Retry-After: ${reply.headers.get('retry-after')})` : ''}` };
  }
  if (reply.status === 408 || reply.status >= 500) {
    return { ok: false, retryable: true, status: reply.status, response: answer, detail: `${service} answered HTTP ${reply.status}: ${oneLine(answer)}` };
  }
  return { ok: false, retryable: false, status: reply.status, response: answer, detail: `${service} refused the notice with HTTP ${reply.status}: ${oneLine(answer)}` };
}

/** Parses a JSON answer from a chat robot; undefined when it is not JSON. */
export function jsonAnswer(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function oneLine(s: string): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > 300 ? `${t.slice(0, 300)}…` : t || '(empty answer)';
}

/**
 * A receiver URL fit for logs and for display (warn logs, `GET /api/v1/notices/failed`): scheme, host and port only.
 * Robots carry their secret in the query (DingTalk, WeCom) or in the path (Slack /services/T/B/<secret>,
 * Feishu /bot/v2/hook/<token>), so neither is ever shown.
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return '(invalid url)';
  }
}

/** An http(s) URL inside free text: authority, then an optional path, query or fragment. No nested quantifiers: linear. */
const URL_IN_TEXT = /\bhttps?:\/\/(?:[^\s"'<>/?#@]*@)?(?:\[[0-9a-f:.]*\]|[a-z0-9.-]+)(?::\d+)?(?:[/?#][^\s"'<>]*)?/gi;

/** Replaces every http(s) URL inside a message (a network error or a receiver's answer may quote the request URL) with its redacted form. */
export function redactUrlsIn(text: string): string {
  return text.replace(URL_IN_TEXT, (m) => {
    // Punctuation closing the sentence is not part of the URL.
    const tail = /[.,;:!?)\]]+$/.exec(m)?.[0] ?? '';
    return redactUrl(m.slice(0, m.length - tail.length)) + tail;
  });
}
