import { incidentRecordSchema, type IncidentRecord, type IncidentSource, type TimeRange } from './types.js';

/** An incident source held in memory: for tests, and for feeding a report from an export. */
export class MemoryIncidentSource implements IncidentSource {
  private readonly list: IncidentRecord[];
  constructor(incidents: readonly IncidentRecord[]) {
    this.list = incidents.map((i) => incidentRecordSchema.parse(i));
  }
  async incidents(range: TimeRange): Promise<IncidentRecord[]> {
    return this.list
      .filter((i) => i.openedAt < range.end && (!i.resolvedAt || i.resolvedAt >= range.start))
      .sort((a, b) => a.openedAt.getTime() - b.openedAt.getTime());
  }
}
