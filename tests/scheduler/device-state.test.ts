import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { DeviceStateRegistry, type DeviceStatus } from '../../src/scheduler/device-state.js';
import { device } from './fake-fleet.js';

function registry() {
  const clock = new FakeClock();
  const r = new DeviceStateRegistry(clock);
  const changes: [string, DeviceStatus, DeviceStatus][] = [];
  r.onStatusChange((s, prev) => changes.push([s.name, prev, s.status]));
  r.sync([device('rtr-01'), device('sw-01', { icmp: false })]);
  return { clock, r, changes };
}

describe('device-state registry', () => {
  it('starts every device as unknown', () => {
    const { r } = registry();
    expect(r.list().map((s) => [s.name, s.status])).toEqual([['rtr-01', 'unknown'], ['sw-01', 'unknown']]);
  });

  it('goes unreachable when ping fails and back up on the first answered ping, forgetting the stale SNMP verdict', async () => {
    const { r, clock, changes } = registry();
    r.record('rtr-01', 'icmp', { ok: true, reachable: true, durationMs: 5 });
    r.record('rtr-01', 'snmp', { ok: false, reachable: false, durationMs: 3000, error: 'timeout' });
    expect(r.get('rtr-01')!.status).toBe('down');
    await clock.advance(30_000);
    r.record('rtr-01', 'icmp', { ok: false, reachable: false, durationMs: 500, error: '127.0.0.1: no echo reply (3 sent)' });
    expect(r.get('rtr-01')!.status).toBe('unreachable');
    expect(r.isUnreachable('rtr-01')).toBe(true);
    expect(r.get('rtr-01')!.since).toEqual(clock.now());
    expect(r.get('rtr-01')!.reason).toContain('no echo reply');
    r.record('rtr-01', 'icmp', { ok: true, reachable: true, durationMs: 5 });
    expect(r.get('rtr-01')!.status).toBe('up');
    expect(changes).toEqual([['rtr-01', 'unknown', 'up'], ['rtr-01', 'up', 'down'], ['rtr-01', 'down', 'unreachable'], ['rtr-01', 'unreachable', 'up']]);
  });

  it('marks an SNMP-only device down when its agent does not answer, and keeps last poll times and errors', () => {
    const { r } = registry();
    r.record('sw-01', 'snmp', { ok: false, reachable: false, durationMs: 2000, error: 'Request timed out' });
    const s = r.get('sw-01')!;
    expect(s.status).toBe('down');
    expect(s.last.snmp).toMatchObject({ ok: false, durationMs: 2000, error: 'Request timed out' });
    expect(s.lastError).toMatchObject({ kind: 'snmp', message: 'Request timed out' });
    expect(s.polls).toEqual({ ok: 0, failed: 1, overruns: 0 });
  });

  it('does not change the status for a failure of our own (no verdict)', () => {
    const { r } = registry();
    r.record('rtr-01', 'icmp', { ok: true, reachable: true, durationMs: 5 });
    r.record('rtr-01', 'icmp', { ok: false, durationMs: 0, error: 'poller error: fping failed' });
    expect(r.get('rtr-01')!.status).toBe('up');
    expect(r.get('rtr-01')!.lastError!.message).toContain('fping failed');
  });

  it('drops removed devices and ignores late results for them', () => {
    const { r } = registry();
    r.sync([device('rtr-01')]);
    r.record('sw-01', 'snmp', { ok: true, reachable: true, durationMs: 1 });
    expect(r.get('sw-01')).toBeUndefined();
    expect(r.list()).toHaveLength(1);
  });
});
