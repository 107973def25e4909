import type { IncidentEvent } from '../../core/incident.js';
import type { DeviceSummary } from './devices.js';

/** A change the wall must show at once. */
export type LiveEvent =
  | { type: 'device'; device: DeviceSummary }
  | { type: 'incident'; event: IncidentEvent };

/** Pushes device state changes (scheduler registry) and incident events (alert engine) to the live stream. */
export interface LiveFeed {
  /** Returns the function that stops the subscription. */
  subscribe(listener: (event: LiveEvent) => void): () => void;
}
