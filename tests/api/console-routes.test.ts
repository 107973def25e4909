import { afterAll, describe, expect, it } from 'vitest';
import { CLAIM_NOTE } from '../../src/api/routes/incidents.js';
import type { OnCallEntry } from '../../src/api/services/index.js';
import { appOver, bearer, T0 } from './memory-noc.js';

const HOUR = 3_600_000;

describe('console API: claim, on-call now and next, public console settings', () => {
  const { app, noc } = appOver({}, undefined, (services) => {
    // Two people alternating hourly on one schedule, and a second tier without a known shift end.
    services.onCall = {
      current: (at: Date): OnCallEntry[] => {
        const hour = Math.floor((at.getTime() - T0.getTime()) / HOUR);
        return [
          { tier: 1, schedule: 'noc', name: hour % 2 === 0 ? 'Wang Lei' : 'Li Na', until: new Date(T0.getTime() + (hour + 1) * HOUR) },
          { tier: 2, name: 'Chen Jing' },
        ];
      },
    };
  });
  noc.openIncident({ id: 'inc-7', device: 'edge-rt-01', severity: 'P1', title: 'edge-rt-01 is down' });
  afterAll(() => app.close());

  it('claims an open incident by acknowledging it in the claimer\'s name, with the claim note', async () => {
    const r = await app.inject({ method: 'POST', url: '/api/v1/incidents/inc-7/claim', headers: bearer('operator') });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'alice' });
    expect(noc.events.at(-1)).toMatchObject({ kind: 'acknowledged', by: 'alice', note: CLAIM_NOTE });
  });

  it('takes over an acknowledged incident as a comment, keeping the first acknowledgement, with the note appended', async () => {
    const r = await app.inject({ method: 'POST', url: '/api/v1/incidents/inc-7/claim', headers: bearer('admin'), payload: { note: 'swapping the optic' } });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'alice' });
    expect(noc.events.at(-1)).toMatchObject({ kind: 'commented', by: 'root', note: `${CLAIM_NOTE}: swapping the optic` });
  });

  it('refuses a claim from a viewer (403), on an unknown incident (404), with a bad body (400) and on a resolved one (409)', async () => {
    expect((await app.inject({ method: 'POST', url: '/api/v1/incidents/inc-7/claim', headers: bearer('viewer') })).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: '/api/v1/incidents/nope/claim', headers: bearer('operator') })).statusCode).toBe(404);
    const bad = await app.inject({ method: 'POST', url: '/api/v1/incidents/inc-7/claim', headers: bearer('operator'), payload: { note: 'x'.repeat(2001) } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toContain('body.note');
    await app.inject({ method: 'POST', url: '/api/v1/incidents/inc-7/resolve', headers: bearer('operator') });
    const late = await app.inject({ method: 'POST', url: '/api/v1/incidents/inc-7/claim', headers: bearer('operator') });
    expect(late.statusCode).toBe(409);
    expect(late.json().message).toBe('incident "inc-7" is resolved; there is nothing to claim');
  });

  it('answers who is on call now and who takes over when each known shift ends', async () => {
    const r = await app.inject({ method: 'GET', url: '/api/v1/on-call', headers: bearer('viewer') });
    expect(r.statusCode).toBe(200);
    const hourNow = Math.floor((noc.now().getTime() - T0.getTime()) / HOUR);
    const [first, second] = hourNow % 2 === 0 ? ['Wang Lei', 'Li Na'] : ['Li Na', 'Wang Lei'];
    expect(r.json().now.map((e: { name: string }) => e.name)).toEqual([first, 'Chen Jing']);
    // Tier 2 has no shift end, so nobody is named next for it.
    expect(r.json().next).toEqual([{ tier: 1, schedule: 'noc', name: second, until: new Date(T0.getTime() + (hourNow + 2) * HOUR).toISOString() }]);
    expect((await app.inject({ method: 'GET', url: '/api/v1/on-call' })).statusCode).toBe(401);
  });

  it('gives the console its public settings, naming the caller only when a valid token came with the request', async () => {
    const anonymous = await app.inject({ method: 'GET', url: '/api/v1/console-config' });
    expect(anonymous.statusCode).toBe(200);
    expect(anonymous.json()).toEqual({ sso: false, locale: 'en' });
    const withToken = await app.inject({ method: 'GET', url: '/api/v1/console-config', headers: bearer('operator') });
    expect(withToken.json()).toEqual({ sso: false, locale: 'en', principal: { name: 'alice', role: 'operator' } });
    const badToken = await app.inject({ method: 'GET', url: '/api/v1/console-config', headers: { authorization: 'Bearer nope' } });
    expect(badToken.json()).toEqual({ sso: false, locale: 'en' });
  });
});
