import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../src/api/server.js';
import { apiSettings, MemoryNoc, TOKENS } from './memory-noc.js';

/** Reads Server-Sent Events from a live response, one frame at a time, with a deadline per wait. */
class EventReader {
  private buffer = '';
  private frames: { event: string; data: unknown }[] = [];
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();
  ended = false;

  constructor(body: ReadableStream<Uint8Array>) { this.reader = body.getReader(); }

  /** Waits for the next frame of `event` (skipping others), or fails after `ms`. */
  async next(event: string, ms = 3000): Promise<unknown> {
    const deadline = Date.now() + ms;
    for (;;) {
      const i = this.frames.findIndex((f) => f.event === event);
      if (i >= 0) return this.frames.splice(0, i + 1).at(-1)!.data;
      if (this.ended) throw new Error(`stream ended before a "${event}" event`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no "${event}" event within ${ms}ms`);
      const chunk = await Promise.race([this.reader.read(), new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), left))]);
      if (chunk === 'timeout') continue;
      if (chunk.done) { this.ended = true; continue; }
      this.buffer += this.decoder.decode(chunk.value, { stream: true });
      let cut: number;
      while ((cut = this.buffer.indexOf('\n\n')) >= 0) {
        const raw = this.buffer.slice(0, cut);
        this.buffer = this.buffer.slice(cut + 2);
        const ev = /^event: (.*)$/m.exec(raw)?.[1];
        const data = /^data: (.*)$/m.exec(raw)?.[1];
        if (ev && data) this.frames.push({ event: ev, data: JSON.parse(data) });
      }
    }
  }

  /** Resolves once the server has ended the stream. */
  async end(ms = 3000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!this.ended && Date.now() < deadline) {
      const chunk = await Promise.race([this.reader.read(), new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 100))]);
      if (chunk !== 'timeout' && chunk.done) this.ended = true;
    }
  }

  cancel(): Promise<void> { return this.reader.cancel(); }
}

describe('live stream /api/v1/stream', () => {
  let server: ApiServer;
  const noc = new MemoryNoc(() => new Date());

  beforeAll(async () => {
    server = await startApiServer({
      settings: apiSettings({ host: '127.0.0.1', port: 0, wall: { heartbeat: 150, staleAfter: 60_000 } }),
      services: noc.services(), log: pino({ level: 'silent' }),
    });
  });
  afterAll(() => server.close());

  /** Closing a fetch reaches the server a moment later; wait (bounded) for its unsubscribe. */
  const subscribersSettleAt = async (n: number) => {
    for (let i = 0; i < 100 && noc.subscribers !== n; i++) await new Promise((r) => setTimeout(r, 20));
  };

  const open = async (query = `?access_token=${TOKENS.viewer}`) => {
    const res = await fetch(`${server.url}/api/v1/stream${query}`);
    return { res, events: res.body ? new EventReader(res.body) : undefined };
  };

  it('refuses a missing or wrong token before streaming anything', async () => {
    expect((await fetch(`${server.url}/api/v1/stream`)).status).toBe(401);
    expect((await fetch(`${server.url}/api/v1/stream?access_token=nope`)).status).toBe(401);
  });

  it('sends status at once, then device and incident changes as they happen', async () => {
    const { res, events } = await open();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(await events!.next('status')).toMatchObject({ schedulerRunning: true, influx: 'reachable', pollerStale: true });
    noc.setDeviceState('branch-rt-01', 'down');
    expect(await events!.next('device')).toMatchObject({ name: 'branch-rt-01', state: 'down', lossPct: 100 });
    noc.openIncident({ id: 'inc-live', device: 'branch-rt-01', severity: 'P1', title: 'branch-rt-01 down' });
    expect(await events!.next('incident')).toMatchObject({ kind: 'opened', incident: { id: 'inc-live', state: 'open', severity: 'P1', device: 'branch-rt-01' } });
    await events!.cancel();
  });

  it('beats status every heartbeat and says when the poller has stopped', async () => {
    noc.readiness = { ...noc.readiness, lastCycleAt: new Date() };
    const { events } = await open();
    expect(await events!.next('status')).toMatchObject({ pollerStale: false });
    noc.readiness = { ...noc.readiness, schedulerRunning: false };
    expect(await events!.next('status')).toMatchObject({ pollerStale: true, schedulerRunning: false });
    noc.readiness = { ...noc.readiness, schedulerRunning: true, lastCycleAt: new Date(Date.now() - 120_000) };
    expect(await events!.next('status')).toMatchObject({ pollerStale: true, schedulerRunning: true });
    await events!.cancel();
  });

  it('drops its subscription when the client goes away', async () => {
    await subscribersSettleAt(0);
    const { events } = await open();
    await events!.next('status');
    expect(noc.subscribers).toBe(1);
    await events!.cancel();
    await subscribersSettleAt(0);
    expect(noc.subscribers).toBe(0);
  });

  it('ends open streams when the server closes, instead of hanging the shutdown', async () => {
    const { events } = await open();
    await events!.next('status');
    const started = Date.now();
    await server.close();
    await events!.end();
    expect(events!.ended).toBe(true);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(noc.subscribers).toBe(0);
  });
});
