import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARDS } from '../../dashboards/build.js';
import { dashboardQueries, type DashboardJson } from '../../dashboards/common.js';
import { tempDir } from '../helpers/tmp.js';
import { formatVariable, interpolate, regexEscape, runDashboard, runQuery, type QueryOutcome, type TimeRange } from './grafana-queries.js';
import { SILENT_SNMP_DEVICE, pollLab, type PolledLab } from './lab-polls.js';

/**
 * Queries that may return nothing in the lab, and why. Each is still run and must not fail; one that
 * returns data anyway is fine. Keyed by dashboard uid and the query's place on the dashboard.
 */
const MAY_BE_EMPTY: Record<string, string> = {
  'P1': 'no P1 alert in the lab: the example rules page P1 only for core devices that stop answering ping, and every lab device answers',
  'noctua-noc-wall/panel 2 "Devices down" A': 'every lab device sits on a loopback address and answers ICMP',
  'noctua-noc-wall/panel 5 "UPS on battery" A': 'both recorded UPS units report running on mains',
  'noctua-device/annotation "Reboots"': 'no device reboots during the test: the recordings\' sysUpTime does not go backwards',
  'noctua-noc-wall/annotation "Device events (traps, syslog)"': 'the lab sends no traps or syslog; tests/dashboards/event-queries.test.ts runs the event queries on stored events',
  'noctua-noc-wall/panel 13 "Events by type" A': 'no event in the lab (no traps, syslog or reboots); tests/dashboards/event-queries.test.ts covers it',
  'noctua-device/annotation "Device events (traps, syslog)"': 'the lab sends no traps or syslog; tests/dashboards/event-queries.test.ts covers it',
  'noctua-device/panel 14 "Events by type" A': 'no event in the lab; tests/dashboards/event-queries.test.ts covers it',
  'noctua-device/panel 15 "Latest events" A': 'no event in the lab; tests/dashboards/event-queries.test.ts covers it',
  'bgp-optics': 'no shared recording has bgpPeerTable or transceiver DOM values; tests/dashboards/bgp-optics-queries.test.ts runs these panels on polled synthetic recordings',
  'outbox': 'nothing publishes the escalation outbox\'s outbox_pending/outbox_failed as noctua_self samples yet',
};

function allowedEmpty(uid: string, o: QueryOutcome): string | undefined {
  if (o.query.where === 'annotation "Critical alerts (P1)"') return MAY_BE_EMPTY.P1;
  if (/"component" = 'outbox'/.test(o.query.query)) return MAY_BE_EMPTY.outbox;
  if (/FROM "bgp_peer"|"kind" = 'optical'/.test(o.query.query)) return MAY_BE_EMPTY['bgp-optics'];
  return MAY_BE_EMPTY[`${uid}/${o.query.where}`];
}

describe('dashboard queries against InfluxDB filled by real polls of the lab', () => {
  const tmp = tempDir('noctua-dash-lab-');
  let polled: PolledLab;
  let range: TimeRange;
  const INTERVAL = '10s';

  beforeAll(async () => {
    polled = await pollLab(tmp.dir, 75_000);
    // A dashboard opened now on "last few minutes": from before the first poll to after the last.
    range = { from: polled.from - 60_000, to: polled.to + 60_000 };
  }, 150_000);

  afterAll(async () => {
    await polled?.stop();
    tmp.cleanup();
  });

  describe.each(DASHBOARDS.map((d) => ({ file: d.file, json: d.build() as DashboardJson })))('$file', ({ json }) => {
    let outcome: Awaited<ReturnType<typeof runDashboard>>;
    beforeAll(async () => {
      outcome = await runDashboard(polled.lab.influx.url, polled.database, json, range, INTERVAL);
    });

    it('returns values for every variable query', () => {
      const empty = outcome.variables.filter((o) => !o.hasData).map((o) => `${o.query.where}: ${o.sent}`);
      expect(empty).toEqual([]);
    });

    it('returns data for every panel and annotation query, except those listed with a reason', () => {
      const missing = outcome.panels
        .filter((o) => !o.hasData && !allowedEmpty(json.uid!, o))
        .map((o) => `${o.query.where} (with ${JSON.stringify(o.with)}): ${o.sent}`);
      expect(missing).toEqual([]);
      // Keeps the list honest: it names queries this dashboard really has.
      const listed = Object.keys(MAY_BE_EMPTY).filter((k) => k.startsWith(`${json.uid}/`));
      for (const k of listed) expect(outcome.panels.map((o) => `${json.uid}/${o.query.where}`)).toContain(k);
    });
  });

  it('polled the fixtures for real: SNMP identified the recordings and the silent device failed with a timeout', async () => {
    const names = await runQuery(polled.lab.influx.url, polled.database, 'SELECT last("sysName") FROM "system" GROUP BY "device"');
    const byDevice = Object.fromEntries(names.map((s) => [s.tags!.device, s.values[0]![1]]));
    for (const f of polled.lab.fixtures.filter((x) => x.sysName)) expect(byDevice[f.community], f.community).toBe(f.sysName);
    const failed = await runQuery(polled.lab.influx.url, polled.database, `SELECT last("error_kind") FROM "snmp_poll" WHERE "device" = '${SILENT_SNMP_DEVICE.name}'`);
    expect(failed[0]?.values[0]?.[1]).toBe('timeout');
  });

  it('draws the Smokeping band from real polls: min <= median <= p90 <= max in every bucket, and loss beside it', async () => {
    const device = DASHBOARDS.find((d) => d.file === 'noctua-device.json')!.build();
    const wall = DASHBOARDS.find((d) => d.file === 'noctua-noc-wall.json')!.build();
    const byPanel = (d: DashboardJson, title: RegExp, refId: string) => dashboardQueries(d).find((q) => title.test(q.where) && q.where.endsWith(` ${refId}`))!.query;
    const answering = await runQuery(polled.lab.influx.url, polled.database, 'SELECT last("rtt_median_ms") FROM "icmp" WHERE "up" = true GROUP BY "device"');
    const name = answering[0]!.tags!.device!;
    const cases = [
      { band: byPanel(device, /Smokeping/, 'A'), loss: byPanel(device, /Smokeping/, 'B'), vars: new Map([['device', regexEscape(name)]]) },
      { band: byPanel(wall, /Smokeping/, 'A'), loss: byPanel(wall, /Smokeping/, 'B'), vars: new Map([['wan_device', name]]) },
    ];
    for (const c of cases) {
      const [band] = await runQuery(polled.lab.influx.url, polled.database, interpolate(c.band, c.vars, range, INTERVAL));
      expect(band!.columns).toEqual(['time', 'median', 'p90', 'min', 'max']);
      const rows = band!.values.filter((r) => r[1] !== null) as number[][];
      expect(rows.length).toBeGreaterThan(0);
      for (const [, median, p90, min, max] of rows) {
        expect(min).toBeGreaterThan(0);
        expect(min).toBeLessThanOrEqual(median!);
        expect(median).toBeLessThanOrEqual(p90!);
        expect(p90).toBeLessThanOrEqual(max!);
      }
      const [loss] = await runQuery(polled.lab.influx.url, polled.database, interpolate(c.loss, c.vars, range, INTERVAL));
      expect(loss!.columns).toEqual(['time', 'loss']);
      expect(loss!.values.some((r) => r[1] === 0)).toBe(true);
    }
  });

  it('selects an interface whose name holds slashes when Grafana escapes it as a multi-value variable', async () => {
    const interfaces = DASHBOARDS.find((d) => d.file === 'noctua-interfaces.json')!.build();
    const ifVar = interfaces.templating.list!.find((v) => v.name === 'interface')!;
    const named = await runQuery(polled.lab.influx.url, polled.database, 'SHOW TAG VALUES FROM "interface" WITH KEY = "ifName" WHERE "ifName" =~ /\\//');
    const ifName = named.flatMap((s) => s.values.map((row) => String(row[1]))).sort()[0];
    if (ifName === undefined) throw new Error('no interface name with a slash in the lab');
    const owner = await runQuery(polled.lab.influx.url, polled.database, `SELECT last("in_octets") FROM "interface" WHERE "ifName" = '${ifName}' GROUP BY "device"`);
    // Operational status needs one poll only, so it does not depend on which devices got a second one.
    const query = dashboardQueries(interfaces).find((q) => q.where.includes('"Operational status" A'))!.query;
    const vars = new Map([['device', owner[0]!.tags!.device!], ['interface', formatVariable(ifVar, { values: [ifName] })]]);
    const series = await runQuery(polled.lab.influx.url, polled.database, interpolate(query, vars, range, INTERVAL));
    expect(series.map((s) => s.tags?.ifName)).toEqual([ifName]);
  });
});
