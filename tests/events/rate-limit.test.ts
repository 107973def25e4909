import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { LogThrottle, SourceRateLimiter } from '../../src/events/limits.js';
import { device, eventsOf, startTestReceivers, waitFor } from './helpers.js';

describe('per-source rate limit', () => {
  it('refills at the configured rate and counts what it refuses per source', () => {
    const l = new SourceRateLimiter(10, 3);
    const taken = [0, 1, 2, 3].map(() => l.take('a', 0));
    expect(taken).toEqual([true, true, true, false]);
    expect(l.take('b', 0)).toBe(true);
    expect(l.take('a', 100)).toBe(true); // 100 ms at 10/s: one token back
    expect(l.take('a', 100)).toBe(false);
    expect(l.drainRefused()).toEqual(new Map([['a', 2]]));
    expect(l.totalRefused).toBe(2);
  });

  it('logs once per key per minute', () => {
    const t = new LogThrottle(60_000);
    expect([t.shouldLog('x', 0), t.shouldLog('x', 59_999), t.shouldLog('y', 1), t.shouldLog('x', 60_000)]).toEqual([true, false, true, true]);
  });

  it('a flooding sender gets its burst processed, the rest counted and reported as one rate-limited event', async () => {
    const { rx, samples } = await startTestReceivers({
      syslog: { enabled: true, udp: '127.0.0.1:0', tcp: false }, rateLimit: { perSecond: 1, burst: 5 }, storm: { window: '1m', threshold: 100 },
    }, [device('chatty', '127.0.0.7')]);
    try {
      const sender = createSocket('udp4');
      await new Promise<void>((r) => sender.bind(0, '127.0.0.7', () => r()));
      for (let i = 0; i < 40; i++) {
        await new Promise<void>((r) => sender.send(Buffer.from(`<13>Dec  2 07:00:00 chatty app: line ${i}`), rx.addresses.syslogUdp!.port, '127.0.0.1', () => r()));
      }
      sender.close();
      await waitFor('40 messages received', () => rx.stats().received.syslog === 40);
      expect(rx.stats().rateLimited).toBeGreaterThanOrEqual(34);
      await waitFor('the burst published', () => eventsOf(samples, 'syslog', 'chatty').length >= 5);
    } finally {
      await rx.stop();
    }
    const processed = eventsOf(samples, 'syslog', 'chatty').length;
    expect(processed).toBeLessThanOrEqual(6);
    const [report] = eventsOf(samples, 'rate-limited', 'chatty');
    expect(report!.tags).toMatchObject({ source: 'syslog', severity: 'warning' });
    expect(String(report!.fields.message)).toMatch(new RegExp(`^${40 - processed} syslog messages from 127\\.0\\.0\\.7 were over the rate limit`));
  });
});
