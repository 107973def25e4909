/** One device: identity and inventory, interfaces, sensors/UPS, charts of the last hours, incident history. */
import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { withQuery } from '../../shared/api.js';
import { href } from '../../shared/router.js';
import { Chart } from '../chart.js';
import type { PageDef } from '../page.js';
import { useText } from '../text.js';
import { Badge, bps, Loading, Time, useApi } from '../ui.js';
import type { DeviceDetail, Incident, Interface, Page, SampleJson } from '../wire.js';
import { IncidentTable, useLiveIncidents } from './incidents.js';

/** Measurements shown as "sensors and other readings" (interfaces have their own table, system is the identity). */
const READINGS = ['sensor', 'ups', 'ups_line', 'pdu', 'cpu', 'memory', 'storage', 'firewall'];
const HOURS = [1, 6, 24] as const;

function Identity({ d }: { d: DeviceDetail }) {
  const t = useText();
  const dev = d.device;
  const system = d.latest.find((s) => s.measurement === 'system')?.fields ?? {};
  const rows: [string, string | undefined][] = [
    [t('col.address'), dev.address], [t('col.site'), dev.site], [t('col.class'), dev.class], [t('col.vendor'), dev.vendor],
    [t('col.model'), dev.model ?? (system.model as string | undefined)], ['sysName', dev.sysName ?? (system.sysName as string | undefined)],
    [t('col.os'), [system.os, system.version].filter(Boolean).join(' ') || undefined], [t('col.serial'), system.serial as string | undefined],
    [t('col.tags'), dev.tags.join(', ') || undefined], [t('col.description'), dev.description],
    ['sysDescr', system.sysDescr as string | undefined], [t('col.location'), system.sysLocation as string | undefined],
  ];
  return (
    <dl class="identity">
      {rows.filter(([, v]) => v).map(([k, v]) => <Fragment key={k}><dt>{k}</dt><dd>{v}</dd></Fragment>)}
      <dt>{t('col.stateSince')}</dt><dd><Time at={dev.stateSince} /></dd>
      <dt>{t('col.lastPolled')}</dt><dd><Time at={dev.lastPolledAt} /></dd>
    </dl>
  );
}

function Interfaces({ items, chosen, choose }: { items: Interface[]; chosen?: string; choose: (ifName: string) => void }) {
  const t = useText();
  if (items.length === 0) return <p class="empty">{t('device.noInterfaces')}</p>;
  return (
    <div class="scroll"><table class="list interfaces">
      <thead><tr><th>{t('col.interface')}</th><th>{t('col.alias')}</th><th>{t('col.state')}</th><th>{t('col.speed')}</th>
        <th>{t('col.in')}</th><th>{t('col.out')}</th><th>{t('col.errors')}</th><th /></tr></thead>
      <tbody>{items.map((i) => (
        <tr key={i.ifIndex} data-if={i.ifName} class={chosen === i.ifName ? 'chosen' : undefined}>
          <td>{i.ifName}</td><td>{i.ifAlias}</td>
          <td><Badge kind="dev" value={i.operUp === undefined ? 'unknown' : i.operUp ? 'up' : i.adminUp === false ? 'disabled' : 'down'} /></td>
          <td>{bps(i.speedBps)}</td><td class="in">{bps(i.inBps)}</td><td class="out">{bps(i.outBps)}</td>
          <td>{i.inErrorsPs === undefined && i.outErrorsPs === undefined ? '–' : `${(i.inErrorsPs ?? 0).toFixed(2)} / ${(i.outErrorsPs ?? 0).toFixed(2)}`}</td>
          <td><button type="button" class="chart-if" onClick={() => choose(i.ifName)}>{t('device.chart')}</button></td>
        </tr>
      ))}</tbody>
    </table></div>
  );
}

function Readings({ latest }: { latest: SampleJson[] }) {
  const t = useText();
  const rows = latest.filter((s) => READINGS.includes(s.measurement));
  if (rows.length === 0) return <p class="empty">{t('device.noReadings')}</p>;
  return (
    <div class="scroll"><table class="list readings">
      <thead><tr><th>{t('col.measurement')}</th><th>{t('col.instance')}</th><th>{t('col.values')}</th><th>{t('col.time')}</th></tr></thead>
      <tbody>{rows.map((s, n) => {
        const own = Object.entries(s.tags).filter(([k]) => !['device', 'site', 'class', 'vendor'].includes(k)).map(([k, v]) => `${k}=${v}`).join(' ');
        const values = Object.entries(s.fields).map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toFixed(2)) : String(v)}`).join('  ');
        return <tr key={n} data-measurement={s.measurement}><td>{s.measurement}</td><td>{own}</td><td class="values">{values}</td><td><Time at={s.time} /></td></tr>;
      })}</tbody>
    </table></div>
  );
}

function History({ device }: { device: string }) {
  const since = new Date(Math.floor((Date.now() - 30 * 86_400_000) / 3_600_000) * 3_600_000).toISOString();
  const loaded = useApi<Page<Incident>>(withQuery('/incidents', { device: [device], since, limit: 100 }));
  useLiveIncidents(loaded.reload, (i) => i.device === device);
  return <Loading loaded={loaded}>{(p) => <IncidentTable items={p.items} />}</Loading>;
}

function DevicePage({ params }: { params: Record<string, string> }) {
  const t = useText();
  const name = params.name!;
  const loaded = useApi<DeviceDetail>(`/devices/${encodeURIComponent(name)}`);
  const [hours, setHours] = useState<number>(6);
  const [ifName, setIfName] = useState<string>();
  return (
    <Loading loaded={loaded}>{(d) => {
      const chartIf = ifName ?? d.interfaces.find((i) => i.operUp)?.ifName;
      return (
        <article class="device-detail" data-device={d.device.name}>
          <h1><span class="title">{d.device.name}</span> <Badge kind="dev" value={d.device.state} /></h1>
          {d.device.reason && <p class="reason">{d.device.reason}</p>}
          <Identity d={d} />
          <p class="tabs"><a class="config-tab" href={href(`/devices/${encodeURIComponent(d.device.name)}/config`)}>{t('device.config')}</a></p>
          <h2>{t('device.charts')}</h2>
          <p class="range">{HOURS.map((h) => (
            <button key={h} type="button" class={h === hours ? 'primary' : undefined} onClick={() => setHours(h)}>{t('device.hours', { n: h })}</button>
          ))}</p>
          <div class="charts">
            <Chart device={name} hours={hours} unit="ms" title={t('chart.rtt')}
              lines={[{ measurement: 'icmp', field: 'rtt_median_ms', label: 'RTT', color: '#1565c0' }]} />
            <Chart device={name} hours={hours} unit="%" title={t('chart.loss')}
              lines={[{ measurement: 'icmp', field: 'loss_pct', label: t('chart.lossLine'), color: '#d32f2f' }]} />
            {chartIf && <Chart device={name} hours={hours} unit="bps" title={t('chart.traffic', { ifName: chartIf })} lines={[
              { measurement: 'interface', field: 'in_bps', where: [`ifName=${chartIf}`], label: t('col.in'), color: '#2e7d32' },
              { measurement: 'interface', field: 'out_bps', where: [`ifName=${chartIf}`], label: t('col.out'), color: '#6a1b9a' },
            ]} />}
          </div>
          <h2>{t('device.interfaces')}</h2>
          <Interfaces items={d.interfaces} chosen={chartIf} choose={setIfName} />
          <h2>{t('device.readings')}</h2>
          <Readings latest={d.latest} />
          <h2>{t('device.history')}</h2>
          <History device={name} />
          <p><a href={href('/devices')}>{t('device.back')}</a></p>
        </article>
      );
    }}</Loading>
  );
}

/** `#/devices/:name`. */
export const devicePage: PageDef = { path: '/devices/:name', title: 'nav.devices', nav: false, role: 'viewer', component: DevicePage };
