/** A time-series chart of the last hours, drawn by uPlot from the series API (`/devices/:name/series`). */
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { api, withQuery } from '../shared/api.js';
import { useText } from './text.js';
import type { SeriesAnswer } from './wire.js';

/** One line: a field of a measurement, with extra tag matches (`ifName=GE0/0/1`). */
export interface ChartLine {
  measurement: string;
  field: string;
  where?: string[];
  label: string;
  color: string;
}

const HEIGHT = 180;

/** The chart of `lines` for `device` over the last `hours`; a line without data is drawn empty, not left out. */
export function Chart({ device, title, lines, hours, unit }: { device: string; title: string; lines: ChartLine[]; hours: number; unit: string }) {
  const t = useText();
  const box = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string>();
  const [points, setPoints] = useState<number>();
  const key = JSON.stringify({ device, lines, hours });
  useEffect(() => {
    let plot: uPlot | undefined;
    let cancelled = false;
    const to = new Date();
    const from = new Date(to.getTime() - hours * 3_600_000);
    void Promise.all(lines.map((l) => api<SeriesAnswer>('GET', withQuery(`/devices/${encodeURIComponent(device)}/series`, {
      measurement: l.measurement, field: l.field, where: l.where ?? [], from: from.toISOString(), to: to.toISOString(),
    })))).then((answers) => {
      if (cancelled || !box.current) return;
      // One x axis for all lines: every bucket time any answer has, in order.
      const times = [...new Set(answers.flatMap((a) => a.series[0]?.points.map((p) => Date.parse(p.time)) ?? []))].sort((a, b) => a - b);
      const columns = answers.map((a) => {
        const byTime = new Map((a.series[0]?.points ?? []).map((p) => [Date.parse(p.time), p.value]));
        return times.map((x) => byTime.get(x) ?? null);
      });
      setPoints(times.length);
      const width = Math.max(280, box.current.clientWidth);
      plot = new uPlot({
        width, height: HEIGHT, title,
        series: [{}, ...lines.map((l) => ({ label: l.label, stroke: l.color, width: 1.5, spanGaps: false }))],
        axes: [{}, { label: unit, size: 60 }],
        scales: { x: { time: true } },
      }, [times.map((x) => x / 1000), ...columns] as uPlot.AlignedData, box.current);
    }, (err: unknown) => { if (!cancelled) setError((err as Error).message); });
    return () => { cancelled = true; plot?.destroy(); };
  }, [key]);
  return (
    <figure class="chart" data-chart={title} data-points={points ?? ''}>
      <div ref={box} />
      {error && <figcaption class="error">{t('common.error', { message: error })}</figcaption>}
      {points === 0 && <figcaption class="muted">{t('chart.noData')}</figcaption>}
    </figure>
  );
}
