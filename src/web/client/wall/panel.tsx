/** The side panel: open incidents by severity with age and acknowledgement, and the WAN links' sparklines. */
import type { Lang } from '../shared/lang.js';
import type { WanLine } from './feed.js';
import { FitList } from './fit-list.js';
import { age, ms } from './format.js';
import { useNow } from './hooks.js';
import { wallText } from './text.js';
import type { WireDevice, WireIncident } from './wire.js';

const SEVERITY_ORDER: Record<string, number> = { P1: 0, P2: 1, P3: 2, P4: 3 };

/**
 * Unacknowledged first, then by severity, then newest first: the list shows only what fits, and a P1 that opened
 * a minute ago must not sit under "+N more" behind older ones the room already knows about (Zabbix's problem
 * widget orders by time, newest first, for the same reason).
 */
function byUrgency(a: WireIncident, b: WireIncident): number {
  return Number(a.state === 'acknowledged') - Number(b.state === 'acknowledged')
    || (SEVERITY_ORDER[a.severity] ?? 9) - (SEVERITY_ORDER[b.severity] ?? 9)
    || Date.parse(b.openedAt) - Date.parse(a.openedAt);
}

/** The open incidents; their ages move every second. */
export function Incidents({ incidents, lang }: { incidents: Map<string, WireIncident>; lang: Lang }) {
  const now = useNow();
  const open = [...incidents.values()].sort(byUrgency);
  return (
    <FitList
      id="incidents" class="incidents" items={open} version={`${lang}|${open.map((i) => `${i.id}:${i.state}`).join(',')}`}
      more={(n) => wallText(lang, 'more', { n })}
      empty={<li class="empty">{wallText(lang, 'noIncidents')}</li>}
      render={(i) => (
        <li key={i.id} data-fit class={`incident sev-${i.severity}`} data-incident={i.id} data-state={i.state}>
          <span class="sev">{i.severity}</span>
          <span class="title">{i.title}</span>
          <span class="age">{age(i.openedAt, now)}</span>
          <span class="where">{[i.device, i.site].filter(Boolean).join(' · ')}</span>
          {i.state === 'acknowledged'
            ? <span class="ack yes">{wallText(lang, 'ackBy')} {i.acknowledgedBy ?? '?'}</span>
            : <span class="ack no">{wallText(lang, 'notAck')}</span>}
        </li>
      )}
    />
  );
}

type Values = readonly (number | null)[];

/**
 * A sparkline of `values`; with `band` (same length), the Smokeping look: the lo–hi range shaded behind
 * the line (buckets where either edge is missing are left out of the shape).
 */
function Sparkline({ values, cls, max, band }: { values: Values; cls: string; max?: number; band?: { lo: Values; hi: Values } }) {
  const nums = [...values, ...(band ? band.hi : [])].filter((v): v is number => typeof v === 'number');
  const top = max ?? Math.max(1, ...nums) * 1.1;
  const step = values.length > 1 ? 100 / (values.length - 1) : 100;
  const xy = (v: number, i: number) => `${(i * step).toFixed(1)},${(20 - (v / top) * 20).toFixed(1)}`;
  const both = band ? values.map((_, i) => i).filter((i) => typeof band.lo[i] === 'number' && typeof band.hi[i] === 'number') : [];
  const line = values.flatMap((v, i) => (typeof v === 'number' ? [xy(v, i)] : []));
  return (
    <svg viewBox="0 0 100 20" preserveAspectRatio="none">
      {band && both.length > 0 && (
        // Coloured here rather than in CSS: the band belongs to the line it surrounds.
        <polygon
          class={`${cls}-band`} fill="#7fd1ff" fill-opacity="0.25" stroke="none"
          points={[...both.map((i) => xy(band.hi[i]!, i)), ...[...both].reverse().map((i) => xy(band.lo[i]!, i))].join(' ')}
        />
      )}
      <polyline class={cls} points={line.join(' ')} />
    </svg>
  );
}

/** The WAN links, with latency and loss from the live device state (a link that stopped answering has no latency). */
export function WanLinks({ wan, devices, lang }: { wan: Map<string, WanLine>; devices: Map<string, WireDevice>; lang: Lang }) {
  const links = [...wan.entries()].sort(([a], [b]) => a.localeCompare(b));
  return (
    <FitList
      id="wan" class="wan" items={links} version={`${lang}|${links.map(([n]) => n).join(',')}`}
      more={(n) => wallText(lang, 'more', { n })}
      render={([name, s]) => {
        const d = devices.get(name);
        const lastRtt = d && d.state !== 'unreachable' && typeof d.rttMs === 'number' ? d.rttMs : undefined;
        const lastLoss = d && typeof d.lossPct === 'number' ? d.lossPct : undefined;
        return (
          <li key={name} data-fit class="link" data-link={name}>
            <div class="name">{name}</div>
            <div class="charts">
              <Sparkline values={s.rtt} cls="rtt" band={{ lo: s.rttMin, hi: s.rttMax }} />
              <Sparkline values={s.loss} cls="loss" max={100} />
            </div>
            <div class="now">
              <div>{`${wallText(lang, 'rtt')} ${lastRtt === undefined ? '–' : ms(lastRtt)}`}</div>
              <div>{`${wallText(lang, 'loss')} ${lastLoss === undefined ? '–' : lastLoss.toFixed(0) + '%'}`}</div>
            </div>
          </li>
        );
      }}
    />
  );
}
