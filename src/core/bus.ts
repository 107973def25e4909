import type { Sample } from './sample.js';

/** A consumer of sample batches: the InfluxDB writer, the alert engine, the wall stream. */
export interface Sink {
  name: string;
  write(batch: readonly Sample[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * Fans every batch out to all sinks. A sink that throws is reported and does not stop the others,
 * because storage trouble must never hold back alerting (and the reverse).
 */
export class SampleBus {
  private sinks: Sink[] = [];
  constructor(private onSinkError: (sink: string, err: unknown) => void = () => {}) {}

  add(sink: Sink): void { this.sinks.push(sink); }

  async publish(batch: readonly Sample[]): Promise<void> {
    if (batch.length === 0) return;
    await Promise.all(
      this.sinks.map(async (s) => {
        try { await s.write(batch); } catch (err) { this.onSinkError(s.name, err); }
      }),
    );
  }

  async close(): Promise<void> {
    for (const s of this.sinks) {
      try { await s.close(); } catch (err) { this.onSinkError(s.name, err); }
    }
  }
}
