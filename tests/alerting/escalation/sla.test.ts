import { afterAll, describe, expect, it } from 'vitest';
import { SlaStore, band, RESPONSE_BANDS, RESOLUTION_BANDS } from '../../../src/alerting/escalation/sla.js';
import { openStateDb } from '../../../src/core/database.js';
import { incident } from './notify-fixture.js';

const MIN = 60_000;
const db = openStateDb('', ':memory:');
afterAll(() => db.close());
const T0 = Date.UTC(2026, 0, 5, 2, 0, 0);

describe('SLA records', () => {
  it('grades response and resolution into the service-desk bands', () => {
    expect([4, 5, 5.01, 10, 15, 16].map((m) => band(m * MIN, RESPONSE_BANDS))).toEqual(['<=5m', '<=5m', '<=10m', '<=10m', '<=15m', 'later']);
    expect([30, 45, 61, 120, 121].map((m) => band(m * MIN, RESOLUTION_BANDS))).toEqual(['<=30m', '<=60m', '<=120m', '<=120m', 'later']);
    expect(band(undefined, RESPONSE_BANDS)).toBe('pending');
  });

  it('stores each incident against its policy targets and summarises a time range for reports', () => {
    const sla = new SlaStore(db);
    const targets = { respond: 30 * MIN, resolve: 120 * MIN };
    // a: acknowledged at 4 min, resolved at 50; b: never acknowledged, resolved by recovery at 20; c: still open at 40 min.
    for (const [id, dev] of [['a', 'sw1'], ['b', 'sw2'], ['c', 'sw1']] as const) { sla.opened({ ...incident(id, 'P1', new Date(T0)), device: dev }, targets); sla.paged(id); }
    sla.opened(incident('muted', 'P1', new Date(T0)), targets); // never paged: maintenance
    sla.acknowledged('a', new Date(T0 + 4 * MIN), 'alice');
    sla.acknowledged('a', new Date(T0 + 9 * MIN), 'bob'); // a second acknowledgement does not move the response time
    sla.resolved('a', new Date(T0 + 50 * MIN));
    sla.resolved('b', new Date(T0 + 20 * MIN));
    const report = sla.query({ from: new Date(T0 - MIN), to: new Date(T0 + MIN) }, T0 + 40 * MIN);
    expect(report.records.map((r) => [r.incidentId, r.responseMs! / MIN, r.respondedBy, r.responseBand, r.responseMet, r.resolutionBand, r.resolutionMet])).toEqual([
      ['a', 4, 'acknowledged', '<=5m', true, '<=60m', true],
      ['b', 20, 'resolved', 'later', true, '<=30m', true],
      ['c', Number.NaN, undefined, 'pending', false, 'pending', undefined],
    ]);
    expect(report.summary).toEqual({
      count: 3,
      response: { met: 2, missed: 1, running: 0, meanMs: 12 * MIN, bands: { '<=5m': 1, '<=10m': 0, '<=15m': 0, later: 1, pending: 1 } },
      resolution: { met: 2, missed: 0, running: 1, meanMs: 35 * MIN, bands: { '<=30m': 1, '<=60m': 1, '<=120m': 0, later: 0, pending: 1 } },
    });
    expect(sla.query({ device: 'sw1' }, T0).records.map((r) => r.incidentId)).toEqual(['a', 'c']);
    expect(sla.query({ includeUnpaged: true }, T0).summary.count).toBe(4);
    expect(sla.get('a', T0)?.acknowledgedBy).toBe('alice');
  });
});
