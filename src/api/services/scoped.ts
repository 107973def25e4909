/**
 * Site scoping: the services as a principal limited to some sites sees them. Every list is filtered and
 * every lookup or action on something of another site answers as if it did not exist (so routes answer 404,
 * the same as for an unknown id), except maintenance windows that reach beyond the sites and fleet-wide
 * reports, which are refused (403) because they exist and are visible in part.
 */
import type { FastifyRequest } from 'fastify';
import type { MaintenanceWindow } from '../../alerting/maintenance.js';
import type { IncidentView } from '../../core/incident.js';
import { RequestProblem } from '../problems.js';
import type { AlertRecord, ApiServices, Awaitable, DeviceSummary, LiveEvent } from './index.js';

/** The services a request acts through: scoped to the principal's sites when it has any. */
export function servicesFor(request: FastifyRequest, base: ApiServices): ApiServices {
  const sites = request.principal?.sites;
  return sites ? scopedServices(base, sites) : base;
}

/** What a scoped principal may see, asked once per call with the current inventory. */
class Scope {
  readonly sites: ReadonlySet<string>;
  constructor(private readonly base: ApiServices, sites: readonly string[]) { this.sites = new Set(sites); }

  async siteOfDevice(): Promise<(name: string) => string | undefined> {
    const all = await this.base.devices.list();
    const m = new Map(all.map((d) => [d.name, d.site]));
    return (n) => m.get(n);
  }

  /** An incident is the scope's when its site is, or (without a site) its device's site is; one with neither belongs to nobody's branch. */
  incidentIn(i: IncidentView, siteOf: (device: string) => string | undefined): boolean {
    const site = i.site ?? (i.device !== undefined ? siteOf(i.device) : undefined);
    return site !== undefined && this.sites.has(site);
  }

  alertIn(a: AlertRecord, siteOf: (device: string) => string | undefined): boolean {
    const site = a.labels.site || siteOf(a.device);
    return site !== undefined && this.sites.has(site);
  }

  async incidentVisible(id: string): Promise<IncidentView | undefined> {
    const i = await this.base.incidents.get(id);
    return i && this.incidentIn(i, await this.siteOfDevice()) ? i : undefined;
  }

  /** `all`: every device, site and tag of the window is the scope's (it may be ended or deleted); `some`: it reaches at least one device or site of the scope (it is listed). */
  async windowReach(w: MaintenanceWindow): Promise<'all' | 'some' | 'none'> {
    const s = w.spec;
    const siteOf = await this.siteOfDevice();
    const deviceSites = (s.devices ?? []).map((d) => siteOf(d));
    const named = [...deviceSites, ...(s.sites ?? [])];
    const inside = named.filter((x) => x !== undefined && this.sites.has(x)).length;
    const tagged = (s.deviceTags ?? []).length > 0;
    if (!tagged && inside === named.length && named.length > 0) return 'all';
    if (inside > 0) return 'some';
    if (tagged) {
      const devices = (await this.base.devices.list()).filter((d) => this.sites.has(d.site));
      if (devices.some((d) => s.deviceTags!.some((t) => d.tags.includes(t)))) return 'some';
    }
    return 'none';
  }
}

function forbidden(what: string): RequestProblem {
  return new RequestProblem(403, `${what}; this login is limited to some sites`);
}

type Incidents = ApiServices['incidents'];
type Maintenance = ApiServices['maintenance'];
type Paging = NonNullable<ApiServices['paging']>;

function scopedIncidents(base: ApiServices, scope: Scope): Incidents {
  const act = <A extends unknown[]>(f: (id: string, ...a: A) => Awaitable<IncidentView | undefined>) =>
    async (id: string, ...a: A) => ((await scope.incidentVisible(id)) ? f(id, ...a) : undefined);
  const inc = base.incidents;
  return {
    listIncidents: async (since) => {
      const [all, siteOf] = await Promise.all([inc.listIncidents(since), scope.siteOfDevice()]);
      return all.filter((i) => scope.incidentIn(i, siteOf));
    },
    get: (id) => scope.incidentVisible(id),
    timeline: async (id) => ((await scope.incidentVisible(id)) ? inc.timeline(id) : []),
    listAlerts: async (since) => {
      const [all, siteOf] = await Promise.all([inc.listAlerts(since), scope.siteOfDevice()]);
      return all.filter((a) => scope.alertIn(a, siteOf));
    },
    // The routes read the incident (through get) before acting, so these only guard a route that does not.
    acknowledge: act(inc.acknowledge.bind(inc)),
    unacknowledge: act(inc.unacknowledge.bind(inc)),
    resolve: act(inc.resolve.bind(inc)),
    comment: act(inc.comment.bind(inc)),
  };
}

function scopedMaintenance(base: ApiServices, scope: Scope): Maintenance {
  const m = base.maintenance;
  /** True when the window may be changed; false when it is not the scope's to see; 403 when it reaches other sites too. */
  const mayChange = async (id: string): Promise<boolean> => {
    const w = (await m.list()).find((x) => x.id === id);
    const reach = w ? await scope.windowReach(w) : 'none';
    if (reach === 'some') throw forbidden(`maintenance window "${id}" reaches other sites too`);
    return reach === 'all';
  };
  return {
    list: async () => {
      const all = await m.list();
      const reach = await Promise.all(all.map((w) => scope.windowReach(w)));
      return all.filter((_w, i) => reach[i] !== 'none');
    },
    create: async (input, by) => {
      if ((input.deviceTags ?? []).length > 0) throw forbidden('a maintenance window by tag reaches devices of every site');
      // Device and site names were already checked against the (scoped) inventory by the route.
      return m.create(input, by);
    },
    endEarly: async (id, at) => ((await mayChange(id)) ? m.endEarly(id, at) : undefined),
    remove: async (id) => ((await mayChange(id)) ? m.remove(id) : false),
  };
}

function scopedPaging(base: ApiServices, scope: Scope, paging: Paging): Paging {
  const gone = (id: string) => ({ ok: false as const, status: 404 as const, message: `incident "${id}" not found` });
  return {
    outboxStats: () => paging.outboxStats(),
    failedNotices: async (limit) => {
      const siteOf = await scope.siteOfDevice();
      const mine: Awaited<ReturnType<Paging['failedNotices']>> = [];
      for (const n of await paging.failedNotices(10_000)) {
        const i = await base.incidents.get(n.incidentId);
        if (i && scope.incidentIn(i, siteOf)) mine.push(n);
        if (mine.length >= limit) break;
      }
      return mine;
    },
    retryNotice: async (id) => {
      const n = (await paging.failedNotices(10_000)).find((x) => x.id === id);
      return n && (await scope.incidentVisible(n.incidentId)) ? paging.retryNotice(id) : false;
    },
    slaRecord: async (id) => ((await scope.incidentVisible(id)) ? paging.slaRecord(id) : undefined),
    incidentNotices: async (id) => ((await scope.incidentVisible(id)) ? paging.incidentNotices(id) : []),
    // Links and chat buttons carry their own credential (a token signed for one incident); no session scopes them.
    inspectLink: (action, token) => paging.inspectLink(action, token),
    actWithLink: (action, token, by) => paging.actWithLink(action, token, by),
    firstCallback: (platform, id, windowMs) => paging.firstCallback(platform, id, windowMs),
    chatSettings: () => paging.chatSettings(),
    pauses: async (id) => ((await scope.incidentVisible(id)) ? paging.pauses(id) : undefined),
    pauseClock: async (id, p) => ((await scope.incidentVisible(id)) ? paging.pauseClock(id, p) : gone(id)),
    endPause: async (id, pid, by) => ((await scope.incidentVisible(id)) ? paging.endPause(id, pid, by) : gone(id)),
  };
}

/** The services limited to `sites`. */
export function scopedServices(base: ApiServices, sites: readonly string[]): ApiServices {
  const scope = new Scope(base, sites);
  const deviceIn = (d: DeviceSummary | undefined) => (d && scope.sites.has(d.site) ? d : undefined);
  const liveIn = async (e: LiveEvent): Promise<boolean> =>
    (e.type === 'device' ? scope.sites.has(e.device.site) : scope.incidentIn(e.event.incident, await scope.siteOfDevice()));
  const fleetWide = () => { throw forbidden('reports cover every site'); };
  return {
    ...base,
    devices: {
      list: async () => (await base.devices.list()).filter((d) => scope.sites.has(d.site)),
      get: async (name) => deviceIn(await base.devices.get(name)),
      latestSamples: async (name) => (deviceIn(await base.devices.get(name)) ? base.devices.latestSamples(name) : []),
    },
    metrics: { series: async (q) => (deviceIn(await base.devices.get(q.device)) ? base.metrics.series(q) : []) },
    incidents: scopedIncidents(base, scope),
    maintenance: scopedMaintenance(base, scope),
    live: {
      subscribe: (listener) => {
        // One chain, so events reach the listener in the order they happened even though each is checked asynchronously.
        let chain = Promise.resolve();
        return base.live.subscribe((e) => { chain = chain.then(async () => { if (await liveIn(e)) listener(e); }).catch(() => {}); });
      },
    },
    reports: base.reports && { timeZone: base.reports.timeZone, locale: base.reports.locale, list: fleetWide, generate: fleetWide, read: fleetWide },
    paging: base.paging && scopedPaging(base, scope, base.paging),
  };
}
