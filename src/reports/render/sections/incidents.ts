import type { IncidentRow } from '../../model/types.js';
import type { Block, Cell, SectionContext } from '../blocks.js';
import { engineerBlocks } from './engineers.js';
import { pauseBlocks, pauseCellLines } from './pauses.js';
import { recurringProblemBlocks } from './problems.js';

/** One row of the incident table: times with their durations, and the SLA grade. */
function incidentCells(ctx: SectionContext, i: IncidentRow): Cell[] {
  const { lang, s, fmt } = ctx;
  return [
    i.id,
    { text: i.severity, tone: i.severity === 'P1' ? 'bad' : i.severity === 'P2' ? 'warn' : undefined },
    `${i.titles?.[lang] ?? i.title}${i.device ? `\n${i.device}` : ''}${i.openedInPeriod ? '' : `\n(${s.openedBefore})`}`,
    fmt.dateTime(i.openedAt),
    i.acknowledgedAt ? `${fmt.dateTime(i.acknowledgedAt)}\n${fmt.duration(i.acknowledgedAt.getTime() - i.openedAt.getTime())}` : { text: s.notAcked, tone: 'warn' },
    i.resolvedAt && !i.ongoing ? `${fmt.dateTime(i.resolvedAt)}\n${fmt.duration(i.resolvedAt.getTime() - i.openedAt.getTime())}` : { text: s.notResolved, tone: 'warn' },
    `${fmt.duration(i.durationMs)}${i.ongoing ? `\n${s.ongoing}` : ''}`,
    {
      text: [i.sla.notGraded ? s.notGraded : `${s.respLabel} ${s.gradeText(i.sla.responseBand, i.sla.responseMet)}\n${s.resoLabel} ${s.gradeText(i.sla.resolutionBand, i.sla.resolutionMet)}`, ...pauseCellLines(ctx, i)].join('\n'),
      tone: i.sla.responseMet === false || i.sla.resolutionMet === false ? 'bad' : undefined,
    },
  ];
}

/** 5. Incidents: every incident active in the period with its SLA grade, then the recurring problems and the engineer figures. */
export function incidentBlocks(ctx: SectionContext): Block[] {
  return [...incidentTable(ctx), ...pauseBlocks(ctx), ...recurringProblemBlocks(ctx), ...engineerBlocks(ctx)];
}

/** The incident table of `rows` (default: every incident active in the period), or why there is none. */
export function incidentTable(ctx: SectionContext, rows = ctx.model.incidents): Block[] {
  const { s } = ctx;
  if (!rows) return [{ type: 'p', text: s.notConnected, tone: 'note' }];
  if (rows.length === 0) return [{ type: 'p', text: s.noIncidents }];
  return [{
    type: 'table', variant: 'incidents', head: [s.col.id, s.col.severity, s.col.title, s.col.opened, s.col.acknowledged, s.col.resolved, s.col.duration, s.col.grade],
    align: ['c', 'c', 'l', 'l', 'l', 'l', 'r', 'l'],
    rows: rows.map((i) => incidentCells(ctx, i)),
  }];
}
