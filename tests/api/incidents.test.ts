import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appOver, bearer, T0 } from './memory-noc.js';

const { app, noc } = appOver();
afterAll(() => app.close());
const get = (url: string) => app.inject({ url, headers: bearer('viewer') });
const post = (url: string, payload?: object) =>
  app.inject({ method: 'POST', url, headers: bearer('operator'), ...(payload ? { payload } : {}) });
const ids = (body: { items: { id: string }[] }) => body.items.map((i) => i.id);
const minutes = (n: number) => new Date(T0.getTime() - n * 60_000);

/** Marks an incident and its alerts resolved at a past time, as the alert engine would have. */
function resolvedAt(id: string, at: Date): void {
  const i = noc.incidents.get(id)!;
  noc.incidents.set(id, { ...i, state: 'resolved', resolvedAt: at, alerts: i.alerts.map((a) => ({ ...a, state: 'resolved', endsAt: at })) });
}

beforeAll(() => {
  noc.openIncident({ id: 'i-p3-hq', device: 'core-sw-01', severity: 'P3', title: 'GE0/0/1 down', openedAt: minutes(50) });
  noc.openIncident({ id: 'i-p1-sh', device: 'branch-rt-01', severity: 'P1', title: 'branch-rt-01 down', openedAt: minutes(5) });
  noc.openIncident({ id: 'i-p1-hq', device: 'edge-rt-01', severity: 'P1', title: 'edge-rt-01 down', openedAt: minutes(20) });
  noc.openIncident({ id: 'i-p2-ack', device: 'fw-01', severity: 'P2', title: 'fw-01 sessions high', openedAt: minutes(30) });
  noc.incidents.set('i-p2-ack', { ...noc.incidents.get('i-p2-ack')!, state: 'acknowledged', acknowledgedBy: 'bob', acknowledgedAt: minutes(25) });
  noc.openIncident({ id: 'i-old', device: 'branch-ups-01', severity: 'P2', title: 'on battery', openedAt: minutes(60 * 24 * 10) });
  resolvedAt('i-old', minutes(60 * 24 * 9));
  noc.openIncident({ id: 'i-recent', device: 'branch-ups-01', severity: 'P4', title: 'battery test', openedAt: minutes(120) });
  resolvedAt('i-recent', minutes(90));
  noc.looseAlerts.push({
    fingerprint: 'fp-pending', rule: 'cpu_high', severity: 'P3', device: 'fw-01', instance: '0', state: 'pending',
    summary: { en: 'CPU high', 'zh-CN': 'CPU 高' }, labels: {}, startsAt: minutes(1),
  });
});

describe('GET /api/v1/incidents', () => {
  it('lists open incidents first, most severe first, newest first, with resolved ones of the last 7 days', async () => {
    const r = await get('/api/v1/incidents');
    expect(r.statusCode).toBe(200);
    expect(ids(r.json())).toEqual(['i-p1-sh', 'i-p1-hq', 'i-p3-hq', 'i-p2-ack', 'i-recent']);
    expect(r.json().items[0]).toMatchObject({ severity: 'P1', state: 'open', device: 'branch-rt-01', site: 'shanghai', openedAt: minutes(5).toISOString() });
  });

  it('filters by state, severity, site, device and since', async () => {
    expect(ids((await get('/api/v1/incidents?state=acknowledged')).json())).toEqual(['i-p2-ack']);
    expect(ids((await get('/api/v1/incidents?severity=P1&site=hq')).json())).toEqual(['i-p1-hq']);
    expect(ids((await get('/api/v1/incidents?device=branch-ups-01&state=resolved')).json())).toEqual(['i-recent']);
    expect(ids((await get(`/api/v1/incidents?state=resolved&since=${minutes(60 * 24 * 30).toISOString()}`)).json())).toEqual(['i-old', 'i-recent']);
    expect(ids((await get(`/api/v1/incidents?state=resolved&since=${minutes(60).toISOString()}`)).json())).toEqual([]);
  });

  it('pages with limit and offset', async () => {
    const a = (await get('/api/v1/incidents?limit=2')).json();
    const b = (await get('/api/v1/incidents?limit=2&offset=2')).json();
    expect([a.total, b.total]).toEqual([5, 5]);
    expect([...ids(a), ...ids(b)]).toEqual(['i-p1-sh', 'i-p1-hq', 'i-p3-hq', 'i-p2-ack']);
  });

  it('answers bad filters with 400 and the field path', async () => {
    const r = await get('/api/v1/incidents?severity=P0&state=closed&since=last-week');
    expect(r.statusCode).toBe(400);
    expect(r.json().issues).toEqual(expect.arrayContaining([
      { path: 'querystring.severity[0]', expected: 'one of P1, P2, P3, P4', got: '"P0"' },
      { path: 'querystring.state[0]', expected: 'one of open, acknowledged, resolved', got: '"closed"' },
      { path: 'querystring.since', expected: 'an RFC 3339 date-time such as 2026-11-23T08:00:00Z', got: '"last-week"' },
    ]));
  });
});

describe('GET /api/v1/incidents/:id', () => {
  it('shows the incident with its alerts and its timeline', async () => {
    const r = await get('/api/v1/incidents/i-p1-hq');
    expect(r.statusCode).toBe(200);
    expect(r.json().incident).toMatchObject({ id: 'i-p1-hq', alerts: [{ rule: 'device_down', state: 'firing' }] });
    expect(r.json().timeline).toEqual([expect.objectContaining({ kind: 'opened', state: 'open', severity: 'P1' })]);
  });

  it('answers 404 for an unknown id', async () => {
    expect((await get('/api/v1/incidents/i-nope')).statusCode).toBe(404);
  });
});

describe('incident actions', () => {
  it('acknowledges as the token owner, with an optional note, and records it on the timeline', async () => {
    const r = await post('/api/v1/incidents/i-p1-hq/acknowledge', { note: 'looking at the uplink' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'alice', acknowledgedAt: T0.toISOString() });
    const timeline = (await get('/api/v1/incidents/i-p1-hq')).json().timeline;
    expect(timeline.at(-1)).toMatchObject({ kind: 'acknowledged', by: 'alice', note: 'looking at the uplink', state: 'acknowledged' });
  });

  it('takes an acknowledgement back, and refuses to when there is none (409)', async () => {
    const r = await post('/api/v1/incidents/i-p1-hq/unacknowledge');
    expect(r.statusCode).toBe(200);
    expect(r.json().state).toBe('open');
    const again = await post('/api/v1/incidents/i-p1-hq/unacknowledge');
    expect(again.statusCode).toBe(409);
    expect(again.json().message).toBe('incident "i-p1-hq" is open, not acknowledged');
  });

  it('adds a comment without changing the state, and needs a non-empty note', async () => {
    const r = await post('/api/v1/incidents/i-p3-hq/comment', { note: '  fibre cut reported by carrier  ' });
    expect(r.statusCode).toBe(200);
    expect(r.json().state).toBe('open');
    const timeline = (await get('/api/v1/incidents/i-p3-hq')).json().timeline;
    expect(timeline.at(-1)).toMatchObject({ kind: 'commented', by: 'alice', note: 'fibre cut reported by carrier' });
    const empty = await post('/api/v1/incidents/i-p3-hq/comment', {});
    expect(empty.statusCode).toBe(400);
    expect(empty.json().issues).toEqual([{ path: 'body.note', expected: 'a value (this field is required)' }]);
    const blank = await post('/api/v1/incidents/i-p3-hq/comment', { note: '   ' });
    expect(blank.json().issues).toEqual([{ path: 'body.note', expected: 'a note that is not blank', got: '"   "' }]);
    const extra = await post('/api/v1/incidents/i-p3-hq/comment', { note: 'x', by: 'somebody-else' });
    expect(extra.json().issues).toEqual([{ path: 'body.by', expected: 'no such field (expected one of: note)' }]);
  });

  it('resolves by hand, then refuses to acknowledge or resolve it again (409)', async () => {
    const r = await post('/api/v1/incidents/i-p3-hq/resolve', { note: 'carrier fixed the fibre' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ state: 'resolved', resolvedAt: T0.toISOString() });
    expect((await post('/api/v1/incidents/i-p3-hq/resolve')).statusCode).toBe(409);
    const ack = await post('/api/v1/incidents/i-p3-hq/acknowledge');
    expect(ack.statusCode).toBe(409);
    expect(ack.json().message).toContain('is resolved');
  });

  it('answers 404 for an unknown incident and 400 for a note of the wrong shape', async () => {
    expect((await post('/api/v1/incidents/i-nope/acknowledge')).statusCode).toBe(404);
    const long = await post('/api/v1/incidents/i-p1-sh/acknowledge', { note: 'x'.repeat(2001) });
    expect(long.json().issues).toEqual([{ path: 'body.note', expected: 'at most 2000 characters', got: expect.any(String) }]);
    const bad = await app.inject({ method: 'POST', url: '/api/v1/incidents/i-p1-sh/acknowledge', headers: { ...bearer('operator'), 'content-type': 'application/json' }, payload: '{"note": ' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().issues).toEqual([{ path: 'body', expected: 'valid JSON' }]);
    const list = await post('/api/v1/incidents/i-p1-sh/acknowledge', ['note'] as unknown as object);
    expect(list.json().issues).toEqual([{ path: 'body', expected: 'an object', got: '["note"]' }]);
  });
});

describe('GET /api/v1/alerts', () => {
  it('lists firing alerts first, then pending, then resolved, and filters them', async () => {
    const all = (await get('/api/v1/alerts')).json();
    // GE0/0/1's alert was resolved by hand above; the one resolved 9 days ago is outside the default 7 days.
    expect(all.items.map((a: { state: string }) => a.state)).toEqual(['firing', 'firing', 'firing', 'pending', 'resolved', 'resolved']);
    const pending = (await get('/api/v1/alerts?state=pending')).json();
    expect(pending.items).toEqual([expect.objectContaining({ fingerprint: 'fp-pending', device: 'fw-01' })]);
    expect(pending.items[0].incidentId).toBeUndefined();
    // Site comes from the device when the alert has no site label.
    const hq = (await get('/api/v1/alerts?site=hq&severity=P3&state=pending&state=firing')).json();
    expect(hq.items.map((a: { fingerprint: string }) => a.fingerprint)).toEqual(['fp-pending']);
    const sh = (await get('/api/v1/alerts?device=branch-rt-01')).json();
    expect(sh.items).toEqual([expect.objectContaining({ incidentId: 'i-p1-sh', severity: 'P1' })]);
    expect((await get('/api/v1/alerts?state=acknowledged')).statusCode).toBe(400);
  });
});
