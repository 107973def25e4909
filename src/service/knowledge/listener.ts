import type { IncidentEvent, IncidentListener } from '../../core/incident.js';
import type { Logger } from '../../core/log.js';
import { leadRule } from '../problems/detector.js';
import type { KnowledgeStore, KnowledgeSubject } from './store.js';

/** What is known of a device when its incident resolves: class from the inventory, vendor and model from identification. */
export type DeviceFacts = (device: string) => Pick<KnowledgeSubject, 'vendor' | 'model' | 'class'>;

/**
 * Turns resolution notes into knowledge entries: a person who resolves an incident with a note ("replaced
 * PSU 2; the fan tray alarm cleared") writes the entry the next engineer finds under "similar incidents".
 */
export class KnowledgeCollector implements IncidentListener {
  constructor(
    private readonly store: KnowledgeStore,
    private readonly facts: DeviceFacts,
    private readonly minNoteLength: () => number,
    private readonly log: Logger,
  ) {}

  onIncidentEvent(event: IncidentEvent): void {
    if (event.kind !== 'resolved') return;
    const note = event.note?.trim();
    if (!note || [...note].length < this.minNoteLength()) return;
    const i = event.incident;
    try {
      const facts = i.device ? this.facts(i.device) : {};
      this.store.add({ ...facts, incidentId: i.id, rule: leadRule(i), device: i.device, title: i.title, body: note, by: event.by, at: event.at });
    } catch (err) {
      this.log.error({ err, incident: i.id }, 'resolution note not kept as knowledge');
    }
  }
}
