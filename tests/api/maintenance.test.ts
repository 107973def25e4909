import { afterAll, describe, expect, it } from 'vitest';
import { appOver, bearer, T0 } from './memory-noc.js';

const { app, noc } = appOver();
afterAll(() => app.close());
const create = (payload: object, role: 'operator' | 'viewer' = 'operator') =>
  app.inject({ method: 'POST', url: '/api/v1/maintenance', headers: bearer(role), payload });
const hours = (n: number) => new Date(T0.getTime() + n * 3_600_000).toISOString();

describe('maintenance windows', () => {
  it('creates a window for devices from now for a duration, recorded as the token owner (201)', async () => {
    const r = await create({ reason: 'firmware upgrade', devices: ['core-sw-01', 'fw-01'], duration: '2h' });
    expect(r.statusCode).toBe(201);
    expect(r.json()).toMatchObject({
      id: 'mw-1', reason: 'firmware upgrade', devices: ['core-sw-01', 'fw-01'], sites: [], tags: [],
      startsAt: T0.toISOString(), endsAt: hours(2), createdBy: 'alice', active: true,
    });
    expect(noc.windows).toHaveLength(1);
  });

  it('creates a scheduled window for a site with an explicit end', async () => {
    const r = await create({ reason: 'power work', sites: ['shanghai'], startsAt: hours(24), endsAt: hours(26) });
    expect(r.statusCode).toBe(201);
    expect(r.json()).toMatchObject({ sites: ['shanghai'], active: false, startsAt: hours(24), endsAt: hours(26) });
  });

  it('refuses unknown devices and sites, a missing target, end before start, and both or neither end, each by path', async () => {
    const unknown = await create({ reason: 'x', devices: ['core-sw-01', 'core-sw-99'], sites: ['mars'], duration: '1h' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().issues).toEqual([
      { path: 'body.devices[1]', expected: 'the name of a device in the inventory', got: '"core-sw-99"' },
      { path: 'body.sites[0]', expected: 'a site in the inventory (hq, shanghai)', got: '"mars"' },
    ]);
    const none = await create({ reason: 'x', duration: '1h' });
    expect(none.json().issues).toEqual([{ path: 'body.devices', expected: 'at least one device, site or tag (body.devices, body.sites or body.tags)' }]);
    const backwards = await create({ reason: 'x', tags: ['wan'], startsAt: hours(3), endsAt: hours(1) });
    expect(backwards.json().issues).toEqual([{ path: 'body.endsAt', expected: `a time after startsAt (${hours(3)})`, got: JSON.stringify(hours(1)) }]);
    const both = await create({ reason: 'x', tags: ['wan'], endsAt: hours(1), duration: '1h' });
    expect(both.json().issues).toEqual([{ path: 'body.endsAt', expected: 'exactly one of body.endsAt or body.duration' }]);
    const badDuration = await create({ reason: 'x', tags: ['wan'], duration: 'a while' });
    expect(badDuration.json().issues).toEqual([{ path: 'body.duration', expected: 'a duration such as 30m, 2h or 1d', got: '"a while"' }]);
    const tooLong = await create({ reason: 'x', tags: ['wan'], duration: '60d' });
    expect(tooLong.json().issues).toEqual([{ path: 'body.duration', expected: 'a window of at most 31 days' }]);
    const schema = await create({ devices: 'core-sw-01', duration: '1h', startsAt: 'tomorrow' });
    expect(schema.json().issues).toEqual(expect.arrayContaining([
      { path: 'body.reason', expected: 'a value (this field is required)' },
      { path: 'body.devices', expected: 'an array', got: '"core-sw-01"' },
      { path: 'body.startsAt', expected: 'an RFC 3339 date-time such as 2026-11-23T08:00:00Z', got: '"tomorrow"' },
    ]));
    expect(noc.windows).toHaveLength(2);
  });

  it('lets viewers list but not create', async () => {
    expect((await create({ reason: 'x', tags: ['wan'], duration: '1h' }, 'viewer')).statusCode).toBe(403);
    const list = await app.inject({ url: '/api/v1/maintenance', headers: bearer('viewer') });
    expect(list.json()).toMatchObject({ total: 2, items: [{ id: 'mw-1' }, { id: 'mw-2' }] });
  });

  it('filters the list by state', async () => {
    const active = await app.inject({ url: '/api/v1/maintenance?state=active', headers: bearer('viewer') });
    expect(active.json().items.map((w: { id: string }) => w.id)).toEqual(['mw-1']);
    const scheduled = await app.inject({ url: '/api/v1/maintenance?state=scheduled', headers: bearer('viewer') });
    expect(scheduled.json().items.map((w: { id: string }) => w.id)).toEqual(['mw-2']);
    expect((await app.inject({ url: '/api/v1/maintenance?state=over', headers: bearer('viewer') })).json().issues[0].path).toBe('querystring.state[0]');
  });

  it('ends a window early, then refuses to end it again (409)', async () => {
    const r = await app.inject({ method: 'POST', url: '/api/v1/maintenance/mw-1/end', headers: bearer('operator') });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ id: 'mw-1', endsAt: T0.toISOString(), endedEarlyBy: 'alice', active: false });
    const again = await app.inject({ method: 'POST', url: '/api/v1/maintenance/mw-1/end', headers: bearer('operator') });
    expect(again.statusCode).toBe(409);
    const ended = await app.inject({ url: '/api/v1/maintenance?state=ended', headers: bearer('viewer') });
    expect(ended.json().items.map((w: { id: string }) => w.id)).toEqual(['mw-1']);
  });

  it('deletes a window (204), and answers 404 for one that does not exist', async () => {
    const r = await app.inject({ method: 'DELETE', url: '/api/v1/maintenance/mw-2', headers: bearer('operator') });
    expect(r.statusCode).toBe(204);
    expect(r.body).toBe('');
    expect(noc.windows.map((w) => w.id)).toEqual(['mw-1']);
    expect((await app.inject({ method: 'DELETE', url: '/api/v1/maintenance/mw-2', headers: bearer('operator') })).statusCode).toBe(404);
    expect((await app.inject({ method: 'POST', url: '/api/v1/maintenance/mw-9/end', headers: bearer('operator') })).statusCode).toBe(404);
  });

  it('lists windows from alerts.yaml but refuses to end or delete them (409)', async () => {
    noc.windows.push({
      id: 'cfg-weekly', source: 'config', spec: {
        name: 'weekly', reason: 'weekly backup', owner: 'alerts.yaml', sites: ['hq'], timezone: 'UTC',
        start: new Date(T0.getTime() - 60_000).toISOString(), end: new Date(T0.getTime() + 3_600_000).toISOString(),
      },
    });
    const list = await app.inject({ url: '/api/v1/maintenance?state=active', headers: bearer('viewer') });
    expect(list.json().items).toEqual([expect.objectContaining({ id: 'cfg-weekly', readOnly: true, active: true })]);
    for (const [method, url] of [['POST', '/api/v1/maintenance/cfg-weekly/end'], ['DELETE', '/api/v1/maintenance/cfg-weekly']] as const) {
      const r = await app.inject({ method, url, headers: bearer('operator') });
      expect(r.statusCode).toBe(409);
      expect(r.json().message).toBe('maintenance window "cfg-weekly" is defined in alerts.yaml; change it there');
    }
    expect(noc.windows.find((w) => w.id === 'cfg-weekly')!.spec.end).toBe(new Date(T0.getTime() + 3_600_000).toISOString());
  });
});
