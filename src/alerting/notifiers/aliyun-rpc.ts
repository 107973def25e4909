/**
 * Aliyun's RPC-style API call, signed as Aliyun documents (signature version 1.0, HMAC-SHA1): the common
 * and action parameters are percent-encoded (RFC 3986), sorted by name and joined into the canonical query;
 * the string to sign is "POST&%2F&" and that query, percent-encoded once more; the key is the AccessKey
 * secret followed by "&". Used by the SMS (dysmsapi) and voice (dyvmsapi) channels.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { classifyStatus, jsonAnswer, postBody } from './http.js';
import type { SendResult } from './notifier.js';

/** RFC 3986 percent-encoding as Aliyun's signature wants it (encodeURIComponent leaves !'()* alone). */
export function aliyunPercentEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The Signature of a parameter set (without Signature itself). */
export function aliyunRpcSignature(accessKeySecret: string, params: Record<string, string>): string {
  const canonical = Object.keys(params).sort().map((k) => `${aliyunPercentEncode(k)}=${aliyunPercentEncode(params[k]!)}`).join('&');
  const toSign = `POST&${aliyunPercentEncode('/')}&${aliyunPercentEncode(canonical)}`;
  return createHmac('sha1', `${accessKeySecret}&`).update(toSign).digest('base64');
}

/** Aliyun answers with these when busy or throttled: wait and retry. */
const RETRY = /^(Throttling|isv\.BUSINESS_LIMIT_CONTROL|isp\.SYSTEM_ERROR|ServiceUnavailable|InternalError)/;

/** Calls an action: the common parameters, the action's, the signature; reads `Code` ("OK" is success). */
export async function aliyunRpc(opts: {
  endpoint: string; accessKeyId: string; accessKeySecret: string; action: string; version: string; regionId: string;
  params: Record<string, string>; service: string; signal: AbortSignal; now?: Date;
}): Promise<SendResult> {
  const params: Record<string, string> = {
    AccessKeyId: opts.accessKeyId, Action: opts.action, Format: 'JSON', RegionId: opts.regionId, SignatureMethod: 'HMAC-SHA1',
    SignatureNonce: randomUUID(), SignatureVersion: '1.0', Timestamp: (opts.now ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    Version: opts.version, ...opts.params,
  };
  const body = new URLSearchParams({ ...params, Signature: aliyunRpcSignature(opts.accessKeySecret, params) }).toString();
  const r = await postBody(opts.endpoint, body, { 'content-type': 'application/x-www-form-urlencoded' }, opts.signal);
  if ('failure' in r) return r.failure;
  const a = jsonAnswer(r.reply.text);
  const code = typeof a?.Code === 'string' ? a.Code : undefined;
  if (code === 'OK') return { ok: true, status: r.reply.status };
  if (!code) return classifyStatus(r.reply, opts.service);
  const detail = `${opts.service} answered ${code}: ${String(a?.Message ?? '')}`;
  const response = r.reply.text.slice(0, 2000);
  if (RETRY.test(code)) return { ok: false, retryable: true, status: r.reply.status, retryAfterMs: 60_000, response, detail };
  return { ok: false, retryable: false, status: r.reply.status, response, detail };
}
