import type { InfluxSection } from '../../config/sections/influx.js';
import type { WritePrecision } from './line-protocol.js';

/**
 * What a write request came to:
 * - `ok`: every point stored;
 * - `retry`: InfluxDB is down, slow, overloaded, misconfigured for us (auth, missing database) — keep the batch and try later;
 * - `rejected`: InfluxDB refused some points of this batch (400, partial write, 413); `message` is its reason.
 */
export type WriteOutcome =
  | { kind: 'ok' }
  | { kind: 'retry'; message: string; status?: number }
  | { kind: 'rejected'; message: string; status: number };

/** Sends line-protocol bodies to InfluxDB, over the 1.x `/write` or the 2.x `/api/v2/write` API. */
export interface InfluxTransport {
  /** Writes a body (text, or its UTF-8 bytes as the writer builds it) whose timestamps are in `precision` (spooled batches keep the precision they were encoded with). */
  write(body: string | Uint8Array, precision: WritePrecision): Promise<WriteOutcome>;
  /** True when InfluxDB answers its ping endpoint within the timeout. */
  ping(): Promise<boolean>;
  /** Where writes go, without credentials, for logs. */
  readonly target: string;
}

/** Headers carrying the configured credentials: a v2 token, or 1.x basic auth. */
export function authHeaders(settings: InfluxSection): Record<string, string> {
  if (settings.v2) return { Authorization: `Token ${settings.v2.token}` };
  if (settings.username !== undefined) {
    const basic = Buffer.from(`${settings.username}:${settings.password ?? ''}`).toString('base64');
    return { Authorization: `Basic ${basic}` };
  }
  return {};
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === 'TimeoutError') return 'timed out';
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ?? cause?.message ?? err.message;
  }
  return String(err);
}

/**
 * Builds the HTTP transport for the configured InfluxDB. `retentionPolicy` (1.x only) writes into a policy other than
 * the database default, e.g. `long_term` when seeding or restoring downsampled history.
 */
export function createHttpTransport(settings: InfluxSection, opts: { retentionPolicy?: string } = {}): InfluxTransport {
  const base = settings.url.replace(/\/+$/, '');
  const urlFor = (precision: WritePrecision): URL => {
    const url = new URL(settings.v2 ? `${base}/api/v2/write` : `${base}/write`);
    if (settings.v2) {
      url.searchParams.set('org', settings.v2.org);
      url.searchParams.set('bucket', settings.v2.bucket);
    } else {
      url.searchParams.set('db', settings.database);
      if (opts.retentionPolicy) url.searchParams.set('rp', opts.retentionPolicy);
    }
    url.searchParams.set('precision', precision);
    return url;
  };
  const urls = { s: urlFor('s'), ms: urlFor('ms') };
  const headers = { 'Content-Type': 'text/plain; charset=utf-8', ...authHeaders(settings) };
  const timeout = settings.timeout;
  return {
    target: urls[settings.precision].toString(),
    async write(body, precision) {
      const url = urls[precision];
      let res: Response;
      try {
        // A Buffer is sent as it is (fetch takes any ArrayBufferView; the DOM typing only names ArrayBuffer-backed ones).
        res = await fetch(url, { method: 'POST', body: body as string | Uint8Array<ArrayBuffer>, headers, signal: AbortSignal.timeout(timeout) });
      } catch (err) {
        return { kind: 'retry', message: `InfluxDB unreachable: ${describe(err)}` };
      }
      if (res.status === 204 || res.status === 200) {
        await res.body?.cancel();
        return { kind: 'ok' };
      }
      let text = '';
      try { text = await res.text(); } catch (err) { text = describe(err); }
      let message = text;
      try {
        const json = JSON.parse(text) as { error?: string; message?: string };
        message = json.error ?? json.message ?? text;
      } catch { /* not JSON: keep the text */ }
      const status = res.status;
      // 400 (unparsable or conflicting points) and 413 (batch too large) are about the points; 422 is 2.x's
      // "outside retention" partial write. Everything else (401/403/404/429/5xx) is about InfluxDB or our access to it.
      if (status === 400 || status === 413 || status === 422) return { kind: 'rejected', status, message };
      return { kind: 'retry', status, message: `InfluxDB answered ${status}: ${message}` };
    },
    async ping() {
      try {
        const res = await fetch(`${base}/ping`, { headers: authHeaders(settings), signal: AbortSignal.timeout(Math.min(timeout, 5000)) });
        await res.body?.cancel();
        return res.status === 204 || res.status === 200;
      } catch {
        return false;
      }
    },
  };
}
