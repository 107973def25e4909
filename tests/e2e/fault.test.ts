/**
 * A real fault in the lab, end to end: a router in a network namespace loses its link, with a server
 * routed behind it. Noctua (real pollers, alert engine, escalation, outbox, API) runs in-process
 * against the lab; notices arrive at the lab's receiver. The steps run in order and share one bench.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ICMP_INTERVAL_MS, startBench, type Bench, type FaultySite, type ReceivedNotice } from './lab-runtime.js';

const LEAD_AFTER_S = 12;
const MANAGER_AFTER_S = 30;

let bench: Bench;
let site: FaultySite;
let quiet: FaultySite;
let incidentId: string;
let linkDownAt = 0;
let openedNoticeAt = 0;
let ackedAt = 0;

/** Figures for the final report, printed once at the end. */
const figures: Record<string, string> = {};

const noticesFor = (device: string, pred: (n: ReceivedNotice) => boolean = () => true) => bench.notices.filter((n) => n.device === device && pred(n));

describe('e2e: a router in a namespace goes down in the lab, with a server behind it', () => {
  beforeAll(async () => {
    bench = await startBench({ tag: 'flt', subnet: 40, sites: 2, timings: { leadAfter: `${LEAD_AFTER_S}s`, managerAfter: `${MANAGER_AFTER_S}s` } });
    [site, quiet] = bench.sites as [FaultySite, FaultySite];
    // Every device polled at least once, so the fault starts from a known "up".
    await bench.waitFor('every namespace device up', 20_000, async () => {
      const r = await bench.api('GET', '/api/v1/devices?limit=500', bench.lab.tokens.viewer);
      const byName = new Map((r.json.items as { name: string; state: string }[]).map((d) => [d.name, d.state]));
      return bench.sites.every((s) => byName.get(s.router.name) === 'up' && byName.get(s.server.name) === 'up');
    });
  });

  afterAll(async () => {
    console.log(`e2e fault figures: ${JSON.stringify(figures)}`);
    await bench?.stop();
  });

  it('lists exactly the enabled inventory through GET /api/v1/devices with the viewer token', async () => {
    const r = await bench.api('GET', '/api/v1/devices?limit=500', bench.lab.tokens.viewer);
    expect(r.status).toBe(200);
    const names = (r.json.items as { name: string }[]).map((d) => d.name).sort();
    expect(names).toEqual(bench.inventory());
    expect(r.json.total).toBe(bench.inventory().length);
    // Every shared recording, the two WAN probes and the namespace routers and servers.
    expect(names).toEqual(expect.arrayContaining([...bench.lab.fixtures.map((f) => f.community), 'wan-probe-1', 'wan-probe-2', site.router.name, site.server.name]));
  });

  it('opens one P1 incident within two ICMP intervals of the link going down, with the server behind it suppressed', async (ctx) => {
    if (bench.netnsSkip) ctx.skip();
    linkDownAt = Date.now();
    site.host.linkDown();
    // Two failed cycles make the alert fire; one more interval covers the cycle already under way.
    const inc = await bench.waitFor('the router incident', 3 * ICMP_INTERVAL_MS + 3000, async () => {
      const r = await bench.api('GET', `/api/v1/incidents?device=${site.router.name}&state=open`, bench.lab.tokens.viewer);
      return (r.json.items as { id: string }[])[0];
    }) as { id: string; severity: string; openedAt: string };
    incidentId = inc.id;
    figures.linkDownToIncidentS = ((Date.parse(inc.openedAt) - linkDownAt) / 1000).toFixed(1);
    expect(inc.severity).toBe('P1');
    const withServer = await bench.waitFor('the server listed in the router incident', 3 * ICMP_INTERVAL_MS + 3000, async () => {
      const r = await bench.api('GET', `/api/v1/incidents/${incidentId}`, bench.lab.tokens.viewer);
      return (r.json.incident.suppressedDevices as string[]).includes(site.server.name) ? r.json.incident : undefined;
    });
    expect(withServer.suppressedDevices).toEqual([site.server.name]);
    const all = await bench.api('GET', `/api/v1/incidents?device=${site.router.name}&device=${site.server.name}`, bench.lab.tokens.viewer);
    const unmuted = (all.json.items as { id: string; muted: boolean }[]).filter((i) => !i.muted);
    expect(unmuted.map((i) => i.id)).toEqual([incidentId]);
    const devices = await bench.api('GET', '/api/v1/devices?limit=500&state=unreachable', bench.lab.tokens.viewer);
    expect((devices.json.items as { name: string }[]).map((d) => d.name).sort()).toEqual([site.router.name, site.server.name].sort());
  });

  it('delivers a fault notice for the router to the engineer tier, and nothing is paged for the server', async (ctx) => {
    if (bench.netnsSkip) ctx.skip();
    const opened = await bench.waitFor('the fault notice', 10_000, () => noticesFor(site.router.name, (n) => n.kind === 'opened')[0]);
    openedNoticeAt = opened.at;
    figures.linkDownToFaultNoticeS = ((opened.at - linkDownAt) / 1000).toFixed(1);
    expect(opened.path).toBe('/engineer');
    expect(opened.incidentId).toBe(incidentId);
    expect(opened.body.text.title).toContain(site.router.name);
    expect(opened.body.links.ack).toMatch(new RegExp(`^${bench.lab.apiUrl}/ack/`));
    expect(noticesFor(site.server.name)).toEqual([]);
  });

  it('keeps the incident open across a restart of Noctua on the same state, without a second fault notice', async (ctx) => {
    if (bench.netnsSkip) ctx.skip();
    const t = Date.now();
    await bench.restart();
    figures.restartS = ((Date.now() - t) / 1000).toFixed(1);
    const r = await bench.api('GET', `/api/v1/incidents/${incidentId}`, bench.lab.tokens.viewer);
    expect(r.status).toBe(200);
    expect(r.json.incident.state).toBe('open');
    // Two more ICMP cycles of the new process see the router still down: still the same one incident.
    await new Promise((res) => setTimeout(res, 2 * ICMP_INTERVAL_MS + 500));
    const open = await bench.api('GET', `/api/v1/incidents?device=${site.router.name}&state=open`, bench.lab.tokens.viewer);
    expect((open.json.items as { id: string }[]).map((i) => i.id)).toEqual([incidentId]);
    expect(noticesFor(site.router.name, (n) => n.kind === 'opened')).toHaveLength(1);
  });

  it(`escalates to the team lead ${LEAD_AFTER_S}s after opening while nobody acknowledges`, async (ctx) => {
    if (bench.netnsSkip) ctx.skip();
    const lead = await bench.waitFor('the escalation to the lead', (LEAD_AFTER_S + 15) * 1000, () => noticesFor(site.router.name, (n) => n.kind === 'escalated' && n.path === '/lead')[0]);
    const opened = Date.parse((await bench.api('GET', `/api/v1/incidents/${incidentId}`, bench.lab.tokens.viewer)).json.incident.openedAt);
    figures.openToLeadNoticeS = ((lead.at - opened) / 1000).toFixed(1);
    expect(lead.at - opened).toBeGreaterThanOrEqual(LEAD_AFTER_S * 1000);
    expect(noticesFor(site.router.name, (n) => n.kind === 'opened')).toHaveLength(1);
  });

  it('stops the escalation when an operator acknowledges through the API: no manager page, no further lead page', async (ctx) => {
    if (bench.netnsSkip) ctx.skip();
    const viewerTry = await bench.api('POST', `/api/v1/incidents/${incidentId}/acknowledge`, bench.lab.tokens.viewer, { note: 'looking' });
    expect(viewerTry.status).toBe(403);
    const r = await bench.api('POST', `/api/v1/incidents/${incidentId}/acknowledge`, bench.lab.tokens.operator, { note: 'carrier ticket 4711' });
    ackedAt = Date.now();
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'lab-operator' });
    await bench.waitFor('acknowledged notices to both paged tiers', 10_000, () => noticesFor(site.router.name, (n) => n.kind === 'acknowledged').length === 2);
    // Wait past the manager step (30 s after opening) plus a margin: it must not fire once acknowledged.
    const opened = Date.parse(r.json.openedAt);
    const until = opened + (MANAGER_AFTER_S + 4) * 1000;
    await new Promise((res) => setTimeout(res, Math.max(0, until - Date.now())));
    expect(noticesFor(site.router.name, (n) => n.path === '/manager')).toEqual([]);
    expect(noticesFor(site.router.name, (n) => n.kind === 'escalated' && n.at > ackedAt)).toEqual([]);
    const detail = await bench.api('GET', `/api/v1/incidents/${incidentId}`, bench.lab.tokens.viewer);
    expect(detail.json.sla).toMatchObject({ acknowledgedBy: 'lab-operator', respondedBy: 'acknowledged', responseMet: true, paged: true });
    figures.openToAckS = (detail.json.sla.responseMs / 1000).toFixed(1);
  });

  it('sends a recovery notice to everyone paged when the link comes back, with the outage in it', async (ctx) => {
    if (bench.netnsSkip) ctx.skip();
    const upAt = Date.now();
    site.host.linkUp();
    const resolved = await bench.waitFor('recovery notices to engineer and lead', 6 * ICMP_INTERVAL_MS + 10_000, () => {
      const rs = noticesFor(site.router.name, (n) => n.kind === 'resolved');
      return rs.length === 2 ? rs : undefined;
    });
    figures.linkUpToRecoveryNoticeS = ((resolved[0]!.at - upAt) / 1000).toFixed(1);
    expect(resolved.map((n) => n.path).sort()).toEqual(['/engineer', '/lead']);
    expect(resolved[0]!.body.text.title).toMatch(/已恢复，故障时长 \d/);
    const r = await bench.api('GET', `/api/v1/incidents/${incidentId}`, bench.lab.tokens.viewer);
    expect(r.json.incident.state).toBe('resolved');
    expect(r.json.sla.resolutionMs).toBeGreaterThan(0);
    // Over the whole fault: one fault notice, one escalation, and nothing ever for the server behind the router.
    const kinds = noticesFor(site.router.name).map((n) => `${n.path} ${n.kind}`).sort();
    expect(kinds).toEqual(['/engineer acknowledged', '/engineer opened', '/engineer resolved', '/lead acknowledged', '/lead escalated', '/lead resolved']);
    expect(noticesFor(site.server.name)).toEqual([]);
    figures.openedNoticeToRecoveryS = ((resolved[0]!.at - openedNoticeAt) / 1000).toFixed(1);
  });

  it('records but does not page a fault inside a maintenance window planned through the API', async (ctx) => {
    if (bench.netnsSkip) ctx.skip();
    const w = await bench.api('POST', '/api/v1/maintenance', bench.lab.tokens.operator, { reason: 'line card swap', devices: [quiet.router.name, quiet.server.name], duration: '30m' });
    expect(w.status).toBe(201);
    quiet.host.linkDown();
    const inc = await bench.waitFor('the incident recorded under maintenance', 3 * ICMP_INTERVAL_MS + 3000, async () => {
      const r = await bench.api('GET', `/api/v1/incidents?device=${quiet.router.name}`, bench.lab.tokens.viewer);
      return (r.json.items as { id: string; muted: boolean; mutedReason?: string }[])[0];
    });
    expect(inc.muted).toBe(true);
    const dev = await bench.api('GET', `/api/v1/devices/${quiet.router.name}`, bench.lab.tokens.viewer);
    expect(dev.json.device.state).toBe('maintenance');
    // Three more cycles and a margin for the outbox: still nothing paged for either device.
    await new Promise((res) => setTimeout(res, 3 * ICMP_INTERVAL_MS + 1000));
    expect(noticesFor(quiet.router.name)).toEqual([]);
    expect(noticesFor(quiet.server.name)).toEqual([]);
    quiet.host.linkUp();
  });
});
