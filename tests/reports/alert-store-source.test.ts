import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertStore } from '../../src/alerting/store.js';
import { SlaStore } from '../../src/alerting/escalation/sla.js';
import { FakeClock } from '../../src/core/clock.js';
import { openStateDb, type Db } from '../../src/core/database.js';
import type { AlertView, IncidentView, Severity } from '../../src/core/incident.js';
import { AlertStoreIncidentSource } from '../../src/reports/sources/alert-store.js';
import { weekPeriod } from '../../src/reports/period.js';
import { tempDir } from '../helpers/tmp.js';

const MIN = 60_000;
const week = weekPeriod('2026-W47', 'Asia/Shanghai');
const t = (offsetMin: number) => new Date(week.start.getTime() + offsetMin * MIN);

function incident(id: string, severity: Severity, opened: Date, extra: Partial<IncidentView> = {}): IncidentView {
  const alert: AlertView = {
    fingerprint: `fp-${id}`, rule: 'device-down', severity, device: 'core-sw-01', instance: '', state: 'firing',
    summary: { en: 'core-sw-01 is unreachable', 'zh-CN': 'core-sw-01 不可达' }, labels: {}, startsAt: opened,
  };
  return {
    id, key: `device:${id}`, title: 'core-sw-01 unreachable', severity, state: 'open', device: 'core-sw-01', site: 'hq',
    openedAt: opened, alerts: [alert], muted: false, flapping: false, suppressedDevices: [], ...extra,
  };
}

let tmp: ReturnType<typeof tempDir>;
let db: Db;

beforeAll(() => {
  tmp = tempDir('noctua-report-db-');
  db = openStateDb(tmp.dir);
  const alerts = new AlertStore(db);
  const sla = new SlaStore(db);
  const targets = { respond: 60 * MIN, resolve: 240 * MIN };
  // Acknowledged after 12 min, resolved after 144 min, paged.
  const a = incident('INC-1', 'P2', t(600), { state: 'resolved', acknowledgedAt: t(612), resolvedAt: t(744) });
  alerts.saveIncident(1, a, t(744).getTime());
  sla.opened(a, targets); sla.paged('INC-1'); sla.acknowledged('INC-1', t(612), 'li.wei'); sla.resolved('INC-1', t(744));
  // Muted the whole time (maintenance): nobody paged, not graded.
  const b = incident('INC-2', 'P3', t(2000), { state: 'resolved', resolvedAt: t(2100), muted: true });
  alerts.saveIncident(2, b, t(2100).getTime());
  sla.opened(b, targets); sla.resolved('INC-2', t(2100));
  // Resolved before the week: not part of it.
  const c = incident('INC-3', 'P1', t(-3000), { state: 'resolved', resolvedAt: t(-2000) });
  alerts.saveIncident(3, c, t(-2000).getTime());
  // Opened before the week and still open: carried over, no SLA record (escalation was not running then).
  const d = incident('INC-4', 'P4', t(-60));
  alerts.saveIncident(4, d, t(-60).getTime());
});

afterAll(() => { db?.close(); tmp?.cleanup(); });

describe('incidents read from the alert store and escalation SLA records', () => {
  it('returns the incidents active in the week with escalation grades mapped to bands', async () => {
    const source = new AlertStoreIncidentSource(db, new FakeClock(week.end.getTime() + 8 * 3_600_000));
    const list = await source.incidents({ start: week.start, end: week.end });
    expect(list.map((i) => i.id)).toEqual(['INC-4', 'INC-1', 'INC-2']);
    const one = list.find((i) => i.id === 'INC-1')!;
    expect(one.acknowledgedBy).toBe('li.wei');
    expect(one.titles?.['zh-CN']).toBe('core-sw-01 不可达');
    expect(one.sla).toMatchObject({ responseMs: 12 * MIN, responseBand: 3, responseMet: true, resolutionMs: 144 * MIN, resolutionBand: 4, resolutionMet: true, responseTargetMs: 60 * MIN });
    expect(list.find((i) => i.id === 'INC-2')!.sla?.notGraded).toBe('muted');
    expect(list.find((i) => i.id === 'INC-4')!.sla).toBeUndefined();
  });
});
