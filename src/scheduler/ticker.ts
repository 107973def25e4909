import cron from 'node-cron';
import type { Clock } from '../core/clock.js';

/** What drives the scheduler: a callback once a second. */
export interface Ticker {
  start(onTick: () => void): void;
  stop(): void;
}

/** The production ticker: a node-cron task on every second (6-field expression). */
export function cronTicker(): Ticker {
  let task: ReturnType<typeof cron.createTask> | undefined;
  return {
    start(onTick) {
      // The scheduler catches up by itself after a stall (and counts it), so node-cron's missed-run warnings would only be noise.
      task = cron.createTask('* * * * * *', () => onTick(), { name: 'noctua-scheduler', suppressMissedWarning: true });
      void task.start();
    },
    stop() {
      if (!task) return;
      void task.destroy();
      task = undefined;
    },
  };
}

/** A ticker on an injected clock, so tests drive the scheduler with fake time. */
export function clockTicker(clock: Clock, everyMs = 1000): Ticker {
  let timer: { cancel(): void } | undefined;
  let running = false;
  return {
    start(onTick) {
      running = true;
      const next = () => {
        const now = clock.ms();
        timer = clock.setTimeout(() => { if (!running) return; onTick(); next(); }, everyMs - (now % everyMs));
      };
      next();
    },
    stop() { running = false; timer?.cancel(); },
  };
}
