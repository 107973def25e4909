import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { influxSectionSchema } from '../../src/config/sections/influx.js';
import { createHttpTransport } from '../../src/storage/influx/transport.js';

/** A loopback HTTP server standing in for InfluxDB 2.x (and 1.x with auth): records requests, answers as told. */
let server: Server;
let url = '';
const seen: { method: string; path: string; query: URLSearchParams; auth?: string; body: string }[] = [];
let answer: { status: number; body?: string; delayMs?: number } = { status: 204 };

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString('utf8'); });
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://x');
      seen.push({ method: req.method ?? '', path: u.pathname, query: u.searchParams, auth: req.headers.authorization, body });
      const reply = () => { res.writeHead(answer.status, { 'Content-Type': 'application/json' }); res.end(answer.body ?? ''); };
      if (answer.delayMs) setTimeout(reply, answer.delayMs); else reply();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => { server.closeAllConnections(); await new Promise((r) => server.close(r)); });

describe('write transport', () => {
  it('writes through the v2 API with org, bucket, precision and token when influx.v2 is set', async () => {
    answer = { status: 204 };
    const t = createHttpTransport(influxSectionSchema.parse({ url, precision: 'ms', v2: { org: 'noc', bucket: 'noctua', token: 's3cret' } }));
    expect(await t.write('icmp,device=a up=true 1', 'ms')).toEqual({ kind: 'ok' });
    const r = seen.at(-1)!;
    expect([r.method, r.path, r.query.get('org'), r.query.get('bucket'), r.query.get('precision'), r.auth, r.body])
      .toEqual(['POST', '/api/v2/write', 'noc', 'noctua', 'ms', 'Token s3cret', 'icmp,device=a up=true 1']);
  });

  it('writes through /write with the database and basic auth for InfluxDB 1.x with credentials', async () => {
    answer = { status: 204 };
    const t = createHttpTransport(influxSectionSchema.parse({ url, database: 'nms', username: 'noctua', password: 'pw' }));
    await t.write('x v=1 1', 's');
    const r = seen.at(-1)!;
    expect([r.path, r.query.get('db'), r.query.get('precision'), r.auth]).toEqual(['/write', 'nms', 's', `Basic ${Buffer.from('noctua:pw').toString('base64')}`]);
  });

  it('keeps the batch for later on 5xx, 429, 401 and a missing database, and reports the status', async () => {
    const t = createHttpTransport(influxSectionSchema.parse({ url }));
    for (const status of [500, 503, 429, 401, 404]) {
      answer = { status, body: JSON.stringify({ error: `status ${status}` }) };
      expect(await t.write('x v=1 1', 's')).toEqual({ kind: 'retry', status, message: `InfluxDB answered ${status}: status ${status}` });
    }
  });

  it('reports points InfluxDB refuses (400 in 1.x, 422 in 2.x) with its message', async () => {
    const t = createHttpTransport(influxSectionSchema.parse({ url }));
    answer = { status: 400, body: JSON.stringify({ error: "partial write: unable to parse 'x': bad dropped=0" }) };
    expect(await t.write('x', 's')).toEqual({ kind: 'rejected', status: 400, message: "partial write: unable to parse 'x': bad dropped=0" });
    answer = { status: 422, body: JSON.stringify({ code: 'unprocessable entity', message: 'failure writing points to database: partial write: points beyond retention policy dropped=1' }) };
    expect(await t.write('x v=1 1', 's')).toMatchObject({ kind: 'rejected', status: 422, message: expect.stringContaining('beyond retention policy') });
  });

  it('counts a write that is not answered within the timeout as a retry', async () => {
    answer = { status: 204, delayMs: 1500 };
    const t = createHttpTransport(influxSectionSchema.parse({ url, timeout: '200ms' }));
    expect(await t.write('x v=1 1', 's')).toEqual({ kind: 'retry', message: 'InfluxDB unreachable: timed out' });
  });

  it('reports a refused connection as a retry and ping as false', async () => {
    // A port that was just free: nothing listens there.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const t = createHttpTransport(influxSectionSchema.parse({ url: `http://127.0.0.1:${port}` }));
    expect(await t.write('x v=1 1', 's')).toEqual({ kind: 'retry', message: 'InfluxDB unreachable: ECONNREFUSED' });
    expect(await t.ping()).toBe(false);
  });
});
