import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a test receiver got. */
export interface ReceivedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body parsed as JSON, or undefined. */
  json: unknown;
  /** Status the receiver answered with. */
  status: number;
  at: number;
}

/** What the receiver answers; a function of the request and how many came before it (0-based). */
export type Responder = (req: Omit<ReceivedRequest, 'status'>, index: number) => { status: number; body?: string | object; headers?: Record<string, string>; /** Answer this late (to provoke client timeouts). */ delayMs?: number };

/** A local HTTP receiver on 127.0.0.1 with a free port, recording every request. */
export interface WebhookReceiver {
  url: string;
  requests: ReceivedRequest[];
  /** Changes how the receiver answers from now on. */
  respond(fn: Responder): void;
  /** Waits until `predicate` holds for the recorded requests, polling, at most `timeoutMs`. */
  waitFor(predicate: (reqs: ReceivedRequest[]) => boolean, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

/** Starts a receiver on loopback (port chosen by the OS); answers 200 {"ok":true} unless told otherwise. */
export async function startWebhookReceiver(responder?: Responder): Promise<WebhookReceiver> {
  let respond: Responder = responder ?? (() => ({ status: 200, body: { ok: true } }));
  const requests: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try { json = JSON.parse(body); } catch { json = undefined; }
      const u = new URL(req.url ?? '/', 'http://127.0.0.1');
      const seen = { method: req.method ?? '', url: req.url ?? '/', path: u.pathname, query: u.searchParams, headers: req.headers, body, json, at: Date.now() };
      const answer = respond(seen, requests.length);
      requests.push({ ...seen, status: answer.status });
      const text = answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(answer.status, { 'content-type': typeof answer.body === 'object' ? 'application/json' : 'text/plain', ...answer.headers });
        res.end(text);
      };
      if (answer.delayMs) setTimeout(send, answer.delayMs).unref();
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    respond(fn) { respond = fn; },
    async waitFor(predicate, timeoutMs = 5000) {
      const end = Date.now() + timeoutMs;
      while (!predicate(requests)) {
        if (Date.now() > end) throw new Error(`receiver: condition not met within ${timeoutMs} ms (${requests.length} requests so far)`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return requests;
    },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
