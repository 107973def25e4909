/**
 * A call to a Tencent Cloud API 3.0 action (SMS SendSms, VMS SendTtsVoice), signed with TC3-HMAC-SHA256 as
 * Tencent documents: a canonical request (POST, "/", no query, the content-type and host headers, the hex SHA-256
 * of the body) hashed into the string to sign with the timestamp and the credential scope
 * "<UTC date>/<service>/tc3_request"; the signing key is derived by HMAC-SHA256 chained over "TC3"+SecretKey,
 * the date, the service and "tc3_request". One signer for every Tencent channel.
 */
import { createHash, createHmac } from 'node:crypto';
import { classifyStatus, jsonAnswer, postBody } from './http.js';
import type { SendResult } from './notifier.js';

const sha256hex = (s: string) => createHash('sha256').update(s).digest('hex');
const hmac = (key: Buffer | string, s: string) => createHmac('sha256', key).update(s).digest();

/** The Authorization header of a TC3-HMAC-SHA256 request. */
export function tc3Authorization(o: { secretId: string; secretKey: string; service: string; host: string; contentType: string; body: string; timestampS: number }): string {
  const date = new Date(o.timestampS * 1000).toISOString().slice(0, 10);
  const canonical = `POST\n/\n\ncontent-type:${o.contentType}\nhost:${o.host}\n\ncontent-type;host\n${sha256hex(o.body)}`;
  const scope = `${date}/${o.service}/tc3_request`;
  const toSign = `TC3-HMAC-SHA256\n${o.timestampS}\n${scope}\n${sha256hex(canonical)}`;
  const key = hmac(hmac(hmac(`TC3${o.secretKey}`, date), o.service), 'tc3_request');
  return `TC3-HMAC-SHA256 Credential=${o.secretId}/${scope}, SignedHeaders=content-type;host, Signature=${createHmac('sha256', key).update(toSign).digest('hex')}`;
}

/** Busy or throttled (the API, or one number within 30 s): wait and retry. */
export const TENCENT_RETRY = /^(InternalError|RequestLimitExceeded|LimitExceeded\.PhoneNumberThirtySecondLimit)/;

/** The `Response` of a Tencent answer that is JSON; the caller reads its action's own fields. */
export type TencentResponse = { Error?: { Code?: string; Message?: string } } & Record<string, unknown>;

/**
 * POSTs `payload` as JSON to a Tencent API action, signed. Answers a network or HTTP failure as a SendResult,
 * `Response.Error` as a SendResult (throttling and internal errors retryable after a minute, the rest permanent),
 * and otherwise hands the action's `Response` to `read`.
 */
export async function tencentCall(o: {
  endpoint: string; secretId: string; secretKey: string; region: string;
  /** The signing scope's service: `sms`, `vms`. */
  service: string; action: string; version: string; payload: unknown;
  /** Names the channel in failure details ("Tencent SMS oncall"). */
  label: string; signal: AbortSignal;
  read: (res: TencentResponse, status: number, response: string) => SendResult;
}): Promise<SendResult> {
  const body = JSON.stringify(o.payload);
  const contentType = 'application/json; charset=utf-8';
  const timestampS = Math.floor(Date.now() / 1000);
  const host = new URL(o.endpoint).host;
  const r = await postBody(o.endpoint, body, {
    'content-type': contentType, authorization: tc3Authorization({ secretId: o.secretId, secretKey: o.secretKey, service: o.service, host, contentType, body, timestampS }),
    'x-tc-action': o.action, 'x-tc-version': o.version, 'x-tc-timestamp': String(timestampS), 'x-tc-region': o.region,
  }, o.signal);
  if ('failure' in r) return r.failure;
  const { text, status } = r.reply;
  const res = jsonAnswer(text)?.Response as TencentResponse | undefined;
  if (!res) return classifyStatus(r.reply, o.label);
  const response = text.slice(0, 2000);
  if (res.Error?.Code) {
    const detail = `${o.label} answered ${res.Error.Code}: ${res.Error.Message ?? ''}`;
    return TENCENT_RETRY.test(res.Error.Code) ? { ok: false, retryable: true, status, retryAfterMs: 60_000, response, detail } : { ok: false, retryable: false, status, response, detail };
  }
  return o.read(res, status, response);
}
